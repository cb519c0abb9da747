/**
 * The per-customer lock between processes: one coordination.k8s.io/v1 Lease per customer in the environment's
 * namespace (`sreda-lock-c42`), held the way client-go's leader election holds its lease
 * (tools/leaderelection/leaderelection.go over resourcelock/leaselock.go), so that two bridges, or a bridge and a
 * CLI, never change one customer at once. ./lock.ts combines it with the in-process lock (`withCustomerLock`).
 *
 * - Acquire: GET; absent → create (AlreadyExists: someone raced us, read again); released (holderIdentity "") or
 *   expired → take it over with an update carrying the resourceVersion read (409 Conflict: we lost the race, read
 *   again); held by another and not expired → refuse (LOCKED), or when waiting, read again every RETRY_PERIOD_MS.
 *   The identity names the holder, as in client-go: a lease held under the caller's identity is the caller's (a bridge
 *   restarted under its configured name takes its lease back at once); the default identity is new for every holding.
 * - Expiry is judged as client-go judges it: by our clock, from when we last saw the record change — never by
 *   comparing the holder's renewTime with our clock, which would make the lock only as good as the clocks' agreement.
 *   A live holder renews every duration/3, so its record changes well within a duration; a record that did not change
 *   for a whole duration of our time belongs to a holder that is gone. What a client saw is kept with the client (as
 *   ./client-memory.ts keeps its facts), so a caller refused at once (whenLocked "fail") who asks again a duration
 *   later takes over a dead holder's lease.
 * - Renew every duration/3 while the operation runs. When renewals keep failing until the renew deadline (2/3 of the
 *   duration after the last renewal sent), or the lease turns out to be someone else's, the operation's signal is
 *   aborted with a LOCK_LOST error (client-go's OnStoppedLeading) — a third of a duration before anyone else may take
 *   the lease over.
 * - Release as client-go's ReleaseOnCancel does: holderIdentity "" and leaseDurationSeconds 1, by an update, rather
 *   than a delete. The update carries our resourceVersion, so it releases the lease only while it is still ours (a
 *   delete would need a precondition for that); it needs no right beyond those the lock already uses; the object keeps
 *   leaseTransitions, the count of holders over time; and a waiter sees the change and takes the lease at once.
 */
import { hostname } from "node:os";
import type { Clock } from "../core/clock.js";
import { CUSTOMER_LABEL } from "../core/environment.js";
import { SredaError } from "../core/errors.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { KubeSchemas } from "../core/kube-objects.js";
import type { KubeClient } from "./client.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";

type Lease = KubeSchemas["io.k8s.api.coordination.v1.Lease"];

/** What the holder does ("provisioning", "suspend", …), for a second caller's "in progress". */
export const OPERATION_ANNOTATION = "sreda.io/operation";
const DEFAULT_DURATION_SECONDS = 30;
/** How often a waiter reads the lease again, and a failed renewal is tried again (client-go's RetryPeriod). */
const RETRY_PERIOD_MS = 2_000;
/** Creates whose answer was a 5xx or a dropped connection, tried again (through a read) before giving up. */
const MAX_LOST_CREATES = 4;

/** The customer and the namespace the lease lives in. */
export interface LeaseTarget {
  namespace: string;
  clientId: string;
}

interface LeaseOptions {
  /** Who holds it; default `<hostname>-<pid>-<random>`, new for every holding; a lease held under it is ours. */
  identity?: string;
  /** What the holder does ("provisioning", "suspend", "deprovision"), told to a second caller. */
  operation?: string;
  /** Default 30 s: others may take the lease over when it was not renewed for this long (by their clock). */
  leaseDurationSeconds?: number;
  /** Held by another: wait until it is released or expires (default), or fail with LOCKED. */
  whenLocked?: "wait" | "fail";
  /** Gives up waiting (with its reason). */
  signal?: AbortSignal;
  clock: Clock;
}

/** A lease held: `signal` aborts (with a LOCK_LOST error) when it is lost; `release()` gives it up, never throws. */
interface HeldLease {
  readonly signal: AbortSignal;
  /** The LOCK_LOST error when the lease was lost, else undefined. */
  readonly lost: SredaError | undefined;
  release(): Promise<void>;
}

/** The lease's name: `sreda-lock-c42`. */
export function customerLeaseName(clientId: string): string {
  return `sreda-lock-${clientId.toLowerCase()}`;
}

