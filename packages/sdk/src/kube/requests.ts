/**
 * Request building for the generic verbs (`request`, `get`, `list`, `create`, `apply`, …): paths known only at run
 * time go through openapi-fetch's untyped `request` on the same client as the typed calls, so they share its
 * transport (./transport.ts); their answers are decoded here (JSON expected, a proxy's HTML page refused).
 */
import createClient, { type Client, type ParseAs } from "openapi-fetch";
import type { Clock } from "../core/clock.js";
import type { paths } from "../generated/kube-api.js";
import type { KubeClient, KubeRequest, KubeResponse } from "./client.js";
import { KubeStatusError, kubeStatusErrorFrom, stripQuery, type Redact } from "./errors.js";
import { parseMaybeJson, type Send, type SendPolicy } from "./transport.js";

type LooseResult = { data?: unknown; error?: unknown; response: Response };
type LooseInit = {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  parseAs: ParseAs;
  bodySerializer?: (body: unknown) => unknown;
  fetch: (request: Request) => Promise<Response>;
};
/** openapi-fetch's `request`, for paths known only at run time (they are not keys of `paths`). */
type LooseRequest = (method: string, url: string, init: LooseInit) => Promise<LooseResult>;

/** What the parts of one client share: its openapi-fetch client, its transport and how it redacts. */
export interface KubeCallContext {
  readonly api: Client<paths>;
  readonly loose: LooseRequest;
  readonly send: Send;
  readonly redact: Redact;
  readonly clock: Clock;
  readonly defaultTimeoutMs: number;
}

/** The generic verbs as `KubeClient` offers them. */
type KubeVerbs = Pick<KubeClient, "get" | "list" | "create" | "replace" | "apply" | "mergePatch" | "delete" | "logs">;

/** GET/PUT/DELETE (and HEAD) are safe to repeat after a 5xx or a network error; POST and PATCH are not. */
function defaultPolicy(method: string, timeoutMs: number): SendPolicy {
  return { idempotent: method === "GET" || method === "PUT" || method === "DELETE" || method === "HEAD", timeoutMs, stream: false };
}

/** The openapi-fetch client over the transport, and the context every verb of the client works in. */
export function createCallContext(apiRootUrl: string, send: Send, redact: Redact, clock: Clock, defaultTimeoutMs: number): KubeCallContext {
  const api = createClient<paths>({
    baseUrl: apiRootUrl,
    headers: { Accept: "application/json" },
    fetch: (request) => send(request, defaultPolicy(request.method, defaultTimeoutMs)),
  });
  return { api, loose: api.request as unknown as LooseRequest, send, redact, clock, defaultTimeoutMs };
}

/** Path below the root with exactly one leading slash, its own query merged with `query` (which wins). */
export function buildKubePath(path: string, query?: Record<string, string | number | boolean | undefined>): string {
  const q = path.indexOf("?");
  const pathname = `/${(q === -1 ? path : path.slice(0, q)).replace(/^\/+/, "")}`;
  const params = new URLSearchParams(q === -1 ? "" : path.slice(q + 1));
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.toString();
  return search === "" ? pathname : `${pathname}?${search}`;
}

function serializeBody(body: unknown): unknown {
  return typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
}

/** One generic call through openapi-fetch; the body is returned as text for us to decode. */
async function call(
  ctx: KubeCallContext,
  req: KubeRequest,
  accept?: string,
): Promise<{ status: number; headers: Headers; text: string | undefined; path: string }> {
  const url = buildKubePath(req.path, req.query);
  const method = req.method;
  const policy: SendPolicy = {
    idempotent: req.idempotent ?? defaultPolicy(method, ctx.defaultTimeoutMs).idempotent,
    timeoutMs: req.timeoutMs ?? ctx.defaultTimeoutMs,
    stream: false,
  };
  const headers: Record<string, string> = {};
  if (req.contentType !== undefined) headers["Content-Type"] = req.contentType;
  if (accept !== undefined) headers["Accept"] = accept;
  const init: LooseInit = { headers, signal: req.signal, parseAs: "text", bodySerializer: serializeBody, fetch: (r) => ctx.send(r, policy) };
  if (req.body !== undefined) init.body = req.body;
  const { data, error, response } = await ctx.loose(method, url, init);
  const path = ctx.redact(stripQuery(url));
  if (!response.ok) {
    throw kubeStatusErrorFrom({ status: response.status, headers: response.headers, body: error, method, path, nowMs: ctx.clock.now(), redact: ctx.redact });
  }
  return { status: response.status, headers: response.headers, text: typeof data === "string" ? data : undefined, path };
}

