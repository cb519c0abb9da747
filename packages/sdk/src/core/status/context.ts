/**
 * What the kind rules may look at besides the object itself: the clock reading, related pods, events and
 * container logs the caller already fetched. Everything optional but `now` is a plain absence: a rule that
 * lacks it says less, never something else.
 */
import type { Event, Pod } from "../kube-objects.js";

/** Container logs keyed `${pod}/${container}`, last lines, oldest first. */
export type ContainerLogs = Readonly<Record<string, readonly string[]>>;

export interface JobContext {
  /** Pods of the Job (owned by it, or labelled `batch.kubernetes.io/job-name`), to name the failed attempt. */
  pods?: readonly Pod[];
  logs?: ContainerLogs;
}

export interface PodContext {
  /** Milliseconds since the epoch, from the caller's clock: the core reads no clock of its own. */
  now: number;
  events?: readonly Event[];
  logs?: ContainerLogs;
  /** Image pull errors turn Failed once the pod was scheduled this long ago. Default 60 s. */
  imagePullFailureThresholdMs?: number;
  /** …or once the kubelet reported this many failed pulls ("Failed to pull image" events, by `count`). Default 3. */
  imagePullFailureThresholdAttempts?: number;
  /** An unschedulable pod turns Failed after this long (Pending before). Default 180 s. */
  unschedulableFailureThresholdMs?: number;
}

export const DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_MS = 60_000;
export const DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_ATTEMPTS = 3;
/**
 * Three minutes: long enough for a cluster autoscaler to add a node (its scale-up plus node boot is typically one to
 * three minutes), short enough that a selector no node will ever match (`rarus=lms` missing) is reported well before
 * the Deployment's own 10-minute progress deadline.
 */
export const DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS = 180_000;

/** The logs of one container, copied, or undefined. */
export function containerLogs(logs: ContainerLogs | undefined, pod: string, container: string): string[] | undefined {
  const lines = logs?.[`${pod}/${container}`];
  return lines ? [...lines] : undefined;
}

/** Milliseconds of an RFC 3339 time, or undefined for a missing or unparsable one. */
export function parseTime(time: string | null | undefined): number | undefined {
  if (!time) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}
