/**
 * One provisioning, in the background: secrets (supplied, read back from the cluster, or generated) → the plan →
 * the SDK's executor (preflight, then every request in dependency order) → following the environment until it is
 * Ready or Failed. Everything it learns goes into the operation record as it happens; nothing is thrown.
 */
import {
  applyPlan,
  createProvisioningPlan,
  describeEnvironment,
  followEnvironment,
  isKubeError,
  resolveCustomerSecrets,
  SredaError,
  SredaValidationError,
  type ApplyEvent,
  type CustomerSecrets,
  type Clock,
  type KubeClient,
  type ProvisioningPlan,
} from "@sreda/sdk";
import { clusterHttpError } from "./errors.js";
import type { OperationRecord, OperationStore } from "./operations.js";
import type { Redactor } from "./redact.js";
import type { ProvisioningRequest } from "./schemas.js";
import { SECRET_FIELDS } from "./secrets.js";

interface ProvisioningContext {
  operationId: string;
  request: ProvisioningRequest;
  kube: KubeClient;
  store: OperationStore;
  clock: Clock;
  /** The request's redactor: the resolved secrets are added to it before anything can echo them. */
  redactor: Redactor;
  readyTimeoutMs: number;
}

type Step = OperationRecord["steps"][number];

const OUTCOME_RU: Record<string, string> = { created: "создан", updated: "обновлён", unchanged: "без изменений" };

/** What an SDK or cluster failure becomes in the record. */
function operationError(error: unknown): NonNullable<OperationRecord["error"]> {
  if (isKubeError(error)) {
    const mapped = clusterHttpError(error);
    return { code: mapped.code, message: mapped.message, details: mapped.details };
  }
  if (error instanceof SredaValidationError) return { code: error.code, message: "Входные данные не прошли проверку", details: { problems: error.problems } };
  if (error instanceof SredaError) return { code: error.code, message: error.message };
  return { code: "INTERNAL_ERROR", message: "Внутренняя ошибка моста Sreda; подробности в журнале сервиса" };
}

/** The record's step of an id. */
const stepOf = (r: OperationRecord, stepId: string): Step | undefined => r.steps.find((s) => s.id === stepId);

/** Ends the operation as cancelled, or interrupted when the bridge is shutting down. */
function abort(ctx: ProvisioningContext, signal: AbortSignal): void {
  ctx.store.finish(ctx.operationId, signal.reason === "shutdown" ? "interrupted" : "cancelled");
}

/** 1. Secrets: what 1C sent, else what the cluster has, else new ones — which 1C must then keep. */
async function secretsStage(ctx: ProvisioningContext, signal: AbortSignal): Promise<CustomerSecrets | undefined> {
  const { operationId: id, request, kube, store } = ctx;
  try {
    // Read back where this input's templates keep them (a Secret or key renamed by an override included).
    const resolved = await resolveCustomerSecrets(kube, { environment: describeEnvironment(request), supplied: request.secrets ?? {}, signal });
    ctx.redactor.addAll(resolved.secrets);
    if (SECRET_FIELDS.some((f) => resolved.sources[f] !== "supplied")) store.offerSecrets(id, resolved.secrets);
    store.update(id, (r) => {
      r.secretSources = resolved.sources;
    });
    const generated = SECRET_FIELDS.filter((f) => resolved.sources[f] === "generated");
    const fromCluster = SECRET_FIELDS.filter((f) => resolved.sources[f] === "cluster");
    if (generated.length > 0)
      store.event(id, { type: "secrets-generated", message: `созданы новые секреты: ${generated.join(", ")} — сохраните их в 1С (поле secrets ответа)` });
    if (fromCluster.length > 0) store.event(id, { type: "secrets-read", message: `секреты прочитаны из кластера: ${fromCluster.join(", ")}` });
    return resolved.secrets;
  } catch (error) {
    if (signal.aborted) {
      abort(ctx, signal);
      return undefined;
    }
    const failure = operationError(error);
    store.event(id, { type: "secrets-failed", message: failure.message });
    store.finish(id, "failed", failure);
    return undefined;
  }
}

