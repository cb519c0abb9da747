/**
 * A customer's life after provisioning, over HTTP with the fake cluster behind the bridge: suspend and resume (the
 * Deployment at zero and back, the environment Suspended), a provisioning that keeps a suspended customer suspended
 * unless `resume`, deprovisioning (its dry run changes nothing, dropping data needs the id repeated, every object of
 * the customer goes and no other customer's), one operation per customer (409 from this bridge, and from another
 * process's Lease), and a cancelled deprovisioning that a re-run finishes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CUSTOMER_LABEL, SUSPENDED_REPLICAS_ANNOTATION, type Deployment } from "@sreda/sdk";
import type { FakeCluster } from "@sreda/sdk/testing";
import {
  CLUSTER_TOKEN,
  FAKE_CLUSTER_URL,
  provisioningRequest,
  registerRequestSecrets,
  startClusterHarness,
  waitForOperation,
  waitUntil,
  type ClusterHarness,
} from "./support/cluster.js";
import { recordOperations } from "./support/harness.js";
import { LeakScanner } from "./support/leaks.js";

const scanner = new LeakScanner();
registerRequestSecrets(scanner);

let h: ClusterHarness;

beforeAll(async () => {
  h = await startClusterHarness({ scanner });
});

afterAll(async () => {
  recordOperations(h);
  await h.close();
  h.fake.close();
  scanner.expectClean();
});

/** One environment as a status request names it: the body of a suspend or a resume. */
const ref = (clientId: string) => ({
  client: { id: clientId },
  environment: { namespace: "lms-dev", apiRootUrl: FAKE_CLUSTER_URL },
  cluster: { token: CLUSTER_TOKEN },
});

type LifecyclePath = "/v1/environments/suspend" | "/v1/environments/resume" | "/v1/environments/deprovision";

/** POSTs an operation: 202 with its Location under /v1/operations. */
async function start(harness: ClusterHarness, path: LifecyclePath, body: Record<string, unknown>): Promise<any> {
  const res = await harness.client.POST(path, { body: body as never });
  expect(res.response.status, JSON.stringify(res.error)).toBe(202);
  const operation = (res.data as { operation: any }).operation;
  expect(res.response.headers.get("location")).toBe(`/v1/operations/${operation.id}`);
  return operation;
}

/** Starts an operation and reads it through GET /v1/operations/{id} until it is final. */
async function run(harness: ClusterHarness, path: LifecyclePath, body: Record<string, unknown>, advanceMs?: number): Promise<any> {
  const operation = await start(harness, path, body);
  return (await waitForOperation(harness, operation.id, { via: "operations", ...(advanceMs ? { advanceMs, timeoutMs: 60_000 } : {}) })).final;
}

async function provision(harness: ClusterHarness, clientId: string, extra: Record<string, unknown> = {}, advanceMs?: number): Promise<any> {
  const started = await harness.client.POST("/v1/provisionings", { body: { ...provisioningRequest({ clientId }), ...extra } as never });
  expect(started.response.status, JSON.stringify(started.error)).toBe(202);
  const { final } = await waitForOperation(harness, started.data!.operation.id, advanceMs ? { advanceMs, timeoutMs: 60_000 } : {});
  expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
  return final;
}

const deploymentOf = (fake: FakeCluster, clientId: string) => fake.getObject("Deployment", "lms-dev", `lms-deployment-${clientId.toLowerCase()}`) as Deployment;

/** The customer's objects in the namespace (by its label), but its lock's Lease, which outlives it. */
function objectsOf(fake: FakeCluster, clientId: string): Array<{ kind: string; metadata: { name: string; resourceVersion: string } }> {
  return (
    fake.objects({ namespace: "lms-dev" }) as Array<{ kind: string; metadata: { name: string; resourceVersion: string; labels?: Record<string, string> } }>
  ).filter((o) => o.metadata.labels?.[CUSTOMER_LABEL] === clientId && o.kind !== "Lease");
}

/** Every object of the namespace by kind/name → resourceVersion: what "nothing changed" compares. */
function versions(fake: FakeCluster, filter: (o: any) => boolean = () => true): Record<string, string> {
  return Object.fromEntries(
    (fake.objects({ namespace: "lms-dev" }) as any[]).filter(filter).map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]),
  );
}

