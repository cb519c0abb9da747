/**
 * The fake cluster's time. Implements the SDK's `Clock`, so the executor, the watcher and the fake share one
 * notion of "now" and a ten-minute simulated rollout runs in milliseconds, the same way every time.
 *
 * Three modes:
 * - `auto` (default): time stands still while the process has work to do and jumps to the next timer when it has
 *   none. "No work" = nothing holds the clock (the fake holds it while it handles a request) and a few event-loop
 *   turns (`setImmediate`, i.e. after I/O callbacks) pass without anything touching the clock. Time only jumps
 *   while someone waits on it: a `sleep`, a `setTimer`, a watch with its timeout, a latency fault. Timers of the
 *   simulated controllers are *background* timers: they fire when time passes but never make it pass, so a
 *   crash-looping pod does not spin the clock forward while nobody is looking, and a test that only calls
 *   `settle()` sees a frozen instant.
 * - `manual`: only `advance(ms)` and `runUntilIdle()` move time.
 * - `realtime`: time follows the wall clock (for `listen()` during development); `advance` still jumps ahead.
 */
import type { Clock } from "../core/clock.js";
import { SredaError } from "../core/errors.js";

export interface VirtualClockOptions {
  /** Start time: epoch milliseconds, an ISO string or a Date. Default 2026-01-01T00:00:00Z (wall time in realtime mode). */
  start?: number | string | Date;
  /** Jump to the next timer when idle (default true). `false` = manual mode. */
  auto?: boolean;
  /** Follow wall time (ignores `auto`). */
  realtime?: boolean;
}

export interface TimerOptions {
  /** A background timer fires when time reaches it but never makes an auto clock advance (default false). */
  background?: boolean;
}

export type VirtualClockMode = "auto" | "manual" | "realtime";

