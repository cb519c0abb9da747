/**
 * The executor: runs a provisioning plan against a cluster, convergently — preflight and a list of what exists
 * (./existing-objects.ts) in one round, then the plan's dependency graph (./apply-graph.ts) of object and Job steps
 * (./apply-steps.ts), then the pruning of what the plan no longer produces (./prune.ts), under the per-customer lock
 * (./lock.ts: in the process, and the customer's Lease in the cluster). Never throws for cluster failures: the result
 * says per step what happened.
 */
import type { Clock } from "../core/clock.js";
import { SredaError } from "../core/errors.js";
import { kindInfo } from "../core/kinds.js";
import type { PlanStep, ProvisioningPlan } from "../core/plan.js";
import { runGraph } from "./apply-graph.js";
import { applyObject, describeFailure, runJob, StepFailure, type StepContext } from "./apply-steps.js";
import { observeKubeRetries, type KubeClient } from "./client.js";
import { systemClock } from "./clock.js";
import { listExistingObjects, type ExistingObjects } from "./existing-objects.js";
import { JobTracker } from "./job-tracker.js";
import { withCustomerLock, type KeyedLock } from "./lock.js";
import { preflight, type PreflightProblem } from "./preflight.js";
import { pruneCandidates, pruneObjects, type PruneResult } from "./prune.js";

/** `deleted`: a deprovisioning's step (a provisioning's deletions are its `pruned`). */
export type StepOutcome = "created" | "updated" | "unchanged" | "deleted" | "failed" | "skipped" | "cancelled";

export interface StepResult {
  id: string;
  kind: string;
  name: string;
  outcome: StepOutcome;
  /** For people: what happened, in Russian. */
  message: string;
  /** The Kubernetes reason of a failure (AlreadyExists, Invalid, BackoffLimitExceeded, …). */
  reason?: string;
  resourceVersion?: string;
  /** 1 + the number of times a request of this step was repeated (429, 5xx, dropped connections). */
  attempts: number;
  /** Last log lines of a failed Job's pod. */
  logs?: string[];
}

export type ApplyEvent =
  | { type: "run-started"; at: number; clientId: string; namespace: string; total: number }
  | { type: "preflight-failed"; at: number; problems: PreflightProblem[] }
  | { type: "step-started"; at: number; stepId: string; title: string; kind: string; name: string }
  | { type: "step-retrying"; at: number; stepId: string; attempt: number; delayMs: number; reason: string; message: string }
  | { type: "step-waiting"; at: number; stepId: string; message: string }
  | {
      type: "step-succeeded";
      at: number;
      stepId: string;
      outcome: "created" | "updated" | "unchanged" | "deleted";
      message: string;
      done: number;
      total: number;
    }
  | { type: "step-failed"; at: number; stepId: string; reason: string; message: string; logs?: string[]; done: number; total: number }
  | { type: "step-skipped"; at: number; stepId: string; blockedBy: string[]; done: number; total: number }
  | ({ type: "object-pruned"; at: number } & PruneResult)
  | { type: "run-finished"; at: number; status: ApplyResult["status"] };

export interface ApplyResult {
  status: "succeeded" | "failed" | "cancelled" | "preflight-failed";
  clientId: string;
  namespace: string;
  steps: StepResult[];
  /**
   * The customer's objects the plan no longer produces, deleted after every step succeeded (none otherwise); a
   * failure here fails the run.
   */
  pruned: PruneResult[];
  preflight: PreflightProblem[];
  startedAt: number;
  finishedAt: number;
}

