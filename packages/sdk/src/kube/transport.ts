/**
 * The client's transport: the `fetch` handed to openapi-fetch, through which every call goes. It adds the
 * credentials, waits for the rate limiter (./rate-limit.ts), enforces the per-attempt timeout and retries what is
 * safe to retry (./retry.ts), so typed and generic calls behave alike.
 *
 * The bearer token lives only in the closure of `createTransport` (and of `redactorFor`): it is added to the
 * outgoing Request at the last moment and never stored on an object, and every text that goes into an error is
 * redacted (./errors.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { VIRTUAL_CLOCK_HEADER, type Clock } from "../core/clock.js";
import { SredaError } from "../core/errors.js";
import type { KubeClientConfig, KubeRetryInfo } from "./client.js";
import { KubeNetworkError, kubeStatusErrorFrom, parseRetryAfter, redactBearer, statusRetryAfterSeconds, stripQuery, type Redact } from "./errors.js";
import { NULL_BODY_STATUS, type BaseFetch } from "./https-fetch.js";
import { createTokenBucket, unlimitedRateLimiter, type RateLimiter } from "./rate-limit.js";
import { retryVerdict, withRetries, type AttemptOutcome, type RetryVerdict } from "./retry.js";
import { followSignals } from "./signals.js";

/** One per process, as customerLocks: a client of one copy of the SDK reports retries to an executor of the other. */
const retryObservers: AsyncLocalStorage<(info: KubeRetryInfo) => void> = ((
  globalThis as Record<symbol, AsyncLocalStorage<(info: KubeRetryInfo) => void> | undefined>
)[Symbol.for("@sreda/sdk:retryObservers")] ??= new AsyncLocalStorage());

/**
 * Runs `fn` so that every retry the client makes inside it (on any client) is reported to `observer` — how
 * the executor turns the transport's silent retries into "retrying" events of the step that caused them.
 */
export function observeKubeRetries<T>(observer: (info: KubeRetryInfo) => void, fn: () => Promise<T>): Promise<T> {
  return retryObservers.run(observer, fn);
}

/** What the transport needs to know about one call besides the Request itself. */
export interface SendPolicy {
  idempotent: boolean;
  /** Per attempt; 0 = none. */
  timeoutMs: number;
  /** Hand the body over unread (watch); otherwise it is read within the timeout and buffered. */
  stream: boolean;
}

export type Send = (request: Request, policy: SendPolicy) => Promise<Response>;

interface TransportOptions {
  /** Normalized, without a final slash. */
  apiRootUrl: string;
  /** "" when a client certificate authenticates alone (./https-fetch.ts): no Authorization header is sent. */
  token: string;
  userAgent: string;
  baseFetch: BaseFetch;
  limiter: RateLimiter;
  /**
   * The bucket of the requests to coordination.k8s.io (the customers' Leases): client-go's leader election runs on a
   * client of its own, so a renewal never waits behind a rollout's queue of other requests — a lease not renewed
   * within its deadline is lost, and with it the customer's run.
   */
  leaseLimiter: RateLimiter;
  clock: Clock;
  random: () => number;
  maxRetries: number;
  onRetry: KubeClientConfig["onRetry"];
  redact: Redact;
}

/** One request as every attempt sends it: credentials added, body read once. */
interface Outgoing {
  url: string;
  method: string;
  /** Below the API root, without the query string, redacted: what errors and onRetry may show. */
  path: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer> | undefined;
  redirect: RequestRedirect;
  signal: AbortSignal;
}

interface AttemptResult {
  response: Response;
  outcome?: AttemptOutcome;
}

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

/** Scrubs the token (and any `Bearer …`) from a text. */
export function redactorFor(token: string): Redact {
  return (text) => redactBearer(token.length >= 4 ? text.split(token).join("[REDACTED]") : text);
}

/** As client-go's rest.Config: 0 means the default, a negative (or infinite) QPS turns client-side limiting off. */
/** The API group of the customers' locks. */
const LEASE_PATH_PREFIX = "/apis/coordination.k8s.io/";

export function createRateLimiter(qps: number, burst: number, clock: Clock, defaults: { qps: number; burst: number }): RateLimiter {
  return qps < 0 || qps === Infinity ? unlimitedRateLimiter : createTokenBucket({ qps: qps || defaults.qps, burst: burst || defaults.burst, clock });
}

/** The transport: credentials, rate limit, timeout and retries around the base fetch. */
export function createTransport(options: TransportOptions): Send {
  const { apiRootUrl, token, userAgent, clock, redact } = options;
  /** Path below the API root without the query string: what errors and onRetry may show. */
  const pathOf = (url: string): string => redact(stripQuery(url.startsWith(apiRootUrl) ? url.slice(apiRootUrl.length) || "/" : url));

  return async function send(request, policy) {
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
    const outgoing: Outgoing = { url: request.url, method, path, headers, body, redirect: request.redirect, signal };

    const result = await withRetries(
      () => attemptOnce(options, outgoing, policy),
      (r) => judge(r, policy.idempotent),
      {
        maxRetries: options.maxRetries,
        clock,
        random: options.random,
        signal,
        onRetry: (info) => {
          options.onRetry?.({ method, path, ...info });
          retryObservers.getStore()?.({ method, path, ...info });
        },
      },
    );
    return result.response;
  };
}

