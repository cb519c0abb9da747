/**
 * A customer's life on the fake cluster (issue 15): suspend → resume restores the replicas (kept on the Deployment,
 * so a fresh client knows them), a provisioning keeps a suspended customer suspended unless asked to resume, and a
 * deprovisioning leaves nothing of the customer and touches nothing of another customer in the same namespace,
 * re-runnable after an interruption.
 */
import { describe, expect, it } from "vitest";
import { createDeprovisioningPlan } from "../../src/core/deprovision-plan.js";
import { createProvisioningPlan } from "../../src/core/plan.js";
import type { ProvisioningInputData } from "../../src/core/models.js";
import { applyPlan } from "../../src/kube/apply.js";
import { createKubeClient } from "../../src/kube/client.js";
import { deprovisionEnvironment } from "../../src/kube/deprovision.js";
import { readEnvironmentStatus } from "../../src/kube/environment-status.js";
import { resumeEnvironment, suspendEnvironment } from "../../src/kube/lifecycle.js";
import { KeyedLock } from "../../src/kube/lock.js";
import { createFakeCluster } from "../../src/testing/index.js";
import { prodInput } from "../support/inputs.js";

const NS = "lms-prod";
type Meta = { metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
const KINDS = [
  "Deployment",
  "Job",
  "Secret",
  "ConfigMap",
  "Service",
  "Ingress",
  "NetworkPolicy",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "Pod",
  "ReplicaSet",
];

function setup() {
  const cluster = createFakeCluster({ seed: 15 });
  const kube = createKubeClient(cluster.clientConfig);
  const locks = new KeyedLock();
  const options = { locks, random: () => 0.5, jobPollIntervalMs: 1000 };
  const provision = (input: unknown, extra: { resume?: boolean } = {}) =>
    applyPlan(createProvisioningPlan(input as ProvisioningInputData), kube, { ...options, ...extra });
  const plan = (input: unknown) => createProvisioningPlan(input as ProvisioningInputData);
  const deployment = (client = "c42") =>
    cluster.getObject("Deployment", NS, `lms-deployment-${client}`) as unknown as (Meta & { spec: { replicas: number } }) | undefined;
  /** Every object of a customer, by kind and name, with its resourceVersion. */
  const objectsOf = (client: string) =>
    Object.fromEntries(
      KINDS.flatMap((kind) =>
        (cluster.objects({ kind, namespace: NS }) as Meta[])
          .filter((o) => o.metadata.labels?.["sreda.io/client-id"] === client)
          .map((o) => [`${kind}/${o.metadata.name}`, o.metadata.resourceVersion]),
      ),
    );
  return { cluster, kube, locks, provision, plan, deployment, objectsOf };
}

describe("suspend and resume", () => {
  it("scales the backend to zero and back to the replicas it had, data and secrets untouched, phase Suspended", async () => {
    const { cluster, kube, locks, provision, plan, deployment, objectsOf } = setup();
    const off = { autoscaling: { enabled: false }, replicas: 3 };
    expect((await provision(prodInput(off))).status).toBe("succeeded");
    await cluster.clock.sleep(30_000);
    const secretsBefore = Object.entries(objectsOf("C42")).filter(([key]) => key.startsWith("Secret/"));
    const environment = plan(prodInput(off)).environment;

    const suspended = await suspendEnvironment(kube, environment, { locks });
    expect(suspended.status).toBe("succeeded");
    expect(suspended.steps.map((s) => [s.id, s.outcome])).toEqual([["suspend", "updated"]]);
    expect(deployment()!.spec.replicas).toBe(0);
    expect(deployment()!.metadata.annotations?.["sreda.io/suspended-replicas"]).toBe("3");
    await cluster.clock.sleep(30_000);
    const status = await readEnvironmentStatus(kube, environment, { now: cluster.clock.now() });
    expect(status.phase).toBe("Suspended");
    expect(status.summary).toBe("Приостановлена: развёртывание остановлено (при возобновлении подов: 3)");
    expect((await suspendEnvironment(kube, environment, { locks })).steps[0]!.outcome).toBe("unchanged");

    // A fresh client (a bridge restarted) resumes from what the Deployment keeps.
    const fresh = createKubeClient(cluster.clientConfig);
    const resumed = await resumeEnvironment(fresh, environment, { locks });
    expect(resumed.steps.map((s) => [s.id, s.outcome])).toEqual([["resume", "updated"]]);
    expect(deployment()!.spec.replicas).toBe(3);
    expect(deployment()!.metadata.annotations?.["sreda.io/suspended-replicas"]).toBeUndefined();
    await cluster.clock.sleep(30_000);
    expect((await readEnvironmentStatus(kube, environment, { now: cluster.clock.now() })).phase).toBe("Ready");
    expect(Object.entries(objectsOf("C42")).filter(([key]) => key.startsWith("Secret/"))).toEqual(secretsBefore);
    expect((await resumeEnvironment(fresh, environment, { locks })).steps[0]!.outcome).toBe("unchanged");
  });

  it("a provisioning keeps a suspended customer suspended, and resumes it only when asked", async () => {
    const { cluster, kube, locks, provision, plan, deployment } = setup();
    const off = { autoscaling: { enabled: false }, replicas: 2 };
    await provision(prodInput(off));
    await suspendEnvironment(kube, plan(prodInput(off)).environment, { locks });
    const kept = await provision(prodInput({ ...off, dockerImage: "registry.example/lms/backend:1.5.0" }));
    expect(kept.status).toBe("succeeded");
    expect(deployment()!.spec.replicas).toBe(0);
    expect(deployment()!.metadata.annotations?.["sreda.io/suspended-replicas"]).toBe("2");
    const resumed = await provision(prodInput({ ...off, replicas: 4 }), { resume: true });
    expect(resumed.status).toBe("succeeded");
    expect(deployment()!.spec.replicas).toBe(4);
    expect(deployment()!.metadata.annotations?.["sreda.io/suspended-replicas"]).toBeUndefined();
    await cluster.clock.sleep(30_000);
    expect((await readEnvironmentStatus(kube, plan(prodInput(off)).environment, { now: cluster.clock.now() })).phase).toBe("Ready");
  });
});

describe("deprovision", () => {
  it("leaves nothing of the customer and touches nothing of another customer in the namespace, object by object", async () => {
    const { cluster, kube, locks, provision, objectsOf } = setup();
    expect((await provision(prodInput())).status).toBe("succeeded");
    expect((await provision(prodInput({}, undefined, "C43"))).status).toBe("succeeded");
    await cluster.clock.sleep(30_000);
    const other = objectsOf("C43");
    expect(Object.keys(other).length).toBeGreaterThan(12);
    expect(Object.keys(objectsOf("C42")).length).toBeGreaterThan(12);

    const plan = createDeprovisioningPlan({ client: { id: "C42" }, environment: { namespace: NS } });
    const result = await deprovisionEnvironment(plan, kube, { locks });
    expect(result.status, JSON.stringify(result.steps.filter((s) => s.outcome === "failed"))).toBe("succeeded");
    const deleted = result.steps.filter((s) => s.outcome === "deleted").map((s) => `${s.kind}/${s.name}`);
    expect(deleted[0]).toBe("Deployment/lms-deployment-c42");
    expect(deleted.at(-1)).toMatch(/^Secret\//);
    expect(deleted).toHaveLength(13);
    await cluster.clock.sleep(30_000);
    expect(objectsOf("C42")).toEqual({});
    expect(objectsOf("C43")).toEqual(other);
    // The lock's Lease goes too; C43's stays.
    expect(cluster.getObject("Lease", NS, "sreda-lock-c42")).toBeUndefined();
    expect(cluster.getObject("Lease", NS, "sreda-lock-c43")).toBeDefined();
    // Nothing left: a second run finds nothing and deletes nothing.
    const again = await deprovisionEnvironment(plan, kube, { locks });
    expect(again.steps.map((s) => s.id)).toEqual(["find"]);
  });

  it("completes on a re-run after an interruption", async () => {
    const { cluster, kube, locks, provision, objectsOf } = setup();
    await provision(prodInput());
    const plan = createDeprovisioningPlan({ client: { id: "C42" }, environment: { namespace: NS } });
    const controller = new AbortController();
    const interrupted = deprovisionEnvironment(plan, kube, {
      locks,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "step-succeeded" && e.stepId.startsWith("delete:Ingress")) controller.abort();
      },
    });
    const first = await interrupted;
    expect(first.status).toBe("cancelled");
    expect(Object.keys(objectsOf("C42")).length).toBeGreaterThan(0);
    const second = await deprovisionEnvironment(plan, kube, { locks });
    expect(second.status).toBe("succeeded");
    await cluster.clock.sleep(30_000);
    expect(objectsOf("C42")).toEqual({});
  });

  it("drops the data only when asked: the Deployment stops first, the teardown Jobs run, then everything goes", async () => {
    const { cluster, kube, locks, provision, objectsOf } = setup();
    await provision(prodInput());
    const plan = createDeprovisioningPlan(prodInput(), { dropData: true, confirmClientId: "C42" });
    const result = await deprovisionEnvironment(plan, kube, { locks });
    expect(result.status, JSON.stringify(result.steps.filter((s) => s.outcome === "failed"))).toBe("succeeded");
    const order = result.steps.map((s) => s.id);
    expect(order.slice(0, 2)).toEqual(["find", "delete:Deployment/lms-deployment-c42"]);
    const teardown = ["db-teardown-network-policy", "db-teardown-secret", "clickhouse-teardown-job", "postgres-teardown-job"];
    expect(order.slice(2, 6)).toEqual(teardown);
    expect(result.steps.filter((s) => teardown.includes(s.id)).map((s) => s.outcome)).toEqual(["created", "created", "created", "created"]);
    // The teardown's own objects are the customer's: deleted with the rest.
    expect(order).toContain("delete:Job/postgres-teardown-c42");
    expect(order).toContain("delete:Secret/lms-db-teardown-c42");
    await cluster.clock.sleep(30_000);
    expect(objectsOf("C42")).toEqual({});
  });

  it("refuses to drop data without the customer's id repeated", () => {
    expect(() => createDeprovisioningPlan(prodInput(), { dropData: true })).toThrow(/повторите его идентификатор/);
    expect(() => createDeprovisioningPlan(prodInput(), { dropData: true, confirmClientId: "C43" })).toThrow(/повторите его идентификатор/);
    const plan = createDeprovisioningPlan(prodInput(), { dropData: true, confirmClientId: "C42" });
    expect(plan.teardown.map((s) => s.kind)).toContain("Job");
  });
});
