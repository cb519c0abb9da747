/**
 * The typed Kubernetes client of the SDK's edge: `createKubeClient(config)`, and its public types.
 *
 * One openapi-fetch client over the types generated from the official Kubernetes 1.35 OpenAPI documents
 * (`kube.api`, for typed calls) and a few generic verbs on the same client (`get`, `list`, `create`, `apply`, …)
 * for paths that are only known at run time (the request templates). Everything goes through one transport —
 * the `fetch` handed to openapi-fetch — which adds the credentials, waits for the rate limiter, enforces the
 * per-request timeout and retries (./transport.ts over ./rate-limit.ts and ./retry.ts), so typed and generic
 * calls behave alike. The parts, one concern each:
 *   ./https-fetch.ts   the base fetch: injected, global, or node:https with a CA bundle / without verification;
 *   ./transport.ts     credentials, rate limit, timeout, retries, network errors;
 *   ./requests.ts      the generic verbs: paths, query strings, bodies, JSON answers;
 *   ./watch-decode.ts  `watch`: the streamed newline-delimited JSON events;
 *   ./access-review.ts SelfSubjectAccessReview and SelfSubjectRulesReview.
 *
 * The bearer token lives only in closures (the transport's and the redactor's): it is added to the outgoing
 * Request at the last moment and never stored on an object, and every text that goes into an error is redacted
 * (./errors.ts). A client certificate and its key go only into the https Agent (./https-fetch.ts), nowhere else.
 */
import type { Client } from "openapi-fetch";
import { clockOfFetch, type Clock } from "../core/clock.js";
import { SredaError } from "../core/errors.js";
import type { WatchEvent } from "../core/kube-objects.js";
import type { paths } from "../generated/kube-api.js";
import { accessReview, rulesReview } from "./access-review.js";
import { systemClock } from "./clock.js";
import { createBaseFetch } from "./https-fetch.js";
import { createCallContext, kubeVerbs, requestAny } from "./requests.js";
import { KUBE_DEFAULT_MAX_RETRIES } from "./retry.js";
import { createRateLimiter, createTransport, redactorFor } from "./transport.js";
import { watchEvents } from "./watch-decode.js";

export { buildKubePath } from "./requests.js";
export { observeKubeRetries } from "./transport.js";

