/**
 * A clean provisioning of C42 at 50 ms API latency, against the customer spec's sequential flow: the same fake
 * cluster over HTTP, a fresh one per round, the two taking turns (medians of interleaved rounds).
 * - ours: `applyPlan` with the default client (`createKubeClient` without qps/burst: the defaults) and the default
 *   options (preflight on, concurrency 4);
 * - the spec's flow: one plain `fetch` POST per manifest of the same plan, one after the other, in the spec's order
 *   (Secrets, ConfigMap, Jobs, Service, Ingress, Deployment), without waiting for the Jobs.
 * The fake's pods and Jobs finish within milliseconds, so the comparison is about round trips. Also counts the
 * requests and writes of a clean provisioning. Writes the "## A clean provisioning at 50 ms latency" section.
 */
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { applyPlan, createKubeClient, createProvisioningPlan, KUBE_DEFAULT_BURST, KUBE_DEFAULT_QPS } from "../src/index.js";
import { createFakeCluster, createVirtualClock, type FakeCluster, type RequestLogEntry } from "../src/testing/index.js";
import { duration, goalTable, interleave, load, machine, meets, printGoals, ratio, timed, times, writeSection, type GoalRow } from "@sreda/bench-report";

const ROUNDS = Number(process.env["BENCH_CLEAN_ROUNDS"] ?? 10);
const LATENCY_MS = 50;
/** Pods scheduled, pulled, started and Ready, Jobs run, each within a millisecond of virtual (here: wall) time. */
const TIMINGS = { schedule: 1, pull: 1, start: 1, ready: 1, jobRun: 1, crash: 1, terminate: 1 };
const TOKEN = "sreda-dev-token";
/** The spec's request list, by kind. */
const SPEC_ORDER = ["Secret", "ConfigMap", "Job", "Service", "Ingress", "Deployment"];
const loadAtStart = load();

const plan = createProvisioningPlan(example);
const specRequests = [...plan.steps]
  .sort((a, b) => SPEC_ORDER.indexOf(a.kind) - SPEC_ORDER.indexOf(b.kind))
  .map((s) => ({ path: s.request.path, body: JSON.stringify(s.request.body), kind: s.kind }));
if (specRequests.some((r) => !SPEC_ORDER.includes(r.kind))) throw new Error("a kind the spec's flow does not know");

interface Stand {
  cluster: FakeCluster;
  root: string;
  close(): Promise<void>;
}

/** A fresh fake cluster on wall-clock time, 50 ms added to every request, served on 127.0.0.1. */
async function stand(): Promise<Stand> {
  const cluster = createFakeCluster({ clock: createVirtualClock({ realtime: true }), timings: TIMINGS, seed: 1 });
  cluster.addFault({ action: { type: "latency", ms: LATENCY_MS } });
  const server = await cluster.listen();
  return {
    cluster,
    root: `${server.url}/k8s/clusters/c-bench`,
    async close() {
      await server.close();
      cluster.close();
    },
  };
}

interface Counted {
  byMethod: Record<string, number>;
  requests: number;
  writes: number;
  jobWaits: number;
}
const counts: Record<"ours" | "spec", Counted[]> = { ours: [], spec: [] };
function count(log: ReadonlyArray<RequestLogEntry>, jobWaits = 0): Counted {
  const byMethod: Record<string, number> = {};
  for (const r of log) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
  // Access reviews are POSTs that store nothing.
  const writes = log.filter((r) => r.method !== "GET" && !r.path.includes("selfsubject")).length;
  return { byMethod, requests: log.length, writes, jobWaits };
}

async function ours({ cluster, root }: Stand): Promise<void> {
  const kube = createKubeClient({ apiRootUrl: root, token: TOKEN });
  let jobWaits = 0;
  const result = await applyPlan(plan, kube, { onEvent: (e) => void (e.type === "step-waiting" && jobWaits++) });
  if (result.status !== "succeeded") throw new Error(`applyPlan: ${result.status} ${JSON.stringify(result.preflight)}`);
  counts.ours.push(count(cluster.requestLog, jobWaits));
}

