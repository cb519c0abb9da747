/**
 * HorizontalPodAutoscaler and PodDisruptionBudget of customer C42 as a 1.35 API server returns them (`kubectl get
 * -o json`): the plan's bodies (packages/templates: lms-autoscaler, lms-disruption-budget) with the server's defaults
 * (the autoscaling/v2 `behavior`) and the status the HPA and disruption controllers write, one per scenario. Kept
 * as objects rather than JSON files: each scenario differs from the base only in its status.
 */
import type { HorizontalPodAutoscaler, PodDisruptionBudget } from "../../src/core/kube-objects.js";

const LABELS = {
  "app.kubernetes.io/component": "backend",
  "app.kubernetes.io/instance": "c42",
  "app.kubernetes.io/managed-by": "sreda",
  "app.kubernetes.io/name": "lms",
  "sreda.io/client-id": "C42",
};

/** The message the HPA controller writes when the cluster has no metrics-server (real, from a 1.35 cluster). */
export const NO_METRICS_API_MESSAGE =
  "the HPA was unable to compute the replica count: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";

type HpaStatus = NonNullable<HorizontalPodAutoscaler["status"]>;
type HpaCondition = NonNullable<HpaStatus["conditions"]>[number];

const ABLE_TO_SCALE: HpaCondition = {
  lastTransitionTime: "2026-03-10T09:16:30Z",
  message: "recommended size matches current size",
  reason: "ReadyForNewScale",
  status: "True",
  type: "AbleToScale",
};
const SUCCEEDED_GET_SCALE: HpaCondition = {
  lastTransitionTime: "2026-03-10T09:16:30Z",
  message: "the HPA controller was able to get the target's current scale",
  reason: "SucceededGetScale",
  status: "True",
  type: "AbleToScale",
};
const VALID_METRIC: HpaCondition = {
  lastTransitionTime: "2026-03-10T09:17:15Z",
  message: "the HPA was able to successfully calculate a replica count from memory resource utilization (percentage of request)",
  reason: "ValidMetricFound",
  status: "True",
  type: "ScalingActive",
};
const WITHIN_RANGE: HpaCondition = {
  lastTransitionTime: "2026-03-10T09:17:15Z",
  message: "the desired count is within the acceptable range",
  reason: "DesiredWithinRange",
  status: "False",
  type: "ScalingLimited",
};
const METRICS: HpaStatus["currentMetrics"] = [
  { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 4, averageValue: "11m" } } },
  { type: "Resource", resource: { name: "memory", current: { averageUtilization: 43, averageValue: "115343360" } } },
];

