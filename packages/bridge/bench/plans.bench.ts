/**
 * `npm run bench --workspace @sreda/bridge`: `POST /v1/plans` (the dry run of C42) on the built bridge in its own
 * process (as deployed: info-level JSON logs, to /dev/null) against a direct call of the SDK in this process, in
 * interleaved rounds of one run (medians): throughput at 8 concurrent callers (autocannon) and the bridge's added
 * latency over the direct call. Prints both goals with met/not met and writes the "## Bridge" section of
 * docs/benchmarks.md. Bounded: about a minute, loopback only.
 */
import http from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { duration, goalTable, interleave, load, machine, meets, printGoals, quantile, times, writeSection, type GoalRow } from "@sreda/bench-report";
import { BENCH_TOKEN as TOKEN, startBuiltBridge } from "./built-bridge.js";
import autocannon from "autocannon";
import { createProvisioningPlan, redactPlan } from "@sreda/sdk";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 6);
/** Seconds of each autocannon round (it reports whole milliseconds). */
const CANNON_S = Number(process.env["BENCH_DURATION_S"] ?? 3);
/** Milliseconds of each round of sequential calls (direct and over HTTP), timed in µs. */
const SEQUENTIAL_MS = 1_000;
const CALLERS = 8;
const GOAL_RPS = 1_000;
const GOAL_ADDED_MS = 1;

const input = JSON.parse(readFileSync(`${ROOT}examples/c42-lms-dev.input.json`, "utf8")) as Record<string, unknown>;
const body = JSON.stringify(input);
const loadAtStart = load();

/** Latencies of one round, sorted; the round's figure is their median. */
type Latencies = number[];
const rounds = { direct: [] as Latencies[], sequential: [] as Latencies[] };
const cannons: Record<string, Array<{ rps: number; p50: number; p99: number }>> = { one: [], eight: [] };

async function timeSequential(fn: () => unknown, into: Latencies[]): Promise<number> {
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < SEQUENTIAL_MS) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  into.push(samples);
  return quantile(samples, 0.5);
}

/** What the route does besides HTTP: parse the JSON text, build, redact, serialize. */
const direct = () => JSON.stringify(redactPlan(createProvisioningPlan(JSON.parse(body) as never)));

