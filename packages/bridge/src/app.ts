/**
 * The Koa application: composition only. Order matters:
 *   request id → access log → error body → auth → body parsing → router (→ 405 from the router).
 * The access log sits outside the error middleware so it sees the final status; auth runs before the body is
 * read, so an unauthenticated caller cannot make us read a megabyte.
 */
import Koa from "koa";
import { systemClock, type Clock } from "@sreda/sdk";
import { allowListed } from "./allowed-clusters.js";
import { defaultKubeClientFactory, type KubeClientFactory } from "./cluster.js";
import type { BridgeConfig } from "./config.js";
import { createLogger, errorFields, type Logger } from "./logger.js";
import { accessLog } from "./middleware/access-log.js";
import { bearerAuth } from "./middleware/auth.js";
import { bodyParser } from "./middleware/body.js";
import { errorBody } from "./middleware/error-body.js";
import { requestId } from "./middleware/request-id.js";
import { OperationStore } from "./operations.js";
import { PlanWorkers } from "./plan-workers.js";
import { API_ROUTES } from "./openapi.js";
import { createRouter } from "./routes/index.js";
import type { BridgeState } from "./state.js";

export interface AppDeps {
  config: BridgeConfig;
  /** Default: an in-memory store with the configured journal. */
  operations?: OperationStore;
  /** Default: the SDK's client over the network (tests inject the fake cluster's `fetch`). */
  kubeClientFactory?: KubeClientFactory;
  logger?: Logger;
  /** For the executor and the watcher (default: the system clock). */
  clock?: Clock;
}

export type BridgeApp = Koa<BridgeState> & {
  bridge: {
    operations: OperationStore;
    logger: Logger;
    /** Dry runs' worker threads, if configured. */
    planWorkers: PlanWorkers | undefined;
    /** Refuse new provisionings and report not-ready; running ones go on. */
    beginShutdown(): void;
    readonly shuttingDown: boolean;
  };
};

export function createApp(deps: AppDeps): BridgeApp {
  const { config } = deps;
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const operations = deps.operations ?? OperationStore.open({ journalPath: config.journalPath, historyLimit: config.historyLimit, logger });
  let shuttingDown = false;
  const planWorkers = config.planWorkers ? new PlanWorkers(config.planWorkers) : undefined;

  const app = new Koa<BridgeState>() as BridgeApp;
  app.proxy = false;
  // Our faults only (error-body emits them): logged with the stack, scrubbed of the request's secrets.
  app.on("error", (error: unknown, ctx?: Koa.ParameterizedContext<BridgeState>) => {
    const fields = { ...(ctx ? { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path } : {}), ...errorFields(error) };
    logger.error("internal error", ctx?.state.redactor ? ctx.state.redactor.scrubDeep(fields) : fields);
  });

  const router = createRouter({
    config,
    operations,
    // Every client is made through the allow-list: a cluster outside it is refused before any connection.
    kubeClientFactory: allowListed(deps.kubeClientFactory ?? defaultKubeClientFactory, config.allowedClusters),
    clock: deps.clock ?? systemClock,
    logger,
    isShuttingDown: () => shuttingDown,
    planWorkers,
  });
  const publicPaths = new Set(API_ROUTES.filter((r) => r.public).map((r) => r.path));

  app.use(requestId());
  app.use(accessLog(logger));
  app.use(errorBody());
  app.use(bearerAuth(config.token, publicPaths));
  app.use(bodyParser({ limitBytes: config.bodyLimitBytes }));
  app.use(router.routes());
  app.use(router.allowedMethods());

  app.bridge = {
    operations,
    logger,
    planWorkers,
    beginShutdown: () => {
      shuttingDown = true;
    },
    get shuttingDown() {
      return shuttingDown;
    },
  };
  return app;
}
