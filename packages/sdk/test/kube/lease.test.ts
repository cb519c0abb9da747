/**
 * The lock between processes (issue 15): the customer's Lease, held as client-go's leader election holds one. Two
 * executors are two clients with their own identities and their own in-process locks, so only the Lease stands
 * between them — as between two bridges, or a bridge and a CLI. Everything runs on the fake cluster's virtual clock.
 */
import { describe, expect, it } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import type { Clock } from "../../src/core/clock.js";
import { SredaError } from "../../src/core/errors.js";
import type { ProvisioningInputData } from "../../src/core/models.js";
import { createProvisioningPlan, type ProvisioningPlan } from "../../src/core/plan.js";
import { applyPlan, type ApplyEvent, type ApplyOptions } from "../../src/kube/apply.js";
import { createKubeClient, type KubeClient } from "../../src/kube/client.js";
import { OPERATION_ANNOTATION } from "../../src/kube/lease.js";
import { KeyedLock, withCustomerLock, type CustomerLockOptions } from "../../src/kube/lock.js";
import { createFakeCluster, type FakeCluster, type FakeClusterOptions } from "../../src/testing/index.js";

const API_ROOT = "https://rancher.example/k8s/clusters/c-m4hlh/";
const C42 = { namespace: "lms-dev", clientId: "C42" };
const START = Date.parse("2026-01-01T00:00:00Z");

interface LeaseObject {
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: unknown };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

function planFor(clientId = "C42"): ProvisioningPlan {
  const input = structuredClone(example) as unknown as ProvisioningInputData;
  input.client = { ...input.client, id: clientId };
  return createProvisioningPlan(input);
}

/** The fake with two tokens: "bridge" and "cli", each its own process (its own client and in-process locks). */
function setup(options: FakeClusterOptions = {}) {
  const cluster = createFakeCluster({ seed: 42, tokens: { "token-bridge": { user: "bridge" }, "token-cli": { user: "cli" } }, ...options });
  const client = (token: string, fetch: (request: Request) => Promise<Response> = (r) => cluster.fetch(r)) =>
    createKubeClient({ apiRootUrl: API_ROOT, token, fetch, clock: cluster.clock, random: () => 0.5 });
  const bridge = client("token-bridge");
  const cli = client("token-cli");
  const lease = (name = "sreda-lock-c42", namespace = "lms-dev") => cluster.getObject("Lease", namespace, name) as LeaseObject | undefined;
  const since = () => (cluster.clock.now() - START) / 1000;
  return { cluster, client, bridge, cli, lease, since };
}

/** An operation under the lock that runs until its signal aborts (or `ms` of the clock pass), saying how it ended. */
function hold(kube: KubeClient, options: CustomerLockOptions, clock: Clock, ms = Infinity, target = C42) {
  return withCustomerLock(kube, target, { locks: new KeyedLock(), ...options }, async (signal) => {
    if (ms === Infinity) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    else await clock.sleep(ms, signal).catch(() => undefined);
    return signal.aborted ? { aborted: signal.reason as unknown } : { aborted: undefined };
  });
}

const applyOptions = (identity: string, extra: ApplyOptions = {}): ApplyOptions => ({
  identity,
  locks: new KeyedLock(),
  random: () => 0.5,
  jobPollIntervalMs: 1000,
  ...extra,
});

