/**
 * The horizontal pod autoscaler controller (pkg/controller/podautoscaler/horizontal.go, reconcileAutoscaler): every
 * HPA is synced every 15 s of virtual time, the first time 15 s after it appeared (the controller's fixed-interval
 * queue). It reads the target's scale (a missing target: AbleToScale=False FailedGetScale), leaves a target scaled to
 * zero alone (ScalingActive=False ScalingDisabled), brings the replicas within minReplicas..maxReplicas without
 * looking at metrics, and otherwise computes the replicas from the metrics and scales through the target's `scale`
 * subresource (managedFields: `kube-controller-manager`, Update, subresource scale). Status, conditions and Events
 * (source `horizontal-pod-autoscaler`) are the real controller's, word for word.
 *
 * Metrics: resource and container-resource metrics come from the fake's metrics API (pod-metrics.ts), which exists
 * only once a test supplies pod metrics; Pods, Object and External metrics always fail as on a cluster without a
 * custom or external metrics adapter.
 */
import { normalize, recordScale, type AutoscalerMemory } from "./autoscaler-normalize.js";
import type { Controller, ControllerManager, EventRecorder } from "./controllers.js";
import { keyOf, parseKey, rtOf } from "./controllers.js";
import { computeMetrics, type MetricsContext } from "./autoscaler-metrics.js";
import { parseGroupVersion } from "./platform-validation.js";
import type { PodMetricsSource } from "./pod-metrics.js";
import type { Registry } from "./registry.js";
import { qualifiedResource, RESOURCES } from "./resources.js";
import { isScalable, scaleOf, writeScale } from "./scale.js";
import { ApiError } from "./status.js";
import type { Store, StoreEvent } from "./store.js";
import { deepCopy, deepEqual, rfc3339, type Obj } from "./util.js";

/** --horizontal-pod-autoscaler-sync-period. */
const HPA_SYNC_PERIOD_MS = 15_000;
const MANAGER = "kube-controller-manager";
const SOURCE = { component: "horizontal-pod-autoscaler" };

interface AutoscalerDeps {
  store: Store;
  registry: Registry;
  events: EventRecorder;
  manager: ControllerManager;
  metrics: PodMetricsSource;
  now(): number;
}

/** One sync's working copy of the HPA's status. */
export interface Sync {
  hpa: Obj;
  key: string;
  status: Obj;
}

/** setConditionInList: a new status moves lastTransitionTime; reason and message always follow. */
function setCondition(sync: Sync, type: string, status: "True" | "False", reason: string, message: string, now: number): void {
  const conditions: Obj[] = Array.isArray(sync.status.conditions) ? sync.status.conditions : (sync.status.conditions = []);
  let condition = conditions.find((c) => c.type === type);
  if (!condition) conditions.push((condition = { type }));
  const transition = condition.status !== status ? rfc3339(now) : condition.lastTransitionTime;
  Object.assign(condition, { status, lastTransitionTime: transition, reason, message });
  // HorizontalPodAutoscalerCondition's field order.
  const { type: t, status: s, lastTransitionTime, reason: r, message: m } = condition;
  Object.keys(condition).forEach((k) => delete condition![k]);
  Object.assign(condition, { type: t, status: s, lastTransitionTime, reason: r, message: m });
}

interface Target {
  rt: (typeof RESOURCES)[number];
  object: Obj;
}

export class AutoscalerController implements Controller {
  readonly name = "horizontal-pod-autoscaler";
  private readonly hpaRt = rtOf("HorizontalPodAutoscaler");
  private readonly memory = new Map<string, AutoscalerMemory>();
  /** hpaSelectors: each HPA's target selector once synced ("" before: it selects nothing). */
  private readonly selectors = new Map<string, string>();

  constructor(private readonly deps: AutoscalerDeps) {}

  keysFor(event: StoreEvent): readonly string[] {
    if (event.rt !== this.hpaRt) return [];
    const key = keyOf(event.object);
    if (event.type === "DELETED") {
      this.selectors.delete(key);
      return [];
    }
    if (!this.selectors.has(key)) this.selectors.set(key, "");
    // Every change is queued with the sync period's delay; one already waiting keeps its earlier time.
    this.deps.manager.wakeAt(this, key, this.deps.now() + HPA_SYNC_PERIOD_MS);
    return [];
  }

  reconcile(key: string): void {
    const { namespace, name } = parseKey(key);
    const hpa = this.deps.store.get(this.hpaRt, namespace, name);
    if (!hpa) {
      this.memory.delete(key);
      return;
    }
    this.reconcileAutoscaler({ hpa, key, status: deepCopy(hpa.status ?? {}) });
    this.deps.manager.wakeAt(this, key, this.deps.now() + HPA_SYNC_PERIOD_MS);
  }

  private event(hpa: Obj, type: "Normal" | "Warning", reason: string, message: string): void {
    this.deps.events.record(this.hpaRt, hpa, type, reason, message, SOURCE);
  }

  private condition(sync: Sync, type: string, status: "True" | "False", reason: string, message: string): void {
    setCondition(sync, type, status, reason, message, this.deps.now());
  }

  /** The scale target, or the error the scale client and REST mapper give. */
  private target(hpa: Obj): Target | string {
    const ref: Obj = hpa.spec?.scaleTargetRef ?? {};
    const gv = parseGroupVersion(String(ref.apiVersion ?? ""));
    if (typeof gv === "string") return gv;
    const rt = RESOURCES.find((r) => r.group === gv.group && r.kind === ref.kind);
    if (!rt) return `no matches for kind "${String(ref.kind)}" in group "${gv.group}"`;
    if (!isScalable(rt)) return "the server could not find the requested resource";
    const object = this.deps.store.get(rt, hpa.metadata.namespace, String(ref.name));
    if (!object) return `${qualifiedResource(rt)} "${String(ref.name)}" not found`;
    return { rt, object };
  }

