/**
 * The Kubernetes edge of the SDK: the typed client, its errors, rate limiting and retries, the executor and
 * its preflight, the per-customer lock, and secret read-back.
 */
export * from "./client.js";
export * from "./errors.js";
export * from "./rate-limit.js";
export * from "./retry.js";
export { systemClock } from "./clock.js";
export { applyPlan, customerLockKey, SPEC_HASH_ANNOTATION } from "./apply.js";
export { objectPath, storedForm } from "./apply-steps.js";
export type { ApplyEvent, ApplyOptions, ApplyResult, StepOutcome, StepResult } from "./apply.js";
export { preflight, planReferences } from "./preflight.js";
export type { PreflightProblem } from "./preflight.js";
export { KeyedLock, customerLocks } from "./lock.js";
export { resolveCustomerSecrets, SecretSource, SecretSources } from "./customer-secrets.js";
export { readEnvironmentStatus } from "./environment-status.js";
export * from "./watch.js";
export type { ResolvedCustomerSecrets } from "./customer-secrets.js";
