/**
 * Pod health, fail fast as Argo CD does (`pkg/health/health_pod.go`: container waiting reasons are checked before
 * the phase) but with an explicit list of reasons, and kstatus' `podConditions` for the rest (Succeeded → Current,
 * Failed → Failed, Ready=True → Current, otherwise InProgress).
 */
import type { ContainerStatus, Event, Pod } from "../kube-objects.js";
import {
  containerLogs,
  DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_ATTEMPTS,
  DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_MS,
  DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS,
  parseTime,
  type PodContext,
} from "./context.js";
import { checkGeneric, findCondition, isTrue, withSince } from "./generic.js";
import type { EnvironmentPhase, StatusReason } from "./phase.js";

/**
 * Kubelet waiting reasons (`pkg/kubelet/container/sync_result.go`, `images/types.go`) that waiting will not cure:
 * the spec or its references are wrong, or the process keeps dying. Argo CD catches these by shape (prefix `Err`,
 * suffix `Error`/`BackOff`); naming them keeps the transient image pull errors out.
 */
export const FATAL_WAITING_REASONS: ReadonlySet<string> = new Set([
  "CrashLoopBackOff",
  "CreateContainerConfigError", // a referenced Secret/ConfigMap or key is missing
  "CreateContainerError",
  "InvalidImageName",
  "ErrImageNeverPull",
  "RunContainerError",
  "PreStartHookError",
  "PostStartHookError",
  "ImageInspectError",
]);

/** Image pull errors may be transient (registry hiccup, a tag pushed a moment later): Failed only past a threshold. */
export const IMAGE_PULL_WAITING_REASONS: ReadonlySet<string> = new Set(["ErrImagePull", "ImagePullBackOff", "RegistryUnavailable"]);

export function assessPod(pod: Pod, context: PodContext): StatusReason {
  const generic = checkGeneric("Pod", pod);
  if (generic) return generic;

  // Decode.
  const name = pod.metadata?.name ?? "";
  const status = pod.status ?? {};
  const phase = status.phase ?? "Pending";
  const restartPolicy = pod.spec?.restartPolicy ?? "Always";
  const scheduled = findCondition(status.conditions, "PodScheduled");
  const initStatuses = status.initContainerStatuses ?? [];
  const containerStatuses = status.containerStatuses ?? [];
  const events = eventsOf(pod, context.events);
  const result = (phase: EnvironmentPhase, reason: string, message: string, since?: string | null): StatusReason =>
    withSince({ kind: "Pod", name, phase, reason, message }, since);

  // kstatus: Succeeded → "Pod has completed successfully".
  if (phase === "Succeeded") return result("Ready", "Completed", "Pod has completed successfully");

  // Containers, init containers first (they run first): the first broken one decides.
  // Init containers follow the pod's restartPolicy, except sidecars (restartPolicy Always on the init container).
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name));
  for (const container of [...initStatuses, ...containerStatuses]) {
    const failure = assessContainer(pod, container, sidecars.has(container.name) ? "Always" : restartPolicy, events, context);
    if (failure) return failure;
  }

  // kstatus: phase Failed → "Pod has completed, but not successfully" (Evicted, DeadlineExceeded, node shutdown…).
  if (phase === "Failed") return result("Failed", status.reason || "PodFailed", status.message || "Pod has completed, but not successfully");

  // The scheduler keeps retrying an unschedulable pod (a node may be added or freed): Pending for a while, then Failed
  // (threshold in context.ts). Its message names what did not fit.
  if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") {
    const since = scheduled.lastTransitionTime ?? pod.metadata?.creationTimestamp;
    const elapsed = context.now - (parseTime(since) ?? context.now);
    const threshold = context.unschedulableFailureThresholdMs ?? DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS;
    const over = elapsed >= threshold;
    return result(
      over ? "Failed" : "Pending",
      "Unschedulable",
      `${scheduled.message ?? "Pod is unschedulable"}${over ? ` (unschedulable for ${seconds(elapsed)})` : ""}`,
      since,
    );
  }
  if (!isTrue(scheduled)) return result("Pending", "PodPending", "Pod is waiting to be scheduled");

  // Bound to a node, the kubelet has not reported yet.
  if (containerStatuses.length === 0 && initStatuses.length === 0) {
    return result("Pending", "PodScheduled", `Pod is scheduled to ${pod.spec?.nodeName ?? "a node"}, waiting for the kubelet`, scheduled?.lastTransitionTime);
  }

  // kubectl get pods shows `Init:1/2` until every init container has run (or, for a sidecar, started).
  const initDone = initStatuses.filter((s) => s.state?.terminated?.exitCode === 0 || (sidecars.has(s.name) && s.started)).length;
  if (initDone < initStatuses.length) {
    return result("Progressing", "PodInitializing", `Init:${initDone}/${initStatuses.length}`);
  }

  // ContainerCreating / PodInitializing: the kubelet is working on it.
  const waiting = containerStatuses.find((s) => s.state?.waiting);
  if (waiting) {
    return {
      ...result("Progressing", waiting.state!.waiting!.reason || "Waiting", waiting.state!.waiting!.message ?? `container ${waiting.name} is waiting`),
      container: waiting.name,
    };
  }

  // kstatus: Ready=True → "Pod is Ready"; otherwise running but not ready (readiness probe not passing yet).
  const ready = findCondition(status.conditions, "Ready");
  if (isTrue(ready)) return result("Ready", "PodReady", "Pod is Ready", ready?.lastTransitionTime);
  return result("Progressing", ready?.reason || "ContainersNotReady", ready?.message || "Pod is running but is not Ready");
}

