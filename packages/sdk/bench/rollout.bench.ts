/**
 * An image rollout to 1,000 customers (issue 16's benchmark, "the fleet"): the customers provisioned with image A on
 * the fake cluster (served over HTTP, wall-clock time), then `runRollout` to image B through one client at QPS 50
 * with 20 ms of latency per request — the wall time against requests ÷ QPS, the memory at the end against the start;
 * then the same on a fresh fleet with 5% of the requests answered 429 or 503 — every customer converged, none
 * written twice.
 */
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { CUSTOMER_LABEL } from "../src/core/environment.js";
import type { ProvisioningInputData } from "../src/core/models.js";
import { createProvisioningPlan, type ProvisioningPlan } from "../src/core/plan.js";
import { createKubeClient, KUBE_DEFAULT_BURST } from "../src/kube/client.js";
import { detectDrift } from "../src/kube/drift.js";
import { runRollout, type RolloutEvent } from "../src/kube/rollout.js";
import { createFakeCluster, createVirtualClock, type FakeCluster, type RequestLogEntry, type RunningServer } from "../src/testing/index.js";
import { duration, load, machine, writeSection } from "@sreda/bench-report";

const CUSTOMERS = Number(process.env["BENCH_CUSTOMERS"] ?? 1000);
const LATENCY_MS = Number(process.env["BENCH_LATENCY_MS"] ?? 20);
const QPS = Number(process.env["BENCH_QPS"] ?? 50);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 50);
const CANARY = 10;
const SETUP_CONCURRENCY = 100;
const FAULT_SHARE = 0.05;
const NS = "lms-dev";
/** The rollout's token; the set-up and the checks after it use another, so that the request log tells them apart. */
const TOKEN = "sreda-rollout-token";
const SETUP_TOKEN = "sreda-setup-token";
const ROLLOUT_USER = "sreda-rollout";
const IMAGE_A = "registry.example/lms/backend:1.0";
const IMAGE_B = "registry.example/lms/backend:2.0";
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
type RolloutResult = Awaited<ReturnType<typeof runRollout>>;

const IDS = Array.from({ length: CUSTOMERS }, (_, n) => `C${1000 + n}`);
const atStart = load();

function plan(clientId: string, image: string): ProvisioningPlan {
  const input = structuredClone(example) as unknown as ProvisioningInputData;
  input.client = { ...input.client, id: clientId };
  input.environment = { ...input.environment, dockerImage: image };
  return createProvisioningPlan(input);
}

const PLAN_KINDS = new Set(plan("C1", IMAGE_A).steps.map((s) => s.kind));

interface Memory {
  heap: number;
  rss: number;
}

/**
 * Heap and resident set after full collections, a second after the last work: sockets just closed and timers just
 * cleared let go of what they held on a later turn of the event loop (node --expose-gc).
 */
