/**
 * Provisioning against the real API server: a clean run with its exact requests (compared with what the fake-cluster
 * test asserts: 9 writes = 7 PATCH + 2 POST, no GET of an object, one rules review, one list per kind the templates write, one
 * watch of the Jobs), a re-run that changes nothing (no resourceVersion moves), an update (a variable and the image →
 * the ConfigMap and the Deployment change, the Deployment rolls to a new ReplicaSet, the setup Jobs stay; a database
 * password → its Secret changes and both Jobs run again), Jobs created with the field manager `sreda`, and a changed
 * Deployment selector refused as immutable in operator words.
 */
import {
  applyPlan,
  collectionPath,
  createProvisioningPlan,
  followEnvironment,
  getTemplate,
  kindInfo,
  systemClock,
  type ApplyEvent,
  type ProvisioningPlan,
} from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, createNamespace, deleteNamespace, provisioningInput, recordedClient, useRealCluster, type Obj } from "./support/cluster.js";
import { tally, writes, type RecordedRequest } from "./support/recording-fetch.js";
import { kubeCall, type RealClusterState } from "../src/index.js";

const cluster = useRealCluster("provisioning.test.ts");
const NS = "rc-provisioning";
const POLL = { jobPollIntervalMs: 250 };

beforeAll(async () => {
  if (cluster.state) await createNamespace(cluster.state, NS);
});
afterAll(() => deleteNamespace(cluster.state, NS));

const jobNames = (plan: ProvisioningPlan) => plan.steps.filter((s) => s.kind === "Job").map((s) => s.name);
const deploymentName = (plan: ProvisioningPlan) => plan.steps.find((s) => s.kind === "Deployment")!.name;
/**
 * The collections of every kind the templates write, each once: what the executor lists before the run (the kinds
 * this plan leaves out too — the platform rules turned off here: what is there of them would be pruned).
 */
const collections = (plan: ProvisioningPlan) => plan.environment.kinds.map((k) => collectionPath(kindInfo(k.kind, k.apiVersion)!, plan.namespace));
const follow = (kube: Parameters<typeof followEnvironment>[0], plan: ProvisioningPlan) =>
  followEnvironment(kube, { environment: plan.environment, clock: systemClock, timeoutMs: 90_000 });

/** Every object of the plan as the API server has it (admin reads, not recorded). */
async function liveObjects(s: RealClusterState, plan: ProvisioningPlan): Promise<Record<string, Obj>> {
  const entries = await Promise.all(
    plan.steps.map(async (step) => [step.id, await kubeCall<Obj>(admin(s), "GET", `${step.request.path.replace(/\?.*$/, "")}/${step.name}`)] as const),
  );
  return Object.fromEntries(entries);
}

const leases = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
const leasePath = (clientId: string) => `${leases}/sreda-lock-${clientId.toLowerCase()}`;
const lockRequests = (log: readonly RecordedRequest[]) => log.filter((r) => r.path.startsWith(leases));
/**
 * After the write that took the lease (`lock[0]`): a renewal (PUT) every 10 s while the run went on — none in a run
 * shorter than that — then the release, a PUT.
 */
