/**
 * `npm run bench --workspace @sreda/bridge` (after plans.bench.ts): what a rejected hostile request costs the
 * bridge. Every request of the hostile corpus (test/support/hostile-corpus.ts) that the bridge must refuse is sent
 * to the built bridge in its own process (as deployed: production mode, info-level JSON logs to /dev/null, an
 * allow-list) a few times, and for each the bench records the wall time, the size of the answer, how far the
 * process's resident memory rose above what it was before (the kernel's peak, VmHWM, reset per case through
 * /proc/<pid>/clear_refs, else sampled), and the slowest GET /healthz sent meanwhile.
 * Writes the "## Bridge: hostile requests" section of docs/benchmarks.md. Linux (reads /proc); loopback only.
 */
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { machine, writeSection } from "@sreda/bench-report";
import { hostileCases, KIB, MAX_ERROR_BYTES, MIB, type HostileCase } from "../test/support/hostile-corpus.js";
import { send, type WireResponse } from "../test/support/wire.js";
import { BENCH_TOKEN as TOKEN, freePort, startBuiltBridge } from "./built-bridge.js";

const RUNS = Number(process.env["BENCH_HOSTILE_RUNS"] ?? 5);
const GOAL = "a bad request costs milliseconds and kilobytes, never seconds and megabytes";

/** VmRSS and VmHWM (peak) of the process, bytes. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/** Resets the kernel's peak RSS of the process to its current RSS (Linux ≥ 4.0; same user). */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

interface Measured {
  c: HostileCase;
  status: number;
  code: string;
  ms: number[];
  bytes: number;
  rssGrowth: number;
  healthzMaxMs: number;
}

async function measure(url: string, pid: number, c: HostileCase, index: number): Promise<Measured> {
  const body = c.body?.();
  const request = {
    method: c.method,
    path: c.path,
    headers: { ...c.headers, "x-request-id": `bench-${index}` },
    ...(body ? { body } : {}),
    ...(c.chunkBytes ? { chunkBytes: c.chunkBytes } : {}),
    token: TOKEN,
  };
  await send(url, request); // warm-up: the first of a kind pays for compilation
  const times: number[] = [];
  let last: WireResponse | undefined;
  let rssGrowth = 0;
  let healthzMaxMs = 0;
  for (let run = 0; run < RUNS; run++) {
    const before = memory(pid).rss;
    const exact = resetPeak(pid);
    let sampledPeak = before;
    let done = false;
    const bad = send(url, request).finally(() => (done = true));
    // Meanwhile: /healthz probes (the bridge's event loop) and, without clear_refs, RSS samples.
    while (!done) {
      const probe = await send(url, { method: "GET", path: "/healthz" });
      healthzMaxMs = Math.max(healthzMaxMs, probe.ms);
      if (!exact) sampledPeak = Math.max(sampledPeak, memory(pid).rss);
    }
    last = await bad;
    times.push(last.ms);
    const peak = exact ? memory(pid).peak : Math.max(sampledPeak, memory(pid).rss);
    rssGrowth = Math.max(rssGrowth, peak - before);
  }
  return { c, status: last!.status, code: String(last!.json?.code ?? ""), ms: times.sort((a, b) => a - b), bytes: last!.bytes, rssGrowth, healthzMaxMs };
}

const kib = (bytes: number) =>
  bytes < 10 * KIB ? `${(bytes / KIB).toFixed(1)} KiB` : bytes < MIB ? `${Math.round(bytes / KIB)} KiB` : `${(bytes / MIB).toFixed(1)} MiB`;
const ms = (value: number) => (value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);

