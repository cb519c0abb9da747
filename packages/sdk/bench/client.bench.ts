/**
 * Our Kubernetes client against @kubernetes/client-node, on the same fake cluster over HTTP:
 * - per-request cost: sequential GETs of a ConfigMap, no injected latency, the two clients taking turns (medians
 *   of interleaved rounds);
 * - provisionings that complete when 5% of the requests answer 429 and 5% answer 503: ours with applyPlan, client-node
 *   creating the same objects one by one, each provisioning on a fresh cluster.
 * Writes the "## Kubernetes client: per-request cost and faults" section of docs/benchmarks.md.
 */
import * as k8s from "@kubernetes/client-node";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { applyPlan, createKubeClient, createProvisioningPlan, type ApplyResult, type PlanStep } from "../src/index.js";
import { createFakeCluster, createVirtualClock, type FakeCluster } from "../src/testing/index.js";
import {
  duration,
  goalTable,
  installedVersion,
  interleave,
  load,
  machine,
  meets,
  printGoals,
  ratio,
  timed,
  times,
  writeSection,
  type GoalRow,
} from "@sreda/bench-report";

const GETS = Number(process.env["BENCH_GETS"] ?? 100);
const ROUNDS = Number(process.env["BENCH_CLIENT_ROUNDS"] ?? 15);
const PROVISIONINGS = Number(process.env["BENCH_FAULT_PROVISIONINGS"] ?? 100);
/** Provisionings in flight at once, each on its own cluster (429 answers ask for a second's pause). */
const AT_ONCE = 10;
const FAULT_PERCENT = { 429: 5, 503: 5 };
const TIMINGS = { schedule: 1, pull: 1, start: 1, ready: 1, jobRun: 1, crash: 1, terminate: 1 };
const TOKEN = "sreda-dev-token";
const loadAtStart = load();

const plan = createProvisioningPlan(example);
const configMap = plan.steps.find((s) => s.kind === "ConfigMap")!;
const namespace = plan.namespace;

async function serve(seed: number): Promise<{ cluster: FakeCluster; url: string; close(): Promise<void> }> {
  const cluster = createFakeCluster({ clock: createVirtualClock({ realtime: true }), timings: TIMINGS, seed });
  const server = await cluster.listen();
  return {
    cluster,
    url: server.url,
    async close() {
      await server.close();
      cluster.close();
    },
  };
}

function clientNode(url: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    // client-node refuses plain http unless told to skip TLS verification (there is no TLS here).
    clusters: [{ name: "fake", server: url, skipTLSVerify: true }],
    users: [{ name: "sreda", token: TOKEN }],
    contexts: [{ name: "fake", cluster: "fake", user: "sreda" }],
    currentContext: "fake",
  });
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    net: kc.makeApiClient(k8s.NetworkingV1Api),
  };
}

// --- Per-request cost -------------------------------------------------------------------------------------------

async function perRequest() {
  const stand = await serve(1);
  stand.cluster.putObject(configMap.request.body);
  const name = configMap.name;
  // The rate limiter off (qps -1): client-node has none, and a limiter's waits are not a request's cost.
  const ours = createKubeClient({ apiRootUrl: stand.url, token: TOKEN, qps: -1 });
  const theirs = clientNode(stand.url);
  try {
    return await interleave(
      [
        {
          name: "ours",
          round: timed(
            async () => {
              const { data } = await ours.api.GET("/api/v1/namespaces/{namespace}/configmaps/{name}", { params: { path: { namespace, name } } });
              if (data?.metadata?.name !== name) throw new Error("ours: no ConfigMap");
            },
            { calls: GETS },
          ),
        },
        {
          name: "client-node",
          round: timed(
            async () => {
              const cm = await theirs.core.readNamespacedConfigMap({ name, namespace });
              if (cm.metadata?.name !== name) throw new Error("client-node: no ConfigMap");
            },
            { calls: GETS },
          ),
        },
      ],
      { rounds: ROUNDS },
    );
  } finally {
    await stand.close();
  }
}

