/**
 * The executor against the fake cluster: clean provisioning, convergence, and every failure path.
 * The fake runs on a virtual clock, so minutes of rollout take milliseconds and runs repeat exactly.
 */
import { describe, expect, it } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan, type ProvisioningPlan } from "../../src/core/plan.js";
import type { ProvisioningInputData } from "../../src/core/models.js";
import { applyPlan, type ApplyEvent, type ApplyOptions } from "../../src/kube/apply.js";
import { SPEC_HASH_ANNOTATION } from "../../src/kube/apply-steps.js";
import { createKubeClient } from "../../src/kube/client.js";
import { KeyedLock } from "../../src/kube/lock.js";
import { resolveCustomerSecrets } from "../../src/kube/customer-secrets.js";
import { describeEnvironment } from "../../src/core/environment.js";
import { getTemplate, type RequestTemplate } from "@sreda/templates";
import { followEnvironment } from "../../src/kube/follow-environment.js";
import { createFakeCluster, type FakeClusterOptions } from "../../src/testing/index.js";

const API_ROOT = "https://rancher.example/k8s/clusters/c-m4hlh/";
const TOKEN = "sreda-dev-token";
type Input = ProvisioningInputData;

function setup(options: FakeClusterOptions = {}, change?: (input: Input) => void) {
  const cluster = createFakeCluster({ seed: 42, ...options });
  const kube = createKubeClient({ apiRootUrl: API_ROOT, token: TOKEN, fetch: (r) => cluster.fetch(r), clock: cluster.clock, random: () => 0.5 });
  const input = structuredClone(example) as unknown as Input;
  change?.(input);
  const plan = createProvisioningPlan(input);
  const events: ApplyEvent[] = [];
  const locks = new KeyedLock();
  const run = (extra: ApplyOptions = {}) =>
    applyPlan(plan, kube, { clock: cluster.clock, locks, random: () => 0.5, jobPollIntervalMs: 1000, onEvent: (e) => events.push(e), ...extra });
  const follow = () => followEnvironment(kube, { environment: plan.environment, clock: cluster.clock });
  return { cluster, kube, plan, events, run, follow, locks };
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Writes to customer objects (access reviews are questions, not writes; the lock's Lease is no object of the plan). */
function writes(log: ReadonlyArray<{ method: string; path: string; status: number }>) {
  return log.filter((r) => WRITES.has(r.method) && !r.path.includes("selfsubject") && !r.path.includes("/leases"));
}

function resourceVersions(cluster: ReturnType<typeof createFakeCluster>, plan: ProvisioningPlan) {
  return Object.fromEntries(plan.steps.map((s) => [s.id, (cluster.getObject(s.kind, plan.namespace, s.name) as any)?.metadata?.resourceVersion]));
}

describe("applyPlan against the fake cluster", () => {
  it("provisions C42 with exactly one write per object and reaches Ready", async () => {
    const { cluster, plan, run, follow, events } = setup();
    const result = await run();
    expect(result.status).toBe("succeeded");
    expect(result.steps.map((s) => [s.id, s.outcome])).toEqual(plan.steps.map((s) => [s.id, "created"]));
    const w = writes(cluster.requestLog);
    expect(w).toHaveLength(plan.steps.length);
    const patches = w.filter((r) => r.method === "PATCH").map((r) => r.path);
    expect(new Set(patches).size).toBe(plan.steps.length - 2);
    // Jobs are created (POST), everything else server-side applied (PATCH).
    expect(
      w
        .filter((r) => r.method === "POST")
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/apis/batch/v1/namespaces/lms-dev/jobs", "/apis/batch/v1/namespaces/lms-dev/jobs"]);
    expect(events[0]).toMatchObject({ type: "run-started", total: plan.steps.length });
    expect(events.at(-1)).toMatchObject({ type: "run-finished", status: "succeeded" });
    expect(events.filter((e) => e.type === "step-succeeded").map((e) => (e as { done: number }).done)).toEqual(plan.steps.map((_, i) => i + 1));
    const assessment = await follow();
    expect(assessment.phase).toBe("Ready");
  });

  it("runs the Deployment only after its ConfigMap, Secrets and both DB Jobs completed", async () => {
    const { run, events } = setup();
    await run();
    const at = (type: string, id: string) => events.findIndex((e) => e.type === type && "stepId" in e && e.stepId === id);
    const deploymentStart = at("step-started", "lms-deployment");
    for (const dep of ["lms-config", "lms-secrets", "rsa-secret", "postgres-setup-job", "clickhouse-setup-job"]) {
      expect(at("step-succeeded", dep)).toBeLessThan(deploymentStart);
    }
    // Independent steps run at once: both Jobs are started before either finishes.
    expect(at("step-started", "clickhouse-setup-job")).toBeLessThan(at("step-succeeded", "postgres-setup-job"));
    expect(at("step-started", "postgres-setup-job")).toBeLessThan(at("step-succeeded", "clickhouse-setup-job"));
  });

  it("changes nothing on a second run: every step unchanged, resourceVersions kept", async () => {
    const { cluster, plan, run } = setup();
    await run();
    const before = resourceVersions(cluster, plan);
    const second = await run();
    expect(second.status).toBe("succeeded");
    expect(second.steps.map((s) => s.outcome)).toEqual(plan.steps.map(() => "unchanged"));
    expect(resourceVersions(cluster, plan)).toEqual(before);
  });

  it("updates only what differs when a setting changes, and rolls the pods that read it", async () => {
    const { cluster, plan, run, kube } = setup();
    await run();
    const before = resourceVersions(cluster, plan);
    const changed = structuredClone(example) as unknown as Input;
    changed.variables = [{ name: "LMS_SERVER_DEBUG", value: "true" }];
    const result = await applyPlan(createProvisioningPlan(changed), kube, { clock: cluster.clock, random: () => 0.5 });
    // The ConfigMap changes, and the Deployment's pod template carries its hash, so the pods roll.
    expect(result.steps.filter((s) => s.outcome !== "unchanged").map((s) => [s.id, s.outcome])).toEqual([
      ["lms-config", "updated"],
      ["lms-deployment", "updated"],
    ]);
    const after = resourceVersions(cluster, plan);
    expect(Object.keys(after).filter((id) => after[id] !== before[id])).toEqual(["lms-config", "lms-deployment"]);
  });

  it("re-runs the database setup Job when the customer's database password changes", async () => {
    const { cluster, run, kube } = setup();
    await run();
    const changed = structuredClone(example) as unknown as Input;
    changed.secrets = { ...changed.secrets, postgresUserPassword: "AnotherPostgresPasswordC42" };
    const result = await applyPlan(createProvisioningPlan(changed), kube, { clock: cluster.clock, random: () => 0.5 });
    const outcome = (id: string) => result.steps.find((s) => s.id === id)!.outcome;
    expect(outcome("db-setup-secret")).toBe("updated");
    expect(outcome("postgres-setup-job")).toBe("updated");
    expect(outcome("clickhouse-setup-job")).toBe("updated");
    expect(outcome("lms-deployment")).toBe("updated");
    expect(outcome("lms-config")).toBe("unchanged");
  });

  it("never rotates a customer's secrets: a re-run without them reads them back", async () => {
    const { kube, run } = setup();
    await run();
    const resolved = await resolveCustomerSecrets(kube, { environment: describeEnvironment(example) });
    expect(resolved.generated).toBe(false);
    expect(resolved.secrets).toEqual(example.secrets);
    expect(Object.values(resolved.sources)).toEqual(["cluster", "cluster", "cluster", "cluster"]);
    const fresh = await resolveCustomerSecrets(kube, { environment: describeEnvironment({ ...example, client: { id: "C43" } }) });
    expect(fresh.generated).toBe(true);
    expect(fresh.secrets.postgresUserPassword).not.toBe(example.secrets.postgresUserPassword);
    expect(Object.values(fresh.sources)).toEqual(["generated", "generated", "generated", "generated"]);
  });

  it("keeps every secret when template overrides rename a Secret and keys: read back where the plan says they are", async () => {
    // rsa-secret becomes lms-keys-c42 with key private.pem; the PostgreSQL password's key becomes pg-password
    // (the Deployment and the Job follow the renames, as a 1C editor would change them together).
    const renamed = (id: string, pairs: [string, string][]) => {
      const template = structuredClone(getTemplate(id)!) as RequestTemplate;
      for (const [from, to] of pairs) {
        template.body = template.body!.replaceAll(from, to);
        if (template.name) template.name = template.name.replaceAll(from, to);
      }
      return template;
    };
    const templates = [
      renamed("rsa-secret", [
        ["rsa-secret-{{client-slug}}", "lms-keys-{{client-slug}}"],
        ['"rsa_key"', '"private.pem"'],
      ]),
      renamed("lms-deployment", [["rsa-secret-{{client-slug}}", "lms-keys-{{client-slug}}"]]),
      renamed("db-setup-secret", [['"postgres-user-password"', '"pg-password"']]),
      renamed("postgres-setup-job", [['"postgres-user-password"', '"pg-password"']]),
    ];
    const { kube, run, cluster, plan } = setup({}, (input) => (input.templates = templates));
    expect(plan.environment.secretLocations.rsaPrivateKeyPem).toEqual({ template: "rsa-secret", secret: "lms-keys-c42", key: "private.pem", field: "data" });
    expect(plan.environment.secretLocations.postgresUserPassword).toMatchObject({ secret: "lms-db-setup-c42", key: "pg-password" });
    expect((await run()).status).toBe("succeeded");
    expect(cluster.getObject("Secret", "lms-dev", "rsa-secret-c42")).toBeUndefined();

    // 1C comes back without the secrets: the description it gets from the same input finds them all.
    const { secrets: _secrets, ...withoutSecrets } = { ...structuredClone(example), templates } as Input;
    const resolved = await resolveCustomerSecrets(kube, { environment: describeEnvironment(withoutSecrets) });
    expect(resolved.sources).toEqual({
      rsaPrivateKeyPem: "cluster",
      keysSecretSeed: "cluster",
      postgresUserPassword: "cluster",
      clickhouseUserPassword: "cluster",
    });
    expect(resolved.secrets).toEqual(example.secrets);
    const again = await applyPlan(createProvisioningPlan({ ...withoutSecrets, secrets: resolved.secrets }), kube, {
      clock: cluster.clock,
      jobPollIntervalMs: 1000,
    });
    expect(again.steps.map((s) => s.outcome)).toEqual(again.steps.map(() => "unchanged"));
  });

  it("refuses to replace a stored secret that fails validation (it would rotate it)", async () => {
    const { cluster, kube, run } = setup();
    await run();
    const secret = cluster.getObject("Secret", "lms-dev", "lms-db-setup-c42") as any;
    secret.data["postgres-user-password"] = Buffer.from("bad password!").toString("base64");
    cluster.putObject(secret);
    await expect(resolveCustomerSecrets(kube, { environment: describeEnvironment(example) })).rejects.toMatchObject({ code: "INVALID_STORED_SECRET" });
  });

  it("refuses to generate secrets when the stored ones cannot be read", async () => {
    const { kube, run, cluster } = setup();
    await run();
    cluster.addFault({ match: { method: "GET", path: /secrets\/rsa-secret-c42$/ }, action: { type: "status", code: 403 } });
    await expect(resolveCustomerSecrets(kube, { environment: describeEnvironment(example) })).rejects.toMatchObject({ code: "Forbidden" });
  });

  it("reports a failed DB Job with its Kubernetes reason and log lines, and skips the Deployment", async () => {
    const { run, cluster } = setup({ behavior: { job: (job: any) => (job.metadata.name.startsWith("postgres") ? "fail" : "succeed") } });
    const result = await run();
    expect(result.status).toBe("failed");
    const job = result.steps.find((s) => s.id === "postgres-setup-job")!;
    expect(job).toMatchObject({ outcome: "failed", reason: "BackoffLimitExceeded" });
    expect(job.logs?.length).toBeGreaterThan(0);
    expect(result.steps.find((s) => s.id === "lms-deployment")).toMatchObject({ outcome: "skipped" });
    expect(cluster.getObject("Deployment", "lms-dev", "lms-deployment-c42")).toBeUndefined();
  });

  it("re-creates a Failed Job on the next run (deleted with propagationPolicy Background)", async () => {
    let fail = true;
    const { run, cluster } = setup({ behavior: { job: (job: any) => (fail && job.metadata.name.startsWith("postgres") ? "fail" : "succeed") } });
    expect((await run()).status).toBe("failed");
    fail = false;
    cluster.clearRequestLog();
    const second = await run();
    expect(second.status).toBe("succeeded");
    expect(second.steps.find((s) => s.id === "postgres-setup-job")).toMatchObject({ outcome: "updated" });
    expect(second.steps.find((s) => s.id === "clickhouse-setup-job")).toMatchObject({ outcome: "unchanged" });
    const deletes = cluster.requestLog.filter((r) => r.method === "DELETE");
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.path).toMatch(/jobs\/postgres-setup-c42$/);
    expect(deletes[0]!.query).toContain("propagationPolicy=Background");
  });

  it("re-creates a Job whose template changed and leaves a Complete one with the same template alone", async () => {
    const { run, cluster, kube } = setup();
    await run();
    const changed = structuredClone(example) as unknown as Input;
    changed.environment.images = { postgresClient: "postgres:18" };
    cluster.clearRequestLog();
    const result = await applyPlan(createProvisioningPlan(changed), kube, { clock: cluster.clock, random: () => 0.5 });
    expect(result.steps.find((s) => s.id === "postgres-setup-job")).toMatchObject({ outcome: "updated" });
    expect(result.steps.find((s) => s.id === "clickhouse-setup-job")).toMatchObject({ outcome: "unchanged" });
    expect((cluster.getObject("Job", "lms-dev", "postgres-setup-c42") as any).spec.template.spec.containers[0].image).toBe("postgres:18");
  });

  it("follows a Job whose create response was lost (AlreadyExists on the retry)", async () => {
    const { run, cluster, events } = setup();
    cluster.addFault({ match: { method: "POST", path: /jobs$/ }, times: 1, action: { type: "drop-after-write" } });
    const result = await run();
    expect(result.status).toBe("succeeded");
    expect(events.some((e) => e.type === "step-retrying" && e.reason === "NetworkError")).toBe(true);
    const conflicts = cluster.requestLog.filter((r) => r.method === "POST" && r.status === 409);
    expect(conflicts).toHaveLength(1);
    expect(cluster.objects({ kind: "Job", namespace: "lms-dev" })).toHaveLength(2);
  });

  it("rides out a 429 storm honouring Retry-After, and 5xx answers", async () => {
    const { run, cluster, events } = setup();
    cluster.addFault({ match: { method: "PATCH" }, probability: 0.5, times: 6, action: { type: "status", code: 429, retryAfterSeconds: 2 } });
    cluster.addFault({ match: { method: "PATCH", path: /secrets\/lms-/ }, times: 2, action: { type: "status", code: 503 } });
    const result = await run();
    expect(result.status).toBe("succeeded");
    expect(cluster.requestLog.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(cluster.requestLog.filter((r) => r.status === 503).length).toBe(2);
    const retries = events.filter((x) => x.type === "step-retrying") as Array<{ delayMs: number; reason: string }>;
    expect(retries.map((e) => e.reason)).toContain("TooManyRequests");
    expect(retries.map((e) => e.reason)).toContain("ServiceUnavailable");
    for (const e of retries.filter((x) => x.reason === "TooManyRequests")) expect(e.delayMs).toBeGreaterThanOrEqual(2000);
  });

  it("survives connections dropped mid-plan", async () => {
    const { run, cluster, events } = setup();
    cluster.addFault({ match: { method: "PATCH", path: /configmaps\// }, times: 2, action: { type: "drop" } });
    cluster.addFault({ match: { method: "PATCH", path: /deployments\// }, times: 1, action: { type: "drop-after-write" } });
    const result = await run();
    expect(result.status).toBe("succeeded");
    expect(cluster.objects({ kind: "ConfigMap", namespace: "lms-dev", labelSelector: "sreda.io/client-id=C42" })).toHaveLength(1);
    expect(cluster.getObject("Deployment", "lms-dev", "lms-deployment-c42")).toBeDefined();
    expect(events.filter((e) => e.type === "step-retrying" && e.reason === "NetworkError").map((e) => "stepId" in e && e.stepId)).toEqual([
      "lms-config",
      "lms-config",
      "lms-deployment",
    ]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("converges after an interruption after %i finished steps", async (k) => {
    const reference = setup();
    await reference.run();
    const { run, cluster, plan } = setup();
    const controller = new AbortController();
    const first = await run({
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "step-succeeded" && e.done >= k) controller.abort(new Error("interrupted"));
      },
    });
    expect(first.status).toBe("cancelled");
    const second = await run();
    expect(second.status).toBe("succeeded");
    // A Job's selector and pod labels carry its uid, which depends on the order the fake happened to create objects
    // in: a Job is compared by what was sent (the hash of its spec) and its pods' spec.
    const comparable = (o: any) => (o?.kind === "Job" ? [o.metadata.annotations?.[SPEC_HASH_ANNOTATION], o.spec.template.spec] : (o?.spec ?? o?.data));
    for (const step of plan.steps) {
      const live = cluster.getObject(step.kind, plan.namespace, step.name) as any;
      const expected = reference.cluster.getObject(step.kind, plan.namespace, step.name) as any;
      expect(comparable(live), step.id).toEqual(comparable(expected));
    }
    for (const kind of ["Job", "Secret", "ConfigMap", "Service", "Ingress", "Deployment"]) {
      expect(cluster.objects({ kind, namespace: "lms-dev", labelSelector: "sreda.io/client-id=C42" }).length, kind).toBe(
        reference.cluster.objects({ kind, namespace: "lms-dev", labelSelector: "sreda.io/client-id=C42" }).length,
      );
    }
  });

  it("serializes two concurrent runs for one customer; the second changes nothing", async () => {
    const { run, events } = setup();
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.status).toBe("succeeded");
    expect(b.steps.every((s) => s.outcome === "unchanged")).toBe(true);
    const finished = events.findIndex((e) => e.type === "run-finished");
    const secondStart = events.findIndex((e, i) => e.type === "run-started" && i > 0);
    expect(secondStart).toBeGreaterThan(finished);
  });

  it("cancels promptly through its AbortSignal and leaves the lock free", async () => {
    const { run, locks, kube, plan } = setup();
    const controller = new AbortController();
    const pending = run({ signal: controller.signal, onEvent: (e) => e.type === "step-waiting" && controller.abort(new Error("stop")) });
    const result = await pending;
    expect(result.status).toBe("cancelled");
    expect(result.steps.some((s) => s.outcome === "cancelled")).toBe(true);
    expect(locks.isLocked(`${kube.apiRootUrl}|${plan.namespace}|${plan.clientId}`)).toBe(false);
  });
});

describe("what a real API server showed the fake never did (issue 10)", () => {
  it("fails a Job whose pods cannot be scheduled, with the scheduler's message, instead of waiting for the Job timeout", async () => {
    const { run, cluster } = setup({ schedulable: false });
    const started = cluster.clock.now();
    const result = await run();
    expect(result.status).toBe("failed");
    const job = result.steps.find((s) => s.id === "postgres-setup-job")!;
    expect(job).toMatchObject({ outcome: "failed", reason: "Unschedulable" });
    expect(job.message).toMatch(/0\/3 nodes are available/);
    // Failed at the unschedulable threshold (3 min), not the 20-minute Job timeout.
    expect(cluster.clock.now() - started).toBeLessThan(5 * 60_000);
  });

  it("creates Jobs with the field manager sreda, as every other object is applied", async () => {
    const { run, cluster } = setup();
    await run();
    const job = cluster.getObject("Job", "lms-dev", "postgres-setup-c42") as any;
    expect(job.metadata.managedFields.map((f: any) => f.manager)).toContain("sreda");
    expect(
      cluster.requestLog.filter((r) => r.method === "POST" && r.path.endsWith("/jobs")).map((r) => new URLSearchParams(r.query).get("fieldManager")),
    ).toEqual(["sreda", "sreda"]);
  });

  it("explains an immutable field in operator words with the way forward", async () => {
    const { run, cluster, plan } = setup();
    const deployment = structuredClone(plan.steps.find((s) => s.id === "lms-deployment")!.request.body) as any;
    deployment.spec.selector.matchLabels = { app: "someone-else" };
    deployment.spec.template.metadata.labels.app = "someone-else";
    cluster.putObject(deployment);
    const step = (await run()).steps.find((s) => s.id === "lms-deployment")!;
    expect(step).toMatchObject({ outcome: "failed", reason: "FieldImmutable" });
    expect(step.message).toMatch(/spec\.selector/);
    expect(step.message).toMatch(/неизменяем/);
    expect(step.message).toMatch(/kubectl delete deployment lms-deployment-c42 -n lms-dev/);
  });

  it("says a failed Job's logs were unavailable when pods/log answers 404, rather than showing nothing", async () => {
    const { run, cluster } = setup({ behavior: { job: (job: any) => (job.metadata.name.startsWith("postgres") ? "fail" : "succeed") } });
    cluster.addFault({ match: { path: /\/log$/ }, action: { type: "status", code: 404 } });
    const job = (await run()).steps.find((s) => s.id === "postgres-setup-job")!;
    expect(job.outcome).toBe("failed");
    expect(job.logs).toEqual([expect.stringMatching(/журналы .*недоступны.*404/)]);
  });
});

describe("preflight before the first write", () => {
  it("checks the permissions the status watcher needs too", async () => {
    const { run, cluster } = setup({ tokens: { [TOKEN]: { user: "operator", deny: [{ verb: "watch", resource: "jobs" }] } } });
    const result = await run();
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight.map((p) => p.message)).toEqual(["нет прав следить за Job в пространстве lms-dev"]);
    expect(writes(cluster.requestLog)).toEqual([]);
  });

  it("refuses to start without the right to create Jobs, in words an operator understands, writing nothing", async () => {
    const { run, cluster } = setup({ tokens: { [TOKEN]: { user: "operator", deny: [{ verb: "create", resource: "jobs" }] } } });
    const result = await run();
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight.map((p) => p.message)).toContain("нет прав создавать Job в пространстве lms-dev");
    expect(writes(cluster.requestLog)).toEqual([]);
  });

  it("names a missing image pull secret and TLS secret", async () => {
    const { run, cluster } = setup({ defaultSecrets: false });
    const result = await run();
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight.map((p) => [p.code, p.name])).toEqual([
      ["MissingObject", "repository-token"],
      ["MissingObject", "tls"],
    ]);
    expect(writes(cluster.requestLog)).toEqual([]);
  });

  it("names a missing namespace", async () => {
    const { run } = setup({ namespaces: ["default"] });
    const result = await run();
    expect(result.preflight).toEqual([{ code: "NamespaceNotFound", message: "пространство имён lms-dev не найдено в кластере" }]);
  });

  it("reports a rejected cluster token without leaking it", async () => {
    const { run } = setup({ tokens: { "another-token": { user: "x" } } });
    const result = await run();
    expect(result.preflight[0]).toMatchObject({ code: "Unauthorized" });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});

describe("status after provisioning", () => {
  it("reports an image that cannot be pulled as Failed within the pull-error threshold", async () => {
    const { run, follow, cluster } = setup({}, (i) => (i.environment.dockerImage = "registry.example/lms:does-not-exist"));
    const started = cluster.clock.now();
    expect((await run()).status).toBe("succeeded");
    const assessment = await follow();
    expect(assessment.phase).toBe("Failed");
    expect(assessment.reasons[0]!.reason).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(cluster.clock.now() - started).toBeLessThan(5 * 60_000);
  });

  it("reports a crash-looping container as Failed with its last log lines", async () => {
    const { run, follow } = setup({}, (i) => (i.environment.dockerImage = "registry.example/lms:crash"));
    await run();
    const assessment = await follow();
    expect(assessment.phase).toBe("Failed");
    expect(assessment.reasons[0]).toMatchObject({ reason: "CrashLoopBackOff" });
    expect(assessment.reasons[0]!.logs?.length).toBeGreaterThan(0);
  });
});
