/**
 * The HPA controller's metric pass (horizontal.go computeReplicasForMetrics and the computeStatusFor… functions): the
 * target's selector and its pods (an HPA whose pods another HPA also selects is AmbiguousSelector), then a proposal
 * per metric — the largest valid one wins, and ScalingActive says whether any was valid. Each failing metric records
 * its Warning event and, for the first one, the ScalingActive=False condition; the errors are the Go code's.
 */
import type { Sync } from "./autoscaler-controller.js";
import type { PodMetricsSource } from "./pod-metrics.js";
import { milliValue, formatMilli } from "./quantity.js";
import { plainReplicas, resourceReplicas, type Tolerances } from "./replica-calculator.js";
import { resourceByName } from "./resources.js";
import { goLabelSelector, matchesSelector, parseLabelSelector } from "./selectors.js";
import type { Store } from "./store.js";
import { isRecord, type Obj } from "./util.js";

export interface MetricsContext {
  sync: Sync;
  store: Store;
  metrics: PodMetricsSource;
  /** Every HPA's registered target selector by namespace/name ("" selects nothing). */
  selectors: Map<string, string>;
  now: number;
  event(type: "Normal" | "Warning", reason: string, message: string): void;
  condition(type: string, status: "True" | "False", reason: string, message: string): void;
}

interface MetricsResult {
  /** -1: nothing could be computed. */
  replicas: number;
  metric: string;
  /** One per metric (`{ type: "" }` for a failed one); null when the selector failed first. */
  statuses: Obj[] | null;
  error?: string;
}

interface Proposal {
  replicas: number;
  metric: string;
  status: Obj;
}

/** A metric that could not be read: the condition's reason and text, and the error as computeReplicasForMetric wraps it. */
class MetricError extends Error {
  constructor(
    readonly reason: string,
    /** The error the condition and the metric's own event quote. */
    readonly inner: string,
    wrapped: string,
  ) {
    super(wrapped);
  }
}

const CUSTOM_METRICS_MISSING = "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered";

/** tolerancesForHpa: 10%, or the behavior's (HPAConfigurableTolerance is on in 1.35). */
function tolerancesOf(hpa: Obj): Tolerances {
  const of = (rules: unknown): number => {
    const value = isRecord(rules) ? rules.tolerance : undefined;
    return value === undefined || value === null ? 0.1 : (milliValue(String(value)) ?? 100) / 1000;
  };
  return { scaleDown: of(hpa.spec?.behavior?.scaleDown), scaleUp: of(hpa.spec?.behavior?.scaleUp) };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** computeStatusForResourceMetricGeneric, for Resource and ContainerResource metrics. */
function resourceProposal(
  ctx: MetricsContext,
  source: Obj,
  container: string,
  current: number,
  pods: Obj[],
): { replicas: number; metric: string; current: Obj } {
  const resource = String(source.name);
  const target: Obj = source.target ?? {};
  const format = resource === "memory" ? "BinarySI" : "DecimalSI";
  const tolerances = tolerancesOf(ctx.sync.hpa);
  const fetch = (what: string): ReturnType<PodMetricsSource["resourceMetric"]> => {
    try {
      return ctx.metrics.resourceMetric(pods, resource, container);
    } catch (error) {
      throw new Error(`failed to get ${resource} ${what}: unable to get metrics for resource ${resource}: ${errorText(error)}`);
    }
  };
  const guarded = <T>(what: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw new Error(`failed to get ${resource} ${what}: ${errorText(error)}`);
    }
  };
  if (target.averageValue !== undefined && target.averageValue !== null) {
    const fetched = fetch("usage");
    const targetMilli = milliValue(String(target.averageValue)) ?? 0;
    const { replicas, usage } = guarded("usage", () => plainReplicas(current, targetMilli, resource, tolerances, pods, fetched, ctx.now));
    return { replicas, metric: `${resource} resource`, current: { averageValue: formatMilli(usage, format) } };
  }
  const fetched = fetch("utilization");
  const targetPercent = Number(target.averageUtilization ?? 0);
  const proposal = guarded("utilization", () => resourceReplicas(current, targetPercent, resource, container, tolerances, pods, fetched, ctx.now));
  const metric =
    container === "" ? `${resource} resource utilization (percentage of request)` : `${resource} container resource utilization (percentage of request)`;
  return { replicas: proposal.replicas, metric, current: { averageValue: formatMilli(proposal.raw, format), averageUtilization: proposal.utilization } };
}

