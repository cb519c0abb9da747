/**
 * Deployment health: `kubectl rollout status` (`k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go`,
 * `DeploymentStatusViewer`) step by step, with kstatus' `deploymentConditions` for the conditions, plus one rule
 * of ours for Degraded. Messages are kubectl's, so an operator can match them with what kubectl prints.
 */
import type { Deployment } from "../kube-objects.js";
import { checkGeneric, findCondition, isTrue, withSince } from "./generic.js";
import type { StatusReason } from "./phase.js";

export function assessDeployment(deployment: Deployment): StatusReason {
  // Generic checks include kubectl's first one: generation > observedGeneration → "Waiting for deployment spec
  // update to be observed...".
  const generic = checkGeneric("Deployment", deployment);
  if (generic) return generic;

  // Decode: every count defaults to 0 as the API omits zeros; `spec.replicas` defaults to 1 as the API server does.
  const name = deployment.metadata?.name ?? "";
  const status = deployment.status ?? {};
  const desired = deployment.spec?.replicas ?? 1;
  const replicas = status.replicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const progressing = findCondition(status.conditions, "Progressing");
  const availableCondition = findCondition(status.conditions, "Available");
  const replicaFailure = findCondition(status.conditions, "ReplicaFailure");
  const reason = (phase: StatusReason["phase"], code: string, message: string, since?: string): StatusReason =>
    withSince({ kind: "Deployment", name, phase, reason: code, message }, since);

  // kubectl: Progressing reason ProgressDeadlineExceeded → error "deployment exceeded its progress deadline";
  // kstatus: Failed. The controller gave up after spec.progressDeadlineSeconds.
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return reason(
      "Failed",
      "ProgressDeadlineExceeded",
      `deployment "${name}" exceeded its progress deadline: ${progressing.message ?? ""}`.trim(),
      progressing.lastTransitionTime,
    );
  }

  // Scaled to zero is a deliberate state (our "suspend"): kubectl rollout status reports it rolled out, as all its
  // counts are 0; say why there are no pods.
  if (desired === 0 && replicas === 0) {
    return reason("Ready", "ScaledToZero", `deployment "${name}" is scaled to zero replicas (suspended)`);
  }

  // ReplicaFailure=True (FailedCreate: quota exceeded, admission denied) — pods cannot even be created. Degraded,
  // not Failed: the controller keeps retrying and the cause lies outside the Deployment (a quota can be raised); the
  // progress deadline turns it into Failed if nothing changes.
  if (isTrue(replicaFailure)) {
    return reason("Degraded", replicaFailure!.reason || "ReplicaFailure", replicaFailure!.message ?? "", replicaFailure!.lastTransitionTime);
  }

  // Our Degraded rule: the current ReplicaSet once completed its rollout (Progressing=True/NewReplicaSetAvailable:
  // the controller sets it only when every updated replica was available) and now Available=False while no
  // rollout is under way (updatedReplicas == replicas == spec.replicas). It had its pods, and lost them.
  if (
    progressing?.status === "True" &&
    progressing.reason === "NewReplicaSetAvailable" &&
    availableCondition?.status === "False" &&
    updated === desired &&
    replicas === desired
  ) {
    return reason(
      "Degraded",
      availableCondition.reason || "MinimumReplicasUnavailable",
      `deployment "${name}" lost availability: ${available} of ${desired} replicas available (${availableCondition.message ?? ""})`.trim(),
      availableCondition.lastTransitionTime,
    );
  }

  return rolloutProgress(name, { desired, replicas, updated, ready, available });
}

/** kubectl rollout status, in its order, once nothing above decided. */
function rolloutProgress(name: string, counts: { desired: number; replicas: number; updated: number; ready: number; available: number }): StatusReason {
  const { desired, replicas, updated, ready, available } = counts;
  const reason = (phase: StatusReason["phase"], code: string, message: string): StatusReason => ({ kind: "Deployment", name, phase, reason: code, message });
  if (updated < desired) {
    return reason(
      "Progressing",
      "RolloutInProgress",
      `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    );
  }
  if (replicas > updated) {
    return reason(
      "Progressing",
      "OldReplicasPendingTermination",
      `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    );
  }
  if (available < updated) {
    return reason(
      "Progressing",
      "ReplicasUnavailable",
      `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    );
  }
  return reason("Ready", "Available", `deployment "${name}" successfully rolled out: ${ready}/${desired} replicas ready`);
}