/** The executor's events, written into the record as they come. */
function recordApplyEvent(store: OperationStore, id: string, event: ApplyEvent): void {
  const update = (stepId: string, change: (s: Step) => void) =>
    store.update(id, (r) => {
      const s = stepOf(r, stepId);
      if (s) change(s);
    });
  switch (event.type) {
    case "run-started":
      return store.event(id, { type: event.type, message: `предварительная проверка и ${event.total} запросов к кластеру` }, event.at);
    case "preflight-failed":
      return store.event(
        id,
        { type: event.type, message: `предварительная проверка не пройдена: ${event.problems.map((p) => p.message).join("; ")}` },
        event.at,
      );
    case "step-started":
      store.update(id, (r) => {
        r.stage = "applying";
      });
      update(event.stepId, (s) => Object.assign(s, { status: "running", message: "выполняется" }));
      return store.event(id, { type: event.type, stepId: event.stepId, message: `${event.kind} ${event.name}: ${event.title}` }, event.at);
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

/** 3. The requests; true when they all succeeded (otherwise the operation is finished). */
async function applyStage(ctx: ProvisioningContext, plan: ProvisioningPlan, signal: AbortSignal): Promise<boolean> {
  const { operationId: id, kube, store, clock } = ctx;
  store.update(id, (r) => {
    r.stage = "preflight";
  });
  let result;
  try {
    result = await applyPlan(plan, kube, { signal, clock, onEvent: (event) => recordApplyEvent(store, id, event), whenLocked: "fail" });
  } catch (error) {
    if (signal.aborted) abort(ctx, signal);
    else store.finish(id, "failed", operationError(error));
    return false;
  }
  // The result is authoritative for every step (events may have been missed by nobody, but be sure).
  store.update(id, (r) => {
    r.pruned = result.pruned.map((p) => ({ ...p }));
    for (const res of result.steps) {
      const s = stepOf(r, res.id);
      if (s)
        Object.assign(s, {
          status: res.outcome,
          message: res.message,
          attempts: res.attempts,
          ...(res.reason ? { reason: res.reason } : {}),
          ...(res.logs ? { logs: res.logs } : {}),
        });
    }
  });
  if (result.status === "cancelled" || signal.aborted) {
    abort(ctx, signal);
    return false;
  }
  if (result.status === "preflight-failed") {
    store.finish(id, "failed", {
      code: "PREFLIGHT_FAILED",
      message: `Предварительная проверка не пройдена: ${result.preflight.map((p) => p.message).join("; ")}`,
      details: { preflight: result.preflight },
    });
    return false;
  }
  if (result.status === "failed") {
    const failed = result.steps.find((s) => s.outcome === "failed");
    const prune = result.pruned.find((p) => p.outcome === "failed");
    if (!failed && prune) {
      store.finish(id, "failed", {
        code: "PRUNE_FAILED",
        message: `Удаление лишних объектов не выполнено: ${prune.message}`,
        details: { kind: prune.kind, name: prune.name },
      });
      return false;
    }
    store.finish(id, "failed", {
      code: "APPLY_FAILED",
      message: failed ? `Шаг ${failed.id} не выполнен: ${failed.message}` : "Запросы к кластеру не выполнены",
      details: failed ? { stepId: failed.id, ...(failed.reason ? { reason: failed.reason } : {}) } : {},
    });
    return false;
  }
  return true;
}

/** 4. The environment: until Ready, Failed, or the time is up. */
async function waitStage(ctx: ProvisioningContext, plan: ProvisioningPlan, signal: AbortSignal): Promise<void> {
  const { operationId: id, kube, store, clock } = ctx;
  store.update(id, (r) => {
    r.stage = "waiting";
  });
  store.event(id, { type: "waiting", message: "ожидание готовности среды" });
  let told = "";
  try {
    const assessment = await followEnvironment(kube, {
      environment: plan.environment,
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
    if (assessment.phase === "Ready") return store.finish(id, "succeeded");
    return store.finish(id, "failed", {
      code: "ENVIRONMENT_NOT_READY",
      message: `Среда не готова: ${assessment.summary}`,
      details: { phase: assessment.phase },
    });
  } catch (error) {
    if (signal.aborted) return abort(ctx, signal);
    return store.finish(id, "failed", operationError(error));
  }
}

export async function runProvisioning(ctx: ProvisioningContext, signal: AbortSignal): Promise<void> {
  const { operationId: id, request, store } = ctx;
  store.update(id, (r) => {
    r.status = "running";
    r.stage = "secrets";
  });
  store.event(id, { type: "started", message: `развёртывание среды ${request.client.id} в ${request.environment.namespace} начато` });
  const secrets = await secretsStage(ctx, signal);
  if (!secrets) return;
  // 2. The plan (already validated with placeholders when the request came in; this is the real one).
  let plan: ProvisioningPlan;
  try {
    const { cluster: _cluster, secrets: _supplied, ...input } = request;
    plan = createProvisioningPlan({ ...input, variables: input.variables ?? [], secrets });
  } catch (error) {
    return store.finish(id, "failed", operationError(error));
  }
  if (await applyStage(ctx, plan, signal)) await waitStage(ctx, plan, signal);
}