const HPA_STATUSES: Record<string, HpaStatus> = {
  // Created, not synced by the controller yet: only the required field.
  "not-observed": { desiredReplicas: 0 },
  healthy: { conditions: [ABLE_TO_SCALE, VALID_METRIC, WITHIN_RANGE], currentMetrics: METRICS, currentReplicas: 2, desiredReplicas: 2 },
  "at-max-replicas": {
    conditions: [
      ABLE_TO_SCALE,
      { ...VALID_METRIC, message: VALID_METRIC.message!.replace("memory", "cpu") },
      {
        lastTransitionTime: "2026-03-10T10:02:45Z",
        message: "the desired replica count is more than the maximum replica count",
        reason: "TooManyReplicas",
        status: "True",
        type: "ScalingLimited",
      },
    ],
    currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 186, averageValue: "466m" } } }, METRICS[1]!],
    currentReplicas: 4,
    desiredReplicas: 4,
    lastScaleTime: "2026-03-10T10:01:30Z",
  },
  // No metrics-server: the metric types stay empty, kubectl shows <unknown>.
  "no-metrics-api": {
    conditions: [
      SUCCEEDED_GET_SCALE,
      {
        lastTransitionTime: "2026-03-10T09:16:30Z",
        message: NO_METRICS_API_MESSAGE,
        reason: "FailedGetResourceMetric",
        status: "False",
        type: "ScalingActive",
      },
    ],
    currentMetrics: [{ type: "" }, { type: "" }],
    currentReplicas: 2,
    desiredReplicas: 0,
  },
  // The Deployment suspended (spec.replicas 0).
  "scaling-disabled": {
    conditions: [
      SUCCEEDED_GET_SCALE,
      {
        lastTransitionTime: "2026-03-10T09:40:15Z",
        message: "scaling is disabled since the replica count of the target is zero",
        reason: "ScalingDisabled",
        status: "False",
        type: "ScalingActive",
      },
      WITHIN_RANGE,
    ],
    currentMetrics: METRICS,
    desiredReplicas: 0,
  },
  "failed-get-scale": {
    conditions: [
      {
        lastTransitionTime: "2026-03-10T09:16:30Z",
        message: 'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "lms-deployment-c42" not found',
        reason: "FailedGetScale",
        status: "False",
        type: "AbleToScale",
      },
    ],
    desiredReplicas: 0,
  },
  "failed-update-scale": {
    conditions: [
      {
        lastTransitionTime: "2026-03-10T10:01:30Z",
        message:
          'the HPA controller was unable to update the target scale: Operation cannot be fulfilled on deployments.apps "lms-deployment-c42": the object has been modified; please apply your changes to the latest version and try again',
        reason: "FailedUpdateScale",
        status: "False",
        type: "AbleToScale",
      },
      VALID_METRIC,
      WITHIN_RANGE,
    ],
    currentMetrics: METRICS,
    currentReplicas: 2,
    desiredReplicas: 3,
  },
};

/** The autoscaler `lms-autoscaler-c42` in the state of `scenario` (see HPA_STATUSES); `terminating` adds a deletion. */
export function autoscaler(scenario: string): HorizontalPodAutoscaler {
  const terminating = scenario === "terminating";
  const status = HPA_STATUSES[terminating ? "healthy" : scenario];
  if (!status) throw new Error(`no autoscaler scenario ${scenario}`);
  return structuredClone({
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: {
      creationTimestamp: "2026-03-10T09:16:15Z",
      labels: LABELS,
      name: "lms-autoscaler-c42",
      namespace: "lms-dev",
      resourceVersion: "48213977",
      uid: "b3f1e6a2-4c7d-4f58-9a0e-6d2c8b1f7e45",
      ...(terminating ? { deletionTimestamp: "2026-03-10T11:00:00Z", deletionGracePeriodSeconds: 0, finalizers: ["foregroundDeletion"] } : {}),
    },
    spec: {
      behavior: {
        scaleDown: { policies: [{ periodSeconds: 15, type: "Percent", value: 100 }], selectPolicy: "Max" },
        scaleUp: {
          policies: [
            { periodSeconds: 15, type: "Pods", value: 4 },
            { periodSeconds: 15, type: "Percent", value: 100 },
          ],
          selectPolicy: "Max",
          stabilizationWindowSeconds: 0,
        },
      },
      maxReplicas: 4,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
      ],
      minReplicas: 1,
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "lms-deployment-c42" },
    },
    status,
  });
}

type PdbStatus = NonNullable<PodDisruptionBudget["status"]>;

const allowedCondition = (allowed: boolean, since: string, observedGeneration = 1): NonNullable<PdbStatus["conditions"]>[number] => ({
  lastTransitionTime: since,
  message: "",
  observedGeneration,
  reason: allowed ? "SufficientPods" : "InsufficientPods",
  status: allowed ? "True" : "False",
  type: "DisruptionAllowed",
});

