/**
 * The fleet over HTTP with the fake cluster behind the bridge: the inventory of a namespace (orphans, missing ones)
 * in list requests only; drift finds a change made behind Sreda's back; a rollout as an operation with per-customer
 * progress — every customer converged, a customer without an environment left out, an image that cannot be pulled
 * stopped after the canary with the rest untouched; pause, resume and cancel; bad input refused with field paths.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deployment } from "@sreda/sdk";
import {
  CLUSTER_TOKEN,
  FAKE_CLUSTER_URL,
  provisioningRequest,
  registerRequestSecrets,
  startClusterHarness,
  waitForOperation,
  type ClusterHarness,
} from "./support/cluster.js";
import { recordOperations } from "./support/harness.js";
import { LeakScanner } from "./support/leaks.js";

const scanner = new LeakScanner();
registerRequestSecrets(scanner);

let h: ClusterHarness;
const CUSTOMERS = ["C1", "C2", "C3", "C4"];

beforeAll(async () => {
  h = await startClusterHarness({ scanner });
  for (const clientId of CUSTOMERS) {
    const started = await h.client.POST("/v1/provisionings", { body: provisioningRequest({ clientId }) as never });
    expect(started.response.status, JSON.stringify(started.error)).toBe(202);
    const { final } = await waitForOperation(h, started.data!.operation.id);
    expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
  }
}, 60_000);

afterAll(async () => {
  recordOperations(h);
  await h.close();
  h.fake.close();
  scanner.expectClean();
});

/** The fleet body: the shared settings once, then the customers (their own fields only, no secrets). */
function fleet(customers: string[], image?: string): Record<string, any> {
  const { client, secrets: _secrets, environment, ...shared } = provisioningRequest();
  return {
    ...shared,
    environment: image ? { ...environment, dockerImage: image } : environment,
    customers: customers.map((id) => ({ client: { ...client, id } })),
  };
}

const imageOf = (clientId: string) =>
  (h.fake.getObject("Deployment", "lms-dev", `lms-deployment-${clientId.toLowerCase()}`) as Deployment | undefined)?.spec?.template.spec?.containers[0]?.image;

async function rollout(body: Record<string, any>): Promise<any> {
  const res = await h.client.POST("/v1/fleet/rollouts", { body: body as never });
  expect(res.response.status, JSON.stringify(res.error)).toBe(202);
  const operation = res.data!.operation;
  expect(res.response.headers.get("location")).toBe(`/v1/operations/${operation.id}`);
  expect(operation).toMatchObject({ kind: "rollout", clientId: "", namespace: "lms-dev" });
  return operation;
}

describe("inventory", () => {
  it("names every environment with its phase and image; orphans and missing ones against 1C's list; lists only", async () => {
    h.fake.clearRequestLog();
    const res = await h.client.POST("/v1/fleet/inventory", {
      body: { environment: { namespace: "lms-dev", apiRootUrl: FAKE_CLUSTER_URL }, cluster: { token: CLUSTER_TOKEN }, clientIds: ["C1", "C2", "C9"] },
    });
    expect(res.response.status, JSON.stringify(res.error)).toBe(200);
    const inventory = res.data!;
    expect(inventory.environments.map((e) => [e.clientId, e.phase])).toEqual(CUSTOMERS.map((id) => [id, "Ready"]));
    expect(inventory.environments[0]!.image).toBe(imageOf("C1"));
    expect(inventory.orphans).toEqual(["C3", "C4"]);
    expect(inventory.missing).toEqual(["C9"]);
    expect(h.fake.requestLog.every((r) => r.verb === "list")).toBe(true);
  });
});

describe("drift", () => {
  it("finds a ConfigMap changed by hand, for its customer only, without a secret in the answer", async () => {
    const config = h.fake.getObject("ConfigMap", "lms-dev", "lms-config-c2") as { data: Record<string, string> };
    h.fake.putObject({ ...config, data: { ...config.data, LMS_SERVER_DEBUG: "true" } });
    const res = await h.client.POST("/v1/fleet/drift", { body: fleet(CUSTOMERS) as never });
    expect(res.response.status, JSON.stringify(res.error)).toBe(200);
    expect(res.data!.drifted).toBe(1);
    expect(res.data!.notChecked).toEqual([]);
    expect(res.data!.customers.map((d) => [d.clientId, d.drifted])).toEqual([
      ["C1", false],
      ["C2", true],
      ["C3", false],
      ["C4", false],
    ]);
    expect(res.data!.customers[1]!.objects).toEqual([
      { stepId: "lms-config", kind: "ConfigMap", name: "lms-config-c2", action: "change", changedPaths: ["$.data.LMS_SERVER_DEBUG"] },
    ]);
    scanner.record("drift answer", JSON.stringify(res.data));
  });
});