function expectRenewalsAndRelease(lock: readonly RecordedRequest[], clientId: string): void {
  expect(lock.slice(1).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(lock.slice(1).map(() => `PUT ${leasePath(clientId)} 200`));
  for (let i = 1; i < lock.length - 1; i++) expect(lock[i]!.at - lock[i - 1]!.at, "renewed a third of the 30 s duration later").toBeGreaterThan(9_000);
}

const versions = (objects: Record<string, Obj>) => Object.fromEntries(Object.entries(objects).map(([id, o]) => [id, o["metadata"].resourceVersion as string]));
const path = (plan: ProvisioningPlan, id: string) => {
  const step = plan.steps.find((s) => s.id === id)!;
  return `${step.request.path.replace(/\?.*$/, "")}/${step.name}`;
};

describe("provisioning on the real API server", () => {
  // One customer through clean run → re-run → updates; the tests of this block build on each other.
  const clientId = "C101";
  let plan: ProvisioningPlan;
  let clean: RecordedRequest[] = [];
  let before: Record<string, Obj> = {};

  it("provisions a customer with exactly the requests the fake counts: 9 writes (7 PATCH + 2 POST), no read before them, and reaches Ready", async (ctx) => {
    const s = cluster.get(ctx);
    plan = createProvisioningPlan(provisioningInput(s, clientId, NS));
    const { kube, recorder } = recordedClient(s);
    const t0 = performance.now();
    const result = await applyPlan(plan, kube, POLL);
    const seconds = (performance.now() - t0) / 1000;
    expect(result.steps.map((x) => [x.id, x.outcome])).toEqual(plan.steps.map((x) => [x.id, "created"]));
    expect(result.status).toBe("succeeded");
    clean = [...recorder.log];
    expect(clean.every((r) => (r.status > 0 && r.status < 400) || (r.method === "GET" && r.status === 404))).toBe(true);

    // Writes: 9 = 7 server-side applies (PATCH, one per object path) + 2 Job creates (POST), as the fake asserts.
    const w = writes(clean);
    expect(w).toHaveLength(plan.steps.length);
    const applied = plan.steps.filter((x) => x.kind !== "Job");
    expect(
      w
        .filter((r) => r.method === "PATCH")
        .map((r) => r.path)
        .sort(),
    ).toEqual(applied.map((x) => path(plan, x.id)).sort());
    expect(w.filter((r) => r.method === "PATCH").every((r) => r.status === 201 && /fieldManager=sreda/.test(r.query) && /force=true/.test(r.query))).toBe(true);
    expect(w.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([`/apis/batch/v1/namespaces/${NS}/jobs`, `/apis/batch/v1/namespaces/${NS}/jobs`]);
    expect(w.filter((r) => r.method === "POST").map((r) => new URLSearchParams(r.query).get("fieldManager"))).toEqual(["sreda", "sreda"]);

    // Reads: no GET of an object before applying it (the apply's 201 says "created"); preflight: the namespace, the
    // two Secrets the templates expect, one rules review; with it, one list per kind written, by the customer's labels.
    for (const step of plan.steps)
      expect(
        clean.filter((r) => r.method === "GET" && r.path === path(plan, step.id)),
        step.id,
      ).toEqual([]);
    expect(
      tally(clean.filter((r) => r.path.includes("selfsubject") || r.path === `/api/v1/namespaces/${NS}` || /secrets\/(repository-token|tls)$/.test(r.path))),
    ).toEqual({
      [`GET /api/v1/namespaces/${NS}`]: 1,
      [`GET /api/v1/namespaces/${NS}/secrets/repository-token`]: 1,
      [`GET /api/v1/namespaces/${NS}/secrets/tls`]: 1,
      "POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews": 1,
    });
    const lists = clean.filter((r) => r.method === "GET" && !/watch=/.test(r.query) && collections(plan).includes(r.path));
    expect(lists.map((r) => r.path).sort()).toEqual([...collections(plan)].sort());
    expect(lists.every((r) => decodeURIComponent(r.query).includes(`sreda.io/client-id=${clientId}`))).toBe(true);
    // Jobs: created, then followed by one watch of the customer's Jobs (no GET of a Job); their pods are listed only
    // when a Job has not finished within the poll interval with a pod not ready yet — the real controller's timing.
    const watches = clean.filter((r) => r.method === "GET" && /watch=/.test(r.query));
    expect(watches.map((r) => r.path)).toEqual([`/apis/batch/v1/namespaces/${NS}/jobs`]);
    for (const name of jobNames(plan)) expect(clean.filter((r) => r.path === `/apis/batch/v1/namespaces/${NS}/jobs/${name}`)).toEqual([]);
    const podLists = clean.filter((r) => r.method === "GET" && r.path === `/api/v1/namespaces/${NS}/pods`);
    expect(podLists.every((r) => /controller-uid/.test(decodeURIComponent(r.query)))).toBe(true);
    // The customer's lock: its Lease read (none yet), created held, renewed every 10 s the run lasts, released by an update.
    const lock = lockRequests(clean);
    expect(lock.slice(0, 2).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET ${leasePath(clientId)} 404`, `POST ${leases} 201`]);
    expect(clean.slice(0, 2)).toEqual(lock.slice(0, 2));
    expect(clean.at(-1)).toBe(lock.at(-1));
    expectRenewalsAndRelease(lock.slice(1), clientId);
    expect(clean).toHaveLength(4 + lists.length + w.length + watches.length + podLists.length + lock.length);
    console.log(
      `clean provisioning on the real server: ${clean.length} requests in ${seconds.toFixed(1)} s (${w.length} writes; pod lists ${podLists.length}):\n${JSON.stringify(tally(clean), null, 1)}`,
    );

    expect((await follow(kube, plan)).phase).toBe("Ready");
    before = await liveObjects(s, plan);
    recorder.close();
  });

  it("creates the Jobs with the field manager sreda in managedFields", async (ctx) => {
    cluster.get(ctx);
    expect(before["postgres-setup-job"], "depends on the clean provisioning").toBeDefined();
    for (const id of ["postgres-setup-job", "clickhouse-setup-job"]) {
      const managers = (before[id]!["metadata"].managedFields as Obj[]).map((f) => `${f["manager"]}/${f["operation"]}`);
      expect(managers, id).toContain("sreda/Update");
      // The Job controller owns the status; nothing is recorded under a User-Agent name.
      expect(managers.some((m) => m.startsWith("sreda-sdk"))).toBe(false);
    }
    for (const id of ["lms-config", "lms-deployment"]) {
      expect(
        (before[id]!["metadata"].managedFields as Obj[]).map((f) => `${f["manager"]}/${f["operation"]}`),
        id,
      ).toContain("sreda/Apply");
    }
  });

  it("changes nothing on a re-run: every step unchanged, no resourceVersion moves, 7 no-op PATCHes and no other write", async (ctx) => {
    const s = cluster.get(ctx);
    expect(plan, "depends on the clean provisioning").toBeDefined();
    const { kube, recorder } = recordedClient(s);
    const t0 = performance.now();
    const result = await applyPlan(plan, kube, POLL);
    const seconds = (performance.now() - t0) / 1000;
    expect(result.status).toBe("succeeded");
    expect(result.steps.map((x) => x.outcome)).toEqual(plan.steps.map(() => "unchanged"));
    expect(versions(await liveObjects(s, plan))).toEqual(versions(before));
    const log = recorder.log;
    const applied = plan.steps.filter((x) => x.kind !== "Job");
    expect(writes(log).map((r) => `${r.method} ${r.status}`)).toEqual(applied.map(() => "PATCH 200"));
    // Exactly: preflight 4 (a new client: nothing remembered), one list per kind written, a PATCH per applied object;
    // the Jobs are Complete in their list: nothing more; and the lock: the released Lease read, taken over by an
    // update, released by another (a run this short renews nothing).
    const expected: Record<string, number> = {
      [`GET /api/v1/namespaces/${NS}`]: 1,
      [`GET /api/v1/namespaces/${NS}/secrets/repository-token`]: 1,
      [`GET /api/v1/namespaces/${NS}/secrets/tls`]: 1,
      "POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews": 1,
      [`GET ${leasePath(clientId)}`]: 1,
      [`PUT ${leasePath(clientId)}`]: 2,
    };
    for (const collection of collections(plan)) expected[`GET ${collection}`] = 1;
    for (const step of applied) expected[`PATCH ${path(plan, step.id)}`] = 1;
    expect(seconds).toBeLessThan(10);
    expect(tally(log)).toEqual(Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))));
    expect(log).toHaveLength(4 + collections(plan).length + applied.length + 3);
    recorder.close();
    // The same re-run without the client-side rate limit (qps < 0): what the default limiter (burst 40, 10/s) costs.
    const unlimited = recordedClient(s, "sredaEdit", { qps: -1 });
    const t1 = performance.now();
    expect((await applyPlan(plan, unlimited.kube, POLL)).status).toBe("succeeded");
    const unlimitedSeconds = (performance.now() - t1) / 1000;
    expect(unlimited.recorder.log).toHaveLength(log.length);
    unlimited.recorder.close();
    console.log(
      `re-run without change on the real server: ${log.length} requests in ${seconds.toFixed(1)} s (default rate limit), ${unlimitedSeconds.toFixed(1)} s without it`,
    );
  });

  it("updates what a changed variable and image touch: the ConfigMap and the Deployment, which rolls to a new ReplicaSet; the Jobs stay", async (ctx) => {
    const s = cluster.get(ctx);
    expect(plan, "depends on the clean provisioning").toBeDefined();
    const changed = createProvisioningPlan(
      provisioningInput(s, clientId, NS, (input) => {
        input.variables = [{ name: "LMS_SERVER_DEBUG", value: "true" }];
        input.environment.dockerImage = "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:v2";
      }),
    );
    const { kube, recorder } = recordedClient(s);
    const result = await applyPlan(changed, kube, POLL);
    expect(result.status).toBe("succeeded");
    expect(result.steps.filter((x) => x.outcome !== "unchanged").map((x) => [x.id, x.outcome])).toEqual([
      ["lms-config", "updated"],
      ["lms-deployment", "updated"],
    ]);
    const after = await liveObjects(s, changed);
    const moved = Object.keys(after).filter((id) => versions(after)[id] !== versions(before)[id]);
    expect(moved.sort()).toEqual(["lms-config", "lms-deployment"]);
    expect(after["lms-config"]!["data"]["LMS_SERVER_DEBUG"]).toBe("true");
    // The Jobs read nothing that changed: not deleted, not created again (same uid).
    for (const id of ["postgres-setup-job", "clickhouse-setup-job"]) expect(after[id]!["metadata"].uid).toBe(before[id]!["metadata"].uid);
    expect(writes(recorder.log).filter((r) => r.method !== "PATCH")).toEqual([]);

    // The Deployment rolls: a new ReplicaSet with the new image takes over, the old one is scaled to 0.
    expect((await follow(kube, changed)).phase).toBe("Ready");
    const sets = await kubeCall<Obj>(admin(s), "GET", `/apis/apps/v1/namespaces/${NS}/replicasets?labelSelector=${encodeURIComponent(`app=${clientId}-lms`)}`);
    const bySpec = (sets["items"] as Obj[]).map((rs) => ({
      image: rs["spec"].template.spec.containers[0].image as string,
      replicas: rs["spec"].replicas as number,
    }));
    expect(bySpec.sort((a, b) => a.image.localeCompare(b.image))).toEqual([
      { image: "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev", replicas: 0 },
      { image: "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:v2", replicas: 1 },
    ]);
    const deployment = after["lms-deployment"]!;
    expect(deployment["metadata"].generation).toBe(2);
    before = await liveObjects(s, changed);
    plan = changed;
    recorder.close();
  });

  it("runs the setup Jobs again when what they read changes (a database password): deleted in the background and created anew", async (ctx) => {
    const s = cluster.get(ctx);
    expect(plan, "depends on the clean provisioning").toBeDefined();
    const changed = createProvisioningPlan(
      provisioningInput(s, clientId, NS, (input) => {
        input.variables = [{ name: "LMS_SERVER_DEBUG", value: "true" }];
        input.environment.dockerImage = "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:v2";
        input.secrets = { ...input.secrets, postgresUserPassword: "AnotherPostgresPasswordC101" };
      }),
    );
    const events: ApplyEvent[] = [];
    const { kube, recorder } = recordedClient(s);
    const result = await applyPlan(changed, kube, { ...POLL, onEvent: (e) => events.push(e) });
    expect(result.status).toBe("succeeded");
    const outcomes = Object.fromEntries(result.steps.map((x) => [x.id, x.outcome]));
    // lms-secrets holds the customer's database password too, so it and the Deployment (its config hash) change as well.
    expect(outcomes).toEqual({
      "db-setup-secret": "updated",
      "clickhouse-setup-job": "updated",
      "postgres-setup-job": "updated",
      "lms-config": "unchanged",
      "lms-secrets": "updated",
      "rsa-secret": "unchanged",
      "lms-service": "unchanged",
      "lms-ingress": "unchanged",
      "lms-deployment": "updated",
    });
    const after = await liveObjects(s, changed);
    for (const id of ["postgres-setup-job", "clickhouse-setup-job"]) {
      expect(after[id]!["metadata"].uid, id).not.toBe(before[id]!["metadata"].uid);
      expect(after[id]!["status"].succeeded, id).toBe(1);
    }
    const deletes = recorder.log.filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => [r.path, new URLSearchParams(r.query).get("propagationPolicy"), r.status])).toEqual(
      expect.arrayContaining(jobNames(changed).map((name) => [`/apis/batch/v1/namespaces/${NS}/jobs/${name}`, "Background", 200])),
    );
    expect(deletes).toHaveLength(2);
    console.log(`password change: ${JSON.stringify(outcomes)}`);
    expect((await follow(kube, changed)).phase).toBe("Ready");
    recorder.close();
  });
});

describe("an immutable field on the real API server", () => {
  it("refuses a changed Deployment selector with reason FieldImmutable, naming spec.selector and the kubectl delete that helps", async (ctx) => {
    const s = cluster.get(ctx);
    const clientId = "C102";
    const { kube, recorder } = recordedClient(s);
    const first = await applyPlan(createProvisioningPlan(provisioningInput(s, clientId, NS)), kube, POLL);
    expect(first.status).toBe("succeeded");

    // The templates are data: an override of lms-deployment whose selector (and pod labels) carry one more label.
    const shipped = getTemplate("lms-deployment")!;
    const body = JSON.parse(shipped.body!) as Obj;
    body["spec"].selector.matchLabels.tier = "backend";
    body["spec"].template.metadata.labels.tier = "backend";
    const plan = createProvisioningPlan(
      provisioningInput(s, clientId, NS, (input) => (input.templates = [{ ...shipped, body: JSON.stringify(body, null, 2) }])),
    );
    recorder.clear();
    const result = await applyPlan(plan, kube, POLL);
    expect(result.status).toBe("failed");
    const step = result.steps.find((x) => x.id === "lms-deployment")!;
    expect(step).toMatchObject({ outcome: "failed", reason: "FieldImmutable" });
    expect(step.message).toMatch(/spec\.selector/);
    expect(step.message).toMatch(/неизменяем/);
    expect(step.message).toContain(`kubectl delete deployment lms-deployment-c102 -n ${NS}`);
    // What the server answered: 422 to the apply, nothing changed.
    const patch = recorder.log.find((r) => r.method === "PATCH" && r.path.endsWith("/deployments/lms-deployment-c102"));
    expect(patch?.status).toBe(422);
    const live = await kubeCall<Obj>(admin(s), "GET", `/apis/apps/v1/namespaces/${NS}/deployments/lms-deployment-c102`);
    expect(live["spec"].selector.matchLabels).toEqual({ app: `${clientId}-lms` });
    expect(result.steps.filter((x) => x.id !== "lms-deployment").every((x) => x.outcome === "unchanged")).toBe(true);
    console.log(`immutable selector: ${step.message}`);
    recorder.close();
  });
});
