/**
 * `sreda rollout -f fleet.json`: one change (a new image, a setting) to every customer of a namespace, safely, through
 * the SDK's rollout — customers already up to date skipped, a canary wave that must become Ready before the rest,
 * then a few at a time, no new customer after too many failures, new starts held while pods wait for room in the
 * cluster; each customer provisioned under its own lock. Customers without an environment are left out (a rollout
 * never generates a customer's secrets). Live progress per customer, then a summary table; Ctrl+C cancels.
 */
import { runRollout, type RolloutCustomerResult, type RolloutEvent, type RolloutResult } from "@sreda/sdk";
import { booleanOption, integerOption, parseDuration, stringOption, type OptionValues } from "../args.js";
import { FLEET_FILENAME_OPTION, operatorIdentity, OUTPUT_OPTION, type Command, type CommandContext } from "../command.js";
import { checkNamespace, connect } from "../connect.js";
import { EXIT_CODES } from "../exit-codes.js";
import { checkFleet, fleetPlans, requiredFleet, type LeftOut } from "../fleet.js";
import type { Paint } from "../output.js";
import { formatDuration } from "../progress.js";
import { table } from "../table.js";
import { DEFAULT_TIMEOUT } from "./status.js";

interface Settings {
  canary: number;
  concurrency: number;
  maxFailures: number;
  skipUpToDate: boolean;
  readyTimeoutMs: number;
}

/** The flags, checked before anything else is done. */
function settingsOf(values: OptionValues): Settings {
  return {
    canary: integerOption(values, "canary", 1, 0, 100),
    concurrency: integerOption(values, "concurrency", 4, 1, 50),
    maxFailures: integerOption(values, "max-failures", 1, 1, 10_000),
    skipUpToDate: booleanOption(values, "skip-up-to-date", true),
    readyTimeoutMs: parseDuration(stringOption(values, "timeout") ?? DEFAULT_TIMEOUT, "timeout"),
  };
}

type Outcome = RolloutCustomerResult["outcome"] | "left-out";

function paintOutcome(outcome: Outcome, paint: Paint): string {
  switch (outcome) {
    case "succeeded":
      return paint.green(outcome);
    case "failed":
      return paint.red(outcome);
    case "up-to-date":
      return paint.dim(outcome);
    default:
      return paint.yellow(outcome);
  }
}

/** The SDK's words for outcomes that say nothing more than the outcome, in the CLI's. */
function messageOf(c: RolloutCustomerResult): string {
  switch (c.outcome) {
    case "up-to-date":
      return "no changes: the environment matches the plan";
    case "not-started":
      return "not started: the rollout stopped first";
    case "cancelled":
      return "cancelled";
    default:
      return c.message;
  }
}

/**
 * The printer of the rollout's events: on a terminal one line per customer event with the time since the start;
 * piped, every SDK event as one JSON line. Also keeps why the rollout stopped, in the CLI's words.
 */
function createRolloutProgress(ctx: CommandContext, settings: Settings) {
  const { output } = ctx;
  const { paint } = output;
  const started = Date.now();
  const canary = new Set<string>();
  const failed: string[] = [];
  let stopReason: string | undefined;
  const at = (time: number) => paint.dim(formatDuration(time - started).padStart(7));
  const text = (event: RolloutEvent): string | undefined => {
    switch (event.type) {
      case "rollout-started":
        return `${event.total - event.upToDate} to roll out, ${event.upToDate} up to date`;
      case "customer-started":
        if (event.canary) canary.add(event.clientId);
        return `${paint.bold(event.clientId)} started${event.canary ? " (canary)" : ""}`;
      case "customer-finished": {
        if (event.outcome === "failed" || (event.outcome === "cancelled" && canary.has(event.clientId))) failed.push(event.clientId);
        const message = event.outcome === "up-to-date" ? "no changes" : event.outcome === "cancelled" ? "cancelled" : event.message;
        return `${paint.bold(event.clientId)} ${paintOutcome(event.outcome, paint)}: ${message}`;
      }
      case "rollout-waiting-for-room":
        return paint.yellow(
          `waiting for room: ${event.pods} ${event.pods === 1 ? "pod waits" : "pods wait"} — ${event.message}; no new customer starts until there is room`,
        );
      case "rollout-room-available":
        return paint.green("room again: the rollout goes on");
      case "rollout-paused":
        return paint.yellow("paused");
      case "rollout-resumed":
        return "resumed";
      case "rollout-stopped": {
        const canaryFailed = failed.filter((id) => canary.has(id));
        if (event.cause === "canary-failed") stopReason = `the canary (${canaryFailed.join(", ")}) did not become Ready: the other customers are not started`;
        else if (event.cause === "failure-limit") stopReason = `${failed.length} failed (--max-failures ${settings.maxFailures}): no new customer starts`;
        else stopReason = `whether the cluster has room could not be read: no new customer starts (${event.reason})`;
        return paint.red(`stopped: ${stopReason}`);
      }
      default:
        return undefined;
    }
  };
  return {
    onEvent(event: RolloutEvent): void {
      if (output.format === "json") return output.json(event);
      const line = text(event);
      if (line !== undefined) output.line(`${at(event.at)}  ${line}`);
    },
    stopReason: () => stopReason,
  };
}

