/**
 * A customer's life on the real API server (issue 15): suspend → resume through the real Deployment controller, and a
 * deprovisioning that leaves nothing of the customer while a second customer in the same namespace keeps every
 * object at its resourceVersion — real garbage collection (Foreground for the Deployment and Jobs), real label
 * selectors, the customer's Lease as the lock.
 */
import {
  applyPlan,
  createDeprovisioningPlan,
  createProvisioningPlan,
  deprovisionEnvironment,
  followEnvironment,
  resumeEnvironment,
  suspendEnvironment,
  systemClock,
  type ProvisioningPlan,
} from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, createNamespace, deleteNamespace, provisioningInput, recordedClient, useRealCluster, type Obj } from "./support/cluster.js";
import { kubeCall, type RealClusterState } from "../src/index.js";

const cluster = useRealCluster("lifecycle.test.ts");
const NS = "rc-lifecycle";
const POLL = { jobPollIntervalMs: 250 };
const COLLECTIONS = [
  `/apis/apps/v1/namespaces/${NS}/deployments`,
  `/apis/batch/v1/namespaces/${NS}/jobs`,
  `/api/v1/namespaces/${NS}/secrets`,
  `/api/v1/namespaces/${NS}/configmaps`,
  `/api/v1/namespaces/${NS}/services`,
  `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`,
  `/api/v1/namespaces/${NS}/pods`,
  `/apis/apps/v1/namespaces/${NS}/replicasets`,
];

beforeAll(async () => {
  if (cluster.state) await createNamespace(cluster.state, NS);
});
afterAll(() => deleteNamespace(cluster.state, NS));

const plan = (s: RealClusterState, clientId: string, change?: Parameters<typeof provisioningInput>[3]): ProvisioningPlan =>
  createProvisioningPlan(provisioningInput(s, clientId, NS, change));

/** Every object of a customer, `collection/name` → resourceVersion (admin reads). */
async function objectsOf(s: RealClusterState, clientId: string): Promise<Record<string, string>> {
  const lists = await Promise.all(
    COLLECTIONS.map(async (path) => {
      const items = (await kubeCall<Obj>(admin(s), "GET", `${path}?labelSelector=${encodeURIComponent(`sreda.io/client-id=${clientId}`)}`))["items"] as Obj[];
      return items.map((o) => [`${path.split("/").at(-1)}/${o["metadata"].name}`, o["metadata"].resourceVersion as string] as const);
    }),
  );
  return Object.fromEntries(lists.flat());
}

async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("a customer's life on the real API server", () => {
  it("suspends to zero pods (phase Suspended) and resumes to the replicas it had", async (ctx) => {
    const s = cluster.get(ctx);
    const p = plan(s, "C151", (input) => Object.assign(input.environment, { replicas: 2 }));
    const { kube } = recordedClient(s);
    expect((await applyPlan(p, kube, POLL)).status).toBe("succeeded");
    expect((await followEnvironment(kube, { environment: p.environment, clock: systemClock, timeoutMs: 90_000 })).phase).toBe("Ready");

    expect((await suspendEnvironment(kube, p.environment)).status).toBe("succeeded");
    const suspended = await followEnvironment(kube, { environment: p.environment, clock: systemClock, timeoutMs: 90_000 });
    expect(suspended.phase).toBe("Suspended");
    const d = await kubeCall<Obj>(admin(s), "GET", `/apis/apps/v1/namespaces/${NS}/deployments/lms-deployment-c151`);
    expect([d["spec"].replicas, d["metadata"].annotations["sreda.io/suspended-replicas"]]).toEqual([0, "2"]);

    expect((await resumeEnvironment(kube, p.environment)).status).toBe("succeeded");
    const resumed = await followEnvironment(kube, { environment: p.environment, clock: systemClock, timeoutMs: 90_000 });
    expect(resumed.phase).toBe("Ready");
    expect(resumed.summary).toBe("Готова: 2/2 подов");
  });

  it("deprovisions one customer completely and leaves the other's every object as it was", async (ctx) => {
    const s = cluster.get(ctx);
    const { kube } = recordedClient(s);
    expect((await applyPlan(plan(s, "C152"), kube, POLL)).status).toBe("succeeded");
    const second = plan(s, "C153");
    expect((await applyPlan(second, kube, POLL)).status).toBe("succeeded");
    // Settled first (its pod Ready, the Deployment's status written): what it is at rest is what must stay.
    expect((await followEnvironment(kube, { environment: second.environment, clock: systemClock, timeoutMs: 90_000 })).phase).toBe("Ready");
    const other = await objectsOf(s, "C153");
    expect(Object.keys(other).length).toBeGreaterThan(9);

    const deprovisioning = createDeprovisioningPlan({ client: { id: "C152" }, environment: { namespace: NS } });
    const result = await deprovisionEnvironment(deprovisioning, kube, { pollIntervalMs: 250 });
    expect(result.status, JSON.stringify(result.steps.filter((x) => x.outcome === "failed"))).toBe("succeeded");
    expect(result.steps.filter((x) => x.outcome === "deleted")).toHaveLength(9);
    // Pods and ReplicaSets go with their owners (Foreground): nothing of C152 is left once the run ends.
    const left = await eventually(
      () => objectsOf(s, "C152"),
      (o) => Object.keys(o).length === 0,
      30_000,
    );
    expect(left).toEqual({});
    expect(await objectsOf(s, "C153")).toEqual(other);
  });
});
