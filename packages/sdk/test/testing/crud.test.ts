import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster } from "../../src/testing/index.js";
import { call, fixture, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
beforeEach(() => {
  cluster = createFakeCluster();
});
afterEach(() => cluster.close());

describe("create and get", () => {
  it("creates a Secret: stringData becomes base64 data, server fields are set, GET returns the same object", async () => {
    const created = await call(cluster, "POST", paths.secrets(), fixture("secret-lms-secrets-c42"), { query: { fieldManager: "sreda" } });
    expect(created.status).toBe(201);
    const secret = created.body;
    expect(secret.kind).toBe("Secret");
    expect(secret.apiVersion).toBe("v1");
    expect(secret.stringData).toBeUndefined();
    expect(Buffer.from(secret.data.LMS_NOTIFICATIONS_SMS4B_TOKEN, "base64").toString()).toBe("CHANGE-ME-sms4b-token");
    expect(secret.type).toBe("Opaque");
    expect(secret.metadata).toMatchObject({ name: "lms-secrets-c42", namespace: "lms-dev", creationTimestamp: "2026-01-01T00:00:00Z" });
    expect(secret.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(secret.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(secret.metadata.generation).toBeUndefined();
    expect(secret.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: "sreda", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", time: "2026-01-01T00:00:00Z" }),
    ]);
    expect(secret.metadata.managedFields[0].fieldsV1["f:data"]).toHaveProperty(["f:LMS_STORAGE_POSTGRES_DSN"]);

    const got = await call(cluster, "GET", `${paths.secrets()}/lms-secrets-c42`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(secret);
  });

  it("answers a second create with 409 AlreadyExists", async () => {
    await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    const again = await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'jobs.batch "postgres-setup-c42" already exists',
      reason: "AlreadyExists",
      details: { name: "postgres-setup-c42", group: "batch", kind: "jobs" },
      code: 409,
    });
  });

  it("answers a missing object with 404 NotFound", async () => {
    const missing = await call(cluster, "GET", `${paths.secrets()}/rsa-secret-c42`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'secrets "rsa-secret-c42" not found',
      reason: "NotFound",
      details: { name: "rsa-secret-c42", kind: "secrets" },
      code: 404,
    });
  });

  it("refuses to create in a namespace that does not exist", async () => {
    const body = fixture("configmap-lms-config-c42");
    delete body.metadata.namespace;
    const answer = await call(cluster, "POST", paths.configmaps("lms-x"), body);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({
      message: 'namespaces "lms-x" not found',
      reason: "NotFound",
      details: { name: "lms-x", kind: "namespaces" },
      code: 404,
    });
  });

  it("refuses an object whose namespace differs from the URL's", async () => {
    const answer = await call(cluster, "POST", paths.configmaps("lms-prod"), fixture("configmap-lms-config-c42"));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      reason: "BadRequest",
      message: "the namespace of the provided object does not match the namespace sent on the request",
    });
  });

  it("names a generateName object with five random characters", async () => {
    const answer = await call(cluster, "POST", paths.configmaps(), { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "probe-" } });
    expect(answer.status).toBe(201);
    expect(answer.body.metadata.name).toMatch(/^probe-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it("does not store anything with dryRun=All", async () => {
    const answer = await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"), { query: { dryRun: "All" } });
    expect(answer.status).toBe(201);
    expect(answer.body.metadata.uid).toBeDefined();
    expect(cluster.getObject("ConfigMap", "lms-dev", "lms-config-c42")).toBeUndefined();
  });

  it("creates a namespace like the real one: label, finalizer, phase and its kube-root-ca.crt", async () => {
    const answer = await call(cluster, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "lms-c43" } });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      metadata: { labels: { "kubernetes.io/metadata.name": "lms-c43" } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
    expect((await call(cluster, "GET", `${paths.configmaps("lms-c43")}/kube-root-ca.crt`)).status).toBe(200);
  });

  it("answers a path of an API group it does not have with the mux's plain-text 404, a known group's unknown resource with a Status", async () => {
    for (const path of ["/apis/widgets.example.com/v1/namespaces/lms-dev/widgets", "/apis/widgets.example.com"]) {
      const answer = await cluster.fetch(`https://rancher.example/k8s/clusters/c-m4hlh${path}`, { headers: { Authorization: "Bearer sreda-dev-token" } });
      expect(answer.status).toBe(404);
      expect(answer.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await answer.text()).toBe("404 page not found\n");
    }
    const resource = await call(cluster, "GET", "/apis/apps/v1/namespaces/lms-dev/widgets");
    expect(resource.status).toBe(404);
    expect(resource.body).toMatchObject({ kind: "Status", reason: "NotFound", message: "the server could not find the requested resource" });
    // Authentication comes first.
    expect((await call(cluster, "GET", "/apis/widgets.example.com/v1/x", undefined, { token: "wrong" })).status).toBe(401);
  });

  it("serves /version and discovery", async () => {
    const version = await call(cluster, "GET", "/version");
    expect(version.body).toMatchObject({ major: "1", minor: "35", gitVersion: expect.stringMatching(/^v1\.35\./) });
    const core = await call(cluster, "GET", "/api/v1");
    expect(core.body.resources.map((r: Json) => r.name)).toEqual(expect.arrayContaining(["pods", "pods/log", "secrets", "namespaces"]));
  });
});

