/**
 * The platform's rules on the real API server and its controllers (issue 14): a production plan's network
 * policies, autoscaler and disruption budget are accepted as they are; the real HorizontalPodAutoscaler controller
 * (no metrics server here) scales the Deployment to its minimum and reports ScalingActive=False, which the status
 * shows as Ready with a warning; a re-run changes no replicas; turning the autoscaler on keeps the replicas the
 * Deployment had (the hand-over), and turning a rule off prunes its objects, touching no other customer.
 */
import { applyPlan, createProvisioningPlan, followEnvironment, readEnvironmentStatus, systemClock, type ProvisioningPlan } from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, createNamespace, deleteNamespace, provisioningInput, recordedClient, useRealCluster, type Obj } from "./support/cluster.js";
import { kubeCall, type RealClusterState } from "../src/index.js";

const cluster = useRealCluster("platform-rules.test.ts");
const NS = "rc-platform-rules";
const POLL = { jobPollIntervalMs: 250 };
const ON = { networkPolicies: { enabled: true }, autoscaling: { enabled: true }, disruptionBudget: { enabled: true } };

beforeAll(async () => {
  if (cluster.state) await createNamespace(cluster.state, NS);
});
afterAll(() => deleteNamespace(cluster.state, NS));

function plan(s: RealClusterState, clientId: string, environment: Record<string, unknown>): ProvisioningPlan {
  return createProvisioningPlan(provisioningInput(s, clientId, NS, (input) => Object.assign(input.environment, environment)));
}

const deployment = (s: RealClusterState, client: string) =>
  kubeCall<Obj>(admin(s), "GET", `/apis/apps/v1/namespaces/${NS}/deployments/lms-deployment-${client}`);
const replicasOwners = (d: Obj) =>
  (d["metadata"].managedFields as Obj[]).filter((f) => f["fieldsV1"]?.["f:spec"]?.["f:replicas"] !== undefined).map((f) => f["manager"]);
const customerObjects = async (s: RealClusterState, path: string, client: string) =>
  ((await kubeCall<Obj>(admin(s), "GET", `${path}?labelSelector=${encodeURIComponent(`sreda.io/client-id=${client}`)}`))["items"] as Obj[]).map(
    (o) => `${o["metadata"].name}@${o["metadata"].resourceVersion}`,
  );

/** Until `check` holds (the real controllers act on their own schedule), at most `ms`. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("platform rules on the real API server", () => {
  it("accepts a production plan as it is, the autoscaler owns replicas, and the status is Ready with a warning", async (ctx) => {
    const s = cluster.get(ctx);
    const p = plan(s, "C141", ON);
    expect(p.steps.map((x) => x.kind)).toEqual(expect.arrayContaining(["NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget"]));
    const { kube } = recordedClient(s);
    const result = await applyPlan(p, kube, POLL);
    expect(result.status, JSON.stringify(result.steps.filter((x) => x.outcome === "failed"))).toBe("succeeded");
    // The real HPA controller: minReplicas 2 without metrics, ScalingActive=False (no metrics API here).
    const scaled = await eventually(
      () => deployment(s, "c141"),
      (d) => d["spec"].replicas === 2,
    );
    expect(scaled["spec"].replicas).toBe(2);
    expect(replicasOwners(scaled)).not.toContain("sreda");
    const status = await followEnvironment(kube, { environment: p.environment, clock: systemClock, timeoutMs: 90_000 });
    expect(status.phase).toBe("Ready");
    const hpa = await eventually(
      () => readEnvironmentStatus(kube, p.environment, { now: Date.now() }),
      (a) => a.warnings.length > 0,
    );
    expect(hpa.warnings.map((w) => [w.kind, w.reason])).toEqual([["HorizontalPodAutoscaler", "FailedGetResourceMetric"]]);
    expect(hpa.phase).toBe("Ready");
    expect(hpa.summary).toContain("предупреждение");

    // A re-run with the autoscaler active: no replicas written, the Deployment unchanged.
    const before = (await deployment(s, "c141"))["metadata"].resourceVersion;
    const again = await applyPlan(p, kube, POLL);
    expect(again.steps.find((x) => x.id === "lms-deployment")?.outcome).toBe("unchanged");
    const after = await deployment(s, "c141");
    expect(after["spec"].replicas).toBe(2);
    expect(after["metadata"].resourceVersion).toBe(before);
  });

  it("turning the autoscaler on keeps the 3 replicas the Deployment had: handed over, not deleted", async (ctx) => {
    const s = cluster.get(ctx);
    const { kube } = recordedClient(s);
    expect((await applyPlan(plan(s, "C142", { replicas: 3 }), kube, POLL)).status).toBe("succeeded");
    expect(replicasOwners(await deployment(s, "c142"))).toEqual(["sreda"]);
    const on = await applyPlan(plan(s, "C142", { ...ON, replicas: 3 }), kube, POLL);
    expect(on.status).toBe("succeeded");
    const d = await deployment(s, "c142");
    // Without the hand-over the real server deletes the field the apply left out: replicas back to 1.
    expect(d["spec"].replicas).toBe(3);
    expect(replicasOwners(d)).toEqual(["sreda-handover"]);
  });

  it("turning the rules off prunes the customer's policies, autoscaler and budget, and nothing of another customer", async (ctx) => {
    const s = cluster.get(ctx);
    const { kube } = recordedClient(s);
    expect((await applyPlan(plan(s, "C143", ON), kube, POLL)).status).toBe("succeeded");
    expect((await applyPlan(plan(s, "C144", ON), kube, POLL)).status).toBe("succeeded");
    const paths = [
      `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`,
      `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`,
      `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`,
    ];
    const other = await Promise.all(paths.map((path) => customerObjects(s, path, "C144")));
    expect(other.flat()).toHaveLength(4);

    const off = await applyPlan(plan(s, "C143", {}), kube, POLL);
    expect(off.status).toBe("succeeded");
    expect(off.pruned.map((x) => `${x.kind}/${x.name}/${x.outcome}`).sort()).toEqual([
      "HorizontalPodAutoscaler/lms-autoscaler-c143/deleted",
      "NetworkPolicy/db-setup-network-policy-c143/deleted",
      "NetworkPolicy/lms-network-policy-c143/deleted",
      "PodDisruptionBudget/lms-disruption-budget-c143/deleted",
    ]);
    for (const path of paths) expect(await customerObjects(s, path, "C143"), path).toEqual([]);
    expect(await Promise.all(paths.map((path) => customerObjects(s, path, "C144")))).toEqual(other);
    expect((await applyPlan(plan(s, "C143", {}), kube, POLL)).pruned).toEqual([]);
  });
});
