/**
 * The inventory of a namespace of 1,000 customers (issue 16's benchmark, its first part): the objects of every
 * customer's plan stored in the fake cluster, served over HTTP with 20 ms of latency, then `readInventory` — the
 * number of requests (one list per kind, whatever the number of customers) and the wall time.
 */
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan } from "../src/core/plan.js";
import type { ProvisioningInputData } from "../src/core/models.js";
import { storedForm } from "../src/kube/apply-steps.js";
import { createKubeClient } from "../src/kube/client.js";
import { readInventory } from "../src/kube/inventory.js";
import { createFakeCluster, createVirtualClock } from "../src/testing/index.js";
import { load, machine, writeSection } from "@sreda/bench-report";

const CUSTOMERS = Number(process.env["BENCH_CUSTOMERS"] ?? 1000);
const LATENCY_MS = Number(process.env["BENCH_LATENCY_MS"] ?? 20);
const atStart = load();

// The fake on wall-clock time: the client reaches it over HTTP with its own clock.
const cluster = createFakeCluster({ seed: 16, clock: createVirtualClock({ realtime: true }) });
const stored = performance.now();
for (let n = 0; n < CUSTOMERS; n++) {
  const input = structuredClone(example) as unknown as ProvisioningInputData;
  input.client = { ...input.client, id: `C${1000 + n}` };
  for (const step of createProvisioningPlan(input).steps) cluster.putObject(storedForm(step));
}
const storeMs = performance.now() - stored;
cluster.addFault({ action: { type: "latency", ms: LATENCY_MS } });
const server = await cluster.listen();
const kube = createKubeClient({ apiRootUrl: `${server.url}/`, token: "sreda-dev-token", qps: -1 });
const known = Array.from({ length: CUSTOMERS }, (_, n) => `C${1000 + n}`);

const rounds: { ms: number; requests: number }[] = [];
for (let round = 0; round < 5; round++) {
  cluster.clearRequestLog();
  const started = performance.now();
  const inventory = await readInventory(kube, "lms-dev", { now: Date.now(), known });
  rounds.push({ ms: performance.now() - started, requests: cluster.requestLog.length });
  if (inventory.environments.length !== CUSTOMERS || inventory.missing.length !== 0) throw new Error("inventory incomplete");
}
await server.close();
cluster.close();

const ms = rounds.map((r) => r.ms).sort((a, b) => a - b)[2]!;
const requests = rounds[0]!.requests;
const markdown = `## Fleet: the inventory of ${CUSTOMERS.toLocaleString("en-US")} customers

Machine: ${machine()}, ${atStart}. Command: \`npm run bench --workspace @sreda/sdk\` (bench/inventory.bench.ts).
The objects of ${CUSTOMERS.toLocaleString("en-US")} customers' plans (9 each) stored in the fake cluster (${(storeMs / 1000).toFixed(1)} s), served
over HTTP on 127.0.0.1 with ${LATENCY_MS} ms of latency per request; \`readInventory\` with 1C's list of the same customers.

| measured | figure |
|---|---|
| requests of one inventory | ${requests} (one list per kind, whatever the number of customers) |
| wall time (median of 5) | ${ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`} |
| rounds | ${rounds.map((r) => `${r.ms.toFixed(0)} ms`).join(", ")} |

The first round also waits for the fake's controllers, which are still creating the ReplicaSets and pods of the new
Deployments; the median is of the five. The rollout to the same number of customers is the next section.
`;
console.log(markdown);
writeSection("sdk-inventory", markdown);
