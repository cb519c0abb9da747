import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RequestTemplate, templates, getTemplate, defaultMacroValues, commonMacroDefaults, namespaceMacroDefaults } from "../src/index.js";

const templatesDir = new URL("../templates/", import.meta.url);
const files = readdirSync(templatesDir).filter((f) => f.endsWith(".json"));

describe("shipped templates", () => {
  it("are exactly the files in templates/, one per request, each named by its id", () => {
    expect(files.map((f) => f.replace(/\.json$/, "")).sort()).toEqual(templates.map((t) => t.id).sort());
    expect(new Set(templates.map((t) => t.id)).size).toBe(templates.length);
  });

  it.each(files)("%s is plain JSON that the schema accepts", (file) => {
    const raw = JSON.parse(readFileSync(new URL(file, templatesDir), "utf8"));
    expect(RequestTemplate.safeParse({ ...raw, body: raw.body === null ? null : JSON.stringify(raw.body) }).success).toBe(true);
  });

  it("cover every request of the spec, and the platform's rules (each on a setting)", () => {
    expect(templates.map((t) => `${t.method} ${t.kind}${t.when ? ` when ${t.when}` : ""}`)).toEqual([
      "POST NetworkPolicy when network-policies",
      "POST Secret",
      "POST Job",
      "POST Job",
      "POST ConfigMap",
      "POST Secret",
      "POST Secret",
      "POST Service",
      "POST Ingress",
      "POST NetworkPolicy when network-policies",
      "POST NetworkPolicy when external-egress",
      "POST Deployment",
      "POST HorizontalPodAutoscaler when autoscaling",
      "POST PodDisruptionBudget when disruption-budget",
      "GET Pod",
    ]);
    // The autoscaler owns replicas while it is on.
    expect(getTemplate("lms-deployment")!.omit).toEqual([{ path: "$.spec.replicas", when: "autoscaling" }]);
    expect(getTemplate("pod-monitoring")!.path).toBe("/api/v1/namespaces/{{namespace-id}}/pods?labelSelector=app%3D{{client-id}}-lms");
  });

  it("depend only on templates that exist and come earlier", () => {
    const order = new Map(templates.map((t) => [t.id, t.order]));
    for (const t of templates) for (const dep of t.dependsOn) expect(order.get(dep), `${t.id} → ${dep}`).toBeLessThan(t.order);
  });

  it("post to the collection of their kind", () => {
    const collection: Record<string, string> = {
      Secret: "/api/v1/namespaces/{{namespace-id}}/secrets",
      ConfigMap: "/api/v1/namespaces/{{namespace-id}}/configmaps",
      Service: "/api/v1/namespaces/{{namespace-id}}/services",
      Job: "/apis/batch/v1/namespaces/{{namespace-id}}/jobs",
      Deployment: "/apis/apps/v1/namespaces/{{namespace-id}}/deployments",
      Ingress: "/apis/networking.k8s.io/v1/namespaces/{{namespace-id}}/ingresses",
      NetworkPolicy: "/apis/networking.k8s.io/v1/namespaces/{{namespace-id}}/networkpolicies",
      HorizontalPodAutoscaler: "/apis/autoscaling/v2/namespaces/{{namespace-id}}/horizontalpodautoscalers",
      PodDisruptionBudget: "/apis/policy/v1/namespaces/{{namespace-id}}/poddisruptionbudgets",
    };
    for (const t of templates.filter((x) => x.method === "POST")) {
      expect(t.path, t.id).toBe(collection[t.kind]);
      const body = JSON.parse(t.body!);
      expect([body.apiVersion, body.kind, body.metadata.name, body.metadata.namespace], t.id).toEqual([t.apiVersion, t.kind, t.name, "{{namespace-id}}"]);
    }
  });

  it("keep the LMS_* variable names the application expects (ConfigMap + Secret)", () => {
    const config = JSON.parse(getTemplate("lms-config")!.body!).data;
    const secret = JSON.parse(getTemplate("lms-secrets")!.body!).stringData;
    const spec = [
      "LMS_CLIENT_ID",
      "LMS_SERVER_DEBUG",
      "LMS_SERVER_PORT",
      "LMS_SERVER_STATIC",
      "LMS_KEYS_SECRET_SEED",
      "LMS_KEYS_TOKEN_TTL_HOURS",
      "LMS_KEYS_PRIVATE_KEY_PATH",
      "LMS_LOGS_DIRECTORY",
      "LMS_LOGS_FILENAME",
      "LMS_LOGS_LOG_TO_FILE",
      "LMS_LOGS_MAX_AGE_DAY",
      "LMS_LOGS_MAX_BACKUPS",
      "LMS_LOGS_MAX_SIZE_MB",
      "LMS_NOTIFICATIONS_SMS4B_PASSCODE_LIFETIME",
      "LMS_NOTIFICATIONS_SMS4B_SENDER",
      "LMS_NOTIFICATIONS_SMS4B_TOKEN",
      "LMS_STORAGE_CLICKHOUSE_DEMO",
      "LMS_STORAGE_CLICKHOUSE_DSN",
      "LMS_STORAGE_CLICKHOUSE_INTERVAL_MS",
      "LMS_STORAGE_CLICKHOUSE_MIGRATIONS",
      "LMS_STORAGE_CLICKHOUSE_UPDATE_ATTEMPTS",
      "LMS_STORAGE_POSTGRES_DEMO",
      "LMS_STORAGE_POSTGRES_DSN",
      "LMS_STORAGE_POSTGRES_INTERVAL_MS",
      "LMS_STORAGE_POSTGRES_MIGRATIONS",
      "LMS_STORAGE_POSTGRES_UPDATE_ATTEMPTS",
    ];
    expect([...Object.keys(config), ...Object.keys(secret)].sort()).toEqual([...spec].sort());
    expect(Object.keys(config).filter((k) => Object.hasOwn(secret, k))).toEqual([]);
    // Credentials live in the Secret only.
    expect(Object.keys(secret).sort()).toEqual([
      "LMS_KEYS_SECRET_SEED",
      "LMS_NOTIFICATIONS_SMS4B_TOKEN",
      "LMS_STORAGE_CLICKHOUSE_DSN",
      "LMS_STORAGE_POSTGRES_DSN",
    ]);
    expect(config.LMS_SERVER_PORT).toBe(":8080");
  });

  it("never pass a password as a literal env value in the setup Jobs", () => {
    for (const id of ["postgres-setup-job", "clickhouse-setup-job"]) {
      const env = JSON.parse(getTemplate(id)!.body!).spec.template.spec.containers[0].env as { name: string; value?: string }[];
      for (const e of env) expect(e.value ?? "", `${id} ${e.name}`).not.toMatch(/password/);
    }
  });
});

describe("macro defaults", () => {
  it("ship the spec's lms-dev values", () => {
    expect(defaultMacroValues("lms-dev")).toMatchObject({
      "keys-token-ttl-hours": "8",
      "sms4b-passcode-lifetime-seconds": "120",
      "sms4b-sender": "1C-RARUS",
      "keys-rsa-path": "/etc/lms/rsa_key",
      "public-dns": "backend.lms-dev.rarus-cloud.ru",
      "docker-image": "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev",
      "nfs-server": "10.66.139.73",
      "image-pull-secret": "repository-token",
      "tls-secret": "tls",
    });
  });

  it("give an unknown namespace only the shared defaults", () => {
    expect(defaultMacroValues("lms-stage")).toEqual(commonMacroDefaults.values);
    expect(Object.keys(namespaceMacroDefaults).sort()).toEqual(["lms-dev", "lms-prod"]);
  });

  it("contain nothing secret", () => {
    for (const ns of ["lms-dev", "lms-prod"]) {
      for (const key of Object.keys(defaultMacroValues(ns))) expect(key).not.toMatch(/password|-token$|secret-seed|rsa-content/);
    }
  });
});
