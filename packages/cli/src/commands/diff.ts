/**
 * `sreda diff -f input.json`: the plan against the cluster, object by object — what `apply` would create, change
 * (with the paths of the fields that differ; never a value) and delete (the customer's objects the plan no longer
 * makes). Nothing is written; secrets the file leaves out are read back from the cluster (new ones are not kept).
 */
import { diffPlan, type ObjectDiff } from "@sreda/sdk";
import { booleanOption } from "../args.js";
import { FILENAME_OPTION, OUTPUT_OPTION, requiredInput, type Command } from "../command.js";
import { checkNamespace, connect } from "../connect.js";
import { EXIT_CODES } from "../exit-codes.js";
import { planOf } from "../input.js";
import type { Output, Paint } from "../output.js";
import { objectRef } from "../progress.js";
import { clusterSecrets } from "../secrets.js";

type Summary = Record<ObjectDiff["action"], number>;

function summaryOf(diff: readonly ObjectDiff[]): Summary {
  const summary: Summary = { create: 0, change: 0, delete: 0, unchanged: 0 };
  for (const d of diff) summary[d.action]++;
  return summary;
}

/**
 * The objects that differ, one line each (`~ configmap/lms-config-c42   change`), the paths of a change's fields
 * under it; every line indented by `indent` (`sreda drift` shows them under each customer).
 */
export function objectDiffLines(paint: Paint, diff: readonly ObjectDiff[], indent = ""): string[] {
  const marks = { create: paint.green("+"), change: paint.yellow("~"), delete: paint.red("-"), unchanged: " " };
  const words = { create: paint.green("create"), change: paint.yellow("change"), delete: paint.red("delete"), unchanged: "" };
  const changed = diff.filter((d) => d.action !== "unchanged");
  const widest = Math.max(0, ...changed.map((d) => objectRef(d.kind, d.name).length));
  return changed.flatMap((d) => [
    `${indent}${marks[d.action]} ${objectRef(d.kind, d.name).padEnd(widest)}   ${words[d.action]}`,
    ...d.changedPaths.map((path) => `${indent}      ${paint.dim(path)}`),
  ]);
}

function printDiff(output: Output, diff: readonly ObjectDiff[], summary: Summary, where: string): void {
  const { paint } = output;
  output.line(`Diff of ${where}:`);
  const changed = diff.filter((d) => d.action !== "unchanged");
  for (const line of objectDiffLines(paint, diff)) output.line(line);
  if (summary.unchanged > 0) output.line(paint.dim(`  ${summary.unchanged} unchanged`));
  output.line(
    changed.length === 0
      ? "No changes: the cluster matches the plan."
      : `Summary: ${summary.create} to create, ${summary.change} to change, ${summary.delete} to delete, ${summary.unchanged} unchanged.`,
  );
}

export const diffCommand: Command = {
  name: "diff",
  group: "basic",
  summary: "Show what apply would create, change (with the fields' paths) and delete",
  description:
    "Compare the plan of an input file with the cluster, object by object: what apply would create, change (with\n" +
    "the JSON paths of the fields that differ, never their values) and delete (the customer's objects the plan no\n" +
    "longer makes). Nothing is written. Secrets the file leaves out are read back from the cluster.",
  usage: "sreda diff -f FILENAME [options]",
  examples: [
    ["What apply would do for C42, with the current kubeconfig context", "sreda diff -f c42-lms-dev.input.json"],
    ["The same as JSON, against another context", "sreda diff -f c42-lms-dev.input.json --context prod -o json"],
  ],
  options: [
    FILENAME_OPTION,
    { name: "resume", type: "boolean", default: false, description: "Show what apply --resume would do (a suspended customer's replicas back)." },
    OUTPUT_OPTION,
  ],
  async run(ctx) {
    const input = await requiredInput(ctx);
    const { kube, target } = await connect(ctx.values, ctx.io, input.apiRootUrl);
    await checkNamespace(kube, input.namespace, ctx.signal);
    const { secrets } = await clusterSecrets(kube, input, ctx.signal);
    const plan = planOf(input, secrets);
    const diff = await diffPlan(plan, kube, { signal: ctx.signal, resume: booleanOption(ctx.values, "resume") });
    const summary = summaryOf(diff);
    if (ctx.output.format === "json") ctx.output.document({ clientId: plan.clientId, namespace: plan.namespace, objects: diff, summary });
    else printDiff(ctx.output, diff, summary, `${plan.clientId} in ${plan.namespace} (${target.origin}, ${kube.apiRootUrl})`);
    return EXIT_CODES.succeeded;
  },
};
