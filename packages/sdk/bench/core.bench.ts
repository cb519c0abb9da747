/** The pure core's costs: plan creation, rendering, validation, secret generation. */
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan, redactPlan } from "../src/core/plan.js";
import { validateManifest } from "../src/core/validate.js";
import { generateCustomerSecrets, seededRandom } from "../src/core/secrets.js";
import { machine, measure, writeSection } from "@sreda/bench-report";

const plan = createProvisioningPlan(example);
const deployment = plan.steps.find((s) => s.kind === "Deployment")!.request.body;

const rows: Array<[string, number, string]> = [];
const row = (name: string, fn: () => unknown, ms?: number) => {
  const { perCallUs, calls } = measure(fn, ms);
  rows.push([name, perCallUs, `${calls} runs`]);
};
row("createProvisioningPlan (C42, 9 steps, validated)", () => createProvisioningPlan(example));
row("redactPlan", () => redactPlan(plan));
row("validateManifest (Deployment)", () => validateManifest(deployment));
row("generateCustomerSecrets (native RSA-2048)", () => generateCustomerSecrets(), 3000);
const t0 = performance.now();
generateCustomerSecrets({ random: seededRandom(1) });
rows.push(["generateCustomerSecrets (seeded, pure-JS RSA-2048)", (performance.now() - t0) * 1000, "1 run"]);

const fmt = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(1)} µs`);
const table = rows.map(([n, us, runs]) => `| ${n} | ${fmt(us)} | ${runs} |`).join("\n");
console.log(table);
writeSection(
  "sdk-core",
  `## SDK pure core\n\nMachine: ${machine()}. Command: \`npm run bench --workspace @sreda/sdk\`.\n\n| operation | time per call | sample |\n|---|---|---|\n${table}\n\n` +
    `A plan costs about a millisecond of CPU, so the bridge's \`POST /v1/plans\` is bound by HTTP and JSON, not by rendering. ` +
    `Native key generation is why secrets are generated without an injected random source in production; the seeded ` +
    `pure-JS path exists for deterministic tests only.`,
);
