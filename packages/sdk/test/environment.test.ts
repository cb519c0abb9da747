/**
 * The environment description: the plan's, and the one made without a plan (a status request, secrets read back
 * before the plan), must be the same — they are read by the watcher, the status and secret read-back alike.
 */
import { describe, expect, it } from "vitest";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { getTemplate, type RequestTemplate } from "@sreda/templates";
import { describeEnvironment, labelSelectorString, objectNames } from "../src/core/environment.js";
import { createProvisioningPlan } from "../src/core/plan.js";
import type { ProvisioningInputData } from "../src/core/models.js";

const input = example as unknown as ProvisioningInputData;

function renamed(id: string, from: string, to: string): RequestTemplate {
  const template = structuredClone(getTemplate(id)!) as RequestTemplate;
  template.body = template.body!.replaceAll(from, to);
  if (template.name) template.name = template.name.replaceAll(from, to);
  return template;
}

describe("describeEnvironment", () => {
  it("gives the plan's description from a whole input without secrets, and from a customer id and namespace only", () => {
    const plan = createProvisioningPlan(input);
    const { secrets: _secrets, ...withoutSecrets } = input;
    expect(describeEnvironment(withoutSecrets)).toEqual(plan.environment);
    expect(describeEnvironment({ client: { id: "C42" }, environment: { namespace: "lms-dev" } })).toEqual(plan.environment);
  });

  it("follows template overrides: a renamed Deployment, Secret and key, and a changed pod selector", () => {
    const secrets = renamed("lms-secrets", "lms-secrets-{{client-slug}}", "lms-env-{{client-slug}}");
    secrets.body = secrets.body!.replaceAll('"LMS_KEYS_SECRET_SEED"', '"SEED"');
    const deployment = renamed("lms-deployment", '"app": "{{client-id}}-lms"', '"app": "lms-{{client-slug}}"');
    deployment.body = deployment.body!.replaceAll("lms-secrets-{{client-slug}}", "lms-env-{{client-slug}}");
    const templates = [deployment, secrets];
    const plan = createProvisioningPlan({ ...input, templates });
    const environment = describeEnvironment({ client: { id: "C42" }, environment: { namespace: "lms-dev" }, templates });
    expect(environment).toEqual(plan.environment);
    expect(environment.podSelector).toBe("app=lms-c42");
    expect(environment.secretLocations.keysSecretSeed).toEqual({ template: "lms-secrets", secret: "lms-env-c42", key: "SEED", field: "stringData" });
    expect(objectNames(environment, "Secret")).toEqual(["lms-db-setup-c42", "lms-env-c42", "rsa-secret-c42"]);
  });

  it("names every object by kind in template order, and where each generated secret is kept", () => {
    const environment = describeEnvironment(input);
    expect(objectNames(environment, "Job")).toEqual(["clickhouse-setup-c42", "postgres-setup-c42"]);
    expect(objectNames(environment, "Deployment")).toEqual(["lms-deployment-c42"]);
    expect(environment.podSelector).toBe("app=C42-lms");
    expect(environment.secretLocations).toEqual({
      postgresUserPassword: { template: "db-setup-secret", secret: "lms-db-setup-c42", key: "postgres-user-password", field: "stringData" },
      clickhouseUserPassword: { template: "db-setup-secret", secret: "lms-db-setup-c42", key: "clickhouse-user-password", field: "stringData" },
      keysSecretSeed: { template: "lms-secrets", secret: "lms-secrets-c42", key: "LMS_KEYS_SECRET_SEED", field: "stringData" },
      rsaPrivateKeyPem: { template: "rsa-secret", secret: "rsa-secret-c42", key: "rsa_key", field: "data" },
    });
  });

  it("selects the same pods as the spec's pod-monitoring request (which 1C shows), so there is one selector", () => {
    const plan = createProvisioningPlan(input);
    const query = plan.queries.find((q) => q.id === "pod-monitoring")!;
    const selector = new URL(query.request.path, "https://cluster.example").searchParams.get("labelSelector");
    expect(selector).toBe(plan.environment.podSelector);
  });

  it("leaves out a secret no Secret keeps whole (it cannot be read back)", () => {
    const templates = [renamed("db-setup-secret", '"{{postgres-user-password}}"', '"pw-{{postgres-user-password}}"')];
    expect(describeEnvironment({ ...input, templates }).secretLocations.postgresUserPassword).toBeUndefined();
  });
});

describe("labelSelectorString", () => {
  it.each([
    [{ matchLabels: { b: "2", a: "1" } }, "a=1,b=2"],
    [
      {
        matchExpressions: [
          { key: "tier", operator: "In", values: ["web", "api"] },
          { key: "x", operator: "Exists" },
          { key: "y", operator: "DoesNotExist" },
        ],
      },
      "tier in (api,web),x,!y",
    ],
    [{}, null],
    [undefined, null],
  ])("%j → %s", (selector, expected) => {
    expect(labelSelectorString(selector)).toBe(expected);
  });
});
