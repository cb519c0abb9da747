/**
 * What a provisioning asks of the API server (issue 13): one SelfSubjectRulesReview per namespace, remembered briefly
 * per client; one list per kind written, in the same round as the preflight, instead of a GET before every apply;
 * the Jobs followed by one watch instead of polls; and the customer's lock between processes (issue 15), its Lease
 * read, taken and released. Counted on the fake cluster's request log.
 */
import { describe, expect, it } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import type { ProvisioningInputData } from "../../src/core/models.js";
import { createProvisioningPlan, type ProvisioningPlan } from "../../src/core/plan.js";
import { applyPlan, type ApplyOptions } from "../../src/kube/apply.js";
import { createKubeClient } from "../../src/kube/client.js";
import { KeyedLock } from "../../src/kube/lock.js";
import { grantedByRules } from "../../src/kube/permissions.js";
import { createFakeCluster, type FakeCluster, type FakeClusterOptions, type RequestLogEntry, type Tokens } from "../../src/testing/index.js";

const TOKEN = "sreda-dev-token";
type Input = ProvisioningInputData;

function planFor(clientId = "C42"): ProvisioningPlan {
  const input = structuredClone(example) as unknown as Input;
  input.client = { ...input.client, id: clientId };
  return createProvisioningPlan(input);
}

/** The fake, a client on it (through `wrap`, when given) and a run of C42 with a 1 s Job poll interval. */
function setup(options: FakeClusterOptions = {}, wrap?: (cluster: FakeCluster) => (request: Request) => Promise<Response>) {
  const cluster = createFakeCluster({ seed: 42, ...options });
  const fetch = wrap ? wrap(cluster) : (request: Request) => cluster.fetch(request);
  const kube = createKubeClient({ apiRootUrl: "https://rancher.example/k8s/clusters/c-m4hlh/", token: TOKEN, fetch, clock: cluster.clock, random: () => 0.5 });
  const locks = new KeyedLock();
  const run = (plan = planFor(), extra: ApplyOptions = {}) => applyPlan(plan, kube, { locks, random: () => 0.5, jobPollIntervalMs: 1000, ...extra });
  return { cluster, kube, run };
}