describe("defaulting", () => {
  it("defaults a Service like the API server (clusterIP, families, targetPort)", async () => {
    const { body } = await call(cluster, "POST", paths.services(), fixture("service-lms-c42"));
    expect(body.spec).toMatchObject({
      type: "ClusterIP",
      sessionAffinity: "None",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
    });
    expect(body.spec.clusterIP).toMatch(/^10\.43\.\d+\.\d+$/);
    expect(body.spec.clusterIPs).toEqual([body.spec.clusterIP]);
    expect(body.status).toEqual({ loadBalancer: {} });
    const noTarget = fixture("service-lms-c42");
    noTarget.metadata.name = "no-target";
    delete noTarget.spec.ports[0].targetPort;
    const second = await call(cluster, "POST", paths.services(), noTarget);
    expect(second.body.spec.ports[0]).toEqual({ name: "http", port: 8080, protocol: "TCP", targetPort: 8080 });
  });

  it("gives a Job its selector, controller labels and spec defaults", async () => {
    const { body: job } = await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    const uid = job.metadata.uid;
    expect(job.spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    expect(job.spec.template.metadata.labels).toMatchObject({
      "batch.kubernetes.io/controller-uid": uid,
      "controller-uid": uid,
      "batch.kubernetes.io/job-name": "postgres-setup-c42",
      "job-name": "postgres-setup-c42",
    });
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      completionMode: "NonIndexed",
      suspend: false,
      podReplacementPolicy: "TerminatingOrFailed",
      backoffLimit: 3,
    });
    expect(job.spec.template.spec).toMatchObject({
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      securityContext: {},
      schedulerName: "default-scheduler",
    });
    expect(job.spec.template.spec.containers[0]).toMatchObject({
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      imagePullPolicy: "IfNotPresent",
    });
    expect(job.metadata.generation).toBe(1);
  });

  it("defaults a Deployment the way kubectl get -o json shows it", async () => {
    const sent = fixture("deployment-lms-c42");
    delete sent.spec.strategy;
    delete sent.spec.progressDeadlineSeconds;
    const { body } = await call(cluster, "POST", paths.deployments(), sent);
    expect(body.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
    const podSpec = body.spec.template.spec;
    expect(podSpec).toMatchObject({ dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler", securityContext: {}, terminationGracePeriodSeconds: 30 });
    expect(podSpec.containers[0].ports[0]).toEqual({ containerPort: 8080, name: "8080tcp", protocol: "TCP" });
    expect(podSpec.containers[0].readinessProbe).toEqual({
      tcpSocket: { port: 8080 },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      failureThreshold: 3,
      timeoutSeconds: 1,
      successThreshold: 1,
    });
    expect(podSpec.volumes.find((v: Json) => v.name === "key").secret).toEqual({ secretName: "rsa-secret-c42", defaultMode: 256 });
    expect(body.status).toEqual({});
  });
});

describe("resourceVersion and generation", () => {
  it("bumps resourceVersion on every change and never on a write that changes nothing", async () => {
    const { body: created } = await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"));
    const same = await call(cluster, "PUT", `${paths.configmaps()}/lms-config-c42`, created);
    expect(same.status).toBe(200);
    expect(same.body.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const samePatch = await call(
      cluster,
      "PATCH",
      `${paths.configmaps()}/lms-config-c42`,
      { data: { LMS_SERVER_PORT: created.data.LMS_SERVER_PORT } },
      { contentType: "application/merge-patch+json" },
    );
    expect(samePatch.body.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const changed = await call(cluster, "PUT", `${paths.configmaps()}/lms-config-c42`, { ...created, data: { ...created.data, EXTRA: "1" } });
    expect(Number(changed.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });

  it("answers a PUT with a stale resourceVersion with 409 Conflict", async () => {
    const { body: created } = await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"));
    await call(cluster, "PUT", `${paths.configmaps()}/lms-config-c42`, { ...created, data: { A: "1" } });
    const stale = await call(cluster, "PUT", `${paths.configmaps()}/lms-config-c42`, { ...created, data: { A: "2" } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on configmaps "lms-config-c42": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "lms-config-c42", kind: "configmaps" },
    });
  });

  it("answers a PUT whose body names another object with 400", async () => {
    const { body: created } = await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"));
    const answer = await call(cluster, "PUT", `${paths.configmaps()}/other`, created);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe("the name of the object (lms-config-c42) does not match the name on the URL (other)");
  });

  it("bumps generation only when the spec changes (and, for Deployments, annotations)", async () => {
    const { body: created } = await call(cluster, "POST", paths.deployments(), fixture("deployment-lms-c42"));
    const url = `${paths.deployments()}/lms-deployment-c42`;
    const merge = { contentType: "application/merge-patch+json" };
    expect(created.metadata.generation).toBe(1);
    const labeled = await call(cluster, "PATCH", url, { metadata: { labels: { tier: "backend" } } }, merge);
    expect(labeled.body.metadata.generation).toBe(1);
    const scaled = await call(cluster, "PATCH", url, { spec: { replicas: 2 } }, merge);
    expect(scaled.body.metadata.generation).toBe(2);
    const annotated = await call(cluster, "PATCH", url, { metadata: { annotations: { note: "x" } } }, merge);
    expect(annotated.body.metadata.generation).toBe(3);
    const { body: cm } = await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"));
    const cmChanged = await call(cluster, "PATCH", `${paths.configmaps()}/lms-config-c42`, { data: { X: "1" } }, merge);
    expect(cm.metadata.generation).toBeUndefined();
    expect(cmChanged.body.metadata.generation).toBeUndefined();
  });

  it("ignores status written through the main resource", async () => {
    const job = fixture("job-postgres-setup-c42");
    job.status = { succeeded: 1 };
    const { body } = await call(cluster, "POST", paths.jobs(), job);
    expect(body.status).toEqual({});
  });
});

describe("validation", () => {
  const deployment = (): Json => {
    const d = fixture("deployment-lms-c42");
    d.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].containers = [{ name: "lms", image: "x" }];
    return d;
  };

  it("refuses unknown fields with fieldValidation=Strict (400, strict decoding error)", async () => {
    const answer = await call(cluster, "POST", paths.deployments(), deployment(), { query: { fieldValidation: "Strict" } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      reason: "BadRequest",
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].containers"',
    });
  });

  it("drops unknown fields with a Warning header without Strict", async () => {
    const answer = await call(cluster, "POST", paths.deployments(), deployment());
    expect(answer.status).toBe(201);
    expect(answer.headers.get("warning")).toBe(
      '299 - "unknown field \\"spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].containers\\""',
    );
    expect(answer.body.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]).toEqual({
      matchExpressions: [{ key: "rarus", operator: "In", values: ["lms"] }],
    });
    const ignored = deployment();
    ignored.metadata.name = "ignored";
    const quiet = await call(cluster, "POST", paths.deployments(), ignored, { query: { fieldValidation: "Ignore" } });
    expect(quiet.status).toBe(201);
    expect(quiet.headers.get("warning")).toBeNull();
  });

  it("answers wrong JSON types with 400 (a decode error)", async () => {
    const d = fixture("deployment-lms-c42");
    d.spec.replicas = "1";
    const answer = await call(cluster, "POST", paths.deployments(), d);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field Deployment.spec.replicas of type int32',
    );
  });

  it("answers invalid objects with 422 Invalid and one cause per problem", async () => {
    const job = fixture("job-postgres-setup-c42");
    job.metadata.name = "Postgres_Setup";
    delete job.spec.template.spec.containers[0].image;
    const answer = await call(cluster, "POST", paths.jobs(), job);
    expect(answer.status).toBe(422);
    expect(answer.body.reason).toBe("Invalid");
    expect(answer.body.details).toMatchObject({ name: "Postgres_Setup", group: "batch", kind: "Job" });
    expect(answer.body.details.causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message: expect.stringMatching(/^Invalid value: "Postgres_Setup": a lowercase RFC 1123 subdomain must consist of/),
        field: "metadata.name",
      },
      { reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers[0].image" },
    ]);
    expect(answer.body.message).toMatch(
      /^Job\.batch "Postgres_Setup" is invalid: \[metadata\.name: Invalid value: "Postgres_Setup": .*, spec\.template\.spec\.containers\[0\]\.image: Required value\]$/,
    );
  });

  it("refuses a Job whose pod template has no restartPolicy, or Always, as a missing one (422 Required)", async () => {
    const job = fixture("job-postgres-setup-c42");
    delete job.spec.template.spec.restartPolicy;
    const answer = await call(cluster, "POST", paths.jobs(), job);
    expect(answer.status).toBe(422);
    expect(answer.body.details.causes).toEqual([
      { reason: "FieldValueRequired", message: 'Required value: valid values: "OnFailure", "Never"', field: "spec.template.spec.restartPolicy" },
    ]);
    // kube-apiserver 1.35 says the same for Always (not "Unsupported value"), as the differential test shows.
    job.spec.template.spec.restartPolicy = "Always";
    const always = await call(cluster, "POST", paths.jobs(), job);
    expect(always.status).toBe(422);
    expect(always.body.details.causes).toEqual([
      { reason: "FieldValueRequired", message: 'Required value: valid values: "OnFailure", "Never"', field: "spec.template.spec.restartPolicy" },
    ]);
  });

  it("refuses a Deployment whose selector does not match its template", async () => {
    const d = fixture("deployment-lms-c42");
    d.spec.selector.matchLabels.app = "other";
    const answer = await call(cluster, "POST", paths.deployments(), d);
    expect(answer.status).toBe(422);
    expect(answer.body.details.causes[0]).toMatchObject({
      field: "spec.template.metadata.labels",
      message: expect.stringContaining("`selector` does not match template `labels`"),
    });
  });

  it("keeps a Job's template and a Deployment's selector immutable", async () => {
    await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    // Read it again: the Job controller has written its status since the create (a PUT of the create's answer is a 409).
    const { body: job } = await call(cluster, "GET", `${paths.jobs()}/postgres-setup-c42`);
    job.spec.template.spec.containers[0].image = "postgres:18";
    const jobAnswer = await call(cluster, "PUT", `${paths.jobs()}/postgres-setup-c42`, job);
    expect(jobAnswer.status).toBe(422);
    expect(jobAnswer.body.message).toMatch(/^Job\.batch "postgres-setup-c42" is invalid: spec\.template: Invalid value: .*: field is immutable$/);
    expect(jobAnswer.body.details.causes).toEqual([
      { reason: "FieldValueInvalid", message: expect.stringMatching(/field is immutable$/), field: "spec.template" },
    ]);

    await call(cluster, "POST", paths.deployments(), fixture("deployment-lms-c42"));
    const patch = { spec: { selector: { matchLabels: { app: "C42-lms", tier: "x" } }, template: { metadata: { labels: { tier: "x" } } } } };
    const deployAnswer = await call(cluster, "PATCH", `${paths.deployments()}/lms-deployment-c42`, patch, { contentType: "application/merge-patch+json" });
    expect(deployAnswer.status).toBe(422);
    expect(deployAnswer.body.details.causes).toEqual([
      expect.objectContaining({ field: "spec.selector", message: expect.stringMatching(/field is immutable$/) }),
    ]);
  });
});

