/**
 * Time comes in from outside: the executor, the watcher and the fake cluster take a `Clock`, so tests can run
 * minutes of simulated rollout in milliseconds and repeat exactly.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A virtual clock's id (see VIRTUAL_CLOCK_HEADER); absent on the system clock. */
  readonly virtualClockId?: string;
}

/**
 * Set by a virtual clock (the fake cluster's): the fake names it in a `Sreda-Virtual-Clock` response header, and a
 * client on another clock stops at its first answer instead of waiting minutes of real time for simulated work.
 */
export const VIRTUAL_CLOCK_HEADER = "sreda-virtual-clock";

/** The property under which a fetch carries the clock it must be used with (the fake cluster's `fetch`). */
export const FETCH_CLOCK = Symbol.for("@sreda/sdk:fetchClock");

/** The clock a fetch says it belongs to, if any. */
export function clockOfFetch(fetch: unknown): Clock | undefined {
  return typeof fetch === "function" ? ((fetch as unknown as Record<symbol, Clock | undefined>)[FETCH_CLOCK] ?? undefined) : undefined;
}
