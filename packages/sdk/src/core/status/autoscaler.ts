/**
 * HorizontalPodAutoscaler health: Argo CD's rule (`gitops-engine/pkg/health/health_hpa.go`) on the three conditions
 * the HPA controller writes on every sync (`k8s.io/kubernetes/pkg/controller/podautoscaler/horizontal.go`), adapted
 * to our phases. The autoscaler never holds the environment back on its own account except when it cannot touch
 * the Deployment at all: a Deployment that serves at its current replica count is a working environment.
 */
import type { HorizontalPodAutoscaler } from "../kube-objects.js";
import { checkGeneric, findCondition, withSince } from "./generic.js";
import type { StatusReason } from "./phase.js";

const KIND = "HorizontalPodAutoscaler";

type HpaCondition = NonNullable<NonNullable<HorizontalPodAutoscaler["status"]>["conditions"]>[number];

export function assessAutoscaler(hpa: HorizontalPodAutoscaler): StatusReason {
  const generic = checkGeneric(KIND, hpa);
  if (generic) return generic;

  const name = hpa.metadata?.name ?? "";
  const conditions = hpa.status?.conditions;
  const able = findCondition(conditions, "AbleToScale");
  const active = findCondition(conditions, "ScalingActive");
  const limited = findCondition(conditions, "ScalingLimited");
  const fromCondition = (phase: StatusReason["phase"], c: HpaCondition, warning = false): StatusReason =>
    withSince({ kind: KIND, name, phase, reason: c.reason || c.type, message: c.message ?? "", ...(warning ? { warning } : {}) }, c.lastTransitionTime);

  // Not yet observed: the controller sets AbleToScale first on every sync (it syncs each HPA every 15 s), so none
  // means it has not synced this one yet. Argo CD: Progressing, "Waiting to Autoscale".
  if (!able) {
    return {
      kind: KIND,
      name,
      phase: "Progressing",
      reason: "LatestGenerationNotObserved",
      message: "Waiting to Autoscale: the HPA controller has not reported on the autoscaler yet",
    };
  }

  // AbleToScale=False is FailedGetScale (the target's scale subresource cannot be read: a wrong scaleTargetRef, the
  // Deployment missing) or FailedUpdateScale (the new replica count was refused) — the only reasons the controller
  // sets with False, and both are in Argo CD's Degraded list. Degraded, not a warning: the autoscaler cannot act on
  // the Deployment at all. Not Failed: the controller retries every sync, and an HPA applied just before its
  // Deployment clears by itself at the next one.
  if (able.status === "False") return fromCondition("Degraded", able);

  // ScalingActive=False: no replica count could be computed (FailedGetResourceMetric — no metrics-server, no CPU
  // request —, FailedGet*Metric, InvalidSelector, InvalidMetricSourceType…). Argo CD lists some of these as Degraded,
  // though its first-match walk over the conditions reaches them only when AbleToScale is absent; we deliberately
  // say Ready with a warning: the Deployment keeps serving at its current replica count, only scaling is off.
  // ScalingDisabled ("the replica count of the target is zero") is our suspend — the Deployment already says so
  // (ScaledToZero) — and Argo CD calls it Healthy: no warning.
  if (active?.status === "False") return fromCondition("Ready", active, active.reason !== "ScalingDisabled");

  // ScalingLimited=True (TooManyReplicas, TooFewReplicas, ScaleUpLimit…) is the autoscaler doing its job within its
  // bounds; Argo CD: Healthy. Reported as the reason since it is the most telling condition then.
  if (limited?.status === "True") return fromCondition("Ready", limited);
  return fromCondition("Ready", active ?? able);
}
