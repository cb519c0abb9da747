/**
 * The platform's rules on the fake cluster (issue 14): a re-run with the autoscaler active changes no replicas,
 * turning the autoscaler on keeps the replicas the Deployment had, and turning a rule off prunes its objects — the
 * customer's only, after a run whose every step succeeded.
 */
import { describe, expect, it } from "vitest";
import { createProvisioningPlan } from "../../src/core/plan.js";
import type { ProvisioningInputData } from "../../src/core/models.js";
import { applyPlan, type ApplyEvent } from "../../src/kube/apply.js";
import { createKubeClient } from "../../src/kube/client.js";
import { readEnvironmentStatus } from "../../src/kube/environment-status.js";
import { KeyedLock } from "../../src/kube/lock.js";
import { createFakeCluster, type FakeClusterOptions } from "../../src/testing/index.js";
import { prodInput } from "../support/inputs.js";

const NS = "lms-prod";
type Deployment = { spec: { replicas: number }; metadata: { resourceVersion: string; managedFields?: { manager: string; fieldsV1?: any }[] } };

function setup(options: FakeClusterOptions = {}) {
  const cluster = createFakeCluster({ seed: 14, ...options });
  const kube = createKubeClient(cluster.clientConfig);
  const locks = new KeyedLock();
  const events: ApplyEvent[] = [];
  const run = (input: unknown) =>
    applyPlan(createProvisioningPlan(input as ProvisioningInputData), kube, {
      locks,
      random: () => 0.5,
      jobPollIntervalMs: 1000,
      onEvent: (e) => events.push(e),
    });
  const deployment = (client = "c42") => cluster.getObject("Deployment", NS, `lms-deployment-${client}`) as unknown as Deployment;
  const names = (kind: string, client = "C42") =>
    (cluster.objects({ kind, namespace: NS }) as { metadata: { name: string; labels?: Record<string, string> } }[])
      .filter((o) => o.metadata.labels?.["sreda.io/client-id"] === client)
      .map((o) => o.metadata.name)
      .sort();
  return { cluster, kube, run, deployment, names, events };
}

/** Who owns `spec.replicas` of the Deployment, by field manager. */
const replicasOwners = (d: Deployment) =>
  (d.metadata.managedFields ?? []).filter((f) => f.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined).map((f) => f.manager);

describe("the autoscaler owns replicas", () => {
  it("a re-run with the autoscaler active changes no replicas and leaves the Deployment unchanged", async () => {
    const { cluster, run, deployment } = setup();
    expect((await run(prodInput())).status).toBe("succeeded");
    await cluster.clock.sleep(60_000);
    expect(deployment().spec.replicas).toBe(2); // the autoscaler's minimum, set by it through the scale subresource
    // Load: the autoscaler has scaled to 4 (as it does through /scale).
    await cluster.fetch(
      new Request(
        `${cluster.clientConfig.apiRootUrl.replace(/\/$/, "")}/apis/apps/v1/namespaces/${NS}/deployments/lms-deployment-c42/scale?fieldManager=kube-controller-manager`,
        {
          method: "PATCH",
          headers: { Authorization: `Bearer ${cluster.clientConfig.token}`, "Content-Type": "application/merge-patch+json" },
          body: JSON.stringify({ spec: { replicas: 4 } }),
        },
      ),
    );
    expect(deployment().spec.replicas).toBe(4);
    const before = deployment().metadata.resourceVersion;
    const again = await run(prodInput());
    expect(again.status).toBe("succeeded");
    expect(again.steps.find((s) => s.id === "lms-deployment")?.outcome).toBe("unchanged");
    expect(deployment().spec.replicas).toBe(4);
    expect(deployment().metadata.resourceVersion).toBe(before);
    expect(replicasOwners(deployment())).not.toContain("sreda");
  });

  it("turning the autoscaler on hands replicas over: the Deployment keeps the 3 it had, no pod is stopped", async () => {
    const { cluster, run, deployment } = setup();
    const off = { autoscaling: { enabled: false }, replicas: 3 };
    expect((await run(prodInput(off))).status).toBe("succeeded");
    await cluster.clock.sleep(60_000);
    expect(deployment().spec.replicas).toBe(3);
    expect(replicasOwners(deployment())).toEqual(["sreda"]);
    cluster.clearRequestLog();
    const on = await run(prodInput({ replicas: 3 }));
    expect(on.status).toBe("succeeded");
    // Without the hand-over the apply that leaves replicas out would delete the field: back to 1, two pods stopped.
    expect(deployment().spec.replicas).toBe(3);
    expect(replicasOwners(deployment())).toEqual(["sreda-handover"]);
    expect(cluster.requestLog.filter((r) => r.method === "PATCH" && r.path.endsWith("/deployments/lms-deployment-c42"))).toHaveLength(2);
    expect(on.steps.find((s) => s.id === "lms-autoscaler")?.outcome).toBe("created");
  });
});

