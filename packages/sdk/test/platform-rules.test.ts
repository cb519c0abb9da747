/**
 * The platform's rules in a plan (issue 14): network policies (TR-K8S-7), the autoscaler (TR-K8S-5) and the
 * disruption budget, turned on and off by the namespace's settings.
 */
import { describe, expect, it } from "vitest";
import { getTemplate } from "@sreda/templates";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { describeEnvironment } from "../src/core/environment.js";
import { SredaValidationError } from "../src/core/errors.js";
import { createProvisioningPlan, type ProvisioningPlan } from "../src/core/plan.js";
import { validateManifest } from "../src/core/validate.js";
import { prodInput, type ExampleInput } from "./support/inputs.js";

type Input = ExampleInput;

function planError(data: unknown): SredaValidationError {
  try {
    createProvisioningPlan(data as Input);
  } catch (error) {
    if (error instanceof SredaValidationError) return error;
    throw error;
  }
  throw new Error("expected the plan to be refused");
}

const kinds = (plan: ProvisioningPlan) => plan.steps.map((s) => `${s.kind}/${s.name}`);
const body = (plan: ProvisioningPlan, id: string) => plan.steps.find((s) => s.id === id)?.request.body as Record<string, any>;
const PLATFORM_KINDS = ["NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget"];

describe("a production plan for C42", () => {
  const plan = createProvisioningPlan(prodInput());

  it("holds the network policies, the autoscaler and the budget", () => {
    expect(kinds(plan).filter((k) => PLATFORM_KINDS.some((kind) => k.startsWith(`${kind}/`)))).toEqual([
      "NetworkPolicy/db-setup-network-policy-c42",
      "NetworkPolicy/lms-network-policy-c42",
      "HorizontalPodAutoscaler/lms-autoscaler-c42",
      "PodDisruptionBudget/lms-disruption-budget-c42",
    ]);
  });

  it("passes strict validation against the Kubernetes 1.35 schema, every manifest", () => {
    for (const step of plan.steps) expect(validateManifest(step.request.body), step.id).toEqual([]);
  });

  it("leaves replicas to the autoscaler: the Deployment does not write them and says it released them", () => {
    const deployment = plan.steps.find((s) => s.kind === "Deployment")!;
    expect(deployment.request.body?.["spec"]).not.toHaveProperty("replicas");
    expect(deployment.releasedPaths).toEqual(["$.spec.replicas"]);
    expect(body(plan, "lms-autoscaler")["spec"]).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "lms-deployment-c42" },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
      ],
    });
  });

  it("lets the application's pods take traffic only from the ingress controller, and reach only DNS and the databases", () => {
    const spec = body(plan, "lms-network-policy")["spec"];
    expect(spec.podSelector).toEqual({ matchLabels: { app: "C42-lms" } });
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
    // The example's databases are Services of lms-dev (postgres.lms-dev.svc.cluster.local): their namespace.
    expect(spec.egress.slice(1)).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "lms-dev" } } }], ports: [{ protocol: "TCP", port: 5432 }] },
      { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "lms-dev" } } }], ports: [{ protocol: "TCP", port: 9000 }] },
    ]);
    expect(spec.egress[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
  });

  it("isolates the setup Jobs' pods: no ingress at all, egress to DNS and the databases", () => {
    const spec = body(plan, "db-setup-network-policy")["spec"];
    expect(spec.ingress).toEqual([]);
    expect(spec.podSelector.matchExpressions).toEqual([{ key: "app.kubernetes.io/component", operator: "In", values: ["clickhouse-setup", "postgres-setup"] }]);
    for (const id of ["postgres-setup-job", "clickhouse-setup-job"]) {
      const job = body(plan, id);
      expect(job["spec"]["template"]["metadata"]["labels"]["sreda.io/client-id"]).toBe("C42");
      expect(spec.podSelector.matchExpressions[0].values).toContain(job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]);
      expect(plan.steps.find((s) => s.id === id)?.dependsOn).toContain("db-setup-network-policy");
    }
  });

  it("keeps a disruption budget over the application's pods", () => {
    expect(body(plan, "lms-disruption-budget")["spec"]).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: "C42-lms" } } });
  });

  it("describes every kind the templates can write and the customer's labels, for pruning", () => {
    expect(plan.environment.kinds.map((k) => k.kind)).toEqual(expect.arrayContaining([...PLATFORM_KINDS, "Deployment", "Job", "Secret"]));
    expect(plan.environment.ownerSelector).toBe(
      "app.kubernetes.io/instance=c42,app.kubernetes.io/managed-by=sreda,app.kubernetes.io/name=lms,sreda.io/client-id=C42",
    );
    expect(describeEnvironment({ client: { id: "C42" }, environment: { namespace: "lms-prod" } }).objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(PLATFORM_KINDS),
    );
  });
});

