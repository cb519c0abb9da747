/**
 * Rollouts: one change to many customers of a namespace, safely. Customers already up to date (no drift) are skipped;
 * a canary wave must become Ready before the rest start; then a bounded number at a time; after `maxFailures` failures
 * no new customer starts and those running finish; pause, resume and cancel between customers. Each customer is its
 * own provisioning under its own lock (a rollout and a single deploy never collide), and all of them share the one
 * client given — one token bucket for the cluster (client-go's QPS/burst), however many customers run at once.
 *
 * Room (./rollout-room.ts): the namespace's pending pods are looked at before a customer starts and every
 * `roomPollMs` while customers run; while some wait for room ("Too many pods", "Insufficient cpu"), no new customer
 * starts — those running go on — and the rollout says so with the scheduler's message, then goes on by itself once
 * they are placed.
 */
import type { Clock } from "../core/clock.js";
import type { ProvisioningPlan } from "../core/plan.js";
import type { RolloutCustomerResult, RolloutOutcome, RolloutResult } from "../core/rollout.js";
import { applyPlan } from "./apply.js";
import { describeFailure } from "./apply-steps.js";
import type { KubeClient } from "./client.js";
import { systemClock } from "./clock.js";
import { detectDrift } from "./drift.js";
import { followEnvironment } from "./follow-environment.js";
import type { KeyedLock } from "./lock.js";
import { RoomWatch, type RoomEvent } from "./rollout-room.js";

export type RolloutEvent =
  | { type: "rollout-started"; at: number; total: number; upToDate: number }
  | { type: "customer-started"; at: number; clientId: string; canary: boolean }
  | { type: "customer-finished"; at: number; clientId: string; outcome: RolloutOutcome; message: string }
  | RoomEvent
  | { type: "rollout-paused"; at: number }
  | { type: "rollout-resumed"; at: number }
  /** cause: the first wave failed, the failure limit was reached, or whether there is room could not be read. */
  | { type: "rollout-stopped"; at: number; cause: "canary-failed" | "failure-limit" | "room-unknown"; reason: string }
  | { type: "rollout-finished"; at: number; status: RolloutResult["status"] };

/** Pause and resume a running rollout between customers (those already running finish). */
export class RolloutControl {
  private paused: { promise: Promise<void>; resolve: () => void } | undefined;

  pause(): void {
    if (this.paused) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.paused = { promise, resolve };
  }

  resume(): void {
    this.paused?.resolve();
    this.paused = undefined;
  }

  get isPaused(): boolean {
    return this.paused !== undefined;
  }

  /** Until resumed (at once when not paused). */
  async whileRunning(): Promise<void> {
    while (this.paused) await this.paused.promise;
  }
}

export interface RolloutOptions {
  /** Customers of the first wave, which must all be Ready before the rest start (default 1). */
  canary?: number;
  /** Customers at a time after the canary (default 4). */
  concurrency?: number;
  /** Failures after which no new customer starts (default 1). */
  maxFailures?: number;
  /** How long one customer's environment may take to become Ready (default 15 min). */
  readyTimeoutMs?: number;
  control?: RolloutControl;
  signal?: AbortSignal;
  onEvent?: (event: RolloutEvent) => void;
  clock?: Clock;
  /** Holder identity of the customers' locks. */
  identity?: string;
  locks?: KeyedLock;
  /** Skip customers without drift (default true). */
  skipUpToDate?: boolean;
  /** While pods wait for room, how often to look again (default 10 s). */
  roomPollMs?: number;
}

interface RolloutRun {
  kube: KubeClient;
  options: RolloutOptions;
  clock: Clock;
  emit: (event: RolloutEvent) => void;
  results: Map<string, RolloutCustomerResult>;
  failures: number;
  stopped: string | undefined;
  room: RoomWatch | undefined;
}

