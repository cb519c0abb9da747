/**
 * PodDisruptionBudget health. A budget never makes the environment unavailable — it only decides whether voluntary
 * evictions (a node drain) may take pods — so it is Ready or, once the disruption controller observed it, Ready with
 * a warning when it blocks every eviction although every pod is healthy: such a budget stalls every node drain of
 * the cluster until an operator steps in. Argo CD has no rule for PDBs; the counts and reasons are the disruption
 * controller's (`k8s.io/kubernetes/pkg/controller/disruption`).
 */
import type { PodDisruptionBudget } from "../kube-objects.js";
import { checkGeneric, findCondition, withSince } from "./generic.js";
import type { StatusReason } from "./phase.js";

const KIND = "PodDisruptionBudget";

export function assessDisruptionBudget(pdb: PodDisruptionBudget): StatusReason {
  // Includes observedGeneration < generation: the counts are about an older spec.
  const generic = checkGeneric(KIND, pdb);
  if (generic) return generic;

  const name = pdb.metadata?.name ?? "";
  const status: Partial<NonNullable<PodDisruptionBudget["status"]>> = pdb.status ?? {};
  const condition = findCondition(status.conditions, "DisruptionAllowed");
  // Counts default to 0 as the API omits zeros.
  const allowed = status.disruptionsAllowed ?? 0;
  const expected = status.expectedPods ?? 0;
  const healthy = status.currentHealthy ?? 0;
  const required = status.desiredHealthy ?? 0;
  const counts = `${allowed} disruptions allowed: ${healthy} healthy of ${expected} expected, ${required} required`;
  const reason = (code: string, message: string, warning = false): StatusReason =>
    withSince({ kind: KIND, name, phase: "Ready", reason: code, message, ...(warning ? { warning } : {}) }, condition?.lastTransitionTime);

  // SyncFailed: the controller could not compute the budget (e.g. "found no controllers for pod …": a bare pod with
  // the application's labels) and failed safe to 0 allowed, so every eviction is refused. Checked first: a failure
  // at the first sync leaves observedGeneration unset.
  if (condition?.status === "False" && condition.reason === "SyncFailed") {
    return reason("SyncFailed", `${condition.message || "the disruption controller could not compute the budget"} (${counts})`, true);
  }

  // The API server stores a new budget with a zeroed status and no observedGeneration; the controller's first sync
  // sets it. Until then `disruptionsAllowed: 0` means nothing.
  if (status.observedGeneration === undefined && !condition) {
    return {
      kind: KIND,
      name,
      phase: "Progressing",
      reason: "LatestGenerationNotObserved",
      message: "PodDisruptionBudget status not observed yet: waiting for the disruption controller",
    };
  }

  // All pods healthy and still none may go: minAvailable equal to the replicas (or 1 of 1), maxUnavailable 0. While
  // pods are unhealthy, 0 allowed is the budget doing its job and the Deployment's own rule tells why: no warning.
  if (allowed === 0 && expected > 0 && healthy >= expected) {
    return reason("NoDisruptionsAllowed", `${counts}; every eviction (a node drain included) is refused`, true);
  }

  return reason(condition?.reason || (allowed > 0 ? "SufficientPods" : "InsufficientPods"), counts);
}
