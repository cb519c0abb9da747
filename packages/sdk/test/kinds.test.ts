/**
 * Adding a kind is one row of the kinds table plus its template. The table's PodDisruptionBudget row is used by no
 * shipped template: a template added here (as a 1C editor would add one) is validated against the official schema,
 * named in the environment description, checked by preflight with its own resource, applied by the executor and
 * served by the fake cluster — with nothing else changed.
 */
import { describe, expect, it } from "vitest";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { KINDS, kindInfo } from "../src/core/kinds.js";
import type { ProvisioningInputData } from "../src/core/models.js";
import { createProvisioningPlan } from "../src/core/plan.js";
import { applyPlan } from "../src/kube/apply.js";
import { createKubeClient } from "../src/kube/client.js";
import { createFakeCluster } from "../src/testing/index.js";
import { RESOURCES } from "../src/testing/resources.js";

const pdbTemplate = {
  id: "lms-pdb",
  title: "Бюджет прерываний приложения",
  description: "Не даёт выселить последний под приложения при обслуживании узлов.",
  order: 95,
  method: "POST" as const,
  path: "/apis/policy/v1/namespaces/{{namespace-id}}/poddisruptionbudgets",
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  name: "lms-pdb-{{client-slug}}",
  dependsOn: ["lms-deployment"],
  body: JSON.stringify({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "lms-pdb-{{client-slug}}", namespace: "{{namespace-id}}" },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: "{{client-id}}-lms" } } },
  }),
};

const input = { ...(structuredClone(example) as unknown as ProvisioningInputData), templates: [pdbTemplate] };

describe("the kinds table", () => {
  it("is what the fake cluster serves", () => {
    expect(RESOURCES.map((r) => `${r.group}/${r.version}/${r.plural}`)).toEqual(KINDS.map((k) => `${k.group}/${k.version}/${k.resource}`));
  });

  it("takes a new kind with one row and a template: validated, described, preflighted, applied and converged", async () => {
    expect(kindInfo("PodDisruptionBudget")).toMatchObject({ group: "policy", resource: "poddisruptionbudgets", write: "apply" });
    const plan = createProvisioningPlan(input);
    expect(plan.environment.objects).toContainEqual({ template: "lms-pdb", kind: "PodDisruptionBudget", name: "lms-pdb-c42" });

    const cluster = createFakeCluster({ seed: 42 });
    const kube = createKubeClient({ apiRootUrl: "https://cluster.example", token: "sreda-dev-token", fetch: (r) => cluster.fetch(r), clock: cluster.clock });
    const first = await applyPlan(plan, kube, { clock: cluster.clock, jobPollIntervalMs: 1000 });
    expect(first.status, JSON.stringify(first.steps.filter((s) => s.outcome !== "created"))).toBe("succeeded");
    expect(first.steps.find((s) => s.id === "lms-pdb")).toMatchObject({ outcome: "created" });
    expect(cluster.getObject("PodDisruptionBudget", "lms-dev", "lms-pdb-c42")).toMatchObject({ spec: { maxUnavailable: 1 } });
    const reviews = cluster.requestLog.filter((r) => r.path.endsWith("selfsubjectrulesreviews")).length;
    expect(reviews).toBe(1);
    // Its objects are listed before the run like every kind written (it has no labels: the whole collection).
    expect(cluster.requestLog.filter((r) => r.kind === "PodDisruptionBudget" && r.verb === "list")).toEqual([expect.objectContaining({ query: "" })]);

    const again = await applyPlan(plan, kube, { clock: cluster.clock, jobPollIntervalMs: 1000 });
    expect(again.steps.find((s) => s.id === "lms-pdb")).toMatchObject({ outcome: "unchanged" });
  });

  it("asks preflight for the new kind's own resource and verbs", async () => {
    const cluster = createFakeCluster({ seed: 42, tokens: { t: { user: "u", deny: [{ verb: "patch", group: "policy", resource: "poddisruptionbudgets" }] } } });
    const kube = createKubeClient({ apiRootUrl: "https://cluster.example", token: "t", fetch: (r) => cluster.fetch(r), clock: cluster.clock });
    const result = await applyPlan(createProvisioningPlan(input), kube, { clock: cluster.clock });
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight.map((p) => p.message)).toEqual(["нет прав изменять PodDisruptionBudget в пространстве lms-dev"]);
  });

  it("refuses a template of a kind Sreda only reads (its controllers create it)", () => {
    const pod = {
      ...pdbTemplate,
      id: "stray-pod",
      kind: "Pod",
      apiVersion: "v1",
      path: "/api/v1/namespaces/{{namespace-id}}/pods",
      name: "stray-{{client-slug}}",
      dependsOn: [],
      body: JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "stray-{{client-slug}}", namespace: "{{namespace-id}}" },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      }),
    };
    expect(() => createProvisioningPlan({ ...input, templates: [pod] })).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ path: "templates.stray-pod.kind" })] }),
    );
  });
});
