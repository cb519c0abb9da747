/**
 * Status assessment: Kubernetes objects → phase + reasons. One pure function per kind, folded by severity.
 */
export { assessEnvironment, describeReason } from "./assess-environment.js";
export type { EnvironmentSnapshot } from "./assess-environment.js";
export { EnvironmentAssessment, EnvironmentPhase, StatusReason } from "./schema.js";
export { assessJob } from "./job.js";
export { assessDeployment } from "./deployment.js";
export { assessAutoscaler } from "./autoscaler.js";
export { assessDisruptionBudget } from "./disruption-budget.js";
export { assessPod, FATAL_WAITING_REASONS, IMAGE_PULL_WAITING_REASONS } from "./pod.js";
export { PHASES_BY_SEVERITY, foldPhases, isFinalPhase, phaseSeverity, worsePhase } from "./phase.js";
export {
  DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_ATTEMPTS,
  DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_MS,
  DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS,
} from "./context.js";
export type { ContainerLogs, JobContext, PodContext } from "./context.js";
