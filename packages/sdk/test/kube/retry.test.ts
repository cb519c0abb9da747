import { FakeClock } from "../support/fake-clock.js";
import { describe, expect, it } from "vitest";
import { KubeNetworkError } from "../../src/kube/errors.js";
import { retryDelayMs, retryVerdict, withRetries, type RetryInfo, type RetryVerdict } from "../../src/kube/retry.js";

const network = (init: Partial<ConstructorParameters<typeof KubeNetworkError>[0]> = {}) =>
  new KubeNetworkError({ method: "GET", path: "/api/v1/pods", description: "connect ECONNREFUSED", ...init });

describe("retryDelayMs: full jitter, above the server's ask, capped", () => {
  it.each([
    // retry, random, server ask (ms), expected
    [0, 0.5, undefined, 100], // 0.5 · 200
    [1, 0.5, undefined, 200], // 0.5 · 400
    [3, 0.999, undefined, 1598], // ⌊0.999 · 1600⌋
    [20, 0.999, undefined, 29_970], // the ceiling is capped at 30 s before the jitter
    [0, 0, undefined, 0], // full jitter may retry at once
    [0, 0, 3000, 3000], // Retry-After is the least we wait
    [0, 0.5, 3000, 3100], // the jitter comes on top of it: 3000 + 0.5 · 200
    [2, 0.999, 1000, 1799], // 1000 + ⌊0.999 · 800⌋
    [8, 0.99, 1000, 30_000], // 1000 + 0.99 · 30 000, capped
    [0, 0.5, 120_000, 30_000], // even the server's ask is capped
  ])("retry %i, random %f, server %s ms → %i ms", (retry, r, ask, expected) => {
    expect(retryDelayMs(retry, ask, { random: () => r })).toBe(expected);
  });

  it("clients refused together with the same Retry-After do not come back together", () => {
    // Six clients told "Retry-After: 1" at the same moment: with the ask as the whole delay they would all return
    // at exactly +1000 ms and collide again (the cause of lost 429 retries on a real max-in-flight server).
    const delays = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8].map((r) => retryDelayMs(0, 1000, { random: () => r }));
    expect(new Set(delays).size).toBe(6);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
  });

  it("takes its base and cap from the options", () => {
    expect(retryDelayMs(2, undefined, { random: () => 0.5, baseDelayMs: 1000, maxDelayMs: 3000 })).toBe(1500);
  });
});

describe("retryVerdict: what is safe to repeat", () => {
  it.each([
    // outcome, idempotent, retry?
    ["429", { status: 429, reason: "TooManyRequests" }, false, true],
    ["429", { status: 429, reason: "TooManyRequests" }, true, true],
    ["500", { status: 500, reason: "InternalError" }, true, true],
    ["500", { status: 500, reason: "InternalError" }, false, false],
    ["502", { status: 502, reason: "BadGateway" }, true, true],
    ["503", { status: 503, reason: "ServiceUnavailable" }, true, true],
    ["503", { status: 503, reason: "ServiceUnavailable" }, false, false],
    ["504", { status: 504, reason: "Timeout" }, true, true],
    ["501", { status: 501, reason: "Unknown" }, true, false],
    ["409", { status: 409, reason: "Conflict" }, true, false],
    ["404", { status: 404, reason: "NotFound" }, true, false],
    ["network", { error: network() }, true, true],
    ["network", { error: network() }, false, false],
    ["timeout", { error: network({ timedOut: true }) }, true, true],
    ["TLS verification", { error: network({ tls: true }) }, true, false],
    ["a programming error", { error: new TypeError("x is not a function") }, true, false],
  ] as const)("%s (idempotent: %s) → retry %s", (_name, outcome, idempotent, expected) => {
    expect(retryVerdict(outcome, idempotent).retry).toBe(expected);
  });

  it("carries the server's ask in milliseconds and names the reason", () => {
    expect(retryVerdict({ status: 429, reason: "TooManyRequests", retryAfterSeconds: 4 }, false)).toEqual({
      retry: true,
      reason: "TooManyRequests",
      retryAfterMs: 4000,
    });
    expect(retryVerdict({ error: network({ timedOut: true }) }, true).reason).toBe("Timeout");
  });
});