/** computeReplicasForMetric: one metric's proposal, or a MetricError. */
function metricProposal(ctx: MetricsContext, spec: Obj, scale: Obj, pods: Obj[]): Proposal {
  const current = Number(scale.spec.replicas ?? 0);
  const namespace = String(ctx.sync.hpa.metadata.namespace);
  const attempt = <T>(reason: string, wrap: (inner: string) => string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      const inner = errorText(error);
      throw new MetricError(reason, inner, wrap(inner));
    }
  };
  switch (spec.type) {
    case "Resource": {
      const source: Obj = spec.resource ?? {};
      const wrap = (inner: string): string => `failed to get ${String(source.name)} resource metric value: ${inner}`;
      const r = attempt("FailedGetResourceMetric", wrap, () => resourceProposal(ctx, source, "", current, pods));
      return { replicas: r.replicas, metric: r.metric, status: { type: "Resource", resource: { name: source.name, current: r.current } } };
    }
    case "ContainerResource": {
      const source: Obj = spec.containerResource ?? {};
      const wrap = (inner: string): string => `failed to get ${String(source.container)} container metric value: ${inner}`;
      const r = attempt("FailedGetContainerResourceMetric", wrap, () => resourceProposal(ctx, source, String(source.container), current, pods));
      const status = { type: "ContainerResource", containerResource: { name: source.name, current: r.current, container: source.container } };
      return { replicas: r.replicas, metric: r.metric, status };
    }
    case "Pods": {
      const name = String(spec.pods?.metric?.name);
      const inner = `unable to get metric ${name}: ${CUSTOM_METRICS_MISSING}`;
      throw new MetricError("FailedGetPodsMetric", inner, `failed to get pods metric value: ${inner}`);
    }
    case "Object": {
      const source: Obj = spec.object ?? {};
      const described: Obj = source.describedObject ?? {};
      const name = String(source.metric?.name);
      const inner = `unable to get metric ${name}: ${String(described.kind)} on ${namespace} ${String(described.name)}/${CUSTOM_METRICS_MISSING}`;
      const middle = source.target?.type === "AverageValue" ? `failed to get ${name} object metric: ${inner}` : inner;
      throw new MetricError("FailedGetObjectMetric", inner, `failed to get object metric value: ${middle}`);
    }
    case "External": {
      const source: Obj = spec.external ?? {};
      const name = String(source.metric?.name);
      const missing = `unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${name}.external.metrics.k8s.io)`;
      const inner = `unable to get external metric ${namespace}/${name}/${goLabelSelector(source.metric?.selector)}: ${missing}`;
      const middle =
        source.target?.averageValue !== undefined ? `failed to get ${name} external metric: ${inner}` : `failed to get external metric ${name}: ${inner}`;
      throw new MetricError("FailedGetExternalMetric", inner, `failed to get ${name} external metric value: ${middle}`);
    }
    default: {
      const inner = `unknown metric source type ${JSON.stringify(String(spec.type ?? ""))}`;
      throw new MetricError("InvalidMetricSourceType", inner, inner);
    }
  }
}

/** validateAndParseSelector: the target's selector, its pods, and no other HPA controlling them. */
function targetPods(ctx: MetricsContext, selector: string): Obj[] | undefined {
  const { hpa, key } = ctx.sync;
  if (selector === "") {
    ctx.event("Warning", "SelectorRequired", "selector is required");
    ctx.condition("ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
    return undefined;
  }
  if (ctx.selectors.has(key)) ctx.selectors.set(key, selector);
  const podRt = resourceByName("Pod")!;
  const parsed = parseLabelSelector(selector);
  const pods = ctx.store.list(podRt, hpa.metadata.namespace).filter((p) => matchesSelector(parsed, p.metadata.labels));
  const namespacePrefix = `${String(hpa.metadata.namespace)}/`;
  const controlling = [...ctx.selectors.entries()]
    .filter(([k, s]) => k.startsWith(namespacePrefix) && s !== "" && pods.some((p) => matchesSelector(parseLabelSelector(s), p.metadata.labels)))
    .map(([k]) => k)
    .sort();
  if (controlling.length > 1) {
    const message = `pods by selector ${selector} are controlled by multiple HPAs: [${controlling.join(" ")}]`;
    ctx.event("Warning", "AmbiguousSelector", message);
    ctx.condition("ScalingActive", "False", "AmbiguousSelector", message);
    throw new Error(message);
  }
  return pods;
}

/** computeReplicasForMetrics. */
export function computeMetrics(ctx: MetricsContext, scale: Obj): MetricsResult {
  let pods: Obj[] | undefined;
  try {
    pods = targetPods(ctx, String(scale.status.selector ?? ""));
  } catch (error) {
    return { replicas: -1, metric: "", statuses: null, error: errorText(error) };
  }
  if (!pods) return { replicas: -1, metric: "", statuses: null, error: "selector is required" };
  const specs: Obj[] = (ctx.sync.hpa.spec?.metrics ?? []).filter(isRecord);
  const statuses: Obj[] = [];
  let replicas = 0;
  let metric = "";
  let invalid = 0;
  let first: MetricError | undefined;
  for (const spec of specs) {
    try {
      const proposal = metricProposal(ctx, spec, scale, pods);
      statuses.push(proposal.status);
      if (replicas === 0 || proposal.replicas > replicas) [replicas, metric] = [proposal.replicas, proposal.metric];
    } catch (error) {
      if (!(error instanceof MetricError)) throw error;
      ctx.event("Warning", error.reason, error.inner);
      statuses.push({ type: "" });
      first ??= error;
      invalid++;
    }
  }
  const error = first ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}` : undefined;
  if (invalid >= specs.length || (invalid > 0 && replicas < Number(scale.spec.replicas ?? 0))) {
    if (first) ctx.condition("ScalingActive", "False", first.reason, `the HPA was unable to compute the replica count: ${first.inner}`);
    return { replicas: -1, metric: "", statuses, ...(error !== undefined ? { error } : {}) };
  }
  ctx.condition("ScalingActive", "True", "ValidMetricFound", `the HPA was able to successfully calculate a replica count from ${metric}`);
  return { replicas, metric, statuses, ...(error !== undefined ? { error } : {}) };
}
