/**
 * The fleet on the fake cluster (issue 16, first part): the inventory of a namespace in a fixed number of list
 * requests, whatever the number of customers, with orphans and missing ones; drift finds an object changed behind
 * Sreda's back (and one deleted), for that customer only.
 */
import { describe, expect, it } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan } from "../../src/core/plan.js";
import type { ProvisioningInputData } from "../../src/core/models.js";
import { applyPlan } from "../../src/kube/apply.js";
import { createKubeClient } from "../../src/kube/client.js";
import { resolveFleetSecrets } from "../../src/kube/customer-secrets.js";
import { detectDrift } from "../../src/kube/drift.js";
import { SredaError } from "../../src/core/errors.js";
import { readInventory } from "../../src/kube/inventory.js";
import { KeyedLock } from "../../src/kube/lock.js";
import { createFakeCluster } from "../../src/testing/index.js";

const NS = "lms-dev";
const input = (clientId: string): ProvisioningInputData => {
  const data = structuredClone(example) as unknown as ProvisioningInputData;
  data.client.id = clientId;
  return data;
};

async function setup(customers: string[]) {
  const cluster = createFakeCluster({ seed: 16 });
  const kube = createKubeClient(cluster.clientConfig);
  const locks = new KeyedLock();
  for (const id of customers) expect((await applyPlan(createProvisioningPlan(input(id)), kube, { locks, random: () => 0.5 })).status).toBe("succeeded");
  await cluster.clock.sleep(30_000);
  return { cluster, kube };
}

describe("inventory", () => {
  it("names every environment with its image, replicas, phase, age and configuration hash; orphans and missing ones", async () => {
    const { cluster, kube } = await setup(["C42", "C43", "C7"]);
    cluster.clearRequestLog();
    const inventory = await readInventory(kube, NS, { now: cluster.clock.now(), known: ["C7", "C42", "C44"] });
    expect(inventory.environments.map((e) => [e.clientId, e.phase, e.replicas, e.readyReplicas])).toEqual([
      ["C7", "Ready", 1, 1],
      ["C42", "Ready", 1, 1],
      ["C43", "Ready", 1, 1],
    ]);
    const c42 = inventory.environments[1]!;
    expect(c42.image).toBe("registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev"); // lms-dev's default
    expect(c42.configHash).toMatch(/^[0-9a-f]{32}$/);
    expect(c42.ageSeconds).toBeGreaterThanOrEqual(30);
    expect(c42.objects).toMatchObject({ Deployment: 1, Job: 2, Secret: 3, ConfigMap: 1, Service: 1, Ingress: 1 });
    expect(inventory.orphans).toEqual(["C43"]);
    expect(inventory.missing).toEqual(["C44"]);
    // One list per kind, not one request per customer.
    expect(cluster.requestLog.map((r) => `${r.method} ${r.verb}`)).toEqual(Array(10).fill("GET list"));
  });
});

describe("drift", () => {
  it("finds an object changed by hand and one deleted, for their customer only", async () => {
    const { cluster, kube } = await setup(["C42", "C43"]);
    const plans = ["C42", "C43"].map((id) => createProvisioningPlan(input(id)));
    expect((await detectDrift(kube, plans)).map((d) => [d.clientId, d.drifted])).toEqual([
      ["C42", false],
      ["C43", false],
    ]);
    // kubectl edit configmap lms-config-c42; kubectl delete service lms-service-c42
    const config = cluster.getObject("ConfigMap", NS, "lms-config-c42") as { data: Record<string, string> };
    cluster.putObject({ ...config, data: { ...config.data, LMS_SERVER_DEBUG: "true" } });
    await kube.delete(`/api/v1/namespaces/${NS}/services/lms-service-c42`);
    cluster.clearRequestLog();
    const drift = await detectDrift(kube, plans);
    expect(drift[0]).toEqual({
      clientId: "C42",
      drifted: true,
      objects: [
        { stepId: "lms-config", kind: "ConfigMap", name: "lms-config-c42", action: "change", changedPaths: ["$.data.LMS_SERVER_DEBUG"] },
        { stepId: "lms-service", kind: "Service", name: "lms-service-c42", action: "create", changedPaths: [] },
      ],
    });
    expect(drift[1]).toEqual({ clientId: "C43", drifted: false, objects: [] });
    expect(cluster.requestLog.every((r) => r.verb === "list")).toBe(true);
  });
});

describe("the secrets of many customers", () => {
  it("are read back with one list for the namespace: a new customer's generated, a bad stored value that customer's error only", async () => {
    const { cluster, kube } = await setup(["C42", "C43", "C45"]);
    const bad = cluster.getObject("Secret", NS, "lms-secrets-c45") as { data: Record<string, string> };
    const key = Object.keys(bad.data)[0]!;
    cluster.putObject({ ...bad, data: { ...bad.data, [key]: Buffer.from("not a valid value").toString("base64") } });
    const environments = ["C42", "C43", "C44", "C45"].map((id) => createProvisioningPlan(input(id)).environment);
    cluster.clearRequestLog();
    const resolved = await resolveFleetSecrets(
      kube,
      environments.map((environment) => ({ environment })),
      { random: (n) => new Uint8Array(n).fill(7) },
    );
    const [c42, c43, c44, c45] = resolved;
    const stored = (example as unknown as ProvisioningInputData).secrets!;
    expect(c42).toMatchObject({
      secrets: stored,
      generated: false,
      sources: { rsaPrivateKeyPem: "cluster", keysSecretSeed: "cluster", postgresUserPassword: "cluster" },
    });
    expect(c43).toMatchObject({ secrets: stored, generated: false });
    expect(c44).toMatchObject({ generated: true, sources: { rsaPrivateKeyPem: "generated" } });
    expect(c45).toBeInstanceOf(SredaError);
    expect(c45).toMatchObject({ code: "INVALID_STORED_SECRET" });
    // One list for the customers who have their Secrets; reads by name only for the one who has none.
    const requests = cluster.requestLog.map((r) => `${r.verb} ${r.name ?? ""}`.trim());
    expect(requests.filter((r) => r.startsWith("list"))).toHaveLength(1);
    const gets = requests.filter((r) => r.startsWith("get"));
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((r) => r.endsWith("c44"))).toBe(true);

    // A caller that would drop new secrets (a rollout) asks not to generate them: the new customer is an error.
    const [, kept, fresh] = await resolveFleetSecrets(
      kube,
      environments.slice(0, 3).map((environment) => ({ environment })),
      { generate: false },
    );
    expect(kept).toMatchObject({ secrets: stored, generated: false });
    expect(fresh).toBeInstanceOf(SredaError);
    expect(fresh).toMatchObject({
      code: "SECRETS_NOT_FOUND",
      details: { missing: ["rsaPrivateKeyPem", "keysSecretSeed", "postgresUserPassword", "clickhouseUserPassword"] },
    });
  });
});
