import { afterEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster, type FakeClusterOptions } from "../../src/testing/index.js";
import { call, eventually, fixture, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
afterEach(() => cluster.close());

const url = `${paths.deployments()}/lms-deployment-c42`;
const merge = { contentType: "application/merge-patch+json" };

async function deployC42(options: FakeClusterOptions = {}, edit: (d: Json) => void = () => undefined): Promise<void> {
  cluster = createFakeCluster(options);
  for (const name of ["configmap-lms-config-c42", "secret-lms-secrets-c42", "secret-rsa-c42"]) {
    const body = fixture(name);
    const path = body.kind === "Secret" ? paths.secrets() : paths.configmaps();
    expect((await call(cluster, "POST", path, body)).status).toBe(201);
  }
  const deployment = fixture("deployment-lms-c42");
  edit(deployment);
  expect((await call(cluster, "POST", paths.deployments(), deployment)).status).toBe(201);
}

const get = async (): Promise<Json> => (await call(cluster, "GET", url)).body;
const condition = (d: Json, type: string): Json | undefined => d.status?.conditions?.find((c: Json) => c.type === type);
const complete = async (): Promise<Json | undefined> => {
  const d = await get();
  return condition(d, "Progressing")?.reason === "NewReplicaSetAvailable" && d.status.observedGeneration === d.metadata.generation ? d : undefined;
};
const replicaSets = async (): Promise<Json[]> => (await call(cluster, "GET", paths.replicasets())).body.items;
const pods = async (): Promise<Json[]> => (await call(cluster, "GET", paths.pods(), undefined, { query: { labelSelector: "app=C42-lms" } })).body.items;

describe("Deployment controller", () => {
  it("rolls the C42 deployment out to Available with the real counters and conditions", async () => {
    await deployC42();
    const d = await eventually(cluster, complete);
    expect(d.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1" });
    expect(d.status).toEqual({
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      // 1.35 (DeploymentReplicaSetTerminatingReplicas): written even when 0.
      terminatingReplicas: 0,
      conditions: [
        {
          type: "Available",
          status: "True",
          lastUpdateTime: expect.any(String),
          lastTransitionTime: expect.any(String),
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        },
        {
          type: "Progressing",
          status: "True",
          lastUpdateTime: expect.any(String),
          lastTransitionTime: expect.any(String),
          reason: "NewReplicaSetAvailable",
          message: expect.stringMatching(/^ReplicaSet "lms-deployment-c42-[bcdfghjklmnpqrstvwxz2456789]+" has successfully progressed\.$/),
        },
      ],
    });
    const rs = (await replicaSets())[0]!;
    const hash = rs.metadata.labels["pod-template-hash"];
    expect(rs.metadata.name).toBe(`lms-deployment-c42-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: "C42-lms", "pod-template-hash": hash });
    expect(rs.metadata.annotations).toMatchObject({
      "deployment.kubernetes.io/revision": "1",
      "deployment.kubernetes.io/desired-replicas": "1",
      "deployment.kubernetes.io/max-replicas": "2",
    });
    expect(rs.status).toEqual({ replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, terminatingReplicas: 0, observedGeneration: 1 });
    const pod = (await pods())[0]!;
    expect(pod.metadata.name).toMatch(new RegExp(`^${rs.metadata.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    expect(pod.status.conditions.map((c: Json) => [c.type, c.status])).toEqual([
      ["PodReadyToStartContainers", "True"],
      ["Initialized", "True"],
      ["Ready", "True"],
      ["ContainersReady", "True"],
      ["PodScheduled", "True"],
    ]);
    // The readiness probe's initialDelaySeconds (5 s) delays Ready.
    const started = Date.parse(pod.status.containerStatuses[0].state.running.startedAt);
    const ready = Date.parse(pod.status.conditions.find((c: Json) => c.type === "Ready").lastTransitionTime);
    expect(ready - started).toBeGreaterThanOrEqual(5_000);
    const reasons = (await call(cluster, "GET", paths.events(), undefined, { query: { fieldSelector: "involvedObject.kind=Deployment" } })).body.items.map(
      (e: Json) => e.message,
    );
    expect(reasons).toEqual([`Scaled up replica set ${rs.metadata.name} from 0 to 1`]);
  });

  it("reports an unavailable deployment while its pods start (maxUnavailable 25% of 2 = 0)", async () => {
    await deployC42({}, (d) => {
      d.spec.replicas = 2;
      delete d.spec.strategy;
    });
    const d = await get();
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, unavailableReplicas: 2 });
    expect(d.status.readyReplicas).toBeUndefined();
    expect(d.status.availableReplicas).toBeUndefined();
    expect(condition(d, "Available")).toMatchObject({
      status: "False",
      reason: "MinimumReplicasUnavailable",
      message: "Deployment does not have minimum availability.",
    });
    expect(condition(d, "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated" });
    const done = await eventually(cluster, complete);
    expect(done.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(done.status.unavailableReplicas).toBeUndefined();
  });

  it("rolls a template change out through a new ReplicaSet", async () => {
    await deployC42();
    await eventually(cluster, complete);
    const oldRs = (await replicaSets())[0]!;
    const patch = { spec: { template: { spec: { containers: [{ name: "lms", image: "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:v2" }] } } } };
    const patched = await call(cluster, "PATCH", url, patch, { contentType: "application/strategic-merge-patch+json" });
    expect(patched.body.metadata.generation).toBe(2);
    const d = await eventually(cluster, complete);
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    const sets = await replicaSets();
    expect(sets).toHaveLength(2);
    const newRs = sets.find((rs) => rs.metadata.name !== oldRs.metadata.name)!;
    expect(newRs.spec.replicas).toBe(1);
    expect(sets.find((rs) => rs.metadata.name === oldRs.metadata.name)!.spec.replicas).toBe(0);
    await eventually(cluster, async () => (await pods()).length === 1);
    const pod = (await pods())[0]!;
    expect(pod.spec.containers[0].image).toBe("registry.gitlab.corp.rarus.cloud/rarus-lms/backend:v2");
  });

  it("marks Progressing False with ProgressDeadlineExceeded when pods never become ready", async () => {
    await deployC42({}, (d) => {
      d.spec.progressDeadlineSeconds = 60;
      d.spec.template.spec.containers[0].image = "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:never-ready";
    });
    const d = await eventually(cluster, async () => {
      const current = await get();
      return condition(current, "Progressing")?.status === "False" ? current : undefined;
    });
    expect(condition(d, "Progressing")).toMatchObject({
      reason: "ProgressDeadlineExceeded",
      message: expect.stringMatching(/^ReplicaSet "lms-deployment-c42-\w+" has timed out progressing\.$/),
    });
    const events = (await call(cluster, "GET", paths.events(), undefined, { query: { fieldSelector: "reason=Unhealthy" } })).body.items;
    expect(events[0].message).toMatch(/^Readiness probe failed: dial tcp 10\.42\.\d+\.\d+:8080: connect: connection refused$/);
    expect(events[0].count).toBeGreaterThan(1);
  });

  it("deletes ReplicaSets and pods with the Deployment (Background propagation)", async () => {
    await deployC42();
    await eventually(cluster, complete);
    const answer = await call(cluster, "DELETE", url);
    expect(answer.body).toMatchObject({ kind: "Status", status: "Success" });
    await cluster.settle();
    expect(await replicaSets()).toEqual([]);
    // Running pods terminate gracefully first.
    const terminating = await pods();
    expect(terminating).toHaveLength(1);
    expect(terminating[0]!.metadata.deletionTimestamp).toBeDefined();
    await eventually(cluster, async () => (await pods()).length === 0);
  });

  it("scales with spec.replicas", async () => {
    await deployC42();
    await eventually(cluster, complete);
    await call(cluster, "PATCH", url, { spec: { replicas: 3 } }, merge);
    const d = await eventually(cluster, async () => {
      const current = await complete();
      return current?.status.availableReplicas === 3 ? current : undefined;
    });
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3 });
    await call(cluster, "PATCH", url, { spec: { replicas: 0 } }, merge);
    await eventually(cluster, async () => (await pods()).length === 0);
    const scaledDown = await get();
    expect(scaledDown.status.replicas).toBeUndefined();
  });
});
