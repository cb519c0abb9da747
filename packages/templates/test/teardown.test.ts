/**
 * The teardown set (`teardown/`): deprovisioning with «Удалить данные». Separate from `templates/` (never in a
 * provisioning plan), and built like the setup Jobs it undoes: same images, resources, limits and Secret habits.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RequestTemplate, getTemplate, teardownTemplates, templates } from "../src/index.js";

const teardownDir = new URL("../teardown/", import.meta.url);
const files = readdirSync(teardownDir).filter((f) => f.endsWith(".json"));

const teardown = (id: string) => {
  const found = teardownTemplates.find((t) => t.id === id);
  if (!found) throw new Error(`no teardown template ${id}`);
  return found;
};
const bodyOf = (t: RequestTemplate | undefined) => JSON.parse(t!.body!) as Record<string, any>;
const containerOf = (t: RequestTemplate | undefined) => bodyOf(t).spec.template.spec.containers[0] as Record<string, any>;

const labels = (component: string) => ({
  "app.kubernetes.io/name": "lms",
  "app.kubernetes.io/instance": "{{client-slug}}",
  "app.kubernetes.io/component": component,
  "app.kubernetes.io/managed-by": "sreda",
  "sreda.io/client-id": "{{client-id}}",
});

/** Every `{{macro}}` a template uses: path, name, `when` and anywhere in the body. */
function macrosOf(t: RequestTemplate): string[] {
  const text = [t.path, t.name ?? "", t.body ?? ""].join("\n");
  const found = new Set([...text.matchAll(/\{\{([a-z0-9-]+)\}\}/g)].map((m) => m[1]!));
  if (t.when) found.add(t.when);
  return [...found];
}

