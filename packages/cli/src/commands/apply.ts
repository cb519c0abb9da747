/**
 * `sreda apply -f input.json`: provisions the customer's environment, as the bridge does for 1C — secrets completed
 * (read back from the cluster, or generated and written to --secrets-out), the plan, the executor (preflight, then
 * every object in dependency order, then pruning what the plan no longer makes, under the customer's lock), and the
 * environment followed until it is Ready or Failed.
 */
import { applyPlan, followEnvironment, type ApplyResult, type EnvironmentAssessment, type KubeClient, type ProvisioningPlan } from "@sreda/sdk";
import { booleanOption, parseDuration, stringOption } from "../args.js";
import {
  FILENAME_OPTION,
  lockMode,
  operatorIdentity,
  OUTPUT_OPTION,
  requiredInput,
  WAIT_FOR_LOCK_OPTION,
  type Command,
  type CommandContext,
} from "../command.js";
import { checkNamespace, connect } from "../connect.js";
import { EXIT_CODES, exitCodeOfRun } from "../exit-codes.js";
import { planOf } from "../input.js";
import { createProgress, formatDuration, runSummary } from "../progress.js";
import { clusterSecrets, keepSecrets, offlineSecrets } from "../secrets.js";
import { assessmentEvent, DEFAULT_TIMEOUT, paintPhase, printAssessment } from "./status.js";

/**
 * Follows the environment after a successful run: the last assessment (a `Timeout` reason first when it ran out);
 * undefined when Ctrl+C stopped the waiting.
 */
async function follow(ctx: CommandContext, kube: KubeClient, plan: ProvisioningPlan, timeoutMs: number): Promise<EnvironmentAssessment | undefined> {
  const { output, signal } = ctx;
  const started = Date.now();
  let shown = "";
  output.line(`Waiting for the environment to be Ready (timeout ${formatDuration(timeoutMs)}, Ctrl+C stops waiting)…`);
  try {
    return await followEnvironment(kube, {
      environment: plan,
      signal,
      timeoutMs,
      onAssessment: (a) => {
        output.json(assessmentEvent(a, Date.now()));
        const line = `${paintPhase(a.phase, output.paint)}  ${a.summary}`;
        if (line !== shown) output.line(output.paint.dim(`  ${formatDuration(Date.now() - started).padStart(6)}  `) + line);
        shown = line;
      },
    });
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  }
}

/** The final lines: for people, and as the last JSON line `{"type":"result", …}`. */
function finish(ctx: CommandContext, plan: ProvisioningPlan, result: ApplyResult, environment: EnvironmentAssessment | undefined): number {
  const { output, signal } = ctx;
  const { paint } = output;
  let exitCode = exitCodeOfRun(result.status);
  if (exitCode === EXIT_CODES.succeeded && signal.aborted) exitCode = EXIT_CODES.cancelled;
  // A suspended customer stays suspended (without --resume): that is a success too.
  else if (exitCode === EXIT_CODES.succeeded && environment)
    exitCode = environment.phase === "Ready" || environment.phase === "Suspended" ? EXIT_CODES.succeeded : EXIT_CODES.failed;
  const status =
    exitCode === EXIT_CODES.succeeded
      ? "succeeded"
      : exitCode === EXIT_CODES.cancelled
        ? "cancelled"
        : result.status === "succeeded"
          ? "failed"
          : result.status;
  output.json({ type: "result", command: "apply", status, exitCode, apply: result, environment: environment ?? null });
  if (environment && !signal.aborted) {
    output.line();
    printAssessment(output, plan.environment, environment);
  }
  output.line();
  if (exitCode === EXIT_CODES.succeeded)
    output.line(paint.green(`${plan.clientId} provisioned in ${plan.namespace}`) + (environment ? "" : " (not waited for: --wait=false)"));
  else if (exitCode === EXIT_CODES.cancelled)
    output.line(
      paint.yellow(`${plan.clientId}: cancelled${result.status === "succeeded" ? " while waiting for the environment (every object was applied)" : ""}`),
    );
  else if (result.status === "succeeded") output.line(paint.red(`${plan.clientId}: applied, but the environment is ${environment?.phase ?? "unknown"}`));
  else output.line(paint.red(`${plan.clientId}: provisioning ${result.status}`));
  return exitCode;
}