describe("two executors on one customer", () => {
  it("lets exactly one proceed; the other is told who holds the customer, doing what, since when, and writes nothing", async () => {
    const { cluster, bridge, cli, lease } = setup();
    const plan = planFor();
    const [a, b] = await Promise.allSettled([
      applyPlan(plan, bridge, applyOptions("bridge-1", { whenLocked: "fail" })),
      applyPlan(plan, cli, applyOptions("cli-2", { whenLocked: "fail" })),
    ]);
    expect(a).toMatchObject({ status: "fulfilled", value: { status: "succeeded" } });
    const error = (b as PromiseRejectedResult).reason as SredaError;
    expect(error).toBeInstanceOf(SredaError);
    expect(error.code).toBe("LOCKED");
    expect(error.message).toBe("Для клиента C42 в lms-dev уже выполняется развёртывание: bridge-1, с 2026-01-01 00:00:00 UTC");
    expect(error.details).toEqual({
      holder: "bridge-1",
      operation: "развёртывание",
      since: "2026-01-01T00:00:00.000000Z",
      clientId: "C42",
      namespace: "lms-dev",
    });
    // Both found no lease and created one at once: the second create lost (409), the lease read again was held.
    expect(cluster.requestLog.filter((r) => r.user === "cli").map((r) => `${r.method} ${r.kind} ${r.status}`)).toEqual([
      "GET Lease 404",
      "POST Lease 409",
      "GET Lease 200",
    ]);
    expect(lease()!.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 0 });
  });

  it("with whenLocked wait, lets the second proceed once the first has released the lease, never interleaving", async () => {
    const { cluster, bridge, cli, lease } = setup();
    const plan = planFor();
    const events: Record<string, ApplyEvent[]> = { bridge: [], cli: [] };
    const [first, second] = await Promise.all([
      applyPlan(plan, bridge, applyOptions("bridge-1", { onEvent: (e) => events["bridge"]!.push(e) })),
      applyPlan(plan, cli, applyOptions("cli-2", { onEvent: (e) => events["cli"]!.push(e) })),
    ]);
    expect(first.status).toBe("succeeded");
    expect(first.steps.map((s) => s.outcome)).toEqual(plan.steps.map(() => "created"));
    // The second found everything done by the first: nothing of the two runs overlapped.
    expect(second.status).toBe("succeeded");
    expect(second.steps.map((s) => s.outcome)).toEqual(plan.steps.map(() => "unchanged"));
    expect(events["cli"]![0]!.at).toBeGreaterThanOrEqual(events["bridge"]!.at(-1)!.at);
    const release = cluster.requestLog.findLast((r) => r.user === "bridge" && r.kind === "Lease")!;
    expect(release.method).toBe("PUT");
    expect(cluster.requestLog.filter((r) => r.user === "cli" && r.kind !== "Lease").every((r) => r.seq > release.seq)).toBe(true);
    // Taken over from a released lease: one transition; released again at the end.
    expect(lease()!.spec).toMatchObject({ holderIdentity: "", leaseTransitions: 1 });
  });
});

describe("expiry, judged by the waiter's own clock", () => {
  it("takes over the lease of a holder that died without releasing it, a lease duration after it last saw it change", async () => {
    const { cluster, client, cli, lease, since } = setup();
    let alive = true;
    // The bridge holds C42, then its process is gone: no renewal, no release reaches the cluster.
    const bridge = client("token-bridge", (request) => (alive ? cluster.fetch(request) : Promise.reject(new TypeError("fetch failed"))));
    const abandoned = hold(bridge, { identity: "bridge-1", operation: "suspend" }, cluster.clock).catch((e: unknown) => e);
    await cluster.clock.sleep(1);
    alive = false;
    expect(lease()!.spec).toMatchObject({ holderIdentity: "bridge-1", leaseTransitions: 0 });
    await cluster.clock.sleep(4_999);

    const waitingFrom = since();
    let seen: LeaseObject | undefined;
    const result = await withCustomerLock(cli, C42, { identity: "cli-2", operation: "deprovision", locks: new KeyedLock() }, async () => {
      seen = lease();
      return since();
    });
    // renewTime says 0 s + 30 s = expired at 30 s; the CLI first saw the record at 5 s, and waited 30 s of its own time.
    expect(waitingFrom).toBe(5);
    expect(result).toBeGreaterThanOrEqual(35);
    expect(result).toBeLessThan(37);
    expect(seen!.spec).toMatchObject({ holderIdentity: "cli-2", leaseDurationSeconds: 30, leaseTransitions: 1 });
    expect(seen!.metadata.annotations?.[OPERATION_ANNOTATION]).toBe("deprovision");
    expect(await abandoned).toMatchObject({ code: "LOCK_LOST" });
  });

  it("does not wait for a renewTime an hour ahead (the holder's fast clock): refused now, taken a duration later", async () => {
    const { cluster, cli, lease } = setup();
    const inAnHour = new Date(START + 3_600_000).toISOString().replace("Z", "000Z");
    cluster.putObject({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "sreda-lock-c42", namespace: "lms-dev", annotations: { [OPERATION_ANNOTATION]: "suspend" } },
      spec: { holderIdentity: "cli-fast", leaseDurationSeconds: 30, acquireTime: inAnHour, renewTime: inAnHour, leaseTransitions: 3 },
    });
    const tryNow = () => withCustomerLock(cli, C42, { identity: "cli-2", whenLocked: "fail", locks: new KeyedLock() }, async () => lease()!.spec);
    await expect(tryNow()).rejects.toMatchObject({
      code: "LOCKED",
      message: "Для клиента C42 в lms-dev уже выполняется suspend: cli-fast, с 2026-01-01 01:00:00 UTC",
    });
    await cluster.clock.sleep(29_000);
    await expect(tryNow()).rejects.toMatchObject({ code: "LOCKED" });
    // The same client asks again a whole duration after it first saw the record unchanged: the holder is gone.
    await cluster.clock.sleep(1_000);
    expect(await tryNow()).toMatchObject({ holderIdentity: "cli-2", leaseTransitions: 4 });
  });

  it("keeps waiting for a live holder whose clock is an hour behind: its renewTime looks expired, but it changes", async () => {
    const { cluster, bridge, cli, lease, since } = setup();
    const slow: Clock = { now: () => cluster.clock.now() - 3_600_000, sleep: (ms, signal) => cluster.clock.sleep(ms, signal) };
    const held = hold(bridge, { identity: "bridge-slow", clock: slow }, cluster.clock, 120_000);
    await cluster.clock.sleep(45_000);
    expect(Date.parse(lease()!.spec.renewTime!)).toBeLessThan(cluster.clock.now() - 3_500_000);
    const startedAt = await withCustomerLock(cli, C42, { identity: "cli-2", locks: new KeyedLock() }, async () => since());
    expect(await held).toEqual({ aborted: undefined });
    expect(startedAt).toBeGreaterThanOrEqual(120);
  });
});

