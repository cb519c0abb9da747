/**
 * Rollouts on the fake cluster (issue 16, part): an image that cannot be pulled stops after the canary with the rest
 * untouched; K failures stop new starts; a re-run skips the customers already up to date and finishes the rest;
 * cancel leaves every customer in a known state; pause holds new starts until resumed; pods waiting for room hold new
 * starts until they are placed.
 */
import { describe, expect, it } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan, type ProvisioningPlan } from "../../src/core/plan.js";
import type { ProvisioningInputData } from "../../src/core/models.js";
import { applyPlan } from "../../src/kube/apply.js";
import { createKubeClient } from "../../src/kube/client.js";
import { KeyedLock } from "../../src/kube/lock.js";
import { RolloutControl, runRollout, type RolloutEvent } from "../../src/kube/rollout.js";
import { createFakeCluster } from "../../src/testing/index.js";

const NS = "lms-dev";
const CUSTOMERS = ["C1", "C2", "C3", "C4", "C5", "C6"];
const plan = (clientId: string, image = "registry.example/lms/backend:1.0"): ProvisioningPlan => {
  const data = structuredClone(example) as unknown as ProvisioningInputData;
  data.client.id = clientId;
  data.environment.dockerImage = image;
  return createProvisioningPlan(data);
};

async function setup() {
  const cluster = createFakeCluster({ seed: 161 });
  const kube = createKubeClient(cluster.clientConfig);
  const locks = new KeyedLock();
  for (const id of CUSTOMERS) expect((await applyPlan(plan(id), kube, { locks, random: () => 0.5 })).status).toBe("succeeded");
  await cluster.clock.sleep(30_000);
  const image = (id: string) =>
    (cluster.getObject("Deployment", NS, `lms-deployment-${id.toLowerCase()}`) as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec
      .template.spec.containers[0]!.image;
  return { cluster, kube, locks, image };
}

describe("rollouts", () => {
  it("stops after the canary when the new image cannot be pulled: the rest untouched", async () => {
    const { kube, locks, image } = await setup();
    const events: RolloutEvent[] = [];
    const result = await runRollout(
      kube,
      CUSTOMERS.map((id) => plan(id, "registry.example/lms/backend:does-not-exist")),
      {
        canary: 2,
        locks,
        readyTimeoutMs: 10 * 60_000,
        onEvent: (e) => events.push(e),
      },
    );
    expect(result.status).toBe("stopped");
    expect(result.customers.map((c) => [c.clientId, c.outcome])).toEqual([
      ["C1", "failed"],
      ["C2", "failed"],
      ["C3", "not-started"],
      ["C4", "not-started"],
      ["C5", "not-started"],
      ["C6", "not-started"],
    ]);
    expect(result.customers[0]!.message).toMatch(/ImagePullBackOff|ErrImagePull/);
    for (const id of ["C3", "C4", "C5", "C6"]) expect(image(id)).toBe("registry.example/lms/backend:1.0");
    expect(events.filter((e) => e.type === "customer-started").map((e) => (e as { canary: boolean }).canary)).toEqual([true, true]);
  });

  it("stops starting new customers after K failures; a re-run skips the ones up to date and finishes the rest", async () => {
    const { kube, locks, image } = await setup();
    // C2 and C3 cannot pull the new image (their registry path is theirs); the others can.
    const target = (id: string) => plan(id, id === "C2" || id === "C3" ? "registry.example/lms/backend:does-not-exist" : "registry.example/lms/backend:2.0");
    const first = await runRollout(kube, CUSTOMERS.map(target), { canary: 1, concurrency: 1, maxFailures: 2, locks });
    expect(first.status).toBe("stopped");
    expect(first.customers.map((c) => c.outcome)).toEqual(["succeeded", "failed", "failed", "not-started", "not-started", "not-started"]);
    expect(image("C4")).toBe("registry.example/lms/backend:1.0");

    // Resume with the bad image fixed: C1 is skipped (up to date), the rest roll.
    const fixed = (id: string) => plan(id, "registry.example/lms/backend:2.0");
    const second = await runRollout(kube, CUSTOMERS.map(fixed), { canary: 1, concurrency: 2, maxFailures: 2, locks });
    expect(second.status).toBe("succeeded");
    expect(second.customers.map((c) => c.outcome)).toEqual(["up-to-date", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
    for (const id of CUSTOMERS) expect(image(id)).toBe("registry.example/lms/backend:2.0");
  });

  it("cancel leaves every customer in a known state; pause holds new starts until resumed", async () => {
    const { kube, locks } = await setup();
    const control = new RolloutControl();
    const controller = new AbortController();
    const events: RolloutEvent[] = [];
    const result = await runRollout(
      kube,
      CUSTOMERS.map((id) => plan(id, "registry.example/lms/backend:3.0")),
      {
        canary: 1,
        concurrency: 1,
        locks,
        control,
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.type === "customer-finished" && e.clientId === "C2") control.pause();
          if (e.type === "rollout-paused") {
            // Paused: nothing starts; then resumed, and cancelled while C3 runs.
            setTimeout(() => control.resume(), 0);
          }
          if (e.type === "customer-started" && e.clientId === "C4") controller.abort();
        },
      },
    );
    expect(result.status).toBe("cancelled");
    const outcomes = Object.fromEntries(result.customers.map((c) => [c.clientId, c.outcome]));
    expect(outcomes).toMatchObject({ C1: "succeeded", C2: "succeeded", C3: "succeeded", C5: "cancelled", C6: "cancelled" });
    expect(["cancelled", "failed", "succeeded"]).toContain(outcomes["C4"]);
    const kinds = events.map((e) => e.type);
    expect(kinds.indexOf("rollout-paused")).toBeLessThan(kinds.indexOf("rollout-resumed"));
    expect(events.findIndex((e) => e.type === "customer-started" && e.clientId === "C3")).toBeGreaterThan(kinds.indexOf("rollout-resumed"));
  });

  it("holds new starts while pods wait for room ('Too many pods'), says so with the scheduler's message, and goes on once there is room", async () => {
    // Three nodes of 2 pods: the Deployments of six customers fill them; the seventh's Jobs find no node.
    const cluster = createFakeCluster({ seed: 162, maxPodsPerNode: 2 });
    const kube = createKubeClient(cluster.clientConfig);
    const customers = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"];
    const events: RolloutEvent[] = [];
    const result = await runRollout(
      kube,
      customers.map((id) => plan(id)),
      {
        canary: 1,
        concurrency: 2,
        locks: new KeyedLock(),
        onEvent: (e) => {
          events.push(e);
          // The operator adds room (a node, or a larger --max-pods) once the rollout says it waits for it.
          if (e.type === "rollout-waiting-for-room") cluster.setMaxPodsPerNode(4);
        },
      },
    );
    expect(result.customers.map((c) => [c.clientId, c.outcome])).toEqual(customers.map((id) => [id, "succeeded"]));
    expect(result.status).toBe("succeeded");
    const waiting = events.find((e) => e.type === "rollout-waiting-for-room");
    expect(waiting).toEqual({
      type: "rollout-waiting-for-room",
      at: expect.any(Number),
      pods: expect.any(Number),
      message:
        "0/3 nodes are available: 3 Too many pods. no new claims to deallocate, preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    });
    // Nobody started between "waiting" and "room available"; somebody did after.
    const from = events.indexOf(waiting!);
    const to = events.findIndex((e) => e.type === "rollout-room-available");
    expect(to).toBeGreaterThan(from);
    expect(events.slice(from, to).filter((e) => e.type === "customer-started")).toEqual([]);
    expect(events.slice(to).some((e) => e.type === "customer-started")).toBe(true);
    cluster.close();
  });
});
