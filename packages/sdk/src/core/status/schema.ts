/**
 * The status contract: the phases, the reasons and the assessment, as zod schemas — the validator, the type
 * (`z.infer`, the same name) and, through the bridge, the OpenAPI document at once.
 */
import { z } from "zod";

/** The closed set of phases every assessed object, and the environment as a whole, is in (see phase.ts for their order). */
export const EnvironmentPhase = z.enum(["Pending", "Progressing", "Ready", "Degraded", "Failed"]);
export type EnvironmentPhase = z.infer<typeof EnvironmentPhase>;

/** Why one object (or the environment) is in its phase. One per assessed object. */
export const StatusReason = z.object({
  /** `Job`, `Deployment`, `Pod`, or `Environment` for facts about the whole (missing Deployment, timeout). */
  kind: z.string(),
  name: z.string(),
  phase: EnvironmentPhase,
  /** Machine-readable, CamelCase: Kubernetes' own reason where there is one (`BackoffLimitExceeded`, `CrashLoopBackOff`). */
  reason: z.string(),
  /** Human-readable detail, in Kubernetes' words where it has them (condition messages, kubectl's rollout texts). */
  message: z.string(),
  /** The container the reason is about. */
  container: z.string().optional(),
  /** The container's last log lines, oldest first, when the caller fetched them. */
  logs: z.array(z.string()).optional(),
  /** When the state began (RFC 3339), when the object says. */
  since: z.string().optional(),
});
export type StatusReason = z.infer<typeof StatusReason>;

/** The environment's phase (the fold of its objects'), why, and one line for the operator. */
export const EnvironmentAssessment = z.object({
  phase: EnvironmentPhase,
  /** One per assessed object (plus environment-level facts), most severe first: `reasons[0]` is the answer to "why". */
  reasons: z.array(StatusReason),
  /** Short Russian line for operators: "Готова: 1/1 подов", "Ошибка: задание … завершилось с ошибкой (BackoffLimitExceeded)". */
  summary: z.string(),
});
export type EnvironmentAssessment = z.infer<typeof EnvironmentAssessment>;