describe("the status of a production environment", () => {
  it("is Ready with the autoscaler's warning while no metrics can be read, and without it once they can", async () => {
    const { cluster, kube, run } = setup();
    const plan = createProvisioningPlan(prodInput() as ProvisioningInputData);
    expect((await run(prodInput())).status).toBe("succeeded");
    await cluster.clock.sleep(60_000);
    const blind = await readEnvironmentStatus(kube, plan.environment, { now: cluster.clock.now() });
    expect(blind.phase).toBe("Ready");
    expect(blind.warnings.map((w) => [w.kind, w.name, w.reason])).toEqual([["HorizontalPodAutoscaler", "lms-autoscaler-c42", "FailedGetResourceMetric"]]);
    expect(blind.summary).toBe("Готова: 2/2 подов; предупреждение: автомасштабирование lms-autoscaler-c42 не работает (FailedGetResourceMetric)");
    for (const pod of cluster.objects({ kind: "Pod", namespace: NS, labelSelector: "app=C42-lms" }) as { metadata: { name: string } }[]) {
      cluster.setPodMetrics(NS, pod.metadata.name, { cpu: "100m", memory: "128Mi" });
    }
    await cluster.clock.sleep(60_000);
    const seeing = await readEnvironmentStatus(kube, plan.environment, { now: cluster.clock.now() });
    expect(seeing.phase).toBe("Ready");
    expect(seeing.warnings).toEqual([]);
  });
});