async function memory(): Promise<Memory> {
  const gc = globalThis.gc;
  if (typeof gc !== "function") throw new Error("run with `node --expose-gc --import tsx bench/rollout.bench.ts`");
  await new Promise((resolve) => setTimeout(resolve, 1000));
  gc();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const signedMib = (bytes: number): string => `${bytes >= 0 ? "+" : "−"}${mib(Math.abs(bytes))}`;
const count = (n: number): string => n.toLocaleString("en-US");

interface Fleet {
  cluster: FakeCluster;
  server: RunningServer;
  apiRootUrl: string;
  setupMs: number;
  setupPasses: number;
}

/**
 * A fresh cluster with every customer provisioned by Sreda itself (image A, Jobs complete, Deployment Ready), not
 * measured; a customer that fails (a lease renewal answered too late by a fake busy with a hundred customers at once,
 * on a loaded machine) is provisioned again by the next pass, which skips those up to date.
 */
async function provisionFleet(seed: number): Promise<Fleet> {
  const tokens = { [TOKEN]: { user: ROLLOUT_USER }, [SETUP_TOKEN]: { user: "sreda-setup" } };
  const cluster = createFakeCluster({ seed, tokens, clock: createVirtualClock({ realtime: true }) });
  const server = await cluster.listen();
  const apiRootUrl = `${server.url}/`;
  const kube = createKubeClient({ apiRootUrl, token: SETUP_TOKEN, qps: -1 });
  const started = performance.now();
  const plans = IDS.map((id) => plan(id, IMAGE_A));
  let failed: { clientId: string; message: string }[] = [];
  let passes = 0;
  do {
    passes++;
    const result = await runRollout(kube, plans, { canary: 0, concurrency: SETUP_CONCURRENCY, maxFailures: CUSTOMERS });
    failed = result.customers.filter((c) => c.outcome !== "succeeded" && c.outcome !== "up-to-date");
  } while (failed.length > 0 && passes < 3);
  if (failed.length > 0) throw new Error(`set-up: ${failed.length} customers not provisioned; ${failed[0]!.clientId}: ${failed[0]!.message}`);
  return { cluster, server, apiRootUrl, setupMs: performance.now() - started, setupPasses: passes };
}

type ObjectState = { resourceVersion: string; generation: number };

/** resourceVersion and generation of every object of the customers' plans, by `Kind/name`. */
function objectStates(cluster: FakeCluster): Map<string, ObjectState> {
  const states = new Map<string, ObjectState>();
  for (const o of cluster.objects({ namespace: NS }) as {
    kind: string;
    metadata: { name: string; labels?: Record<string, string>; resourceVersion: string; generation?: number };
  }[]) {
    if (!PLAN_KINDS.has(o.kind) || o.metadata.labels?.[CUSTOMER_LABEL] === undefined) continue;
    states.set(`${o.kind}/${o.metadata.name}`, { resourceVersion: o.metadata.resourceVersion, generation: o.metadata.generation ?? 0 });
  }
  return states;
}

interface Changes {
  /** Deployments whose spec changed other than once (generation + 1). */
  deploymentsNotOnce: string[];
  /** Other objects of the plans changed at all (resourceVersion moved) or gone. */
  othersChanged: string[];
}

/** What the rollout changed, from the objects themselves: the Deployment's spec once, nothing else. */
function changesBetween(before: Map<string, ObjectState>, after: Map<string, ObjectState>): Changes {
  const changes: Changes = { deploymentsNotOnce: [], othersChanged: [] };
  for (const [key, was] of before) {
    const now = after.get(key);
    if (key.startsWith("Deployment/")) {
      if (!now || now.generation !== was.generation + 1) changes.deploymentsNotOnce.push(key);
    } else if (!now || now.resourceVersion !== was.resourceVersion) changes.othersChanged.push(key);
  }
  return changes;
}

interface Writes {
  /** Successful writes (2xx POST/PUT/PATCH/DELETE) of each customer object named in the path, leases apart. */
  perObject: Map<string, number>;
  perLease: Map<string, number>;
  /** Creates (POST to a collection: the name is in the body) by kind; access and rules reviews are not writes. */
  creates: Map<string, number>;
  methods: Map<string, number>;
  statuses: Map<number, number>;
  watches: number;
  faulted: number;
}

const bump = <K>(map: Map<K, number>, key: K, by = 1): void => void map.set(key, (map.get(key) ?? 0) + by);

/** The rollout's requests as the fake's log recorded them. */
function writesOf(log: readonly RequestLogEntry[]): Writes {
  const writes: Writes = { perObject: new Map(), perLease: new Map(), creates: new Map(), methods: new Map(), statuses: new Map(), watches: 0, faulted: 0 };
  for (const e of log) {
    bump(writes.methods, e.method);
    bump(writes.statuses, e.status);
    if (e.verb === "watch") writes.watches++;
    if (e.faults?.some((f) => f.startsWith("status"))) writes.faulted++;
    if (!WRITE_METHODS.has(e.method) || e.status < 200 || e.status >= 300 || e.kind === undefined) continue;
    if (e.name === undefined) bump(writes.creates, e.kind);
    else bump(e.kind === "Lease" ? writes.perLease : writes.perObject, `${e.kind}/${e.name}`);
  }
  return writes;
}

interface WriteFigures {
  maxPerObject: number;
  /** Objects written more than once, and the customers they belong to. */
  objectsTwice: string[];
  customersTwice: number;
  leaseWrites: number;
  maxPerLease: number;
  creates: string;
  methods: string;
  statuses: Map<number, number>;
  watches: number;
  faulted: number;
}

const listed = <K>(map: Map<K, number>): string => [...map].map(([k, n]) => `${count(n)} ${String(k)}`).join(", ") || "none";

function writeFigures(writes: Writes): WriteFigures {
  const objectsTwice = [...writes.perObject].filter(([, n]) => n > 1).map(([key]) => key);
  const customer = (key: string): string => /-(c\d+)$/.exec(key)?.[1] ?? key;
  return {
    maxPerObject: Math.max(0, ...writes.perObject.values()),
    objectsTwice,
    customersTwice: new Set(objectsTwice.map(customer)).size,
    leaseWrites: [...writes.perLease.values()].reduce((a, b) => a + b, 0),
    maxPerLease: Math.max(0, ...writes.perLease.values()),
    creates: listed(writes.creates),
    methods: listed(writes.methods),
    statuses: writes.statuses,
    watches: writes.watches,
    faulted: writes.faulted,
  };
}

interface Convergence {
  succeeded: number;
  /** `C1042 (failed): why`, of the customers that did not succeed. */
  failed: string[];
  drifted: string[];
  notOnImageB: string[];
  notReady: string[];
}

/** Every customer succeeded, without drift, its Deployment on image B and Ready (read after the rollout, faults off). */
async function convergence(fleet: Fleet, result: RolloutResult): Promise<Convergence> {
  const kube = createKubeClient({ apiRootUrl: fleet.apiRootUrl, token: SETUP_TOKEN, qps: -1 });
  const drift = await detectDrift(
    kube,
    IDS.map((id) => plan(id, IMAGE_B)),
  );
  type Deployment = {
    metadata: { name: string; generation?: number };
    spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
    status?: Record<string, number>;
  };
  const deployments = new Map((fleet.cluster.objects({ kind: "Deployment", namespace: NS }) as Deployment[]).map((d) => [d.metadata.name, d]));
  const notOnImageB: string[] = [];
  const notReady: string[] = [];
  for (const id of IDS) {
    const d = deployments.get(`lms-deployment-${id.toLowerCase()}`);
    if (d?.spec.template.spec.containers[0]?.image !== IMAGE_B) notOnImageB.push(id);
    const replicas = d?.spec.replicas ?? 1;
    const status = d?.status ?? {};
    if (status["observedGeneration"] !== d?.metadata.generation || status["updatedReplicas"] !== replicas || status["readyReplicas"] !== replicas)
      notReady.push(id);
  }
  return {
    succeeded: result.customers.filter((c) => c.outcome === "succeeded").length,
    failed: result.customers.filter((c) => c.outcome !== "succeeded").map((c) => `${c.clientId} (${c.outcome}): ${c.message}`),
    drifted: drift.filter((d) => d.drifted).map((d) => d.clientId),
    notOnImageB,
    notReady,
  };
}

interface Pace {
  /** From the rollout's start to the first customer after the canary wave. */
  canaryMs: number;
  /** From the last customer's start to the end: its provisioning and readiness. */
  tailMs: number;
  /** Whole seconds between the two, when the bucket should be full, and those the fake saw fewer than 90% of QPS in. */
  seconds: number;
  slowSeconds: number;
  medianPerSecond: number;
}

interface Moments {
  started: number;
  afterCanary: number;
  lastStart: number;
  finished: number;
}

/** Requests a second at the server between the canary wave and the last start: is the token bucket what sets the pace? */
function paceOf(log: readonly RequestLogEntry[], at: Moments): Pace {
  const perSecond: number[] = Array.from({ length: Math.max(0, Math.floor((at.lastStart - at.afterCanary) / 1000)) }, () => 0);
  for (const e of log) {
    const second = Math.floor((e.at - at.afterCanary) / 1000);
    if (second >= 0 && second < perSecond.length) perSecond[second]!++;
  }
  const sorted = [...perSecond].sort((a, b) => a - b);
  return {
    canaryMs: at.afterCanary - at.started,
    tailMs: at.finished - at.lastStart,
    seconds: perSecond.length,
    slowSeconds: perSecond.filter((n) => n < 0.9 * QPS).length,
    medianPerSecond: sorted[Math.floor(sorted.length / 2)] ?? 0,
  };
}

interface Scenario {
  faulty: boolean;
  setupMs: number;
  setupPasses: number;
  wallMs: number;
  /** CPU time of the process (the fake cluster and the SDK, one thread mostly) during the rollout. */
  cpuMs: number;
  pace: Pace;
  /** Requests the client sent through the shared bucket (each took a token, retries included). */
  sent: number;
  /** Requests for the customers' Leases, through their own bucket. */
  leaseSent: number;
  logged: number;
  retries: Map<string, number>;
  writes: WriteFigures;
  changes: Changes;
  convergence: Convergence;
  start: Memory;
  end: Memory;
  objectsStart: number;
  objectsEnd: number;
}

/** 429 (Retry-After 1 s) and 503, half the share each: the second rule's dice roll only for requests the first spared. */
function addStatusFaults(cluster: FakeCluster): void {
  const half = FAULT_SHARE / 2;
  cluster.addFault({ probability: half, action: { type: "status", code: 429, retryAfterSeconds: 1 } });
  cluster.addFault({ probability: half / (1 - half), action: { type: "status", code: 503 } });
}

/** The measured rollout: one client at QPS, counting what it sends (after its token bucket) and why it retries. */
async function measuredRollout(fleet: Fleet) {
  let sent = 0;
  let leaseSent = 0;
  const retries = new Map<string, number>();
  const kube = createKubeClient({
    apiRootUrl: fleet.apiRootUrl,
    token: TOKEN,
    qps: QPS,
    fetch: (request) => {
      // The customers' Leases go through a bucket of their own (as client-go's leader election has a client of its own).
      if (new URL(request.url).pathname.includes("/apis/coordination.k8s.io/")) leaseSent++;
      else sent++;
      return globalThis.fetch(request);
    },
    onRetry: (info) => bump(retries, info.reason),
  });
  const at: Moments = { started: 0, afterCanary: 0, lastStart: 0, finished: 0 };
  const onEvent = (e: RolloutEvent): void => {
    if (e.type === "rollout-started") at.started = e.at;
    if (e.type === "customer-started" && !e.canary) {
      if (at.afterCanary === 0) at.afterCanary = e.at;
      at.lastStart = e.at;
    }
  };
  const plans = IDS.map((id) => plan(id, IMAGE_B));
  fleet.cluster.clearRequestLog();
  const start = await memory();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await runRollout(kube, plans, { canary: CANARY, concurrency: CONCURRENCY, maxFailures: CUSTOMERS, onEvent });
  const wallMs = performance.now() - started;
  at.finished = Date.now();
  const { user, system } = process.cpuUsage(cpu);
  return { result, wallMs, cpuMs: (user + system) / 1000, at, sent, leaseSent, retries, start };
}

/** One fleet, one measured rollout to image B, what it wrote and whether every customer converged. */
async function scenario(faulty: boolean, seed: number): Promise<Scenario> {
  const fleet = await provisionFleet(seed);
  const { cluster } = fleet;
  cluster.addFault({ action: { type: "latency", ms: LATENCY_MS } });
  if (faulty) addStatusFaults(cluster);
  const before = objectStates(cluster);
  const objectsStart = cluster.objects().length;
  const { result, wallMs, cpuMs, at, sent, leaseSent, retries, start } = await measuredRollout(fleet);
  // Faulted requests are answered before authentication: they have no user, and only the rollout sends requests now.
  const log = cluster.requestLog.filter((e) => e.user === undefined || e.user === ROLLOUT_USER);
  const writes = writeFigures(writesOf(log));
  const pace = paceOf(log, at);
  const logged = log.length;
  cluster.clearRequestLog();
  cluster.clearFaults();
  const end = await memory();
  const changes = changesBetween(before, objectStates(cluster));
  const objectsEnd = cluster.objects().length;
  const converged = await convergence(fleet, result);
  await fleet.server.close();
  cluster.close();
  const { setupMs, setupPasses } = fleet;
  return {
    faulty,
    setupMs,
    setupPasses,
    wallMs,
    cpuMs,
    pace,
    sent,
    leaseSent,
    logged,
    retries,
    writes,
    changes,
    convergence: converged,
    start,
    end,
    objectsStart,
    objectsEnd,
  };
}

/** Why the rollout did not converge (empty: it did); a correctness failure, not a figure. */
function problems(s: Scenario): string[] {
  const { succeeded, failed, drifted, notOnImageB, notReady } = s.convergence;
  const few = (ids: string[]): string => `${ids.length} (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""})`;
  return [
    ...(succeeded !== CUSTOMERS ? [`${CUSTOMERS - succeeded} customers did not succeed: ${failed.slice(0, 5).join("; ")}`] : []),
    ...(drifted.length > 0 ? [`drift after the rollout: ${few(drifted)}`] : []),
    ...(notOnImageB.length > 0 ? [`Deployments not on image B: ${few(notOnImageB)}`] : []),
    ...(notReady.length > 0 ? [`Deployments not Ready: ${few(notReady)}`] : []),
  ];
}

const seconds = (ms: number): string => duration(ms);
const ratioOf = (s: Scenario): number => s.wallMs / ((s.sent / QPS) * 1000);

/** The table's rows for one scenario: measured | figure | goal | met?. */
function rows(s: Scenario): string[] {
  const name = s.faulty ? `with ${FAULT_SHARE * 100}% 429/503` : "without faults";
  const ratio = ratioOf(s);
  const { convergence: c, writes: w, changes } = s;
  const writesMet = w.maxPerObject <= 1 && changes.deploymentsNotOnce.length === 0 && changes.othersChanged.length === 0;
  return [
    `| ${name}: wall time against requests ÷ QPS | ${seconds(s.wallMs)}; ${count(s.sent)} requests ÷ ${QPS} = ${seconds((s.sent / QPS) * 1000)}: ${ratio.toFixed(3)}× | within 10% (0.90–1.10×) | ${Math.abs(ratio - 1) <= 0.1 ? "met" : "**not met**"} |`,
    `| ${name}: memory at the end against the start (heap after GC; RSS) | heap ${mib(s.start.heap)} → ${mib(s.end.heap)} (${signedMib(s.end.heap - s.start.heap)}); RSS ${mib(s.start.rss)} → ${mib(s.end.rss)} (${signedMib(s.end.rss - s.start.rss)}) | compared (the issue sets no limit) | — |`,
    `| ${name}: customers converged | ${count(c.succeeded)}/${count(CUSTOMERS)} succeeded; ${c.drifted.length} with drift after it; ${count(IDS.filter((id) => !c.notOnImageB.includes(id) && !c.notReady.includes(id)).length)} Deployments on image B and Ready | every customer | ${problems(s).length === 0 ? "met" : "**not met**"} |`,
    `| ${name}: objects written more than once | ${w.objectsTwice.length} (at most ${w.maxPerObject} successful write${w.maxPerObject === 1 ? "" : "s"} per object; ${w.customersTwice} customers with an object written twice); Deployments whose spec changed other than once: ${changes.deploymentsNotOnce.length}; other objects changed: ${changes.othersChanged.length} | none | ${writesMet ? "met" : "**not met**"} |`,
  ];
}

/** The details of one scenario, below the table. */
function details(s: Scenario): string {
  const name = s.faulty ? `With ${FAULT_SHARE * 100}% 429/503` : "Without faults";
  const w = s.writes;
  const answered = (code: number): number => w.statuses.get(code) ?? 0;
  return (
    `${name}: set-up ${seconds(s.setupMs)} in ${s.setupPasses} pass${s.setupPasses > 1 ? "es" : ""} (not measured). The canary wave took ${seconds(s.pace.canaryMs)}, ` +
    `the last customer's start to the end ${seconds(s.pace.tailMs)}; in the ${s.pace.seconds} whole seconds between, the fake received a median ` +
    `${s.pace.medianPerSecond} requests a second, fewer than ${Math.ceil(0.9 * QPS)} in ${s.pace.slowSeconds} of them. ` +
    `CPU time of the process during the rollout ${seconds(s.cpuMs)} (${((s.cpuMs / s.wallMs) * 100).toFixed(0)}% of the wall time); ${count(s.sent + s.leaseSent)} requests sent ` +
    `(${((s.sent + s.leaseSent) / CUSTOMERS).toFixed(1)} a customer, ${count(s.leaseSent)} of them for the Leases through their own bucket; the fake logged ${count(s.logged)}): ${w.methods}; ${count(w.watches)} of them watches. ` +
    `Answered 429: ${count(answered(429))}, 503: ${count(answered(503))} (injected: ${count(w.faulted)}); the client's retries by reason: ${listed(s.retries)}. ` +
    `Writes of the customers' objects: at most ${w.maxPerObject} per object; creates: ${w.creates}; ` +
    `the customers' lock Leases written ${count(w.leaseWrites)} times (take over, renewals, release; at most ${w.maxPerLease} for one lease). ` +
    `Objects in the fake cluster: ${count(s.objectsStart)} at the start, ${count(s.objectsEnd)} at the end (the new ReplicaSets, their pods' events).`
  );
}

function report(scenarios: Scenario[], baseline: Memory, closed: Memory): string {
  return `## Fleet: an image rollout to ${count(CUSTOMERS)} customers

Machine: ${machine()}, ${atStart}. Command: \`npm run bench --workspace @sreda/sdk\` (\`node --expose-gc --import tsx bench/rollout.bench.ts\`).
${count(CUSTOMERS)} customers of C42's plan (9 objects each) provisioned with image A by Sreda itself (\`runRollout\`, rate limit off,
${SETUP_CONCURRENCY} at a time, not measured) on a fresh fake cluster served over HTTP on 127.0.0.1 on wall-clock time, with the fake's
default pod timings (a new pod Ready about 4.5 s after it is created); then ${LATENCY_MS} ms of latency on every request and \`runRollout\` to
image B through one shared client at QPS ${QPS} (burst: the default, ${KUBE_DEFAULT_BURST}), canary ${CANARY}, concurrency ${CONCURRENCY},
maxFailures ${count(CUSTOMERS)}. Requests ÷ QPS counts every request the client sent through its shared bucket: each takes a
token, retries and watches included. The customers' lock Leases go through a bucket of their own (the same QPS; client-go's
leader election runs on a client of its own), so a renewal never waits behind the queue; they are counted apart.
Concurrency ${CONCURRENCY} keeps the shared bucket full from the canary wave to the last start (the requests a second below).
The second fleet gets the same rollout with every request (watches included: the API server's priority and
fairness rejects those too) answered 429 (Retry-After 1 s) with a 2.5% chance, else 503 with a 2.5% chance (5% in all,
the fake's seeded dice). A write is a 2xx POST, PUT, PATCH or DELETE; server-side apply sends one PATCH per object and
leaves an unchanged object's resourceVersion alone; the customers' lock Leases are counted apart.

| measured | figure | goal | met? |
|---|---|---|---|
${scenarios.flatMap(rows).join("\n")}

${scenarios.map(details).join("\n\n")}

Memory is the process's, which holds the fake cluster (its objects and watches) as well as the SDK. Before
the first fleet: heap ${mib(baseline.heap)}; after both fleets were closed: heap ${mib(closed.heap)} (${signedMib(closed.heap - baseline.heap)}), RSS ${mib(closed.rss)}.
`;
}

const baseline = await memory();
const scenarios = [await scenario(false, 16), await scenario(true, 17)];
const closed = await memory();
const markdown = report(scenarios, baseline, closed);
console.log(markdown);
const failures = scenarios.flatMap((s) => problems(s).map((p) => `${s.faulty ? "with faults" : "without faults"}: ${p}`));
if (failures.length > 0) throw new Error(`the rollout did not converge:\n${failures.join("\n")}`);
writeSection("sdk-rollout", markdown);
