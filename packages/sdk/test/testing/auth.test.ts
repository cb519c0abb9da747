import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster } from "../../src/testing/index.js";
import { call, fixture, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
beforeEach(() => {
  cluster = createFakeCluster({
    tokens: {
      "sreda-dev-token": { user: "sreda-dev", deny: [{ verb: "create", group: "batch", resource: "jobs", namespace: "lms-prod" }, { resource: "pods/log" }] },
      "admin-token": { user: "admin" },
    },
  });
});
afterEach(() => cluster.close());

const ssar = (attrs: Json, token?: string) =>
  call(
    cluster,
    "POST",
    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: attrs } },
    token ? { token } : {},
  );

describe("authentication", () => {
  it.each([
    ["no Authorization header", null],
    ["an unknown token", "who-knows"],
  ])("answers %s with 401 Unauthorized", async (_what, token) => {
    const answer = await call(cluster, "GET", paths.secrets(), undefined, { token });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
    expect(cluster.requestLog.at(-1)).toMatchObject({ status: 401, path: "/api/v1/namespaces/lms-dev/secrets" });
  });

  it("logs who made each request", async () => {
    await call(cluster, "GET", paths.secrets());
    expect(cluster.requestLog.at(-1)).toMatchObject({ method: "GET", status: 200, user: "sreda-dev", verb: "list", kind: "Secret", namespace: "lms-dev" });
  });
});

describe("authorization", () => {
  it("answers a denied verb with 403 Forbidden, worded like RBAC", async () => {
    const job = fixture("job-postgres-setup-c42");
    job.metadata.namespace = "lms-prod";
    const answer = await call(cluster, "POST", paths.jobs("lms-prod"), job);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'jobs.batch is forbidden: User "sreda-dev" cannot create resource "jobs" in API group "batch" in the namespace "lms-prod"',
      reason: "Forbidden",
      details: { group: "batch", kind: "jobs" },
      code: 403,
    });
    expect((await call(cluster, "POST", paths.jobs("lms-prod"), job, { token: "admin-token" })).status).toBe(201);
    expect((await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"))).status).toBe(201);
  });

  it("denies a subresource separately (pods/log)", async () => {
    cluster.putObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "lms-dev" },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });
    const answer = await call(cluster, "GET", `${paths.pods()}/p/log`);
    expect(answer.status).toBe(403);
    expect(answer.body.message).toBe('pods "p" is forbidden: User "sreda-dev" cannot get resource "pods/log" in API group "" in the namespace "lms-dev"');
    expect((await call(cluster, "GET", `${paths.pods()}/p`)).status).toBe(200);
  });

  it("answers SelfSubjectAccessReview from the token's rules", async () => {
    const denied = await ssar({ namespace: "lms-prod", verb: "create", group: "batch", resource: "jobs" });
    expect(denied.status).toBe(201);
    expect(denied.body).toMatchObject({
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      spec: { resourceAttributes: { namespace: "lms-prod", verb: "create" } },
      status: { allowed: false },
    });
    const allowed = await ssar({ namespace: "lms-dev", verb: "create", group: "batch", resource: "jobs" });
    expect(allowed.body.status).toMatchObject({ allowed: true, reason: expect.stringContaining("RBAC: allowed by") });
  });

  it("lists what the user may do with SelfSubjectRulesReview", async () => {
    const answer = await call(cluster, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectRulesReview",
      spec: { namespace: "lms-prod" },
    });
    expect(answer.status).toBe(201);
    const jobs = answer.body.status.resourceRules.find((r: Json) => r.resources.includes("jobs"));
    expect(jobs.verbs).not.toContain("create");
    expect(jobs.verbs).toContain("get");
  });
});
