/**
 * A run's Jobs as one list+watch (./reflector.ts) of the customer's Jobs, continuing from the list made before the
 * run (./existing-objects.ts): started when a step first waits for a Job, shared by the run's Job steps, ended with
 * the run. A Job's completion is seen when the API server sends it, not at the next poll; a watch that stays silent
 * (a proxy holding it back) is made up for by the reflector's polling. When the Jobs cannot be watched at all
 * (Forbidden, say) the tracker says so, and the steps read their Job by GET instead.
 */
import type { Clock } from "../core/clock.js";
import type { Job } from "../core/kube-objects.js";
import type { KindListing } from "./existing-objects.js";
import { watchList, type WatchClient } from "./reflector.js";

interface JobTrackerOptions {
  clock: Clock;
  signal: AbortSignal | undefined;
  /** The reflector's polling period while its watch is silent, and its pause before retrying. */
  pollIntervalMs: number;
}

export class JobTracker {
  private jobs = new Map<string, Job>();
  private readonly stop = new AbortController();
  private started = false;
  private failed = false;
  /** Counts changes, so that a waiter does not sleep through one that came while it was busy. */
  private changes = 0;
  private changed: Promise<void>;
  private wake: () => void = () => undefined;

  constructor(
    private readonly kube: WatchClient,
    private readonly listing: KindListing,
    private readonly options: JobTrackerOptions,
  ) {
    for (const [name, job] of listing.listed?.items ?? []) this.jobs.set(name, job as Job);
    this.changed = new Promise((resolve) => (this.wake = resolve));
  }

  /** False once the Jobs could not be watched: read them by GET then. */
  get available(): boolean {
    return !this.failed;
  }

  /** Where the tracker is: compare it with a later one to know whether anything changed in between. */
  get version(): number {
    return this.changes;
  }

  /** The Job as last seen (before the tracker starts: as the list before the run had it); undefined when there is none. */
  get(name: string): Job | undefined {
    return this.jobs.get(name);
  }

  /** Resolves when the Jobs changed since `version`, or after `ms` of the clock; rejects when `signal` aborts. */
  async changeOrTimeout(version: number, ms: number, signal: AbortSignal | undefined): Promise<void> {
    this.start();
    if (this.changes !== version) return;
    const timer = new AbortController();
    const sleep = this.options.clock.sleep(Math.max(0, ms), signal ? AbortSignal.any([signal, timer.signal]) : timer.signal);
    sleep.catch(() => undefined);
    try {
      await Promise.race([this.changed, sleep]);
    } finally {
      timer.abort(); // a sleep left behind would keep a virtual clock moving
    }
  }

  close(): void {
    this.stop.abort();
  }

  private notify(): void {
    this.changes++;
    this.wake();
    this.changed = new Promise((resolve) => (this.wake = resolve));
  }

  /**
   * Opens the watch (once). A step about to create a Job calls it, so the watch opens in the same round trip as the
   * create rather than after it; a run that creates no Job never opens one.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { clock, signal: runSignal, pollIntervalMs } = this.options;
    const signal = runSignal ? AbortSignal.any([runSignal, this.stop.signal]) : this.stop.signal;
    const { path, labelSelector, listed } = this.listing;
    const stream = watchList<Job>(this.kube, path, {
      clock,
      signal,
      pollIntervalMs,
      ...(labelSelector ? { labelSelector } : {}),
      ...(listed ? { listed: { items: [...listed.items.values()], resourceVersion: listed.resourceVersion } } : {}),
    });
    void (async () => {
      for await (const snapshot of stream) {
        this.jobs = new Map(snapshot.items.map((job) => [job.metadata?.name ?? "", job]));
        this.notify();
      }
    })().catch(() => {
      if (signal.aborted) return;
      this.failed = true;
      this.notify();
    });
  }
}
