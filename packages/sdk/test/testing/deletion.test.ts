import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster } from "../../src/testing/index.js";
import { call, eventually, fixture, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = createFakeCluster();
  for (const name of ["configmap-lms-config-c42", "secret-lms-secrets-c42", "secret-rsa-c42"]) {
    const body = fixture(name);
    await call(cluster, "POST", body.kind === "Secret" ? paths.secrets() : paths.configmaps(), body);
  }
  await call(cluster, "POST", paths.deployments(), fixture("deployment-lms-c42"));
  await eventually(cluster, async () => (await call(cluster, "GET", `${paths.deployments()}/lms-deployment-c42`)).body.status?.readyReplicas === 1);
});
afterEach(() => cluster.close());

const count = async (path: string): Promise<number> => (await call(cluster, "GET", path)).body.items.length;

describe("deletion and garbage collection", () => {
  it("Foreground: the owner waits, with its finalizer, until its dependents are gone", async () => {
    const answer = await call(cluster, "DELETE", `${paths.deployments()}/lms-deployment-c42`, { propagationPolicy: "Foreground" });
    // 200 with the object (202 is only for the legacy orphanDependents=false).
    expect(answer.status).toBe(200);
    // Being deleted bumps the generation (rest.BeforeDelete / markAsDeleting): its controllers should stop acting.
    expect(answer.body.metadata).toMatchObject({ deletionTimestamp: expect.any(String), finalizers: ["foregroundDeletion"], generation: 2 });
    await cluster.settle();
    // The ReplicaSet waits for its pod, which terminates gracefully; the Deployment waits for the ReplicaSet.
    expect((await call(cluster, "GET", `${paths.deployments()}/lms-deployment-c42`)).status).toBe(200);
    await eventually(cluster, async () => (await call(cluster, "GET", `${paths.deployments()}/lms-deployment-c42`)).status === 404);
    expect(await count(paths.replicasets())).toBe(0);
    expect(await count(paths.pods())).toBe(0);
  });

  it("Orphan: dependents stay, without the ownerReference", async () => {
    await call(cluster, "DELETE", `${paths.deployments()}/lms-deployment-c42`, undefined, { query: { propagationPolicy: "Orphan" } });
    await cluster.settle();
    expect((await call(cluster, "GET", `${paths.deployments()}/lms-deployment-c42`)).status).toBe(404);
    const rs: Json = (await call(cluster, "GET", paths.replicasets())).body.items[0];
    expect(rs.metadata.ownerReferences).toBeUndefined();
    expect(await count(paths.pods())).toBe(1);
  });

  it("orphans a Job's pods when the delete says nothing, with the Job registry's Warning; says nothing when told", async () => {
    await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    await eventually(cluster, async () => (await count(`${paths.pods()}?labelSelector=job-name%3Dpostgres-setup-c42`)) === 1);
    const answer = await call(cluster, "DELETE", `${paths.jobs()}/postgres-setup-c42`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("warning")).toBe(
      '299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"',
    );
    expect(answer.body.metadata).toMatchObject({ finalizers: ["orphan"], generation: 2 });
    await cluster.settle();
    const pods: Json[] = (await call(cluster, "GET", `${paths.pods()}?labelSelector=job-name%3Dpostgres-setup-c42`)).body.items;
    expect(pods.map((p) => p.metadata.ownerReferences)).toEqual([undefined]);

    await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    const told = await call(cluster, "DELETE", `${paths.jobs()}/postgres-setup-c42`, undefined, { query: { propagationPolicy: "Background" } });
    expect(told.headers.get("warning")).toBeNull();
  });

  it("deletes a namespace's content, refuses new content meanwhile, then the namespace itself", async () => {
    const answer = await call(cluster, "DELETE", "/api/v1/namespaces/lms-dev");
    expect(answer.status).toBe(200);
    expect(answer.body.status.phase).toBe("Terminating");
    const refused = await call(cluster, "POST", paths.configmaps(), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late" } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('configmaps "late" is forbidden: unable to create new content in namespace lms-dev because it is being terminated');
    await eventually(cluster, async () => (await call(cluster, "GET", "/api/v1/namespaces/lms-dev")).status === 404);
    expect(cluster.objects({ namespace: "lms-dev" })).toEqual([]);
  });

  it("deletes a pod gracefully: deletionTimestamp first, gone once the kubelet stopped it", async () => {
    const pod: Json = (await call(cluster, "GET", paths.pods())).body.items[0];
    const answer = await call(cluster, "DELETE", `${paths.pods()}/${pod.metadata.name}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ kind: "Pod", metadata: { deletionGracePeriodSeconds: 30, deletionTimestamp: expect.any(String) } });
    await eventually(cluster, async () => (await call(cluster, "GET", `${paths.pods()}/${pod.metadata.name}`)).status === 404);
    // The ReplicaSet replaces it.
    await eventually(cluster, async () => (await count(paths.pods())) === 1);
  });
});
