/**
 * @sreda/sdk — everything Sreda knows about a customer's environment, as a library. The public surface is this
 * list, chosen and grouped by purpose (nothing is re-exported wholesale): the pure core first, then the Kubernetes
 * edge. The fake cluster is `@sreda/sdk/testing`.
 */

// Models: what 1C sends, validated (the zod schema is the type and the validator).
export {
  ApiRootUrl,
  ContactPerson,
  ContainerResources,
  Customer,
  CustomerId,
  CustomerSecrets,
  DatabaseAccess,
  Email,
  EnvironmentSettings,
  NetworkPolicySettings,
  NetworkPeerSettings,
  AutoscalingSettings,
  DisruptionBudgetSettings,
  PodLabels,
  Cidr,
  EnvironmentVariable,
  Host,
  Namespace,
  Phone,
  ProvisioningInput,
  Quantity,
  SAFE_PASSWORD_ALPHABET,
} from "./core/models.js";
export type { ProvisioningInputData } from "./core/models.js";
export { LIMITS, bounded, boundedArray, multiLine, requiredLine, singleLine } from "./core/text.js";
export { SredaError, SredaValidationError, formatPath } from "./core/errors.js";
export type { Problem, SredaErrorCode } from "./core/errors.js";

// Templates and macros.
export { templates, getTemplate, RequestTemplate, TemplateId, defaultMacroValues } from "@sreda/templates";
export { macroCatalog, getMacro, secretMacroNames, resolveMacroValues, MacroDefinition, MacroSource } from "./core/macros.js";

// Rendering and validation against the official Kubernetes 1.35 schema.
export { renderTemplate, renderText, parseTemplateJson, RenderedRequest } from "./core/render.js";
export type { MacroValues, RenderResult } from "./core/render.js";
export { validateManifest, isKnownKind } from "./core/validate.js";
export type { ManifestProblem } from "./core/validate.js";
export { KINDS, kindInfo, apiVersionOfKind, collectionPath } from "./core/kinds.js";
export { ObjectDiff } from "./core/diff.js";
export type { KindInfo } from "./core/kinds.js";

// Secrets, plans and what a customer's environment consists of.
export { generateCustomerSecrets, generatePassword, generateRsaPrivateKeyPem, cryptoRandom, seededRandom } from "./core/secrets.js";
export type { RandomSource, GenerateCustomerSecretsOptions } from "./core/secrets.js";
export { createProvisioningPlan, redactPlan, REDACTED, VARIABLE_TARGETS, CONFIG_HASH_ANNOTATION, ProvisioningPlan, PlanStep, PlanQuery } from "./core/plan.js";
export {
  describeEnvironment,
  objectNames,
  labelSelectorString,
  EnvironmentDescription,
  EnvironmentObject,
  OwnedKind,
  SecretLocation,
  CUSTOMER_LABEL,
} from "./core/environment.js";
export type { EnvironmentRef, GeneratedSecretField } from "./core/environment.js";
export type { GeneratedSecretMacro } from "./core/macros.js";
export { referencedObjects, podSpecOf } from "./core/references.js";
export type { ObjectReference, Manifest } from "./core/references.js";

// Status: one pure function per kind, folded into the environment's phase.
export {
  assessEnvironment,
  describeReason,
  assessJob,
  assessDeployment,
  assessAutoscaler,
  assessDisruptionBudget,
  assessPod,
  isFinalPhase,
  worsePhase,
  PHASES_BY_SEVERITY,
} from "./core/status/index.js";
export { EnvironmentAssessment, EnvironmentPhase, StatusReason } from "./core/status/index.js";
export {
  DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_ATTEMPTS,
  DEFAULT_IMAGE_PULL_FAILURE_THRESHOLD_MS,
  DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS,
} from "./core/status/index.js";
export type { EnvironmentSnapshot, ContainerLogs, JobContext, PodContext } from "./core/status/index.js";

// Kubernetes objects as the official OpenAPI documents describe them.
export type { Clock } from "./core/clock.js";
export type {
  ConfigMap,
  ContainerStatus,
  Deployment,
  Event,
  HorizontalPodAutoscaler,
  Ingress,
  Job,
  Namespace as NamespaceObject,
  ObjectMeta,
  Pod,
  PodDisruptionBudget,
  PodList,
  ReplicaSet,
  Secret,
  Service,
  Status,
  StatusCause,
  WatchEvent,
  WatchEventType,
} from "./core/kube-objects.js";
export type { paths as KubeApiPaths, components as KubeApiComponents, operations as KubeApiOperations } from "./generated/kube-api.js";

