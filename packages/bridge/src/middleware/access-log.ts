/**
 * One log line per request: request id, method, route (the pattern, e.g. `/v1/provisionings/:id`, so operation
 * ids do not scatter the statistics — the path is logged too), status, duration in ms, and the error code if any.
 * Never a header or a body.
 */
import type { Middleware } from "koa";
import type { Logger } from "../logger.js";
import type { BridgeState } from "../state.js";

export function accessLog(logger: Logger, now: () => number = () => performance.now()): Middleware<BridgeState> {
  return async (ctx, next) => {
    const started = now();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      const code = ctx.status >= 400 && ctx.body && typeof ctx.body === "object" ? (ctx.body as { code?: unknown }).code : undefined;
      const fields = {
        requestId: ctx.state.requestId,
        method: ctx.method,
        route: typeof route === "string" ? route : null,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round((now() - started) * 10) / 10,
        ...(typeof code === "string" ? { code } : {}),
      };
      // Probes call every few seconds: their successes are debug noise.
      const quiet = (ctx.path === "/healthz" || ctx.path === "/readyz") && ctx.status < 400;
      (quiet ? logger.debug : logger.info)("request", ctx.state.redactor.scrubDeep(fields));
    }
  };
}
