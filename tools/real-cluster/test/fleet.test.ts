/**
 * The fleet on the real API server (issue 16): the inventory of a namespace from real label-selected lists, drift
 * that stays quiet on what the real server defaults and sets (no false drift) but finds a change made by hand, and a
 * rollout of a new image through the real Deployment controller — after which nothing drifts, and a re-run finds
 * every customer up to date and writes nothing.
 */
import { applyPlan, createProvisioningPlan, detectDrift, readInventory, runRollout, type ProvisioningPlan } from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeCall, type RealClusterState } from "../src/index.js";
import { admin, createNamespace, deleteNamespace, provisioningInput, recordedClient, useRealCluster, type Obj } from "./support/cluster.js";

const cluster = useRealCluster("fleet.test.ts");
const NS = "rc-fleet";
const CUSTOMERS = ["C161", "C162", "C163"];

beforeAll(async () => {
  if (cluster.state) await createNamespace(cluster.state, NS);
});
afterAll(() => deleteNamespace(cluster.state, NS));

const plan = (s: RealClusterState, clientId: string, image?: string): ProvisioningPlan =>
  createProvisioningPlan(provisioningInput(s, clientId, NS, (input) => (image ? Object.assign(input.environment, { dockerImage: image }) : undefined)));

describe("the fleet on the real API server", () => {
  it("inventory, drift (none on a fresh environment; a hand edit found), a rollout of a new image, no drift after", async (ctx) => {
    const s = cluster.get(ctx);
    const { kube, recorder } = recordedClient(s);
    for (const id of CUSTOMERS.slice(0, 2)) expect((await applyPlan(plan(s, id), kube, { jobPollIntervalMs: 250 })).status).toBe("succeeded");

    const inventory = await readInventory(kube, NS, { now: Date.now(), known: CUSTOMERS });
    expect(inventory.environments.map((e) => e.clientId)).toEqual(CUSTOMERS.slice(0, 2));
    expect(inventory.environments[0]!.image).toBe("registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev");
    expect(inventory.missing).toEqual(["C163"]);

    // The real server's defaults (clusterIP, strategy, terminationGracePeriodSeconds, …) are no drift.
    const fresh = await detectDrift(
      kube,
      CUSTOMERS.slice(0, 2).map((id) => plan(s, id)),
    );
    expect(fresh.map((d) => [d.clientId, d.drifted, d.objects])).toEqual([
      ["C161", false, []],
      ["C162", false, []],
    ]);
    // kubectl edit configmap: a hand edit by another field manager.
    await kubeCall(
      admin(s),
      "PATCH",
      `/api/v1/namespaces/${NS}/configmaps/lms-config-c162`,
      { data: { LMS_SERVER_DEBUG: "true" } },
      "application/merge-patch+json",
    );
    const edited = await detectDrift(
      kube,
      CUSTOMERS.slice(0, 2).map((id) => plan(s, id)),
    );
    expect(edited[1]!.objects).toEqual([
      { stepId: "lms-config", kind: "ConfigMap", name: "lms-config-c162", action: "change", changedPaths: ["$.data.LMS_SERVER_DEBUG"] },
    ]);
    expect(edited[0]!.drifted).toBe(false);

    const image = "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:2.0";
    const plans = CUSTOMERS.map((id) => plan(s, id, image));
    const result = await runRollout(kube, plans, { canary: 1, concurrency: 2, readyTimeoutMs: 120_000, roomPollMs: 2_000 });
    expect(result.customers.map((c) => [c.clientId, c.outcome, c.phase])).toEqual(CUSTOMERS.map((id) => [id, "succeeded", "Ready"]));
    for (const id of CUSTOMERS) {
      const deployment = await kubeCall<Obj>(admin(s), "GET", `/apis/apps/v1/namespaces/${NS}/deployments/lms-deployment-${id.toLowerCase()}`);
      expect(deployment["spec"].template.spec.containers[0].image).toBe(image);
    }
    expect((await detectDrift(kube, plans)).filter((d) => d.drifted)).toEqual([]);

    // A re-run: every customer up to date, nothing written.
    recorder.log.length = 0;
    const again = await runRollout(kube, plans, { canary: 1, concurrency: 2 });
    expect(again.customers.map((c) => c.outcome)).toEqual(["up-to-date", "up-to-date", "up-to-date"]);
    expect(recorder.log.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
