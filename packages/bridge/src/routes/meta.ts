/** Health, readiness and the contract: public, so probes and 1C's contract check need no token. */
import { createOpenApiDocument } from "../openapi.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

export function metaRoutes(router: BridgeRouter, deps: RouteDeps): void {
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", (ctx) => {
    const stopping = deps.isShuttingDown();
    ctx.status = stopping ? 503 : 200;
    ctx.body = {
      status: stopping ? "shutting-down" : "ready",
      development: deps.config.development,
      operations: { running: deps.operations.runningCount, kept: deps.operations.size },
    };
  });
  router.get("/openapi.json", (ctx) => {
    ctx.body = createOpenApiDocument();
  });
}
