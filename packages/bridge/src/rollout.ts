/**
 * A rollout as a background operation: every customer's plan (secrets from the cluster), then the SDK's
 * `runRollout` — canary, concurrency, failure limit, room in the cluster, each customer under its own lock — with its
 * events written into the record's per-customer progress and summary. Pause and resume go through the record's
 * control; cancel through its abort signal. Nothing is thrown.
 */
import { RolloutControl, runRollout, type Clock, type KubeClient, type RolloutEvent, type RolloutResult } from "@sreda/sdk";
import type { z } from "zod";
import { fleetPlans, type FleetPlans } from "./fleet.js";
import { finishAborted, operationError } from "./operation-events.js";
import type { OperationRecord, OperationStore } from "./operations.js";
import type { Redactor } from "./redact.js";
import type { RolloutCustomerState, RolloutProgress, RolloutRequest } from "./schemas.js";

type Progress = z.infer<typeof RolloutProgress>;
type State = z.infer<typeof RolloutCustomerState>;

interface RolloutContext {
  operationId: string;
  request: RolloutRequest;
  kube: KubeClient;
  store: OperationStore;
  clock: Clock;
  readyTimeoutMs: number;
  identity: string;
}

const SUMMARY_KEYS: Record<State, keyof Progress["summary"]> = {
  pending: "pending",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  "up-to-date": "upToDate",
  "not-started": "notStarted",
  cancelled: "cancelled",
};

/** What a rollout request leaves out. */
const ROLLOUT_DEFAULTS = { canary: 1, concurrency: 4, maxFailures: 1, skipUpToDate: true } as const;

/** How carefully to go: the request's settings, the defaults for what it leaves out. */
function settingsOf(request: RolloutRequest) {
  return {
    canary: request.canary ?? ROLLOUT_DEFAULTS.canary,
    concurrency: request.concurrency ?? ROLLOUT_DEFAULTS.concurrency,
    maxFailures: request.maxFailures ?? ROLLOUT_DEFAULTS.maxFailures,
    skipUpToDate: request.skipUpToDate ?? ROLLOUT_DEFAULTS.skipUpToDate,
  };
}

/** The progress a rollout starts with: every customer pending. */
export function initialProgress(request: RolloutRequest): Progress {
  const { canary, concurrency, maxFailures } = settingsOf(request);
  const customers = request.customers.map((c, i) => ({ clientId: c.client.id, state: "pending" as const, canary: i < canary, message: "ожидает" }));
  return { canary, concurrency, maxFailures, paused: false, summary: summarize(customers), customers };
}

function summarize(customers: Progress["customers"]): Progress["summary"] {
  const summary = { total: customers.length, pending: 0, running: 0, succeeded: 0, failed: 0, upToDate: 0, notStarted: 0, cancelled: 0 };
  for (const c of customers) summary[SUMMARY_KEYS[c.state]]++;
  return summary;
}

/** Records a change of some customers (their messages scrubbed with their own secrets and the request's). */
function setCustomers(
  ctx: RolloutContext,
  redactors: FleetPlans["redactors"],
  changes: Array<{ clientId: string } & Partial<Progress["customers"][number]>>,
): void {
  ctx.store.update(
    ctx.operationId,
    (r) => {
      const progress = r.rollout!;
      const byId = new Map(progress.customers.map((c) => [c.clientId, c]));
      for (const { clientId, ...change } of changes) {
        const customer = byId.get(clientId);
        if (!customer) continue;
        Object.assign(customer, change);
        const own: Redactor | undefined = redactors.get(clientId);
        if (own) customer.message = own.scrub(customer.message);
      }
      progress.summary = summarize(progress.customers);
    },
    { deferJournal: true },
  );
}

const OUTCOME_EVENT_RU: Record<string, string> = {
  succeeded: "готова",
  failed: "неудача",
  cancelled: "отменено",
  "up-to-date": "без изменений",
  "not-started": "не начат",
};

