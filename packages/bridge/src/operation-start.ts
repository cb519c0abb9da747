/**
 * Starting an operation of any kind (provisioning, suspend, resume, deprovision), one way: refused while the bridge
 * stops (503 SHUTTING_DOWN), while an operation of this bridge holds the customer (409 PROVISIONING_IN_PROGRESS,
 * naming it), or — best effort — while another process (a second bridge, the CLI) holds the customer's Lease
 * (409 OPERATION_IN_PROGRESS: who, doing what, since when); then recorded, run in the background with the customer's
 * lock taken in "fail" mode, and answered 202 + Location.
 *
 * The Lease check is a read before the record exists, so it can lose a race: another process may take the Lease
 * between the read and the run. The run then fails at once with the same code and the holder in its error.
 */
import { hostname } from "node:os";
import type { ParameterizedContext } from "koa";
import { customerLockKey, type KubeClient, type KubeSchemas } from "@sreda/sdk";
import { HttpError } from "./errors.js";
import type { Logger } from "./logger.js";
import { operationLocation, type NewOperation, type OperationStore } from "./operations.js";
import type { OperationKind } from "./schemas.js";
import type { BridgeState } from "./state.js";

type Lease = KubeSchemas["io.k8s.api.coordination.v1.Lease"];

/** How long the Lease check may delay the answer; a cluster slower than that is left to the run. */
const LEASE_CHECK_TIMEOUT_MS = 5_000;
/** What the SDK's lock writes on the Lease: what the holder does (sdk src/kube/lease.ts, OPERATION_ANNOTATION). */
const OPERATION_ANNOTATION = "sreda.io/operation";

/** The customer an operation is for. */
interface OperationTarget {
  clientId: string;
  namespace: string;
}

/** 503 while the bridge is stopping: it starts no new operation. */
export function refuseWhenShuttingDown(isShuttingDown: () => boolean): void {
  if (isShuttingDown())
    throw new HttpError(503, "SHUTTING_DOWN", "Мост останавливается и не начинает новых операций; повторите позже", {}, { "Retry-After": "30" });
}

/** `2026-01-01 00:00:05 UTC`, for people (the SDK's LOCKED message writes it so); the text as it is when it is not a time. */
function humanTime(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * 409 OPERATION_IN_PROGRESS when the customer's Lease (`sreda-lock-<id>`, the SDK's lock between processes) has a
 * holder whose last renewal is younger than the lease's duration by `now`. Best effort: a Lease that cannot be read
 * (absent, no right, the cluster slow or down) lets the request through, and the run's own lock decides.
 */
async function refuseIfLeased(kube: KubeClient, target: OperationTarget, now: number, logger?: Logger): Promise<void> {
  const name = `sreda-lock-${target.clientId.toLowerCase()}`;
  let lease: Lease;
  try {
    lease = await kube.get<Lease>(`/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(target.namespace)}/leases/${name}`, {
      signal: AbortSignal.timeout(LEASE_CHECK_TIMEOUT_MS),
    });
  } catch (error) {
    logger?.debug("lease check skipped", {
      clientId: target.clientId,
      namespace: target.namespace,
      message: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? "";
  const renewed = Date.parse(spec.renewTime ?? "");
  if (holder === "" || Number.isNaN(renewed) || renewed + (spec.leaseDurationSeconds ?? 0) * 1000 <= now) return;
  const operation = lease.metadata?.annotations?.[OPERATION_ANNOTATION] ?? "";
  const since = spec.acquireTime ?? "";
  throw new HttpError(
    409,
    "OPERATION_IN_PROGRESS",
    `Для клиента ${target.clientId} в ${target.namespace} уже выполняется ${operation || "операция"}: ${holder}${since ? `, с ${humanTime(since)}` : ""}`,
    { holder, operation, since, lease: name },
  );
}

/** The lock holder's identity of one operation: this bridge's host, and the operation (told to a second caller). */
export const lockIdentity = (operationId: string) => `sreda-bridge@${hostname()}/${operationId}`;

interface StartDeps {
  operations: OperationStore;
  clock: { now(): number };
  logger: Logger;
}

interface StartOperation extends OperationTarget {
  kind: OperationKind;
  /** The client the operation runs with (purpose "operation"). */
  kube: KubeClient;
  /** A client for the Lease check, made for an HTTP caller who waits (purpose "interactive"). */
  checkKube: KubeClient;
  /** The steps known before the run (a deprovisioning finds its own as it goes). */
  steps: NewOperation["steps"];
  /** The run: the operation's id, the lock identity it holds the customer with, its abort signal. */
  run(operationId: string, identity: string, signal: AbortSignal): Promise<void>;
}

/** Checks that nobody holds the customer, records the operation, runs it, answers 202 with its Location. */
export async function startOperation(ctx: ParameterizedContext<BridgeState>, deps: StartDeps, start: StartOperation): Promise<void> {
  const { operations } = deps;
  const target = { clientId: start.clientId, namespace: start.namespace };
  // Its normalized root (lowercase host, no default port, no trailing slash) makes the key the SDK's own lock key,
  // so one cluster spelt two ways is still one customer.
  const key = customerLockKey(start.kube, target);
  operations.refuseIfRunning(key, target);
  await refuseIfLeased(start.checkKube, target, deps.clock.now(), deps.logger);
  const record = operations.create({
    kind: start.kind,
    key,
    ...target,
    cluster: start.kube.apiRootUrl,
    steps: start.steps,
    redactor: ctx.state.redactor,
  });
  operations.run(record.id, (signal) => start.run(record.id, lockIdentity(record.id), signal));
  deps.logger.info(`${start.kind} started`, { requestId: ctx.state.requestId, operationId: record.id, ...target });
  ctx.status = 202;
  ctx.set("Location", operationLocation(record));
  ctx.body = { operation: operations.peek(record.id) };
}
