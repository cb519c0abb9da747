/**
 * The HPA's replica calculator for resource metrics (pkg/controller/podautoscaler/replica_calculator.go and
 * metrics/utilization.go): usage over requests of the ready pods, `desired = ceil(ratio × ready pods)` outside the
 * tolerance, and the corrections for pods without metrics (missing) and unready pods, which never turn a scale-up
 * into a scale-down or the reverse. Errors carry the Go code's words.
 */
import { milliValue } from "./quantity.js";
import type { PodMetric } from "./pod-metrics.js";
import type { Obj } from "./util.js";

export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

const within = (t: Tolerances, ratio: number): boolean => 1 - t.scaleDown <= ratio && ratio <= 1 + t.scaleUp;

/** --horizontal-pod-autoscaler-cpu-initialization-period and --horizontal-pod-autoscaler-initial-readiness-delay. */
const CPU_INITIALIZATION_MS = 5 * 60_000;
const INITIAL_READINESS_DELAY_MS = 30_000;

interface PodGroups {
  ready: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods: pods being deleted or failed are ignored, pending ones unready; CPU samples of starting pods too. */
function groupPods(pods: readonly Obj[], metrics: Map<string, PodMetric>, resource: string, now: number): PodGroups {
  const groups: PodGroups = { ready: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = String(pod.metadata.name);
    if (pod.metadata.deletionTimestamp !== undefined || pod.status?.phase === "Failed") groups.ignored.add(name);
    else if (pod.status?.phase === "Pending") groups.unready.add(name);
    else if (!metrics.has(name)) groups.missing.add(name);
    else if (resource === "cpu" && cpuSampleUnready(pod, metrics.get(name)!, now)) groups.unready.add(name);
    else groups.ready++;
  }
  return groups;
}

function cpuSampleUnready(pod: Obj, metric: PodMetric, now: number): boolean {
  const ready = (pod.status?.conditions ?? []).find((c: Obj) => c.type === "Ready");
  const started = pod.status?.startTime === undefined ? undefined : Date.parse(String(pod.status.startTime));
  if (!ready || started === undefined) return true;
  const transition = Date.parse(String(ready.lastTransitionTime));
  if (started + CPU_INITIALIZATION_MS > now) return ready.status === "False" || metric.timestamp < transition + metric.windowMs;
  // Past initialization: only a pod that has never been ready is left out.
  return ready.status === "False" && started + INITIAL_READINESS_DELAY_MS > transition;
}

/** calculateRequests: per pod, the request of `container` or of all containers (and restartable init containers). */
function requestsOf(pods: readonly Obj[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const name = String(pod.metadata.name);
    const sidecars = (pod.spec?.initContainers ?? []).filter((c: Obj) => c.restartPolicy === "Always");
    let request = 0;
    let found = false;
    for (const c of [...(pod.spec?.containers ?? []), ...sidecars] as Obj[]) {
      if (container !== "" && c.name !== container) continue;
      const value = c.resources?.requests?.[resource];
      if (value === undefined) throw new Error(`missing request for ${resource} in container ${String(c.name)} of Pod ${name}`);
      request += milliValue(String(value)) ?? 0;
      found = true;
    }
    if (container !== "" && !found) throw new Error(`container ${container} not found in Pod ${name}`);
    out.set(name, request);
  }
  return out;
}

/** GetResourceUtilizationRatio. */
function utilizationRatio(metrics: Map<string, PodMetric>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; raw: number } {
  let used = 0;
  let requested = 0;
  let entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    used += metric.value;
    requested += request;
    entries++;
  }
  if (requested === 0) throw new Error("no metrics returned matched known pods");
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, raw: Math.trunc(used / entries) };
}

interface ResourceProposal {
  replicas: number;
  /** Percent of the requests (utilization targets). */
  utilization: number;
  /** Average usage per pod, milli-units. */
  raw: number;
}

interface Adjusted {
  metrics: Map<string, PodMetric>;
  groups: PodGroups;
  ratio: number;
}

