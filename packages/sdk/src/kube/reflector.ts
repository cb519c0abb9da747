/**
 * One collection as a stream of snapshots: client-go's reflector — list, watch from the list's resourceVersion,
 * resume from the last one seen, list again on 410 Gone — with a polling fallback for watches that deliver nothing
 * (a Rancher proxy may buffer a watch until its timeout).
 */
import type { Clock } from "../core/clock.js";
import type { ListMeta, ObjectMeta, WatchEvent } from "../core/kube-objects.js";
import { buildKubePath, type KubeClient } from "./client.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";

/** The part of the Kubernetes client the watcher uses (tests hand in a stub). */
export type WatchClient = Pick<KubeClient, "list" | "watch" | "logs"> & { readonly clock?: Clock };

export const DEFAULT_POLL_INTERVAL_MS = 2_000;
export const DEFAULT_WATCH_TIMEOUT_SECONDS = 60;
export const DEFAULT_SILENT_WATCH_FALLBACK_MS = 10_000;

export interface KubeObject {
  metadata?: ObjectMeta;
}

interface KubeList<T> {
  metadata?: ListMeta;
  items: T[];
}

export interface WatchListOptions {
  clock: Clock;
  signal?: AbortSignal;
  labelSelector?: string;
  /** Sent in the query of both the list and the watch (`metadata.name=lms-deployment-c42`). */
  fieldSelector?: string;
  /** Polling period while the watch is silent, and the pause before retrying after a transient error. Default 2 s. */
  pollIntervalMs?: number;
  /** `timeoutSeconds` of each watch request; the server ends the stream then and we resume. Default 60. */
  watchTimeoutSeconds?: number;
  /** A watch that delivers nothing (not even a bookmark) this long makes us poll too. Default 10 s. */
  silentWatchFallbackMs?: number;
  /** A list of the collection already made (same path and selectors): watch from it instead of listing first. */
  listed?: { items: readonly KubeObject[]; resourceVersion: string };
}

export interface ListSnapshot<T> {
  /** The collection as now known, in list order then arrival order. */
  items: T[];
  /** Where the next watch will start. */
  resourceVersion: string | undefined;
  /** What produced this snapshot: the (re-)list, a watch event, or a poll during a silent watch. */
  source: "list" | "watch" | "poll";
}

/** What the reflector knows of the collection, and where its next watch starts. */
class Collection<T extends KubeObject> {
  readonly items = new Map<string, T>();
  /** Where the next watch starts; undefined = list first. */
  resourceVersion: string | undefined;
  /** The resourceVersion of the latest list: watch events at or below it are already in `items`. */
  private listedAt: string | undefined;
  /** Clock reading of the last sign of life of a watch (an event or bookmark) or of the watch's start. */
  lastActivity: number;
  /** Listing every poll interval while a silent watch stays open. */
  polling = false;

  constructor(
    private readonly kube: WatchClient,
    private readonly target: string,
    private readonly options: WatchListOptions,
  ) {
    this.lastActivity = options.clock.now();
    if (options.listed) {
      for (const item of options.listed.items) this.items.set(objectKey(item), item as T);
      this.listedAt = this.resourceVersion = options.listed.resourceVersion;
    }
  }

  snapshot(source: ListSnapshot<T>["source"]): ListSnapshot<T> {
    return { items: [...this.items.values()], resourceVersion: this.resourceVersion, source };
  }

  /** Lists and replaces `items`; says whether anything changed. */
  async list(): Promise<boolean> {
    const { labelSelector, signal } = this.options;
    const before = signature(this.items);
    const result = await this.kube.list<KubeList<T>>(this.target, withSignal({ ...(labelSelector ? { labelSelector } : {}) }, signal));
    this.items.clear();
    for (const item of result.items ?? []) this.items.set(objectKey(item), item);
    const listed = result.metadata?.resourceVersion;
    if (listed) {
      this.listedAt = listed;
      this.resourceVersion = newer(this.resourceVersion, listed);
    }
    return signature(this.items) !== before;
  }

  /** A polling fallback's list: a transient failure just means "nothing new this time". */
  async pollChanged(): Promise<boolean> {
    try {
      return await this.list();
    } catch (err) {
      rethrowUnlessTransient(err, this.options.signal);
      return false;
    }
  }