describe("suspend and resume", () => {
  let replicas: number;

  it("suspend: the Deployment at zero replicas (kept in its annotation), the environment Suspended; resume: back", async () => {
    await provision(h, "C42");
    replicas = deploymentOf(h.fake, "C42").spec!.replicas!;
    expect(replicas).toBeGreaterThan(0);

    const suspended = await run(h, "/v1/environments/suspend", ref("C42"));
    expect(suspended, JSON.stringify(suspended.error)).toMatchObject({
      kind: "suspend",
      status: "succeeded",
      clientId: "C42",
      environment: { phase: "Suspended" },
    });
    expect(suspended.steps).toEqual([expect.objectContaining({ id: "suspend", kind: "Deployment", name: "lms-deployment-c42", status: "updated" })]);
    expect(suspended.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["started", "run-started", "step-started", "step-succeeded", "environment"]),
    );
    expect(deploymentOf(h.fake, "C42").spec!.replicas).toBe(0);
    expect(deploymentOf(h.fake, "C42").metadata!.annotations![SUSPENDED_REPLICAS_ANNOTATION]).toBe(String(replicas));
    // The old address serves every kind too.
    const compat = await h.client.GET("/v1/provisionings/{id}", { params: { path: { id: suspended.id } } });
    expect(compat.data!.operation).toMatchObject({ id: suspended.id, kind: "suspend" });
    const status = await h.client.POST("/v1/environments/status", { body: { environments: [ref("C42")] } });
    expect(status.data!.environments[0]!.status!.phase).toBe("Suspended");

    const resumed = await run(h, "/v1/environments/resume", ref("C42"));
    expect(resumed, JSON.stringify(resumed.error)).toMatchObject({ kind: "resume", status: "succeeded", environment: { phase: "Ready" } });
    expect(resumed.steps).toEqual([expect.objectContaining({ id: "resume", status: "updated" })]);
    expect(deploymentOf(h.fake, "C42").spec!.replicas).toBe(replicas);
    expect(deploymentOf(h.fake, "C42").metadata!.annotations?.[SUSPENDED_REPLICAS_ANNOTATION]).toBeUndefined();
  });

  it("a provisioning keeps a suspended customer suspended; with resume: true it resumes it", async () => {
    expect((await run(h, "/v1/environments/suspend", ref("C42"))).status).toBe("succeeded");
    const kept = await provision(h, "C42");
    expect(kept.environment.phase).toBe("Suspended");
    expect(deploymentOf(h.fake, "C42").spec!.replicas).toBe(0);
    // The diff says the same: no change while suspended, replicas back only with resume.
    const diff = async (resume: boolean) =>
      (await h.client.POST("/v1/plans", { body: { ...provisioningRequest(), diff: true, resume } as never })).data!.diff!.find(
        (d) => d.stepId === "lms-deployment",
      );
    expect((await diff(false))?.action).toBe("unchanged");
    expect(await diff(true)).toMatchObject({ action: "change", changedPaths: ["$.spec.replicas"] });

    const resumed = await provision(h, "C42", { resume: true });
    expect(resumed.environment.phase).toBe("Ready");
    expect(deploymentOf(h.fake, "C42").spec!.replicas).toBe(replicas);
    expect(deploymentOf(h.fake, "C42").metadata!.annotations?.[SUSPENDED_REPLICAS_ANNOTATION]).toBeUndefined();
  });

  it("a customer never provisioned: the suspend fails at its step, the cluster untouched", async () => {
    const before = versions(h.fake);
    const final = await run(h, "/v1/environments/suspend", ref("C49"));
    expect(final).toMatchObject({ status: "failed", error: { code: "APPLY_FAILED", details: { stepId: "suspend", reason: "NotFound" } } });
    expect(versions(h.fake, (o) => o.kind !== "Lease")).toEqual(Object.fromEntries(Object.entries(before).filter(([k]) => !k.startsWith("Lease/"))));
  });

  it("422 for a body without the cluster, nothing recorded", async () => {
    const kept = h.operations.size;
    const { cluster: _cluster, ...body } = ref("C42");
    const res = await h.client.POST("/v1/environments/suspend", { body: body as never });
    expect(res.response.status).toBe(422);
    expect(res.error!.details.problems!.map((p) => p.path)).toEqual(["cluster"]);
    expect(h.operations.size).toBe(kept);
  });
});