  private memoryOf(key: string, current: number): AutoscalerMemory {
    let memory = this.memory.get(key);
    if (!memory) {
      // recordInitialRecommendation: the target's replicas count as the first recommendation.
      memory = { recommendations: [{ replicas: current, at: this.deps.now() }], scaleUp: [], scaleDown: [] };
      this.memory.set(key, memory);
    }
    return memory;
  }

  private reconcileAutoscaler(sync: Sync): void {
    const { hpa } = sync;
    const target = this.target(hpa);
    if (typeof target === "string") {
      this.event(hpa, "Warning", "FailedGetScale", target);
      this.condition(sync, "AbleToScale", "False", "FailedGetScale", `the HPA controller was unable to get the target's current scale: ${target}`);
      this.writeStatus(sync);
      return;
    }
    this.condition(sync, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
    const scale = scaleOf(target.object);
    const current = Number(scale.spec.replicas ?? 0);
    const memory = this.memoryOf(sync.key, current);
    const min = typeof hpa.spec?.minReplicas === "number" ? hpa.spec.minReplicas : 1;
    const max = Number(hpa.spec?.maxReplicas ?? 0);
    let desired = 0;
    let reason = "";
    let statuses: Obj[] | null = null;
    if (current === 0 && min !== 0) {
      this.condition(sync, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
      this.setStatus(sync, 0, 0, null, false);
      this.writeStatus(sync);
      return;
    } else if (current > max) {
      [desired, reason] = [max, "Current number of replicas above Spec.MaxReplicas"];
    } else if (current < min) {
      [desired, reason] = [min, "Current number of replicas below Spec.MinReplicas"];
    } else {
      const computed = computeMetrics(this.metricsContext(sync), scale);
      statuses = computed.statuses;
      if (computed.replicas === -1) {
        this.setStatus(sync, current, Number(sync.status.desiredReplicas ?? 0), statuses, false);
        this.writeStatus(sync);
        this.event(hpa, "Warning", "FailedComputeMetricsReplicas", computed.error ?? "");
        return;
      }
      desired = Math.max(0, computed.replicas);
      if (desired > current) reason = `${computed.replicas > 0 ? computed.metric : ""} above target`;
      if (desired < current) reason = "All metrics below target";
      const normalized = normalize(hpa.spec, memory, current, desired, min, this.deps.now());
      this.condition(sync, "AbleToScale", "True", normalized.ableToScale.reason, normalized.ableToScale.message);
      this.condition(sync, "ScalingLimited", normalized.limited ? "True" : "False", normalized.limit.reason, normalized.limit.message);
      desired = normalized.replicas;
      if (desired === current) {
        this.setStatus(sync, current, current, statuses, false);
        this.writeStatus(sync);
        return;
      }
    }
    this.rescale(sync, target, current, desired, reason, statuses, memory);
  }

  private rescale(sync: Sync, target: Target, current: number, desired: number, reason: string, statuses: Obj[] | null, memory: AutoscalerMemory): void {
    const { hpa } = sync;
    try {
      writeScale(this.deps.registry, target.rt, target.object, desired, { manager: MANAGER, fieldValidation: "Strict" });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const message = error.status.message ?? "";
      this.event(hpa, "Warning", "FailedRescale", `New size: ${desired}; reason: ${reason}; error: ${message}`);
      this.condition(sync, "AbleToScale", "False", "FailedUpdateScale", `the HPA controller was unable to update the target scale: ${message}`);
      this.setStatus(sync, current, Number(sync.status.desiredReplicas ?? 0), statuses, false);
      this.writeStatus(sync);
      return;
    }
    this.condition(sync, "AbleToScale", "True", "SucceededRescale", `the HPA controller was able to update the target scale to ${desired}`);
    this.event(hpa, "Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`);
    recordScale(hpa.spec?.behavior, memory, current, desired, this.deps.now());
    this.setStatus(sync, current, desired, statuses, true);
    this.writeStatus(sync);
  }

  private metricsContext(sync: Sync): MetricsContext {
    return {
      sync,
      store: this.deps.store,
      metrics: this.deps.metrics,
      selectors: this.selectors,
      now: this.deps.now(),
      event: (type, reason, message) => this.event(sync.hpa, type, reason, message),
      condition: (type, status, reason, message) => this.condition(sync, type, status, reason, message),
    };
  }

  /** setStatus: the status rebuilt in HorizontalPodAutoscalerStatus' field order (currentReplicas omitted at 0). */
  private setStatus(sync: Sync, current: number, desired: number, metrics: Obj[] | null, rescaled: boolean): void {
    const previous = sync.status;
    const status: Obj = {};
    const lastScaleTime = rescaled ? rfc3339(this.deps.now()) : previous.lastScaleTime;
    if (lastScaleTime !== undefined) status.lastScaleTime = lastScaleTime;
    if (current !== 0) status.currentReplicas = current;
    status.desiredReplicas = desired;
    status.currentMetrics = metrics;
    if (previous.conditions !== undefined) status.conditions = previous.conditions;
    sync.status = status;
  }

  /** updateStatusIfNeeded. */
  private writeStatus(sync: Sync): void {
    const stored = this.deps.store.get(this.hpaRt, sync.hpa.metadata.namespace, sync.hpa.metadata.name);
    if (!stored || deepEqual(stored.status ?? {}, sync.status)) return;
    const next = deepCopy(stored);
    next.status = sync.status;
    this.deps.registry.update(this.hpaRt, stored, next, { manager: MANAGER, subresource: "status", fieldValidation: "Strict" });
  }
}
