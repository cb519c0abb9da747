import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/core/clock.js";
import type { Deployment, Job, ObjectMeta, Pod, WatchEvent } from "../../src/core/kube-objects.js";
import type { EnvironmentAssessment } from "../../src/core/status/index.js";
import type { KubeLogsOptions, KubeListOptions, KubeWatchOptions } from "../../src/kube/client.js";
import { KubeNetworkError, KubeStatusError } from "../../src/kube/errors.js";
import { followEnvironment, type FollowEnvironmentOptions } from "../../src/kube/follow-environment.js";
import { watchList, type ListSnapshot, type WatchClient } from "../../src/kube/reflector.js";
import { describeEnvironment } from "../../src/core/environment.js";
import { at, deployment, events as eventFixture, job, pod } from "../status/fixture.js";
import { autoscaler, disruptionBudget } from "../status/scaling-fixtures.js";

// ---------------------------------------------------------------------------------------------------------------
// A manual clock: sleeps wait until the test advances time; advancing fires them in order, letting promises settle.

class ManualClock implements Clock {
  private timers: { at: number; seq: number; fire: () => void }[] = [];
  private seq = 0;
  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = {
        at: this.time + ms,
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Moves time forward by `ms`, firing every sleep that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fire();
    }
    this.time = end;
    await settle();
  }

  get pendingSleeps(): number {
    return this.timers.length;
  }
}

/** Lets every ready promise chain run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
}

// ---------------------------------------------------------------------------------------------------------------
// A stub Kubernetes client: collections the test edits, watches the test drives, logs from a table.

class StubWatch<T> implements AsyncIterable<WatchEvent<T>> {
  private queue: ({ event: WatchEvent<T> } | { end: true } | { error: unknown })[] = [];
  private waiter: ((item: { event: WatchEvent<T> } | { end: true } | { error: unknown }) => void) | undefined;
  aborted = false;

  constructor(
    readonly path: string,
    readonly opts: KubeWatchOptions,
  ) {
    opts.signal?.addEventListener(
      "abort",
      () => {
        this.aborted = true;
        this.deliver({ error: opts.signal!.reason });
      },
      { once: true },
    );
  }

  push(type: WatchEvent<T>["type"], object: T): void {
    this.deliver({ event: { type, object } });
  }
  end(): void {
    this.deliver({ end: true });
  }
  fail(error: unknown): void {
    this.deliver({ error });
  }

  private deliver(item: { event: WatchEvent<T> } | { end: true } | { error: unknown }): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(item);
    } else this.queue.push(item);
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    let finished = false;
    return {
      next: async () => {
        if (finished) return { done: true, value: undefined };
        const item =
          this.queue.shift() ?? (await new Promise<{ event: WatchEvent<T> } | { end: true } | { error: unknown }>((resolve) => (this.waiter = resolve)));
        if ("event" in item) return { done: false, value: item.event };
        finished = true;
        if ("end" in item) return { done: true, value: undefined };
        throw item.error;
      },
      return: async () => {
        finished = true;
        return { done: true, value: undefined };
      },
    };
  }
}

interface Collection {
  items: unknown[];
  resourceVersion: string;
}

class StubKube implements WatchClient {
  readonly collections = new Map<string, Collection>();
  readonly lists: { key: string; opts: KubeListOptions | undefined }[] = [];
  readonly watches: StubWatch<unknown>[] = [];
  readonly logsCalls: { pod: string; opts: KubeLogsOptions | undefined }[] = [];
  readonly logTexts = new Map<string, string>();
  readonly listErrors = new Map<string, unknown>();
  /** Keys of `listErrors` that fail only once. */
  readonly failOnce = new Set<string>();

  /** Collection key: the path, its fieldSelector and the labelSelector. */
  static key(path: string, labelSelector?: string): string {
    const url = new URL(path, "https://k8s.invalid");
    return `${url.pathname}|${url.searchParams.get("fieldSelector") ?? ""}|${labelSelector ?? ""}`;
  }

  set(key: string, items: { metadata?: ObjectMeta }[], resourceVersion?: string): void {
    const highest = items.map((i) => Number(i.metadata?.resourceVersion ?? 0)).reduce((a, b) => Math.max(a, b), 1);
    this.collections.set(key, { items, resourceVersion: resourceVersion ?? String(highest) });
  }

  async list<T>(path: string, opts?: KubeListOptions): Promise<T> {
    const key = StubKube.key(path, opts?.labelSelector);
    this.lists.push({ key, opts });
    const error = this.listErrors.get(key);
    if (error) {
      if (this.failOnce.delete(key)) this.listErrors.delete(key);
      throw error;
    }
    const collection = this.collections.get(key) ?? { items: [], resourceVersion: "1" };
    return structuredClone({ kind: "List", apiVersion: "v1", metadata: { resourceVersion: collection.resourceVersion }, items: collection.items }) as T;
  }

  watch<T>(path: string, opts: KubeWatchOptions): AsyncIterable<WatchEvent<T>> {
    const watch = new StubWatch<T>(path, opts);
    this.watches.push(watch as StubWatch<unknown>);
    return watch;
  }

  async logs(_namespace: string, podName: string, opts?: KubeLogsOptions): Promise<string> {
    this.logsCalls.push({ pod: podName, opts });
    return this.logTexts.get(`${podName}/${opts?.container}`) ?? "";
  }

  /** Changes the collection as the API server would and sends the event on its latest watch. */
  emit(key: string, type: "ADDED" | "MODIFIED" | "DELETED", object: { metadata?: ObjectMeta }): void {
    const collection = this.collections.get(key)!;
    const name = object.metadata?.name;
    const others = collection.items.filter((i) => (i as { metadata?: ObjectMeta }).metadata?.name !== name);
    this.collections.set(key, {
      items: type === "DELETED" ? others : [...others, object],
      resourceVersion: object.metadata?.resourceVersion ?? collection.resourceVersion,
    });
    this.watchOf(key).push(type, object);
  }

  /** The latest watch of a collection. */
  watchOf(key: string): StubWatch<unknown> {
    const watch = this.watches.filter((w) => StubKube.key(w.path, w.opts.labelSelector) === key).at(-1);
    if (!watch) throw new Error(`no watch of ${key}`);
    return watch;
  }
}