export interface ApplyOptions {
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** Default: the client's clock (the fake cluster's, for a client made from `cluster.clientConfig`). */
  clock?: Clock;
  /** Steps in flight at once (default 4). */
  concurrency?: number;
  /** Server-side apply field manager (default "sreda"). */
  fieldManager?: string;
  /**
   * Attempts of a Job create (POST) on 5xx or a dropped connection (default 4). Every other request is retried
   * by the client itself (429 always; 5xx and network errors for requests safe to repeat); the executor only
   * reports those retries as events.
   */
  maxAttempts?: number;
  /**
   * A Job is watched; when it has not finished within this interval, and every interval after that, its pods are
   * looked at for one that can never start (default 2 s). It is also the polling period when the Jobs cannot be
   * watched.
   */
  jobPollIntervalMs?: number;
  /** How long to wait for a Job (default 20 min). */
  jobTimeoutMs?: number;
  /** A suspended customer is resumed by this provisioning (default: it stays suspended, ../core/suspension.ts). */
  resume?: boolean;
  /** Skip preflight (default false). */
  skipPreflight?: boolean;
  /**
   * How long the client remembers, per namespace, that it exists and which permissions its token has there, so that
   * preflight does not ask again (default 30 s; 0: ask every run). A denial is never remembered.
   */
  permissionCacheMs?: number;
  /**
   * When another run holds the customer — in this process, or its Lease from another process: wait (default) or fail
   * with code LOCKED.
   */
  whenLocked?: "wait" | "fail";
  /**
   * Who runs it, for a second caller's LOCKED message (default `<hostname>-<pid>-<random>`, new for every run); a
   * lease held under this name is taken back at once (one name per process, never shared by two live ones).
   */
  identity?: string;
  /**
   * Hold the customer's Lease (./lease.ts) too, so that other processes (another bridge, a CLI) wait (default true).
   * false keeps only the in-process lock: for a token without rights on leases.
   */
  lease?: boolean;
  /** The lease's duration (default 30 s): renewed every third of it; a dead holder's lease is taken over after it. */
  leaseDurationSeconds?: number;
  /** Jitter source for retry backoff (default Math.random). */
  random?: () => number;
  /** Lock registry (default: the process-wide one). */
  locks?: KeyedLock;
}

/**
 * Applies a plan under the customer's lock: preflight, then the dependency graph with bounded parallelism. Never
 * throws for cluster failures — the result says per step what happened (a lease that cannot be read or written: as a
 * failed preflight, which says why); throws only for LOCKED (whenLocked: "fail"), for LOCK_LOST (the lease was lost
 * during the run, which was then stopped), for the signal's reason when it aborts the wait for the lock, and for a
 * client on another clock than the fake cluster it talks to (CLOCK_MISMATCH).
 */
export async function applyPlan(plan: ProvisioningPlan, kube: KubeClient, options: ApplyOptions = {}): Promise<ApplyResult> {
  const lockOptions = {
    operation: "развёртывание",
    whenLocked: options.whenLocked ?? "wait",
    ...(options.identity !== undefined ? { identity: options.identity } : {}),
    ...(options.lease !== undefined ? { lease: options.lease } : {}),
    ...(options.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: options.leaseDurationSeconds } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.locks ? { locks: options.locks } : {}),
  };
  try {
    // The lock's signal aborts with the caller's, or when the lease is lost: either stops the run.
    return await withCustomerLock(kube, plan, lockOptions, (signal) => runPlan(plan, kube, { ...options, signal }));
  } catch (error) {
    if (!(error instanceof SredaError && error.code === "LOCK_FAILED")) throw error;
    return runPlan(plan, kube, options, error);
  }
}

type Emit = (event: ApplyEvent) => void;

/** The listener's events; a listener's failure must not break provisioning. */
function emitter(onEvent: ApplyOptions["onEvent"]): Emit {
  return (event) => {
    try {
      onEvent?.(event);
    } catch {
      // ignored
    }
  };
}

interface RunState {
  clock: Clock;
  emit: Emit;
  results: Map<string, StepResult>;
  existing: ExistingObjects;
}

