import { describe, expect, it } from "vitest";
import { templates, getTemplate } from "@sreda/templates";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { SredaValidationError } from "../src/core/errors.js";
import { createProvisioningPlan, redactPlan, REDACTED, type ProvisioningPlan } from "../src/core/plan.js";
import { validateManifest } from "../src/core/validate.js";

type Input = typeof example & Record<string, any>;
const input = (): Input => structuredClone(example) as Input;

function planError(data: unknown): SredaValidationError {
  try {
    createProvisioningPlan(data as Input);
  } catch (error) {
    if (error instanceof SredaValidationError) return error;
    throw error;
  }
  throw new Error("expected the plan to be refused");
}

const step = (plan: ProvisioningPlan, id: string) => {
  const found = plan.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};
const body = (plan: ProvisioningPlan, id: string) => step(plan, id).request.body as Record<string, any>;

describe("createProvisioningPlan for C42 in lms-dev", () => {
  const plan = createProvisioningPlan(input());

  it("matches the reviewed golden plan", async () => {
    await expect(JSON.stringify(plan, null, 2) + "\n").toMatchFileSnapshot("./golden/c42-lms-dev.plan.json");
  });

  it("validates with zero problems against the Kubernetes 1.35 schema", () => {
    for (const s of plan.steps) expect(validateManifest(s.request.body), s.id).toEqual([]);
  });

  it("is deterministic: the same input gives a byte-identical plan", () => {
    expect(JSON.stringify(createProvisioningPlan(input()))).toBe(JSON.stringify(plan));
  });

  it("has one step per write template the namespace's settings turn on, and the monitoring query", () => {
    expect(plan.steps.map((s) => s.id).sort()).toEqual(
      templates
        .filter((t) => t.method !== "GET" && !t.when)
        .map((t) => t.id)
        .sort(),
    );
    expect(plan.queries).toEqual([
      {
        id: "pod-monitoring",
        title: "Мониторинг pod-a",
        request: { method: "GET", path: "/api/v1/namespaces/lms-dev/pods?labelSelector=app%3DC42-lms", body: null },
      },
    ]);
  });

  it("orders steps so every dependency comes first; DB Jobs have only their credentials before them", () => {
    const position = new Map(plan.steps.map((s, i) => [s.id, i]));
    for (const s of plan.steps) for (const dep of s.dependsOn) expect(position.get(dep)!).toBeLessThan(position.get(s.id)!);
    expect(step(plan, "postgres-setup-job").dependsOn).toEqual(["db-setup-secret"]);
    expect(step(plan, "clickhouse-setup-job").dependsOn).toEqual(["db-setup-secret"]);
    expect(step(plan, "lms-deployment").dependsOn).toEqual(["clickhouse-setup-job", "lms-config", "lms-secrets", "postgres-setup-job", "rsa-secret"]);
  });

  it("names objects in lowercase (Kubernetes names are DNS-1123) while labels and DSNs keep C42", () => {
    expect(plan.steps.map((s) => s.name)).toEqual(plan.steps.map((s) => s.name.toLowerCase()));
    expect(body(plan, "lms-deployment").spec.selector.matchLabels).toEqual({ app: "C42-lms" });
    expect(body(plan, "lms-secrets").stringData.LMS_STORAGE_POSTGRES_DSN).toBe(
      `postgres://C42:${example.secrets.postgresUserPassword}@${example.databases.postgres.host}:5432/C42?sslmode=disable`,
    );
  });

  it("fills lms-dev defaults from the spec's tables", () => {
    const data = body(plan, "lms-config").data;
    expect(data).toMatchObject({
      LMS_CLIENT_ID: "C42",
      LMS_SERVER_PORT: ":8080",
      LMS_KEYS_TOKEN_TTL_HOURS: "8",
      LMS_KEYS_PRIVATE_KEY_PATH: "/etc/lms/rsa_key",
      LMS_NOTIFICATIONS_SMS4B_PASSCODE_LIFETIME: "120",
      LMS_NOTIFICATIONS_SMS4B_SENDER: "1C-RARUS",
      LMS_STORAGE_POSTGRES_MIGRATIONS: "file://internal/server/migrations/postgres",
    });
    const deployment = body(plan, "lms-deployment");
    expect(deployment.spec.template.spec.containers[0].image).toBe("registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev");
    expect(deployment.spec.template.spec.volumes[0].nfs.server).toBe("10.66.139.73");
    expect(body(plan, "lms-ingress").spec.rules[0].host).toBe("backend.lms-dev.rarus-cloud.ru");
  });

  it("keeps credentials out of the ConfigMap and out of Job env values", () => {
    const configText = JSON.stringify(body(plan, "lms-config"));
    const jobsText = JSON.stringify([body(plan, "postgres-setup-job"), body(plan, "clickhouse-setup-job")]);
    for (const secret of [
      example.secrets.postgresUserPassword,
      example.secrets.clickhouseUserPassword,
      example.secrets.keysSecretSeed,
      example.databases.postgres.adminPassword,
      example.databases.clickhouse.adminPassword,
      example.environment.sms4b.token,
    ]) {
      expect(configText).not.toContain(secret);
      expect(jobsText).not.toContain(secret);
    }
  });

  it("puts the base64 of the PEM key into the RSA Secret, mounted read-only for the owner (0400)", () => {
    expect(Buffer.from(body(plan, "rsa-secret").data.rsa_key, "base64").toString()).toBe(example.secrets.rsaPrivateKeyPem);
    const volume = body(plan, "lms-deployment").spec.template.spec.volumes.find((v: any) => v.name === "key");
    expect(volume.secret.defaultMode).toBe(0o400);
  });

  it("labels every object so one customer's objects can be found and removed", () => {
    for (const s of plan.steps) {
      expect(s.request.body?.["metadata"]).toMatchObject({ labels: { "app.kubernetes.io/managed-by": "sreda", "sreda.io/client-id": "C42" } });
    }
  });

  it("sets requests and limits on every container and a readiness probe on 8080", () => {
    for (const s of plan.steps.filter((x) => x.kind === "Job" || x.kind === "Deployment")) {
      for (const c of (s.request.body as any).spec.template.spec.containers) {
        expect(Object.keys(c.resources.requests).sort(), s.id).toEqual(["cpu", "memory"]);
        expect(Object.keys(c.resources.limits).sort(), s.id).toEqual(["cpu", "memory"]);
      }
    }
    expect(body(plan, "lms-deployment").spec.template.spec.containers[0].readinessProbe.tcpSocket).toEqual({ port: 8080 });
  });

  it("applies the input's variables: LMS_SERVER_DEBUG overridden to false", () => {
    expect(body(plan, "lms-config").data.LMS_SERVER_DEBUG).toBe("false");
  });
});

