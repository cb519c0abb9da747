/**
 * `X-Request-Id` in and out: the caller's id when it is a sane token (1C may send its own to correlate), else a
 * fresh UUID. Every log line of the request carries it, and so does every answer.
 */
import { randomUUID } from "node:crypto";
import type { Middleware } from "koa";
import { Redactor } from "../redact.js";
import type { BridgeState } from "../state.js";

const SANE = /^[\w.:-]{1,128}$/;

export function requestId(): Middleware<BridgeState> {
  return async (ctx, next) => {
    const given = ctx.get("x-request-id");
    ctx.state.requestId = SANE.test(given) ? given : randomUUID();
    ctx.state.redactor = new Redactor();
    ctx.set("X-Request-Id", ctx.state.requestId);
    await next();
  };
}