describe("deprovision", () => {
  const deprovision = (clientId: string, extra: Record<string, unknown> = {}) => ({ ...provisioningRequest({ clientId }), ...extra });

  it("dryRun lists every object of the customer in deletion order, and changes nothing", async () => {
    await provision(h, "C43");
    const before = versions(h.fake);
    const operations = h.operations.size;

    const res = await h.client.POST("/v1/environments/deprovision", { body: deprovision("C43", { dryRun: true }) as never });
    expect(res.response.status, JSON.stringify(res.error)).toBe(200);
    const preview = res.data as { dropData: boolean; objects: Array<{ kind: string; name: string }>; teardown: Array<{ id: string }> };
    expect(preview.dropData).toBe(false);
    expect(preview.teardown).toEqual([]);
    const kinds = preview.objects.map((o) => o.kind);
    expect(kinds[0]).toBe("Deployment");
    expect(kinds.at(-1)).toBe("Secret");
    expect(kinds).toEqual(expect.arrayContaining(["Service", "Ingress", "Job", "ConfigMap"]));
    expect(preview.objects.map((o) => `${o.kind}/${o.name}`).sort()).toEqual(
      objectsOf(h.fake, "C43")
        .filter((o) => !["Pod", "ReplicaSet"].includes(o.kind))
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    );

    // Dropping data too: the teardown steps are listed, still nothing is done.
    const withData = await h.client.POST("/v1/environments/deprovision", {
      body: deprovision("C43", { dryRun: true, dropData: true, confirmClientId: "C43" }) as never,
    });
    expect(withData.response.status, JSON.stringify(withData.error)).toBe(200);
    const teardown = (withData.data as { teardown: Array<{ id: string; kind: string }> }).teardown;
    expect(teardown.map((t) => t.id)).toEqual(expect.arrayContaining(["db-teardown-secret", "postgres-teardown-job", "clickhouse-teardown-job"]));

    expect(versions(h.fake)).toEqual(before);
    expect(h.operations.size).toBe(operations);
  });

  it("dropData without the id repeated, with another id, or without the databases: 422 naming the field, nothing done", async () => {
    const before = versions(h.fake);
    const operations = h.operations.size;
    const problems = async (body: Record<string, unknown>) => {
      const res = await h.client.POST("/v1/environments/deprovision", { body: body as never });
      expect(res.response.status).toBe(422);
      expect(res.error!.code).toBe("INVALID_INPUT");
      return res.error!.details.problems!.map((p) => p.path);
    };
    expect(await problems(deprovision("C43", { dropData: true }))).toEqual(["confirmClientId"]);
    expect(await problems(deprovision("C43", { dropData: true, confirmClientId: "C44" }))).toEqual(["confirmClientId"]);
    expect(await problems(deprovision("C43", { dropData: true, confirmClientId: "c43" }))).toEqual(["confirmClientId"]);
    expect(await problems(deprovision("C43", { dropData: true, confirmClientId: "C44", dryRun: true }))).toEqual(["confirmClientId"]);
    const { databases: _databases, ...withoutDatabases } = deprovision("C43", { dropData: true, confirmClientId: "C43" });
    expect(await problems(withoutDatabases)).toEqual(["databases"]);
    expect(versions(h.fake)).toEqual(before);
    expect(h.operations.size).toBe(operations);
  });

  it("deletes every object of the customer, its databases first when asked; another customer's objects untouched", async () => {
    await provision(h, "C44");
    const other = versions(h.fake, (o) => o.metadata.labels?.[CUSTOMER_LABEL] === "C44");
    expect(Object.keys(other).length).toBeGreaterThan(5);
    expect(objectsOf(h.fake, "C43").length).toBeGreaterThan(5);

    const final = await run(h, "/v1/environments/deprovision", deprovision("C43", { dropData: true, confirmClientId: "C43" }));
    expect(final, JSON.stringify(final.error)).toMatchObject({ kind: "deprovision", status: "succeeded", environment: null });
    const steps = final.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`);
    // The steps were found while it ran: the search, the Deployment, the teardown, then everything else.
    expect(steps[0]).toBe("find:unchanged");
    expect(steps[1]).toBe("delete:Deployment/lms-deployment-c43:deleted");
    expect(steps).toEqual(expect.arrayContaining(["db-teardown-secret:created", "postgres-teardown-job:created", "clickhouse-teardown-job:created"]));
    const deletions = final.steps.filter((s: { id: string }) => s.id.startsWith("delete:"));
    expect(deletions.length).toBeGreaterThan(8);
    expect(deletions.every((s: { status: string }) => s.status === "deleted")).toBe(true);
    expect(deletions.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(["delete:Job/postgres-teardown-c43", "delete:Secret/lms-db-teardown-c43"]),
    );

    expect(objectsOf(h.fake, "C43")).toEqual([]);
    expect(versions(h.fake, (o) => o.metadata.labels?.[CUSTOMER_LABEL] === "C44")).toEqual(other);
    const again = await h.client.POST("/v1/environments/deprovision", { body: deprovision("C43", { dryRun: true }) as never });
    expect((again.data as { objects: unknown[] }).objects).toEqual([]);
  });
});

describe("a customer held by another process (its Lease)", () => {
  const micro = (ms: number) => new Date(ms).toISOString().replace(/Z$/, "000Z");
  const holdLease = (clientId: string, renewedAgoMs: number) => {
    const now = h.fake.clock.now();
    h.fake.putObject({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: `sreda-lock-${clientId.toLowerCase()}`, namespace: "lms-dev", annotations: { "sreda.io/operation": "удаление среды" } },
      spec: {
        holderIdentity: "sreda-cli@ops-laptop-4242",
        leaseDurationSeconds: 30,
        acquireTime: micro(now - renewedAgoMs - 5_000),
        renewTime: micro(now - renewedAgoMs),
        leaseTransitions: 0,
      },
    });
  };

  it("answers the POST itself: 409 OPERATION_IN_PROGRESS with who, doing what, since when; nothing recorded", async () => {
    holdLease("C50", 1_000);
    const operations = h.operations.size;
    for (const [path, body] of [
      ["/v1/environments/suspend", ref("C50")],
      ["/v1/environments/resume", ref("C50")],
      ["/v1/environments/deprovision", provisioningRequest({ clientId: "C50" })],
      ["/v1/provisionings", provisioningRequest({ clientId: "C50" })],
    ] as const) {
      const res = await h.client.POST(path, { body: body as never });
      expect(res.response.status, path).toBe(409);
      expect(res.error).toMatchObject({
        code: "OPERATION_IN_PROGRESS",
        details: { holder: "sreda-cli@ops-laptop-4242", operation: "удаление среды", since: expect.stringMatching(/^2026-/) },
      });
      expect(res.error!.message).toMatch(
        /^Для клиента C50 в lms-dev уже выполняется удаление среды: sreda-cli@ops-laptop-4242, с 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
      );
    }
    expect(h.operations.size).toBe(operations);
  });

  it("a Lease that looks expired but is still held when the run takes the lock: the run fails with the same code", async () => {
    // Renewed long ago by its own record, so the POST's check lets it through; the SDK judges expiry by what it has
    // seen itself (this is its first look), so the run's lock finds it held and refuses at once.
    holdLease("C51", 10 * 60_000);
    const final = await run(h, "/v1/environments/suspend", ref("C51"));
    expect(final).toMatchObject({
      status: "failed",
      error: { code: "OPERATION_IN_PROGRESS", details: { holder: "sreda-cli@ops-laptop-4242", operation: "удаление среды" } },
    });
  });
});

describe("on a clock that stands still", () => {
  let manual: ClusterHarness;

  beforeAll(async () => {
    // A manual clock: a run stops wherever it waits on time, for as long as the test needs.
    manual = await startClusterHarness({ scanner, manualClock: true });
    await provision(manual, "C60", {}, 1_000);
  });

  afterAll(async () => {
    recordOperations(manual);
    await manual.close();
    manual.fake.close();
  });

  it("a second POST for the customer while one runs: 409 naming the running one; another customer is not held up", async () => {
    // The suspend's read of the Deployment waits 4 s of the clock (within the client's 5 s timeout).
    const release = manual.fake.addFault({ match: { method: "GET", kind: "Deployment" }, times: 1, action: { type: "latency", ms: 4_000 } });
    const first = await start(manual, "/v1/environments/suspend", ref("C60"));
    await waitUntil(manual, first.id, (op) => op.status === "running");
    for (const [path, body] of [
      ["/v1/environments/resume", ref("C60")],
      ["/v1/environments/suspend", ref("C60")],
      ["/v1/environments/deprovision", provisioningRequest({ clientId: "C60" })],
      ["/v1/provisionings", provisioningRequest({ clientId: "C60" })],
    ] as const) {
      const res = await manual.client.POST(path, { body: body as never });
      expect(res.response.status, path).toBe(409);
      expect(res.error).toMatchObject({
        code: "PROVISIONING_IN_PROGRESS",
        details: { operationId: first.id, kind: "suspend", location: `/v1/operations/${first.id}` },
      });
      expect(res.error!.message).toBe(`Для клиента C60 в lms-dev уже выполняется приостановка ${first.id}`);
    }
    const status = await manual.client.POST("/v1/environments/status", { body: { environments: [ref("C60")] } });
    expect(status.data!.environments[0]!.operationId).toBe(first.id);
    const other = await manual.client.POST("/v1/environments/suspend", { body: ref("C61") as never });
    expect(other.response.status).toBe(202);

    const { final } = await waitForOperation(manual, first.id, { via: "operations", advanceMs: 1_000, timeoutMs: 60_000 });
    expect(final, JSON.stringify(final.error)).toMatchObject({ status: "succeeded", environment: { phase: "Suspended" } });
    await waitForOperation(manual, other.data!.operation.id, { advanceMs: 1_000 });
    release();
  });

  it("cancel stops a running deprovisioning where it is; a re-run deletes the rest", async () => {
    // The Secrets go last: the first one's deletion waits 4 s of the clock, so the run is caught half-way.
    const release = manual.fake.addFault({ match: { method: "DELETE", kind: "Secret" }, times: 1, action: { type: "latency", ms: 4_000 } });
    const started = await start(manual, "/v1/environments/deprovision", provisioningRequest({ clientId: "C60" }));
    const id = started.id;
    const deletingSecret = (op: any) => op.steps.some((s: { id: string; status: string }) => s.id.startsWith("delete:Secret/") && s.status === "running");
    for (let i = 0; i < 600 && !deletingSecret(manual.operations.peek(id)); i++) await manual.fake.clock.advance(100);
    const caught = manual.operations.peek(id)!;
    expect(caught.status).toBe("running");
    expect(caught.steps.filter((s) => s.status === "deleted").map((s) => s.kind)).toContain("Deployment");

    const cancel = await manual.client.POST("/v1/operations/{id}/cancel", { params: { path: { id } } });
    expect(cancel.response.status).toBe(202);
    const { final } = await waitForOperation(manual, id, { via: "operations", advanceMs: 1_000, timeoutMs: 60_000 });
    expect(final.status).toBe("cancelled");
    expect(final.events.map((e: { type: string }) => e.type)).toContain("cancel-requested");
    expect(final.steps.some((s: { status: string }) => s.status === "deleted")).toBe(true);
    const left = objectsOf(manual.fake, "C60").map((o) => o.kind);
    expect(left).toContain("Secret");
    expect(left).not.toContain("Deployment");
    const again = await manual.client.POST("/v1/operations/{id}/cancel", { params: { path: { id } } });
    expect(again.response.status).toBe(409);
    expect(again.error!.code).toBe("OPERATION_FINISHED");
    release();

    const rerun = await run(manual, "/v1/environments/deprovision", provisioningRequest({ clientId: "C60" }), 1_000);
    expect(rerun.status, JSON.stringify(rerun.error)).toBe("succeeded");
    expect(rerun.steps.filter((s: { id: string }) => s.id.startsWith("delete:")).every((s: { status: string }) => s.status === "deleted")).toBe(true);
    expect(objectsOf(manual.fake, "C60")).toEqual([]);
  });
});
