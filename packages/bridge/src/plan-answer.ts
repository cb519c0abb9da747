/**
 * The answer of a dry run without a cluster, as JSON text: the plan built with the supplied secrets (placeholders for
 * the rest) and redacted. One function for both places it runs: in the request's thread, or in a plan worker.
 */
import { createProvisioningPlan, redactPlan, SredaValidationError, type Problem } from "@sreda/sdk";
import type { PlanRequest } from "./schemas.js";
import { provisioningInput, withPlaceholders } from "./secrets.js";

/** The request without what only a diff needs. */
export type DryRun = Omit<PlanRequest, "diff" | "cluster">;

export function dryRunAnswer(request: DryRun): string {
  const { secrets, sources } = withPlaceholders(request.secrets);
  const plan = createProvisioningPlan(provisioningInput(request, secrets));
  return JSON.stringify({ plan: redactPlan(plan), secretSources: sources });
}

/** A dry run sent to a plan worker. */
export interface PlanTask {
  id: number;
  request: DryRun;
}

/** A worker's answer: the JSON bytes, or the failure as the main thread turns it into an HTTP error. */
export type PlanTaskResult =
  | { id: number; body: Uint8Array }
  | { id: number; problems: Problem[] }
  | { id: number; failure: { name: string; message: string; stack?: string | undefined } };

/** What a dry run threw, as a worker can send it: bad input keeps its problems, anything else is our fault. */
export function taskFailure(id: number, error: unknown): PlanTaskResult {
  if (error instanceof SredaValidationError) return { id, problems: error.problems };
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
  return { id, failure: { name, message, stack } };
}