describe("settings turn the rules off and tune them", () => {
  const off = { networkPolicies: { enabled: false }, autoscaling: { enabled: false }, disruptionBudget: { enabled: false } };

  it("a development plan with them turned off holds none, and writes replicas again", () => {
    for (const plan of [createProvisioningPlan(prodInput(off)), createProvisioningPlan(structuredClone(example))]) {
      expect(kinds(plan).filter((k) => PLATFORM_KINDS.some((kind) => k.startsWith(`${kind}/`)))).toEqual([]);
      expect(body(plan, "lms-deployment")["spec"]["replicas"]).toBe(1);
      expect(plan.steps.every((s) => s.releasedPaths.length === 0)).toBe(true);
      // Dependencies on the left-out policies are met, not unknown.
      expect(plan.steps.find((s) => s.id === "postgres-setup-job")?.dependsOn).toEqual(["db-setup-secret"]);
      expect(plan.environment.kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(PLATFORM_KINDS));
    }
  });

  it("each rule on its own: the autoscaler without the policies", () => {
    const plan = createProvisioningPlan(prodInput({ networkPolicies: { enabled: false }, disruptionBudget: { enabled: false } }));
    expect(kinds(plan).filter((k) => PLATFORM_KINDS.some((kind) => k.startsWith(`${kind}/`)))).toEqual(["HorizontalPodAutoscaler/lms-autoscaler-c42"]);
  });

  it("takes the autoscaler's numbers and refuses a maximum below the minimum, with the field's path", () => {
    const plan = createProvisioningPlan(prodInput({ autoscaling: { minReplicas: 3, maxReplicas: 12, cpuUtilization: 60, memoryUtilization: 75 } }));
    expect(body(plan, "lms-autoscaler")["spec"]).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    expect(body(plan, "lms-autoscaler")["spec"]["metrics"].map((m: any) => m.resource.target.averageUtilization)).toEqual([60, 75]);
    const error = planError(prodInput({ autoscaling: { minReplicas: 4, maxReplicas: 3 } }));
    expect(error.problems).toEqual([expect.objectContaining({ path: "environment.autoscaling.maxReplicas", code: "autoscaling-range" })]);
  });

  it("finds each database by its address: an IPv4 host is its own /32; given blocks or a namespace win", () => {
    const plan = createProvisioningPlan(
      prodInput(
        { networkPolicies: { clickhouse: { namespace: "analytics", podLabels: "app.kubernetes.io/name=clickhouse,tier=db" } } },
        { postgres: { ...example.databases.postgres, host: "10.66.140.5" } },
      ),
    );
    const egress = body(plan, "lms-network-policy")["spec"]["egress"];
    expect(egress[1].to).toEqual([{ ipBlock: { cidr: "10.66.140.5/32" } }]);
    expect(egress[2].to).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "analytics" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "clickhouse", tier: "db" } },
      },
    ]);
    const blocks = createProvisioningPlan(prodInput({ networkPolicies: { postgres: { cidrs: ["10.66.0.0/16", "192.0.2.0/24"] } } }));
    expect(body(blocks, "lms-network-policy")["spec"]["egress"][1].to).toEqual([{ ipBlock: { cidr: "10.66.0.0/16" } }, { ipBlock: { cidr: "192.0.2.0/24" } }]);
  });

  it("refuses a database outside the cluster by name without its address blocks — never a rule that allows every destination", () => {
    const error = planError(prodInput({}, { postgres: { ...example.databases.postgres, host: "pg.corp.example.ru" } }));
    expect(error.problems).toEqual([expect.objectContaining({ path: "environment.networkPolicies.postgres", code: "network-peer-unknown" })]);
    expect(error.problems[0]!.message).toContain("pg.corp.example.ru");
    // With the policies off, nothing needs it.
    expect(() =>
      createProvisioningPlan(prodInput({ networkPolicies: { enabled: false } }, { postgres: { ...example.databases.postgres, host: "pg.corp.example.ru" } })),
    ).not.toThrow();
  });

  it("adds the outside hosts' policy only when their address blocks are set, with the ports set", () => {
    expect(kinds(createProvisioningPlan(prodInput()))).not.toContain("NetworkPolicy/lms-external-network-policy-c42");
    const plan = createProvisioningPlan(prodInput({ networkPolicies: { externalCidrs: ["185.25.117.0/24"], externalPorts: [443, 8443] } }));
    expect(body(plan, "lms-external-network-policy")["spec"]).toEqual({
      podSelector: { matchLabels: { app: "C42-lms" } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: "185.25.117.0/24" } }],
          ports: [
            { protocol: "TCP", port: 443 },
            { protocol: "TCP", port: 8443 },
          ],
        },
      ],
    });
    for (const step of plan.steps) expect(validateManifest(step.request.body), step.id).toEqual([]);
  });

  it("refuses malformed settings at their paths", () => {
    const error = planError(prodInput({ networkPolicies: { externalCidrs: ["10.0.0.0/33"], ingressControllerPodLabels: "app ingress" } }));
    expect(error.problems.map((p) => p.path).sort()).toEqual([
      "environment.networkPolicies.externalCidrs[0]",
      "environment.networkPolicies.ingressControllerPodLabels",
    ]);
  });

  it("refuses a template whose condition names a macro that is not true or false", () => {
    const template = { ...getTemplate("lms-autoscaler")!, when: "replicas" };
    const error = planError({ ...prodInput(), templates: [template] });
    expect(error.problems).toEqual([expect.objectContaining({ path: "templates.lms-autoscaler.when" })]);
    const omit = { ...getTemplate("lms-deployment")!, omit: [{ path: "$.spec.replicas", when: "docker-image" }] };
    expect(planError({ ...prodInput(), templates: [omit] }).problems).toEqual([expect.objectContaining({ path: "templates.lms-deployment.omit[0].when" })]);
  });
});