// --- Provisionings under faults ---------------------------------------------------------------------------------

async function faulty(seed: number) {
  const stand = await serve(seed);
  stand.cluster.addFault({ probability: FAULT_PERCENT[429] / 100, action: { type: "status", code: 429 } });
  stand.cluster.addFault({ probability: FAULT_PERCENT[503] / 100, action: { type: "status", code: 503 } });
  return stand;
}

interface Outcome {
  complete: boolean;
  ms: number;
  requests: number;
  faults: number;
  failure?: string;
}

async function provisionOurs(seed: number): Promise<Outcome> {
  const stand = await faulty(seed);
  const started = performance.now();
  try {
    const kube = createKubeClient({ apiRootUrl: stand.url, token: TOKEN });
    const result: ApplyResult = await applyPlan(plan, kube);
    const failed = result.steps.find((s) => s.outcome === "failed");
    return {
      complete: result.status === "succeeded",
      ms: performance.now() - started,
      requests: stand.cluster.requestLog.length,
      faults: stand.cluster.requestLog.filter((r) => r.status === 429 || r.status === 503).length,
      ...(result.status === "succeeded" ? {} : { failure: failed ? `${failed.id}: ${failed.reason}` : `${result.status} ${JSON.stringify(result.preflight)}` }),
    };
  } finally {
    await stand.close();
  }
}

/** client-node as its users write it: the typed create call of each object, one after the other, in the plan's order. */
async function provisionClientNode(seed: number): Promise<Outcome> {
  const stand = await faulty(seed);
  const api = clientNode(stand.url);
  const create = (step: PlanStep): Promise<unknown> => {
    const body = step.request.body as never;
    switch (step.kind) {
      case "Secret":
        return api.core.createNamespacedSecret({ namespace, body });
      case "ConfigMap":
        return api.core.createNamespacedConfigMap({ namespace, body });
      case "Service":
        return api.core.createNamespacedService({ namespace, body });
      case "Job":
        return api.batch.createNamespacedJob({ namespace, body });
      case "Ingress":
        return api.net.createNamespacedIngress({ namespace, body });
      case "Deployment":
        return api.apps.createNamespacedDeployment({ namespace, body });
      default:
        throw new Error(`client-node: no create call for ${step.kind}`);
    }
  };
  const started = performance.now();
  let failure: string | undefined;
  try {
    for (const step of plan.steps) {
      try {
        await create(step);
      } catch (error) {
        failure = `${step.id}: ${(error as { code?: number }).code ?? String(error).slice(0, 80)}`;
        break;
      }
    }
    return {
      complete: failure === undefined,
      ms: performance.now() - started,
      requests: stand.cluster.requestLog.length,
      faults: stand.cluster.requestLog.filter((r) => r.status === 429 || r.status === 503).length,
      ...(failure ? { failure } : {}),
    };
  } finally {
    await stand.close();
  }
}

/** `n` provisionings, `AT_ONCE` at a time; provisioning i runs on a cluster seeded with i (the same faults' dice for both clients). */
async function provisionings(run: (seed: number) => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let seed = next++; seed < PROVISIONINGS; seed = next++) outcomes.push(await run(seed + 1));
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  return outcomes;
}

console.log(`per-request cost: ${ROUNDS} rounds of ${GETS} GETs each`);
const cost = await perRequest();
console.log(`provisionings under faults: ${PROVISIONINGS} each, ${AT_ONCE} at a time`);
const oursOutcomes = await provisionings(provisionOurs);
const theirOutcomes = await provisionings(provisionClientNode);

