/** Every route of the bridge, on one router (the list is `API_ROUTES` in ../openapi.ts; a test compares them). */
import Router from "@koa/router";
import type { BridgeState } from "../state.js";
import { catalogRoutes } from "./catalog.js";
import type { RouteDeps } from "./deps.js";
import { environmentRoutes } from "./environments.js";
import { metaRoutes } from "./meta.js";
import { planRoutes } from "./plans.js";
import { provisioningRoutes } from "./provisionings.js";

export type { RouteDeps } from "./deps.js";

export function createRouter(deps: RouteDeps): Router<BridgeState> {
  const router = new Router<BridgeState>();
  metaRoutes(router, deps);
  catalogRoutes(router);
  planRoutes(router, deps);
  provisioningRoutes(router, deps);
  environmentRoutes(router, deps);
  return router;
}

