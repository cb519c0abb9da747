/**
 * A customer's life after provisioning: suspend (the backend scaled to zero, the replicas it had kept on the
 * Deployment — ../core/suspension.ts — so a resume after a restart still knows), resume (back to them). Data,
 * secrets and every other object stay as they are. Each runs under the customer's lock, like a provisioning, and
 * reports as one: events and an `ApplyResult` with one step. Written by server-side apply under a field manager of
 * their own (`<fieldManager>-suspend`), which owns only the replicas and the annotation.
 */
import type { Clock } from "../core/clock.js";
import { objectNames, type EnvironmentDescription } from "../core/environment.js";
import { SredaError } from "../core/errors.js";
import type { Deployment } from "../core/kube-objects.js";
import { suspendedReplicas } from "../core/suspension.js";
import type { ApplyEvent, ApplyResult, StepResult } from "./apply.js";
import { describeFailure, StepFailure } from "./apply-steps.js";
import type { KubeClient } from "./client.js";
import { systemClock } from "./clock.js";
import { isKubeError } from "./errors.js";
import { withCustomerLock, type KeyedLock } from "./lock.js";
import { applySuspensionFields } from "./suspension-fields.js";

export interface LifecycleOptions {
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** Default: the client's clock. */
  clock?: Clock;
  /** The lock's holder identity (who does it, for a second caller's "in progress by …"). */
  identity?: string;
  /** When another operation holds the customer: wait (default) or fail with LOCKED. */
  whenLocked?: "wait" | "fail";
  /** Server-side apply field manager (default "sreda"); suspension writes as `<fieldManager>-suspend`. */
  fieldManager?: string;
  /** Keep only the in-process lock (no Lease): for a token that may not write leases. */
  lease?: boolean;
  locks?: KeyedLock;
}

/** What one lifecycle operation does with its steps, inside the lock; it records each step through `record`. */
type LifecycleWork = (run: LifecycleRun) => Promise<void>;

/** A lifecycle operation's run: its client, clock, signal, and the steps it records. */
export interface LifecycleRun {
  kube: KubeClient;
  clock: Clock;
  signal: AbortSignal;
  namespace: string;
  fieldManager: string;
  /** Runs one step: announced, its outcome recorded, its failure reported (and thrown on, to stop the run). */
  step(id: string, kind: string, name: string, title: string, work: () => Promise<Pick<StepResult, "outcome" | "message">>): Promise<void>;
}

/**
 * Runs a lifecycle operation under the customer's lock and reports it as a provisioning is reported. Never throws for
 * the cluster's failures (a lock that cannot be had for one is a `preflight-failed` result); throws LOCKED
 * (whenLocked "fail") and LOCK_LOST like `applyPlan`.
 */
export async function runLifecycle(
  kube: KubeClient,
  target: { clientId: string; namespace: string },
  operation: string,
  options: LifecycleOptions,
  work: LifecycleWork,
): Promise<ApplyResult> {
  const clock = options.clock ?? kube.clock ?? systemClock;
  const emit = (event: ApplyEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not break the operation.
    }
  };
  const steps: StepResult[] = [];
  const startedAt = clock.now();
  const lockOptions = {
    operation,
    ...(options.identity ? { identity: options.identity } : {}),
    whenLocked: options.whenLocked ?? "wait",
    ...(options.signal ? { signal: options.signal } : {}),
    clock,
    ...(options.locks ? { locks: options.locks } : {}),
    ...(options.lease === false ? { lease: false } : {}),
  } as const;
  const locked = await withCustomerLock(kube, target, lockOptions, async (signal) => {
    emit({ type: "run-started", at: startedAt, clientId: target.clientId, namespace: target.namespace, total: 0 });
    const run = lifecycleRun(kube, clock, signal, target.namespace, options.fieldManager ?? "sreda", steps, emit);
    try {
      await work(run);
      return "succeeded" as const;
    } catch {
      return signal.aborted ? ("cancelled" as const) : ("failed" as const);
    }
  }).catch((error: unknown) => {
    // The Lease could not be read or written (no namespace, no right on leases): said as a preflight problem.
    if (!(error instanceof SredaError && error.code === "LOCK_FAILED")) throw error;
    return [{ code: "CheckFailed" as const, message: `блокировка клиента не получена: ${error.message}` }];
  });
  const status = Array.isArray(locked) ? "preflight-failed" : locked;
  const preflight = Array.isArray(locked) ? locked : [];
  const finishedAt = clock.now();
  emit({ type: "run-finished", at: finishedAt, status });
  return { status, clientId: target.clientId, namespace: target.namespace, steps, pruned: [], preflight, startedAt, finishedAt };
}