/** Spec and status per scenario: the budget's setting and what the disruption controller computed from it. */
const PDB_SCENARIOS: Record<string, { spec: Record<string, number>; status: PdbStatus; generation?: number }> = {
  // Created, not synced yet: the server's zeroed status.
  "not-observed": { spec: { maxUnavailable: 1 }, status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 } },
  "two-replicas": {
    spec: { maxUnavailable: 1 },
    status: {
      conditions: [allowedCondition(true, "2026-03-10T09:17:05Z")],
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      expectedPods: 2,
      observedGeneration: 1,
    },
  },
  // The default: maxUnavailable 1 lets the one pod go.
  "one-replica": {
    spec: { maxUnavailable: 1 },
    status: {
      conditions: [allowedCondition(true, "2026-03-10T09:16:20Z")],
      currentHealthy: 1,
      desiredHealthy: 0,
      disruptionsAllowed: 1,
      expectedPods: 1,
      observedGeneration: 1,
    },
  },
  // minAvailable 1 of 1 replica: never any disruption.
  "min-available-one-of-one": {
    spec: { minAvailable: 1 },
    status: {
      conditions: [allowedCondition(false, "2026-03-10T09:16:12Z")],
      currentHealthy: 1,
      desiredHealthy: 1,
      disruptionsAllowed: 0,
      expectedPods: 1,
      observedGeneration: 1,
    },
  },
  "max-unavailable-zero": {
    spec: { maxUnavailable: 0 },
    status: {
      conditions: [allowedCondition(false, "2026-03-10T09:16:12Z")],
      currentHealthy: 2,
      desiredHealthy: 2,
      disruptionsAllowed: 0,
      expectedPods: 2,
      observedGeneration: 1,
    },
  },
  // One of two pods not ready (a rollout, a crash): the budget holds the other, as it should.
  "pods-unhealthy": {
    spec: { maxUnavailable: 1 },
    status: {
      conditions: [allowedCondition(false, "2026-03-10T09:41:40Z")],
      currentHealthy: 1,
      desiredHealthy: 1,
      disruptionsAllowed: 0,
      expectedPods: 2,
      observedGeneration: 1,
    },
  },
  // The Deployment suspended: no pods to protect.
  "no-pods": {
    spec: { maxUnavailable: 1 },
    status: {
      conditions: [allowedCondition(false, "2026-03-10T09:40:05Z")],
      currentHealthy: 0,
      desiredHealthy: 0,
      disruptionsAllowed: 0,
      expectedPods: 0,
      observedGeneration: 1,
    },
  },
  // A bare debug pod with the application's labels: maxUnavailable needs every pod's controller.
  "sync-failed": {
    spec: { maxUnavailable: 1 },
    status: {
      conditions: [
        {
          lastTransitionTime: "2026-03-10T10:12:31Z",
          message: 'found no controllers for pod "lms-debug-c42"',
          observedGeneration: 1,
          reason: "SyncFailed",
          status: "False",
          type: "DisruptionAllowed",
        },
      ],
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 0,
      expectedPods: 2,
      observedGeneration: 1,
    },
  },
  // maxUnavailable changed 1 → 0, the controller has not recomputed: the old counts still say 1 allowed.
  "stale-generation": {
    spec: { maxUnavailable: 0 },
    generation: 2,
    status: {
      conditions: [allowedCondition(true, "2026-03-10T09:17:05Z")],
      currentHealthy: 2,
      desiredHealthy: 1,
      disruptionsAllowed: 1,
      expectedPods: 2,
      observedGeneration: 1,
    },
  },
};

/** The budget `lms-disruption-budget-c42` in the state of `scenario` (see PDB_SCENARIOS). */
export function disruptionBudget(scenario: string): PodDisruptionBudget {
  const s = PDB_SCENARIOS[scenario];
  if (!s) throw new Error(`no disruption budget scenario ${scenario}`);
  return structuredClone({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: {
      creationTimestamp: "2026-03-10T09:16:16Z",
      generation: s.generation ?? 1,
      labels: LABELS,
      name: "lms-disruption-budget-c42",
      namespace: "lms-dev",
      resourceVersion: "48213981",
      uid: "0c8e2f47-9d3a-4b16-8e5f-3a7b1d6c9f20",
    },
    spec: { ...s.spec, selector: { matchLabels: { app: "C42-lms" } } },
    status: s.status,
  });
}
