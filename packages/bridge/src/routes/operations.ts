/**
 * Operations of every kind (provisioning, suspend, resume, deprovision): GET reports on one (and hands a new
 * customer's secrets to its first reader); cancel asks it to stop; pause and resume hold and release a rollout's new
 * starts (those running finish). Served under /v1/operations, and under
 * /v1/provisionings as before (any kind there too, for compatibility).
 */
import type { ParameterizedContext } from "koa";
import { operationNotFound } from "../operations.js";
import type { BridgeState } from "../state.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

type Context = ParameterizedContext<BridgeState, { params: Record<string, string> }>;

export function operationRoutes(router: BridgeRouter, deps: RouteDeps): void {
  const { operations } = deps;

  const read = (ctx: Context) => {
    const view = operations.read(ctx.params["id"]!);
    if (!view) throw operationNotFound(ctx.params["id"]!);
    ctx.set("Cache-Control", "no-store");
    ctx.body = { operation: view };
  };
  const cancel = (ctx: Context) => {
    const view = operations.cancel(ctx.params["id"]!);
    deps.logger.info(`${view.kind} cancel requested`, { requestId: ctx.state.requestId, operationId: view.id });
    ctx.status = 202;
    ctx.body = { operation: view };
  };

  const setPaused = (paused: boolean) => (ctx: Context) => {
    const view = operations.setPaused(ctx.params["id"]!, paused);
    deps.logger.info(`${view.kind} ${paused ? "paused" : "resumed"}`, { requestId: ctx.state.requestId, operationId: view.id });
    ctx.status = 202;
    ctx.body = { operation: view };
  };

  router.get("/v1/operations/:id", read);
  router.post("/v1/operations/:id/cancel", cancel);
  router.post("/v1/operations/:id/pause", setPaused(true));
  router.post("/v1/operations/:id/resume", setPaused(false));
  router.get("/v1/provisionings/:id", read);
  router.post("/v1/provisionings/:id/cancel", cancel);
}