async function specFlow({ cluster, root }: Stand): Promise<void> {
  for (const r of specRequests) {
    const res = await fetch(`${root}${r.path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: r.body,
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`spec flow: POST ${r.path} answered ${res.status}`);
  }
  counts.spec.push(count(cluster.requestLog));
}

const withStand = { calls: 1, before: stand, after: (s: Stand) => s.close() };
console.log(`clean provisioning at ${LATENCY_MS} ms: ${ROUNDS} rounds`);
const measured = await interleave(
  [
    { name: "ours", round: timed(ours, withStand) },
    { name: "spec", round: timed(specFlow, withStand) },
  ],
  { rounds: ROUNDS, onRound: (i, f) => console.log(`  round ${i}: ours ${duration(f["ours"]!)}, spec's flow ${duration(f["spec"]!)}`) },
);

const r = ratio(measured["ours"]!, measured["spec"]!);
const last = counts.ours[counts.ours.length - 1]!;
const methods = (c: Counted) =>
  Object.entries(c.byMethod)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([m, n]) => `${n} ${m}`)
    .join(", ");
const goals: GoalRow[] = [
  {
    what: `a clean provisioning of C42 at ${LATENCY_MS} ms latency (applyPlan, default client, preflight on)`,
    figure: duration(measured["ours"]!.median),
    goal: "≤ 0.6× the spec's sequential flow",
    peer: `the spec's flow: ${specRequests.length} plain POSTs one after the other ${duration(measured["spec"]!.median)}`,
    ratio: times(r),
    met: meets(r, { atMost: 0.6 }),
  },
];
printGoals("A clean provisioning at 50 ms latency: goal", goals);
console.log(
  `requests per clean provisioning: ${last.requests} (${methods(last)}), writes ${last.writes}, step-waiting events ${last.jobWaits}; the spec's flow: ${specRequests.length}`,
);

/** What the default client's token bucket alone costs a run of `requests` sent as fast as it allows. */
function rateLimitNote(requests: number): string {
  const floorMs = (Math.max(0, requests - KUBE_DEFAULT_BURST) / KUBE_DEFAULT_QPS) * 1000;
  const how = `The default client sends ${KUBE_DEFAULT_BURST} requests at once (its burst), then ${KUBE_DEFAULT_QPS} a second`;
  return floorMs > 0
    ? `${how}: ${requests} requests take at least ${duration(floorMs)} for the rate limit alone.`
    : `${how}: ${requests} requests fit in the burst.`;
}

const section = `## A clean provisioning at ${LATENCY_MS} ms latency

Machine: ${machine()}, ${loadAtStart}. Command: \`npm run bench --workspace @sreda/sdk\` (bench/clean.bench.ts).

C42 provisioned into a fresh fake cluster (\`createFakeCluster\` served over HTTP by \`listen()\`, on wall-clock time)
that adds ${LATENCY_MS} ms to every request; a new cluster for every round, the two flows taking turns (${ROUNDS} rounds after a
warm-up, medians, ratio of the medians). The fake's pods and Jobs are scheduled, pulled, started, run and Ready within
about a millisecond each, so neither flow waits for a Job and the comparison is about round trips.
Ours: \`applyPlan(plan, createKubeClient({ apiRootUrl, token }))\` — the default client (its rate limit: QPS and burst
defaults; a new client each round, so nothing learnt in an earlier round helps) and the executor's defaults:
preflight (namespace, expected Secrets, permissions), then the plan's dependency graph, 4 steps at a time, each
object applied server-side and each Job followed until it completed. The spec's flow (the customer's spec, its
request list in order): the plan's ${specRequests.length} manifests, each a plain \`fetch\` POST (${specRequests.map((s) => s.kind).join(", ")}),
one after the other, without waiting for the Jobs.

${goalTable(goals)}

Requests of a clean provisioning (ours, from the fake's request log): ${last.requests} — ${methods(last)}; ${last.writes} writes
(access and rules reviews, POSTs that store nothing, are not counted as writes); "step-waiting" events (a Job not finished at the first look): ${last.jobWaits}. The spec's flow: ${specRequests.length} POSTs, ${specRequests.length} writes.
${rateLimitNote(last.requests)}
Rounds: ours ${measured["ours"]!.samples.map(duration).join(", ")}; the spec's flow ${measured["spec"]!.samples.map(duration).join(", ")}.`;
writeSection("sdk-clean-provisioning", section);
