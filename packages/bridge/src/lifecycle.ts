/**
 * A customer's life after provisioning, each as one background operation recorded like a provisioning: suspend and
 * resume (the SDK's `suspendEnvironment` / `resumeEnvironment`, then the environment followed until its phase is
 * final: Suspended, Ready or Failed) and deprovision (`deprovisionEnvironment`: its steps — the objects it deletes —
 * are found while it runs and added to the record as they start). The customer's lock is taken in "fail" mode:
 * held by another process, the operation fails at once with OPERATION_IN_PROGRESS and the holder.
 */
import {
  deprovisionEnvironment,
  resumeEnvironment,
  suspendEnvironment,
  type ApplyResult,
  type Clock,
  type DeprovisioningPlan,
  type EnvironmentDescription,
  type KubeClient,
  type LifecycleOptions,
} from "@sreda/sdk";
import { failedStepError, finishAborted, followStage, operationError, recordApplyEvent, recordStepResults } from "./operation-events.js";
import { OPERATION_NAMES, type OperationStore } from "./operations.js";
import type { OperationKind } from "./schemas.js";

interface LifecycleContext {
  operationId: string;
  kube: KubeClient;
  store: OperationStore;
  clock: Clock;
  readyTimeoutMs: number;
  /** Who holds the customer's lock while this runs (told to a second caller). */
  identity: string;
}

/** The SDK call, given the options every run passes (signal, clock, events, the lock in fail mode). */
type Work = (options: LifecycleOptions) => Promise<ApplyResult>;

/** Runs the SDK's operation and records it; true when every step succeeded (otherwise the operation is finished). */
async function runSteps(
  ctx: LifecycleContext,
  kind: OperationKind,
  target: { clientId: string; namespace: string },
  signal: AbortSignal,
  work: Work,
): Promise<boolean> {
  const { operationId: id, store, clock } = ctx;
  store.update(id, (r) => {
    r.status = "running";
    r.stage = "applying";
  });
  store.event(id, { type: "started", message: `${OPERATION_NAMES[kind]}: клиент ${target.clientId} в ${target.namespace}` });
  let result: ApplyResult;
  try {
    result = await work({ signal, clock, onEvent: (event) => recordApplyEvent(store, id, event), whenLocked: "fail", identity: ctx.identity });
  } catch (error) {
    if (signal.aborted) finishAborted(store, id, signal);
    else store.finish(id, "failed", operationError(error));
    return false;
  }
  recordStepResults(store, id, result);
  if (result.status === "cancelled" || signal.aborted) {
    finishAborted(store, id, signal);
    return false;
  }
  if (result.status !== "succeeded") {
    store.finish(id, "failed", failedStepError(result));
    return false;
  }
  return true;
}

/** Suspends or resumes the customer, then follows its environment: Suspended (suspend) or Ready (resume) is success. */
export async function runSuspendOrResume(
  ctx: LifecycleContext,
  kind: "suspend" | "resume",
  environment: EnvironmentDescription,
  signal: AbortSignal,
): Promise<void> {
  const sdk = kind === "suspend" ? suspendEnvironment : resumeEnvironment;
  if (!(await runSteps(ctx, kind, environment, signal, (options) => sdk(ctx.kube, environment, options)))) return;
  const wanted = kind === "suspend" ? "Suspended" : "Ready";
  const assessment = await followStage(ctx, environment, signal, kind === "suspend" ? "ожидание остановки среды" : "ожидание готовности среды");
  if (!assessment) return;
  if (assessment.phase === wanted) return ctx.store.finish(ctx.operationId, "succeeded");
  ctx.store.finish(ctx.operationId, "failed", {
    code: kind === "suspend" ? "ENVIRONMENT_NOT_SUSPENDED" : "ENVIRONMENT_NOT_READY",
    message: `${kind === "suspend" ? "Среда не приостановлена" : "Среда не готова"}: ${assessment.summary}`,
    details: { phase: assessment.phase },
  });
}

/** Deprovisions the customer: the databases first when the plan drops them, then every object it owns. */
export async function runDeprovision(ctx: LifecycleContext, plan: DeprovisioningPlan, signal: AbortSignal): Promise<void> {
  if (!(await runSteps(ctx, "deprovision", plan, signal, (options) => deprovisionEnvironment(plan, ctx.kube, options)))) return;
  const deleted = ctx.store.peek(ctx.operationId)?.steps.filter((s) => s.status === "deleted").length ?? 0;
  ctx.store.event(ctx.operationId, { type: "deprovisioned", message: `среда клиента ${plan.clientId} удалена, объектов удалено: ${deleted}` });
  ctx.store.finish(ctx.operationId, "succeeded");
}
