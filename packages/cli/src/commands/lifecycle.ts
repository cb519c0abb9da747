/**
 * `sreda suspend`, `sreda resume` and `sreda deprovision`: a customer's life after provisioning, through the SDK's
 * lifecycle operations, reported as a provisioning is — live steps, then a result.
 */
import {
  createDeprovisioningPlan,
  deprovisionEnvironment,
  findCustomerObjects,
  resumeEnvironment,
  suspendEnvironment,
  type ApplyResult,
  type DeprovisioningPlan,
  type EnvironmentDescription,
  type KubeClient,
  type LifecycleOptions,
} from "@sreda/sdk";
import { booleanOption, stringOption } from "../args.js";
import {
  CLIENT_OPTION,
  environmentOf,
  FILENAME_OPTION,
  lockMode,
  operatorIdentity,
  OUTPUT_OPTION,
  WAIT_FOR_LOCK_OPTION,
  type Command,
  type CommandContext,
} from "../command.js";
import { checkNamespace } from "../connect.js";
import { EXIT_CODES, exitCodeOfRun, UsageError } from "../exit-codes.js";
import type { LoadedInput } from "../input.js";
import { createProgress, objectRef, preflightLines, runSummary } from "../progress.js";
import { confirm } from "../prompt.js";
import { clusterSecrets } from "../secrets.js";

/** The options every lifecycle operation gets: cancellation, progress, the lock. */
function lifecycleOptions(ctx: CommandContext, updated?: string): LifecycleOptions {
  const progress = createProgress(ctx.output, [], updated);
  return { signal: ctx.signal, onEvent: (e) => progress.onEvent(e), identity: operatorIdentity(), whenLocked: lockMode(ctx.values) };
}

/** The result: its last line for people, `{"type":"result", …}` as the last JSON line, and the exit code. */
function report(ctx: CommandContext, command: string, result: ApplyResult, done: string): number {
  const { output } = ctx;
  const exitCode = exitCodeOfRun(result.status);
  output.json({ type: "result", command, status: result.status, exitCode, result });
  if (result.status === "preflight-failed") for (const line of preflightLines(result.preflight, output.paint)) output.line(line);
  const summary = `${result.clientId} in ${result.namespace}: ${runSummary(result)}`;
  output.line(result.status === "succeeded" ? output.paint.green(`${done}: ${summary}`) : output.paint.red(`${command} ${result.status}: ${summary}`));
  return exitCode;
}

type LifecycleFn = (kube: KubeClient, environment: EnvironmentDescription, options: LifecycleOptions) => Promise<ApplyResult>;

function lifecycleCommand(name: "suspend" | "resume", fn: LifecycleFn, text: Pick<Command, "summary" | "description" | "examples">, done: string): Command {
  return {
    name,
    group: "lifecycle",
    ...text,
    usage: `sreda ${name} (-f FILENAME | --client ID [-n NAMESPACE]) [options]`,
    options: [FILENAME_OPTION, CLIENT_OPTION, WAIT_FOR_LOCK_OPTION, OUTPUT_OPTION],
    async run(ctx) {
      const { environment, connection } = await environmentOf(ctx);
      const { paint } = ctx.output;
      ctx.output.line(
        `${name === "suspend" ? "Suspending" : "Resuming"} ${paint.bold(environment.clientId)} in namespace ${paint.bold(environment.namespace)} (${connection.target.origin}, ${connection.kube.apiRootUrl})`,
      );
      const result = await fn(connection.kube, environment, lifecycleOptions(ctx, "scaled"));
      return report(ctx, name, result, done);
    },
  };
}

export const suspendCommand = lifecycleCommand(
  "suspend",
  (kube, environment, options) => suspendEnvironment(kube, environment, options),
  {
    summary: "Suspend an environment: its backend scaled to zero, data and every other object kept",
    description:
      "Suspend a customer's environment: its Deployment is scaled to zero and the replicas it had are kept on it, so\n" +
      "that resume brings them back. Data, secrets and every other object stay. A provisioning (sreda apply) of a\n" +
      "suspended customer keeps it suspended unless --resume.",
    examples: [
      ["Suspend C42 in lms-dev", "sreda suspend --client C42 -n lms-dev"],
      ["Suspend the customer of an input file", "sreda suspend -f c42-lms-dev.input.json"],
    ],
  },
  "suspended",
);

export const resumeCommand = lifecycleCommand(
  "resume",
  (kube, environment, options) => resumeEnvironment(kube, environment, options),
  {
    summary: "Resume a suspended environment: its backend back to the replicas it had",
    description:
      "Resume a suspended customer's environment: its Deployment back to the replicas it had before. A customer\nthat is not suspended is left alone.",
    examples: [["Resume C42 in lms-dev", "sreda resume --client C42 -n lms-dev"]],
  },
  "resumed",
);

/** What will be deleted, listed before anything is: the customer's objects as the deprovisioning finds them. */
async function preview(ctx: CommandContext, kube: KubeClient, plan: DeprovisioningPlan): Promise<void> {
  const { output } = ctx;
  const { paint } = output;
  const objects = (await findCustomerObjects(plan, kube, ctx.signal)).map(({ kind, name }) => ({ kind, name }));
  output.json({ type: "deprovision-preview", clientId: plan.clientId, namespace: plan.namespace, objects, dropData: plan.dropData });
  const count = objects.length === 0 ? "No objects" : `${objects.length} ${objects.length === 1 ? "object" : "objects"}`;
  output.line(
    `${count} of ${paint.bold(plan.clientId)} in namespace ${paint.bold(plan.namespace)} will be deleted${objects.length > 0 ? ", in this order:" : "."}`,
  );
  for (const o of objects) output.line(`  ${paint.red("-")} ${objectRef(o.kind, o.name)}`);
  output.line(
    plan.dropData
      ? paint.red(
          `--drop-data: the PostgreSQL and ClickHouse databases and users of ${plan.clientId} will be DROPPED first (${plan.teardown.map((s) => objectRef(s.kind, s.name)).join(", ")}); this cannot be undone.`,
        )
      : `The databases of ${plan.clientId} are kept (--drop-data drops them).`,
  );
}