/** `METHOD verb Kind` (reviews by their kind) → count, sorted. */
function tally(log: readonly RequestLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) {
    const review = /selfsubject(rules|access)reviews$/.exec(r.path);
    const what = review ? (review[1] === "rules" ? "SelfSubjectRulesReview" : "SelfSubjectAccessReview") : (r.kind ?? r.path);
    const key = `${r.method} ${r.verb ?? "?"} ${what}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

const withoutPodLists = (log: readonly RequestLogEntry[]) => log.filter((r) => !(r.kind === "Pod" && r.verb === "list"));
const versions = (cluster: FakeCluster, plan: ProvisioningPlan) =>
  plan.steps.map((s) => (cluster.getObject(s.kind, plan.namespace, s.name) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);

/**
 * Each list the executor makes before the run: one per kind the templates write, with the customer's labels — the
 * kinds lms-dev's settings turn off too (HorizontalPodAutoscaler, NetworkPolicy, PodDisruptionBudget): what is there
 * of them is pruned.
 */
const LISTS = {
  "GET list ConfigMap": 1,
  "GET list Deployment": 1,
  "GET list HorizontalPodAutoscaler": 1,
  "GET list Ingress": 1,
  "GET list Job": 1,
  "GET list NetworkPolicy": 1,
  "GET list PodDisruptionBudget": 1,
  "GET list Secret": 1,
  "GET list Service": 1,
};
const APPLIES = { "PATCH patch ConfigMap": 1, "PATCH patch Deployment": 1, "PATCH patch Ingress": 1, "PATCH patch Secret": 3, "PATCH patch Service": 1 };
/**
 * The customer's lock (src/kube/lease.ts), the first time: its Lease read (404), created held, and at the end released
 * by an update (holder none). A run shorter than a third of the lease's duration (10 s; this one takes 5.7 s of the
 * fake's time) renews nothing.
 */
const FIRST_LOCK = { "GET get Lease": 1, "POST create Lease": 1, "PUT update Lease": 1 };
/** Every later time: the released Lease read, taken over by an update, released by another. */
const LOCK = { "GET get Lease": 1, "PUT update Lease": 2 };

describe("a clean provisioning", () => {
  it("asks one SelfSubjectRulesReview, lists each kind once, writes each object once and watches the Jobs: nothing else", async () => {
    const { cluster, run } = setup();
    const result = await run();
    expect(result.status).toBe("succeeded");
    expect(result.steps.map((s) => s.outcome)).toEqual(result.steps.map(() => "created"));
    expect(result.finishedAt - result.startedAt).toBeLessThan(10_000); // no renewal of the lock
    expect(tally(withoutPodLists(cluster.requestLog))).toEqual({
      "GET get Namespace": 1,
      "GET get Secret": 2, // repository-token and tls, which the templates expect
      ...LISTS,
      "GET watch Job": 1,
      ...APPLIES,
      "POST create Job": 2,
      "POST create SelfSubjectRulesReview": 1,
      ...FIRST_LOCK,
    });
    // The lock is taken before anything else is asked and released after everything else.
    const lease = cluster.requestLog.filter((r) => r.kind === "Lease");
    expect([cluster.requestLog[0], cluster.requestLog[1], cluster.requestLog.at(-1)]).toEqual(lease);
    // The lists and the watch select the customer's objects; the watch starts where the Jobs' list left off.
    for (const r of cluster.requestLog.filter((x) => (x.verb === "list" && x.kind !== "Pod") || x.verb === "watch")) {
      expect(new URLSearchParams(r.query).get("labelSelector"), `${r.verb} ${r.kind}`).toContain("sreda.io/client-id=C42");
    }
    expect(new URLSearchParams(cluster.requestLog.find((r) => r.verb === "watch")!.query).get("resourceVersion")).toMatch(/^\d+$/);
    // A Job's pods are read only to tell a stuck pod, and only the Job's own.
    for (const r of cluster.requestLog.filter((x) => x.kind === "Pod")) expect(decodeURIComponent(r.query)).toContain("batch.kubernetes.io/controller-uid=");
  });

  it("reads no object it then writes, and never polls a Job by GET", async () => {
    const { cluster, run } = setup();
    await run();
    const written = new Set(cluster.requestLog.filter((r) => r.method === "PATCH").map((r) => r.path));
    expect(written.size).toBe(7);
    expect(cluster.requestLog.filter((r) => r.method === "GET" && written.has(r.path))).toEqual([]);
    expect(cluster.requestLog.filter((r) => r.kind === "Job" && r.verb === "get")).toEqual([]);
  });

  it("lists no pods while the Jobs finish within the poll interval (the stuck-pod check is for Jobs that take longer)", async () => {
    const { cluster, run } = setup();
    expect((await run(planFor(), { jobPollIntervalMs: 60_000 })).status).toBe("succeeded");
    expect(cluster.requestLog.filter((r) => r.kind === "Pod")).toEqual([]);
  });

  it("answers created from the apply's 201, with no read before it, and leaves another customer's objects out", async () => {
    const { cluster, run } = setup();
    expect((await run(planFor("C43"))).status).toBe("succeeded");
    cluster.clearRequestLog();
    const result = await run();
    expect(result.steps.map((s) => s.outcome)).toEqual(result.steps.map(() => "created"));
    expect(cluster.requestLog.filter((r) => r.method === "PATCH").map((r) => r.status)).toEqual(Array(7).fill(201));
  });

  it("reports an object that existed without the customer's labels (not in the list) as updated", async () => {
    const { cluster, run } = setup();
    cluster.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "lms-config-c42", namespace: "lms-dev" }, data: { OLD: "1" } });
    const result = await run();
    expect(result.status).toBe("succeeded");
    expect(result.steps.find((s) => s.id === "lms-config")).toMatchObject({ outcome: "updated" });
    expect(result.steps.filter((s) => s.id !== "lms-config").map((s) => s.outcome)).toEqual(Array(8).fill("created"));
  });
});

describe("a re-run that changes nothing", () => {
  it("reports 9/9 unchanged, moves no resourceVersion, and asks no review within the TTL: two GETs, nine lists, seven applies, the lock", async () => {
    const { cluster, run } = setup();
    const plan = planFor();
    await run(plan);
    const before = versions(cluster, plan);
    cluster.clearRequestLog();
    const second = await run(plan);
    expect(second.steps.map((s) => s.outcome)).toEqual(plan.steps.map(() => "unchanged"));
    expect(versions(cluster, plan)).toEqual(before);
    expect(tally(cluster.requestLog)).toEqual({ "GET get Secret": 2, ...LISTS, ...APPLIES, ...LOCK });
    expect(cluster.requestLog.filter((r) => r.method === "PATCH").map((r) => r.status)).toEqual(Array(7).fill(200));
  });

  it("asks again once the TTL has passed, and with another TTL given", async () => {
    const { cluster, run } = setup();
    await run();
    await cluster.clock.advance(31_000);
    cluster.clearRequestLog();
    await run();
    expect(tally(cluster.requestLog)).toMatchObject({ "GET get Namespace": 1, "POST create SelfSubjectRulesReview": 1 });
    cluster.clearRequestLog();
    await run(planFor(), { permissionCacheMs: 0 });
    expect(tally(cluster.requestLog)).toMatchObject({ "GET get Namespace": 1, "POST create SelfSubjectRulesReview": 1 });
  });

  it("shares what it learnt of the namespace between customers on one client", async () => {
    const { cluster, run } = setup();
    await run(planFor("C42"));
    cluster.clearRequestLog();
    expect((await run(planFor("C43"))).status).toBe("succeeded");
    expect(cluster.requestLog.filter((r) => r.path.includes("selfsubject") || r.kind === "Namespace")).toEqual([]);
  });
});

describe("permissions from the rules review", () => {
  it("reports a missing right before the first write, in the same words, from one rules review", async () => {
    const { cluster, run } = setup({ tokens: { [TOKEN]: { user: "operator", deny: [{ verb: "create", resource: "jobs" }] } } });
    const result = await run();
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight.map((p) => p.message)).toEqual(["нет прав создавать Job в пространстве lms-dev"]);
    // Nothing written but the lock: the Lease, taken before the preflight, released after it.
    expect(cluster.requestLog.filter((r) => r.method !== "GET" && !r.path.includes("selfsubject")).map((r) => `${r.method} ${r.kind}`)).toEqual([
      "POST Lease",
      "PUT Lease",
    ]);
    expect(tally(cluster.requestLog)).toMatchObject({ "POST create SelfSubjectRulesReview": 1 });
    expect(tally(cluster.requestLog)["POST create SelfSubjectAccessReview"]).toBeUndefined();
  });

  it("never remembers a denial: the right an administrator grants is seen by the next run", async () => {
    const tokens: Tokens = { [TOKEN]: { user: "operator", deny: [{ verb: "create", resource: "jobs" }] } };
    const { cluster, run } = setup({ tokens });
    expect((await run()).status).toBe("preflight-failed");
    tokens[TOKEN]!.deny = [];
    expect((await run()).status).toBe("succeeded");
    expect(cluster.requestLog.filter((r) => r.path.endsWith("selfsubjectrulesreviews"))).toHaveLength(2);
  });

  it("asks access reviews only for what an incomplete rules review does not grant", async () => {
    const asked: string[] = [];
    const { cluster, run } = setup({}, (fake) => async (request) => {
      const path = new URL(request.url).pathname;
      if (path.endsWith("selfsubjectaccessreviews")) {
        const { resourceAttributes: a } = ((await request.clone().json()) as { spec: { resourceAttributes: Record<string, string> } }).spec;
        asked.push(`${a["verb"]} ${a["group"]}/${a["resource"]}`);
      }
      const answer = await fake.fetch(request);
      if (!path.endsWith("selfsubjectrulesreviews")) return answer;
      // A webhook authorizer that cannot list its rules: RBAC's are there (everything but batch), incomplete.
      const review = (await answer.json()) as { status: Record<string, unknown> };
      review.status = {
        resourceRules: [{ verbs: ["*"], apiGroups: ["", "apps", "networking.k8s.io", "autoscaling", "policy"], resources: ["*"] }],
        nonResourceRules: [],
        incomplete: true,
        evaluationError: "webhook authorizer does not support user rule resolution",
      };
      return new Response(JSON.stringify(review), { status: answer.status, headers: answer.headers });
    });
    expect((await run()).status).toBe("succeeded");
    // The lock's rights too: coordination.k8s.io is not among the groups the rules grant.
    expect(asked.sort()).toEqual([
      "create batch/jobs",
      "create coordination.k8s.io/leases",
      "delete batch/jobs",
      "get batch/jobs",
      "get coordination.k8s.io/leases",
      "list batch/jobs",
      "update coordination.k8s.io/leases",
      "watch batch/jobs",
    ]);
    expect(cluster.requestLog.filter((r) => r.path.endsWith("selfsubjectrulesreviews"))).toHaveLength(1);
  });

  it.each([
    [403, "forbidden"],
    [404, "not served"],
  ])("falls back to access reviews when the rules review is %i (%s), reporting a denial the same way", async (code) => {
    const { cluster, run } = setup({ tokens: { [TOKEN]: { user: "operator", deny: [{ verb: "watch", resource: "jobs" }] } } });
    cluster.addFault({ match: { path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews" }, action: { type: "status", code } });
    const result = await run();
    expect(result.preflight.map((p) => p.message)).toEqual(["нет прав следить за Job в пространстве lms-dev"]);
    expect(cluster.requestLog.filter((r) => r.path.endsWith("selfsubjectaccessreviews")).length).toBeGreaterThan(10);
  });

  it("grants by RBAC's rules: '*' matches anything, resourceNames only the named objects and never the collection", () => {
    const rules = [
      { verbs: ["get", "patch"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["lms-config-c42"] },
      { verbs: ["*"], apiGroups: ["apps"], resources: ["*"] },
      { verbs: ["list", "watch"], apiGroups: ["*"], resources: ["pods"] },
    ];
    const need = (verb: string, group: string, resource: string, names?: string[]) => ({ verb, group, resource, ...(names ? { names } : {}) });
    expect(grantedByRules(rules, need("patch", "", "configmaps", ["lms-config-c42"]))).toBe(true);
    expect(grantedByRules(rules, need("patch", "", "configmaps", ["lms-config-c42", "other"]))).toBe(false);
    expect(grantedByRules(rules, need("patch", "", "configmaps"))).toBe(false);
    expect(grantedByRules(rules, need("list", "", "configmaps"))).toBe(false);
    expect(grantedByRules(rules, need("create", "", "configmaps", ["lms-config-c42"]))).toBe(false);
    expect(grantedByRules(rules, need("delete", "apps", "deployments", ["x"]))).toBe(true);
    expect(grantedByRules(rules, need("watch", "", "pods"))).toBe(true);
    expect(grantedByRules(rules, need("get", "", "pods"))).toBe(false);
    expect(grantedByRules(rules, need("list", "batch", "jobs"))).toBe(false);
  });
});

describe("Jobs followed by a watch", () => {
  it("still sees a Job finish when its watch stays silent (a proxy holding it back): by listing", async () => {
    const { cluster, run } = setup();
    cluster.addFault({ match: { kind: "Job" }, action: { type: "silent-watch" } });
    const result = await run();
    expect(result.status).toBe("succeeded");
    expect(cluster.requestLog.filter((r) => r.kind === "Job" && r.verb === "list").length).toBeGreaterThan(1);
  });

  it("polls the Job by GET when it may not be watched", async () => {
    const { cluster, run } = setup();
    cluster.addFault({ match: { kind: "Job", verb: "watch" }, action: { type: "status", code: 403 } });
    const result = await run(planFor(), { skipPreflight: true });
    expect(result.status).toBe("succeeded");
    expect(cluster.requestLog.filter((r) => r.kind === "Job" && r.verb === "get").length).toBeGreaterThan(0);
  });

  it("follows a Job already running from the list, and reports it unchanged when done", async () => {
    const { cluster, run } = setup();
    const plan = planFor();
    const controller = new AbortController();
    // Stop the first run while its Jobs run: the second finds them in its list, running, and waits for them.
    await run(plan, { signal: controller.signal, onEvent: (e) => e.type === "step-waiting" && controller.abort(new Error("stop")) });
    const jobs = plan.steps.filter((s) => s.kind === "Job");
    const running = jobs.filter((s) => cluster.getObject("Job", plan.namespace, s.name)).map((s) => s.id);
    expect(running.length).toBeGreaterThan(0);
    cluster.clearRequestLog();
    const second = await run(plan);
    expect(second.status).toBe("succeeded");
    for (const id of running)
      expect(
        second.steps.find((s) => s.id === id),
        id,
      ).toMatchObject({ outcome: "unchanged" });
    expect(cluster.requestLog.filter((r) => r.kind === "Job" && r.method === "DELETE")).toEqual([]);
    expect(cluster.requestLog.filter((r) => r.kind === "Job" && r.method === "POST")).toHaveLength(jobs.length - running.length);
  });
});
