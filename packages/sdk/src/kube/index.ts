/**
 * The Kubernetes edge of the SDK: the typed client, its errors, the executor and its preflight, the per-customer
 * lock, secret read-back, the watcher and the one-shot status. The package entry (../index.ts) chooses from these.
 */
export { createKubeClient, KUBE_DEFAULT_BURST, KUBE_DEFAULT_QPS, KUBE_DEFAULT_TIMEOUT_MS, KUBE_DEFAULT_USER_AGENT } from "./client.js";
export type {
  KubeClient,
  KubeClientConfig,
  KubeRetryInfo,
  KubeListOptions,
  KubeWatchOptions,
  KubeLogsOptions,
  KubeAccessReviewAttributes,
  KubeMethod,
  KubeRequest,
  KubeResponse,
  KubeRulesReviewStatus,
} from "./client.js";
export { KubeStatusError, KubeNetworkError, isKubeError } from "./errors.js";
export type { KubeErrorReason, KubeErrorCause, KubeStatusErrorInit, KubeNetworkErrorInit } from "./errors.js";
export { KUBE_DEFAULT_MAX_RETRIES, KUBE_DEFAULT_BASE_DELAY_MS, KUBE_DEFAULT_MAX_DELAY_MS } from "./retry.js";
export { systemClock } from "./clock.js";
export { createNodeHttpsFetch } from "./https-fetch.js";
export type { BaseFetch } from "./https-fetch.js";
export { applyPlan } from "./apply.js";
export type { ApplyEvent, ApplyOptions, ApplyResult, StepOutcome, StepResult } from "./apply.js";
export { objectPath, storedForm, SPEC_HASH_ANNOTATION } from "./apply-steps.js";
export { listExistingObjects } from "./existing-objects.js";
export type { ExistingObjects, KindListing } from "./existing-objects.js";
export { pruneCandidates, findPruneCandidates } from "./prune.js";
export { diffPlan } from "./diff.js";
export { readInventory, MANAGED_BY_SELECTOR } from "./inventory.js";
export { detectDrift } from "./drift.js";
export { runRollout, RolloutControl } from "./rollout.js";
export type { RolloutOptions, RolloutEvent } from "./rollout.js";
export type { RoomEvent } from "./rollout-room.js";
export { readRoomShortage } from "./capacity.js";
export type { PruneCandidate, PruneResult } from "./prune.js";
export { preflight, planReferences } from "./preflight.js";
export type { PreflightOptions, PreflightProblem, PlanReference } from "./preflight.js";
export { KeyedLock, customerLocks, customerLockKey, withCustomerLock } from "./lock.js";
export type { CustomerLockOptions } from "./lock.js";
export type { LeaseTarget } from "./lease.js";
export { resolveCustomerSecrets, resolveFleetSecrets, SecretSource, SecretSources } from "./customer-secrets.js";
export type { ResolvedCustomerSecrets } from "./customer-secrets.js";
export { readEnvironmentStatus } from "./environment-status.js";
export { followEnvironment, DEFAULT_FOLLOW_TIMEOUT_MS } from "./follow-environment.js";
export type { FollowEnvironmentOptions } from "./follow-environment.js";
export { watchList, DEFAULT_POLL_INTERVAL_MS, DEFAULT_WATCH_TIMEOUT_SECONDS, DEFAULT_SILENT_WATCH_FALLBACK_MS } from "./reflector.js";
export type { WatchClient, WatchListOptions, ListSnapshot, KubeObject } from "./reflector.js";
export { LOG_TAIL_LINES } from "./logs.js";
