/**
 * @sreda/bridge — the HTTP service that gives 1C:Enterprise the Sreda SDK: the Koa app, its OpenAPI contract
 * (derived from the zod schemas that validate the requests), the operation store, and the typed client.
 */
export { createApp } from "./app.js";
export type { AppDeps, BridgeApp } from "./app.js";
export { startBridge } from "./server.js";
export type { RunningBridge } from "./server.js";
export { runCli } from "./cli.js";
export type { CliOptions, DevCluster } from "./cli.js";
export { loadConfig, ConfigError, ConfigFile, DEVELOPMENT_TOKEN, DEFAULT_HOST, DEFAULT_PORT } from "./config.js";
export type { BridgeConfig } from "./config.js";
export { createLogger } from "./logger.js";
export type { Logger, LogLevel, LogFields, LoggerOptions } from "./logger.js";
export { OperationStore, isFinal } from "./operations.js";
export type { OperationRecord, OperationStoreOptions } from "./operations.js";
export { defaultKubeClientFactory } from "./cluster.js";
export type { KubeClientFactory, ClusterTarget, ClusterPurpose } from "./cluster.js";
export { HttpError, BRIDGE_ERROR_CODES } from "./errors.js";
export type { ErrorBody } from "./errors.js";
export { createOpenApiDocument, API_ROUTES } from "./openapi.js";
export type { ApiRoute } from "./openapi.js";
export * as schemas from "./schemas.js";
export type { OperationKind } from "./schemas.js";
export { createBridgeClient } from "./client.js";
export type {
  BridgeClient,
  BridgeClientOptions,
  BridgeOperation,
  BridgeError,
  BridgeErrorCode,
  ProvisioningRequestBody,
  PlanRequestBody,
  EnvironmentStatusRequestBody,
  EnvironmentRefBody,
  DeprovisionRequestBody,
  DeprovisionPreviewBody,
  FleetRequestBody,
  RolloutRequestBody,
  InventoryRequestBody,
  InventoryBody,
  DriftBody,
  components,
  operations,
  paths,
} from "./client.js";
// Types that public signatures above refer to.
export { LOG_LEVELS } from "./logger.js";
export type { BridgeState } from "./state.js";
export type { Redactor } from "./redact.js";
export type { OperationStatus, NewOperation, OperationRecords, Live, PauseControl } from "./operation-store.js";
export type { OperationJournal, RetainedRecords } from "./operation-journal.js";
export type { ClusterAccess, OperationView, Operation } from "./schemas.js";
export { requestSchemas, responseSchemas } from "./openapi.js";
export { PlanWorkers, defaultPlanWorkers } from "./plan-workers.js";
export type { DryRun } from "./plan-answer.js";
export { PlanRequest } from "./schemas.js";
