/**
 * `npm run bench --workspace @sreda/bridge`: throughput and latency of `POST /v1/plans` (the dry run of C42),
 * measured with autocannon against the built bridge in its own process (as deployed: info-level JSON logs, to
 * /dev/null), and the bridge's added latency over a direct `createProvisioningPlan` + `redactPlan` call.
 * Writes the "## Bridge" section of docs/benchmarks.md. Bounded: two 10-second runs, loopback only.
 */
import http from "node:http";
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { machine, writeSection } from "@sreda/bench-report";
import { BENCH_TOKEN as TOKEN, startBuiltBridge } from "./built-bridge.js";
import autocannon from "autocannon";
import { createProvisioningPlan, redactPlan } from "@sreda/sdk";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DURATION_S = Number(process.env["BENCH_DURATION_S"] ?? 10);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function direct(input: unknown, ms = 3_000) {
  for (let i = 0; i < 50; i++) redactPlan(createProvisioningPlan(input as never));
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < ms) {
    const t = performance.now();
    // What the route does besides HTTP: parse the JSON text, build, redact, serialize.
    JSON.stringify(redactPlan(createProvisioningPlan(JSON.parse(body) as never)));
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length, n: samples.length };
}

/** Sequential requests over one keep-alive connection, timed with sub-millisecond precision (autocannon rounds to ms). */
async function sequential(url: string, ms = 5_000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(url);
  const once = () =>
    new Promise<void>((resolve, reject) => {
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
  for (let i = 0; i < 50; i++) await once();
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < ms) {
    const t = performance.now();
    await once();
    samples.push(performance.now() - t);
  }
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length };
}

async function cannon(url: string, connections: number) {
  const result = await autocannon({
    url: `${url}/v1/plans`,
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json; charset=utf-8" },
    body,
    connections,
    duration: DURATION_S,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`bench: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
}

const input = JSON.parse(readFileSync(`${ROOT}examples/c42-lms-dev.input.json`, "utf8")) as Record<string, unknown>;
const body = JSON.stringify(input);

const loadAtStart = os.loadavg()[0]!;
const sdk = direct(input);
console.log(`direct SDK: p50 ${sdk.p50.toFixed(2)} ms, p99 ${sdk.p99.toFixed(2)} ms (${sdk.n} runs)`);

const { url, stop } = await startBuiltBridge();
try {
  const seq = await sequential(url);
  console.log(`sequential: p50 ${seq.p50.toFixed(2)} ms, p99 ${seq.p99.toFixed(2)} ms (${seq.n} requests)`);
  const one = await cannon(url, 1);
  console.log(`1 connection: ${one.rps} req/s, p50 ${one.p50} ms, p99 ${one.p99} ms`);
  const ten = await cannon(url, 10);
  console.log(`10 connections: ${ten.rps} req/s, p50 ${ten.p50} ms, p99 ${ten.p99} ms`);

  const section = `## Bridge

Machine: ${machine()}, load average ${loadAtStart.toFixed(1)} at the start (other work on the machine skews the figures). Command: \`npm run bench --workspace @sreda/bridge\`
(autocannon ${DURATION_S} s per run — it reports whole milliseconds — plus 5 s of sequential requests timed in µs; the built bridge in its own process with info-level JSON request logs, loopback).

\`POST /v1/plans\`, the dry run of C42 (${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB request, redacted plan back):

| | requests/s | latency p50 | latency p99 |
|---|---|---|---|
| bridge, sequential over one keep-alive connection (node:http, µs timer) | ${Math.round(1000 / seq.p50)} | ${seq.p50.toFixed(2)} ms | ${seq.p99.toFixed(2)} ms |
| bridge, autocannon 1 connection | ${Math.round(one.rps)} | ${one.p50} ms | ${one.p99} ms |
| bridge, autocannon 10 connections | ${Math.round(ten.rps)} | ${ten.p50} ms | ${ten.p99} ms |
| direct SDK call (parse + plan + redact + serialize), in process | ${Math.round(1000 / sdk.mean)} | ${sdk.p50.toFixed(2)} ms | ${sdk.p99.toFixed(2)} ms |

Added latency of the bridge (sequential, p50): ${(seq.p50 - sdk.p50).toFixed(2)} ms over the direct call (p99: ${(seq.p99 - sdk.p99).toFixed(2)} ms) — HTTP, auth,
body parsing, the second validation of the request schema and the log line. The bridge is single-threaded: with 10
connections requests queue behind each other, so throughput stays near 1/(CPU per plan) and latency grows with the
queue; a 1C installation sends a handful of requests per operator action.`;
  writeSection("bridge", section);
} finally {
  stop();
}