describe("createProvisioningPlan with settings and variables", () => {
  it("takes settings from the input before the namespace defaults", () => {
    const data = input();
    Object.assign(data.environment, {
      publicDns: "lms.example.org",
      replicas: 2,
      resources: { cpuLimit: "2" },
      imagePullSecret: "pull",
      tlsSecret: "wildcard-tls",
    });
    const plan = createProvisioningPlan(data);
    const deployment = body(plan, "lms-deployment");
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].resources.limits.cpu).toBe("2");
    expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: "pull" }]);
    expect(body(plan, "lms-ingress").spec.tls).toEqual([{ hosts: ["lms.example.org"], secretName: "wildcard-tls" }]);
  });

  it("sends a secret variable to the Secret (redacted in previews), a plain one to the ConfigMap", () => {
    const data = input();
    data.variables = [
      { name: "LMS_FEATURE_X", value: "on" },
      { name: "LMS_LOGS_DIRECTORY", value: "/var/log/lms", secret: true },
      { name: "LMS_API_KEY", value: "very-secret-api-key", secret: true },
    ] as any;
    const plan = createProvisioningPlan(data);
    expect(body(plan, "lms-config").data.LMS_FEATURE_X).toBe("on");
    expect(body(plan, "lms-config").data).not.toHaveProperty("LMS_LOGS_DIRECTORY");
    expect(body(plan, "lms-secrets").stringData).toMatchObject({ LMS_LOGS_DIRECTORY: "/var/log/lms", LMS_API_KEY: "very-secret-api-key" });
    expect(JSON.stringify(redactPlan(plan))).not.toContain("very-secret-api-key");
  });

  it("refuses variables that override what the templates derive, and duplicates, with paths", () => {
    const data = input();
    data.variables = [
      { name: "LMS_STORAGE_POSTGRES_DSN", value: "postgres://x" },
      { name: "LMS_CLIENT_ID", value: "C1" },
      { name: "A", value: "1" },
      { name: "A", value: "2" },
    ] as any;
    const error = planError(data);
    expect(error.problems.map((p) => [p.path, p.code])).toEqual([
      ["variables[0].name", "derived-variable"],
      ["variables[1].name", "derived-variable"],
      ["variables[3].name", "duplicate"],
    ]);
    expect(error.problems[0]!.message).toContain("lms-secrets");
  });

  it("gives one error listing every input problem with its path", () => {
    const data = input();
    data.client.id = "C042";
    data.environment.namespace = "LMS_DEV";
    data.client.contacts[0]!.emails = ["nope"];
    const error = planError(data);
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.problems.map((p) => p.path)).toEqual(["client.id", "client.contacts[0].emails[0]", "environment.namespace"]);
  });

  it("reports variable problems together with missing settings", () => {
    const data = input();
    data.environment.namespace = "lms-stage";
    data.variables = [{ name: "LMS_CLIENT_ID", value: "x" }] as any;
    const paths = planError(data).problems.map((p) => p.path);
    expect(paths[0]).toBe("variables[0].name");
    expect(paths).toContain("environment.publicDns");
  });

  it("stamps pod templates with a hash of the ConfigMaps and Secrets they read, so pods roll on change", () => {
    const hash = (plan: ProvisioningPlan, id: string) => body(plan, id).spec.template.metadata.annotations["sreda.io/config-hash"];
    const base = createProvisioningPlan(input());
    const changed = input();
    changed.variables = [{ name: "LMS_FEATURE", value: "on" }] as any;
    const next = createProvisioningPlan(changed);
    expect(hash(base, "lms-deployment")).toMatch(/^[0-9a-f]{32}$/);
    expect(hash(next, "lms-deployment")).not.toBe(hash(base, "lms-deployment"));
    // The Jobs read only their credentials Secret: a variable does not re-run them, a password does.
    expect(hash(next, "postgres-setup-job")).toBe(hash(base, "postgres-setup-job"));
    const password = input();
    password.secrets.postgresUserPassword = "AnotherPostgresPasswordC42";
    expect(hash(createProvisioningPlan(password), "postgres-setup-job")).not.toBe(hash(base, "postgres-setup-job"));
  });

  it("names the settings a new namespace lacks (no defaults for it)", () => {
    const data = input();
    data.environment.namespace = "lms-stage";
    const error = planError(data);
    expect(error.problems.map((p) => p.path)).toEqual([
      "environment.publicDns",
      "environment.dockerImage",
      "environment.nfsServer",
      "environment.sms4b.passcodeLifetimeSeconds",
      "environment.sms4b.sender",
    ]);
  });

  it("stays one string for a hostile organization name and admin password", () => {
    const data = input();
    data.client.organizationName = `"}, "kind": "Pod", {{client-id}} </script>`;
    data.databases.postgres.adminPassword = `p'"$\`\\;{{x}}\n`;
    const plan = createProvisioningPlan(data);
    expect(body(plan, "db-setup-secret").stringData["postgres-admin-password"]).toBe(data.databases.postgres.adminPassword);
    expect(body(plan, "db-setup-secret").kind).toBe("Secret");
  });
});