describe("identity", () => {
  it("gives a holder restarted under its name its lease back at once; its earlier life, were it alive, finds it taken", async () => {
    const { cluster, bridge, client, lease } = setup();
    // The bridge's earlier life holds C42 (its process "restarted": the new one is another client, other locks).
    // Its failure is caught at once: it comes (at the renewal, 10 s) while the new holding below still runs.
    const earlier = hold(bridge, { identity: "bridge-a", operation: "provisioning" }, cluster.clock).catch((e: unknown) => e);
    await cluster.clock.sleep(1_000);
    const restarted = client("token-bridge");
    const spec = await withCustomerLock(restarted, C42, { identity: "bridge-a", whenLocked: "fail", locks: new KeyedLock() }, async () => {
      await cluster.clock.sleep(15_000);
      return lease()!.spec;
    });
    // Same holder: no transition; a new acquireTime, so the earlier holding's renewal (at 10 s) saw it was no longer its.
    expect(spec).toMatchObject({ holderIdentity: "bridge-a", leaseTransitions: 0, acquireTime: "2026-01-01T00:00:01.000000Z" });
    expect(await earlier).toMatchObject({ code: "LOCK_LOST", details: { holder: "bridge-a" } });
  });
});

describe("a create whose answer is lost", () => {
  it("is found on the read that follows and held, after a 503 or a dropped connection (the client does not repeat a POST)", async () => {
    for (const action of [{ type: "status", code: 503 }, { type: "drop-after-write" }] as const) {
      const { cluster, bridge, lease } = setup();
      cluster.addFault({ match: { kind: "Lease", verb: "create" }, action, times: 1 });
      expect(await hold(bridge, { identity: "bridge-1" }, cluster.clock, 1_000)).toEqual({ aborted: undefined });
      expect(lease()!.spec).toMatchObject({ holderIdentity: "", leaseTransitions: 0 });
    }
  });
});

describe("an abort while the lease is being written", () => {
  it("does not leave the lease held: the write is let finish, then the lease is given back and the abort thrown", async () => {
    const { cluster, client, lease } = setup();
    const controller = new AbortController();
    // A slow network: the server stores the Lease at once, its answer arrives 100 ms later — after the abort.
    const slowAnswers = async (request: Request): Promise<Response> => {
      const signal = request.signal;
      const response = await cluster.fetch(new Request(request, { signal: null }));
      if (request.method === "POST") {
        controller.abort(new Error("Ctrl+C"));
        await cluster.clock.sleep(100);
      }
      signal.throwIfAborted();
      return response;
    };
    const kube = client("token-bridge", slowAnswers);
    const held = hold(kube, { identity: "bridge-1", signal: controller.signal }, cluster.clock);
    await expect(held).rejects.toThrow("Ctrl+C");
    expect(lease()!.spec).toMatchObject({ holderIdentity: "" });
  });
});