function judge(result: { value: AttemptResult } | { error: unknown }, idempotent: boolean): RetryVerdict {
  if ("error" in result) return retryVerdict(result, idempotent);
  return result.value.outcome ? retryVerdict(result.value.outcome, idempotent) : { retry: false, reason: "OK" };
}

/** One attempt: a token from the limiter, the request under the attempt's timeout, the answer buffered (unless streamed). */
async function attemptOnce(options: TransportOptions, out: Outgoing, policy: SendPolicy): Promise<AttemptResult> {
  const { method, path, signal } = out;
  await (path.startsWith(LEASE_PATH_PREFIX) ? options.leaseLimiter : options.limiter).acquire(signal);
  const stopTimer = new AbortController();
  const timeout = new AbortController();
  const followed = followSignals([signal, timeout.signal]);
  const attemptSignal = followed.signal;
  // A streamed answer (a watch) reads on after this returns: it keeps following the caller's signal.
  let streaming = false;
  if (policy.timeoutMs > 0) {
    options.clock.sleep(policy.timeoutMs, stopTimer.signal).then(
      () => timeout.abort(new KubeNetworkError({ method, path, description: `timed out after ${policy.timeoutMs} ms`, timedOut: true })),
      () => undefined,
    );
  }
  const aborted = rejectOnAbort(attemptSignal);
  try {
    const init: RequestInit = { method, headers: out.headers, signal: attemptSignal, redirect: out.redirect };
    if (out.body !== undefined) init.body = out.body;
    const response = await Promise.race([options.baseFetch(new Request(out.url, init)), aborted]);
    assertSameClock(options.clock, response);
    if (policy.stream && response.ok) {
      streaming = true;
      return { response };
    }
    const buffer = await Promise.race([response.arrayBuffer(), aborted]);
    return bufferedAnswer(options, out, response, buffer);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (timeout.signal.aborted) throw timeout.signal.reason;
    if (err instanceof SredaError && err.code === "CLOCK_MISMATCH") throw err;
    throw networkErrorFrom(err, method, path, options.redact);
  } finally {
    stopTimer.abort();
    if (!streaming) followed.dispose();
  }
}

/**
 * The fake cluster on a virtual clock names it in every answer: a client on another clock (the system's) would wait
 * minutes of real time for what the fake simulates in milliseconds, so it stops at the first answer and says why.
 */
function assertSameClock(clock: Clock, response: Response): void {
  const virtual = response.headers.get(VIRTUAL_CLOCK_HEADER);
  if (virtual === null || clock.virtualClockId === virtual) return;
  throw new SredaError(
    "CLOCK_MISMATCH",
    `the cluster is Sreda's fake cluster on a virtual clock (${virtual}) and this client runs on ${clock.virtualClockId ? `another virtual clock (${clock.virtualClockId})` : "the system clock"}: ` +
      "create the client with createKubeClient(cluster.clientConfig), or pass clock: cluster.clock to createKubeClient",
    { virtualClock: virtual },
  );
}

/** Settles when the attempt is aborted, so that a transport ignoring the signal cannot hang us. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  return aborted;
}

/** The answer with its body in memory, and — when it is not 2xx — what the retry rules need to know of it. */
function bufferedAnswer(options: TransportOptions, out: Outgoing, answer: Response, buffer: ArrayBuffer): AttemptResult {
  const response = new Response(NULL_BODY_STATUS.has(answer.status) ? null : buffer, {
    status: answer.status,
    statusText: answer.statusText,
    headers: answer.headers,
  });
  if (response.ok) return { response };
  const parsed = parseMaybeJson(new TextDecoder().decode(buffer));
  const headerSeconds = parseRetryAfter(response.headers.get("retry-after"), options.clock.now());
  const bodySeconds = statusRetryAfterSeconds(parsed);
  const outcome: AttemptOutcome = {
    status: response.status,
    reason: kubeStatusErrorFrom({ status: response.status, body: parsed, method: out.method, path: out.path, redact: options.redact }).reason,
  };
  const seconds = Math.max(headerSeconds ?? -1, bodySeconds ?? -1);
  if (seconds >= 0) outcome.retryAfterSeconds = seconds;
  return { response, outcome };
}

function isBelowRoot(url: string, root: string): boolean {
  return url === root || url.startsWith(`${root}/`) || url.startsWith(`${root}?`);
}

/** JSON when the text is JSON, else the text itself. */
export function parseMaybeJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Turns whatever the transport threw into a `KubeNetworkError` with the innermost system error code. */
export function networkErrorFrom(err: unknown, method: string, path: string, redact: Redact): KubeNetworkError {
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