function stepContext(plan: ProvisioningPlan, kube: KubeClient, options: ApplyOptions, { clock, emit, results, existing }: RunState): StepContext {
  const jobPollIntervalMs = options.jobPollIntervalMs ?? 2_000;
  const jobs = existing.get("Job");
  return {
    kube,
    namespace: plan.namespace,
    clock,
    signal: options.signal,
    fieldManager: options.fieldManager ?? "sreda",
    maxAttempts: options.maxAttempts ?? 4,
    jobPollIntervalMs,
    jobTimeoutMs: options.jobTimeoutMs ?? 20 * 60_000,
    random: options.random ?? Math.random,
    existing,
    ...(options.resume ? { resume: true } : {}),
    jobs: jobs && new JobTracker(kube, jobs, { clock, signal: options.signal, pollIntervalMs: jobPollIntervalMs }),
    onRetry: (step, attempt, delayMs, reason, message) => {
      results.get(step.id)!.attempts++;
      emit({ type: "step-retrying", at: clock.now(), stepId: step.id, attempt, delayMs, reason, message });
    },
    onWaiting: (step, message) => emit({ type: "step-waiting", at: clock.now(), stepId: step.id, message }),
  };
}

/**
 * Preflight and the lists of what exists, at once (one round trip): preflight's problems, a cancellation, or what the
 * steps start from.
 */
async function checkBeforeSteps(plan: ProvisioningPlan, kube: KubeClient, options: ApplyOptions): Promise<"cancelled" | PreflightProblem[] | ExistingObjects> {
  const signal = options.signal;
  if (signal?.aborted) return "cancelled";
  const check = options.skipPreflight
    ? Promise.resolve([])
    : preflight(plan, kube, {
        ...(signal ? { signal } : {}),
        lease: options.lease !== false,
        ...(options.permissionCacheMs !== undefined ? { permissionCacheMs: options.permissionCacheMs } : {}),
      }).catch((error: unknown) => {
        if (error instanceof SredaError && error.code === "CLOCK_MISMATCH") throw error;
        return [{ code: "CheckFailed" as const, message: `предварительная проверка не выполнена: ${describeFailure(error).message}` }];
      });
  const lists = listExistingObjects(plan, kube, signal).catch((error: unknown) => {
    if (signal?.aborted) return undefined;
    throw error;
  });
  const [problems, existing] = await Promise.all([check, lists]);
  if (signal?.aborted || !existing) return "cancelled";
  return problems.length > 0 ? problems : existing;
}

/** Why the lease could not be had, as preflight problems: preflight's (it checks the rights on leases too), or the failure. */
async function lockProblems(plan: ProvisioningPlan, kube: KubeClient, options: ApplyOptions, failure: SredaError): Promise<"cancelled" | PreflightProblem[]> {
  const signal = options.signal;
  const problems = await preflight(plan, kube, {
    ...(signal ? { signal } : {}),
    ...(options.permissionCacheMs !== undefined ? { permissionCacheMs: options.permissionCacheMs } : {}),
  }).catch((error: unknown) => {
    if (error instanceof SredaError && error.code === "CLOCK_MISMATCH") throw error;
    return [];
  });
  if (signal?.aborted) return "cancelled";
  return problems.length > 0 ? problems : [{ code: "CheckFailed", message: failure.message }];
}

/**
 * The run. `lockFailure`: the lease could not be read or written — nothing is written; preflight says why in an
 * operator's words (no namespace, no right on leases, an unreachable cluster), else the failure itself is the problem.
 */