describe("patches", () => {
  it("merge patch (RFC 7386): adds, replaces, removes with null", async () => {
    await call(cluster, "POST", paths.configmaps(), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "1", b: "2" } });
    const answer = await call(cluster, "PATCH", `${paths.configmaps()}/cm`, { data: { a: null, c: "3" } }, { contentType: "application/merge-patch+json" });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ b: "2", c: "3" });
  });

  it("strategic merge patch merges containers by name", async () => {
    await call(cluster, "POST", paths.deployments(), fixture("deployment-lms-c42"));
    const patch = { spec: { template: { spec: { containers: [{ name: "lms", image: "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:v2" }] } } } };
    const answer = await call(cluster, "PATCH", `${paths.deployments()}/lms-deployment-c42`, patch, { contentType: "application/strategic-merge-patch+json" });
    expect(answer.status).toBe(200);
    const container = answer.body.spec.template.spec.containers[0];
    expect(container.image).toBe("registry.gitlab.corp.rarus.cloud/rarus-lms/backend:v2");
    expect(container.envFrom).toHaveLength(2);
  });

  it("JSON patch (RFC 6902), with a failing test operation answered 422", async () => {
    await call(cluster, "POST", paths.configmaps(), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "1" } });
    const ok = await call(
      cluster,
      "PATCH",
      `${paths.configmaps()}/cm`,
      [
        { op: "test", path: "/data/a", value: "1" },
        { op: "replace", path: "/data/a", value: "2" },
      ],
      { contentType: "application/json-patch+json" },
    );
    expect(ok.body.data).toEqual({ a: "2" });
    const failed = await call(cluster, "PATCH", `${paths.configmaps()}/cm`, [{ op: "test", path: "/data/a", value: "1" }], {
      contentType: "application/json-patch+json",
    });
    expect(failed.status).toBe(422);
  });

  it("answers an unknown patch type with 415", async () => {
    await call(cluster, "POST", paths.configmaps(), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } });
    const answer = await call(cluster, "PATCH", `${paths.configmaps()}/cm`, { data: {} }, { contentType: "application/json" });
    expect(answer.status).toBe(415);
    expect(answer.body).toMatchObject({ reason: "UnsupportedMediaType", code: 415 });
  });

  it("answers a verb the resource does not have with 405", async () => {
    const answer = await call(cluster, "POST", `${paths.configmaps()}/cm`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } });
    expect(answer.status).toBe(405);
    expect(answer.body).toMatchObject({ reason: "MethodNotAllowed", code: 405 });
  });
});

