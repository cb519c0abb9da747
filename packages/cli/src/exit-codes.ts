/**
 * What `sreda` exits with, by outcome — the same table in `sreda --help` and the README — and which errors map to
 * which code.
 */
import { isKubeError, SredaError, SredaValidationError, type ApplyResult, type Problem } from "@sreda/sdk";

export const EXIT_CODES = Object.freeze({
  /** Everything succeeded (for `status`: the environment is not Failed). */
  succeeded: 0,
  /**
   * A step, the pruning or the environment failed; the cluster could not be reached. `sreda drift`: drift found (as
   * `kubectl diff`); `sreda rollout`: it stopped, or a customer failed.
   */
  failed: 1,
  /** Bad input or usage: unknown flag, unreadable file, invalid input (with the field paths), kubeconfig problem. */
  usage: 2,
  /** Preflight failed: the namespace, an object the templates need, or a permission is missing; credentials refused. */
  preflightFailed: 3,
  /** Another operation holds the customer's lock (SredaError code LOCKED). */
  locked: 4,
  /** Cancelled: Ctrl+C (SIGINT) or SIGTERM, or a confirmation answered "no". */
  cancelled: 5,
});

/** The lines of the exit-code table, for the help. */
export const EXIT_CODE_HELP: readonly [number, string][] = [
  [EXIT_CODES.succeeded, "succeeded (status: the environment is not Failed)"],
  [EXIT_CODES.failed, "failed: a step, the pruning or the environment failed, or the cluster was unreachable; drift found; a rollout stopped or failed"],
  [EXIT_CODES.usage, "bad input or usage: flags, the input file (with the paths of invalid fields), kubeconfig"],
  [EXIT_CODES.preflightFailed, "preflight failed: namespace, required objects or permissions missing; credentials refused"],
  [EXIT_CODES.locked, "locked: another operation is running for this customer"],
  [EXIT_CODES.cancelled, "cancelled: Ctrl+C, SIGTERM, or the confirmation declined"],
];

/** Bad usage or input, found by the CLI itself: exit code 2. `problems` are listed one per line with their paths. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

/** The cluster refused before anything was done (namespace missing, credentials refused): exit code 3. */
export class PreflightError extends Error {
  override readonly name = "PreflightError";
}

/** SDK error codes that mean the input or the configuration is wrong, not the cluster. */
const USAGE_CODES = new Set([
  "INVALID_INPUT",
  "INVALID_CONFIG",
  "TEMPLATE_INVALID_JSON",
  "TEMPLATE_INVALID",
  "UNKNOWN_MACRO",
  "MISSING_MACRO_VALUE",
  "INVALID_MACRO_VALUE",
  "INVALID_MANIFEST",
  "INVALID_PLAN",
]);

/** The exit code for an error a command threw. */
export function exitCodeOf(error: unknown, signal: AbortSignal): number {
  if (signal.aborted) return EXIT_CODES.cancelled;
  if (error instanceof UsageError || error instanceof SredaValidationError) return EXIT_CODES.usage;
  if (error instanceof PreflightError) return EXIT_CODES.preflightFailed;
  if (error instanceof SredaError) {
    if (error.code === "LOCKED") return EXIT_CODES.locked;
    if (USAGE_CODES.has(error.code)) return EXIT_CODES.usage;
    if (isKubeError(error, "Unauthorized") || isKubeError(error, "Forbidden")) return EXIT_CODES.preflightFailed;
  }
  return EXIT_CODES.failed;
}

/** The exit code for a run's status (provisioning, suspend, resume, deprovision). */
export function exitCodeOfRun(status: ApplyResult["status"]): number {
  switch (status) {
    case "succeeded":
      return EXIT_CODES.succeeded;
    case "preflight-failed":
      return EXIT_CODES.preflightFailed;
    case "cancelled":
      return EXIT_CODES.cancelled;
    default:
      return EXIT_CODES.failed;
  }
}
