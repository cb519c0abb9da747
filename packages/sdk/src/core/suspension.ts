/**
 * Suspension, as the Deployment carries it: scaled to zero with the replicas it had kept in an annotation, so a
 * resume after a restart of whoever suspended it (a bridge, a CLI) still knows what to go back to. Pure.
 */
import type { Deployment } from "./kube-objects.js";

/** The Deployment's replicas before the suspension, as a decimal string; present only while suspended. */
export const SUSPENDED_REPLICAS_ANNOTATION = "sreda.io/suspended-replicas";

/** The replicas the Deployment had before it was suspended, or undefined when it is not suspended. */
export function suspendedReplicas(deployment: Pick<Deployment, "metadata"> | null | undefined): number | undefined {
  const value = deployment?.metadata?.annotations?.[SUSPENDED_REPLICAS_ANNOTATION];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Suspended: the annotation says so and the Deployment asks for no pods. */
export function isSuspended(deployment: Pick<Deployment, "metadata" | "spec"> | null | undefined): boolean {
  return suspendedReplicas(deployment) !== undefined && deployment?.spec?.replicas === 0;
}