function lifecycleRun(
  kube: KubeClient,
  clock: Clock,
  signal: AbortSignal,
  namespace: string,
  fieldManager: string,
  steps: StepResult[],
  emit: (event: ApplyEvent) => void,
): LifecycleRun {
  return {
    kube,
    clock,
    signal,
    namespace,
    fieldManager,
    async step(id, kind, name, title, work) {
      const result: StepResult = { id, kind, name, outcome: "skipped", message: "", attempts: 1 };
      steps.push(result);
      emit({ type: "step-started", at: clock.now(), stepId: id, title, kind, name });
      try {
        Object.assign(result, await work());
        const outcome = result.outcome as "created" | "updated" | "unchanged" | "deleted";
        emit({ type: "step-succeeded", at: clock.now(), stepId: id, outcome, message: result.message, done: steps.length, total: steps.length });
      } catch (error) {
        const { reason, message } = describeFailure(error);
        Object.assign(result, signal.aborted ? { outcome: "cancelled", message: "отменено" } : { outcome: "failed", reason, message });
        if (!signal.aborted) emit({ type: "step-failed", at: clock.now(), stepId: id, reason, message, done: steps.length, total: steps.length });
        throw error;
      }
    },
  };
}

/** The customer's Deployment, as the environment names it. */
function deploymentOf(environment: EnvironmentDescription): { name: string; path: string } {
  const name = objectNames(environment, "Deployment")[0];
  if (!name) throw new StepFailure("NotFound", `в среде клиента ${environment.clientId} нет развёртывания`);
  return { name, path: `/apis/apps/v1/namespaces/${encodeURIComponent(environment.namespace)}/deployments/${encodeURIComponent(name)}` };
}

async function readDeployment(run: LifecycleRun, path: string, name: string): Promise<Deployment> {
  try {
    return await run.kube.get<Deployment>(path, { signal: run.signal });
  } catch (error) {
    if (isKubeError(error, "NotFound")) throw new StepFailure("NotFound", `развёртывание ${name} не найдено: среда клиента не создана`);
    throw error;
  }
}

/** Suspends a customer: its Deployment scaled to zero, the replicas it had kept on it; nothing else is touched. */
export function suspendEnvironment(kube: KubeClient, environment: EnvironmentDescription, options: LifecycleOptions = {}): Promise<ApplyResult> {
  return runLifecycle(kube, environment, "приостановка", options, async (run) => {
    const { name, path } = deploymentOf(environment);
    await run.step("suspend", "Deployment", name, "Приостановка приложения", async () => {
      const deployment = await readDeployment(run, path, name);
      const kept = suspendedReplicas(deployment);
      if (kept !== undefined && deployment.spec?.replicas === 0)
        return { outcome: "unchanged", message: `среда уже приостановлена (подов при возобновлении: ${kept})` };
      const replicas = kept ?? deployment.spec?.replicas ?? 1;
      await applySuspensionFields(run, path, name, 0, replicas);
      return { outcome: "updated", message: `развёртывание ${name} остановлено (было подов: ${replicas})` };
    });
  });
}

/** Resumes a suspended customer: its Deployment back to the replicas it had; a customer not suspended is left alone. */
export function resumeEnvironment(kube: KubeClient, environment: EnvironmentDescription, options: LifecycleOptions = {}): Promise<ApplyResult> {
  return runLifecycle(kube, environment, "возобновление", options, async (run) => {
    const { name, path } = deploymentOf(environment);
    await run.step("resume", "Deployment", name, "Возобновление приложения", async () => {
      const deployment = await readDeployment(run, path, name);
      const kept = suspendedReplicas(deployment);
      if (kept === undefined) return { outcome: "unchanged", message: "среда не приостановлена" };
      await applySuspensionFields(run, path, name, kept);
      return { outcome: "updated", message: `развёртывание ${name} возобновлено: подов ${kept}` };
    });
  });
}