const NS = "/api/v1/namespaces/lms-dev";
const PODS = StubKube.key(`${NS}/pods`, "app=C42-lms");
const PG_JOB = StubKube.key("/apis/batch/v1/namespaces/lms-dev/jobs?fieldSelector=metadata.name%3Dpostgres-setup-c42");
const CH_JOB = StubKube.key("/apis/batch/v1/namespaces/lms-dev/jobs?fieldSelector=metadata.name%3Dclickhouse-setup-c42");
const DEPLOYMENT = StubKube.key("/apis/apps/v1/namespaces/lms-dev/deployments?fieldSelector=metadata.name%3Dlms-deployment-c42");
const eventsKey = (podName: string) => StubKube.key(`${NS}/events?fieldSelector=involvedObject.name%3D${podName}`);

const withRv = <T extends { metadata?: ObjectMeta }>(object: T, resourceVersion: string): T => ({
  ...object,
  metadata: { ...object.metadata, resourceVersion },
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

// ---------------------------------------------------------------------------------------------------------------

describe("watchList", () => {
  function start(kube: StubKube, clock: ManualClock) {
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const stream = watchList<Pod>(kube, `${NS}/pods`, { clock, signal: controller.signal, labelSelector: "app=C42-lms" });
    return { stream, controller };
  }
  const podA = pod("container-creating"); // rv 48213155

  it("lists, watches from the list's resourceVersion, and resumes after a normal end from the last one seen (bookmarks too)", async () => {
    const kube = new StubKube();
    const clock = new ManualClock(at("2026-03-10T09:16:00Z"));
    kube.set(PODS, [podA], "48213160");
    const { stream } = start(kube, clock);

    const first = await stream.next();
    expect(first.value).toMatchObject({ source: "list", resourceVersion: "48213160", items: [{ metadata: { name: podA.metadata!.name } }] });

    const second = stream.next();
    await settle();
    expect(kube.watches[0]!.opts).toMatchObject({ resourceVersion: "48213160", allowWatchBookmarks: true, timeoutSeconds: 60, labelSelector: "app=C42-lms" });
    kube.watches[0]!.push("ADDED", withRv(pod("running-ready"), "48213377"));
    expect((await second).value).toMatchObject({ source: "watch", resourceVersion: "48213377" });
    expect(((await second).value as ListSnapshot<Pod>).items.map((p) => `${p.metadata!.name}@${p.metadata!.resourceVersion}`)).toEqual([
      "lms-deployment-c42-7d9f8b6c5d-m5n8r@48213155",
      "lms-deployment-c42-7d9f8b6c5d-x2k9p@48213377",
    ]);

    const third = stream.next();
    kube.watches[0]!.push("BOOKMARK", { metadata: { resourceVersion: "48213500" } } as Pod);
    kube.watches[0]!.end();
    await settle();
    expect(kube.watches).toHaveLength(2);
    expect(kube.watches[1]!.opts.resourceVersion).toBe("48213500");
    expect(kube.lists).toHaveLength(1);

    kube.watches[1]!.push("DELETED", withRv(podA, "48213600"));
    expect((await third).value).toMatchObject({ source: "watch", resourceVersion: "48213600" });
    expect(((await third).value as ListSnapshot<Pod>).items.map((p) => p.metadata!.name)).toEqual(["lms-deployment-c42-7d9f8b6c5d-x2k9p"]);
  });

  it("watches from a list it is given, without listing, and skips the events that list already had", async () => {
    const kube = new StubKube();
    const clock = new ManualClock(at("2026-03-10T09:16:00Z"));
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const listed = { items: [podA], resourceVersion: "48213160" };
    const stream = watchList<Pod>(kube, `${NS}/pods`, { clock, signal: controller.signal, labelSelector: "app=C42-lms", listed });

    expect((await stream.next()).value).toMatchObject({ source: "list", resourceVersion: "48213160", items: [podA] });
    const next = stream.next();
    await settle();
    expect(kube.lists).toHaveLength(0);
    expect(kube.watches[0]!.opts).toMatchObject({ resourceVersion: "48213160", labelSelector: "app=C42-lms" });
    kube.watches[0]!.push("MODIFIED", withRv(podA, "48213100")); // older than the list: already in it
    kube.watches[0]!.push("ADDED", withRv(pod("running-ready"), "48213377"));
    expect((await next).value).toMatchObject({ source: "watch", resourceVersion: "48213377" });
    expect(((await next).value as ListSnapshot<Pod>).items).toHaveLength(2);
  });

  it("lists again on 410 Gone and watches from the new list", async () => {
    const kube = new StubKube();
    const clock = new ManualClock(at("2026-03-10T09:16:00Z"));
    kube.set(PODS, [podA], "48213160");
    const { stream } = start(kube, clock);
    await stream.next();
    const next = stream.next();
    await settle();

    kube.set(PODS, [pod("running-ready")], "48299000");
    kube.watches[0]!.fail(
      new KubeStatusError({
        status: 410,
        reason: "Expired",
        kubeMessage: "too old resource version: 48213160 (48298000)",
        method: "GET",
        path: "/api/v1/namespaces/lms-dev/pods",
      }),
    );
    expect((await next).value).toMatchObject({
      source: "list",
      resourceVersion: "48299000",
      items: [{ metadata: { name: "lms-deployment-c42-7d9f8b6c5d-x2k9p" } }],
    });
    expect(kube.lists).toHaveLength(2);
    stream.next().catch(() => undefined);
    await settle();
    expect(kube.watches[1]!.opts.resourceVersion).toBe("48299000");
  });

  it("polls while the watch is silent, keeps the watch open, ignores its late stale events, and watches again later", async () => {
    const kube = new StubKube();
    const clock = new ManualClock(at("2026-03-10T09:16:00Z"));
    kube.set(PODS, [podA], "48213160");
    const { stream } = start(kube, clock);
    await stream.next();
    let received: ListSnapshot<Pod> | undefined;
    let next = stream.next().then((r) => (received = r.value));

    await clock.advance(9_999);
    expect(kube.lists).toHaveLength(1); // not silent long enough
    await clock.advance(1);
    expect(kube.lists).toHaveLength(2); // first poll: nothing changed, nothing yielded
    expect(received).toBeUndefined();

    kube.set(PODS, [pod("running-ready")], "48213400");
    await clock.advance(2_000);
    await next;
    expect(received).toMatchObject({ source: "poll", resourceVersion: "48213400", items: [{ metadata: { name: "lms-deployment-c42-7d9f8b6c5d-x2k9p" } }] });
    expect(kube.watches).toHaveLength(1);
    expect(kube.watches[0]!.aborted).toBe(false);

    // The proxy lets the held-back events through at the watch's timeout: older than the poll, so skipped.
    received = undefined;
    next = stream.next().then((r) => (received = r.value));
    kube.watches[0]!.push("MODIFIED", withRv(podA, "48213390"));
    await settle();
    expect(received).toBeUndefined();
    kube.watches[0]!.end();
    await settle();
    expect(kube.watches).toHaveLength(2);
    expect(kube.watches[1]!.opts.resourceVersion).toBe("48213400");
    kube.watches[1]!.push("MODIFIED", withRv(pod("running-ready"), "48213450"));
    await next;
    stream.next().catch(() => undefined);
    expect(received).toMatchObject({ source: "watch", resourceVersion: "48213450" });
  });

  it("retries a watch after a network error from the same resourceVersion, without listing again", async () => {
    const kube = new StubKube();
    const clock = new ManualClock(at("2026-03-10T09:16:00Z"));
    kube.set(PODS, [podA], "48213160");
    const { stream } = start(kube, clock);
    await stream.next();
    stream.next().catch(() => undefined);
    await settle();
    kube.watches[0]!.fail(
      new KubeNetworkError({ method: "GET", path: "/api/v1/namespaces/lms-dev/pods", description: "read ECONNRESET", causeCode: "ECONNRESET" }),
    );
    await clock.advance(1_999);
    expect(kube.watches).toHaveLength(1);
    await clock.advance(1);
    expect(kube.watches).toHaveLength(2);
    expect(kube.watches[1]!.opts.resourceVersion).toBe("48213160");
    expect(kube.lists).toHaveLength(1);
  });

  it("throws errors that retrying will not cure (403 Forbidden)", async () => {
    const kube = new StubKube();
    const clock = new ManualClock(0);
    const forbidden = new KubeStatusError({
      status: 403,
      reason: "Forbidden",
      kubeMessage: 'pods is forbidden: User "u-42" cannot list resource "pods"',
      method: "GET",
      path: "/api/v1/namespaces/lms-dev/pods",
    });
    kube.listErrors.set(PODS, forbidden);
    const { stream } = start(kube, clock);
    await expect(stream.next()).rejects.toBe(forbidden);
  });

  it("stops at once when aborted", async () => {
    const kube = new StubKube();
    const clock = new ManualClock(0);
    kube.set(PODS, [podA]);
    const { stream, controller } = start(kube, clock);
    await stream.next();
    const next = stream.next();
    await settle();
    const reason = new Error("operator cancelled");
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    expect(kube.watches[0]!.aborted).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("followEnvironment", () => {
  const C42_ENVIRONMENT = describeEnvironment({ client: { id: "C42" }, environment: { namespace: "lms-dev" } });
  const clickhouse = (scenario: string): Job => {
    const j = job(scenario);
    j.metadata = { ...j.metadata, name: "clickhouse-setup-c42", uid: "1e6f3a8c-5b2d-4c97-8e0f-a4d7c2b9e153" };
    return j;
  };

  function setup(now: string, { pods, jobs = [job("complete"), clickhouse("complete")], dep }: { pods: Pod[]; jobs?: Job[]; dep: Deployment | null }) {
    const kube = new StubKube();
    const clock = new ManualClock(at(now));
    kube.set(PODS, pods);
    kube.set(
      PG_JOB,
      jobs.filter((j) => j.metadata!.name === "postgres-setup-c42"),
    );
    kube.set(
      CH_JOB,
      jobs.filter((j) => j.metadata!.name === "clickhouse-setup-c42"),
    );
    kube.set(DEPLOYMENT, dep ? [dep] : []);
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const seen: EnvironmentAssessment[] = [];
    let result: EnvironmentAssessment | undefined;
    let error: unknown;
    const follow = (opts: Partial<FollowEnvironmentOptions> = {}) => {
      const promise = followEnvironment(kube, {
        environment: C42_ENVIRONMENT,
        clock,
        signal: controller.signal,
        onAssessment: (a) => seen.push(a),
        ...opts,
      });
      promise.then(
        (r) => (result = r),
        (e: unknown) => (error = e),
      );
      return promise;
    };
    return { kube, clock, controller, seen, follow, result: () => result, error: () => error };
  }

  it("resolves Ready at the first observation that is ready", async () => {
    const env = setup("2026-03-10T09:16:05Z", { pods: [pod("container-creating")], dep: deployment("rolling") });
    void env.follow();
    await settle();
    expect(env.seen.map((a) => a.phase)).toEqual(["Progressing"]);

    env.kube.emit(PODS, "ADDED", pod("running-ready"));
    env.kube.emit(PODS, "DELETED", withRv(pod("container-creating"), "48213380"));
    await settle();
    expect(env.result()).toBeUndefined(); // the Deployment has not said so yet

    env.kube.emit(DEPLOYMENT, "MODIFIED", deployment("available"));
    await settle();
    expect(env.result()).toMatchObject({ phase: "Ready", summary: "Готова: 1/1 подов" });
    expect(env.clock.now()).toBe(at("2026-03-10T09:16:05Z")); // no waiting for a tick
    expect(env.seen.at(-1)).toBe(env.result());
    expect(env.kube.watches.every((w) => w.aborted)).toBe(true); // every stream closed
  });

  it("does not assess before every stream has listed (no Ready without the Jobs)", async () => {
    const env = setup("2026-03-10T09:17:00Z", { pods: [pod("running-ready")], dep: deployment("available"), jobs: [job("running"), clickhouse("complete")] });
    env.kube.listErrors.set(
      PG_JOB,
      new KubeStatusError({ status: 503, reason: "ServiceUnavailable", kubeMessage: "", method: "GET", path: "/apis/batch/v1/namespaces/lms-dev/jobs" }),
    );
    env.kube.failOnce.add(PG_JOB);
    void env.follow();
    await settle();
    expect(env.seen).toEqual([]); // pods, Deployment and one Job are in; the other Job's list failed
    await env.clock.advance(2_000); // retried
    expect(env.seen.map((a) => a.phase)).toEqual(["Progressing"]);
    expect(env.seen[0]!.reasons[0]).toMatchObject({ kind: "Job", reason: "JobRunning" });
    env.kube.emit(PG_JOB, "MODIFIED", withRv(job("complete"), "48213999"));
    await settle();
    expect(env.result()?.phase).toBe("Ready");
  });

  it("reports CrashLoopBackOff at once, with events and the previous instance's last 20 log lines", async () => {
    const env = setup("2026-03-10T09:16:05Z", { pods: [pod("container-creating")], dep: deployment("rolling") });
    const crashing = pod("crashloopbackoff");
    const lines = Array.from({ length: 25 }, (_, i) => `2026-03-10T09:18:09.${String(i).padStart(3, "0")}Z line ${i}`);
    env.kube.logTexts.set(`${crashing.metadata!.name}/lms`, `${lines.join("\n")}\n`);
    void env.follow();
    await settle();

    env.kube.emit(PODS, "MODIFIED", crashing);
    await settle();
    const result = env.result();
    expect(result).toMatchObject({ phase: "Failed", summary: `Ошибка: под ${crashing.metadata!.name}, контейнер lms не запускается (CrashLoopBackOff)` });
    expect(result!.reasons[0]).toMatchObject({ kind: "Pod", reason: "CrashLoopBackOff", container: "lms", logs: lines.slice(-20) });
    expect(env.kube.logsCalls).toEqual([{ pod: crashing.metadata!.name, opts: expect.objectContaining({ container: "lms", tailLines: 20, previous: true }) }]);
    expect(env.kube.lists.map((l) => l.key)).toContain(eventsKey(crashing.metadata!.name!));
    expect(env.clock.now()).toBe(at("2026-03-10T09:16:05Z"));
  });

  it("reports ImagePullBackOff at the first observation past the time threshold", async () => {
    // Scheduled 09:22:00; events show no failed pull yet, so only time decides (60 s).
    const env = setup("2026-03-10T09:22:10Z", { pods: [pod("running-ready"), pod("errimagepull-fresh")], dep: deployment("updating-new-replicaset") });
    void env.follow();
    await settle();
    expect(env.seen.at(-1)?.phase).toBe("Progressing");
    env.kube.emit(PODS, "MODIFIED", withRv(pod("imagepullbackoff-over-threshold"), "48214500"));
    await settle();
    expect(env.result()).toBeUndefined();

    await env.clock.advance(47_999); // 09:22:57.999
    expect(env.result()).toBeUndefined();
    await env.clock.advance(2_001); // 09:23:00: the first re-assessment at or past 60 s
    expect(env.result()?.phase).toBe("Failed");
    expect(env.result()?.reasons[0]).toMatchObject({
      kind: "Pod",
      reason: "ImagePullBackOff",
      container: "lms",
      message: expect.stringContaining("60 s since scheduled"),
    });
    expect(env.clock.now()).toBe(at("2026-03-10T09:23:00Z"));
    expect(env.kube.logsCalls).toEqual([]); // the container never ran: no logs to read
  });

  it("reports an image pull error as soon as the events show enough failed pulls", async () => {
    const backoff = pod("imagepullbackoff-over-threshold");
    const env = setup("2026-03-10T09:22:10Z", { pods: [pod("running-ready"), pod("errimagepull-fresh")], dep: deployment("updating-new-replicaset") });
    env.kube.set(eventsKey(backoff.metadata!.name!), eventFixture("pod-imagepullbackoff-over-threshold"));
    void env.follow({ imagePullFailureThresholdMs: 600_000 });
    await settle();
    expect(env.result()?.phase).toBe("Failed");
    expect(env.result()?.reasons[0]).toMatchObject({ reason: "ErrImagePull", message: expect.stringContaining("4 failed pulls, 10 s since scheduled") });
    expect(env.clock.now()).toBe(at("2026-03-10T09:22:10Z"));
  });

  it("reports a failed Job with its last failed pod's logs", async () => {
    const failed = job("failed-backofflimit");
    const env = setup("2026-03-10T09:14:20Z", { pods: [], dep: deployment("rolling"), jobs: [failed, clickhouse("complete")] });
    // The Job's own pods, by its controller-uid (as the executor finds them).
    env.kube.set(StubKube.key(`${NS}/pods`, `batch.kubernetes.io/controller-uid=${failed.metadata!.uid}`), [pod("job-attempt-failed")]);
    env.kube.logTexts.set(
      "postgres-setup-c42-w8d3m/postgres-client",
      'psql: error: connection to server at "postgres.lms-dev.svc.cluster.local" (10.43.18.7), port 5432 failed: FATAL:  password authentication failed for user "postgres"\n',
    );
    void env.follow();
    await settle();
    expect(env.result()).toMatchObject({ phase: "Failed", summary: "Ошибка: задание postgres-setup-c42 завершилось с ошибкой (BackoffLimitExceeded)" });
    expect(env.result()?.reasons[0]).toMatchObject({
      kind: "Job",
      container: "postgres-client",
      logs: [expect.stringContaining("password authentication failed")],
    });
    expect(env.kube.logsCalls[0]).toMatchObject({ pod: "postgres-setup-c42-w8d3m", opts: { previous: false, tailLines: 20 } });
  });

  it("picks up Ready by polling when the watches stay silent (a proxy holding them back)", async () => {
    const env = setup("2026-03-10T09:16:05Z", { pods: [pod("container-creating")], dep: deployment("rolling") });
    void env.follow();
    await settle();
    env.kube.set(PODS, [pod("running-ready")]);
    env.kube.set(DEPLOYMENT, [deployment("available")]);
    await env.clock.advance(9_999);
    expect(env.result()).toBeUndefined();
    await env.clock.advance(1);
    expect(env.result()?.phase).toBe("Ready");
  });

  it("gives up at the timeout with the last assessment and a Timeout reason first", async () => {
    const env = setup("2026-03-10T09:16:05Z", { pods: [pod("container-creating")], dep: deployment("rolling") });
    void env.follow({ timeoutMs: 30_000 });
    await settle();
    await env.clock.advance(29_999);
    expect(env.result()).toBeUndefined();
    await env.clock.advance(1);
    const result = env.result()!;
    expect(result.phase).toBe("Failed");
    expect(result.reasons.map((r) => r.reason)).toEqual(["Timeout", "ReplicasUnavailable", "ContainerCreating", "Complete", "Complete"]);
    expect(result.summary).toBe(
      "Ошибка: среда не готова за 30 с (Timeout); последнее состояние — Развёртывается: развёртывание lms-deployment-c42 обновляется (ReplicasUnavailable)",
    );
    expect(env.seen.at(-1)).toBe(result);
  });

  it("stops promptly when aborted, closing every watch", async () => {
    const env = setup("2026-03-10T09:16:05Z", { pods: [pod("container-creating")], dep: deployment("rolling") });
    const promise = env.follow();
    await settle();
    const reason = new Error("operator cancelled");
    env.controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
    await settle();
    expect(env.kube.watches.length).toBeGreaterThan(0);
    expect(env.kube.watches.every((w) => w.aborted)).toBe(true);
    expect(env.clock.pendingSleeps).toBe(0);
  });

  it("rejects with the error of a stream that fails for good", async () => {
    const env = setup("2026-03-10T09:16:05Z", { pods: [], dep: null });
    const forbidden = new KubeStatusError({
      status: 403,
      reason: "Forbidden",
      kubeMessage: "deployments.apps is forbidden",
      method: "GET",
      path: "/apis/apps/v1/namespaces/lms-dev/deployments",
    });
    env.kube.listErrors.set(DEPLOYMENT, forbidden);
    await expect(env.follow()).rejects.toBe(forbidden);
  });

  describe("with an autoscaler and a disruption budget", () => {
    const HPA = StubKube.key("/apis/autoscaling/v2/namespaces/lms-dev/horizontalpodautoscalers?fieldSelector=metadata.name%3Dlms-autoscaler-c42");
    const PDB = StubKube.key("/apis/policy/v1/namespaces/lms-dev/poddisruptionbudgets?fieldSelector=metadata.name%3Dlms-disruption-budget-c42");
    // The settings decide whether the description lists them; here it does, whatever the templates' defaults.
    const WITH_SCALING = {
      ...C42_ENVIRONMENT,
      objects: [
        ...C42_ENVIRONMENT.objects.filter((o) => o.kind !== "HorizontalPodAutoscaler" && o.kind !== "PodDisruptionBudget"),
        { template: "lms-autoscaler", kind: "HorizontalPodAutoscaler", name: "lms-autoscaler-c42" },
        { template: "lms-disruption-budget", kind: "PodDisruptionBudget", name: "lms-disruption-budget-c42" },
      ],
    };
    const listsOf = (env: ReturnType<typeof setup>, key: string) => env.kube.lists.filter((l) => l.key === key).length;

    it("resolves Ready with the autoscaler's warning in the summary", async () => {
      const env = setup("2026-03-10T09:20:00Z", { pods: [pod("running-ready")], dep: deployment("available") });
      env.kube.set(HPA, [autoscaler("no-metrics-api")]);
      env.kube.set(PDB, [disruptionBudget("one-replica")]);
      void env.follow({ environment: WITH_SCALING });
      await settle();
      expect(env.result()).toMatchObject({
        phase: "Ready",
        summary: "Готова: 1/1 подов; предупреждение: автомасштабирование lms-autoscaler-c42 не работает (FailedGetResourceMetric)",
      });
      expect(env.result()!.warnings).toEqual([expect.objectContaining({ kind: "HorizontalPodAutoscaler", reason: "FailedGetResourceMetric", warning: true })]);
      expect(env.result()!.reasons.map((r) => r.kind)).toContain("PodDisruptionBudget");
    });

    it("reads them at most once per poll interval, and sees a change at the next read", async () => {
      const env = setup("2026-03-10T09:16:05Z", { pods: [pod("running-ready")], dep: deployment("available") });
      env.kube.set(HPA, [autoscaler("not-observed")]);
      env.kube.set(PDB, [disruptionBudget("one-replica")]);
      void env.follow({ environment: WITH_SCALING });
      await settle();
      expect(env.seen.map((a) => a.phase)).toEqual(["Progressing"]);
      expect(env.seen[0]!.reasons[0]).toMatchObject({ kind: "HorizontalPodAutoscaler", reason: "LatestGenerationNotObserved" });
      // Pod changes re-assess at once, but the autoscaler and the budget are not read again within the interval.
      env.kube.emit(PODS, "MODIFIED", withRv(pod("running-ready"), "48213999"));
      await settle();
      expect([listsOf(env, HPA), listsOf(env, PDB)]).toEqual([1, 1]);

      env.kube.set(HPA, [autoscaler("healthy")]);
      await env.clock.advance(2_000);
      expect(env.result()).toMatchObject({ phase: "Ready", summary: "Готова: 1/1 подов", warnings: [] });
      expect([listsOf(env, HPA), listsOf(env, PDB)]).toEqual([2, 2]);
    });

    it("treats a forbidden or unserved read as absent, not as a failure", async () => {
      const env = setup("2026-03-10T09:20:00Z", { pods: [pod("running-ready")], dep: deployment("available") });
      const status = (code: 403 | 404, reason: "Forbidden" | "NotFound", path: string) =>
        new KubeStatusError({ status: code, reason, kubeMessage: "", method: "GET", path });
      env.kube.listErrors.set(HPA, status(403, "Forbidden", "/apis/autoscaling/v2/namespaces/lms-dev/horizontalpodautoscalers"));
      env.kube.listErrors.set(PDB, status(404, "NotFound", "/apis/policy/v1/namespaces/lms-dev/poddisruptionbudgets"));
      void env.follow({ environment: WITH_SCALING });
      await settle();
      expect(env.result()).toMatchObject({ phase: "Ready", summary: "Готова: 1/1 подов", warnings: [] });
      expect(env.result()!.reasons.map((r) => r.kind)).not.toContain("HorizontalPodAutoscaler");
    });

    it("reads neither when the description has none (turned off in the settings)", async () => {
      const env = setup("2026-03-10T09:20:00Z", { pods: [pod("running-ready")], dep: deployment("available") });
      const without = {
        ...C42_ENVIRONMENT,
        objects: WITH_SCALING.objects.filter((o) => !o.template.startsWith("lms-autoscaler") && !o.template.startsWith("lms-disruption")),
      };
      void env.follow({ environment: without });
      await settle();
      expect(env.result()?.phase).toBe("Ready");
      expect(env.kube.lists.filter((l) => l.key.includes("horizontalpodautoscalers") || l.key.includes("poddisruptionbudgets"))).toEqual([]);
    });
  });
});
