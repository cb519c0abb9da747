/**
 * Prints the redacted provisioning plan for customer C42 in lms-dev: what Sreda would send to Kubernetes,
 * in order, with every secret masked. Usage: `npm start` (from the repository root) or
 * `npx tsx examples/print-plan.ts [input.json] [--json]`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createProvisioningPlan, redactPlan, SredaError } from "@sreda/sdk";

const args = process.argv.slice(2);
const asJson = args.includes("--json");
const inputPath = args.find((a) => !a.startsWith("--")) ?? fileURLToPath(new URL("./c42-lms-dev.input.json", import.meta.url));

try {
  const plan = redactPlan(createProvisioningPlan(JSON.parse(readFileSync(inputPath, "utf8"))));
  if (asJson) {
    console.log(JSON.stringify(plan, null, 2));
  } else {
    console.log(`План развёртывания среды ${plan.clientId} в пространстве имён ${plan.namespace}: ${plan.steps.length} запросов\n`);
    plan.steps.forEach((step, i) => {
      const after = step.dependsOn.length ? `  (после: ${step.dependsOn.join(", ")})` : "";
      console.log(`${String(i + 1).padStart(2)}. ${step.request.method} ${step.request.path}`);
      console.log(`    ${step.kind} ${step.name} — ${step.title}${after}`);
    });
    for (const query of plan.queries) console.log(`\nПроверка: ${query.request.method} ${query.request.path} — ${query.title}`);
    console.log(`\nСекреты скрыты. Полные манифесты: npx tsx examples/print-plan.ts --json`);
  }
} catch (error) {
  if (error instanceof SredaError) {
    console.error(error.message);
    for (const problem of error.problems) console.error(`  ${problem.path}: ${problem.message}`);
    process.exit(2);
  }
  throw error;
}
