/** What route handlers get: the configuration and the few services they adapt to. */
import type Router from "@koa/router";
import type { Clock } from "@sreda/sdk";
import type { KubeClientFactory } from "../cluster.js";
import type { BridgeConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { OperationStore } from "../operations.js";
import type { PlanWorkers } from "../plan-workers.js";
import type { BridgeState } from "../state.js";

export interface RouteDeps {
  config: BridgeConfig;
  operations: OperationStore;
  kubeClientFactory: KubeClientFactory;
  clock: Clock;
  logger: Logger;
  /** Where dry runs are built when the bridge uses more than one core; none: in the request's thread. */
  planWorkers?: PlanWorkers | undefined;
  /** True once a shutdown began: no new provisionings, /readyz answers 503. */
  isShuttingDown: () => boolean;
}

export type BridgeRouter = Router<BridgeState>;
