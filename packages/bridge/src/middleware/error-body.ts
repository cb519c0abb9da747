/**
 * Errors become the JSON error body here and only here: `{ code, message, details }`, scrubbed
 * of the request's secret values. An unknown route is a JSON 404 too. Our own faults (5xx that are not a cluster's
 * failure) are emitted on the app's `error` event, where they are logged with the stack.
 */
import type { Middleware } from "koa";
import { HttpError, toHttpError } from "../errors.js";
import type { BridgeState } from "../state.js";

export function errorBody(): Middleware<BridgeState> {
  return async (ctx, next) => {
    try {
      await next();
      // What nothing answered: an unknown address, or the router's 405 (it has set Allow).
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw new HttpError(404, "NOT_FOUND", `Нет такого адреса: ${ctx.method} ${ctx.path}`, { method: ctx.method, path: ctx.path });
        if (ctx.status === 405) {
          throw new HttpError(405, "METHOD_NOT_ALLOWED", `Метод ${ctx.method} не поддерживается по адресу ${ctx.path}`, {
            method: ctx.method,
            allow: ctx.response.get("Allow"),
          });
        }
      }
    } catch (thrown) {
      const { error, internal } = toHttpError(thrown);
      ctx.status = error.status;
      for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      ctx.body = ctx.state.redactor.scrubDeep({ ...error.toBody(), details: { ...error.details, requestId: ctx.state.requestId } });
      if (internal) ctx.app.emit("error", thrown, ctx);
    }
  };
}