describe("renewal", () => {
  it("keeps the lease through a run longer than its duration: renewed every 10 s, the other refused all along", async () => {
    const { cluster, bridge, cli, lease } = setup();
    const held = hold(bridge, { identity: "bridge-1", operation: "provisioning" }, cluster.clock, 295_000);
    const refusals: string[] = [];
    for (let at = 40_000; at < 295_000; at += 40_000) {
      await cluster.clock.sleep(40_000);
      const attempt = withCustomerLock(cli, C42, { identity: "cli-2", whenLocked: "fail", locks: new KeyedLock() }, async () => "ran");
      refusals.push(await attempt.catch((e: SredaError) => e.code));
    }
    expect(await held).toEqual({ aborted: undefined });
    expect(refusals).toEqual(Array(7).fill("LOCKED"));
    const writes = cluster.requestLog.filter((r) => r.user === "bridge").map((r) => `${r.method} ${(r.at - START) / 1000}`);
    // Created at 0, renewed at 10, 20, …, 290 s (29 updates), released at 295 s.
    expect(writes).toEqual(["GET 0", "POST 0", ...Array.from({ length: 29 }, (_, i) => `PUT ${(i + 1) * 10}`), "PUT 295"]);
    expect(lease()!.spec).toMatchObject({ holderIdentity: "", leaseTransitions: 0 });
  });

  it("stops the run when someone else takes the lease: its signal aborts with the reason, and that error is thrown", async () => {
    const { cluster, bridge, lease } = setup();
    const held = hold(bridge, { identity: "bridge-1", operation: "provisioning" }, cluster.clock);
    await cluster.clock.sleep(3_000);
    // An administrator breaks the lock: the lease is given to someone else.
    const { resourceVersion: _, managedFields: __, ...metadata } = lease()!.metadata;
    cluster.putObject({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec: { ...lease()!.spec, holderIdentity: "admin" } });
    const error = await held.catch((e: unknown) => e as SredaError);
    expect(error).toBeInstanceOf(SredaError);
    expect(error).toMatchObject({
      code: "LOCK_LOST",
      message: "Блокировка клиента C42 в lms-dev потеряна: её получил admin (provisioning); операция остановлена, чтобы не выполняться одновременно с другой",
      details: { clientId: "C42", namespace: "lms-dev", lease: "sreda-lock-c42", holder: "admin" },
    });
    // Found at the first renewal (10 s); the lease is left to its new holder.
    expect((cluster.clock.now() - START) / 1000).toBe(10);
    expect(lease()!.spec.holderIdentity).toBe("admin");
  });

  it("stops a provisioning when the API server keeps refusing the renewals, before the lease can expire for others", async () => {
    const { cluster, bridge, lease } = setup({ timings: { jobRun: 120_000 } });
    cluster.addFault({ match: { kind: "Lease", verb: "update" }, action: { type: "status", code: 403 } });
    const events: ApplyEvent[] = [];
    const error = (await applyPlan(planFor(), bridge, applyOptions("bridge-1", { onEvent: (e) => events.push(e) })).catch((e: unknown) => e)) as SredaError;
    expect(error).toMatchObject({ code: "LOCK_LOST" });
    expect(error.message).toMatch(
      /^Блокировка клиента C42 в lms-dev потеряна: аренду sreda-lock-c42 не удалось продлить за 20 с \(Kubernetes API PUT \/apis\/coordination\.k8s\.io\/v1\/namespaces\/lms-dev\/leases\/sreda-lock-c42: 403 Forbidden.*\); операция остановлена/,
    );
    // Renewals at 10, 12, …, 18 s failed; at 20 s (2/3 of the duration) the run was stopped: cancelled, the
    // Deployment (which waits for the Jobs) never written, nothing written after.
    expect(events.at(-1)).toMatchObject({ type: "run-finished", status: "cancelled", at: START + 20_000 });
    expect(cluster.requestLog.filter((r) => r.kind === "Lease" && r.method === "PUT").map((r) => (r.at - START) / 1000)).toEqual([10, 12, 14, 16, 18]);
    expect(cluster.getObject("Deployment", "lms-dev", "lms-deployment-c42")).toBeUndefined();
    expect(cluster.requestLog.filter((r) => r.at > START + 20_000 && r.method !== "GET")).toEqual([]);
    expect(lease()!.spec.holderIdentity).toBe("bridge-1");
  });
});