describe("teardown templates", () => {
  it("are exactly the files in teardown/, each named by its id, in execution order", () => {
    expect(files.map((f) => f.replace(/\.json$/, "")).sort()).toEqual(teardownTemplates.map((t) => t.id).sort());
    expect(teardownTemplates.map((t) => `${t.id} ${t.method} ${t.kind} ${t.name}${t.when ? ` when ${t.when}` : ""}`)).toEqual([
      "db-teardown-network-policy POST NetworkPolicy db-teardown-network-policy-{{client-slug}} when network-policies",
      "db-teardown-secret POST Secret lms-db-teardown-{{client-slug}}",
      "clickhouse-teardown-job POST Job clickhouse-teardown-{{client-slug}}",
      "postgres-teardown-job POST Job postgres-teardown-{{client-slug}}",
    ]);
    expect(Object.isFrozen(teardownTemplates)).toBe(true);
    for (const t of teardownTemplates) expect(Object.isFrozen(t)).toBe(true);
  });

  it.each(files)("%s is plain JSON that the schema accepts", (file) => {
    const text = readFileSync(new URL(file, teardownDir), "utf8");
    const raw = JSON.parse(text);
    // Written as the other template files are (JSON.stringify, 2 spaces), not by a formatter.
    expect(text).toBe(`${JSON.stringify(raw, null, 2)}\n`);
    expect(RequestTemplate.safeParse({ ...raw, body: raw.body === null ? null : JSON.stringify(raw.body) }).success).toBe(true);
  });

  it("are never part of the provisioning set: other ids, other object names", () => {
    const ids = new Set(templates.map((t) => t.id));
    const names = new Set(templates.map((t) => t.name));
    for (const t of teardownTemplates) {
      expect(ids.has(t.id), t.id).toBe(false);
      expect(getTemplate(t.id), t.id).toBeUndefined();
      expect(names.has(t.name), t.id).toBe(false);
    }
  });

  it("depend only on teardown templates that come earlier", () => {
    const order = new Map(teardownTemplates.map((t) => [t.id, t.order]));
    for (const t of teardownTemplates) for (const dep of t.dependsOn) expect(order.get(dep), `${t.id} → ${dep}`).toBeLessThan(t.order);
    expect(teardown("postgres-teardown-job").dependsOn).toEqual(["db-teardown-network-policy", "db-teardown-secret"]);
    expect(teardown("clickhouse-teardown-job").dependsOn).toEqual(["db-teardown-network-policy", "db-teardown-secret"]);
  });

  it("post to the collection of their kind, and the body names the same object, with the customer's labels", () => {
    const collection: Record<string, string> = {
      Secret: "/api/v1/namespaces/{{namespace-id}}/secrets",
      Job: "/apis/batch/v1/namespaces/{{namespace-id}}/jobs",
      NetworkPolicy: "/apis/networking.k8s.io/v1/namespaces/{{namespace-id}}/networkpolicies",
    };
    const components: Record<string, string> = {
      "db-teardown-network-policy": "db-teardown",
      "db-teardown-secret": "db-teardown",
      "clickhouse-teardown-job": "clickhouse-teardown",
      "postgres-teardown-job": "postgres-teardown",
    };
    for (const t of teardownTemplates) {
      expect(t.path, t.id).toBe(collection[t.kind]);
      const body = bodyOf(t);
      expect([body.apiVersion, body.kind, body.metadata.name, body.metadata.namespace], t.id).toEqual([t.apiVersion, t.kind, t.name, "{{namespace-id}}"]);
      expect(body.metadata.labels, t.id).toEqual(labels(components[t.id]!));
      if (t.kind === "Job") expect(body.spec.template.metadata.labels, t.id).toEqual(labels(components[t.id]!));
    }
  });

  it("the Secret holds the two administrator passwords only, from the same macros as db-setup-secret", () => {
    const secret = bodyOf(teardown("db-teardown-secret"));
    const setup = bodyOf(getTemplate("db-setup-secret")).stringData;
    expect(secret.type).toBe("Opaque");
    expect(secret.stringData).toEqual({
      "postgres-admin-password": setup["postgres-admin-password"],
      "clickhouse-admin-password": setup["clickhouse-admin-password"],
    });
    expect(secret.stringData).toEqual({
      "postgres-admin-password": "{{postgres-admin-password}}",
      "clickhouse-admin-password": "{{clickhouse-admin-password}}",
    });
  });

  it.each([
    ["postgres-teardown-job", "postgres-setup-job", "PG_PASSWORD"],
    ["clickhouse-teardown-job", "clickhouse-setup-job", "CH_PASSWORD"],
  ])("%s is built like %s: image, resources, limits, env; passwords from the teardown Secret only", (id, setupId, customerPassword) => {
    const job = bodyOf(teardown(id));
    const setup = bodyOf(getTemplate(setupId));
    expect(job.spec.backoffLimit).toBe(setup.spec.backoffLimit);
    expect(job.spec.activeDeadlineSeconds).toBe(setup.spec.activeDeadlineSeconds);
    expect(job.spec.ttlSecondsAfterFinished).toBe(setup.spec.ttlSecondsAfterFinished);
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    expect(job.spec.template.spec.containers).toHaveLength(1);
    const c = containerOf(teardown(id));
    const s = containerOf(getTemplate(setupId));
    expect([c.image, c.imagePullPolicy, c.resources]).toEqual([s.image, s.imagePullPolicy, s.resources]);
    expect(c.command.slice(0, 2)).toEqual(["/bin/bash", "-c"]);
    expect(c.command[2]).toMatch(/^set -euo pipefail\n/);
    // The setup Job's environment without the customer's password, the passwords from lms-db-teardown-<client>.
    const expected = (s.env as Record<string, any>[])
      .filter((e) => e.name !== customerPassword)
      .map((e) => (e.valueFrom ? { ...e, valueFrom: { secretKeyRef: { ...e.valueFrom.secretKeyRef, name: "lms-db-teardown-{{client-slug}}" } } } : e));
    expect(c.env).toEqual(expected);
    for (const e of c.env as { name: string; value?: string }[]) expect(e.value ?? "", `${id} ${e.name}`).not.toMatch(/password/);
    expect(c.env.find((e: { name: string }) => e.name === "USER_NAME")).toEqual({ name: "USER_NAME", value: "{{client-id}}" });
  });

  it("the PostgreSQL script passes the name as psql variables only, one statement at a time, idempotent", () => {
    const script = containerOf(teardown("postgres-teardown-job")).command[2] as string;
    expect(script).toContain(`psql -X -v ON_ERROR_STOP=1 -d postgres -v db="$USER_NAME" -v role="$USER_NAME" <<'SQL'\n`);
    expect(script).toContain(`DROP DATABASE IF EXISTS :"db" WITH (FORCE);\n`);
    expect(script).toContain(`DROP ROLE IF EXISTS :"role";\n`);
    expect(script).not.toMatch(/psql[^\n]* (-c|-1|--single-transaction)\b/);
    // Inside the quoted here-document the shell expands nothing: $USER_NAME never reaches SQL text.
    const sql = script.slice(script.indexOf("<<'SQL'\n"), script.indexOf("\nSQL\n"));
    expect(sql).not.toContain("$");
  });

  it("the ClickHouse script quotes the identifier exactly as the setup script does, and drops with IF EXISTS", () => {
    const script = containerOf(teardown("clickhouse-teardown-job")).command[2] as string;
    const setup = containerOf(getTemplate("clickhouse-setup-job")).command[2] as string;
    const lineOf = (text: string, prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));
    expect(lineOf(script, "sql_ident() ")).toBe(lineOf(setup, "sql_ident() "));
    expect(lineOf(script, "ch() ")).toBe(lineOf(setup, "ch() "));
    expect(script.split("\n").filter((l) => l.startsWith("ch "))).toEqual([`ch "DROP USER IF EXISTS $db"`, `ch "DROP DATABASE IF EXISTS $db SYNC"`]);
  });

  it("the network policy is the setup Jobs' one, for the teardown Jobs' pods", () => {
    const policy = bodyOf(teardown("db-teardown-network-policy"));
    const setup = bodyOf(getTemplate("db-setup-network-policy"));
    expect(policy.spec.podSelector.matchExpressions).toEqual([
      { key: "app.kubernetes.io/component", operator: "In", values: ["clickhouse-teardown", "postgres-teardown"] },
    ]);
    expect({ ...policy.spec, podSelector: undefined }).toEqual({ ...setup.spec, podSelector: undefined });
    expect(policy.spec.podSelector.matchLabels).toEqual(setup.spec.podSelector.matchLabels);
    expect(teardown("db-teardown-network-policy").when).toBe(getTemplate("db-setup-network-policy")!.when);
  });

  it("use only macros the provisioning templates use too (the deprovisioning code resolves the same values)", () => {
    const provisioning = new Set(templates.flatMap(macrosOf));
    const used = [...new Set(teardownTemplates.flatMap(macrosOf))].sort();
    expect(used.filter((m) => !provisioning.has(m))).toEqual([]);
    expect(used).toEqual(
      [
        "clickhouse-admin-password",
        "clickhouse-admin-user",
        "clickhouse-client-image",
        "clickhouse-egress-rule",
        "clickhouse-host",
        "clickhouse-port",
        "client-id",
        "client-slug",
        "dns-namespace",
        "dns-pod-labels",
        "job-cpu-limit",
        "job-cpu-request",
        "job-memory-limit",
        "job-memory-request",
        "namespace-id",
        "network-policies",
        "postgres-admin-password",
        "postgres-admin-user",
        "postgres-client-image",
        "postgres-egress-rule",
        "postgres-host",
        "postgres-port",
      ].sort(),
    );
  });
});
