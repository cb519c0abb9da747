/**
 * Following an environment until it is Ready or Failed: a reflector stream (./reflector.ts) per Job, Deployment and
 * the pods, its autoscaler and disruption budget read along, and the pure `assessEnvironment` deciding after every
 * observation.
 */
import type { Clock } from "../core/clock.js";
import { objectNames, type EnvironmentDescription } from "../core/environment.js";
import type { ProvisioningPlan } from "../core/plan.js";
import { systemClock } from "./clock.js";
import type { Deployment, Event, EventList, HorizontalPodAutoscaler, Job, Pod, PodDisruptionBudget } from "../core/kube-objects.js";
import {
  assessEnvironment,
  IMAGE_PULL_WAITING_REASONS,
  isFinalPhase,
  type EnvironmentAssessment,
  type EnvironmentSnapshot,
  type StatusReason,
} from "../core/status/index.js";
import { buildKubePath } from "./client.js";
import { isKubeError } from "./errors.js";
import { containerLogLines, failedJobContext } from "./job-pods.js";
import {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_SILENT_WATCH_FALLBACK_MS,
  DEFAULT_WATCH_TIMEOUT_SECONDS,
  watchList,
  type KubeObject,
  type WatchClient,
  type WatchListOptions,
} from "./reflector.js";

export const DEFAULT_FOLLOW_TIMEOUT_MS = 15 * 60_000;

export interface FollowEnvironmentOptions {
  /** What to follow: the plan, or its `environment` (its Jobs, its Deployment, the customer's pods by their selector). */
  environment: EnvironmentDescription | Pick<ProvisioningPlan, "environment">;
  /** Default: the client's clock. */
  clock?: Clock;
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

/** The latest items of every stream, and a promise that settles at the next change. */
class Streams {
  readonly state = new Map<string, unknown[]>();
  failure: { error: unknown } | undefined;
  changed: Promise<void>;
  private wake: () => void = () => undefined;

  constructor(readonly count: number) {
    this.changed = new Promise<void>((resolve) => (this.wake = resolve));
  }

  notify(): void {
    this.wake();
    this.changed = new Promise<void>((resolve) => (this.wake = resolve));
  }

