/**
 * Provisioning N customers against the fake cluster over real HTTP (127.0.0.1) with injected API latency:
 * requests per customer, dependency levels on the critical path, and wall time of the executor's parallel
 * graph against running the same steps one by one. The fake follows wall time here (realtime clock) with short
 * simulated Job runs, so the figures reflect HTTP, latency and the dependency graph.
 */
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan, type ProvisioningPlan } from "../src/core/plan.js";
import type { ProvisioningInputData } from "../src/core/models.js";
import { applyPlan } from "../src/kube/apply.js";
import { createKubeClient } from "../src/kube/client.js";
import { createFakeCluster, createVirtualClock } from "../src/testing/index.js";
import { machine, writeSection } from "@sreda/bench-report";

const CUSTOMERS = Number(process.env["BENCH_CUSTOMERS"] ?? 10);
const LATENCY_MS = Number(process.env["BENCH_LATENCY_MS"] ?? 20);
const TIMINGS = { schedule: 20, pull: 50, start: 20, ready: 50, jobRun: 200, crash: 50, terminate: 20 };

function planFor(n: number): ProvisioningPlan {
  const input = structuredClone(example) as unknown as ProvisioningInputData;
  input.client = { ...input.client, id: `C${100 + n}` };
  return createProvisioningPlan(input);
}

/** Longest dependency chain, in steps. */
function criticalPathLevels(plan: ProvisioningPlan): number {
  const depth = new Map<string, number>();
  for (const step of plan.steps) depth.set(step.id, 1 + Math.max(0, ...step.dependsOn.map((d) => depth.get(d) ?? 0)));
  return Math.max(...depth.values());
}

async function run(concurrency: number, customersAtOnce: number) {
  const clock = createVirtualClock({ realtime: true });
  const cluster = createFakeCluster({ clock, timings: TIMINGS, seed: 1 });
  cluster.addFault({ action: { type: "latency", ms: LATENCY_MS } });
  const server = await cluster.listen();
  const kube = createKubeClient({ apiRootUrl: `${server.url}/k8s/clusters/c-bench/`, token: "sreda-dev-token", qps: -1 });
  const plans = Array.from({ length: CUSTOMERS }, (_, i) => planFor(i));
  const started = performance.now();
  const queue = [...plans];
  const worker = async () => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) {
      const result = await applyPlan(plan, kube, { concurrency, jobPollIntervalMs: 100 });
      if (result.status !== "succeeded") throw new Error(`${plan.clientId}: ${result.status} ${JSON.stringify(result.preflight)}`);
    }
  };
  await Promise.all(Array.from({ length: customersAtOnce }, worker));
  const wallMs = performance.now() - started;
  const requests = cluster.requestLog.length;
  const writes = cluster.requestLog.filter((r) => r.method !== "GET" && !r.path.includes("selfsubject")).length;
  await server.close();
  cluster.close();
  return { wallMs, requests, writes };
}

const plan = planFor(0);
const sequential = await run(1, 1);
const parallel = await run(4, 1);
const fleet = await run(4, 4);
const perCustomer = (x: { requests: number }) => (x.requests / CUSTOMERS).toFixed(1);
const rows = [
  ["steps one by one (concurrency 1), customers one by one", sequential],
  ["dependency graph (concurrency 4), customers one by one", parallel],
  ["dependency graph (concurrency 4), 4 customers at once", fleet],
] as const;
const table = rows
  .map(
    ([name, r]) =>
      `| ${name} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.wallMs / CUSTOMERS).toFixed(0)} ms | ${perCustomer(r)} | ${(r.writes / CUSTOMERS).toFixed(1)} |`,
  )
  .join("\n");
console.log(table);
writeSection(
  "sdk-provision",
  `## Provisioning against the fake cluster over HTTP\n\nMachine: ${machine()}. Command: \`npm run bench --workspace @sreda/sdk\`. ` +
    `${CUSTOMERS} customers, ${LATENCY_MS} ms injected latency per API request, simulated Job run ${TIMINGS.jobRun} ms, ` +
    `Job polling every 100 ms. Plan: ${plan.steps.length} steps, ${criticalPathLevels(plan)} dependency levels on the critical path ` +
    `(db-setup-secret → DB Jobs → Deployment).\n\n| mode | wall time | per customer | requests per customer | writes per customer |\n|---|---|---|---|---|\n${table}\n\n` +
    `Requests per customer include preflight (namespace, expected Secrets, permissions), the reads and one write per object, ` +
    `and Job polling. The graph's gain over one-by-one is ${(sequential.wallMs / parallel.wallMs).toFixed(1)}× for a single customer.`,
);