/** What a retry observer hears: the request and why it is repeated. */
export interface KubeRetryInfo {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

/**
 * Client-side rate limit defaults. client-go's rest.Config defaults are QPS 5 / burst 10 (rest.DefaultQPS,
 * rest.DefaultBurst; kubectl raises them to 50 / 300); we allow 10 a second sustained — still gentle on a Rancher
 * proxy — and a burst of 40: one provisioning is 26–32 requests (the customer's lock, the preflight, a list per kind
 * its templates write, the writes, a watch), which must not be throttled against itself. The server protects itself
 * with API Priority and Fairness and answers 429, which we honour (./retry.ts).
 */
export const KUBE_DEFAULT_QPS = 10;
export const KUBE_DEFAULT_BURST = 40;
export const KUBE_DEFAULT_TIMEOUT_MS = 30_000;
export const KUBE_DEFAULT_USER_AGENT = "sreda-sdk/0.1.0";

export interface KubeClientConfig {
  /** API root: a Rancher proxy base "https://host/k8s/clusters/c-m4hlh/" (final slash optional) or "https://10.0.0.1:6443". */
  apiRootUrl: string;
  /**
   * Bearer token. Kept in a closure; never appears in errors, logs or serialized objects. Optional when a client
   * certificate authenticates (`clientCert` and `clientKey`); both may be given, as kubectl sends both.
   */
  token?: string;
  /** PEM bundle of the CA(s) that signed the API server's certificate. TLS verification is on by default. */
  caCert?: string;
  /**
   * PEM client certificate (with its chain, if any) for TLS client authentication — kubeconfig's
   * `client-certificate-data` —, with `clientKey`. Needs an https API root and the built-in transport.
   */
  clientCert?: string;
  /** PEM private key of `clientCert`. Handed to the https Agent only; never appears in errors, logs or serialized objects. */
  clientKey?: string;
  /** Labs only: do not verify the server's certificate (a process warning is emitted). Not with `caCert`. */
  insecureSkipTlsVerify?: boolean;
  /** Per-attempt timeout in ms, default 30 000; for watches it covers only the wait for the response headers. */
  timeoutMs?: number;
  /** Sustained requests per second, default 10 (0: the default; `Infinity` or negative: no client-side limit). */
  qps?: number;
  /** Token bucket size, default 40. */
  burst?: number;
  /** Retries after the first attempt, default 10 (client-go's). */
  maxRetries?: number;
  /** Injected transport (tests: the fake cluster's handler). Not combinable with `caCert`/`insecureSkipTlsVerify`. */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Time source for the rate limiter, timeouts and backoff, and the default of the executor and the watcher that use
   * this client. Default: the clock the injected `fetch` belongs to (the fake cluster's `fetch` carries its virtual
   * clock), else the system clock.
   */
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
  /** The client's clock: what `applyPlan` and `followEnvironment` use unless told otherwise. */
  readonly clock: Clock;
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
  apply<T>(objectPath: string, body: unknown, opts: { fieldManager: string; force?: boolean; signal?: AbortSignal; dryRun?: boolean }): Promise<T>;
  /** PATCH application/merge-patch+json (RFC 7386). */
  mergePatch<T>(objectPath: string, patch: unknown, opts?: { signal?: AbortSignal }): Promise<T>;
  delete(objectPath: string, opts?: { propagationPolicy?: "Background" | "Foreground" | "Orphan"; signal?: AbortSignal }): Promise<void>;
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

/** `createKubeClient` composed: the base fetch (./https-fetch.ts) under the transport (./transport.ts) under openapi-fetch. */
export function createKubeClient(config: KubeClientConfig): KubeClient {
  const {
    token,
    caCert,
    insecureSkipTlsVerify = false,
    timeoutMs: defaultTimeoutMs = KUBE_DEFAULT_TIMEOUT_MS,
    qps = KUBE_DEFAULT_QPS,
    burst = KUBE_DEFAULT_BURST,
    maxRetries = KUBE_DEFAULT_MAX_RETRIES,
    clock = clockOfFetch(config.fetch) ?? systemClock,
    random = Math.random,
    userAgent = KUBE_DEFAULT_USER_AGENT,
    onRetry,
  } = config;
  const apiRootUrl = normalizeRoot(config.apiRootUrl);
  const clientCertificate = clientCertificateOf(config);
  if (token === undefined ? clientCertificate === undefined : typeof token !== "string") {
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig.token must be a string (it may be left out only with clientCert and clientKey)");
  }
  const baseFetch = createBaseFetch(apiRootUrl, config.fetch, { caCert, insecureSkipTlsVerify, clientCertificate });
  const limiter = createRateLimiter(qps, burst, clock, { qps: KUBE_DEFAULT_QPS, burst: KUBE_DEFAULT_BURST });
  // The same QPS and burst, a budget of their own: the leases' traffic is a renewal per customer every 10 s.
  const leaseLimiter = createRateLimiter(qps, burst, clock, { qps: KUBE_DEFAULT_QPS, burst: KUBE_DEFAULT_BURST });
  const redact = redactorFor(token ?? "");
  const send = createTransport({ apiRootUrl, token: token ?? "", userAgent, baseFetch, limiter, leaseLimiter, clock, random, maxRetries, onRetry, redact });
  const ctx = createCallContext(apiRootUrl, send, redact, clock, defaultTimeoutMs);
  const verbs = kubeVerbs(ctx);

  const client: KubeClient & { toString(): string; toJSON(): unknown } = {
    apiRootUrl,
    clock,
    api: ctx.api,
    request: (req) => requestAny(ctx, req),
    get: verbs.get,
    list: verbs.list,
    create: verbs.create,
    replace: verbs.replace,
    apply: verbs.apply,
    mergePatch: verbs.mergePatch,
    delete: verbs.delete,
    watch: (path, opts) => watchEvents(ctx, path, opts),
    logs: verbs.logs,
    accessReview: (attrs) => accessReview(ctx, attrs),
    rulesReview: (namespace, opts = {}) => rulesReview(ctx, namespace, opts),
    toString: () => `KubeClient(${apiRootUrl})`,
    toJSON: () => ({ apiRootUrl }),
  };
  return client;
}

/** The client certificate and key, both or neither; read once from the config, never kept on the client. */
function clientCertificateOf(config: KubeClientConfig): { cert: string; key: string } | undefined {
  const { clientCert: cert, clientKey: key } = config;
  if (cert === undefined && key === undefined) return undefined;
  if (typeof cert !== "string" || typeof key !== "string" || cert === "" || key === "") {
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig: clientCert and clientKey go together (both PEM strings)");
  }
  return { cert, key };
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
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig.apiRootUrl must not carry credentials; use `token` or `clientCert`");
  }
  return url.href.replace(/\/+$/, "");
}
