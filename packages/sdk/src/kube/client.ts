/**
 * The typed Kubernetes client of the SDK's edge: `createKubeClient(config)`.
 *
 * One openapi-fetch client over the types generated from the official Kubernetes 1.35 OpenAPI documents
 * (`kube.api`, for typed calls) and a few generic verbs on the same client (`get`, `list`, `create`, `apply`, …)
 * for paths that are only known at run time (the request templates). Everything goes through one transport —
 * the `fetch` handed to openapi-fetch — which adds the credentials, waits for the rate limiter, enforces the
 * per-request timeout and retries (see ./rate-limit.ts and ./retry.ts), so typed and generic calls behave alike.
 *
 * The bearer token lives only in this module's closure: it is added to the outgoing Request at the last moment
 * and never stored on an object, and every text that goes into an error is redacted (./errors.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import https from "node:https";
import { Readable } from "node:stream";
import createClient, { type Client, type ParseAs } from "openapi-fetch";
import type { Clock } from "../core/clock.js";
import { SredaError } from "../core/errors.js";
import type { WatchEvent } from "../core/kube-objects.js";
import type { paths } from "../generated/kube-api.js";
import { systemClock } from "./clock.js";
import {
  KubeNetworkError,
  KubeStatusError,
  kubeStatusErrorFrom,
  kubeStatusErrorFromWatch,
  redactBearer,
  statusRetryAfterSeconds,
  parseRetryAfter,
  stripQuery,
  type Redact,
} from "./errors.js";
import { createTokenBucket, unlimitedRateLimiter, type RateLimiter } from "./rate-limit.js";
import { KUBE_DEFAULT_MAX_RETRIES, retryVerdict, withRetries, type AttemptOutcome } from "./retry.js";

/**
 * Client-side rate limit defaults. client-go's rest.Config defaults are QPS 5 / burst 10 (rest.DefaultQPS,
 * rest.DefaultBurst); we allow twice that: provisioning one customer is about a dozen requests, which a burst of
 * 20 sends without waiting, and 10 requests per second sustained is still gentle on a Rancher proxy. The server
 * protects itself with API Priority and Fairness and answers 429, which we honour (./retry.ts).
 */
