/**
 * What every kind of operation (provisioning, suspend, resume, deprovision) records the same way: the SDK's
 * `ApplyEvent` stream and `ApplyResult` written into the record's steps and events (a step the record does not know
 * yet — a deprovisioning finds its objects while it runs — is added), SDK and cluster failures turned into the
 * record's error, an abort into cancelled or interrupted, and the environment followed until its phase is final.
 */
import {
  followEnvironment,
  isKubeError,
  SredaError,
  SredaValidationError,
  type ApplyEvent,
  type ApplyResult,
  type Clock,
  type EnvironmentAssessment,
  type EnvironmentDescription,
  type KubeClient,
} from "@sreda/sdk";
import { clusterHttpError } from "./errors.js";
import type { OperationRecord, OperationStore } from "./operations.js";

type Step = OperationRecord["steps"][number];
type OperationError = NonNullable<OperationRecord["error"]>;

const OUTCOME_RU: Record<string, string> = { created: "создан", updated: "обновлён", unchanged: "без изменений", deleted: "удалён" };

/**
 * What an SDK or cluster failure becomes in the record. The customer held by another run (the SDK's LOCKED: another
 * process holds its Lease) is `OPERATION_IN_PROGRESS`, with who holds it, doing what, since when.
 */
export function operationError(error: unknown): OperationError {
  if (isKubeError(error)) {
    const mapped = clusterHttpError(error);
    return { code: mapped.code, message: mapped.message, details: mapped.details };
  }
  if (error instanceof SredaValidationError) return { code: error.code, message: "Входные данные не прошли проверку", details: { problems: error.problems } };
  if (error instanceof SredaError && error.code === "LOCKED") {
    const { holder, operation, since } = error.details;
    return { code: "OPERATION_IN_PROGRESS", message: error.message, details: { holder, operation, since } };
  }
  if (error instanceof SredaError) return { code: error.code, message: error.message };
  return { code: "INTERNAL_ERROR", message: "Внутренняя ошибка моста Sreda; подробности в журнале сервиса" };
}

/** The record's step of an id. */
const stepOf = (r: OperationRecord, stepId: string): Step | undefined => r.steps.find((s) => s.id === stepId);

/** Ends the operation as cancelled, or interrupted when the bridge is shutting down. */
export function finishAborted(store: OperationStore, id: string, signal: AbortSignal): void {
  store.finish(id, signal.reason === "shutdown" ? "interrupted" : "cancelled");
}

function stepStarted(store: OperationStore, id: string, event: Extract<ApplyEvent, { type: "step-started" }>): void {
  store.update(id, (r) => {
    r.stage = "applying";
    const running = { status: "running" as const, message: "выполняется" };
    const step = stepOf(r, event.stepId);
    if (step) Object.assign(step, running);
    else r.steps.push({ id: event.stepId, title: event.title, kind: event.kind, name: event.name, attempts: 0, ...running });
  });
  store.event(id, { type: event.type, stepId: event.stepId, message: `${event.kind} ${event.name}: ${event.title}` }, event.at);
}

