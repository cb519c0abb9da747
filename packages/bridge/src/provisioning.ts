/**
 * One provisioning, in the background: secrets (supplied, read back from the cluster, or generated) → the plan →
 * the SDK's executor (preflight, then every request in dependency order) → following the environment until it is
 * Ready or Failed (or Suspended: a suspended customer stays so unless the request says `resume`). Everything it
 * learns goes into the operation record as it happens; nothing is thrown.
 */
import {
  applyPlan,
  createProvisioningPlan,
  describeEnvironment,
  resolveCustomerSecrets,
  type CustomerSecrets,
  type Clock,
  type KubeClient,
  type ProvisioningPlan,
} from "@sreda/sdk";
import { failedStepError, finishAborted, followStage, operationError, recordApplyEvent, recordStepResults } from "./operation-events.js";
import type { OperationStore } from "./operations.js";
import type { Redactor } from "./redact.js";
import type { ProvisioningRequest } from "./schemas.js";
import { provisioningInput, SECRET_FIELDS } from "./secrets.js";

interface ProvisioningContext {
  operationId: string;
  request: ProvisioningRequest;
  kube: KubeClient;
  store: OperationStore;
  clock: Clock;
  /** The request's redactor: the resolved secrets are added to it before anything can echo them. */
  redactor: Redactor;
  readyTimeoutMs: number;
  /** Who holds the customer's lock while this runs (told to a second caller). */
  identity: string;
}

/** Ends the operation as cancelled, or interrupted when the bridge is shutting down. */
function abort(ctx: ProvisioningContext, signal: AbortSignal): void {
  finishAborted(ctx.store, ctx.operationId, signal);
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

/** 3. The requests; true when they all succeeded (otherwise the operation is finished). */
async function applyStage(ctx: ProvisioningContext, plan: ProvisioningPlan, signal: AbortSignal): Promise<boolean> {
  const { operationId: id, kube, store, clock } = ctx;
  store.update(id, (r) => {
    r.stage = "preflight";
  });
  let result;
  try {
    result = await applyPlan(plan, kube, {
      signal,
      clock,
      onEvent: (event) => recordApplyEvent(store, id, event),
      whenLocked: "fail",
      identity: ctx.identity,
      resume: ctx.request.resume ?? false,
    });
  } catch (error) {
    if (signal.aborted) abort(ctx, signal);
    else store.finish(id, "failed", operationError(error));
    return false;
  }
  recordStepResults(store, id, result);
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
    store.finish(id, "failed", failedStepError(result));
    return false;
  }
  return true;
}

/** 4. The environment: until Ready, Failed, or the time is up. */
async function waitStage(ctx: ProvisioningContext, plan: ProvisioningPlan, signal: AbortSignal): Promise<void> {
  const assessment = await followStage(ctx, plan.environment, signal, "ожидание готовности среды");
  if (!assessment) return;
  if (assessment.phase === "Ready") return ctx.store.finish(ctx.operationId, "succeeded");
  // A suspended customer stays suspended through a provisioning without `resume`: its objects are as asked.
  if (assessment.phase === "Suspended" && !ctx.request.resume) return ctx.store.finish(ctx.operationId, "succeeded");
  return ctx.store.finish(ctx.operationId, "failed", {
    code: "ENVIRONMENT_NOT_READY",
    message: `Среда не готова: ${assessment.summary}`,
    details: { phase: assessment.phase },
  });
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
    plan = createProvisioningPlan(provisioningInput(request, secrets));
  } catch (error) {
    return store.finish(id, "failed", operationError(error));
  }
  if (await applyStage(ctx, plan, signal)) await waitStage(ctx, plan, signal);
}