describe("createProvisioningPlan with template overrides", () => {
  const override = (id: string, change: (body: any) => void) => {
    const template = structuredClone(getTemplate(id)!);
    const parsed = JSON.parse(template.body!);
    change(parsed);
    return { ...template, body: JSON.stringify(parsed) };
  };

  it("fails validation for a template with an unknown field, with the path", () => {
    const data = input();
    data.templates = [
      override(
        "lms-deployment",
        (b) => (b.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].containers = []),
      ),
    ];
    const error = planError(data);
    expect(error.problems).toEqual([
      expect.objectContaining({
        path: "templates.lms-deployment.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].containers",
        code: "unknown-field",
      }),
    ]);
  });

  it("reports an unknown macro in an override by template and macro", () => {
    const data = input();
    data.templates = [override("lms-config", (b) => (b.data.X = "{{no-such}}"))];
    const error = planError(data);
    expect(error.problems[0]).toMatchObject({ path: "templates.lms-config.$.data.X", code: "UNKNOWN_MACRO" });
    expect(error.problems[0]!.message).toContain("{{no-such}}");
  });

  it("reports a template that is not JSON with line and column", () => {
    const data = input();
    data.templates = [{ ...getTemplate("lms-service")!, body: '{\n "kind": "Service",,\n}' }];
    const error = planError(data);
    expect(error.problems[0]).toMatchObject({ path: "templates.lms-service", code: "TEMPLATE_INVALID_JSON" });
    expect(error.problems[0]!.message).toMatch(/строка 2/);
  });

  it("refuses an object outside the customer's namespace, an unknown dependency and a cycle", () => {
    const data = input();
    data.templates = [override("lms-service", (b) => (b.metadata.namespace = "kube-system"))];
    expect(planError(data).problems.map((p) => p.code)).toEqual(["namespace"]);
    data.templates = [{ ...getTemplate("lms-service")!, dependsOn: ["nope"] }];
    expect(planError(data).problems.map((p) => p.code)).toEqual(["unknown-dependency"]);
    data.templates = [{ ...getTemplate("lms-service")!, dependsOn: ["lms-ingress"] }];
    expect(planError(data).problems.map((p) => p.code)).toEqual(["cycle"]);
  });

  it("refuses a secret macro in an object name (names go into URLs, events and logs)", () => {
    const data = input();
    const t = getTemplate("lms-config")!;
    data.templates = [{ ...t, name: "cfg-{{keys-secret-seed}}", body: t.body!.replace('"lms-config-{{client-slug}}"', '"cfg-{{keys-secret-seed}}"') }];
    const error = planError(data);
    expect(error.problems[0]).toMatchObject({ path: "templates.lms-config.name", code: "TEMPLATE_INVALID" });
    expect(JSON.stringify(error)).not.toContain(example.secrets.keysSecretSeed);
  });

  it("adds a new template by a new id", () => {
    const data = input();
    data.templates = [
      {
        ...getTemplate("lms-config")!,
        id: "extra-config",
        name: "extra-{{client-slug}}",
        body: getTemplate("lms-config")!.body!.replace('"lms-config-{{client-slug}}"', '"extra-{{client-slug}}"'),
        order: 35,
      },
    ];
    const plan = createProvisioningPlan(data);
    expect(step(plan, "extra-config").name).toBe("extra-c42");
  });
});