/** What a retry observer hears: the request and why it is repeated. */
export interface KubeRetryInfo {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

const retryObservers = new AsyncLocalStorage<(info: KubeRetryInfo) => void>();

/**
 * Runs `fn` so that every retry the client makes inside it (on any client) is reported to `observer` — how
 * the executor turns the transport's silent retries into "retrying" events of the step that caused them.
 */
export function observeKubeRetries<T>(observer: (info: KubeRetryInfo) => void, fn: () => Promise<T>): Promise<T> {
  return retryObservers.run(observer, fn);
}

export const KUBE_DEFAULT_QPS = 10;
export const KUBE_DEFAULT_BURST = 20;
export const KUBE_DEFAULT_TIMEOUT_MS = 30_000;
export const KUBE_DEFAULT_USER_AGENT = "sreda-sdk/0.1.0";

export interface KubeClientConfig {
  /** API root: a Rancher proxy base "https://host/k8s/clusters/c-m4hlh/" (final slash optional) or "https://10.0.0.1:6443". */
  apiRootUrl: string;
  /** Bearer token. Kept in a closure; never appears in errors, logs or serialized objects. */
  token: string;
  /** PEM bundle of the CA(s) that signed the API server's certificate. TLS verification is on by default. */
  caCert?: string;
  /** Labs only: do not verify the server's certificate (a process warning is emitted). Not with `caCert`. */
  insecureSkipTlsVerify?: boolean;
  /** Per-attempt timeout in ms, default 30 000; for watches it covers only the wait for the response headers. */
  timeoutMs?: number;
  /** Sustained requests per second, default 10 (0: the default; `Infinity` or negative: no client-side limit). */
  qps?: number;
  /** Token bucket size, default 20. */
  burst?: number;
  /** Retries after the first attempt, default 5. */
  maxRetries?: number;
  /** Injected transport (tests: the fake cluster's handler). Not combinable with `caCert`/`insecureSkipTlsVerify`. */
  fetch?: (request: Request) => Promise<Response>;
  /** Time source for the rate limiter, timeouts and backoff; default the system clock. */
  clock?: Clock;
  /** Jitter source in [0, 1), default Math.random. */
  random?: () => number;
  userAgent?: string;
  /** Called before each retry wait. */
  onRetry?: (info: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void;
}

export type KubeMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface KubeRequest {
  method: KubeMethod;
  /** Path below the API root, with or without a leading slash; may include a query string. */
  path: string;
  /** Added to the path's query string (and overriding the same names there); undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Serialized as JSON; a string or Uint8Array is sent as it is. */
  body?: unknown;
  /** Content-Type of the body, default application/json. */
  contentType?: string;
  signal?: AbortSignal;
  /** Safe to repeat after a 5xx or a network error? Default: GET/PUT/DELETE true, POST/PATCH false. */
  idempotent?: boolean;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
}

export interface KubeResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON; the text when the body is not JSON; undefined when empty. */
  body: T;
}

export interface KubeListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface KubeWatchOptions {
  labelSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  signal?: AbortSignal;
}

export interface KubeLogsOptions {
  container?: string;
  tailLines?: number;
  previous?: boolean;
  signal?: AbortSignal;
}

export interface KubeAccessReviewAttributes {
  namespace: string;
  verb: string;
  group: string;
  resource: string;
  signal?: AbortSignal;
}

export type KubeRulesReviewStatus = NonNullable<
  paths["/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"]["post"]["responses"]["201"]["content"]["application/json"]["status"]
>;

export interface KubeClient {
  /** The API root, normalized, without a final slash. */
  readonly apiRootUrl: string;
  /**
   * The typed openapi-fetch client: `kube.api.GET("/api/v1/namespaces/{namespace}/pods", { params: … })`.
   * Same transport (auth, rate limit, timeout, retries: GET/PUT/DELETE are retried on 5xx); answers come back the
   * openapi-fetch way, `{ data } | { error: Status }`, and a missing answer throws `KubeNetworkError`.
   * Bodies are read within the timeout: for watches use `watch()`.
   */
  readonly api: Client<paths>;
  /** Any request; throws `KubeStatusError` on a non-2xx answer and `KubeNetworkError` when there is none. */
  request<T = unknown>(req: KubeRequest): Promise<KubeResponse<T>>;
  get<T>(path: string, opts?: { signal?: AbortSignal }): Promise<T>;
  list<T>(path: string, opts?: KubeListOptions): Promise<T>;
  /** POST `?fieldValidation=Strict[&fieldManager=…]` (without a field manager the server records the User-Agent). */
  create<T>(collectionPath: string, body: unknown, opts?: { signal?: AbortSignal; dryRun?: boolean; fieldManager?: string }): Promise<T>;
  /** PUT `?fieldValidation=Strict`. */
  replace<T>(objectPath: string, body: unknown, opts?: { signal?: AbortSignal }): Promise<T>;
  /** Server-side apply: PATCH application/apply-patch+yaml (JSON is YAML), `?fieldManager=…&fieldValidation=Strict[&force=true]`. */
  apply<T>(
    objectPath: string,
    body: unknown,
    opts: { fieldManager: string; force?: boolean; signal?: AbortSignal; dryRun?: boolean },
  ): Promise<T>;
  /** PATCH application/merge-patch+json (RFC 7386). */
  mergePatch<T>(objectPath: string, patch: unknown, opts?: { signal?: AbortSignal }): Promise<T>;
  delete(
    objectPath: string,
    opts?: { propagationPolicy?: "Background" | "Foreground" | "Orphan"; signal?: AbortSignal },
  ): Promise<void>;
  /**
   * `?watch=1` as newline-delimited JSON events. Lazy: the request starts with the first `next()`; leaving the
   * loop ends it. An ERROR event throws its Status as a `KubeStatusError` (410 → code `Gone`: list again).
   */
  watch<T>(path: string, opts: KubeWatchOptions): AsyncIterable<WatchEvent<T>>;
  /** The log text of a pod's container. */
  logs(namespace: string, pod: string, opts?: KubeLogsOptions): Promise<string>;
  /** SelfSubjectAccessReview: may the token's user do `verb` on `group/resource` in `namespace`? */
  accessReview(attrs: KubeAccessReviewAttributes): Promise<{ allowed: boolean; denied?: boolean; reason?: string }>;
  /** SelfSubjectRulesReview: what the token's user may do in `namespace` (the server's list may be incomplete). */
  rulesReview?(namespace: string, opts?: { signal?: AbortSignal }): Promise<KubeRulesReviewStatus>;
}

/** What the transport needs to know about one call besides the Request itself. */
interface SendPolicy {
  idempotent: boolean;
  /** Per attempt; 0 = none. */
  timeoutMs: number;
  /** Hand the body over unread (watch); otherwise it is read within the timeout and buffered. */
  stream: boolean;
}

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

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Error codes (innermost `cause.code`) meaning the server's certificate could not be verified. */
const TLS_VERIFY_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export function createKubeClient(config: KubeClientConfig): KubeClient {
  const {
    token,
    caCert,
    insecureSkipTlsVerify = false,
    timeoutMs: defaultTimeoutMs = KUBE_DEFAULT_TIMEOUT_MS,
    qps = KUBE_DEFAULT_QPS,
    burst = KUBE_DEFAULT_BURST,
    maxRetries = KUBE_DEFAULT_MAX_RETRIES,
    clock = systemClock,
    random = Math.random,
    userAgent = KUBE_DEFAULT_USER_AGENT,
    onRetry,
  } = config;
  const apiRootUrl = normalizeRoot(config.apiRootUrl);
  if (typeof token !== "string") throw new SredaError("INVALID_CONFIG", "KubeClientConfig.token must be a string");
  const baseFetch = createBaseFetch(apiRootUrl, config.fetch, caCert, insecureSkipTlsVerify);
  // As client-go's rest.Config: 0 means the default, a negative QPS turns client-side limiting off.
  const limiter: RateLimiter =
    qps < 0 || qps === Infinity
      ? unlimitedRateLimiter
      : createTokenBucket({ qps: qps || KUBE_DEFAULT_QPS, burst: burst || KUBE_DEFAULT_BURST, clock });

  const redact: Redact = (text) => redactBearer(token.length >= 4 ? text.split(token).join("[REDACTED]") : text);

  /** Path below the API root without the query string: what errors and onRetry may show. */
  const pathOf = (url: string): string => redact(stripQuery(url.startsWith(apiRootUrl) ? url.slice(apiRootUrl.length) || "/" : url));

  /** The transport: credentials, rate limit, timeout and retries around the base fetch. */
  async function send(request: Request, policy: SendPolicy): Promise<Response> {
    const method = request.method;
    const path = pathOf(request.url);
    if (!isBelowRoot(request.url, apiRootUrl)) {
      // Never send the token anywhere but the configured API root (a `baseUrl` override in an `api` call, say).
      throw new SredaError("INVALID_REQUEST", `Kubernetes API ${method}: the URL is not below the API root ${apiRootUrl}`);
    }
    const signal = request.signal;
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
    const headers = new Headers(request.headers);
    if (token !== "") headers.set("authorization", `Bearer ${token}`);
    headers.set("user-agent", userAgent);

    const attempt = async (): Promise<{ response: Response; outcome?: AttemptOutcome }> => {
      await limiter.acquire(signal);
      const stopTimer = new AbortController();
      const timeout = new AbortController();
      const attemptSignal = AbortSignal.any([signal, timeout.signal]);
      if (policy.timeoutMs > 0) {
        clock.sleep(policy.timeoutMs, stopTimer.signal).then(
          () => timeout.abort(new KubeNetworkError({ method, path, description: `timed out after ${policy.timeoutMs} ms`, timedOut: true })),
          () => undefined,
        );
      }
      // Settles when the attempt is aborted, so that a transport ignoring the signal cannot hang us.
      const aborted = new Promise<never>((_, reject) => {
        if (attemptSignal.aborted) reject(attemptSignal.reason);
        attemptSignal.addEventListener("abort", () => reject(attemptSignal.reason), { once: true });
      });
      aborted.catch(() => undefined);
      try {
        const init: RequestInit = { method, headers, signal: attemptSignal, redirect: request.redirect };
        if (body !== undefined) init.body = body;
        let response = await Promise.race([baseFetch(new Request(request.url, init)), aborted]);
        if (policy.stream && response.ok) return { response };
        const buffer = await Promise.race([response.arrayBuffer(), aborted]);
        response = new Response(NULL_BODY_STATUS.has(response.status) ? null : buffer, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
        if (response.ok) return { response };
        const parsed = parseMaybeJson(new TextDecoder().decode(buffer));
        const headerSeconds = parseRetryAfter(response.headers.get("retry-after"), clock.now());
        const bodySeconds = statusRetryAfterSeconds(parsed);
        const outcome: AttemptOutcome = {
          status: response.status,
          reason: kubeStatusErrorFrom({ status: response.status, body: parsed, method, path, redact }).reason,
        };
        const seconds = Math.max(headerSeconds ?? -1, bodySeconds ?? -1);
        if (seconds >= 0) outcome.retryAfterSeconds = seconds;
        return { response, outcome };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (timeout.signal.aborted) throw timeout.signal.reason;
        throw networkErrorFrom(err, method, path, redact);
      } finally {
        stopTimer.abort();
      }
    };

    const result = await withRetries(
      attempt,
      (r) => ("error" in r ? retryVerdict(r, policy.idempotent) : r.value.outcome ? retryVerdict(r.value.outcome, policy.idempotent) : { retry: false, reason: "OK" }),
      {
        maxRetries,
        clock,
        random,
        signal,
        onRetry: (info) => {
          onRetry?.({ method, path, ...info });
          retryObservers.getStore()?.({ method, path, ...info });
        },
      },
    );
    return result.response;
  }

  const defaultPolicy = (method: string): SendPolicy => ({
    idempotent: method === "GET" || method === "PUT" || method === "DELETE" || method === "HEAD",
    timeoutMs: defaultTimeoutMs,
    stream: false,
  });

  const api = createClient<paths>({
    baseUrl: apiRootUrl,
    headers: { Accept: "application/json" },
    fetch: (request) => send(request, defaultPolicy(request.method)),
  });
  const looseRequest = api.request as unknown as LooseRequest;

  /** One generic call through openapi-fetch; the body is returned as text for us to decode. */
  async function call(req: KubeRequest, accept?: string): Promise<{ status: number; headers: Headers; text: string | undefined; path: string }> {
    const url = buildKubePath(req.path, req.query);
    const method = req.method;
    const policy: SendPolicy = {
      idempotent: req.idempotent ?? defaultPolicy(method).idempotent,
      timeoutMs: req.timeoutMs ?? defaultTimeoutMs,
      stream: false,
    };
    const headers: Record<string, string> = {};
    if (req.contentType !== undefined) headers["Content-Type"] = req.contentType;
    if (accept !== undefined) headers["Accept"] = accept;
    const init: LooseInit = { headers, signal: req.signal, parseAs: "text", bodySerializer: serializeBody, fetch: (r) => send(r, policy) };
    if (req.body !== undefined) init.body = req.body;
    const { data, error, response } = await looseRequest(method, url, init);
    const path = redact(stripQuery(url));
    if (!response.ok) {
      throw kubeStatusErrorFrom({ status: response.status, headers: response.headers, body: error, method, path, nowMs: clock.now(), redact });
    }
    return { status: response.status, headers: response.headers, text: typeof data === "string" ? data : undefined, path };
  }

  /** A 2xx answer that is not the JSON we asked for (e.g. a proxy's login page behind a redirect). */
  function invalidResponse(status: number, method: string, path: string, text: string): KubeStatusError {
    const shown = redact(text.replace(/\s+/g, " ").trim().slice(0, 120));
    return new KubeStatusError({ status, reason: "InvalidResponse", kubeMessage: `expected JSON, got: ${shown || "nothing"}`, method, path });
  }

  async function request<T = unknown>(req: KubeRequest): Promise<KubeResponse<T>> {
    const res = await call(req);
    const contentType = res.headers.get("content-type") ?? "";
    let body: unknown = undefined;
    if (res.text !== undefined && res.text !== "") {
      const parsed = parseMaybeJson(res.text);
      if (typeof parsed === "string" && contentType.includes("json")) throw invalidResponse(res.status, req.method, res.path, res.text);
      body = parsed;
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }

  /** A call whose answer must be a JSON object (every object and list endpoint). */
  async function requestObject<T>(req: KubeRequest): Promise<T> {
    const res = await call(req);
    const parsed = res.text === undefined ? undefined : parseMaybeJson(res.text);
    if (typeof parsed !== "object" || parsed === null) throw invalidResponse(res.status, req.method, res.path, res.text ?? "");
    return parsed as T;
  }

  async function* watch<T>(path: string, opts: KubeWatchOptions): AsyncGenerator<WatchEvent<T>> {
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
    const errorPath = redact(stripQuery(url));
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const cancelReader = () => void reader?.cancel().catch(() => undefined);
    controller.signal.addEventListener("abort", cancelReader, { once: true });
    try {
      const { data, error, response } = await looseRequest("GET", url, {
        signal: controller.signal,
        parseAs: "stream",
        fetch: (r) => send(r, { idempotent: true, timeoutMs: defaultTimeoutMs, stream: true }),
      });
      if (!response.ok) {
        throw kubeStatusErrorFrom({ status: response.status, headers: response.headers, body: error, method: "GET", path: errorPath, nowMs: clock.now(), redact });
      }
      if (!(data instanceof ReadableStream)) return;
      reader = (data as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let pending = "";
      const decodeLine = (line: string): WatchEvent<T> => {
        const event = parseMaybeJson(line);
        if (typeof event !== "object" || event === null || typeof (event as { type?: unknown }).type !== "string") {
          throw new KubeStatusError({ status: response.status, reason: "InvalidResponse", kubeMessage: "a watch line is not a JSON event", method: "GET", path: errorPath });
        }
        const { type, object } = event as { type: WatchEvent<T>["type"]; object: unknown };
        if (type === "ERROR") throw kubeStatusErrorFromWatch(object, "GET", errorPath, redact);
        return { type, object: object as T };
      };
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (userSignal?.aborted) throw userSignal.reason;
          throw networkErrorFrom(err, "GET", errorPath, redact);
        }
        if (userSignal?.aborted) throw userSignal.reason;
        if (chunk.done) break;
        pending += decoder.decode(chunk.value, { stream: true });
        for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n")) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line !== "") yield decodeLine(line);
        }
      }
      pending += decoder.decode();
      if (pending.trim() !== "") yield decodeLine(pending.trim());
    } finally {
      userSignal?.removeEventListener("abort", onAbort);
      controller.abort();
    }
  }

  const client: KubeClient & { toString(): string; toJSON(): unknown } = {
    apiRootUrl,
    api,
    request,
    get: (path, opts = {}) => requestObject({ method: "GET", path, signal: opts.signal }),
    list: (path, opts = {}) =>
      requestObject({
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
      requestObject({
        method: "POST",
        path: collectionPath,
        body,
        signal: opts.signal,
        query: { fieldValidation: "Strict", fieldManager: opts.fieldManager, dryRun: opts.dryRun ? "All" : undefined },
      }),
    replace: (objectPath, body, opts = {}) =>
      requestObject({ method: "PUT", path: objectPath, body, signal: opts.signal, query: { fieldValidation: "Strict" } }),
    // Server-side apply and merge patches are marked safe to repeat although PATCH is not by default: applying the
    // same configuration (or the same RFC 7386 merge patch) twice yields the same object, which is why
    // `kubectl apply` may be re-run at will. JSON patches (RFC 6902) are not, and go through `request`.
    apply: (objectPath, body, opts) =>
      requestObject({
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
      requestObject({
        method: "PATCH",
        path: objectPath,
        body: patch,
        contentType: "application/merge-patch+json",
        idempotent: true,
        signal: opts.signal,
      }),
    delete: async (objectPath, opts = {}) => {
      await call({ method: "DELETE", path: objectPath, signal: opts.signal, query: { propagationPolicy: opts.propagationPolicy } });
    },
    watch: (path, opts) => watch(path, opts),
    logs: async (namespace, pod, opts = {}) => {
      const res = await call(
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
    accessReview: async ({ namespace, verb, group, resource, signal }) => {
      const path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
      // A review stores nothing: repeating it is safe.
      const { data, error, response } = await api.POST(path, {
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: { resourceAttributes: { namespace, verb, group, resource } },
        },
        signal,
        parseAs: "text",
        fetch: (r: Request) => send(r, { idempotent: true, timeoutMs: defaultTimeoutMs, stream: false }),
      });
      if (!response.ok) throw kubeStatusErrorFrom({ status: response.status, headers: response.headers, body: error, method: "POST", path, nowMs: clock.now(), redact });
      const review = parseMaybeJson(typeof data === "string" ? data : "");
      const status = typeof review === "object" && review !== null ? (review as { status?: Record<string, unknown> }).status : undefined;
      if (!status || typeof status["allowed"] !== "boolean") throw invalidResponse(response.status, "POST", path, typeof data === "string" ? data : "");
      const out: { allowed: boolean; denied?: boolean; reason?: string } = { allowed: status["allowed"] };
      if (typeof status["denied"] === "boolean") out.denied = status["denied"];
      if (typeof status["reason"] === "string" && status["reason"] !== "") out.reason = status["reason"];
      return out;
    },
    rulesReview: async (namespace, opts = {}) => {
      const path = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
      const { data, error, response } = await api.POST(path, {
        body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } },
        signal: opts.signal,
        parseAs: "text",
        fetch: (r: Request) => send(r, { idempotent: true, timeoutMs: defaultTimeoutMs, stream: false }),
      });
      if (!response.ok) throw kubeStatusErrorFrom({ status: response.status, headers: response.headers, body: error, method: "POST", path, nowMs: clock.now(), redact });
      const review = parseMaybeJson(typeof data === "string" ? data : "");
      const status = typeof review === "object" && review !== null ? (review as { status?: KubeRulesReviewStatus }).status : undefined;
      if (!status) throw invalidResponse(response.status, "POST", path, typeof data === "string" ? data : "");
      return status;
    },
    toString: () => `KubeClient(${apiRootUrl})`,
    toJSON: () => ({ apiRootUrl }),
  };
  return client;
}

/** `https://Host:443/k8s/clusters/c-1/` → `https://host/k8s/clusters/c-1` (what `new Request` would make of it). */
function normalizeRoot(apiRootUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiRootUrl);
  } catch {
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig.apiRootUrl is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new SredaError("INVALID_CONFIG", `KubeClientConfig.apiRootUrl must be http(s), got ${url.protocol}`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig.apiRootUrl must not have a query string or fragment");
  }
  if (url.username !== "" || url.password !== "") {
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig.apiRootUrl must not carry credentials; use `token`");
  }
  return url.href.replace(/\/+$/, "");
}

function isBelowRoot(url: string, root: string): boolean {
  return url === root || url.startsWith(`${root}/`) || url.startsWith(`${root}?`);
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

/** JSON when the text is JSON, else the text itself. */
function parseMaybeJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Turns whatever the transport threw into a `KubeNetworkError` with the innermost system error code. */
function networkErrorFrom(err: unknown, method: string, path: string, redact: Redact): KubeNetworkError {
  const messages: string[] = [];
  let code: string | undefined;
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      if (current.message && !messages.includes(current.message)) messages.push(current.message);
      const c = (current as { code?: unknown }).code;
      if (typeof c === "string") code = c;
      current = current.cause;
    } else {
      messages.push(String(current));
      break;
    }
  }
  const init: ConstructorParameters<typeof KubeNetworkError>[0] = {
    method,
    path,
    description: redact(messages.join(": ") || "the request failed"),
  };
  if (code !== undefined) init.causeCode = code;
  if ((code !== undefined && TLS_VERIFY_CODES.has(code)) || /certificate|self[- ]signed/i.test(messages.join(" "))) init.tls = true;
  return new KubeNetworkError(init);
}

function createBaseFetch(
  apiRootUrl: string,
  injected: KubeClientConfig["fetch"],
  caCert: string | undefined,
  insecureSkipTlsVerify: boolean,
): (request: Request) => Promise<Response> {
  const tlsOptions = caCert !== undefined || insecureSkipTlsVerify;
  if (caCert !== undefined && insecureSkipTlsVerify) {
    // As kubectl: "specifying a root certificates file with the insecure flag is not allowed".
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig: caCert and insecureSkipTlsVerify exclude each other");
  }
  if (injected) {
    if (tlsOptions) {
      throw new SredaError("INVALID_CONFIG", "KubeClientConfig: caCert/insecureSkipTlsVerify apply to the built-in transport, not to an injected fetch");
    }
    return injected;
  }
  if (!tlsOptions || !apiRootUrl.startsWith("https:")) return (request) => globalThis.fetch(request);
  if (insecureSkipTlsVerify) {
    process.emitWarning(`TLS certificate verification is disabled for ${new URL(apiRootUrl).host} (insecureSkipTlsVerify)`, {
      code: "SREDA_INSECURE_TLS",
    });
  }
  // Node's fetch (undici) takes custom CAs only through an undici Agent as `dispatcher`, and the `undici` package
  // is not a dependency; node:https with its own Agent does the same job for these few options.
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: !insecureSkipTlsVerify, ...(caCert !== undefined ? { ca: caCert } : {}) });
  return createNodeHttpsFetch(agent);
}

/** A minimal fetch over node:https (request → Response with a streamed body), for custom TLS settings. */
function createNodeHttpsFetch(agent: https.Agent): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(request.url, { method: request.method, headers, agent, signal: request.signal }, (res) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const status = res.statusCode ?? 502;
        const hasBody = !NULL_BODY_STATUS.has(status) && request.method !== "HEAD";
        if (!hasBody) res.resume();
        const stream = hasBody ? (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>) : null;
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: responseHeaders }));
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}