describe("list", () => {
  beforeEach(async () => {
    const labels: [string, Json][] = [
      ["a", { app: "lms", tier: "backend", env: "dev" }],
      ["b", { app: "lms", tier: "frontend" }],
      ["c", { app: "crm", tier: "backend", env: "prod" }],
      ["d", {}],
    ];
    for (const [name, l] of labels) await call(cluster, "POST", paths.configmaps(), { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: l } });
  });

  const names = async (selector: string): Promise<string[]> => {
    const answer = await call(cluster, "GET", paths.configmaps(), undefined, { query: { labelSelector: selector } });
    return answer.body.items.map((i: Json) => i.metadata.name);
  };

  it.each([
    ["app=lms", ["a", "b"]],
    ["app==lms", ["a", "b"]],
    ["app!=lms", ["c", "d", "kube-root-ca.crt"]],
    ["tier in (backend,frontend)", ["a", "b", "c"]],
    ["tier notin (backend)", ["b", "d", "kube-root-ca.crt"]],
    ["env", ["a", "c"]],
    ["!env", ["b", "d", "kube-root-ca.crt"]],
    ["app=lms,tier=backend", ["a"]],
    ["app in (lms, crm),!env", ["b"]],
  ])("labelSelector %s", async (selector, expected) => {
    expect(await names(selector)).toEqual(expected);
  });

  it("returns a typed list whose items carry no kind or apiVersion", async () => {
    const answer = await call(cluster, "GET", paths.configmaps());
    expect(answer.body.kind).toBe("ConfigMapList");
    expect(answer.body.apiVersion).toBe("v1");
    expect(answer.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(answer.body.items[0].kind).toBeUndefined();
    expect(answer.body.items[0].apiVersion).toBeUndefined();
  });

  it("filters by fieldSelector metadata.name and pages with limit/continue", async () => {
    const one = await call(cluster, "GET", paths.configmaps(), undefined, { query: { fieldSelector: "metadata.name=b" } });
    expect(one.body.items.map((i: Json) => i.metadata.name)).toEqual(["b"]);
    const page1 = await call(cluster, "GET", paths.configmaps(), undefined, { query: { limit: "2" } });
    expect(page1.body.items.map((i: Json) => i.metadata.name)).toEqual(["a", "b"]);
    expect(page1.body.metadata.remainingItemCount).toBe(3);
    const page2 = await call(cluster, "GET", paths.configmaps(), undefined, { query: { limit: "2", continue: page1.body.metadata.continue } });
    expect(page2.body.items.map((i: Json) => i.metadata.name)).toEqual(["c", "d"]);
  });

  it("answers a malformed selector with 400", async () => {
    const answer = await call(cluster, "GET", paths.configmaps(), undefined, { query: { labelSelector: "app in lms" } });
    expect(answer.status).toBe(400);
    const unclosed = await call(cluster, "GET", paths.configmaps(), undefined, { query: { labelSelector: "app in (lms" } });
    expect(unclosed.status).toBe(400);
    expect(unclosed.body.message).toBe("unable to parse requirement: found '', expected: ',' or ')'");
  });

  it("lists an empty namespace that does not exist, like the real server", async () => {
    const answer = await call(cluster, "GET", paths.configmaps("nowhere"));
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([]);
  });
});