export interface VirtualClock extends Clock {
  readonly mode: VirtualClockMode;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` when the clock reaches now + ms; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void, options?: TimerOptions): () => void;
  /** Moves time forward by `ms`, firing every timer on the way in order and letting the process react after each. */
  advance(ms: number): Promise<void>;
  /**
   * Fires timers (background ones too) until none is left; returns how many fired. Throws `SredaError`
   * `FAKE_CLOCK_RUNAWAY` after `maxTimers` (default 100 000): a crash-looping pod never runs out of timers.
   */
  runUntilIdle(options?: { maxTimers?: number }): Promise<number>;
  /** Timers not yet fired or cancelled. */
  pendingTimers(options?: { background?: boolean }): number;
  /** Keeps an auto clock from jumping until the returned release function is called (the fake holds it per request). */
  hold(): () => void;
}

/** Default start of a virtual clock: a fixed instant, so timestamps repeat across runs. */
export const DEFAULT_CLOCK_START = Date.UTC(2026, 0, 1, 0, 0, 0);

/** Event-loop turns without clock activity before an auto clock jumps. */
const IDLE_TURNS = 3;

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  background: boolean;
  done: boolean;
  real?: ReturnType<typeof setTimeout>;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function toMillis(start: number | string | Date | undefined, fallback: number): number {
  if (start === undefined) return fallback;
  const ms = typeof start === "number" ? start : new Date(start).getTime();
  if (!Number.isFinite(ms)) throw new SredaError("INVALID_INPUT", `invalid virtual clock start: ${String(start)}`);
  return ms;
}

let clockCount = 0;

export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const mode: VirtualClockMode = options.realtime ? "realtime" : options.auto === false ? "manual" : "auto";
  const wallStart = Date.now();
  const start = toMillis(options.start, mode === "realtime" ? wallStart : DEFAULT_CLOCK_START);
  let current = start;
  /** realtime: virtual time = start + wall elapsed + offset (from advance). */
  let offset = 0;
  let seq = 0;
  const timers: Timer[] = []; // sorted by (at, seq)
  let foreground = 0;
  let holds = 0;
  let activity = 0;
  let pumping = false;

  const now = (): number => (mode === "realtime" ? start + (Date.now() - wallStart) + offset : current);

  function insert(timer: Timer): void {
    let lo = 0;
    let hi = timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = timers[mid]!;
      if (t.at < timer.at || (t.at === timer.at && t.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    timers.splice(lo, 0, timer);
  }

  function remove(timer: Timer): void {
    if (timer.done) return;
    timer.done = true;
    if (!timer.background) foreground--;
    if (timer.real !== undefined) clearTimeout(timer.real);
    const i = timers.indexOf(timer);
    if (i >= 0) timers.splice(i, 1);
  }

  function fire(timer: Timer): void {
    remove(timer);
    activity++;
    try {
      timer.fn();
    } catch (error) {
      // A bug in a timer callback must not vanish: rethrow outside the clock's loop.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** Fires every timer due at or before `limit`, earliest first, at its own time. Returns how many fired. */
  function fireDue(limit: number): number {
    let count = 0;
    for (let first = timers[0]; first !== undefined && first.at <= limit; first = timers[0]) {
      if (mode !== "realtime") current = Math.max(current, first.at);
      fire(first);
      count++;
    }
    return count;
  }

  /** Fires the earliest timer and every other timer due at that same instant. */
  function fireNextGroup(): number {
    const first = timers[0];
    if (!first) return 0;
    if (mode === "realtime") offset += Math.max(0, first.at - now());
    else current = Math.max(current, first.at);
    return fireDue(first.at);
  }

  async function settle(): Promise<void> {
    for (let i = 0; i < IDLE_TURNS; i++) await turn();
  }

  function kick(): void {
    if (mode !== "auto" || pumping || foreground === 0 || holds > 0) return;
    pumping = true;
    void pump();
  }

  async function pump(): Promise<void> {
    try {
      let seen = activity;
      let quiet = 0;
      while (quiet < IDLE_TURNS) {
        await turn();
        if (holds > 0 || foreground === 0) return; // release() / the next setTimer kicks again
        if (activity !== seen) {
          seen = activity;
          quiet = 0;
        } else quiet++;
      }
      fireNextGroup();
    } finally {
      pumping = false;
    }
    kick();
  }

  /**
   * realtime: a wall-clock timeout for the timer. Node's timers run on a monotonic clock and `now()` reads
   * Date.now(), which can lag it; a timeout that finds its timer not yet due re-arms for the rest instead of
   * leaving it to the next unrelated activity. A foreground timer keeps the process alive (a script's top-level
   * `await clock.sleep()`); a background one does not.
   */
  function armReal(timer: Timer): void {
    timer.real = setTimeout(
      () => {
        timer.real = undefined;
        if (timer.done) return;
        if (timer.at > now()) armReal(timer);
        else fireDue(now());
      },
      Math.max(0, timer.at - now()),
    );
    if (timer.background) timer.real.unref?.();
  }

  function setTimer(ms: number, fn: () => void, timerOptions: TimerOptions = {}): () => void {
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
    const timer: Timer = { at: now() + delay, seq: seq++, fn, background: timerOptions.background === true, done: false };
    insert(timer);
    if (!timer.background) foreground++;
    activity++;
    if (mode === "realtime") armReal(timer);
    kick();
    return () => {
      activity++;
      remove(timer);
    };
  }

  const clock: VirtualClock = {
    mode,
    // A realtime clock follows the wall clock: a client on the system clock is right with it; the others are named.
    ...(mode === "realtime" ? {} : { virtualClockId: `fake-clock-${++clockCount}` }),
    now,
    setTimer,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = (): void => {
          cancel();
          reject(signal!.reason);
        };
        const cancel = setTimer(ms, () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    async advance(ms) {
      const target = now() + Math.max(0, ms);
      for (let first = timers[0]; first !== undefined && first.at <= target; first = timers[0]) {
        fireNextGroup();
        await settle();
      }
      if (mode === "realtime") offset += Math.max(0, target - now());
      else current = Math.max(current, target);
      await settle();
    },
    async runUntilIdle({ maxTimers = 100_000 } = {}) {
      let fired = 0;
      while (timers.length > 0) {
        fired += fireNextGroup();
        if (fired > maxTimers) {
          throw new SredaError("FAKE_CLOCK_RUNAWAY", `runUntilIdle fired more than ${maxTimers} timers; something reschedules forever (a crash-looping pod?)`, {
            fired,
          });
        }
        await settle();
      }
      return fired;
    },
    pendingTimers({ background } = {}) {
      if (background === undefined) return timers.length;
      return timers.filter((t) => t.background === background).length;
    },
    hold() {
      holds++;
      activity++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        activity++;
        kick();
      };
    },
  };
  return clock;
}