  /** Takes in a watch event; says whether the collection changed (not for bookmarks and events a list already had). */
  receive(event: WatchEvent<T>): boolean {
    this.polling = false;
    this.lastActivity = this.options.clock.now();
    const eventVersion = event.object?.metadata?.resourceVersion;
    if (eventVersion) this.resourceVersion = newer(this.resourceVersion, eventVersion);
    if (event.type === "BOOKMARK") return false;
    if (eventVersion && this.listedAt && isAtOrBelow(eventVersion, this.listedAt)) return false;
    const key = objectKey(event.object);
    if (event.type === "DELETED") this.items.delete(key);
    else this.items.set(key, event.object);
    return true;
  }
}

/**
 * Lists `path` (or takes the list given as `listed`), then watches it from the list's resourceVersion, yielding a
 * snapshot after the list, after every watch event that changes the collection, and after every poll that does.
 * Runs until `signal` aborts (then throws its reason) or a non-transient error (Forbidden, say) is thrown.
 *
 * - A watch that ends normally (its `timeoutSeconds`) is resumed from the last resourceVersion seen, bookmarks
 *   included (`allowWatchBookmarks`), without listing again.
 * - 410 Gone (the resourceVersion is too old for the server's watch cache): list again, then watch from there.
 * - Transient errors (network, 5xx, 429, a garbled stream): wait `pollIntervalMs`, watch again from the last
 *   resourceVersion (or list, if there is none yet).
 * - A watch silent for `silentWatchFallbackMs`: list every `pollIntervalMs` while keeping the watch open (it may be
 *   a proxy holding events back, or simply a quiet collection); any event ends polling, and when the watch ends a
 *   new one is tried. Events a held-back watch delivers late, at or below the resourceVersion of a later poll, are
 *   already in the snapshot and skipped — they would show an older state.
 */
export async function* watchList<T extends KubeObject>(kube: WatchClient, path: string, options: WatchListOptions): AsyncGenerator<ListSnapshot<T>> {
  const { clock, signal, pollIntervalMs = DEFAULT_POLL_INTERVAL_MS } = options;
  const target = options.fieldSelector ? buildKubePath(path, { fieldSelector: options.fieldSelector }) : path;
  const collection = new Collection<T>(kube, target, options);
  if (options.listed) yield collection.snapshot("list");
  for (;;) {
    signal?.throwIfAborted();
    if (collection.resourceVersion === undefined) {
      try {
        await collection.list();
      } catch (err) {
        rethrowUnlessTransient(err, signal);
        await clock.sleep(pollIntervalMs, signal);
        continue;
      }
      yield collection.snapshot("list");
    }
    yield* watchOnce(kube, target, collection, options);
  }
}

/** One watch request, until it ends, fails or must be replaced by a list (410 Gone). */
async function* watchOnce<T extends KubeObject>(
  kube: WatchClient,
  target: string,
  collection: Collection<T>,
  options: WatchListOptions,
): AsyncGenerator<ListSnapshot<T>> {
  const { clock, signal, labelSelector } = options;
  const {
    pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
    watchTimeoutSeconds = DEFAULT_WATCH_TIMEOUT_SECONDS,
    silentWatchFallbackMs = DEFAULT_SILENT_WATCH_FALLBACK_MS,
  } = options;
  const stop = new AbortController();
  const stream = kube.watch<T>(target, {
    ...(labelSelector ? { labelSelector } : {}),
    ...(collection.resourceVersion ? { resourceVersion: collection.resourceVersion } : {}),
    timeoutSeconds: watchTimeoutSeconds,
    allowWatchBookmarks: true,
    signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
  });
  const iterator = stream[Symbol.asyncIterator]();
  const started = clock.now();
  let delivered = false;
  // Marked handled at once: while this generator waits at a `yield`, an abort may reject it with nobody racing it.
  const pull = () => {
    const promise = iterator.next();
    promise.catch(() => undefined);
    return promise;
  };
  let next = pull();
  try {
    for (;;) {
      const wait = collection.polling ? pollIntervalMs : silentWatchFallbackMs - (clock.now() - collection.lastActivity);
      const outcome = await raceTimer(next, clock, wait, signal);
      if (outcome.kind === "timer") {
        // Silent: poll, and keep waiting on the same watch.
        collection.polling = true;
        if (await collection.pollChanged()) yield collection.snapshot("poll");
        continue;
      }
      if (outcome.kind === "error") {
        signal?.throwIfAborted();
        if (isKubeError(outcome.error, "Gone")) {
          collection.resourceVersion = undefined; // list again
          return;
        }
        rethrowUnlessTransient(outcome.error, signal);
        await clock.sleep(pollIntervalMs, signal);
        return;
      }
      if (outcome.result.done) {
        // A normal end (timeoutSeconds). A watch that ends at once and empty would spin: pause, and poll if due.
        if (!delivered && clock.now() - started < pollIntervalMs) {
          await clock.sleep(pollIntervalMs, signal);
          if (clock.now() - collection.lastActivity >= silentWatchFallbackMs) {
            collection.polling = true;
            if (await collection.pollChanged()) yield collection.snapshot("poll");
          }
        }
        return;
      }
      delivered = true;
      next = pull();
      if (collection.receive(outcome.result.value)) yield collection.snapshot("watch");
    }
  } finally {
    stop.abort();
    void iterator.return?.()?.catch(() => undefined);
  }
}