const costRatio = ratio(cost["ours"]!, cost["client-node"]!);
const completed = (o: Outcome[]) => o.filter((x) => x.complete).length;
const oursDone = completed(oursOutcomes);
const theirsDone = completed(theirOutcomes);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const goals: GoalRow[] = [
  {
    what: `a request of our client (typed GET of a ConfigMap, ${GETS} in a row, rate limiter off)`,
    figure: duration(cost["ours"]!.median),
    goal: "≤ @kubernetes/client-node's",
    peer: `client-node readNamespacedConfigMap ${duration(cost["client-node"]!.median)}`,
    ratio: times(costRatio),
    met: meets(costRatio, { atMost: 1 }),
  },
  {
    what: `provisionings of C42 that complete under ${FAULT_PERCENT[429]}% 429 + ${FAULT_PERCENT[503]}% 503 (applyPlan, default client)`,
    figure: `${oursDone}/${PROVISIONINGS}`,
    goal: `${PROVISIONINGS}/${PROVISIONINGS}`,
    peer: `client-node creating the same ${plan.steps.length} objects one by one: ${theirsDone}/${PROVISIONINGS}`,
    ratio: theirsDone > 0 ? `${times(oursDone / theirsDone)} as many` : "—",
    met: oursDone === PROVISIONINGS,
  },
];
printGoals("Kubernetes client: goals", goals);
if (oursDone < PROVISIONINGS) console.log(`ours, failed: ${oursOutcomes.flatMap((o) => (o.failure ? [o.failure] : [])).join("; ")}`);

const perProvisioning = (o: Outcome[]) =>
  `${(o.reduce((a, x) => a + x.requests, 0) / o.length).toFixed(1)} requests per provisioning, ${(o.reduce((a, x) => a + x.faults, 0) / o.length).toFixed(1)} of them answered 429 or 503; median time ${duration(median(o.map((x) => x.ms)))}`;
const section = `## Kubernetes client: per-request cost and faults

Machine: ${machine()}, ${loadAtStart}. Command: \`npm run bench --workspace @sreda/sdk\` (bench/client.bench.ts).
@kubernetes/client-node ${installedVersion("@kubernetes/client-node", import.meta.url)} (a devDependency of the SDK, for this benchmark) against our client, on the same fake
cluster served over HTTP by \`listen()\` (wall-clock time, pods and Jobs done within milliseconds).

Per-request cost: the plan's ConfigMap read back ${GETS} times in a row, no injected latency; our typed
\`kube.api.GET\` (rate limiter off, \`qps: -1\`: client-node has none) against client-node's
\`CoreV1Api.readNamespacedConfigMap\`, taking turns over ${ROUNDS} rounds after a warm-up; the figure is the median time
per request (the fake server's work, the same for both, included).

Faults: ${PROVISIONINGS} provisionings of C42 per client, each on a fresh cluster where every request has a ${FAULT_PERCENT[429]}% chance to
be answered 429 (Retry-After: 1) and a ${FAULT_PERCENT[503]}% chance to be answered 503 (the fake's seeded dice, seed = the
provisioning's number, the same for both clients), ${AT_ONCE} provisionings at a time. Ours: \`applyPlan\` with the default
client (\`createKubeClient({ apiRootUrl, token })\`) and the default options; complete = status \`succeeded\`. client-node:
the typed create call of each of the plan's ${plan.steps.length} objects (createNamespacedSecret, …, createNamespacedDeployment), one
after the other in the plan's order, as its users write it; complete = every object created.

${goalTable(goals)}

Ours: ${perProvisioning(oursOutcomes)}. client-node: ${perProvisioning(theirOutcomes)}; it retries nothing, so a
provisioning of ${plan.steps.length} requests completes with a chance of about ${(100 * (1 - FAULT_PERCENT[429] / 100) ** plan.steps.length * (1 - FAULT_PERCENT[503] / 100) ** plan.steps.length).toFixed(0)}%.
Per-request rounds: ours ${cost["ours"]!.samples.map(duration).join(", ")}; client-node ${cost["client-node"]!.samples.map(duration).join(", ")}.`;
writeSection("sdk-client", section);
