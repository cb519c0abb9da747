/**
 * The status contract: the phases, the reasons and the assessment, as zod schemas — the validator, the type
 * (`z.infer`, the same name) and, through the bridge, the OpenAPI document at once.
 */
import { z } from "zod";

/** The closed set of phases every assessed object, and the environment as a whole, is in (see phase.ts for their order). */
export const EnvironmentPhase = z.enum(["Pending", "Progressing", "Ready", "Suspended", "Degraded", "Failed"]);
export type EnvironmentPhase = z.infer<typeof EnvironmentPhase>;

/** Why one object (or the environment) is in its phase. One per assessed object. */
export const StatusReason = z.object({
  /**
   * `Job`, `Deployment`, `Pod`, `HorizontalPodAutoscaler`, `PodDisruptionBudget`, or `Environment` for facts about
   * the whole (missing Deployment, timeout).
   */
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
  /**
   * `true` on a `Ready` reason the operator should still read: the object does not hold the environment back, but
   * something about it is wrong (an autoscaler without metrics, a disruption budget that blocks every node drain).
   * Absent otherwise (never `false`). Every such reason is also listed in the assessment's `warnings`.
   */
  warning: z.boolean().optional(),
});
export type StatusReason = z.infer<typeof StatusReason>;

/** The environment's phase (the fold of its objects'), why, and one line for the operator. */
export const EnvironmentAssessment = z.object({
  phase: EnvironmentPhase,
  /** One per assessed object (plus environment-level facts), most severe first: `reasons[0]` is the answer to "why". */
  reasons: z.array(StatusReason),
  /**
   * The reasons marked `warning: true`, in the order of `reasons` (the same objects, so still one reason per object):
   * what works but needs the operator — `HorizontalPodAutoscaler` with `ScalingActive=False` (`FailedGetResourceMetric`
   * and the like), `PodDisruptionBudget` allowing no disruption with every pod healthy (`NoDisruptionsAllowed`,
   * `SyncFailed`). They never change `phase` (a warning is `Ready`); `summary` names them when the phase is `Ready`.
   * Always present, empty when there are none.
   */
  warnings: z.array(StatusReason),
  /**
   * Short Russian line for operators: "Готова: 1/1 подов", "Ошибка: задание … завершилось с ошибкой (BackoffLimitExceeded)",
   * "Готова: 2/2 подов; предупреждение: автомасштабирование … не работает (FailedGetResourceMetric)".
   */
  summary: z.string(),
});
export type EnvironmentAssessment = z.infer<typeof EnvironmentAssessment>;
