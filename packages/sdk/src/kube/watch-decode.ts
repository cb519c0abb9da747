/**
 * `KubeClient.watch`: a `?watch=1` request whose answer is read as it streams in and decoded as newline-delimited
 * JSON watch events. Lazy (the request starts with the first `next()`); leaving the loop, or aborting the
 * caller's signal, ends the request. An ERROR event throws its Status as a `KubeStatusError`.
 */
import type { WatchEvent } from "../core/kube-objects.js";
import type { KubeWatchOptions } from "./client.js";
import { KubeStatusError, kubeStatusErrorFrom, kubeStatusErrorFromWatch, stripQuery, type Redact } from "./errors.js";
import { buildKubePath, type KubeCallContext } from "./requests.js";
import { networkErrorFrom, parseMaybeJson } from "./transport.js";

export async function* watchEvents<T>(ctx: KubeCallContext, path: string, opts: KubeWatchOptions): AsyncGenerator<WatchEvent<T>> {
  const userSignal = opts.signal;
  const controller = new AbortController();
  const onAbort = () => controller.abort(userSignal?.reason);
  if (userSignal?.aborted) throw userSignal.reason;
  userSignal?.addEventListener("abort", onAbort, { once: true });
  const url = buildKubePath(path, {
    watch: 1,
    labelSelector: opts.labelSelector,
    resourceVersion: opts.resourceVersion,
    timeoutSeconds: opts.timeoutSeconds,
    allowWatchBookmarks: opts.allowWatchBookmarks,
  });
  const errorPath = ctx.redact(stripQuery(url));
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const cancelReader = () => void reader?.cancel().catch(() => undefined);
  controller.signal.addEventListener("abort", cancelReader, { once: true });
  try {
    const { data, error, response } = await ctx.loose("GET", url, {
      signal: controller.signal,
      parseAs: "stream",
      fetch: (r) => ctx.send(r, { idempotent: true, timeoutMs: ctx.defaultTimeoutMs, stream: true }),
    });
    if (!response.ok) {
      throw kubeStatusErrorFrom({
        status: response.status,
        headers: response.headers,
        body: error,
        method: "GET",
        path: errorPath,
        nowMs: ctx.clock.now(),
        redact: ctx.redact,
      });
    }
    if (!(data instanceof ReadableStream)) return;
    reader = (data as ReadableStream<Uint8Array>).getReader();
    yield* decodeWatchStream<T>(reader, { status: response.status, errorPath, redact: ctx.redact, userSignal });
  } finally {
    userSignal?.removeEventListener("abort", onAbort);
    controller.abort();
  }
}

interface DecodeContext {
  /** Of the response, for the error of an undecodable line. */
  status: number;
  errorPath: string;
  redact: Redact;
  userSignal: AbortSignal | undefined;
}

/** The events of a watch answer, one JSON object per line (a last line without its newline included). */
async function* decodeWatchStream<T>(reader: ReadableStreamDefaultReader<Uint8Array>, ctx: DecodeContext): AsyncGenerator<WatchEvent<T>> {
  const { userSignal } = ctx;
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      if (userSignal?.aborted) throw userSignal.reason;
      throw networkErrorFrom(err, "GET", ctx.errorPath, ctx.redact);
    }
    if (userSignal?.aborted) throw userSignal.reason;
    if (chunk.done) break;
    pending += decoder.decode(chunk.value, { stream: true });
    for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n")) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line !== "") yield decodeWatchLine<T>(line, ctx);
    }
  }
  pending += decoder.decode();
  if (pending.trim() !== "") yield decodeWatchLine<T>(pending.trim(), ctx);
}

function decodeWatchLine<T>(line: string, ctx: DecodeContext): WatchEvent<T> {
  const event = parseMaybeJson(line);
  if (typeof event !== "object" || event === null || typeof (event as { type?: unknown }).type !== "string") {
    throw new KubeStatusError({
      status: ctx.status,
      reason: "InvalidResponse",
      kubeMessage: "a watch line is not a JSON event",
      method: "GET",
      path: ctx.errorPath,
    });
  }
  const { type, object } = event as { type: WatchEvent<T>["type"]; object: unknown };
  if (type === "ERROR") throw kubeStatusErrorFromWatch(object, "GET", ctx.errorPath, ctx.redact);
  return { type, object: object as T };
}
