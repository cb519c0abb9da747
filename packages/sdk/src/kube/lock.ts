/**
 * Per-customer mutual exclusion inside one process: two runs for the same customer never interleave.
 * The lock is a promise chain held in memory and released in `finally`, so neither an exception nor an abort
 * can leave it held; a crashed process takes its locks with it.
 */
import { SredaError } from "../core/errors.js";

export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Whether a run currently holds (or waits for) the key. */
  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /**
   * Runs `fn` while holding `key`. `mode: "wait"` queues behind the current holder; `"fail"` throws
   * `SredaError("LOCKED")` at once. A waiting caller can give up through `signal`.
   */
  async run<T>(key: string, fn: () => Promise<T>, options: { mode?: "wait" | "fail"; signal?: AbortSignal } = {}): Promise<T> {
    const previous = this.tails.get(key);
    if (previous && options.mode === "fail") {
      throw new SredaError("LOCKED", `Для ${key} уже выполняется другая операция`, { key });
    }
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = (previous ?? Promise.resolve()).then(() => mine);
    this.tails.set(key, tail);
    try {
      if (previous) await abortable(previous, options.signal);
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
    );
  });
}

/**
 * The process-wide lock the executor uses, keyed by cluster, namespace and customer. One per process even when the
 * SDK is loaded twice (its ESM and CJS builds): kept in the global symbol registry, so runs excluded by one copy are
 * excluded by the other.
 */
export const customerLocks: KeyedLock = ((globalThis as Record<symbol, KeyedLock | undefined>)[Symbol.for("@sreda/sdk:customerLocks")] ??= new KeyedLock());
