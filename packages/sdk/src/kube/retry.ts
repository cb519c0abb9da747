/**
 * Retries with exponential backoff and full jitter (delay = random(0, min(cap, base·2^n)), "Exponential
 * Backoff And Jitter", AWS Architecture Blog, 2015): many Sreda clients hitting one overloaded API server spread
 * out instead of retrying in lock-step. The server's own ask (`Retry-After`, `details.retryAfterSeconds`) is the
 * least we wait and the jitter comes on top of it, never more than the cap: clients the max-in-flight filter
 * refused at the same moment all read "Retry-After: 1", and waiting exactly that brings them back together to be
 * refused again (seen on the real server: six customers at once spent a request's five retries that way, which is also why we allow client-go's ten).
 *
 * What is retried (decided by `retryVerdict`):
 * - 429 TooManyRequests, for every verb, POST included. The API server sends 429 from its max-in-flight and
 *   API Priority and Fairness filters, which reject a request *before* any handler runs (so nothing was stored),
 *   and a proxy's rate limit rejects before forwarding; repeating the request cannot do anything twice.
 *   client-go likewise retries any verb that got a 429 with Retry-After (rest/with_retry.go).
 * - 500, 502, 503, 504 and network errors (refused, reset, timed out) only for requests safe to repeat
 *   (`idempotent`): a POST that timed out may well have created the object.
 * - Never a TLS verification failure: the certificate will not change between attempts.
 */
import type { Clock } from "../core/clock.js";
import { KubeNetworkError } from "./errors.js";

export const KUBE_DEFAULT_BASE_DELAY_MS = 200;
export const KUBE_DEFAULT_MAX_DELAY_MS = 30_000;
/** client-go's own (rest.Request's maxRetries): a busy server may refuse the same request several times in a row. */
export const KUBE_DEFAULT_MAX_RETRIES = 10;

/** HTTP codes worth another try (for 5xx only when the request is idempotent). */
const KUBE_RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

interface BackoffOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Uniform in [0, 1): the jitter source. */
  random: () => number;
}

/**
 * Delay before retry number `retry` (0 for the first retry): full-jitter backoff, after the server's ask when
 * there is one, capped.
 */
export function retryDelayMs(retry: number, serverAskMs: number | undefined, options: BackoffOptions): number {
  const base = options.baseDelayMs ?? KUBE_DEFAULT_BASE_DELAY_MS;
  const cap = options.maxDelayMs ?? KUBE_DEFAULT_MAX_DELAY_MS;
  const ceiling = Math.min(cap, base * 2 ** retry);
  const backoff = Math.floor(options.random() * ceiling);
  return Math.min(cap, (serverAskMs ?? 0) + backoff);
}

export interface RetryVerdict {
  retry: boolean;
  /** Why: the reason of the answer (`TooManyRequests`, `ServiceUnavailable`, …) or `NetworkError`/`Timeout`. */
  reason: string;
  /** The server's ask, in milliseconds. */
  retryAfterMs?: number;
}

/** An answer or a failure of one attempt, as `retryVerdict` needs to see it. */
export type AttemptOutcome = { status: number; reason: string; retryAfterSeconds?: number } | { error: unknown };

/** Should this attempt be repeated? See the module comment for the rules and why. */
export function retryVerdict(outcome: AttemptOutcome, idempotent: boolean): RetryVerdict {
  if ("error" in outcome) {
    const error = outcome.error;
    if (!(error instanceof KubeNetworkError)) return { retry: false, reason: "Error" };
    return { retry: idempotent && !error.tls, reason: error.timedOut ? "Timeout" : "NetworkError" };
  }
  const verdict: RetryVerdict = {
    retry: KUBE_RETRYABLE_STATUS.has(outcome.status) && (outcome.status === 429 || idempotent),
    reason: outcome.reason,
  };
  if (outcome.retryAfterSeconds !== undefined) verdict.retryAfterMs = outcome.retryAfterSeconds * 1000;
  return verdict;
}

export interface RetryInfo {
  /** 1 for the first retry: how many attempts have failed so far. */
  attempt: number;
  delayMs: number;
  reason: string;
}

interface WithRetriesOptions extends BackoffOptions {
  maxRetries: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Called before each wait. */
  onRetry?: (info: RetryInfo) => void;
}

/**
 * Runs `attempt` until `judge` says stop or `maxRetries` retries are spent, then returns the last value or
 * throws the last error. An abort of `signal` ends everything at once with the signal's reason.
 */
export async function withRetries<T>(
  attempt: (retry: number) => Promise<T>,
  judge: (result: { value: T } | { error: unknown }) => RetryVerdict,
  options: WithRetriesOptions,
): Promise<T> {
  const { signal, clock } = options;
  for (let retry = 0; ; retry++) {
    if (signal?.aborted) throw signal.reason;
    let result: { value: T } | { error: unknown };
    try {
      result = { value: await attempt(retry) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      result = { error };
    }
    const verdict = judge(result);
    if (!verdict.retry || retry >= options.maxRetries) {
      if ("error" in result) throw result.error;
      return result.value;
    }
    const delayMs = retryDelayMs(retry, verdict.retryAfterMs, options);
    options.onRetry?.({ attempt: retry + 1, delayMs, reason: verdict.reason });
    await clock.sleep(delayMs, signal);
  }
}