/** The deprovisioning plan of the command line: the customer's id repeated with --confirm before data is dropped. */
async function deprovisioningPlan(
  ctx: CommandContext,
  kube: KubeClient,
  environment: EnvironmentDescription,
  input: LoadedInput | undefined,
): Promise<DeprovisioningPlan> {
  const dropData = booleanOption(ctx.values, "drop-data");
  const confirmId = stringOption(ctx.values, "confirm");
  const options = { dropData, ...(confirmId !== undefined ? { confirmClientId: confirmId } : {}) };
  if (!dropData)
    return createDeprovisioningPlan(input?.data ?? { client: { id: environment.clientId }, environment: { namespace: environment.namespace } }, options);
  // Dropping the databases needs their admin access (the input's) and a valid input, secrets included.
  const { secrets } = await clusterSecrets(kube, input!, ctx.signal);
  return createDeprovisioningPlan({ ...input!.data, secrets }, options);
}

/** Refuses what must not start: data dropped without the id repeated, no way to ask and no --yes. */
function checkDeprovisionUsage(ctx: CommandContext): void {
  const { values, io } = ctx;
  const file = stringOption(values, "filename");
  const client = stringOption(values, "client");
  const confirmId = stringOption(values, "confirm");
  if (booleanOption(values, "drop-data")) {
    if (file === undefined) throw new UsageError("--drop-data needs -f FILENAME: dropping the databases needs the input's database access");
    if (confirmId === undefined) throw new UsageError("--drop-data drops the customer's databases: repeat the customer's id with --confirm ID");
  }
  if (client !== undefined && confirmId !== undefined && confirmId !== client)
    throw new UsageError(`--confirm ${confirmId} does not match the customer ${client}`);
  const interactive = io.stdin.isTTY === true && file !== "-";
  if (!booleanOption(values, "yes") && !interactive) throw new UsageError("refusing to deprovision without confirmation: stdin is not a terminal, add --yes");
}

export const deprovisionCommand: Command = {
  name: "deprovision",
  group: "lifecycle",
  summary: "Delete an environment (and with --drop-data --confirm ID, its databases)",
  description:
    "Delete a customer's environment: every object it owns in the namespace (found by its labels), consumers first.\n" +
    "Its PostgreSQL and ClickHouse databases and users are kept unless --drop-data, which needs the input file and\n" +
    "the customer's id repeated with --confirm. What will be deleted is listed first, and on a terminal you are asked\n" +
    "to confirm (--yes skips the question; without a terminal --yes is required). An interrupted run is finished\n" +
    "by running it again.",
  usage: "sreda deprovision (-f FILENAME | --client ID [-n NAMESPACE]) [--drop-data --confirm ID] [--yes] [options]",
  examples: [
    ["Delete C42's environment in lms-dev, keeping its databases (asks first)", "sreda deprovision --client C42 -n lms-dev"],
    ["Delete it with its databases, without asking", "sreda deprovision -f c42-lms-dev.input.json --drop-data --confirm C42 --yes"],
  ],
  options: [
    FILENAME_OPTION,
    CLIENT_OPTION,
    { name: "drop-data", type: "boolean", default: false, description: "Drop the customer's databases and users too (needs -f and --confirm ID)." },
    { name: "confirm", type: "string", description: "The customer's id, repeated: required with --drop-data." },
    { name: "yes", short: "y", type: "boolean", default: false, description: "Do not ask for confirmation (required when stdin is not a terminal)." },
    WAIT_FOR_LOCK_OPTION,
    OUTPUT_OPTION,
  ],
  async run(ctx) {
    const { values, io, output } = ctx;
    checkDeprovisionUsage(ctx);
    const { environment, connection, input } = await environmentOf(ctx);
    const confirmId = stringOption(values, "confirm");
    if (confirmId !== undefined && confirmId !== environment.clientId)
      throw new UsageError(`--confirm ${confirmId} does not match the customer ${environment.clientId}`);
    const { kube, target } = connection;
    output.line(
      `Deprovisioning ${output.paint.bold(environment.clientId)} in namespace ${output.paint.bold(environment.namespace)} (${target.origin}, ${kube.apiRootUrl})`,
    );
    await checkNamespace(kube, environment.namespace, ctx.signal);
    const plan = await deprovisioningPlan(ctx, kube, environment, input);
    await preview(ctx, kube, plan);
    if (!booleanOption(values, "yes") && !(await confirm(io, `Deprovision ${plan.clientId} in ${plan.namespace}? Type "yes" to continue: `))) {
      output.note("deprovision cancelled: nothing was deleted");
      output.json({ type: "result", command: "deprovision", status: "cancelled", exitCode: EXIT_CODES.cancelled, result: null });
      return EXIT_CODES.cancelled;
    }
    const result = await deprovisionEnvironment(plan, kube, lifecycleOptions(ctx));
    return report(ctx, "deprovision", result, "deprovisioned");
  },
};
