/**
 * `npm start`'s example, ten times: the embedded fake cluster on wall-clock time with its default timings (what
 * `npm start` runs), the bridge with its default Kubernetes client, and examples/requests/provision-c42.json — wall
 * time from the request to Ready, next to the time the simulated pods need. A stalling clock (timers fired late,
 * a sleep that waits for unrelated activity) shows as runs far above that floor.
 *
 * Run: npm run bench --workspace @sreda/bridge (after npm run build).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { machine, writeSection } from "@sreda/bench-report";
import { DEFAULT_TIMINGS } from "@sreda/sdk/testing";
import { createBridgeClient } from "../src/client.js";
import { defaultKubeClientFactory } from "../src/cluster.js";
import { createLogger } from "../src/logger.js";
import { startBridge } from "../src/server.js";
import { startDevCluster } from "../src/testing/dev-cluster.js";

const RUNS = 10;
const TOKEN = "dev-stack-bench-token-9c2f";
const example = readFileSync(fileURLToPath(new URL("../../../examples/requests/provision-c42.json", import.meta.url)), "utf8");

/** The simulated critical path: a setup Job's pod (scheduled, pulled, started, run), then the app's pod until Ready. */
const t = DEFAULT_TIMINGS;
const floorMs = t.schedule + t.pull + t.start + t.jobRun + (t.schedule + t.pull + t.start + t.ready);

async function oneRun(): Promise<number> {
  const cluster = await startDevCluster({ port: 0 });
  const bridge = await startBridge({
    config: {
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      development: false,
      journalPath: undefined,
      logLevel: "warn",
      bodyLimitBytes: 1024 * 1024,
      historyLimit: 50,
      shutdownGraceMs: 1_000,
      readyTimeoutMs: 5 * 60_000,
      allowedClusters: undefined,
    },
    logger: createLogger({ level: "warn", write: () => undefined }),
    kubeClientFactory: defaultKubeClientFactory,
  });
  try {
    const client = createBridgeClient({ baseUrl: bridge.url, token: TOKEN });
    const body = JSON.parse(example.replaceAll("${CLUSTER_URL}", cluster.url).replaceAll("${CLUSTER_TOKEN}", cluster.token));
    const t0 = performance.now();
    const started = await client.POST("/v1/provisionings", { body });
    if (!started.data) throw new Error(`not accepted: ${JSON.stringify(started.error)}`);
    for (;;) {
      const { data } = await client.GET("/v1/provisionings/{id}", { params: { path: { id: started.data.operation.id } } });
      const op = data!.operation;
      if (op.status === "succeeded" && op.environment?.phase === "Ready") return performance.now() - t0;
      if (["failed", "cancelled", "interrupted"].includes(op.status)) throw new Error(`run ended ${op.status}: ${JSON.stringify(op.error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await bridge.close({ graceMs: 1_000 });
    await cluster.close();
  }
}

const runs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  runs.push(await oneRun());
  console.log(`run ${i + 1}: Ready after ${(runs.at(-1)! / 1000).toFixed(1)} s`);
}
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sorted = [...runs].sort((a, b) => a - b);
writeSection(
  "dev-stack",
  `## npm start: C42 to Ready on the embedded fake cluster

${machine()}. Ten consecutive runs of \`examples/requests/provision-c42.json\` against the development stack
(the fake cluster on wall-clock time with its default timings, the bridge's default Kubernetes client); each run a
fresh cluster and bridge. Goal: every run within the simulated pods' time plus the executor's and watcher's 2 s
polls — no run waiting on a stalled clock.

| | |
|---|---|
| simulated critical path (Job pod + app pod to Ready) | ${s(floorMs)} |
| runs | ${runs.map(s).join(", ")} |
| median / max | ${s(sorted[Math.floor(sorted.length / 2)]!)} / ${s(sorted.at(-1)!)} |

Command: \`npm run bench --workspace @sreda/bridge\``,
);