// The Kubernetes edge: the client, its errors and limits.
export { createKubeClient, KUBE_DEFAULT_BURST, KUBE_DEFAULT_QPS, KUBE_DEFAULT_TIMEOUT_MS, KUBE_DEFAULT_USER_AGENT } from "./kube/index.js";
export type {
  KubeClient,
  KubeClientConfig,
  KubeRetryInfo,
  KubeListOptions,
  KubeWatchOptions,
  KubeLogsOptions,
  KubeAccessReviewAttributes,
} from "./kube/index.js";
export { KubeStatusError, KubeNetworkError, isKubeError } from "./kube/index.js";
export type { KubeErrorReason, KubeErrorCause, KubeStatusErrorInit, KubeNetworkErrorInit } from "./kube/index.js";
export { KUBE_DEFAULT_MAX_RETRIES, KUBE_DEFAULT_BASE_DELAY_MS, KUBE_DEFAULT_MAX_DELAY_MS } from "./kube/index.js";
export { systemClock, createNodeHttpsFetch } from "./kube/index.js";

// The executor, its preflight and the per-customer lock.
export { applyPlan, customerLockKey, SPEC_HASH_ANNOTATION, objectPath, storedForm, preflight, planReferences, KeyedLock, customerLocks } from "./kube/index.js";
export type { ApplyEvent, ApplyOptions, ApplyResult, StepOutcome, StepResult, PreflightOptions, PreflightProblem, PlanReference } from "./kube/index.js";
export { listExistingObjects, pruneCandidates, findPruneCandidates, diffPlan } from "./kube/index.js";
export type { ExistingObjects, KindListing, PruneCandidate, PruneResult } from "./kube/index.js";

// A customer's life after provisioning: suspend, resume, deprovision.
export { suspendEnvironment, resumeEnvironment } from "./kube/lifecycle.js";
export { withCustomerLock } from "./kube/index.js";
export type { CustomerLockOptions, LeaseTarget } from "./kube/index.js";
export type { LifecycleOptions } from "./kube/lifecycle.js";
export { deprovisionEnvironment, findCustomerObjects } from "./kube/deprovision.js";
export type { DeprovisionOptions, CustomerObject } from "./kube/deprovision.js";
export { createDeprovisioningPlan, DeprovisioningPlan } from "./core/deprovision-plan.js";
export type { DeprovisioningOptions } from "./core/deprovision-plan.js";
export { SUSPENDED_REPLICAS_ANNOTATION, isSuspended, suspendedReplicas } from "./core/suspension.js";

// The fleet: every customer of a namespace at a glance, and drift from what 1C holds.
export { buildInventory, Inventory, InventoryEntry } from "./core/inventory.js";
export type { FleetObjects } from "./core/inventory.js";
export { readInventory, MANAGED_BY_SELECTOR, detectDrift, runRollout, RolloutControl, readRoomShortage, resolveFleetSecrets } from "./kube/index.js";
export type { RolloutOptions, RolloutEvent, RoomEvent } from "./kube/index.js";
export { CustomerDrift } from "./core/diff.js";
export { FleetInput, FleetCustomer, fleetShape, customerInput, repeatedCustomers, MAX_FLEET_CUSTOMERS } from "./core/fleet.js";
export { RolloutOutcome, RolloutCustomerResult, RolloutResult, RolloutStatus } from "./core/rollout.js";
export { roomShortage } from "./core/capacity.js";
export type { RoomShortage } from "./core/capacity.js";

// Secrets read back, the watcher and the one-shot status.
export { resolveCustomerSecrets, SecretSource, SecretSources, readEnvironmentStatus } from "./kube/index.js";
export type { ResolvedCustomerSecrets } from "./kube/index.js";
export {
  followEnvironment,
  watchList,
  DEFAULT_FOLLOW_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WATCH_TIMEOUT_SECONDS,
  DEFAULT_SILENT_WATCH_FALLBACK_MS,
  LOG_TAIL_LINES,
} from "./kube/index.js";
export type { FollowEnvironmentOptions, WatchClient, WatchListOptions, ListSnapshot, KubeObject } from "./kube/index.js";
export type { KubeMethod, KubeRequest, KubeResponse, KubeRulesReviewStatus, BaseFetch } from "./kube/index.js";
export type { KubeSchemas } from "./core/kube-objects.js";