/** `<hostname>-<pid>-<random>`: one holding of one process. */
export function defaultLockIdentity(): string {
  return `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The lease's record: the spec, and what the holder said it does. */
interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
  operation: string;
}

function recordOf(lease: Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? "",
    renewTime: spec.renewTime ?? "",
    leaseTransitions: spec.leaseTransitions ?? 0,
    operation: lease.metadata?.annotations?.[OPERATION_ANNOTATION] ?? "",
  };
}

/** metav1.MicroTime: RFC 3339 with microseconds, `2026-01-01T00:00:05.000000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

/** `2026-01-01 00:00:05 UTC`, for people; the text as it is when it is not a time. */
function humanTime(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The refusal: who holds the customer, doing what, since when. */
export function lockedError(target: LeaseTarget, holder: { identity: string; operation: string; since: string }): SredaError {
  const what = holder.operation || "операция";
  return new SredaError(
    "LOCKED",
    `Для клиента ${target.clientId} в ${target.namespace} уже выполняется ${what}: ${holder.identity}${holder.since ? `, с ${humanTime(holder.since)}` : ""}`,
    { holder: holder.identity, operation: holder.operation, since: holder.since, clientId: target.clientId, namespace: target.namespace },
  );
}

/** Per client, lease path → the record last seen (as JSON) and when, by the client's clock, it was first seen so. */
const observations = new WeakMap<KubeClient, Map<string, { raw: string; at: number }>>();

/** The renewal found the lease someone else's (or gone). */
class LeaseTaken extends Error {
  constructor(readonly record: LeaseRecord | undefined) {
    super("lease taken");
  }
}

/** A signal that aborts with `reason` after `ms` of the clock's time (or with `parent`); `cancel` drops its timer. */
function deadlineSignal(clock: Clock, ms: number, reason: unknown, parent?: AbortSignal): { signal: AbortSignal; cancel: () => void } {
  const timer = new AbortController();
  const expired = new AbortController();
  clock.sleep(Math.max(0, ms), parent ? AbortSignal.any([parent, timer.signal]) : timer.signal).then(
    () => expired.abort(reason),
    () => undefined,
  );
  return { signal: parent ? AbortSignal.any([parent, expired.signal]) : expired.signal, cancel: () => timer.abort() };
}

/** One holding of one customer's lease: acquired, renewed, released or lost. */
class CustomerLease implements HeldLease {
  /** Creates lost so far (see MAX_LOST_CREATES). */
  private lostCreates = 0;
  private readonly name: string;
  private readonly path: string;
  private readonly collection: string;
  private readonly durationMs: number;
  /** The lease as last read or written: its resourceVersion is what an update must carry. */
  private current: Lease | undefined;
  /** Our acquireTime once held: with the identity, what tells the lease is still ours. */
  private acquireTime = "";
  /** When the last successful renewal (or the acquisition) was sent. */
  private renewedAt = 0;
  private readonly lostController = new AbortController();
  private readonly stopRenewing = new AbortController();
  private renewing: Promise<void> | undefined;
  lost: SredaError | undefined;

  constructor(
    private readonly kube: KubeClient,
    private readonly target: LeaseTarget,
    private readonly identity: string,
    private readonly operation: string,
    durationSeconds: number,
    private readonly clock: Clock,
  ) {
    this.name = customerLeaseName(target.clientId);
    this.collection = collectionPath(kindInfo("Lease")!, encodeURIComponent(target.namespace));
    this.path = `${this.collection}/${this.name}`;
    this.durationMs = durationSeconds * 1000;
  }

  get signal(): AbortSignal {
    return this.lostController.signal;
  }

  /** Takes the lease, waiting or refusing while another holds it; throws LOCKED, LOCK_FAILED or the signal's reason. */
  async acquire(mode: "wait" | "fail", signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      let outcome: "acquired" | "raced" | LeaseRecord;
      try {
        outcome = await this.tryAcquire(signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw this.failed(error);
      }
      if (outcome === "acquired" && signal?.aborted) {
        // Aborted while our write was on its way: it landed, so the lease is ours — give it back before going.
        await this.release();
        throw signal.reason;
      }
      if (outcome === "acquired") {
        this.renewing = this.keepRenewing();
        return;
      }
      if (outcome === "raced") continue;
      if (mode === "fail") throw lockedError(this.target, { identity: outcome.holderIdentity, operation: outcome.operation, since: outcome.acquireTime });
      await this.clock.sleep(RETRY_PERIOD_MS, signal);
    }
  }

  /**
   * client-go's tryAcquireOrRenew for a lease not yet ours: taken, lost to a racer, or held by the record's holder.
   * The read stops at an abort; a write, once sent, is waited for (bounded, not by the caller's signal): a write cut
   * off halfway may have landed, and a lease taken with nobody knowing would stay held for its whole duration.
   */
  private async tryAcquire(signal: AbortSignal | undefined): Promise<"acquired" | "raced" | LeaseRecord> {
    const lease = await this.read(signal);
    signal?.throwIfAborted();
    const bound = deadlineSignal(this.clock, (this.durationMs * 2) / 3, new Error("нет ответа"));
    try {
      return await this.write(lease, bound.signal);
    } finally {
      bound.cancel();
    }
  }

  private async write(lease: Lease | undefined, signal: AbortSignal): Promise<"acquired" | "raced" | LeaseRecord> {
    const sentAt = this.clock.now();
    if (!lease) {
      try {
        this.wrote(await this.kube.create<Lease>(this.collection, this.body(sentAt, 0), { signal }), sentAt);
        return "acquired";
      } catch (error) {
        // A create is not repeated by the client after a 5xx or a dropped connection; it may have landed: the read that
        // follows finds it, under our identity, and takes it.
        if (isKubeError(error, "AlreadyExists")) return "raced";
        const lost = error instanceof KubeNetworkError || (error instanceof KubeStatusError && error.status >= 500);
        if (!lost || ++this.lostCreates > MAX_LOST_CREATES) throw error;
        return "raced";
      }
    }
    const record = recordOf(lease);
    const seenAt = this.observe(record);
    // Our identity is our holding (client-go's IsLeader): a holder restarted under its name takes its lease back.
    const mine = record.holderIdentity === this.identity;
    if (!mine && record.holderIdentity !== "" && this.clock.now() < seenAt + record.leaseDurationSeconds * 1000) return record;
    try {
      // A new acquireTime even when it was ours: an earlier holding still alive under the name finds it taken.
      const transitions = mine ? record.leaseTransitions : record.leaseTransitions + 1;
      this.wrote(await this.kube.replace<Lease>(this.path, this.body(sentAt, transitions, lease), { signal }), sentAt);
      return "acquired";
    } catch (error) {
      if (isKubeError(error, "Conflict") || isKubeError(error, "NotFound")) return "raced";
      throw error;
    }
  }

  /** The lease, or undefined when there is none. */
  private async read(signal: AbortSignal | undefined): Promise<Lease | undefined> {
    try {
      const lease = await this.kube.get<Lease>(this.path, { signal });
      this.current = lease;
      return lease;
    } catch (error) {
      if (isKubeError(error, "NotFound")) return undefined;
      throw error;
    }
  }

  /** When we first saw the record as it is now (client-go's observedTime): now, when it changed since we last looked. */
  private observe(record: LeaseRecord): number {
    let seen = observations.get(this.kube);
    if (!seen) observations.set(this.kube, (seen = new Map()));
    const raw = JSON.stringify(record);
    const last = seen.get(this.path);
    if (last?.raw === raw) return last.at;
    const at = this.clock.now();
    seen.set(this.path, { raw, at });
    return at;
  }

  /** Our write went through: the lease is ours, renewed at `sentAt`. */
  private wrote(lease: Lease, sentAt: number): void {
    this.current = lease;
    const record = recordOf(lease);
    this.observe(record);
    this.acquireTime = record.acquireTime;
    this.renewedAt = sentAt;
  }

  /** The lease held by us, renewed at `now`: from `base` (metadata and resourceVersion kept) when updating. */
  private body(now: number, leaseTransitions: number, base?: Lease, acquireTime = microTime(now)): Lease {
    const metadata = base?.metadata ?? {};
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        ...metadata,
        name: this.name,
        namespace: this.target.namespace,
        labels: { ...metadata.labels, "app.kubernetes.io/managed-by": "sreda", [CUSTOMER_LABEL]: this.target.clientId },
        annotations: { ...metadata.annotations, [OPERATION_ANNOTATION]: this.operation },
      },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.durationMs / 1000,
        acquireTime,
        renewTime: microTime(now),
        leaseTransitions,
      },
    };
  }

  private isOurs(record: LeaseRecord | undefined): boolean {
    return record?.holderIdentity === this.identity && record.acquireTime === this.acquireTime;
  }

  /**
   * One renewal: an update on the lease as we last wrote it. A conflict means someone else wrote it: still ours (our
   * own earlier renewal whose answer was lost), renewed again on what is there; anyone else's, or gone: taken.
   */
  private async renew(signal: AbortSignal): Promise<void> {
    const sentAt = this.clock.now();
    const spec = (base: Lease) => this.body(sentAt, recordOf(base).leaseTransitions, base, this.acquireTime);
    try {
      this.current = await this.kube.replace<Lease>(this.path, spec(this.current!), { signal });
    } catch (error) {
      if (isKubeError(error, "NotFound")) throw new LeaseTaken(undefined);
      if (!isKubeError(error, "Conflict")) throw error;
      const lease = await this.read(signal);
      const record = lease && recordOf(lease);
      if (!lease || !this.isOurs(record)) throw new LeaseTaken(record);
      this.current = await this.kube.replace<Lease>(this.path, spec(lease), { signal });
    }
    this.observe(recordOf(this.current));
    this.renewedAt = sentAt;
  }

  /** Renews every duration/3, retries failures every RETRY_PERIOD_MS, and gives the lease up at the renew deadline. */
  private async keepRenewing(): Promise<void> {
    const stop = this.stopRenewing.signal;
    const interval = this.durationMs / 3;
    const retry = Math.min(RETRY_PERIOD_MS, interval);
    let failure: unknown;
    while (!stop.aborted) {
      const deadline = this.renewedAt + (this.durationMs * 2) / 3;
      const next = failure === undefined ? this.renewedAt + interval : this.clock.now() + retry;
      try {
        await this.clock.sleep(Math.max(0, Math.min(next, deadline) - this.clock.now()), stop);
      } catch {
        return;
      }
      if (this.clock.now() >= deadline) return this.lose(undefined, failure);
      const attempt = deadlineSignal(this.clock, deadline - this.clock.now(), new Error("нет ответа"), stop);
      try {
        await this.renew(attempt.signal);
        failure = undefined;
      } catch (error) {
        if (stop.aborted) return;
        if (error instanceof LeaseTaken) return this.lose(error, undefined);
        failure = error;
      } finally {
        attempt.cancel();
      }
    }
  }

  /** The lease is lost: the operation is told through its signal, with why. */
  private lose(taken: LeaseTaken | undefined, failure: unknown): void {
    const { clientId, namespace } = this.target;
    const record = taken?.record;
    const why = taken
      ? record
        ? `её получил ${record.holderIdentity || "никто (освобождена)"}${record.operation ? ` (${record.operation})` : ""}`
        : `аренда ${this.name} удалена`
      : `аренду ${this.name} не удалось продлить за ${Math.round((this.durationMs * 2) / 3000)} с${failure instanceof Error ? ` (${failure.message})` : ""}`;
    this.lost = new SredaError(
      "LOCK_LOST",
      `Блокировка клиента ${clientId} в ${namespace} потеряна: ${why}; операция остановлена, чтобы не выполняться одновременно с другой`,
      { clientId, namespace, lease: this.name, ...(record ? { holder: record.holderIdentity, operation: record.operation } : {}) },
    );
    this.lostController.abort(this.lost);
  }

  /** Acquisition failed for a reason of the cluster's (no namespace, no right, unreachable). */
  private failed(error: unknown): unknown {
    if (!isKubeError(error)) return error;
    const { clientId, namespace } = this.target;
    return new SredaError(
      "LOCK_FAILED",
      `Не удалось получить блокировку клиента ${clientId} в ${namespace} (аренда ${this.name}): ${error.message}`,
      { clientId, namespace, lease: this.name },
      { cause: error },
    );
  }

  /** Stops renewing and, when the lease is still ours, releases it (client-go's ReleaseOnCancel); never throws. */
  async release(): Promise<void> {
    this.stopRenewing.abort();
    await this.renewing;
    if (this.lost || !this.current) return;
    const bound = deadlineSignal(this.clock, (this.durationMs * 2) / 3, new Error("нет ответа"));
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = microTime(this.clock.now());
        // Nobody does anything any more: the operation goes with the holder.
        const { annotations = {}, ...metadata } = this.current.metadata ?? {};
        const { [OPERATION_ANNOTATION]: _, ...others } = annotations;
        const released: Lease = {
          ...this.current,
          metadata: { ...metadata, ...(Object.keys(others).length > 0 ? { annotations: others } : {}) },
          spec: { ...this.current.spec, holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
        };
        try {
          this.observe(recordOf(await this.kube.replace<Lease>(this.path, released, { signal: bound.signal })));
          return;
        } catch (error) {
          if (!isKubeError(error, "Conflict")) return;
          const lease = await this.read(bound.signal);
          if (!lease || !this.isOurs(recordOf(lease))) return;
        }
      }
    } catch {
      // Not released: the lease expires a duration after its last renewal all the same.
    } finally {
      bound.cancel();
    }
  }
}

/**
 * Takes the customer's lease, waiting while another live holder has it (or refusing: whenLocked "fail" → LOCKED), and
 * keeps it renewed until `release()`. Throws LOCKED, LOCK_FAILED (the lease could not be read or written: its `cause`
 * is the Kubernetes error) or the signal's reason.
 */
export async function acquireCustomerLease(kube: KubeClient, target: LeaseTarget, options: LeaseOptions): Promise<HeldLease> {
  const duration = options.leaseDurationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (!Number.isInteger(duration) || duration < 1) {
    throw new SredaError("INVALID_INPUT", `leaseDurationSeconds: целое число секунд не меньше 1, получено ${duration}`);
  }
  const lease = new CustomerLease(kube, target, options.identity ?? defaultLockIdentity(), options.operation ?? "", duration, options.clock);
  await lease.acquire(options.whenLocked ?? "wait", options.signal);
  return lease;
}
