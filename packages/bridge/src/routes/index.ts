/** Every route of the bridge, on one router (the list is `API_ROUTES` in ../openapi.ts; a test compares them). */
import { METHODS } from "node:http";
import Router from "@koa/router";
import type { BridgeState } from "../state.js";
import { catalogRoutes } from "./catalog.js";
import type { RouteDeps } from "./deps.js";
import { environmentRoutes } from "./environments.js";
import { fleetRoutes } from "./fleet.js";
import { lifecycleRoutes } from "./lifecycle.js";
import { metaRoutes } from "./meta.js";
import { operationRoutes } from "./operations.js";
import { planRoutes } from "./plans.js";
import { provisioningRoutes } from "./provisionings.js";

export type { RouteDeps } from "./deps.js";

export function createRouter(deps: RouteDeps): Router<BridgeState> {
  // Every method Node's HTTP parser accepts is known to the router, so a known address answers any method it lacks
  // (TRACE, QUERY, PROPFIND …) with 405 and Allow, as the OpenAPI document says — never 501.
  const router = new Router<BridgeState>({ methods: [...METHODS] });
  metaRoutes(router, deps);
  catalogRoutes(router);
  planRoutes(router, deps);
  provisioningRoutes(router, deps);
  operationRoutes(router, deps);
  environmentRoutes(router, deps);
  lifecycleRoutes(router, deps);
  fleetRoutes(router, deps);
  return router;
}