describe("turning a rule off prunes its objects", () => {
  it("deletes the customer's network policies and autoscaler, writes replicas again, and touches no other customer", async () => {
    const { cluster, run, deployment, names, events } = setup();
    expect((await run(prodInput())).status).toBe("succeeded");
    expect((await run(prodInput({}, undefined, "C43"))).status).toBe("succeeded");
    const policies = ["db-setup-network-policy-c42", "lms-network-policy-c42"];
    expect(names("NetworkPolicy")).toEqual(policies);
    const other = Object.fromEntries(
      ["NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Deployment", "Secret"].flatMap((kind) =>
        (cluster.objects({ kind, namespace: NS }) as { metadata: { name: string; resourceVersion: string; labels?: Record<string, string> } }[])
          .filter((o) => o.metadata.labels?.["sreda.io/client-id"] === "C43")
          .map((o) => [`${kind}/${o.metadata.name}`, o.metadata.resourceVersion]),
      ),
    );
    expect(Object.keys(other)).toHaveLength(8);

    events.length = 0;
    const result = await run(prodInput({ networkPolicies: { enabled: false }, autoscaling: { enabled: false }, replicas: 2 }));
    expect(result.status).toBe("succeeded");
    expect(result.pruned.map((p) => [p.kind, p.name, p.outcome]).sort()).toEqual([
      ["HorizontalPodAutoscaler", "lms-autoscaler-c42", "deleted"],
      ["NetworkPolicy", "db-setup-network-policy-c42", "deleted"],
      ["NetworkPolicy", "lms-network-policy-c42", "deleted"],
    ]);
    expect(events.filter((e) => e.type === "object-pruned")).toHaveLength(3);
    // Pruned after every step, never before one.
    const firstPrune = events.findIndex((e) => e.type === "object-pruned");
    expect(events.slice(firstPrune).some((e) => e.type === "step-started")).toBe(false);
    expect(names("NetworkPolicy")).toEqual([]);
    expect(names("HorizontalPodAutoscaler")).toEqual([]);
    expect(names("PodDisruptionBudget")).toEqual(["lms-disruption-budget-c42"]);
    expect(deployment().spec.replicas).toBe(2);
    expect(replicasOwners(deployment())).toContain("sreda");
    // C43, object by object: all there, none changed.
    for (const [key, version] of Object.entries(other)) {
      const [kind, name] = key.split("/");
      expect((cluster.getObject(kind as "Secret", NS, name!) as { metadata: { resourceVersion: string } } | undefined)?.metadata.resourceVersion, key).toBe(
        version,
      );
    }
    // Converged: nothing left to prune on the next run.
    expect((await run(prodInput({ networkPolicies: { enabled: false }, autoscaling: { enabled: false }, replicas: 2 }))).pruned).toEqual([]);
  });

  it("leaves alone what only looks like the customer's: made by hand (not managed by sreda) or owned by a controller", async () => {
    const { cluster, run, names } = setup();
    expect((await run(prodInput())).status).toBe("succeeded");
    const handMade = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-monitoring-c42", namespace: NS, labels: { "sreda.io/client-id": "C42", "app.kubernetes.io/instance": "c42" } },
      spec: { podSelector: { matchLabels: { app: "C42-lms" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }] }] },
    };
    const created = await cluster.fetch(
      new Request(`${cluster.clientConfig.apiRootUrl.replace(/\/$/, "")}/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`, {
        method: "POST",
        headers: { Authorization: `Bearer ${cluster.clientConfig.token}`, "Content-Type": "application/json" },
        body: JSON.stringify(handMade),
      }),
    );
    expect(created.status).toBe(201);
    const result = await run(prodInput({ networkPolicies: { enabled: false } }));
    expect(result.pruned.map((p) => p.name).sort()).toEqual(["db-setup-network-policy-c42", "lms-network-policy-c42"]);
    expect(names("NetworkPolicy")).toEqual(["allow-monitoring-c42"]);
  });

  it("checks before the first write that the token may list every kind the templates write and delete the ones turned off", async () => {
    const { cluster, run } = setup({
      tokens: {
        "sreda-dev-token": {
          user: "operator",
          deny: [
            { verb: "delete", group: "networking.k8s.io", resource: "networkpolicies" },
            { verb: "list", group: "policy", resource: "poddisruptionbudgets" },
          ],
        },
      },
    });
    const result = await run(prodInput({ networkPolicies: { enabled: false } }));
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight.map((p) => p.message)).toEqual([
      "нет прав получать список PodDisruptionBudget в пространстве lms-prod",
      "нет прав удалять NetworkPolicy в пространстве lms-prod",
    ]);
    // Nothing written but the customer's lock (its Lease, taken before the preflight and released after it).
    expect(cluster.requestLog.filter((r) => r.kind !== "Lease" && (r.method === "PATCH" || (r.method === "POST" && !r.path.includes("selfsubject"))))).toEqual(
      [],
    );
  });

  it("prunes nothing when a step failed: the old objects stay until a run succeeds", async () => {
    const { cluster, run, names } = setup();
    expect((await run(prodInput())).status).toBe("succeeded");
    cluster.addFault({ match: { method: "PATCH", kind: "Ingress" }, action: { type: "status", code: 500 }, times: 50 });
    const failed = await run(prodInput({ networkPolicies: { enabled: false } }));
    expect(failed.status).toBe("failed");
    expect(failed.pruned).toEqual([]);
    expect(names("NetworkPolicy")).toHaveLength(2);
  });
});
