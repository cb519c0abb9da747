/**
 * Per-customer mutual exclusion: two runs for the same customer never interleave — in one process (`KeyedLock`, a
 * promise chain held in memory and released in `finally`, so neither an exception nor an abort can leave it held; a
 * crashed process takes its locks with it) and between processes (the customer's Lease in the cluster, ./lease.ts).
 * `withCustomerLock` holds both: the in-process lock first, so two runs of one process queue here instead of both
 * asking the API server.
 */
import type { Clock } from "../core/clock.js";
import { SredaError } from "../core/errors.js";
import type { KubeClient } from "./client.js";
import { systemClock } from "./clock.js";
import { acquireCustomerLease, defaultLockIdentity, lockedError, microTime, type LeaseTarget } from "./lease.js";

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

/** The key of the per-customer lock: the cluster (its API root), the namespace and the customer. */
export function customerLockKey(kube: Pick<KubeClient, "apiRootUrl">, target: LeaseTarget): string {
  return `${kube.apiRootUrl.replace(/\/+$/, "")}|${target.namespace}|${target.clientId}`;
}

export interface CustomerLockOptions {
  /**
   * Who holds the lock, told to a second caller; default `<hostname>-<pid>-<random>`, new for every holding. One name
   * per process (a bridge's configured name): a lease left under it by the process's previous life is taken back at
   * once; two live processes must never share one.
   */
  identity?: string;
  /** What the holder does ("provisioning", "suspend", "deprovision"), told to a second caller. */
  operation?: string;
  /** Default 30 s: the lease is renewed every third of it; others may take it over after it (./lease.ts). */
  leaseDurationSeconds?: number;
  /** When another run holds the customer (here or in another process): wait (default) or fail with code LOCKED. */
  whenLocked?: "wait" | "fail";
  /** Gives up waiting for the lock; also passed on, combined, to `fn`. */
  signal?: AbortSignal;
  /** Default: the client's clock. */
  clock?: Clock;
  /** Lock registry of this process (default: the process-wide one). */
  locks?: KeyedLock;
  /** Hold the customer's Lease too (default true); false keeps only the in-process lock, for a token without rights on leases. */
  lease?: boolean;
}

/** Who holds each key of a registry, for the in-process refusal's "in progress by …". */
const holders = new WeakMap<KeyedLock, Map<string, { identity: string; operation: string; since: string }>>();

/**
 * Runs `fn` holding the customer: the in-process lock, then the customer's Lease (unless `lease: false`), renewed
 * while `fn` runs and released when it ends. `fn`'s signal aborts when `options.signal` does, or when the lease is lost
 * (renewals failing until the renew deadline, or another holder took it over) — then, once `fn` has ended, this throws
 * the LOCK_LOST error the signal was aborted with, whatever `fn` returned: its work was no longer exclusive.
 * Throws LOCKED (held elsewhere, whenLocked "fail": the holder, its operation and since when in `details`),
 * LOCK_FAILED (the lease could not be read or written — no namespace, no right, unreachable; `cause` says why) or the
 * signal's reason (aborted while waiting).
 */
export async function withCustomerLock<T>(
  kube: KubeClient,
  target: LeaseTarget,
  options: CustomerLockOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const locks = options.locks ?? customerLocks;
  const key = customerLockKey(kube, target);
  const mode = options.whenLocked ?? "wait";
  const clock = options.clock ?? kube.clock ?? systemClock;
  const identity = options.identity ?? defaultLockIdentity();
  const operation = options.operation ?? "";
  let held = holders.get(locks);
  if (!held) holders.set(locks, (held = new Map()));
  const current = held.get(key);
  if (mode === "fail" && locks.isLocked(key)) {
    throw lockedError(target, current ?? { identity: "другой запуск в этом процессе", operation: "", since: "" });
  }
  const table = held;
  return locks.run(
    key,
    async () => {
      table.set(key, { identity, operation, since: microTime(clock.now()) });
      try {
        if (options.lease === false) return await fn(options.signal ?? new AbortController().signal);
        return await underLease(kube, target, { ...options, identity, operation, clock, whenLocked: mode }, fn);
      } finally {
        table.delete(key);
      }
    },
    { mode, ...(options.signal ? { signal: options.signal } : {}) },
  );
}

async function underLease<T>(
  kube: KubeClient,
  target: LeaseTarget,
  options: CustomerLockOptions & { identity: string; operation: string; clock: Clock },
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const lease = await acquireCustomerLease(kube, target, options);
  const signal = options.signal ? AbortSignal.any([options.signal, lease.signal]) : lease.signal;
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await fn(signal) };
  } catch (error) {
    outcome = { error };
  }
  const lost = lease.lost;
  await lease.release();
  if (lost) throw lost;
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}
