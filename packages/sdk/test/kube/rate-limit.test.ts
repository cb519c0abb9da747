import { FakeClock } from "../support/fake-clock.js";
import { describe, expect, it } from "vitest";
import { createTokenBucket, unlimitedRateLimiter } from "../../src/kube/rate-limit.js";

/** Starts `n` acquisitions at once and records the clock time at which each is granted. */
function acquireMany(limiter: ReturnType<typeof createTokenBucket>, clock: FakeClock, n: number, signal?: AbortSignal) {
  const granted: (number | "aborted")[] = [];
  const all = Promise.all(
    Array.from({ length: n }, (_, i) =>
      limiter.acquire(signal).then(
        () => void (granted[i] = clock.now()),
        () => void (granted[i] = "aborted"),
      ),
    ),
  );
  return { granted, all };
}

describe("token bucket (client-go flowcontrol)", () => {
  it("qps 2, burst 2: the burst goes at once, then one request every 500 ms", async () => {
    const clock = new FakeClock();
    const limiter = createTokenBucket({ qps: 2, burst: 2, clock });
    const { granted, all } = acquireMany(limiter, clock, 5);
    await clock.flush();
    expect(granted.filter((t) => t !== undefined)).toEqual([0, 0]);
    await clock.advance(499);
    expect(granted.filter((t) => t !== undefined)).toEqual([0, 0]);
    await clock.advance(1);
    expect(granted.filter((t) => t !== undefined)).toEqual([0, 0, 500]);
    await clock.advance(1000);
    await all;
    expect(granted).toEqual([0, 0, 500, 1000, 1500]);
  });

  it("refills at qps up to burst after a quiet period, never more", async () => {
    const clock = new FakeClock();
    const limiter = createTokenBucket({ qps: 10, burst: 3, clock });
    await acquireMany(limiter, clock, 3).all; // empties the bucket
    await clock.advance(60_000); // a minute of quiet refills only `burst` tokens
    const { granted, all } = acquireMany(limiter, clock, 5);
    await clock.advance(1000);
    await all;
    expect(granted.map((t) => (t as number) - 60_000)).toEqual([0, 0, 0, 100, 200]);
  });

  it("a partly refilled bucket: waits only for the missing fraction", async () => {
    const clock = new FakeClock();
    const limiter = createTokenBucket({ qps: 4, burst: 1, clock });
    await limiter.acquire();
    await clock.advance(100); // 0.4 of a token back
    const { granted, all } = acquireMany(limiter, clock, 1);
    await clock.advance(1000);
    await all;
    expect(granted).toEqual([250]);
  });

  it("an abort while waiting rejects at once and gives the reservation back", async () => {
    const clock = new FakeClock();
    const limiter = createTokenBucket({ qps: 1, burst: 1, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    await clock.flush();
    controller.abort(new Error("cancelled by the operator"));
    await expect(waiting).rejects.toThrow("cancelled by the operator");
    expect(clock.now()).toBe(0);
    // The next caller waits one token's time, not two.
    const { granted, all } = acquireMany(limiter, clock, 1);
    await clock.advance(5000);
    await all;
    expect(granted).toEqual([1000]);
  });

  it("an already aborted signal rejects without taking a token", async () => {
    const clock = new FakeClock();
    const limiter = createTokenBucket({ qps: 1, burst: 1, clock });
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
    await expect(limiter.acquire()).resolves.toBeUndefined(); // the token is still there
  });

  it("rejects a meaningless configuration", () => {
    const clock = new FakeClock();
    expect(() => createTokenBucket({ qps: 0, burst: 1, clock })).toThrow(RangeError);
    expect(() => createTokenBucket({ qps: 1, burst: 0, clock })).toThrow(RangeError);
    expect(() => createTokenBucket({ qps: Infinity, burst: 1, clock })).toThrow(RangeError);
  });

  it("unlimitedRateLimiter never waits", async () => {
    await expect(Promise.all(Array.from({ length: 100 }, () => unlimitedRateLimiter.acquire()))).resolves.toHaveLength(100);
    await expect(unlimitedRateLimiter.acquire(AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
  });
});
