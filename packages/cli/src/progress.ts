/**
 * Live progress of a run (provisioning, suspend, resume, deprovision): on a terminal one terse line per step as it
 * finishes, with its duration, in kubectl's words (`deployment.apps/lms-c42 configured (0.4s)`); piped, every
 * executor event as one JSON line, as the SDK emits it.
 */
import { kindInfo, type ApplyEvent, type ApplyResult, type PreflightProblem } from "@sreda/sdk";
import type { Output, Paint } from "./output.js";

/** `deployment.apps/lms-c42`, `secret/lms-secrets-c42`: kubectl's resource.group/name. */
export function objectRef(kind: string, name: string): string {
  const group = kindInfo(kind)?.group;
  return `${kind.toLowerCase()}${group ? `.${group}` : ""}/${name}`;
}

/** `0.4s`, `12.3s`, `2m5s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h${minutes % 60 > 0 ? `${minutes % 60}m` : ""}`;
  return `${minutes}m${seconds > 0 ? `${seconds}s` : ""}`;
}

/** kubectl's verbs for the executor's outcomes (`updated`: `configured`, or `scaled` for suspend and resume). */
function verb(outcome: string, paint: Paint, updated: string): string {
  switch (outcome) {
    case "created":
      return paint.green("created");
    case "updated":
      return paint.green(updated);
    case "unchanged":
      return paint.dim("unchanged");
    case "deleted":
      return paint.yellow("deleted");
    default:
      return outcome;
  }
}

/** The preflight's problems, one per line. */
export function preflightLines(problems: readonly PreflightProblem[], paint: Paint): string[] {
  return [
    paint.red("preflight failed:"),
    ...problems.map((p) => `  - ${p.code}${p.kind ? ` ${objectRef(p.kind, p.name ?? "")}` : ""}${p.verb ? ` (${p.verb})` : ""}: ${p.message}`),
  ];
}

interface Progress {
  onEvent(event: ApplyEvent): void;
}

interface StepState {
  ref: string;
  /** Not a Kubernetes object (a lifecycle's own step, e.g. finding the customer's objects): its message is shown. */
  pseudo?: boolean;
  startedAt: number;
  lastMessage?: string;
}

/**
 * The printer of one run's events. `steps`: the plan's, to name steps from their first event on; `updated`: the verb
 * for an updated object.
 */
export function createProgress(output: Output, steps: readonly { id: string; kind: string; name: string }[] = [], updated = "configured"): Progress {
  const { paint } = output;
  const state = new Map<string, StepState>(steps.map((s) => [s.id, { ref: objectRef(s.kind, s.name), startedAt: Number.NaN }]));
  const stateOf = (stepId: string): StepState => state.get(stepId) ?? state.set(stepId, { ref: stepId, startedAt: Number.NaN }).get(stepId)!;
  // A lifecycle operation does not know its number of steps in advance (run-started says 0): no [done/total] then.
  let known = true;
  const counter = (done: number, total: number) => (known ? `${paint.dim(`[${String(done).padStart(String(total).length)}/${total}]`)} ` : "");
  const took = (s: StepState, at: number) => paint.dim(`(${formatDuration(at - s.startedAt)})`);
  const text = (event: ApplyEvent): string[] => {
    switch (event.type) {
      case "run-started":
        known = event.total > 0;
        return [];
      case "preflight-failed":
        return preflightLines(event.problems, paint);
      case "step-started":
        Object.assign(stateOf(event.stepId), { ref: objectRef(event.kind, event.name), startedAt: event.at, pseudo: kindInfo(event.kind) === undefined });
        return [];
      case "step-waiting": {
        const s = stateOf(event.stepId);
        if (s.lastMessage === event.message) return [];
        s.lastMessage = event.message;
        return [paint.dim(`  ${s.ref}: ${event.message}`)];
      }
      case "step-retrying":
        return [paint.yellow(`  ${stateOf(event.stepId).ref}: retry ${event.attempt} in ${formatDuration(event.delayMs)}: ${event.reason}`)];
      case "step-succeeded": {
        const s = stateOf(event.stepId);
        if (s.pseudo) return [`${counter(event.done, event.total)}${s.ref}: ${event.message} ${took(s, event.at)}`];
        return [`${counter(event.done, event.total)}${s.ref} ${verb(event.outcome, paint, updated)} ${took(s, event.at)}`];
      }
      case "step-failed": {
        const s = stateOf(event.stepId);
        const logs = (event.logs ?? []).slice(-10).map((l) => paint.dim(`      ${l}`));
        return [`${counter(event.done, event.total)}${s.ref} ${paint.red("failed")} ${took(s, event.at)}: ${event.reason}: ${event.message}`, ...logs];
      }
      case "step-skipped":
        return [`${counter(event.done, event.total)}${paint.dim(`${stateOf(event.stepId).ref} skipped: waits for ${event.blockedBy.join(", ")}`)}`];
      case "object-pruned":
        return event.outcome === "deleted"
          ? [`${objectRef(event.kind, event.name)} ${paint.yellow("pruned")}`]
          : [`${objectRef(event.kind, event.name || "*")} ${paint.red("prune failed")}: ${event.message}`];
      default:
        return [];
    }
  };
  return {
    onEvent(event) {
      if (output.format === "json") output.json(event);
      else for (const line of text(event)) output.line(line);
    },
  };
}

/** `12 objects in 4.2s: 3 created, 1 configured, 8 unchanged` (and pruned, failed, skipped, cancelled when any). */
export function runSummary(result: ApplyResult): string {
  const counts = new Map<string, number>();
  for (const step of result.steps) counts.set(step.outcome, (counts.get(step.outcome) ?? 0) + 1);
  const words: [string, string][] = [
    ["created", "created"],
    ["updated", "configured"],
    ["unchanged", "unchanged"],
    ["deleted", "deleted"],
    ["failed", "failed"],
    ["skipped", "skipped"],
    ["cancelled", "cancelled"],
  ];
  const parts = words.filter(([outcome]) => counts.has(outcome)).map(([outcome, word]) => `${counts.get(outcome)} ${word}`);
  const pruned = result.pruned.filter((p) => p.outcome === "deleted").length;
  if (pruned > 0) parts.push(`${pruned} pruned`);
  const n = result.steps.length;
  return `${n} ${n === 1 ? "object" : "objects"} in ${formatDuration(result.finishedAt - result.startedAt)}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
}