/** The status and exit code: succeeded, failed (a customer failed below the limit, or could not be planned), stopped, cancelled. */
function outcomeOf(result: RolloutResult | undefined, leftOut: readonly LeftOut[], signal: AbortSignal): { status: string; exitCode: number } {
  if (signal.aborted || result?.status === "cancelled") return { status: "cancelled", exitCode: EXIT_CODES.cancelled };
  if (result === undefined) return { status: "failed", exitCode: EXIT_CODES.failed };
  if (result.status === "stopped") return { status: "stopped", exitCode: EXIT_CODES.failed };
  if (result.customers.some((c) => c.outcome === "failed") || leftOut.some((l) => l.reason === "error"))
    return { status: "failed", exitCode: EXIT_CODES.failed };
  return { status: "succeeded", exitCode: EXIT_CODES.succeeded };
}

/** The summary table and the last line for people, `{"type":"result", …}` as the last JSON line; the exit code. */
function finish(
  ctx: CommandContext,
  order: readonly string[],
  result: RolloutResult | undefined,
  leftOut: readonly LeftOut[],
  stopReason: string | undefined,
): number {
  const { output } = ctx;
  const { paint } = output;
  const { status, exitCode } = outcomeOf(result, leftOut, ctx.signal);
  const byId = new Map<string, { clientId: string; outcome: Outcome; phase?: string; message: string }>();
  for (const c of result?.customers ?? []) byId.set(c.clientId, { ...c, message: messageOf(c) });
  for (const l of leftOut) byId.set(l.clientId, { clientId: l.clientId, outcome: "not-started", message: l.message });
  const customers = order.flatMap((id) => byId.get(id) ?? []);
  output.json({ type: "result", command: "rollout", status, exitCode, ...(stopReason ? { stopReason } : {}), customers });
  output.line();
  const rows = customers.map((c) => [c.clientId, paintOutcome(c.outcome, paint), c.phase ?? "-", c.message.replace(/\s+/g, " ")]);
  for (const line of table(["CLIENT", "OUTCOME", "PHASE", "MESSAGE"], rows, output.columns)) output.line(line);
  const counts = new Map<string, number>();
  for (const c of customers) counts.set(c.outcome, (counts.get(c.outcome) ?? 0) + 1);
  const tally = [...counts].map(([outcome, n]) => `${n} ${outcome.replace(/-/g, " ")}`).join(", ");
  output.line();
  const last = `Rollout ${status}: ${tally}`;
  if (result === undefined && status === "failed")
    output.line(paint.red(`Nothing to roll out: no customer of the file has an environment in the cluster (${tally})`));
  else output.line(exitCode === EXIT_CODES.succeeded ? paint.green(last) : exitCode === EXIT_CODES.cancelled ? paint.yellow(last) : paint.red(last));
  return exitCode;
}