describe("redactPlan", () => {
  const plan = createProvisioningPlan(input());
  const redacted = redactPlan(plan);
  const text = JSON.stringify(redacted);

  it("replaces every secret value with the marker", () => {
    for (const secret of [
      example.secrets.postgresUserPassword,
      example.secrets.clickhouseUserPassword,
      example.secrets.keysSecretSeed,
      Buffer.from(example.secrets.rsaPrivateKeyPem).toString("base64").slice(0, 40),
      example.databases.postgres.adminPassword,
      example.databases.clickhouse.adminPassword,
      example.environment.sms4b.token,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(body(redacted, "lms-secrets").stringData.LMS_STORAGE_POSTGRES_DSN).toBe(REDACTED);
    expect(body(redacted, "rsa-secret").data.rsa_key).toBe(REDACTED);
  });

  it("leaves everything else as it was and does not touch the original", () => {
    expect(body(redacted, "lms-config")).toEqual(body(plan, "lms-config"));
    expect(body(plan, "lms-secrets").stringData.LMS_KEYS_SECRET_SEED).toBe(example.secrets.keysSecretSeed);
  });
});

describe("hostile template overrides", () => {
  it("refuses a template body nested deeper than any manifest as bad input, not a stack overflow", () => {
    const shipped = getTemplate("lms-config")!;
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`;
    const error = planError({ ...input(), templates: [{ ...shipped, body: deep }] });
    expect(error.problems).toContainEqual(
      expect.objectContaining({ path: "templates.lms-config", code: "TEMPLATE_INVALID", message: expect.stringContaining("глубже 64") }),
    );
  });

  it("refuses input that breaks the size limits quickly, with one problem per list", () => {
    const data = { ...input(), variables: Array.from({ length: 520_000 }, () => 0) };
    const started = performance.now();
    const error = planError(data);
    expect(performance.now() - started).toBeLessThan(2_000); // a bound, not a benchmark: it used to take ~15 s
    expect(error.problems).toEqual([expect.objectContaining({ path: "variables", code: "too_big" })]);
  });

  it.each([
    ["client.organizationName", (d: Input) => (d.client.organizationName = "ООО\u0000Ромашка")],
    ["variables[0].value", (d: Input) => ((d as any).variables = [{ name: "A", value: "a\u0000b", secret: false }])],
    ["client.contacts[0].name", (d: Input) => ((d as any).client.contacts = [{ name: "Иван\u0007", phones: [], emails: [] }])],
  ])("refuses control characters in %s", (path, mutate) => {
    const data = input();
    mutate(data);
    expect(planError(data).problems).toContainEqual(expect.objectContaining({ path, message: expect.stringContaining("управляющие символы") }));
  });
});