type Outcome<T> = { kind: "event"; result: IteratorResult<WatchEvent<T>> } | { kind: "error"; error: unknown } | { kind: "timer" };

/** The next watch event, or the timer after `ms` of the clock, whichever comes first; an abort is an error outcome. */
async function raceTimer<T>(next: Promise<IteratorResult<WatchEvent<T>>>, clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<Outcome<T>> {
  const timer = new AbortController();
  const sleepSignal = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
  const sleep = clock.sleep(Math.max(0, ms), sleepSignal).then(
    (): Outcome<T> => ({ kind: "timer" }),
    (): Promise<Outcome<T>> | Outcome<T> => (signal?.aborted ? { kind: "error", error: signal.reason } : new Promise<never>(() => undefined)),
  );
  try {
    return await Promise.race([
      next.then(
        (result): Outcome<T> => ({ kind: "event", result }),
        (error: unknown): Outcome<T> => ({ kind: "error", error }),
      ),
      sleep,
    ]);
  } finally {
    timer.abort();
  }
}

/**
 * Network failures (but an unverifiable certificate), 5xx, 429/408 and garbled answers are worth retrying; the rest
 * (Forbidden, NotFound…) are not.
 */
function isTransient(err: unknown): boolean {
  if (err instanceof KubeNetworkError) return !err.tls;
  if (!(err instanceof KubeStatusError)) return false;
  return err.status >= 500 || err.status === 429 || err.status === 408 || err.code === "InvalidResponse";
}

function rethrowUnlessTransient(err: unknown, signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
  if (!isTransient(err)) throw err;
}

function objectKey(object: KubeObject | undefined): string {
  return `${object?.metadata?.namespace ?? ""}/${object?.metadata?.name ?? ""}`;
}

function signature(items: ReadonlyMap<string, KubeObject>): string {
  return [...items].map(([key, item]) => `${key}@${item.metadata?.resourceVersion ?? ""}`).join(",");
}

/**
 * resourceVersions are opaque to clients by contract, but those of built-in resources are etcd revisions, decimal
 * integers growing with every write. We compare them only when both are such integers; otherwise the later one
 * to arrive wins (client-go's behaviour).
 */
function newer(current: string | undefined, candidate: string): string {
  if (current === undefined || !isDecimal(current) || !isDecimal(candidate)) return candidate;
  return BigInt(candidate) >= BigInt(current) ? candidate : current;
}

function isAtOrBelow(version: string, bound: string): boolean {
  return isDecimal(version) && isDecimal(bound) && BigInt(version) <= BigInt(bound);
}

function isDecimal(version: string): boolean {
  return /^\d+$/.test(version);
}

function withSignal<O extends object>(opts: O, signal: AbortSignal | undefined): O & { signal?: AbortSignal } {
  return signal ? { ...opts, signal } : opts;
}