/** A 2xx answer that is not the JSON we asked for (e.g. a proxy's login page behind a redirect). */
export function invalidResponse(redact: Redact, status: number, method: string, path: string, text: string): KubeStatusError {
  const shown = redact(text.replace(/\s+/g, " ").trim().slice(0, 120));
  return new KubeStatusError({ status, reason: "InvalidResponse", kubeMessage: `expected JSON, got: ${shown || "nothing"}`, method, path });
}

/** `KubeClient.request`: any request, its body parsed as JSON when it is JSON. */
export async function requestAny<T = unknown>(ctx: KubeCallContext, req: KubeRequest): Promise<KubeResponse<T>> {
  const res = await call(ctx, req);
  const contentType = res.headers.get("content-type") ?? "";
  let body: unknown = undefined;
  if (res.text !== undefined && res.text !== "") {
    const parsed = parseMaybeJson(res.text);
    if (typeof parsed === "string" && contentType.includes("json")) throw invalidResponse(ctx.redact, res.status, req.method, res.path, res.text);
    body = parsed;
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/** A call whose answer must be a JSON object (every object and list endpoint). */
async function requestObject<T>(ctx: KubeCallContext, req: KubeRequest): Promise<T> {
  const res = await call(ctx, req);
  const parsed = res.text === undefined ? undefined : parseMaybeJson(res.text);
  if (typeof parsed !== "object" || parsed === null) throw invalidResponse(ctx.redact, res.status, req.method, res.path, res.text ?? "");
  return parsed as T;
}

/** The generic verbs: each one request with the query parameters and content type its verb takes. */
export function kubeVerbs(ctx: KubeCallContext): KubeVerbs {
  return {
    get: (path, opts = {}) => requestObject(ctx, { method: "GET", path, signal: opts.signal }),
    list: (path, opts = {}) =>
      requestObject(ctx, {
        method: "GET",
        path,
        signal: opts.signal,
        query: {
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          resourceVersion: opts.resourceVersion,
          limit: opts.limit,
          continue: opts.continue,
        },
      }),
    create: (collectionPath, body, opts = {}) =>
      requestObject(ctx, {
        method: "POST",
        path: collectionPath,
        body,
        signal: opts.signal,
        query: { fieldValidation: "Strict", fieldManager: opts.fieldManager, dryRun: opts.dryRun ? "All" : undefined },
      }),
    replace: (objectPath, body, opts = {}) =>
      requestObject(ctx, { method: "PUT", path: objectPath, body, signal: opts.signal, query: { fieldValidation: "Strict" } }),
    ...patchVerbs(ctx),
    delete: async (objectPath, opts = {}) => {
      await call(ctx, { method: "DELETE", path: objectPath, signal: opts.signal, query: { propagationPolicy: opts.propagationPolicy } });
    },
    logs: async (namespace, pod, opts = {}) => {
      const res = await call(
        ctx,
        {
          method: "GET",
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
          signal: opts.signal,
          query: { container: opts.container, tailLines: opts.tailLines, previous: opts.previous ? true : undefined },
        },
        "text/plain, application/json;q=0.9, */*;q=0.8",
      );
      return res.text ?? "";
    },
  };
}

/**
 * Server-side apply and merge patches are marked safe to repeat although PATCH is not by default: applying the
 * same configuration (or the same RFC 7386 merge patch) twice yields the same object, which is why
 * `kubectl apply` may be re-run at will. JSON patches (RFC 6902) are not, and go through `request`.
 */
function patchVerbs(ctx: KubeCallContext): Pick<KubeClient, "apply" | "mergePatch"> {
  return {
    apply: (objectPath, body, opts) =>
      requestObject(ctx, {
        method: "PATCH",
        path: objectPath,
        body,
        contentType: "application/apply-patch+yaml",
        idempotent: true,
        signal: opts.signal,
        query: {
          fieldManager: opts.fieldManager,
          fieldValidation: "Strict",
          force: opts.force ? true : undefined,
          dryRun: opts.dryRun ? "All" : undefined,
        },
      }),
    mergePatch: (objectPath, patch, opts = {}) =>
      requestObject(ctx, {
        method: "PATCH",
        path: objectPath,
        body: patch,
        contentType: "application/merge-patch+json",
        idempotent: true,
        signal: opts.signal,
      }),
  };
}
