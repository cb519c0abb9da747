/**
 * Checks every kind goes through before its own rule, in kstatus' fixed order (`pkg/kstatus/status/core.go`,
 * `checkGenericProperties`): being deleted, then the latest generation not yet observed, then the standard
 * `Reconciling`/`Stalled` conditions. The first that applies decides; none applying lets the kind's rule speak.
 */
import type { ObjectMeta } from "../kube-objects.js";
import type { StatusReason } from "./phase.js";

/** The few fields the generic checks read; every Kubernetes object has this shape. */
interface KubeObjectLike {
  metadata?: ObjectMeta;
  status?: { observedGeneration?: number; conditions?: readonly ConditionLike[] };
}

interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export function checkGeneric(kind: string, object: KubeObjectLike): StatusReason | undefined {
  const name = object.metadata?.name ?? "";

  // kstatus: `deletionTimestamp` set → Terminating. We have no such phase; a terminating object is still changing.
  const deletion = object.metadata?.deletionTimestamp;
  if (deletion) {
    return { kind, name, phase: "Progressing", reason: "Terminating", message: `${kind} is being deleted`, since: deletion };
  }

  // kstatus: metadata.generation ≠ status.observedGeneration → InProgress "LatestGenerationNotObserved". Only when
  // the status has the field at all (Jobs do not; Pods have it since 1.33): absent means "cannot check".
  const generation = object.metadata?.generation;
  const observed = object.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return {
      kind,
      name,
      phase: "Progressing",
      reason: "LatestGenerationNotObserved",
      message: `${kind} generation is ${generation}, but latest observed generation is ${observed}: waiting for the controller to observe`,
    };
  }

  // kstatus' standard conditions (KEP "abnormal-true" convention): Stalled=True → Failed, Reconciling=True →
  // InProgress. Built-in kinds do not set them; anything that follows the convention is covered for free.
  const stalled = findCondition(object.status?.conditions, "Stalled");
  if (stalled?.status === "True") return fromCondition(kind, name, "Failed", stalled);
  const reconciling = findCondition(object.status?.conditions, "Reconciling");
  if (reconciling?.status === "True") return fromCondition(kind, name, "Progressing", reconciling);

  return undefined;
}

export function findCondition<C extends ConditionLike>(conditions: readonly C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(condition: ConditionLike | undefined): boolean {
  return condition?.status === "True";
}

function fromCondition(kind: string, name: string, phase: StatusReason["phase"], c: ConditionLike): StatusReason {
  return withSince({ kind, name, phase, reason: c.reason || c.type, message: c.message ?? "" }, c.lastTransitionTime);
}

/** Adds `since` only when there is a time, so results compare cleanly with `toEqual`. */
export function withSince(reason: StatusReason, since: string | undefined | null): StatusReason {
  return since ? { ...reason, since } : reason;
}
