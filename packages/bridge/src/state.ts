/** What the middlewares leave on `ctx.state` for the ones after them. */
import type { Redactor } from "./redact.js";

export interface BridgeState {
  /** The request id (`X-Request-Id`, ours when the caller sent none or a malformed one). */
  requestId: string;
  /** Knows this request's secret values; scrubs error bodies and log lines. */
  redactor: Redactor;
  /** The parsed JSON body (undefined when empty). */
  body?: unknown;
}
