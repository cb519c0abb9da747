/**
 * Measuring against a peer in one run: the subjects take turns, round by round (A B, then B A, …), so a change of
 * load on a shared machine hits each of them alike, and each figure is the median of its rounds. A goal is then a
 * ratio of two medians from the same run, which machine load mostly cancels.
 */

/** One thing measured: each round does some work and returns its figure (ms per call, requests per second, …). */
export interface Subject {
  name: string;
  round: () => number | Promise<number>;
}

/** A subject's figures: one sample per round (the warm-up rounds left out) and their median and quartiles. */
export interface Measured {
  name: string;
  samples: number[];
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

export interface InterleaveOptions {
  /** Rounds that count. */
  rounds: number;
  /** Rounds run first and thrown away: compilation, caches, connection pools (default 1). */
  warmupRounds?: number;
  /** Called after each counted round (progress on the console). */
  onRound?: (round: number, figures: Record<string, number>) => void;
}

/** The value at fraction `p` (0…1) of sorted values, interpolated. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function summarize(name: string, samples: readonly number[]): Measured {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name,
    samples: [...samples],
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/**
 * Runs the subjects in alternating order — forward in even rounds, backward in odd ones (A B B A A B …) — and returns
 * each one's samples and median, by name.
 */
export async function interleave(subjects: readonly Subject[], options: InterleaveOptions): Promise<Record<string, Measured>> {
  const warmup = options.warmupRounds ?? 1;
  const samples = new Map(subjects.map((s) => [s.name, [] as number[]]));
  for (let round = 0; round < warmup + options.rounds; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    const figures: Record<string, number> = {};
    for (const subject of order) figures[subject.name] = await subject.round();
    if (round < warmup) continue;
    for (const [name, value] of Object.entries(figures)) samples.get(name)!.push(value);
    options.onRound?.(round - warmup + 1, figures);
  }
  return Object.fromEntries(subjects.map((s) => [s.name, summarize(s.name, samples.get(s.name)!)]));
}

export interface TimedOptions<C> {
  /** Calls per round; default: as many as fit in `targetMs`, counted in the first round (a warm-up) and then fixed. */
  calls?: number;
  /** Length of a round when `calls` is not given (default 200 ms). */
  targetMs?: number;
  /** Untimed preparation before each round (a fresh cluster, …); its result is passed to each call. */
  before?: () => C | Promise<C>;
  /** Untimed clean-up after each round. */
  after?: (context: C) => unknown;
}

/**
 * A round that times `fn`: milliseconds per call, over a fixed number of calls. A synchronous `fn` is not awaited,
 * so microsecond work is not measured together with the promise machinery.
 */
export function timed<C = undefined>(fn: (context: C) => unknown, options: TimedOptions<C> = {}): () => Promise<number> {
  let calls = options.calls;
  return async () => {
    const context = (options.before ? await options.before() : undefined) as C;
    try {
      const start = performance.now();
      let done = 0;
      for (; calls === undefined ? performance.now() - start < (options.targetMs ?? 200) : done < calls; done++) {
        const result = fn(context);
        if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") await result;
      }
      const elapsed = performance.now() - start;
      calls ??= Math.max(1, done);
      return elapsed / done;
    } finally {
      await options.after?.(context);
    }
  };
}

/** `a.median / b.median`: how many times `a`'s figure is `b`'s. */
export function ratio(a: Measured, b: Measured): number {
  return a.median / b.median;
}