  get complete(): boolean {
    return this.state.size === this.count;
  }
}

/** One list-watch stream per object of the environment: its pods (by the selector), each Job, the Deployment. */
function openStreams(kube: WatchClient, environment: EnvironmentDescription, options: WatchListOptions & { signal: AbortSignal }): Streams {
  const ns = encodeURIComponent(environment.namespace);
  const deploymentName = objectNames(environment, "Deployment")[0] ?? "";
  // No Deployment, no application pods to follow (the Jobs' pods are read when a Job fails).
  const specs = [
    ...(environment.podSelector ? [{ key: "pods", path: `/api/v1/namespaces/${ns}/pods`, labelSelector: environment.podSelector }] : []),
    ...objectNames(environment, "Job").map((name) => ({
      key: `job/${name}`,
      path: `/apis/batch/v1/namespaces/${ns}/jobs`,
      fieldSelector: `metadata.name=${name}`,
    })),
    { key: "deployment", path: `/apis/apps/v1/namespaces/${ns}/deployments`, fieldSelector: `metadata.name=${deploymentName}` },
  ];
  const streams = new Streams(specs.length);
  for (const { key, path, ...selectors } of specs) {
    void (async () => {
      for await (const snapshot of watchList<KubeObject>(kube, path, { ...options, ...selectors })) {
        streams.state.set(key, snapshot.items);
        streams.notify();
      }
    })().catch((error: unknown) => {
      if (options.signal.aborted) return;
      streams.failure ??= { error };
      streams.notify();
    });
  }
  return streams;
}

/** The environment as the streams show it, assessed; a failure comes with what explains it. */
async function assessStreams(
  kube: WatchClient,
  environment: EnvironmentDescription,
  streams: Streams,
  reads: { events: PodEvents; autoscaler: NamedObject<HorizontalPodAutoscaler>; disruptionBudget: NamedObject<PodDisruptionBudget> },
  options: FollowEnvironmentOptions & { clock: Clock },
  signal: AbortSignal,
): Promise<EnvironmentAssessment> {
  const { clock, imagePullFailureThresholdMs, imagePullFailureThresholdAttempts } = options;
  const { events, autoscaler, disruptionBudget } = reads;
  const pods = (streams.state.get("pods") ?? []) as Pod[];
  // Image pull thresholds count the kubelet's events: read them for pods stuck pulling before deciding.
  await Promise.all([...pods.filter(isPullingImage).map((pod) => events.read(pod.metadata?.name ?? "")), autoscaler.read(), disruptionBudget.read()]);
  const deploymentName = objectNames(environment, "Deployment")[0] ?? "";
  const snapshot: EnvironmentSnapshot = {
    jobs: objectNames(environment, "Job").flatMap((name) => streams.state.get(`job/${name}`) as Job[]),
    deployment: (streams.state.get("deployment") as Deployment[])[0] ?? null,
    autoscaler: autoscaler.current(),
    disruptionBudget: disruptionBudget.current(),
    pods,
    events: events.all(),
    now: clock.now(),
    deploymentName,
    ...(imagePullFailureThresholdMs !== undefined ? { imagePullFailureThresholdMs } : {}),
    ...(imagePullFailureThresholdAttempts !== undefined ? { imagePullFailureThresholdAttempts } : {}),
  };
  const assessment = assessEnvironment(snapshot);
  if (assessment.phase !== "Failed") return assessment;
  return assessEnvironment(await explainFailure(kube, environment.namespace, snapshot, assessment.reasons, events, signal));
}

/**
 * Follows the environment's Jobs, Deployment and pods and resolves with the first assessment that is Ready or
 * Failed (fail fast: the observation that shows the failure decides, never only the timeout). Before reporting
 * Failed it fetches what explains it: the failing pod's events and its container's last log lines (the previous
 * instance for a crash loop), or a failed Job's last failed pod and its logs. Between changes it re-assesses every
 * `pollIntervalMs`, since some rules depend on time (image pull and scheduling thresholds). Rejects with the
 * signal's reason when aborted, and with the error when a stream fails for good (Forbidden, say).
 *
 * Only objects that exist are assessed: a Job of the description but absent (not created yet, or removed by its
 * `ttlSecondsAfterFinished`) does not hold the environment back.
 */
export async function followEnvironment(kube: WatchClient, options: FollowEnvironmentOptions): Promise<EnvironmentAssessment> {
  const { signal, pollIntervalMs = DEFAULT_POLL_INTERVAL_MS, timeoutMs = DEFAULT_FOLLOW_TIMEOUT_MS, onAssessment } = options;
  const environment = "objects" in options.environment ? options.environment : options.environment.environment;
  const clock = options.clock ?? kube.clock ?? systemClock;
  signal?.throwIfAborted();
  const started = clock.now();
  const stop = new AbortController();
  const inner = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const streams = openStreams(kube, environment, {
    clock,
    signal: inner,
    pollIntervalMs,
    watchTimeoutSeconds: options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS,
    silentWatchFallbackMs: options.silentWatchFallbackMs ?? DEFAULT_SILENT_WATCH_FALLBACK_MS,
  });
  const ns = encodeURIComponent(environment.namespace);
  const reads = {
    events: podEvents(kube, environment.namespace, clock, pollIntervalMs, inner),
    autoscaler: namedObject<HorizontalPodAutoscaler>(
      kube,
      `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
      objectNames(environment, "HorizontalPodAutoscaler")[0],
      { clock, maxAgeMs: pollIntervalMs, signal: inner },
    ),
    disruptionBudget: namedObject<PodDisruptionBudget>(
      kube,
      `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`,
      objectNames(environment, "PodDisruptionBudget")[0],
      { clock, maxAgeMs: pollIntervalMs, signal: inner },
    ),
  };
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
      if (streams.failure) throw streams.failure.error;
      signal?.throwIfAborted();
      if (streams.complete) {
        const assessment = report(await assessStreams(kube, environment, streams, reads, { ...options, clock }, inner));
        if (isFinalPhase(assessment.phase)) return assessment;
      }
      const elapsed = clock.now() - started;
      if (elapsed >= timeoutMs) return report(timedOut(last, timeoutMs, environment.clientId));
      await waitForChange(streams.changed, clock, Math.min(pollIntervalMs, timeoutMs - elapsed), signal);
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

interface NamedObject<T> {
  /** Reads the object unless read less than a poll interval ago. */
  read(): Promise<void>;
  /** The object as last read; null when absent, unreadable or not part of the environment. */
  current(): T | null;
}

/**
 * One optional object of the environment (its autoscaler, its disruption budget), read by name with a list (the
 * watch client has no get) at most once per poll interval, when an assessment is made: they rarely change and only
 * add warnings, not worth a watch each. No name (turned off in the settings) reads nothing. 403 and 404 (a platform
 * that does not let us read them, or does not serve their API) count as absent; any other failure keeps the last
 * value read, to try again at the next interval.
 */
function namedObject<T>(
  kube: WatchClient,
  collection: string,
  name: string | undefined,
  { clock, maxAgeMs, signal }: { clock: Clock; maxAgeMs: number; signal: AbortSignal },
): NamedObject<T> {
  let value: T | null = null;
  let readAt: number | undefined;
  return {
    async read() {
      if (!name || (readAt !== undefined && clock.now() - readAt < maxAgeMs)) return;
      try {
        const list = await kube.list<{ items?: T[] }>(buildKubePath(collection, { fieldSelector: `metadata.name=${name}` }), { signal });
        value = list.items?.[0] ?? null;
      } catch (error) {
        signal.throwIfAborted();
        if (isKubeError(error, "Forbidden") || isKubeError(error, "NotFound")) value = null;
      }
      readAt = clock.now();
    },
    current: () => value,
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
 * lines; for a failed Job its own pods and the logs of the last failed one (./job-pods.ts, as the executor reads
 * them). Log and event reads are best effort: their failure never hides the verdict.
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
  await Promise.all(
    reasons
      .filter((r) => r.phase === "Failed")
      .map(async (reason) => {
        if (reason.kind === "Pod") {
          const pod = pods.find((p) => p.metadata?.name === reason.name);
          await events.read(reason.name, true);
          if (pod && reason.container) Object.assign(logs, await containerLogLines(kube, namespace, pod, reason.container, signal));
        } else if (reason.kind === "Job") {
          const job = snapshot.jobs.find((j) => j.metadata?.name === reason.name);
          if (!job) return;
          const context = await failedJobContext(kube, namespace, job, signal);
          pods.push(...context.pods.filter((p) => !pods.some((q) => q.metadata?.uid === p.metadata?.uid)));
          Object.assign(logs, context.logs);
        }
      }),
  );
  return { ...snapshot, pods, logs, events: events.all() };
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
    warnings: last?.warnings ?? [],
    summary: `Ошибка: среда не готова за ${limit} (Timeout)${last ? `; последнее состояние — ${last.summary}` : ""}`,
  };
}
