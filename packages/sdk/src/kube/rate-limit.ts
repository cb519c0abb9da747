/**
 * Client-side rate limiting: a token bucket as client-go's `flowcontrol.NewTokenBucketRateLimiter(qps, burst)`
 * builds it (golang.org/x/time/rate): the bucket holds up to `burst` tokens and refills at `qps` tokens per
 * second; every request (every retry too, as client-go's `tryThrottle` does) takes one token. When the bucket is
 * empty a request *reserves* the next token and waits for it, so concurrent callers are served in arrival order
 * and the long-run rate never exceeds `qps`. Time comes from the injected clock; a wait ends at once on abort
 * and gives its reservation back.
 */
import type { Clock } from "../core/clock.js";

export interface RateLimiter {
  /** Resolves when this request may go; rejects with the signal's reason when aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
}

interface TokenBucketOptions {
  /** Sustained requests per second (> 0). */
  qps: number;
  /** Bucket size: how many requests may go at once after a quiet period (>= 1). */
  burst: number;
  clock: Clock;
}

/** A limiter that never waits (`qps` of `Infinity` or below zero, as client-go's negative QPS). */
export const unlimitedRateLimiter: RateLimiter = {
  acquire: (signal) => (signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve()),
};

export function createTokenBucket({ qps, burst, clock }: TokenBucketOptions): RateLimiter {
  if (!(qps > 0) || !Number.isFinite(qps)) throw new RangeError(`qps must be a positive finite number, got ${qps}`);
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);
  const capacity = Math.floor(burst);
  let tokens = capacity; // may go negative: that many tokens are already reserved by waiting callers
  let last = clock.now();

  function refill(now: number): void {
    if (now > last) {
      tokens = Math.min(capacity, tokens + ((now - last) / 1000) * qps);
      last = now;
    }
  }

  return {
    async acquire(signal) {
      if (signal?.aborted) throw signal.reason;
      refill(clock.now());
      tokens -= 1;
      if (tokens >= 0) return;
      const waitMs = Math.ceil((-tokens / qps) * 1000);
      try {
        await clock.sleep(waitMs, signal);
      } catch (err) {
        // Like rate.Reservation.Cancel: the token we will not use goes back to the bucket.
        refill(clock.now());
        tokens = Math.min(capacity, tokens + 1);
        throw err;
      }
    },
  };
}