export const applyCommand: Command = {
  name: "apply",
  group: "basic",
  summary: "Provision an environment from an input file, with live progress",
  description:
    "Provision a customer's environment from an input file, as the bridge does for 1C: secrets the file leaves out\n" +
    "are read back from the cluster (or generated, and written to --secrets-out), a preflight checks the namespace,\n" +
    "the objects the templates need and the permissions, every object is applied in dependency order (server-side\n" +
    "apply; Jobs re-created when their spec changed), objects the plan no longer makes are pruned, and the\n" +
    "environment is followed until it is Ready or Failed. A suspended customer stays suspended unless --resume.\n" +
    "Ctrl+C cancels cleanly (exit code 5).",
  usage: "sreda apply -f FILENAME [options]",
  examples: [
    ["Provision C42 with the current kubeconfig context", "sreda apply -f c42-lms-dev.input.json"],
    ["A new customer without secrets in the file: keep the generated ones", "sreda apply -f c43.input.json --secrets-out c43.secrets.json"],
    [
      "JSON lines for a pipeline, without waiting for the environment",
      "sreda apply -f c42.input.json -o json --wait=false | jq -c 'select(.type==\"result\")'",
    ],
  ],
  options: [
    FILENAME_OPTION,
    { name: "resume", type: "boolean", default: false, description: "Resume a suspended customer as well (it stays suspended otherwise)." },
    {
      name: "secrets-out",
      type: "string",
      description: 'Write newly generated secrets to this file (mode 600), as {"secrets": {…}} to merge into the input file.',
    },
    { name: "wait", type: "boolean", default: true, description: "Follow the environment until it is Ready or Failed after applying (--wait=false: do not)." },
    { name: "timeout", type: "string", default: DEFAULT_TIMEOUT, description: "How long to wait for the environment (e.g. 90s, 15m; 0 for no limit)." },
    WAIT_FOR_LOCK_OPTION,
    OUTPUT_OPTION,
  ],
  async run(ctx) {
    const { values, output, signal } = ctx;
    const input = await requiredInput(ctx);
    const timeoutMs = parseDuration(stringOption(values, "timeout") ?? DEFAULT_TIMEOUT, "timeout");
    const wait = booleanOption(values, "wait", true);
    // Every problem of the input is found before the cluster is asked anything.
    planOf(input, offlineSecrets(input).secrets);
    const { kube, target } = await connect(values, ctx.io, input.apiRootUrl);
    output.line(`Provisioning ${output.paint.bold(input.clientId)} in namespace ${output.paint.bold(input.namespace)} (${target.origin}, ${kube.apiRootUrl})`);
    // Before the secrets: read back from a namespace that is not there, they would all be generated for nothing.
    await checkNamespace(kube, input.namespace, signal);
    const resolved = await clusterSecrets(kube, input, signal);
    await keepSecrets(resolved, stringOption(values, "secrets-out"), ctx.io, output);
    const plan = planOf(input, resolved.secrets);
    const progress = createProgress(output, plan.steps);
    const result = await applyPlan(plan, kube, {
      signal,
      onEvent: (e) => progress.onEvent(e),
      whenLocked: lockMode(values),
      identity: operatorIdentity(),
      // A provisioning of a suspended customer keeps it suspended unless told to resume it.
      resume: booleanOption(values, "resume"),
    });
    output.line(`${result.status === "succeeded" ? "Applied" : `Run ${result.status}`}: ${runSummary(result)}`);
    const environment = result.status === "succeeded" && wait && !signal.aborted ? await follow(ctx, kube, plan, timeoutMs) : undefined;
    return finish(ctx, plan, result, environment);
  },
};
