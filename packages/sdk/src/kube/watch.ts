/**
 * Following an environment until it is Ready or Failed: list-then-watch streams of the objects (client-go's
 * reflector: list, watch from the list's resourceVersion, resume from the last one seen, list again on 410 Gone),
 * with a polling fallback for watches that deliver nothing (a Rancher proxy may buffer a watch until its
 * timeout), and the pure `assessEnvironment` deciding after every observation.
 */
import type { Clock } from "../core/clock.js";
import { objectNames, type EnvironmentDescription } from "../core/environment.js";
import type { Deployment, Event, EventList, Job, ListMeta, ObjectMeta, Pod, PodList, WatchEvent } from "../core/kube-objects.js";
import {
  assessEnvironment,
  FATAL_WAITING_REASONS,
  IMAGE_PULL_WAITING_REASONS,
  isFinalPhase,
  type EnvironmentAssessment,
  type EnvironmentSnapshot,
  type StatusReason,
} from "../core/status/index.js";
import { buildKubePath, type KubeClient } from "./client.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";
import { lastLogLines } from "./logs.js";

/** The part of the Kubernetes client the watcher uses (tests hand in a stub). */
export type WatchClient = Pick<KubeClient, "list" | "watch" | "logs">;

export const DEFAULT_POLL_INTERVAL_MS = 2_000;
export const DEFAULT_WATCH_TIMEOUT_SECONDS = 60;
export const DEFAULT_SILENT_WATCH_FALLBACK_MS = 10_000;
export const DEFAULT_FOLLOW_TIMEOUT_MS = 15 * 60_000;
export { LOG_TAIL_LINES } from "./logs.js";

// ---------------------------------------------------------------------------------------------------------------
// watchList: one collection as a stream of snapshots

interface KubeObject {
  metadata?: ObjectMeta;
}

interface KubeList<T> {
  metadata?: ListMeta;
  items: T[];
}

export interface WatchListOptions {
  clock: Clock;
  signal?: AbortSignal;
  labelSelector?: string;
  /** Sent in the query of both the list and the watch (`metadata.name=lms-deployment-c42`). */
  fieldSelector?: string;
  /** Polling period while the watch is silent, and the pause before retrying after a transient error. Default 2 s. */
  pollIntervalMs?: number;
  /** `timeoutSeconds` of each watch request; the server ends the stream then and we resume. Default 60. */
  watchTimeoutSeconds?: number;
  /** A watch that delivers nothing (not even a bookmark) this long makes us poll too. Default 10 s. */
  silentWatchFallbackMs?: number;
}

export interface ListSnapshot<T> {
  /** The collection as now known, in list order then arrival order. */
  items: T[];
  /** Where the next watch will start. */
  resourceVersion: string | undefined;
  /** What produced this snapshot: the (re-)list, a watch event, or a poll during a silent watch. */
  source: "list" | "watch" | "poll";
}

/**
 * Lists `path`, then watches it from the list's resourceVersion, yielding a snapshot after the list, after every
 * watch event that changes the collection, and after every poll that does. Runs until `signal` aborts (then throws
 * its reason) or a non-transient error (Forbidden, say) is thrown.
 *
 * - A watch that ends normally (its `timeoutSeconds`) is resumed from the last resourceVersion seen, bookmarks
 *   included (`allowWatchBookmarks`), without listing again.
 * - 410 Gone (the resourceVersion is too old for the server's watch cache): list again, then watch from there.
 * - Transient errors (network, 5xx, 429, a garbled stream): wait `pollIntervalMs`, watch again from the last
 *   resourceVersion (or list, if there is none yet).
 * - A watch silent for `silentWatchFallbackMs`: list every `pollIntervalMs` while keeping the watch open (it may be
 *   a proxy holding events back, or simply a quiet collection); any event ends polling, and when the watch ends a
 *   new one is tried. Events a held-back watch delivers late, at or below the resourceVersion of a later poll, are
 *   already in the snapshot and skipped — they would show an older state.
 */