describe("release", () => {
  it("gives the lease up at the end (holder none, duration 1 s, no operation): the next run takes it at once", async () => {
    const { cluster, bridge, cli, lease } = setup();
    await withCustomerLock(bridge, C42, { identity: "bridge-1", operation: "suspend", locks: new KeyedLock() }, async () => {
      expect(lease()!.metadata.annotations?.[OPERATION_ANNOTATION]).toBe("suspend");
    });
    expect(lease()!.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    expect(lease()!.metadata.annotations?.[OPERATION_ANNOTATION]).toBeUndefined();
    expect(lease()!.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "sreda", "sreda.io/client-id": "C42" });
    const before = cluster.clock.now();
    const holder = await withCustomerLock(cli, C42, { identity: "cli-2", whenLocked: "fail", locks: new KeyedLock() }, async () => ({
      at: cluster.clock.now(),
      spec: lease()!.spec,
    }));
    expect(holder.at).toBe(before);
    expect(holder.spec).toMatchObject({ holderIdentity: "cli-2", leaseTransitions: 1, leaseDurationSeconds: 30 });
  });

  it("is released when the operation throws, and the operation's error is what the caller gets", async () => {
    const { bridge, lease } = setup();
    const run = withCustomerLock(bridge, C42, { identity: "bridge-1", locks: new KeyedLock() }, async () => Promise.reject(new Error("boom")));
    await expect(run).rejects.toThrow("boom");
    expect(lease()!.spec.holderIdentity).toBe("");
  });
});

describe("independence and options", () => {
  it("holds each customer's lease on its own", async () => {
    const { cluster, bridge, cli, lease } = setup();
    const c42 = hold(bridge, { identity: "bridge-1" }, cluster.clock, 60_000);
    await cluster.clock.sleep(1_000);
    const c43 = await withCustomerLock(
      cli,
      { namespace: "lms-dev", clientId: "C43" },
      { identity: "cli-2", whenLocked: "fail", locks: new KeyedLock() },
      async () => [lease("sreda-lock-c42")!.spec.holderIdentity, lease("sreda-lock-c43")!.spec.holderIdentity],
    );
    expect(c43).toEqual(["bridge-1", "cli-2"]);
    expect(await c42).toEqual({ aborted: undefined });
  });

  it("gives up waiting when the caller's signal aborts, with its reason", async () => {
    const { cluster, bridge, cli } = setup();
    const held = hold(bridge, { identity: "bridge-1" }, cluster.clock, 60_000);
    const controller = new AbortController();
    const waiting = withCustomerLock(cli, C42, { identity: "cli-2", signal: controller.signal, locks: new KeyedLock() }, async () => "ran");
    await cluster.clock.sleep(5_000);
    controller.abort(new Error("передумал"));
    await expect(waiting).rejects.toThrow("передумал");
    expect(await held).toEqual({ aborted: undefined });
  });

  it("reports a token without rights on leases as a failed preflight, writing nothing; lease: false runs without the Lease", async () => {
    const { cluster, client, lease } = setup({
      tokens: { "no-leases": { user: "operator", deny: [{ group: "coordination.k8s.io", resource: "leases" }] } },
    });
    const kube = client("no-leases");
    const result = await applyPlan(planFor(), kube, applyOptions("bridge-1"));
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight.map((p) => p.message)).toEqual([
      "нет прав изменять Lease в пространстве lms-dev",
      "нет прав создавать Lease в пространстве lms-dev",
      "нет прав читать Lease в пространстве lms-dev",
    ]);
    expect(cluster.requestLog.filter((r) => r.method !== "GET" && !r.path.includes("selfsubject"))).toEqual([]);

    cluster.clearRequestLog();
    expect((await applyPlan(planFor(), kube, applyOptions("bridge-1", { lease: false }))).status).toBe("succeeded");
    expect(cluster.requestLog.filter((r) => r.kind === "Lease")).toEqual([]);
    expect(lease()).toBeUndefined();
  });
});