/**
 * The second pass shared by both calculations: missing pods count as using `fallback` on a scale-down and nothing on
 * a scale-up, unready pods nothing on a scale-up; the new ratio must still point the same way.
 */
function secondPass(
  current: number,
  first: Adjusted,
  tolerances: Tolerances,
  fallback: (name: string) => number,
  ratioOf: (m: Map<string, PodMetric>) => number,
): number {
  const { metrics, groups, ratio } = first;
  const zero = (name: string): void => void metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  for (const name of groups.missing) {
    if (ratio < 1) metrics.set(name, { value: fallback(name), timestamp: 0, windowMs: 0 });
    else if (ratio > 1) zero(name);
  }
  if (groups.unready.size > 0 && ratio > 1) for (const name of groups.unready) zero(name);
  const next = ratioOf(metrics);
  if (within(tolerances, next) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return current;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return current;
  return replicas;
}

function withoutIgnored(
  metrics: Map<string, PodMetric>,
  pods: readonly Obj[],
  resource: string,
  now: number,
): { metrics: Map<string, PodMetric>; groups: PodGroups } {
  const copy = new Map(metrics);
  const groups = groupPods(pods, copy, resource, now);
  for (const name of [...groups.ignored, ...groups.unready]) copy.delete(name);
  if (copy.size === 0) throw new Error("did not receive metrics for targeted pods (pods might be unready)");
  return { metrics: copy, groups };
}

/** GetResourceReplicas: a utilization target (percent of the requests). */
export function resourceReplicas(
  current: number,
  target: number,
  resource: string,
  container: string,
  tolerances: Tolerances,
  pods: readonly Obj[],
  fetched: Map<string, PodMetric>,
  now: number,
): ResourceProposal {
  if (pods.length === 0) throw new Error("no pods returned by selector while calculating replica count");
  const { metrics, groups } = withoutIgnored(fetched, pods, resource, now);
  const requests = requestsOf(pods, container, resource);
  const { ratio, utilization, raw } = utilizationRatio(metrics, requests, target);
  const proposal = (replicas: number): ResourceProposal => ({ replicas, utilization, raw });
  if (!(groups.unready.size > 0 && ratio > 1) && groups.missing.size === 0) {
    return proposal(within(tolerances, ratio) ? current : Math.ceil(ratio * groups.ready));
  }
  // On a scale-down a pod without metrics counts as using all of its request (or the target, when above 100%).
  const fallback = (name: string): number => Math.trunc(((requests.get(name) ?? 0) * Math.max(100, target)) / 100);
  return proposal(secondPass(current, { metrics, groups, ratio }, tolerances, fallback, (m) => utilizationRatio(m, requests, target).ratio));
}

/** calcPlainMetricReplicas: an average value target (milli-units per pod). */
export function plainReplicas(
  current: number,
  targetMilli: number,
  resource: string,
  tolerances: Tolerances,
  pods: readonly Obj[],
  fetched: Map<string, PodMetric>,
  now: number,
): { replicas: number; usage: number } {
  if (pods.length === 0) throw new Error("no pods returned by selector while calculating replica count");
  const { metrics, groups } = withoutIgnored(fetched, pods, resource, now);
  const usageRatio = (m: Map<string, PodMetric>): { ratio: number; usage: number } => {
    const usage = Math.trunc([...m.values()].reduce((a, p) => a + p.value, 0) / m.size);
    return { ratio: usage / targetMilli, usage };
  };
  const { ratio, usage } = usageRatio(metrics);
  if (!(groups.unready.size > 0 && ratio > 1) && groups.missing.size === 0) {
    return { replicas: within(tolerances, ratio) ? current : Math.ceil(ratio * groups.ready), usage };
  }
  // On a scale-down a pod without metrics counts as using exactly the target.
  return {
    replicas: secondPass(
      current,
      { metrics, groups, ratio },
      tolerances,
      () => targetMilli,
      (m) => usageRatio(m).ratio,
    ),
    usage,
  };
}