describe("drift of a customer that cannot be compared", () => {
  it("lists it apart with why (its stored secret fails validation), the others compared", async () => {
    const secret = h.fake.getObject("Secret", "lms-dev", "lms-secrets-c4") as { data: Record<string, string> };
    // The seed 1C never sent, read back from the cluster: a value that fails validation is never silently replaced.
    h.fake.putObject({ ...secret, data: { ...secret.data, LMS_KEYS_SECRET_SEED: Buffer.from("not a seed").toString("base64") } });
    try {
      const res = await h.client.POST("/v1/fleet/drift", { body: fleet(["C1", "C4"]) as never });
      expect(res.response.status, JSON.stringify(res.error)).toBe(200);
      expect(res.data!.customers.map((d) => d.clientId)).toEqual(["C1"]);
      expect(res.data!.notChecked).toEqual([{ clientId: "C4", message: expect.stringMatching(/lms-secrets-c4/) }]);
    } finally {
      h.fake.putObject(secret);
    }
  });
});

describe("rollouts", () => {
  it("rolls a new image out to every customer with progress per customer; a customer without an environment is left out untouched", async () => {
    const image = "registry.example/lms/backend:2.0";
    const operation = await rollout({ ...fleet([...CUSTOMERS, "C9"], image), canary: 1, concurrency: 2, maxFailures: 1 });
    expect(operation.rollout).toMatchObject({ canary: 1, concurrency: 2, maxFailures: 1, paused: false, summary: { total: 5, pending: 5 } });
    const { final, seen } = await waitForOperation(h, operation.id, { via: "operations", timeoutMs: 60_000 });
    expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
    expect(final.rollout.customers.map((c: any) => [c.clientId, c.state])).toEqual([
      ["C1", "succeeded"],
      ["C2", "succeeded"],
      ["C3", "succeeded"],
      ["C4", "succeeded"],
      ["C9", "not-started"],
    ]);
    expect(final.rollout.customers[4].message).toMatch(/среды клиента нет в кластере/);
    expect(final.rollout.summary).toMatchObject({ total: 5, succeeded: 4, notStarted: 1, pending: 0, running: 0, failed: 0 });
    expect(seen.some((op) => op.rollout.summary.running > 0)).toBe(true);
    for (const id of CUSTOMERS) expect(imageOf(id)).toBe(image);
    expect(imageOf("C9")).toBeUndefined();
    // The ConfigMap changed by hand is back as 1C holds it.
    expect((h.fake.getObject("ConfigMap", "lms-dev", "lms-config-c2") as { data: Record<string, string> }).data["LMS_SERVER_DEBUG"]).not.toBe("true");

    // A re-run: everyone up to date, nothing written.
    h.fake.clearRequestLog();
    const again = await waitForOperation(h, (await rollout({ ...fleet(CUSTOMERS, image) })).id, { via: "operations", timeoutMs: 60_000 });
    expect(again.final.rollout.summary).toMatchObject({ upToDate: 4, succeeded: 0 });
    expect(h.fake.requestLog.filter((r) => r.verb !== "list" && r.verb !== "get" && r.verb !== "watch")).toEqual([]);
  });

  it("an image that cannot be pulled stops after the canary: the operation fails with the reason, the rest untouched", async () => {
    const before = CUSTOMERS.map(imageOf);
    const operation = await rollout({ ...fleet(CUSTOMERS, "registry.example/lms/backend:does-not-exist"), canary: 1, concurrency: 2 });
    const { final } = await waitForOperation(h, operation.id, { via: "operations", timeoutMs: 60_000 });
    expect(final.status).toBe("failed");
    expect(final.error).toMatchObject({ code: "ROLLOUT_STOPPED", message: expect.stringMatching(/первая волна/) });
    expect(final.rollout.customers.map((c: any) => c.state)).toEqual(["failed", "not-started", "not-started", "not-started"]);
    expect(final.rollout.customers[0].message).toMatch(/does-not-exist|ImagePull|ErrImagePull/);
    expect(final.rollout.stopReason).toMatch(/первая волна/);
    expect(CUSTOMERS.slice(1).map(imageOf)).toEqual(before.slice(1));
  });

  it("pause holds new starts, resume goes on; cancel leaves every customer in a known state; only a rollout pauses", async () => {
    const operation = await rollout({ ...fleet(CUSTOMERS, "registry.example/lms/backend:3.0"), canary: 0, concurrency: 1 });
    const paused = await h.client.POST("/v1/operations/{id}/pause", { params: { path: { id: operation.id } } });
    expect(paused.response.status).toBe(202);
    expect(paused.data!.operation.rollout!.paused).toBe(true);
    const resumed = await h.client.POST("/v1/operations/{id}/resume", { params: { path: { id: operation.id } } });
    expect(resumed.data!.operation.rollout!.paused).toBe(false);
    const { final } = await waitForOperation(h, operation.id, { via: "operations", timeoutMs: 60_000 });
    expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
    expect(final.events.map((e: any) => e.type)).toEqual(expect.arrayContaining(["pause-requested", "resume-requested"]));

    const cancelled = await rollout({ ...fleet(CUSTOMERS, "registry.example/lms/backend:4.0"), canary: 1, concurrency: 1 });
    await h.client.POST("/v1/operations/{id}/cancel", { params: { path: { id: cancelled.id } } });
    const end = (await waitForOperation(h, cancelled.id, { via: "operations", timeoutMs: 60_000 })).final;
    expect(end.status).toBe("cancelled");
    for (const c of end.rollout.customers) expect(["succeeded", "failed", "cancelled", "not-started", "up-to-date"]).toContain(c.state);

    const again = await h.client.POST("/v1/operations/{id}/pause", { params: { path: { id: cancelled.id } } });
    expect(again.response.status).toBe(409);
    expect(again.error!.code).toBe("OPERATION_FINISHED");
    const provisioning = await h.client.POST("/v1/provisionings", { body: provisioningRequest({ clientId: "C1" }) as never });
    const notPausable = await h.client.POST("/v1/operations/{id}/pause", { params: { path: { id: provisioning.data!.operation.id } } });
    expect(notPausable.response.status).toBe(409);
    expect(notPausable.error!.code).toBe("OPERATION_NOT_PAUSABLE");
    await waitForOperation(h, provisioning.data!.operation.id);
  });

  it("customers none of whom has an environment: nothing to roll out (NO_ENVIRONMENTS), nothing created", async () => {
    const operation = await rollout(fleet(["C97", "C98"]));
    const { final } = await waitForOperation(h, operation.id, { via: "operations", timeoutMs: 60_000 });
    expect(final.status).toBe("failed");
    expect(final.error).toMatchObject({ code: "NO_ENVIRONMENTS", details: { leftOut: ["C97", "C98"] } });
    expect(final.rollout.summary).toMatchObject({ total: 2, notStarted: 2 });
    expect(imageOf("C97")).toBeUndefined();
  });

  it("one rollout per namespace at a time: a second one is refused with the first named", async () => {
    const first = await rollout({ ...fleet(CUSTOMERS, "registry.example/lms/backend:5.0"), canary: 0, concurrency: 1 });
    const second = await h.client.POST("/v1/fleet/rollouts", { body: fleet(CUSTOMERS, "registry.example/lms/backend:6.0") as never });
    expect(second.response.status).toBe(409);
    expect(second.error).toMatchObject({ code: "PROVISIONING_IN_PROGRESS", details: { operationId: first.id, kind: "rollout" } });
    await h.client.POST("/v1/operations/{id}/cancel", { params: { path: { id: first.id } } });
    await waitForOperation(h, first.id, { via: "operations", timeoutMs: 60_000 });
  });
});

describe("bad fleet input", () => {
  it.each<[string, (body: Record<string, any>) => void, string]>([
    ["a customer twice", (b) => b["customers"].push({ client: { ...b["customers"][0].client } }), "customers[2].client.id"],
    ["no customers", (b) => (b["customers"] = []), "customers"],
    ["a bad customer id", (b) => (b["customers"][1].client.id = "c 1"), "customers[1].client.id"],
    ["shared settings wrong", (b) => (b["environment"].replicas = -1), "environment.replicas"],
    ["canary out of range", (b) => (b["canary"] = 1000), "canary"],
  ])("%s → 422 naming %s, nothing started", async (_name, spoil, path) => {
    const body = { ...fleet(["C1", "C2"]) };
    spoil(body);
    const before = h.operations.ids().length;
    const res = await h.client.POST("/v1/fleet/rollouts", { body: body as never });
    expect(res.response.status).toBe(422);
    expect(res.error!.details.problems!.map((p) => p.path)).toContain(path);
    expect(h.operations.ids().length).toBe(before);
  });
});
