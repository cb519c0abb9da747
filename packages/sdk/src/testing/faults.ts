/**
 * Fault injection: rules that make matching requests fail the ways a real cluster behind a proxy fails —
 * an error status (429 with Retry-After, 500, 503, …), latency on the virtual clock, a dropped connection
 * (before or after the change was applied), a watch that stays open and says nothing.
 */
import type { Random } from "./random.js";
import { resourceByName, type Verb } from "./resources.js";

export type FaultAction =
  /** Answer with this status (a real Status body; 429 gets `Retry-After` and `details.retryAfterSeconds`). */
  | { type: "status"; code: number; reason?: string; retryAfterSeconds?: number }
  /** Delay the request by `ms` of virtual time, then handle it normally. */
  | { type: "latency"; ms: number }
  /** No answer: `fetch` rejects with `TypeError("fetch failed")` like undici; over `listen()` the socket is destroyed. */
  | { type: "drop" }
  /** The request is applied, then the answer is lost (the same rejection as `drop`). */
  | { type: "drop-after-write" }
  /** A watch opens (200) and delivers nothing until its timeoutSeconds; not applicable to other requests. */
  | { type: "silent-watch" };

export interface FaultMatch {
  method?: string;
  /** A string matches the API path (after the base path) exactly or as a prefix; a RegExp is tested against it. */
  path?: string | RegExp;
  /** Kind (`Job`), resource (`jobs`) or short name. */
  kind?: string;
  verb?: Verb;
  namespace?: string;
}

export interface FaultRule {
  match?: FaultMatch;
  /** Chance that a matching request is hit, from the cluster's seeded generator (default 1). */
  probability?: number;
  /** Hit at most this many requests (default unlimited). */
  times?: number;
  /** Let the first `after` matching requests through. */
  after?: number;
  action: FaultAction;
}

interface FaultRequest {
  method: string;
  path: string;
  kind?: string;
  verb?: Verb;
  namespace?: string;
  watch: boolean;
}

interface FaultDecision {
  latencyMs: number;
  action?: Exclude<FaultAction, { type: "latency" }>;
  /** Descriptions of the rules that fired, for the request log. */
  fired: string[];
}

interface ActiveRule {
  rule: FaultRule;
  matched: number;
  fired: number;
}

/** The error a dropped connection produces: what undici's fetch throws (`TypeError: fetch failed`, cause with a code). */
export class DroppedConnectionError extends TypeError {
  readonly fakeClusterDrop = true;
  constructor() {
    const cause = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    super("fetch failed", { cause });
  }
}

export function isDroppedConnection(error: unknown): error is DroppedConnectionError {
  return error instanceof TypeError && (error as { fakeClusterDrop?: boolean }).fakeClusterDrop === true;
}

function describe(action: FaultAction): string {
  switch (action.type) {
    case "status":
      return `status ${action.code}`;
    case "latency":
      return `latency ${action.ms}ms`;
    default:
      return action.type;
  }
}

function matches(match: FaultMatch | undefined, request: FaultRequest): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.path !== undefined) {
    if (typeof match.path === "string") {
      if (request.path !== match.path && !request.path.startsWith(match.path.endsWith("/") ? match.path : `${match.path}/`)) return false;
    } else if (!match.path.test(request.path)) return false;
  }
  if (match.kind !== undefined) {
    const wanted = resourceByName(match.kind);
    if (!wanted || wanted.kind !== request.kind) return false;
  }
  if (match.verb !== undefined && match.verb !== request.verb) return false;
  if (match.namespace !== undefined && match.namespace !== request.namespace) return false;
  return true;
}

export class Faults {
  private rules: ActiveRule[] = [];

  constructor(private readonly random: Random) {}

  add(rule: FaultRule): () => void {
    const active: ActiveRule = { rule, matched: 0, fired: 0 };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** Which faults hit this request. Latency adds up; the first terminal action wins. */
  evaluate(request: FaultRequest): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, fired: [] };
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.action.type === "silent-watch" && !request.watch) continue;
      if (decision.action && rule.action.type !== "latency") continue;
      if (!matches(rule.match, request)) continue;
      active.matched++;
      if (active.matched <= (rule.after ?? 0)) continue;
      if (rule.times !== undefined && active.fired >= rule.times) continue;
      if (rule.probability !== undefined && rule.probability < 1 && this.random.next() >= rule.probability) continue;
      active.fired++;
      decision.fired.push(describe(rule.action));
      if (rule.action.type === "latency") decision.latencyMs += rule.action.ms;
      else decision.action = rule.action;
    }
    return decision;
  }
}