const loadAtStart = os.loadavg()[0]!;
// Requests name this cluster; nothing listens there, and no rejected request may reach it anyway.
const clusterUrl = `http://127.0.0.1:${await freePort()}/`;
const { url, child, stop } = await startBuiltBridge({ SREDA_ALLOWED_CLUSTERS: clusterUrl });
try {
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { components: { schemas: Record<string, any> } };
  const templateBody = doc.components.schemas["RequestTemplate"]?.properties?.body;
  const templateBodyMaxLength = ((templateBody?.anyOf ?? [templateBody]) as any[]).map((v) => v?.maxLength).find((n) => typeof n === "number");
  const rejected = hostileCases({ clusterUrl, clusterToken: "bench-cluster-token", bodyLimitBytes: MIB, templateBodyMaxLength }).filter(
    (c) => Math.min(...[c.expect.status].flat()) >= 400,
  );
  const idle = memory(child.pid!).rss;
  const results: Measured[] = [];
  for (const [i, c] of rejected.entries()) {
    const m = await measure(url, child.pid!, c, i);
    results.push(m);
    console.log(
      `${c.name}: ${m.status} ${m.code}, p50 ${ms(m.ms[Math.floor(m.ms.length / 2)]!)}, max ${ms(m.ms.at(-1)!)}, ${kib(m.bytes)}, RSS +${kib(m.rssGrowth)}, /healthz ≤ ${ms(m.healthzMaxMs)}`,
    );
  }
  const worst = (pick: (m: Measured) => number) => results.reduce((a, b) => (pick(b) > pick(a) ? b : a));
  const slowest = worst((m) => m.ms.at(-1)!);
  const largest = worst((m) => m.bytes);
  const hungriest = worst((m) => m.rssGrowth);
  const stalled = worst((m) => m.healthzMaxMs);
  const over = results.filter((m) => m.bytes > MAX_ERROR_BYTES || m.ms.at(-1)! >= 1000);
  const failed = results.filter((m) => m.status >= 500);
  const rows = results.map(
    (m) =>
      `| ${m.c.name.replaceAll("|", "\\|")} | ${m.status} ${m.code} | ${ms(m.ms[Math.floor(m.ms.length / 2)]!)} | ${ms(m.ms.at(-1)!)} | ${kib(m.bytes)} | +${kib(m.rssGrowth)} | ${ms(m.healthzMaxMs)} |`,
  );
  const section = `## Bridge: hostile requests

Goal: **${GOAL}**.

The issue measured the opposite: a 1 MiB body of 520,000 zeros in \`variables\` answered with a 75 MB 422 built in
~15 s (a GET /healthz meanwhile waited ~14 s, the process grew to ~1 GB), and a \`-----BEGIN\` in the middle of a
secret answered 500.

Machine: ${machine()}, load average ${loadAtStart.toFixed(1)} at the start. Command: \`npm run bench --workspace @sreda/bridge\`
(bench/hostile.bench.ts). The built bridge in its own process (production mode, info-level JSON logs, body limit 1 MiB, an
allow-list); every request of the hostile corpus (packages/bridge/test/support/hostile-corpus.ts) that must be refused,
${RUNS} times after a warm-up, each on a fresh connection; time from the first byte sent to the last received; RSS growth:
the highest resident memory during the request above the resident memory before it (the kernel's VmHWM, reset per
request), the largest of the runs; /healthz: the slowest of the probes sent one after another while the request ran.
The idle bridge's RSS: ${kib(idle)}.

Worst: time ${ms(slowest.ms.at(-1)!)} (${slowest.c.name}); answer ${kib(largest.bytes)} (${largest.c.name}); RSS +${kib(hungriest.rssGrowth)} (${hungriest.c.name}); /healthz ${ms(stalled.healthzMaxMs)} (${stalled.c.name}).
${over.length === 0 ? `Every refusal stays under a second and ${kib(MAX_ERROR_BYTES)}.` : `Over a second or ${kib(MAX_ERROR_BYTES)}: ${over.map((m) => m.c.name).join("; ")}.`}
${failed.length === 0 ? "No answer was a 5xx." : `Answered with a 5xx instead of refusing: ${failed.map((m) => `${m.c.name} (${m.status} ${m.code})`).join("; ")}.`}

| request | answer | time p50 | time max | answer size | RSS growth | /healthz meanwhile |
|---|---|---|---|---|---|---|
${rows.join("\n")}`;
  writeSection("bridge-hostile", section);
} finally {
  stop();
}
