/**
 * `sreda status`: the environment's phase (Pending, Progressing, Ready, Degraded, Failed), why — one reason per
 * object, most severe first — and its warnings; with `--watch`, followed until it is Ready or Failed.
 */
import { followEnvironment, readEnvironmentStatus, type EnvironmentAssessment, type EnvironmentDescription, type EnvironmentPhase } from "@sreda/sdk";
import { booleanOption, parseDuration, stringOption } from "../args.js";
import { CLIENT_OPTION, environmentOf, FILENAME_OPTION, OUTPUT_OPTION, type Command } from "../command.js";
import { checkNamespace } from "../connect.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { Output, Paint } from "../output.js";
import { table } from "../table.js";

export const DEFAULT_TIMEOUT = "15m";

export function paintPhase(phase: EnvironmentPhase, paint: Paint): string {
  switch (phase) {
    case "Ready":
      return paint.green(phase);
    case "Failed":
      return paint.red(phase);
    case "Degraded":
      return paint.yellow(phase);
    default:
      return paint.cyan(phase);
  }
}

/** The assessment as kubectl would show it: the phase and summary, a table of reasons, the warnings. */
export function printAssessment(output: Output, environment: EnvironmentDescription, a: EnvironmentAssessment): void {
  const { paint } = output;
  output.line(`${paint.bold(environment.clientId)} in namespace ${paint.bold(environment.namespace)}: ${paintPhase(a.phase, paint)} — ${a.summary}`);
  if (a.reasons.length > 0) {
    output.line();
    const rows = a.reasons.map((r) => [r.kind, r.name, paintPhase(r.phase, paint), r.reason, r.message.replace(/\s+/g, " ")]);
    for (const line of table(["KIND", "NAME", "PHASE", "REASON", "MESSAGE"], rows, output.columns)) output.line(line);
  }
  for (const r of a.reasons.filter((reason) => reason.logs && reason.logs.length > 0)) {
    output.line();
    output.line(paint.dim(`last log lines of ${r.kind} ${r.name}${r.container ? ` (${r.container})` : ""}:`));
    for (const l of r.logs!.slice(-10)) output.line(paint.dim(`  ${l}`));
  }
  if (a.warnings.length > 0) {
    output.line();
    output.line(paint.yellow("Warnings:"));
    for (const w of a.warnings) output.line(`  ${w.kind} ${w.name}: ${w.reason} — ${w.message}`);
  }
}

/** Exit code of a status: 1 when the environment has Failed, else 0. */
function exitCodeOfPhase(phase: EnvironmentPhase): number {
  return phase === "Failed" ? EXIT_CODES.failed : EXIT_CODES.succeeded;
}

/** One JSON line per change of the environment while it is followed. */
export function assessmentEvent(a: EnvironmentAssessment, at: number): Record<string, unknown> {
  return { type: "environment", at, phase: a.phase, summary: a.summary, reasons: a.reasons, warnings: a.warnings };
}

export const statusCommand: Command = {
  name: "status",
  group: "basic",
  summary: "Show the status of an environment: its phase, why, and its warnings",
  description:
    "Show the status of a customer's environment: its phase (Pending, Progressing, Ready, Degraded, Failed), one\n" +
    "reason per object (Jobs, Deployment, pods, autoscaler, disruption budget), most severe first, and the warnings\n" +
    "of what works but needs attention. The environment is named by an input file, or by --client and the namespace.\n" +
    "Exits with 1 when the environment has Failed.",
  usage: "sreda status (-f FILENAME | --client ID [-n NAMESPACE]) [options]",
  examples: [
    ["The status of the environment an input file describes", "sreda status -f c42-lms-dev.input.json"],
    ["The status of C42 in lms-dev, without a file", "sreda status --client C42 -n lms-dev"],
    ["Follow it until it is Ready or Failed", "sreda status --client C42 -n lms-dev --watch"],
  ],
  options: [
    FILENAME_OPTION,
    CLIENT_OPTION,
    { name: "watch", short: "w", type: "boolean", default: false, description: "Follow the environment until it is Ready or Failed (or --timeout)." },
    { name: "timeout", type: "string", default: DEFAULT_TIMEOUT, description: "With --watch: how long to follow (e.g. 90s, 15m; 0 for no limit)." },
    OUTPUT_OPTION,
  ],
  async run(ctx) {
    const { output, signal } = ctx;
    const timeoutMs = parseDuration(stringOption(ctx.values, "timeout") ?? DEFAULT_TIMEOUT, "timeout");
    const { environment, connection } = await environmentOf(ctx);
    const { kube } = connection;
    await checkNamespace(kube, environment.namespace, signal);
    let assessment: EnvironmentAssessment;
    let shown = "";
    if (booleanOption(ctx.values, "watch")) {
      assessment = await followEnvironment(kube, {
        environment,
        signal,
        timeoutMs,
        onAssessment: (a) => {
          output.json(assessmentEvent(a, Date.now()));
          const line = `${paintPhase(a.phase, output.paint)}  ${a.summary}`;
          if (line !== shown) output.line(`${new Date().toISOString().slice(11, 19)}  ${line}`);
          shown = line;
        },
      });
      if (signal.aborted) return EXIT_CODES.cancelled;
      output.line();
    } else {
      assessment = await readEnvironmentStatus(kube, environment, { now: Date.now(), signal });
    }
    const result = { clientId: environment.clientId, namespace: environment.namespace, ...assessment };
    if (booleanOption(ctx.values, "watch")) output.json({ type: "result", command: "status", exitCode: exitCodeOfPhase(assessment.phase), ...result });
    else output.document(result);
    printAssessment(output, environment, assessment);
    return exitCodeOfPhase(assessment.phase);
  },
};