/** One customer: provisioned under its lock, then followed until Ready (or Failed, or the time is up). */
async function rollOne(run: RolloutRun, plan: ProvisioningPlan, canary: boolean): Promise<void> {
  const { kube, options, clock } = run;
  const clientId = plan.clientId;
  run.emit({ type: "customer-started", at: clock.now(), clientId, canary });
  let result: RolloutCustomerResult;
  try {
    const applied = await applyPlan(plan, kube, {
      whenLocked: "fail",
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.identity ? { identity: options.identity } : {}),
      ...(options.locks ? { locks: options.locks } : {}),
      clock,
    });
    if (applied.status !== "succeeded") {
      const failed = applied.steps.find((s) => s.outcome === "failed") ?? applied.preflight[0];
      result = { clientId, outcome: applied.status === "cancelled" ? "cancelled" : "failed", message: failed?.message ?? applied.status };
    } else {
      const status = await followEnvironment(kube, {
        environment: plan,
        clock,
        timeoutMs: options.readyTimeoutMs ?? 15 * 60_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const ok = status.phase === "Ready" || status.phase === "Suspended";
      result = { clientId, outcome: ok ? "succeeded" : "failed", phase: status.phase, message: status.summary };
    }
  } catch (error) {
    const cancelled = options.signal?.aborted === true;
    result = { clientId, outcome: cancelled ? "cancelled" : "failed", message: cancelled ? "отменено" : describeFailure(error).message };
  }
  run.results.set(clientId, result);
  if (result.outcome === "failed") run.failures++;
  run.emit({ type: "customer-finished", at: clock.now(), clientId, outcome: result.outcome, message: result.message });
}

/** Runs `plans` `concurrency` at a time until done, stopped (failure limit) or cancelled; paused between customers. */
async function rollWave(run: RolloutRun, plans: readonly ProvisioningPlan[], concurrency: number, canary: boolean): Promise<void> {
  const queue = [...plans];
  const maxFailures = run.options.maxFailures ?? 1;
  const worker = async () => {
    for (;;) {
      if (run.options.control?.isPaused) {
        run.emit({ type: "rollout-paused", at: run.clock.now() });
        await run.options.control.whileRunning();
        run.emit({ type: "rollout-resumed", at: run.clock.now() });
      }
      if (run.options.signal?.aborted || run.stopped || queue.length === 0) return;
      if (run.failures >= maxFailures) {
        run.stopped = `${run.failures} неудач(и) — предел ${maxFailures}: новые клиенты не начинаются`;
        run.emit({ type: "rollout-stopped", at: run.clock.now(), cause: "failure-limit", reason: run.stopped });
        return;
      }
      try {
        await run.room?.untilRoom();
      } catch (error) {
        // Not knowing whether there is room is no reason to pile more pods on: stop, as after failures.
        if (!run.options.signal?.aborted && !run.stopped) {
          run.stopped = `не удалось проверить, есть ли место в кластере: ${describeFailure(error).message}`;
          run.emit({ type: "rollout-stopped", at: run.clock.now(), cause: "room-unknown", reason: run.stopped });
        }
        return;
      }
      if (run.options.signal?.aborted || run.stopped || queue.length === 0) return;
      await rollOne(run, queue.shift()!, canary);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, plans.length)) }, worker));
}

/**
 * Rolls `plans` (customers of one namespace) out: the up-to-date ones skipped, a canary wave that must all succeed,
 * then the rest. Never throws for a customer's failure: the result says what became of each.
 */
export async function runRollout(kube: KubeClient, plans: readonly ProvisioningPlan[], options: RolloutOptions = {}): Promise<RolloutResult> {
  const clock = options.clock ?? kube.clock ?? systemClock;
  const emit = (event: RolloutEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not break the rollout.
    }
  };
  const namespace = plans[0]?.namespace;
  const room =
    namespace === undefined ? undefined : new RoomWatch({ kube, namespace, clock, pollMs: options.roomPollMs ?? 10_000, signal: options.signal, emit });
  const run: RolloutRun = { kube, options, clock, emit, results: new Map(), failures: 0, stopped: undefined, room };
  const drift = options.skipUpToDate === false ? [] : await detectDrift(kube, plans, options.signal ? { signal: options.signal } : {});
  const upToDate = new Set(drift.filter((d) => !d.drifted).map((d) => d.clientId));
  const todo = plans.filter((p) => !upToDate.has(p.clientId));
  emit({ type: "rollout-started", at: clock.now(), total: plans.length, upToDate: upToDate.size });
  for (const id of upToDate) {
    run.results.set(id, { clientId: id, outcome: "up-to-date", message: "без изменений" });
    emit({ type: "customer-finished", at: clock.now(), clientId: id, outcome: "up-to-date", message: "без изменений" });
  }
  const done = new AbortController();
  const monitoring = room?.monitor(options.signal ? AbortSignal.any([done.signal, options.signal]) : done.signal);
  const canarySize = Math.max(0, Math.min(options.canary ?? 1, todo.length));
  await rollWave(run, todo.slice(0, canarySize), canarySize, true);
  const canaryFailed = todo.slice(0, canarySize).some((p) => run.results.get(p.clientId)?.outcome !== "succeeded");
  if (canaryFailed && !options.signal?.aborted && !run.stopped) {
    run.stopped = "первая волна (канарейка) не стала готовой: остальные клиенты не начинаются";
    emit({ type: "rollout-stopped", at: clock.now(), cause: "canary-failed", reason: run.stopped });
  }
  if (!canaryFailed) await rollWave(run, todo.slice(canarySize), options.concurrency ?? 4, false);
  done.abort();
  await monitoring;
  const cancelled = options.signal?.aborted === true;
  const customers = plans.map(
    (p): RolloutCustomerResult =>
      run.results.get(p.clientId) ?? {
        clientId: p.clientId,
        outcome: cancelled ? "cancelled" : "not-started",
        message: cancelled ? "отменено до начала" : "не начат",
      },
  );
  const status = cancelled ? "cancelled" : run.stopped ? "stopped" : "succeeded";
  emit({ type: "rollout-finished", at: clock.now(), status });
  return { status, customers };
}