export async function* watchList<T extends KubeObject>(kube: WatchClient, path: string, options: WatchListOptions): AsyncGenerator<ListSnapshot<T>> {
  const {
    clock,
    signal,
    labelSelector,
    fieldSelector,
    pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
    watchTimeoutSeconds = DEFAULT_WATCH_TIMEOUT_SECONDS,
    silentWatchFallbackMs = DEFAULT_SILENT_WATCH_FALLBACK_MS,
  } = options;
  const target = fieldSelector ? buildKubePath(path, { fieldSelector }) : path;
  const items = new Map<string, T>();
  /** Where the next watch starts; undefined = list first. */
  let resourceVersion: string | undefined;
  /** The resourceVersion of the latest list: watch events at or below it are already in `items`. */
  let listedAt: string | undefined;
  /** Clock reading of the last sign of life of a watch (an event or bookmark) or of the watch's start. */
  let lastActivity = clock.now();
  let polling = false;

  const snapshot = (source: ListSnapshot<T>["source"]): ListSnapshot<T> => ({ items: [...items.values()], resourceVersion, source });

  /** Lists and replaces `items`; says whether anything changed. */
  const list = async (): Promise<boolean> => {
    const before = signature(items);
    const result = await kube.list<KubeList<T>>(target, withSignal({ ...(labelSelector ? { labelSelector } : {}) }, signal));
    items.clear();
    for (const item of result.items ?? []) items.set(objectKey(item), item);
    const listed = result.metadata?.resourceVersion;
    if (listed) {
      listedAt = listed;
      resourceVersion = newer(resourceVersion, listed);
    }
    return signature(items) !== before;
  };

  /** A polling fallback's list: a transient failure just means "nothing new this time". */
  const pollChanged = async (): Promise<boolean> => {
    try {
      return await list();
    } catch (err) {
      rethrowUnlessTransient(err, signal);
      return false;
    }
  };

  for (;;) {
    signal?.throwIfAborted();
    if (resourceVersion === undefined) {
      try {
        await list();
      } catch (err) {
        rethrowUnlessTransient(err, signal);
        await clock.sleep(pollIntervalMs, signal);
        continue;
      }
      yield snapshot("list");
    }

    const stop = new AbortController();
    const watchSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const stream = kube.watch<T>(target, {
      ...(labelSelector ? { labelSelector } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
      timeoutSeconds: watchTimeoutSeconds,
      allowWatchBookmarks: true,
      signal: watchSignal,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const started = clock.now();
    let delivered = false;
    // Marked handled at once: while this generator waits at a `yield`, an abort may reject it with nobody racing it.
    const pull = () => {
      const promise = iterator.next();
      promise.catch(() => undefined);
      return promise;
    };
    let next = pull();
    try {
      for (;;) {
        const wait = polling ? pollIntervalMs : silentWatchFallbackMs - (clock.now() - lastActivity);
        const outcome = await raceTimer(next, clock, wait, signal);
        if (outcome.kind === "timer") {
          // Silent: poll, and keep waiting on the same watch.
          polling = true;
          if (await pollChanged()) yield snapshot("poll");
          continue;
        }
        if (outcome.kind === "error") {
          signal?.throwIfAborted();
          if (isKubeError(outcome.error, "Gone")) {
            resourceVersion = undefined; // list again
            break;
          }
          rethrowUnlessTransient(outcome.error, signal);
          await clock.sleep(pollIntervalMs, signal);
          break;
        }
        if (outcome.result.done) {
          // A normal end (timeoutSeconds). A watch that ends at once and empty would spin: pause, and poll if due.
          if (!delivered && clock.now() - started < pollIntervalMs) {
            await clock.sleep(pollIntervalMs, signal);
            if (clock.now() - lastActivity >= silentWatchFallbackMs) {
              polling = true;
              if (await pollChanged()) yield snapshot("poll");
            }
          }
          break;
        }

        const event = outcome.result.value;
        delivered = true;
        polling = false;
        lastActivity = clock.now();
        next = pull();
        const eventVersion = event.object?.metadata?.resourceVersion;
        if (eventVersion) resourceVersion = newer(resourceVersion, eventVersion);
        if (event.type === "BOOKMARK") continue;
        if (eventVersion && listedAt && isAtOrBelow(eventVersion, listedAt)) continue;
        const key = objectKey(event.object);
        if (event.type === "DELETED") items.delete(key);
        else items.set(key, event.object);
        yield snapshot("watch");
      }
    } finally {
      stop.abort();
      void iterator.return?.()?.catch(() => undefined);
    }
  }
}

type Outcome<T> = { kind: "event"; result: IteratorResult<WatchEvent<T>> } | { kind: "error"; error: unknown } | { kind: "timer" };

/** The next watch event, or the timer after `ms` of the clock, whichever comes first; an abort is an error outcome. */
async function raceTimer<T>(next: Promise<IteratorResult<WatchEvent<T>>>, clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<Outcome<T>> {
  const timer = new AbortController();
  const sleepSignal = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
  const sleep = clock.sleep(Math.max(0, ms), sleepSignal).then(
    (): Outcome<T> => ({ kind: "timer" }),
    (): Promise<Outcome<T>> | Outcome<T> => (signal?.aborted ? { kind: "error", error: signal.reason } : new Promise<never>(() => undefined)),
  );
  try {
    return await Promise.race([
      next.then(
        (result): Outcome<T> => ({ kind: "event", result }),
        (error: unknown): Outcome<T> => ({ kind: "error", error }),
      ),
      sleep,
    ]);
  } finally {
    timer.abort();
  }
}

/**
 * Network failures (but an unverifiable certificate), 5xx, 429/408 and garbled answers are worth retrying; the rest
 * (Forbidden, NotFound…) are not.
 */
function isTransient(err: unknown): boolean {
  if (err instanceof KubeNetworkError) return !err.tls;
  if (!(err instanceof KubeStatusError)) return false;
  return err.status >= 500 || err.status === 429 || err.status === 408 || err.code === "InvalidResponse";
}

function rethrowUnlessTransient(err: unknown, signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
  if (!isTransient(err)) throw err;
}

function objectKey(object: KubeObject | undefined): string {
  return `${object?.metadata?.namespace ?? ""}/${object?.metadata?.name ?? ""}`;
}

function signature(items: ReadonlyMap<string, KubeObject>): string {
  return [...items].map(([key, item]) => `${key}@${item.metadata?.resourceVersion ?? ""}`).join(",");
}

/**
 * resourceVersions are opaque to clients by contract, but those of built-in resources are etcd revisions, decimal
 * integers growing with every write. We compare them only when both are such integers; otherwise the later one
 * to arrive wins (client-go's behaviour).
 */
function newer(current: string | undefined, candidate: string): string {
  if (current === undefined || !isDecimal(current) || !isDecimal(candidate)) return candidate;
  return BigInt(candidate) >= BigInt(current) ? candidate : current;
}

function isAtOrBelow(version: string, bound: string): boolean {
  return isDecimal(version) && isDecimal(bound) && BigInt(version) <= BigInt(bound);
}

function isDecimal(version: string): boolean {
  return /^\d+$/.test(version);
}

function withSignal<O extends object>(opts: O, signal: AbortSignal | undefined): O & { signal?: AbortSignal } {
  return signal ? { ...opts, signal } : opts;
}

// ---------------------------------------------------------------------------------------------------------------
// followEnvironment: the whole environment until Ready or Failed

export interface FollowEnvironmentOptions {
  /** What to follow: `plan.environment` (its Jobs, its Deployment, the customer's pods by their selector). */
  environment: EnvironmentDescription;
  clock: Clock;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  watchTimeoutSeconds?: number;
  silentWatchFallbackMs?: number;
  /** Give up after this long: the last assessment, with a `Timeout` reason first. Default 15 min. */
  timeoutMs?: number;
  /** Called with every assessment that differs from the previous one, the final one included. */
  onAssessment?: (assessment: EnvironmentAssessment) => void;
  imagePullFailureThresholdMs?: number;
  imagePullFailureThresholdAttempts?: number;
}

/**
 * Follows the environment's Jobs, Deployment and pods and resolves with the first assessment that is Ready or
 * Failed (fail fast: the observation that shows the failure decides, never only the timeout). Before reporting
 * Failed it fetches what explains it: the failing pod's events and its container's last log lines (the previous
 * instance for a crash loop), or a failed Job's last failed pod and its logs. Between changes it re-assesses every
 * `pollIntervalMs`, since some rules depend on time (image pull and scheduling thresholds). Rejects with the
 * signal's reason when aborted, and with the error when a stream fails for good (Forbidden, say).
 *
 * Only objects that exist are assessed: a Job named in `jobNames` but absent (not created yet, or removed by its
 * `ttlSecondsAfterFinished`) does not hold the environment back.
 */
export async function followEnvironment(kube: WatchClient, options: FollowEnvironmentOptions): Promise<EnvironmentAssessment> {
  const {
    environment,
    clock,
    signal,
    pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
    watchTimeoutSeconds = DEFAULT_WATCH_TIMEOUT_SECONDS,
    silentWatchFallbackMs = DEFAULT_SILENT_WATCH_FALLBACK_MS,
    timeoutMs = DEFAULT_FOLLOW_TIMEOUT_MS,
    onAssessment,
    imagePullFailureThresholdMs,
    imagePullFailureThresholdAttempts,
  } = options;
  signal?.throwIfAborted();
  const started = clock.now();
  const stop = new AbortController();
  const inner = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const { namespace, clientId } = environment;
  const jobNames = objectNames(environment, "Job");
  const deploymentName = objectNames(environment, "Deployment")[0] ?? "";
  const ns = encodeURIComponent(namespace);

  // No Deployment, no application pods to follow (the Jobs' pods are read when a Job fails).
  const streams = [
    ...(environment.podSelector ? [{ key: "pods", path: `/api/v1/namespaces/${ns}/pods`, labelSelector: environment.podSelector }] : []),
    ...jobNames.map((name) => ({ key: `job/${name}`, path: `/apis/batch/v1/namespaces/${ns}/jobs`, fieldSelector: `metadata.name=${name}` })),
    { key: "deployment", path: `/apis/apps/v1/namespaces/${ns}/deployments`, fieldSelector: `metadata.name=${deploymentName}` },
  ];
  const state = new Map<string, unknown[]>();
  let failure: { error: unknown } | undefined;
  let wake: () => void = () => undefined;
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    wake();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };

  for (const { key, path, ...selectors } of streams) {
    void (async () => {
      const options: WatchListOptions = { clock, signal: inner, pollIntervalMs, watchTimeoutSeconds, silentWatchFallbackMs, ...selectors };
      for await (const snapshot of watchList<KubeObject>(kube, path, options)) {
        state.set(key, snapshot.items);
        notify();
      }
    })().catch((error: unknown) => {
      if (inner.aborted) return;
      failure ??= { error };
      notify();
    });
  }

  const events = podEvents(kube, namespace, clock, pollIntervalMs, inner);

  let last: EnvironmentAssessment | undefined;
  let lastReported = "";
  const report = (assessment: EnvironmentAssessment): EnvironmentAssessment => {
    const key = JSON.stringify(assessment);
    if (key !== lastReported) onAssessment?.(assessment);
    lastReported = key;
    last = assessment;
    return assessment;
  };

  try {
    for (;;) {
      if (failure) throw failure.error;
      signal?.throwIfAborted();
      if (state.size === streams.length) {
        const pods = (state.get("pods") ?? []) as Pod[];
        // Image pull thresholds count the kubelet's events: read them for pods stuck pulling before deciding.
        await Promise.all(pods.filter(isPullingImage).map((pod) => events.read(pod.metadata?.name ?? "")));
        const snapshot: EnvironmentSnapshot = {
          jobs: jobNames.flatMap((name) => state.get(`job/${name}`) as Job[]),
          deployment: ((state.get("deployment") as Deployment[])[0] ?? null),
          pods,
          events: events.all(),
          now: clock.now(),
          deploymentName,
          ...(imagePullFailureThresholdMs !== undefined ? { imagePullFailureThresholdMs } : {}),
          ...(imagePullFailureThresholdAttempts !== undefined ? { imagePullFailureThresholdAttempts } : {}),
        };
        let assessment = assessEnvironment(snapshot);
        if (assessment.phase === "Failed") {
          assessment = assessEnvironment(await explainFailure(kube, namespace, snapshot, assessment.reasons, events, inner));
        }
        report(assessment);
        if (isFinalPhase(assessment.phase)) return assessment;
      }
      const elapsed = clock.now() - started;
      if (elapsed >= timeoutMs) return report(timedOut(last, timeoutMs, clientId));
      await waitForChange(changed, clock, Math.min(pollIntervalMs, timeoutMs - elapsed), signal);
    }
  } finally {
    stop.abort();
  }
}

/** A change in a stream, or `ms` of the clock, whichever first; rejects with the signal's reason when aborted. */
async function waitForChange(changed: Promise<void>, clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  const timer = new AbortController();
  const sleepSignal = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
  try {
    await Promise.race([
      changed,
      clock.sleep(ms, sleepSignal).catch((err: unknown) => {
        if (signal?.aborted) throw signal.reason;
        throw err;
      }),
    ]);
  } finally {
    timer.abort();
  }
}

interface PodEvents {
  /** Reads the pod's events unless read less than a poll interval ago (or always, when `fresh`). */
  read(pod: string, fresh?: boolean): Promise<void>;
  /** Every event read so far. */
  all(): Event[];
}

/** Events by `involvedObject.name`, read on demand and kept per pod. They only explain: a failed read is ignored. */
function podEvents(kube: WatchClient, namespace: string, clock: Clock, maxAgeMs: number, signal: AbortSignal): PodEvents {
  const byPod = new Map<string, { at: number; items: Event[] }>();
  return {
    async read(pod, fresh = false) {
      const cached = byPod.get(pod);
      if (cached && !fresh && clock.now() - cached.at < maxAgeMs) return;
      try {
        const path = buildKubePath(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { fieldSelector: `involvedObject.name=${pod}` });
        const list = await kube.list<EventList>(path, { signal });
        byPod.set(pod, { at: clock.now(), items: list.items ?? [] });
      } catch {
        signal.throwIfAborted();
      }
    },
    all: () => [...byPod.values()].flatMap((e) => e.items),
  };
}

function isPullingImage(pod: Pod): boolean {
  return containerStatuses(pod).some((s) => IMAGE_PULL_WAITING_REASONS.has(s.state?.waiting?.reason ?? ""));
}

function containerStatuses(pod: Pod) {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/**
 * The snapshot again, with what explains each failure: for a failing pod its events and its container's last log
 * lines; for a failed Job its pods (by the controller's `batch.kubernetes.io/job-name` label) and the logs of the
 * last failed one. Log and event reads are best effort: their failure never hides the verdict.
 */
async function explainFailure(
  kube: WatchClient,
  namespace: string,
  snapshot: EnvironmentSnapshot,
  reasons: readonly StatusReason[],
  events: PodEvents,
  signal: AbortSignal,
): Promise<EnvironmentSnapshot> {
  const logs: Record<string, string[]> = { ...snapshot.logs };
  const pods = [...snapshot.pods];
  const readLogs = async (pod: Pod, container: string): Promise<void> => {
    const status = containerStatuses(pod).find((s) => s.name === container);
    // A container that never ran (image pull, missing Secret) has no logs; a crash-looping one is waiting for its
    // next start, so its last words are in the previous instance.
    if (!status || !(status.state?.running || status.state?.terminated || status.lastState?.terminated)) return;
    const previous = !status.state?.running && !status.state?.terminated;
    const name = pod.metadata?.name ?? "";
    logs[`${name}/${container}`] = await lastLogLines(kube, namespace, name, { container, previous, signal });
  };

  await Promise.all(
    reasons
      .filter((r) => r.phase === "Failed")
      .map(async (reason) => {
        if (reason.kind === "Pod") {
          const pod = pods.find((p) => p.metadata?.name === reason.name);
          await events.read(reason.name, true);
          if (pod && reason.container) await readLogs(pod, reason.container);
        } else if (reason.kind === "Job") {
          let jobPods: Pod[] = [];
          try {
            const ns = encodeURIComponent(namespace);
            jobPods = (await kube.list<PodList>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: `batch.kubernetes.io/job-name=${reason.name}`, signal })).items ?? [];
          } catch {
            signal.throwIfAborted();
          }
          pods.push(...jobPods.filter((p) => !pods.some((q) => q.metadata?.uid === p.metadata?.uid)));
          const attempt = lastFailedContainer(jobPods);
          if (attempt) await readLogs(attempt.pod, attempt.container);
        }
      }),
  );
  return { ...snapshot, pods, logs, events: events.all() };
}

function lastFailedContainer(pods: readonly Pod[]): { pod: Pod; container: string } | undefined {
  let best: { pod: Pod; container: string; at: string } | undefined;
  for (const pod of pods) {
    for (const status of containerStatuses(pod)) {
      const terminated = status.state?.terminated ?? status.lastState?.terminated;
      const broken = (terminated && terminated.exitCode !== 0) || FATAL_WAITING_REASONS.has(status.state?.waiting?.reason ?? "");
      const at = terminated?.finishedAt ?? pod.metadata?.creationTimestamp ?? "";
      if (broken && (!best || at > best.at)) best = { pod, container: status.name, at };
    }
  }
  return best;
}

function timedOut(last: EnvironmentAssessment | undefined, timeoutMs: number, clientId: string): EnvironmentAssessment {
  const limit = timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 60_000)} мин` : `${Math.round(timeoutMs / 1000)} с`;
  const reason: StatusReason = {
    kind: "Environment",
    name: clientId,
    phase: "Failed",
    reason: "Timeout",
    message: `not Ready after ${Math.round(timeoutMs / 1000)} s${last ? `; last phase ${last.phase}: ${last.reasons[0]?.message ?? ""}` : "; the objects were never all listed"}`,
  };
  return {
    phase: "Failed",
    reasons: [reason, ...(last?.reasons ?? [])],
    summary: `Ошибка: среда не готова за ${limit} (Timeout)${last ? `; последнее состояние — ${last.summary}` : ""}`,
  };
}