describe("withRetries", () => {
  type Outcome = { status: number; retryAfterSeconds?: number };
  const judge = (r: { value: Outcome } | { error: unknown }): RetryVerdict =>
    "error" in r
      ? retryVerdict(r, true)
      : r.value.status < 400
        ? { retry: false, reason: "OK" }
        : retryVerdict({ ...r.value, reason: `HTTP ${r.value.status}` }, true);

  function script(outcomes: (Outcome | Error)[], clock: FakeClock) {
    const at: number[] = [];
    const attempt = async () => {
      at.push(clock.now());
      const next = outcomes.shift();
      if (next === undefined) throw new Error("script exhausted");
      if (next instanceof Error) throw next;
      return next;
    };
    return { attempt, at };
  }

  it("waits the backoff between attempts and calls onRetry before each wait", async () => {
    const clock = new FakeClock();
    const { attempt, at } = script([{ status: 503 }, network(), { status: 429, retryAfterSeconds: 5 }, { status: 200 }], clock);
    const infos: (RetryInfo & { now: number })[] = [];
    const result = withRetries(attempt, judge, { maxRetries: 5, clock, random: () => 0.5, onRetry: (i) => infos.push({ ...i, now: clock.now() }) });
    await clock.advance(60_000);
    await expect(result).resolves.toEqual({ status: 200 });
    expect(at).toEqual([0, 100, 300, 5700]); // the third waits the server's 5 s plus 0.5 · 800
    expect(infos).toEqual([
      { attempt: 1, delayMs: 100, reason: "HTTP 503", now: 0 },
      { attempt: 2, delayMs: 200, reason: "NetworkError", now: 100 },
      { attempt: 3, delayMs: 5400, reason: "HTTP 429", now: 300 },
    ]);
  });

  it("gives up after maxRetries with the last value or error", async () => {
    const clock = new FakeClock();
    const a = script([{ status: 503 }, { status: 503 }, { status: 502 }], clock);
    const value = withRetries(a.attempt, judge, { maxRetries: 2, clock, random: () => 0 });
    await clock.advance(1000);
    await expect(value).resolves.toEqual({ status: 502 });
    expect(a.at).toHaveLength(3);

    const b = script([network(), network({ description: "the last one" })], clock);
    const error = withRetries(b.attempt, judge, { maxRetries: 1, clock, random: () => 0 }).catch((e: unknown) => e);
    await clock.advance(1000);
    expect(await error).toMatchObject({ code: "NetworkError", details: { description: "the last one" } });
  });

  it("maxRetries 0: one attempt only", async () => {
    const clock = new FakeClock();
    const { attempt, at } = script([{ status: 503 }], clock);
    await expect(withRetries(attempt, judge, { maxRetries: 0, clock, random: () => 0 })).resolves.toEqual({ status: 503 });
    expect(at).toEqual([0]);
  });

  it("an abort during the wait rejects at once with the signal's reason", async () => {
    const clock = new FakeClock();
    const { attempt, at } = script([{ status: 503, retryAfterSeconds: 30 }, { status: 200 }], clock);
    const controller = new AbortController();
    const result = withRetries(attempt, judge, { maxRetries: 5, clock, random: () => 0, signal: controller.signal }).catch((e: unknown) => e);
    await clock.flush();
    expect(clock.pending()).toEqual([30_000]);
    controller.abort(new Error("operator cancelled"));
    expect(await result).toMatchObject({ message: "operator cancelled" });
    expect(clock.now()).toBe(0);
    expect(at).toEqual([0]);
  });

  it("an attempt that fails because of the abort is not retried", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let calls = 0;
    const attempt = async () => {
      calls++;
      controller.abort();
      throw network();
    };
    const result = withRetries(attempt, judge, { maxRetries: 5, clock, random: () => 0, signal: controller.signal });
    await expect(result).rejects.toMatchObject({ name: "AbortError" });
    expect(calls).toBe(1);
  });
});
