/**
 * What a rollout reports, as schemas (the bridge's contract is made from them): each customer's outcome and the
 * rollout's. The rollout itself is ../kube/rollout.ts.
 */
import { z } from "zod";
import { EnvironmentPhase } from "./status/index.js";

/**
 * What became of one customer: succeeded (its environment Ready), failed, up-to-date (no drift, skipped),
 * not-started (the rollout stopped first), cancelled.
 */
export const RolloutOutcome = z.enum(["succeeded", "failed", "up-to-date", "not-started", "cancelled"]);
export type RolloutOutcome = z.infer<typeof RolloutOutcome>;

export const RolloutCustomerResult = z.object({
  clientId: z.string(),
  outcome: RolloutOutcome,
  /** The environment's phase when its provisioning ended (absent: never started, or up to date). */
  phase: EnvironmentPhase.optional(),
  message: z.string(),
});
export type RolloutCustomerResult = z.infer<typeof RolloutCustomerResult>;

export const RolloutStatus = z.enum(["succeeded", "stopped", "cancelled"]);

export const RolloutResult = z.object({
  /** succeeded: every customer up to date or rolled out; stopped: the failure limit (or a failed canary) stopped it. */
  status: RolloutStatus,
  customers: z.array(RolloutCustomerResult),
});
export type RolloutResult = z.infer<typeof RolloutResult>;
