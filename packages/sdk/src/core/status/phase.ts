/**
 * The closed set of phases every assessed object, and the environment as a whole, is in — and the order in which
 * they fold. Argo CD (`gitops-engine/pkg/health`, `IsWorse`) and kstatus (`Current`/`InProgress`/`Failed`/
 * `Terminating`) both fold many objects into one status by a severity order; this is ours.
 */
import type { EnvironmentPhase, StatusReason } from "./schema.js";

// The types are the status schemas' (./schema.ts); re-exported here, where the other rules import them from.
export type { EnvironmentPhase, StatusReason };

/**
 * Least to most severe. The fold keeps the most severe phase, so:
 * - `Ready` is the identity: one object that is not ready is enough to make the environment not ready;
 * - `Suspended` is the environment's, never an object's (its Deployment scaled to zero on purpose, ../suspension.ts):
 *   above Ready, below anything that is still moving or broken;
 * - `Pending` (nothing has started: not scheduled, not created, not observed) ranks below `Progressing` (work is
 *   under way): while something is moving, "in progress" is the more useful answer, and an environment whose jobs
 *   run while its Deployment waits for them is progressing, not waiting;
 * - `Degraded` (was available, lost it — may recover) ranks below `Failed` (will not recover without an operator),
 *   like Argo CD's Degraded below its Missing/Unknown only in that Failed here is terminal.
 */
export const PHASES_BY_SEVERITY = ["Ready", "Suspended", "Pending", "Progressing", "Degraded", "Failed"] as const satisfies readonly EnvironmentPhase[];

/** Position in {@link PHASES_BY_SEVERITY}: higher is worse. */
export function phaseSeverity(phase: EnvironmentPhase): number {
  return PHASES_BY_SEVERITY.indexOf(phase);
}

/** The more severe of two phases (the fold's step). */
export function worsePhase(a: EnvironmentPhase, b: EnvironmentPhase): EnvironmentPhase {
  return phaseSeverity(b) > phaseSeverity(a) ? b : a;
}

/** Folds phases into the most severe one; an empty fold is `Ready` (the identity), so callers decide what "nothing" means. */
export function foldPhases(phases: Iterable<EnvironmentPhase>): EnvironmentPhase {
  let folded: EnvironmentPhase = "Ready";
  for (const phase of phases) folded = worsePhase(folded, phase);
  return folded;
}

/** Phases a follower stops at: `Ready` (done), `Suspended` (stopped on purpose) and `Failed` (will not get better by waiting). */
export function isFinalPhase(phase: EnvironmentPhase): boolean {
  return phase === "Ready" || phase === "Suspended" || phase === "Failed";
}