/** One request over one keep-alive connection, timed with sub-millisecond precision (autocannon rounds to ms). */
function postOnce(url: string, agent: http.Agent): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise<void>((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        path: "/v1/plans",
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function cannon(url: string, connections: number, into: Array<{ rps: number; p50: number; p99: number }>): Promise<number> {
  const result = await autocannon({
    url: `${url}/v1/plans`,
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json; charset=utf-8" },
    body,
    connections,
    duration: CANNON_S,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`bench: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  into.push({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 });
  return result.requests.average;
}

const { url, stop } = await startBuiltBridge();
try {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  console.log(
    `POST /v1/plans: ${ROUNDS} rounds (direct ${SEQUENTIAL_MS} ms, sequential ${SEQUENTIAL_MS} ms, autocannon ${CANNON_S} s at 1 and at ${CALLERS} connections)`,
  );
  const m = await interleave(
    [
      { name: "direct", round: () => timeSequential(direct, rounds.direct) },
      { name: "sequential", round: () => timeSequential(() => postOnce(url, agent), rounds.sequential) },
      { name: "one", round: () => cannon(url, 1, cannons["one"]!) },
      { name: "eight", round: () => cannon(url, CALLERS, cannons["eight"]!) },
    ],
    {
      rounds: ROUNDS,
      onRound: (i, f) =>
        console.log(
          `  round ${i}: direct p50 ${duration(f["direct"]!)}, bridge p50 ${duration(f["sequential"]!)}, ${Math.round(f["eight"]!)} req/s at ${CALLERS}`,
        ),
    },
  );
  agent.destroy();

  // The warm-up round's figures are in the arrays too: drop them.
  const counted = <T>(xs: T[]) => xs.slice(xs.length - ROUNDS);
  const p99 = (xs: Latencies[]) =>
    quantile(
      counted(xs)
        .flat()
        .sort((a, b) => a - b),
      0.99,
    );
  const medianOf = (xs: number[]) =>
    quantile(
      [...xs].sort((a, b) => a - b),
      0.5,
    );
  const directP50 = m["direct"]!.median;
  const bridgeP50 = m["sequential"]!.median;
  const added = bridgeP50 - directP50;
  const directRate = 1000 / directP50;
  const eight = m["eight"]!.median;
  const one = m["one"]!.median;
  const cannonP = (key: string, field: "p50" | "p99") => medianOf(counted(cannons[key]!).map((c) => c[field]));

  const goals: GoalRow[] = [
    {
      what: `POST /v1/plans (C42 dry run) at ${CALLERS} concurrent callers`,
      figure: `${Math.round(eight)} requests/s`,
      goal: `≥ ${GOAL_RPS.toLocaleString("en")} requests/s`,
      peer: `direct SDK calls in one process, one after another: ${Math.round(directRate)}/s`,
      ratio: `${times(eight / GOAL_RPS)} the goal; ${times(eight / directRate)} the direct calls' rate`,
      met: meets(eight, { atLeast: GOAL_RPS }),
    },
    {
      what: "latency the bridge adds at p50 (one caller, keep-alive)",
      figure: duration(added),
      goal: `< ${GOAL_ADDED_MS} ms over a direct SDK call`,
      peer: `direct SDK call (parse + plan + redact + serialize) p50 ${duration(directP50)}; the bridge's p50 ${duration(bridgeP50)}`,
      ratio: `${times(bridgeP50 / directP50)} the direct call`,
      met: added < GOAL_ADDED_MS,
    },
  ];
  printGoals("Bridge: goals", goals);

  const section = `## Bridge

Machine: ${machine()}, ${loadAtStart}. Command: \`npm run bench --workspace @sreda/bridge\` (bench/plans.bench.ts).

\`POST /v1/plans\`, the dry run of C42 (${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB request, redacted plan back), on the built bridge in its
own process (production mode, info-level JSON request logs, loopback), against the same work done directly in the
bench's process (parse the JSON text, \`createProvisioningPlan\`, \`redactPlan\`, serialize). Four subjects take turns
in ${ROUNDS} rounds after a warm-up (A B C D, then D C B A, …): the direct call and the bridge over one keep-alive
connection (node:http), each for ${SEQUENTIAL_MS / 1000} s of calls one after another timed in µs (the round's figure: its p50); and
autocannon for ${CANNON_S} s at 1 and at ${CALLERS} connections (the round's figure: requests per second; autocannon reports
latency in whole milliseconds). Each figure is the median of its rounds; the added latency is the bridge's p50 less
the direct call's.

${goalTable(goals)}

| | requests/s | latency p50 | latency p99 |
|---|---|---|---|
| bridge, sequential over one keep-alive connection (node:http, µs timer) | ${Math.round(1000 / bridgeP50)} | ${duration(bridgeP50)} | ${duration(p99(rounds.sequential))} |
| bridge, autocannon 1 connection | ${Math.round(one)} | ${cannonP("one", "p50")} ms | ${cannonP("one", "p99")} ms |
| bridge, autocannon ${CALLERS} connections | ${Math.round(eight)} | ${cannonP("eight", "p50")} ms | ${cannonP("eight", "p99")} ms |
| direct SDK call (parse + plan + redact + serialize), in process | ${Math.round(directRate)} | ${duration(directP50)} | ${duration(p99(rounds.direct))} |

Rounds at ${CALLERS} connections: ${m["eight"]!.samples.map((x) => Math.round(x)).join(", ")} requests/s. The bridge is one Node.js
process: with ${CALLERS} connections requests queue behind each other, so its throughput stays near 1/(CPU per request) and
latency grows with the queue; the p99 columns are over every request of the counted rounds.`;
  writeSection("bridge", section);
} finally {
  stop();
}
