/**
 * `sreda plan -f input.json`: the plan, redacted, without a cluster — every object the templates make for the
 * customer, in the order they are applied. Secrets the file leaves out are stood in for (every secret is redacted).
 */
import { redactPlan, type ProvisioningPlan } from "@sreda/sdk";
import { FILENAME_OPTION, OUTPUT_OPTION, requiredInput, type Command } from "../command.js";
import { EXIT_CODES } from "../exit-codes.js";
import { planOf } from "../input.js";
import type { Output } from "../output.js";
import { offlineSecrets } from "../secrets.js";
import { objectRef } from "../progress.js";
import { table } from "../table.js";

function printPlan(output: Output, plan: ProvisioningPlan, placeholders: readonly string[]): void {
  const { paint } = output;
  const queries = plan.queries.length > 0 ? `, ${plan.queries.length} ${plan.queries.length === 1 ? "query" : "queries"}` : "";
  output.line(
    `Plan for ${paint.bold(plan.clientId)} in namespace ${paint.bold(plan.namespace)}: ${plan.steps.length} objects${queries} (secret values redacted)`,
  );
  output.line();
  const rows = plan.steps.map((step, i) => [String(i + 1), objectRef(step.kind, step.name), step.id, step.dependsOn.join(",") || "-"]);
  for (const line of table(["#", "OBJECT", "TEMPLATE", "AFTER"], rows)) output.line(line);
  if (placeholders.length > 0) {
    output.line();
    output.line(paint.dim(`secrets not in the input (${placeholders.join(", ")}): placeholders used; apply reads them from the cluster or generates them`));
  }
}

export const planCommand: Command = {
  name: "plan",
  group: "basic",
  summary: "Show the plan for an input file: every object, in order, secrets redacted (no cluster needed)",
  description:
    "Show what the templates make of an input file for the customer: every object in the order it is applied and\n" +
    "what it waits for. Every secret value is redacted. No cluster is contacted: secrets the file leaves out are\n" +
    "stood in for. With -o json the whole redacted plan is printed (the requests' paths and bodies).",
  usage: "sreda plan -f FILENAME [options]",
  examples: [
    ["Show the plan for C42 as a table", "sreda plan -f c42-lms-dev.input.json"],
    ["The whole redacted plan as JSON, for another namespace", "sreda plan -f c42-lms-dev.input.json -n lms-prod -o json"],
  ],
  options: [FILENAME_OPTION, OUTPUT_OPTION],
  async run(ctx) {
    const input = await requiredInput(ctx);
    const { secrets, placeholders } = offlineSecrets(input);
    const plan = redactPlan(planOf(input, secrets));
    if (ctx.output.format === "json") ctx.output.document(plan);
    else printPlan(ctx.output, plan, placeholders);
    return EXIT_CODES.succeeded;
  },
};