export const rolloutCommand: Command = {
  name: "rollout",
  group: "fleet",
  summary: "Roll a change out to every customer of a fleet file: a canary first, then a few at a time",
  description:
    "Roll a change out to every customer of a fleet file, as one careful operation: customers already up to date are\n" +
    "skipped (--skip-up-to-date=false: provisioned anyway), a first wave (--canary) must become Ready before the rest\n" +
    "start, then --concurrency at a time; after --max-failures failures no new customer starts and those running\n" +
    "finish. While pods wait for room in the cluster (Too many pods, Insufficient cpu), no new customer starts and the\n" +
    "scheduler's message is shown. Each customer is provisioned as sreda apply does, under its own lock, and followed\n" +
    "until Ready (--timeout each). Customers without an environment are left out (provision them first with sreda\n" +
    "apply): a rollout never generates secrets. --image replaces the file's environment.dockerImage. Ctrl+C cancels\n" +
    "cleanly (exit code 5). Exits with 1 when the rollout stopped or a customer failed.",
  usage: "sreda rollout -f FILENAME [--image IMAGE] [--canary N] [--concurrency N] [--max-failures N] [options]",
  examples: [
    ["Roll a new image out to every customer of lms-dev, one canary first", "sreda rollout -f lms-dev.fleet.json --image registry.example/lms/backend:2.0"],
    ["Two canaries, then eight at a time, stopping after three failures", "sreda rollout -f lms-dev.fleet.json --canary 2 --concurrency 8 --max-failures 3"],
    ["The result of each customer, from JSON lines", "sreda rollout -f lms-dev.fleet.json -o json | jq -c 'select(.type==\"result\") | .customers[]'"],
  ],
  options: [
    FLEET_FILENAME_OPTION,
    { name: "image", type: "string", description: "The image to roll out: replaces the file's environment.dockerImage for every customer." },
    { name: "canary", type: "string", default: "1", description: "Customers of the first wave, which must all become Ready before the rest start (0: none)." },
    { name: "concurrency", type: "string", default: "4", description: "Customers provisioned at a time after the canary." },
    { name: "max-failures", type: "string", default: "1", description: "Failures after which no new customer starts (those running finish)." },
    {
      name: "skip-up-to-date",
      type: "boolean",
      default: true,
      description: "Skip customers whose environments already match their plans (--skip-up-to-date=false: provision them too).",
    },
    {
      name: "timeout",
      type: "string",
      default: DEFAULT_TIMEOUT,
      description: "How long each customer's environment may take to become Ready (e.g. 90s, 15m; 0 for no limit).",
    },
    OUTPUT_OPTION,
  ],
  async run(ctx) {
    const { output, signal } = ctx;
    const { paint } = output;
    const settings = settingsOf(ctx.values);
    const fleet = await requiredFleet(ctx, stringOption(ctx.values, "image"));
    checkFleet(fleet);
    const { kube, target } = await connect(ctx.values, ctx.io, fleet.apiRootUrl);
    output.line(
      `Rolling out to ${fleet.clientIds.length} customers in namespace ${paint.bold(fleet.namespace)} (${target.origin}, ${kube.apiRootUrl}): canary ${settings.canary}, concurrency ${settings.concurrency}, max failures ${settings.maxFailures}`,
    );
    await checkNamespace(kube, fleet.namespace, signal);
    const { plans, leftOut } = await fleetPlans(kube, fleet, { onlyExisting: true, signal });
    for (const l of leftOut) {
      output.json({ type: "customer-left-out", clientId: l.clientId, reason: l.reason, message: l.message });
      output.line(`${paint.bold(l.clientId)} ${paint.yellow("left out")}: ${l.message}`);
    }
    if (plans.length === 0) return finish(ctx, fleet.clientIds, undefined, leftOut, undefined);
    if (settings.skipUpToDate) output.line(paint.dim(`Comparing ${plans.length} customers with the cluster…`));
    const progress = createRolloutProgress(ctx, settings);
    const result = await runRollout(kube, plans, {
      ...settings,
      signal,
      identity: operatorIdentity(),
      onEvent: (event) => progress.onEvent(event),
    });
    return finish(ctx, fleet.clientIds, result, leftOut, progress.stopReason());
  },
};