describe("delete", () => {
  it("answers a delete of a Secret with a Success Status and forgets it", async () => {
    const { body: created } = await call(cluster, "POST", paths.secrets(), fixture("secret-rsa-c42"));
    const answer = await call(cluster, "DELETE", `${paths.secrets()}/rsa-secret-c42`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "rsa-secret-c42", kind: "secrets", uid: created.metadata.uid },
    });
    expect((await call(cluster, "GET", `${paths.secrets()}/rsa-secret-c42`)).status).toBe(404);
  });

  it("checks delete preconditions, with the storage layer's words: the kind, not the resource", async () => {
    const { body: secret } = await call(cluster, "POST", paths.secrets(), fixture("secret-rsa-c42"));
    const answer = await call(cluster, "DELETE", `${paths.secrets()}/rsa-secret-c42`, { preconditions: { uid: "nope" } });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `Operation cannot be fulfilled on Secret "rsa-secret-c42": the UID in the precondition (nope) does not match the UID in record (${secret.metadata.uid}). The object might have been deleted and then recreated`,
      reason: "Conflict",
      details: { name: "rsa-secret-c42", kind: "Secret" },
      code: 409,
    });
    const { body: deployment } = await call(cluster, "POST", paths.deployments(), fixture("deployment-lms-c42"));
    const stale = await call(cluster, "DELETE", `${paths.deployments()}/lms-deployment-c42`, { preconditions: { resourceVersion: "1" } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(
      /^Operation cannot be fulfilled on Deployment\.apps "lms-deployment-c42": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/,
    );
    expect(stale.body.details).toEqual({ name: "lms-deployment-c42", group: "apps", kind: "Deployment" });
    expect(deployment.metadata.uid).toBeDefined();
  });
});

describe("putObject and objects()", () => {
  it("seeds objects directly, status included, and returns deep copies", () => {
    cluster.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "seeded", namespace: "team-a", labels: { app: "x" } }, data: { k: "v" } });
    const [cm] = cluster.objects({ kind: "ConfigMap", namespace: "team-a", labelSelector: "app=x" }) as Json[];
    expect(cm).toMatchObject({ kind: "ConfigMap", apiVersion: "v1", data: { k: "v" } });
    cm!.data.k = "changed";
    expect((cluster.getObject("ConfigMap", "team-a", "seeded") as Json).data.k).toBe("v");
    expect(cluster.getObject("Namespace", undefined, "team-a")).toBeDefined();
  });

  it("seeds the image pull and TLS secrets by default", () => {
    expect(cluster.getObject("Secret", "lms-dev", "repository-token")).toMatchObject({ type: "kubernetes.io/dockerconfigjson" });
    expect(cluster.getObject("Secret", "lms-prod", "tls")).toMatchObject({ type: "kubernetes.io/tls" });
    const bare = createFakeCluster({ defaultSecrets: false, namespaces: ["default"] });
    expect(bare.objects({ kind: "Secret" })).toEqual([]);
    bare.close();
  });
});
