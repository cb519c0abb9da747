/**
 * vitest globalSetup: one control plane for the whole run (a start takes about 6 s), in a fresh temporary state
 * folder on free ports so a developer's own cluster is left alone; stopped and wiped at the end. The test files get
 * its state with `inject("realCluster")` (./cluster.ts `useRealCluster`).
 *
 * Not built: nothing is started and the files skip with the reason (fail under CI=true, in the files themselves,
 * so the smoke test still reports its own). Built but failing to start: every file fails with the start's error.
 *
 * SREDA_REAL_CLUSTER_SHARED_STATE=<dir> makes the run use (and leave running) the control plane of that state folder,
 * started there first when needed: for iterating on one test file without paying the start each time.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildStatus, startRealCluster, stopRealCluster, type RealClusterState } from "../../src/index.js";
import type { SharedClusterInfo } from "./cluster.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const build = buildStatus();
  if (!build.built) {
    project.provide("realCluster", { skip: build.reason ?? "the real control plane is not built: npm run real-cluster:build" } satisfies SharedClusterInfo);
    return async () => {};
  }
  const reuse = process.env["SREDA_REAL_CLUSTER_SHARED_STATE"];
  const stateDir = reuse ? path.resolve(reuse) : fs.mkdtempSync(path.join(os.tmpdir(), "sreda-real-cluster-suite-"));
  let state: RealClusterState | undefined;
  const t0 = performance.now();
  try {
    state = await startRealCluster({ stateDir, ports: "free", log: (line) => console.log(line) });
    console.log(`real-cluster: shared control plane ${state.apiserverUrl} (state ${stateDir}) ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    project.provide("realCluster", { state } satisfies SharedClusterInfo);
  } catch (error) {
    project.provide("realCluster", { error: error instanceof Error ? error.message : String(error) } satisfies SharedClusterInfo);
  }
  return async () => {
    if (reuse) return;
    await stopRealCluster({ stateDir, wipe: true }).catch((error: unknown) => console.warn(`real-cluster: stop failed: ${String(error)}`));
    fs.rmSync(`${stateDir}.lock`, { force: true });
  };
}