async function runPlan(plan: ProvisioningPlan, kube: KubeClient, options: ApplyOptions, lockFailure?: SredaError): Promise<ApplyResult> {
  const clock = options.clock ?? kube.clock ?? systemClock;
  const signal = options.signal;
  const emit = emitter(options.onEvent);
  const total = plan.steps.length;
  const startedAt = clock.now();
  const results = new Map<string, StepResult>(
    plan.steps.map((s) => [s.id, { id: s.id, kind: s.kind, name: s.name, outcome: "skipped", message: "не выполнялся", attempts: 1 }]),
  );
  let pruned: PruneResult[] = [];
  const finish = (status: ApplyResult["status"], problems: PreflightProblem[] = []): ApplyResult => {
    const result: ApplyResult = {
      status,
      clientId: plan.clientId,
      namespace: plan.namespace,
      steps: plan.steps.map((s) => results.get(s.id)!),
      pruned,
      preflight: problems,
      startedAt,
      finishedAt: clock.now(),
    };
    emit({ type: "run-finished", at: result.finishedAt, status });
    return result;
  };

  emit({ type: "run-started", at: startedAt, clientId: plan.clientId, namespace: plan.namespace, total });
  const check = lockFailure ? await lockProblems(plan, kube, options, lockFailure) : await checkBeforeSteps(plan, kube, options);
  if (check === "cancelled") {
    for (const r of results.values()) Object.assign(r, { outcome: "cancelled", message: "отменено" });
    return finish("cancelled");
  }
  if (Array.isArray(check)) {
    emit({ type: "preflight-failed", at: clock.now(), problems: check });
    for (const r of results.values()) r.message = "не выполнялся: предварительная проверка не пройдена";
    return finish("preflight-failed", check);
  }

  const ctx = stepContext(plan, kube, options, { clock, emit, results, existing: check });
  try {
    await runSteps(plan, ctx, results, emit, Math.max(1, options.concurrency ?? 4));
  } finally {
    ctx.jobs?.close();
  }
  const outcomes = [...results.values()].map((r) => r.outcome);
  if (signal?.aborted) return finish("cancelled");
  if (outcomes.some((o) => o === "failed" || o === "skipped")) return finish("failed");
  // Only after every step succeeded, as Helm deletes what a release dropped only when its upgrade succeeded.
  pruned = await pruneObjects(kube, pruneCandidates(plan, check), {
    signal,
    onPruned: (result) => emit({ type: "object-pruned", at: clock.now(), ...result }),
  });
  if (signal?.aborted) return finish("cancelled");
  return finish(pruned.some((p) => p.outcome === "failed") ? "failed" : "succeeded");
}

/** The graph, with each step's result recorded and announced. */
async function runSteps(plan: ProvisioningPlan, ctx: StepContext, results: Map<string, StepResult>, emit: Emit, concurrency: number): Promise<void> {
  const { clock, signal } = ctx;
  const total = plan.steps.length;
  let done = 0;
  const run = async (step: PlanStep): Promise<void> => {
    const result = results.get(step.id)!;
    emit({ type: "step-started", at: clock.now(), stepId: step.id, title: step.title, kind: step.kind, name: step.name });
    try {
      const outcome = await observeKubeRetries(
        (info) => {
          result.attempts++;
          emit({
            type: "step-retrying",
            at: clock.now(),
            stepId: step.id,
            attempt: info.attempt,
            delayMs: info.delayMs,
            reason: info.reason,
            message: `${info.method} ${info.path}: ${info.reason}`,
          });
        },
        () => (kindInfo(step.kind)?.write === "recreate" ? runJob(ctx, step) : applyObject(ctx, step)),
      );
      Object.assign(result, outcome);
      done++;
      emit({ type: "step-succeeded", at: clock.now(), stepId: step.id, outcome: outcome.outcome, message: outcome.message, done, total });
    } catch (error) {
      done++;
      if (signal?.aborted) {
        Object.assign(result, { outcome: "cancelled", message: "отменено" });
      } else {
        const { reason, message } = describeFailure(error);
        const logs = error instanceof StepFailure ? error.logs : undefined;
        Object.assign(result, { outcome: "failed", reason, message, ...(logs ? { logs } : {}) });
        emit({ type: "step-failed", at: clock.now(), stepId: step.id, reason, message, ...(logs ? { logs } : {}), done, total });
      }
      throw error;
    }
  };
  await runGraph(plan.steps, concurrency, signal, {
    run,
    cancelled: (step) => Object.assign(results.get(step.id)!, { outcome: "cancelled", message: "отменено" }),
    skipped: (step, blockedBy) => {
      if (blockedBy.length === 0) {
        Object.assign(results.get(step.id)!, { outcome: "skipped", message: "пропущен: зависимости не выполнены" });
        return;
      }
      done++;
      Object.assign(results.get(step.id)!, { outcome: "skipped", message: `пропущен: не выполнены ${blockedBy.join(", ")}` });
      emit({ type: "step-skipped", at: clock.now(), stepId: step.id, blockedBy, done, total });
    },
  });
}
