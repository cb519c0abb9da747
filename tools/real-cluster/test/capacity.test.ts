/**
 * Room in the cluster, on a control plane of this file's own whose one kwok node takes few pods (its
 * status.allocatable.pods lowered, as a kubelet's --max-pods would): a rollout that fills the node sees the real
 * scheduler leave pods Pending with "Too many pods", starts no new customer while they wait — saying so with the
 * scheduler's message — and goes on by itself once the node has room again; every customer converges.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createKubeClient, createProvisioningPlan, runRollout, type RolloutEvent } from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterTarget, httpRequest, kubeCall, NODE_NAME, startRealCluster, stopRealCluster, type RealClusterState } from "../src/index.js";
import { provisioningInput, until, useRealCluster } from "./support/cluster.js";

const shared = useRealCluster("capacity.test.ts");
/** Pods the node takes at first: three customers' Deployments and one Job pod at a time. */
const SMALL = 4;
const CUSTOMERS = ["C901", "C902", "C903", "C904", "C905", "C906"];

let cluster: RealClusterState | undefined;
let stateDir: string | undefined;

/** The node's pod capacity, as the kubelet reports it (kwok keeps what is set). */
async function setNodePods(state: RealClusterState, pods: number): Promise<void> {
  const room = { pods: String(pods) };
  await kubeCall(
    clusterTarget(state, "admin"),
    "PATCH",
    `/api/v1/nodes/${NODE_NAME}/status`,
    { status: { allocatable: room, capacity: room } },
    "application/merge-patch+json",
  );
}

beforeAll(async () => {
  if (!shared.state) return;
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "sreda-real-cluster-capacity-"));
  cluster = await startRealCluster({ stateDir, ports: "free" });
}, 180_000);

afterAll(async () => {
  if (stateDir) {
    await stopRealCluster({ stateDir, wipe: true });
    fs.rmSync(`${stateDir}.lock`, { force: true });
  }
}, 120_000);

describe("a rollout and the room on the node", () => {
  it("holds new starts while pods wait for room ('Too many pods', the scheduler's words), and goes on once there is room", async (ctx) => {
    shared.get(ctx);
    const s = cluster!;
    const ca = fs.readFileSync(s.caFile, "utf8");
    await until("sreda-edit may list pods in lms-dev", async () =>
      (await httpRequest(`${s.apiserverUrl}/api/v1/namespaces/lms-dev/pods`, { ca, headers: { authorization: `Bearer ${s.tokens.sredaEdit}` } })).status === 200
        ? true
        : undefined,
    );
    await setNodePods(s, SMALL);
    const kube = createKubeClient({ apiRootUrl: s.apiserverUrl, token: s.tokens.sredaEdit, caCert: ca });
    const events: RolloutEvent[] = [];
    let roomGiven: Promise<void> | undefined;
    const t0 = performance.now();
    const result = await runRollout(
      kube,
      CUSTOMERS.map((id) => createProvisioningPlan(provisioningInput(s, id, "lms-dev"))),
      {
        canary: 1,
        concurrency: 2,
        roomPollMs: 1_000,
        onEvent: (e) => {
          events.push(e);
          // The operator adds room once the rollout says it waits for it (a few seconds later: the hold must show).
          if (e.type === "rollout-waiting-for-room" && /Too many pods/.test(e.message))
            roomGiven ??= new Promise((resolve) => setTimeout(resolve, 3_000)).then(() => setNodePods(s, 110));
        },
      },
    );
    await roomGiven;
    const seconds = (performance.now() - t0) / 1000;
    expect(result.customers.map((c) => [c.clientId, c.outcome, c.message])).toEqual(CUSTOMERS.map((id) => [id, "succeeded", expect.any(String)]));
    const waiting = events.find((e) => e.type === "rollout-waiting-for-room");
    expect(waiting, JSON.stringify(events)).toBeDefined();
    expect((waiting as { message: string }).message).toMatch(/^0\/1 nodes are available: 1 Too many pods\./);
    const from = events.indexOf(waiting!);
    const to = events.findIndex((e, i) => i > from && e.type === "rollout-room-available");
    expect(to).toBeGreaterThan(from);
    expect(events.slice(from, to).filter((e) => e.type === "customer-started")).toEqual([]);
    console.log(
      `${CUSTOMERS.length} customers, 2 at a time, on a node of ${SMALL} pods: all converged in ${seconds.toFixed(1)} s; waited for room ` +
        `${(((events[to] as { at: number }).at - (waiting as { at: number }).at) / 1000).toFixed(1)} s — the scheduler: "${(waiting as { message: string }).message}"`,
    );
  });
});