/** The executor's (or a lifecycle operation's) events, written into the record as they come. */
export function recordApplyEvent(store: OperationStore, id: string, event: ApplyEvent): void {
  const update = (stepId: string, change: (s: Step) => void) =>
    store.update(id, (r) => {
      const s = stepOf(r, stepId);
      if (s) change(s);
    });
  switch (event.type) {
    case "run-started": {
      // A provisioning announces its requests; suspend, resume and deprovision find theirs as they go.
      const message =
        event.total > 0 ? `предварительная проверка и ${event.total} запросов к кластеру` : "клиент заблокирован для других операций, выполнение начато";
      return store.event(id, { type: event.type, message }, event.at);
    }
    case "preflight-failed":
      return store.event(
        id,
        { type: event.type, message: `предварительная проверка не пройдена: ${event.problems.map((p) => p.message).join("; ")}` },
        event.at,
      );
    case "step-started":
      return stepStarted(store, id, event);
    case "step-retrying":
      return store.event(
        id,
        { type: event.type, stepId: event.stepId, message: `повтор ${event.attempt} через ${Math.round(event.delayMs / 100) / 10} с: ${event.message}` },
        event.at,
      );
    case "step-waiting":
      update(event.stepId, (s) => (s.message = event.message));
      return store.event(id, { type: event.type, stepId: event.stepId, message: event.message }, event.at);
    case "step-succeeded":
      update(event.stepId, (s) => Object.assign(s, { status: event.outcome, message: event.message }));
      return store.event(
        id,
        { type: event.type, stepId: event.stepId, message: `${event.message} (${event.done}/${event.total}, ${OUTCOME_RU[event.outcome] ?? event.outcome})` },
        event.at,
      );
    case "step-failed":
      update(event.stepId, (s) =>
        Object.assign(s, { status: "failed", message: event.message, reason: event.reason, ...(event.logs ? { logs: event.logs } : {}) }),
      );
      return store.event(id, { type: event.type, stepId: event.stepId, message: event.message }, event.at);
    case "step-skipped":
      return update(event.stepId, (s) => Object.assign(s, { status: "skipped", message: `пропущен: не выполнены ${event.blockedBy.join(", ")}` }));
    case "object-pruned": {
      const { type, at, ...pruned } = event;
      store.update(id, (r) => {
        r.pruned.push(pruned);
      });
      return store.event(id, { type, message: pruned.message }, at);
    }
    case "run-finished":
      return store.event(id, { type: event.type, message: `запросы к кластеру: ${event.status}` }, event.at);
  }
}

/** The result is authoritative for every step (and adds any the events did not announce). */
export function recordStepResults(store: OperationStore, id: string, result: ApplyResult): void {
  store.update(id, (r) => {
    r.pruned = result.pruned.map((p) => ({ ...p }));
    for (const res of result.steps) {
      let s = stepOf(r, res.id);
      if (!s) r.steps.push((s = { id: res.id, title: `${res.kind} ${res.name}`, kind: res.kind, name: res.name, status: "pending", message: "", attempts: 0 }));
      Object.assign(s, {
        status: res.outcome,
        message: res.message,
        attempts: res.attempts,
        ...(res.reason ? { reason: res.reason } : {}),
        ...(res.logs ? { logs: res.logs } : {}),
      });
    }
  });
}

/** A run that failed at a step: which one, and why. */
export function failedStepError(result: ApplyResult): OperationError {
  const failed = result.steps.find((s) => s.outcome === "failed");
  return {
    code: "APPLY_FAILED",
    message: failed ? `Шаг ${failed.id} не выполнен: ${failed.message}` : "Запросы к кластеру не выполнены",
    details: failed ? { stepId: failed.id, ...(failed.reason ? { reason: failed.reason } : {}) } : {},
  };
}

interface FollowContext {
  operationId: string;
  kube: KubeClient;
  store: OperationStore;
  clock: Clock;
  readyTimeoutMs: number;
}

/**
 * The environment followed until its phase is final (Ready, Suspended, Failed) or the time is up, each assessment
 * recorded. Undefined when the run was aborted or the follower failed: the operation is finished then.
 */
export async function followStage(
  ctx: FollowContext,
  environment: EnvironmentDescription,
  signal: AbortSignal,
  waiting: string,
): Promise<EnvironmentAssessment | undefined> {
  const { operationId: id, kube, store, clock } = ctx;
  store.update(id, (r) => {
    r.stage = "waiting";
  });
  store.event(id, { type: "waiting", message: waiting });
  let told = "";
  try {
    const assessment = await followEnvironment(kube, {
      environment,
      clock,
      signal,
      timeoutMs: ctx.readyTimeoutMs,
      onAssessment: (a) => {
        store.update(id, (r) => {
          r.environment = a;
        });
        // The assessment changes with every pod condition; people need a line only when the gist changes.
        const line = `${a.phase}: ${a.summary}`;
        if (line !== told) store.event(id, { type: "environment", message: line });
        told = line;
      },
    });
    store.update(id, (r) => {
      r.environment = assessment;
    });
    return assessment;
  } catch (error) {
    if (signal.aborted) finishAborted(store, id, signal);
    else store.finish(id, "failed", operationError(error));
    return undefined;
  }
}