/** One SDK event into the record. */
function recordEvent(ctx: RolloutContext, redactors: FleetPlans["redactors"], event: RolloutEvent): void {
  const { store, operationId: id } = ctx;
  const at = event.at;
  const note = (type: string, message: string, mutate?: (r: OperationRecord) => void) =>
    store.update(
      id,
      (r) => {
        mutate?.(r);
        r.events.push({ at: new Date(at).toISOString(), type, message });
      },
      { deferJournal: true },
    );
  switch (event.type) {
    case "customer-started":
      return setCustomers(ctx, redactors, [
        { clientId: event.clientId, state: "running", message: event.canary ? "выполняется (первая волна)" : "выполняется" },
      ]);
    case "customer-finished": {
      setCustomers(ctx, redactors, [{ clientId: event.clientId, state: event.outcome, message: event.message }]);
      if (event.outcome === "failed") note("customer-failed", `клиент ${event.clientId}: ${OUTCOME_EVENT_RU[event.outcome]}`);
      return;
    }
    case "rollout-waiting-for-room":
      return note("waiting-for-room", `подов, ждущих места в кластере: ${event.pods}; новые клиенты не начинаются — ${event.message}`, (r) => {
        r.rollout!.waitingForRoom = event.message;
      });
    case "rollout-room-available":
      return note("room-available", "место в кластере есть: раскатка продолжается", (r) => {
        delete r.rollout!.waitingForRoom;
      });
    case "rollout-stopped":
      return note("stopped", event.reason, (r) => {
        r.rollout!.stopReason = event.reason;
      });
    case "rollout-started":
      return note("rollout-started", `клиентов: ${event.total}, уже без изменений: ${event.upToDate}`);
    default:
      return;
  }
}

/** The plans, or undefined when the operation is already finished (cancelled, the cluster unreadable). */
async function prepare(ctx: RolloutContext, signal: AbortSignal): Promise<FleetPlans | undefined> {
  const { store, operationId: id } = ctx;
  store.update(id, (r) => {
    r.status = "running";
    r.stage = "secrets";
  });
  try {
    const prepared = await fleetPlans(ctx.kube, ctx.request, { onlyExisting: true, signal });
    setCustomers(
      ctx,
      prepared.redactors,
      prepared.leftOut.map(({ clientId, message }) => ({ clientId, state: "not-started", message })),
    );
    return prepared;
  } catch (error) {
    if (signal.aborted) finishAborted(store, id, signal);
    else store.finish(id, "failed", operationError(error));
    return undefined;
  }
}

/**
 * The record's outcome from the SDK's result: every customer converged; stopped (ROLLOUT_STOPPED: a failed canary, the
 * failure limit); done with failures below the limit (CUSTOMERS_FAILED); or cancelled.
 */
function finish(ctx: RolloutContext, result: RolloutResult, signal: AbortSignal): void {
  const { store, operationId: id } = ctx;
  if (result.status === "cancelled" || signal.aborted) return finishAborted(store, id, signal);
  const failed = result.customers.filter((c) => c.outcome === "failed").map((c) => c.clientId);
  if (result.status === "stopped")
    return store.finish(id, "failed", { code: "ROLLOUT_STOPPED", message: store.peek(id)?.rollout?.stopReason ?? "Раскатка остановлена", details: { failed } });
  if (failed.length > 0)
    return store.finish(id, "failed", {
      code: "CUSTOMERS_FAILED",
      message: `Раскатка прошла, но не у всех: неудачи у ${failed.join(", ")}`,
      details: { failed },
    });
  store.finish(id, "succeeded");
}

/** Runs the rollout of `ctx.request`; `control` pauses and resumes it between customers. */
export async function runFleetRollout(ctx: RolloutContext, control: RolloutControl, signal: AbortSignal): Promise<void> {
  const prepared = await prepare(ctx, signal);
  if (!prepared) return;
  if (prepared.plans.length === 0) {
    return ctx.store.finish(ctx.operationId, "failed", {
      code: "NO_ENVIRONMENTS",
      message: "Раскатывать некуда: ни у одного из клиентов нет среды в кластере — сначала разверните их",
      details: { leftOut: prepared.leftOut.map((c) => c.clientId) },
    });
  }
  ctx.store.update(ctx.operationId, (r) => {
    r.stage = "applying";
  });
  const result = await runRollout(ctx.kube, prepared.plans, {
    ...settingsOf(ctx.request),
    readyTimeoutMs: ctx.readyTimeoutMs,
    control,
    signal,
    clock: ctx.clock,
    identity: ctx.identity,
    onEvent: (event) => recordEvent(ctx, prepared.redactors, event),
  });
  setCustomers(
    ctx,
    prepared.redactors,
    result.customers.map((c) => ({ clientId: c.clientId, state: c.outcome, message: c.message, ...(c.phase ? { phase: c.phase } : {}) })),
  );
  finish(ctx, result, signal);
}
