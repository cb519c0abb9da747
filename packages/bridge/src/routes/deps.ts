/** What route handlers get: the configuration and the few services they adapt to. */
import type Router from "@koa/router";
import type { Clock } from "@sreda/sdk";
import type { KubeClientFactory } from "../cluster.js";
import type { BridgeConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { OperationStore } from "../operations.js";
import type { BridgeState } from "../state.js";

export interface RouteDeps {
  config: BridgeConfig;
  operations: OperationStore;
  kubeClientFactory: KubeClientFactory;
  clock: Clock;
  logger: Logger;
  /** True once a shutdown began: no new provisionings, /readyz answers 503. */
  isShuttingDown: () => boolean;
}

export type BridgeRouter = Router<BridgeState>;