/** A verdict about one container when it is broken (Failed) or stuck pulling (Progressing), else undefined. */
function assessContainer(pod: Pod, container: ContainerStatus, restartPolicy: string, events: readonly Event[], context: PodContext): StatusReason | undefined {
  const name = pod.metadata?.name ?? "";
  const waiting = container.state?.waiting;
  const terminated = container.state?.terminated;
  const reasonOf = (phase: EnvironmentPhase, reason: string, message: string, since?: string): StatusReason => {
    const logs = containerLogs(context.logs, name, container.name);
    return withSince({ kind: "Pod", name, phase, reason, message, container: container.name, ...(logs ? { logs } : {}) }, since);
  };

  if (waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) {
    const last = container.lastState?.terminated;
    const lastExit = last ? `last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ""}, ${container.restartCount} restarts` : undefined;
    const event = latestWarning(events, container.name);
    return reasonOf("Failed", waiting.reason, joinMessages(waiting.message, lastExit, event?.message), firstSeen(events, container.name) ?? last?.finishedAt);
  }

  if (waiting?.reason && IMAGE_PULL_WAITING_REASONS.has(waiting.reason)) {
    // Threshold: time since the pod was scheduled (the kubelet starts pulling then), or failed pulls as counted by
    // the kubelet's "Failed to pull image" events (one per attempt, `count` aggregates repeats). The BackOff
    // ("Back-off pulling image") and "Error: ErrImagePull"/"Error: ImagePullBackOff" events repeat the same
    // attempts, so counting them would fail after the first attempt already.
    const start = findCondition(pod.status?.conditions, "PodScheduled")?.lastTransitionTime ?? pod.status?.startTime ?? pod.metadata?.creationTimestamp;
    const elapsed = context.now - (parseTime(start) ?? context.now);
    const attempts = events
      .filter((e) => e.reason === "Failed" && e.message?.startsWith("Failed to pull image") && (eventContainer(e) ?? container.name) === container.name)
      .reduce((sum, e) => sum + (e.series?.count ?? e.count ?? 1), 0);
    const thresholdMs = context.imagePullFailureThresholdMs ?? DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_MS;
    const thresholdAttempts = context.imagePullFailureThresholdAttempts ?? DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_ATTEMPTS;
    const over = elapsed >= thresholdMs || attempts >= thresholdAttempts;
    const tally = `${attempts} failed pulls, ${seconds(elapsed)} since scheduled`;
    const event = latestWarning(events, container.name);
    return reasonOf(
      over ? "Failed" : "Progressing",
      waiting.reason,
      joinMessages(waiting.message, over ? tally : `${tally}; retrying until ${seconds(thresholdMs)} or ${thresholdAttempts} failed pulls`, event?.message),
      firstSeen(events, container.name) ?? start,
    );
  }

  // A container that exited non-zero and will not be restarted: the pod (or this attempt of a Job) has failed.
  if (terminated && terminated.exitCode !== 0 && restartPolicy === "Never") {
    const reason = terminated.reason || "Error";
    const message = joinMessages(`container ${container.name} exited with code ${terminated.exitCode} (${reason})`, terminated.message);
    return reasonOf("Failed", reason, message, terminated.finishedAt);
  }
  return undefined;
}

/** Events about this pod (by name, and uid when both sides have one). */
function eventsOf(pod: Pod, events: readonly Event[] | undefined): Event[] {
  const { name, namespace, uid } = pod.metadata ?? {};
  return (events ?? []).filter((e) => {
    const ref = e.involvedObject;
    return ref.kind === "Pod" && ref.name === name && (!ref.namespace || !namespace || ref.namespace === namespace) && (!ref.uid || !uid || ref.uid === uid);
  });
}

/** `spec.containers{lms}` → `lms`; undefined when the event is about the pod as a whole. */
function eventContainer(event: Event): string | undefined {
  return /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/.exec(event.involvedObject.fieldPath ?? "")?.[1];
}

function eventTime(event: Event): string {
  return event.lastTimestamp ?? event.series?.lastObservedTime ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp ?? "";
}

/**
 * The latest Warning event about the container (or the whole pod), skipping the kubelet's bare echoes of a waiting
 * reason ("Error: ErrImagePull", "Error: ImagePullBackOff"), which say nothing the state does not.
 */
function latestWarning(events: readonly Event[], container: string): Event | undefined {
  return events
    .filter((e) => e.type === "Warning" && (eventContainer(e) ?? container) === container && !/^Error: \w+$/.test(e.message ?? ""))
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .at(-1);
}

/** When the kubelet first warned about the container. */
function firstSeen(events: readonly Event[], container: string): string | undefined {
  return events
    .filter((e) => e.type === "Warning" && (eventContainer(e) ?? container) === container)
    .map((e) => e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "")
    .filter(Boolean)
    .sort()[0];
}

/** Joins message parts, dropping empty ones and parts already said. */
function joinMessages(...parts: (string | undefined)[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if (part && !out.some((p) => p.includes(part))) out.push(part);
  }
  return out.join("; ");
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
