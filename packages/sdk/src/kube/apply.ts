/**
 * The executor: runs a provisioning plan against a cluster, convergently.
 *
 * Why server-side apply (PATCH application/apply-patch+yaml, fieldManager "sreda", force) and not
 * create-then-compare: the API server itself merges our intent with its defaults and other managers' fields,
 * and a no-op apply leaves the object (and its resourceVersion) untouched, so "unchanged" needs no client-side
 * model of Kubernetes defaulting. `force: true` because Sreda owns these objects: a hand edit of a field Sreda
 * manages is reverted, as Argo CD and Flux do. See docs/decisions/0001-server-side-apply.md.
 *
 * Jobs are the exception: their pod template is immutable, so they are created (POST) and never patched. A
 * Complete Job with the same spec is left alone; a Failed one, or one whose spec changed (compared by a hash
 * kept in an annotation), is deleted (propagationPolicy Background) and created again.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.js";
import { canonicalJson } from "../core/canonical-json.js";
import { SredaError } from "../core/errors.js";
import type { Job, Pod, PodList } from "../core/kube-objects.js";
import type { StatusReason } from "../core/status/phase.js";
import { assessPod } from "../core/status/pod.js";
import type { PlanStep, ProvisioningPlan } from "../core/plan.js";
import { observeKubeRetries, type KubeClient } from "./client.js";
import { systemClock } from "./clock.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";
import { customerLocks, type KeyedLock } from "./lock.js";
import { lastLogLines } from "./logs.js";
import { preflight, type PreflightProblem } from "./preflight.js";

export type StepOutcome = "created" | "updated" | "unchanged" | "failed" | "skipped" | "cancelled";

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
  | { type: "step-succeeded"; at: number; stepId: string; outcome: "created" | "updated" | "unchanged"; message: string; done: number; total: number }
  | { type: "step-failed"; at: number; stepId: string; reason: string; message: string; logs?: string[]; done: number; total: number }
  | { type: "step-skipped"; at: number; stepId: string; blockedBy: string[]; done: number; total: number }
  | { type: "run-finished"; at: number; status: ApplyResult["status"] };

export interface ApplyResult {
  status: "succeeded" | "failed" | "cancelled" | "preflight-failed";
  clientId: string;
  namespace: string;
  steps: StepResult[];
  preflight: PreflightProblem[];
  startedAt: number;
  finishedAt: number;
}

export interface ApplyOptions {
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
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
  /** How often a running Job is polled (default 2 s) and how long to wait for it (default 20 min). */
  jobPollIntervalMs?: number;
  jobTimeoutMs?: number;
  /** Skip preflight (default false). */
  skipPreflight?: boolean;
  /** When another run for the customer holds the lock: wait (default) or fail with code LOCKED. */
  whenLocked?: "wait" | "fail";
  /** Jitter source for retry backoff (default Math.random). */
  random?: () => number;
  /** Lock registry (default: the process-wide one). */
  locks?: KeyedLock;
}

export const SPEC_HASH_ANNOTATION = "sreda.io/spec-hash";
/** Failures after which re-sending a Job create is safe: an AlreadyExists answer then means the first one landed. */
const CREATE_RETRYABLE = new Set(["InternalError", "BadGateway", "ServiceUnavailable", "ServerTimeout", "Timeout", "NetworkError"]);

class StepFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly logs?: string[],
  ) {
    super(message);
  }
}

/** The key of the per-customer lock. */
export function customerLockKey(kube: KubeClient, plan: Pick<ProvisioningPlan, "namespace" | "clientId">): string {
  return `${kube.apiRootUrl.replace(/\/+$/, "")}|${plan.namespace}|${plan.clientId}`;
}

function objectPath(step: PlanStep): string {
  return `${step.request.path.replace(/\?.*$/, "").replace(/\/+$/, "")}/${encodeURIComponent(step.name)}`;
}

/** Secret stringData → data (base64): what the server stores, so ownership and no-op detection are exact. */
function toApplyBody(step: PlanStep): Record<string, unknown> {
  const body = structuredClone(step.request.body ?? {}) as Record<string, any>;
  if (step.kind === "Secret" && body["stringData"]) {
    const data: Record<string, string> = { ...(body["data"] ?? {}) };
    for (const [key, value] of Object.entries(body["stringData"] as Record<string, string>)) data[key] = Buffer.from(value, "utf8").toString("base64");
    body["data"] = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
    delete body["stringData"];
  }
  return body;
}

function jobCondition(job: Job, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === "True");
}

function describe(error: unknown): { reason: string; message: string } {
  if (error instanceof StepFailure) return { reason: error.reason, message: error.message };
  if (error instanceof KubeStatusError) {
    const causes = error.causes.map((c) => `${c.field ?? ""}: ${c.message ?? c.reason ?? ""}`).join("; ");
    return { reason: error.code, message: `${error.status} ${error.reason}: ${error.kubeMessage}${causes ? ` (${causes})` : ""}` };
  }
  if (error instanceof KubeNetworkError) return { reason: "NetworkError", message: error.message };
  if (error instanceof SredaError) return { reason: error.code, message: error.message };
  return { reason: "InternalError", message: error instanceof Error ? error.message : String(error) };
}

/**
 * An apply refused because it changes a field Kubernetes never lets change (a Deployment's `spec.selector`, a
 * Service's `clusterIP`, …), in operator words with the ways forward: the raw 422 says only "field is immutable".
 */
function immutableFieldFailure(error: unknown, step: PlanStep, namespace: string): StepFailure | undefined {
  if (!(error instanceof KubeStatusError) || error.status !== 422) return undefined;
  const fields = error.causes.filter((c) => /field is immutable/i.test(c.message ?? "")).map((c) => c.field ?? "?");
  if (fields.length === 0) return undefined;
  const resource = step.kind.toLowerCase();
  return new StepFailure(
    "FieldImmutable",
    `${step.kind} ${step.name}: поле ${fields.join(", ")} неизменяемое — Kubernetes не меняет его у существующего объекта. ` +
      `Либо верните прежнее значение в шаблоне (или уберите изменённый шаблон), либо удалите объект, чтобы следующее развёртывание ` +
      `создало его заново: kubectl delete ${resource} ${step.name} -n ${namespace} (данные баз не затрагиваются; на время пересоздания ` +
      `${step.kind === "Deployment" ? "приложение недоступно" : "объекта не будет"}).`,
  );
}

/**
 * Applies a plan: preflight, then the dependency graph with bounded parallelism. Never throws for cluster
 * failures — the result says per step what happened; throws only for LOCKED (whenLocked: "fail").
 */
export async function applyPlan(plan: ProvisioningPlan, kube: KubeClient, options: ApplyOptions = {}): Promise<ApplyResult> {
  const locks = options.locks ?? customerLocks;
  return locks.run(customerLockKey(kube, plan), () => runPlan(plan, kube, options), { mode: options.whenLocked ?? "wait", signal: options.signal });
}

async function runPlan(plan: ProvisioningPlan, kube: KubeClient, options: ApplyOptions): Promise<ApplyResult> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  const emit = (event: ApplyEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not break provisioning.
    }
  };
  const fieldManager = options.fieldManager ?? "sreda";
  const maxAttempts = options.maxAttempts ?? 4;
  const random = options.random ?? Math.random;
  const total = plan.steps.length;
  const startedAt = clock.now();
  const results = new Map<string, StepResult>(
    plan.steps.map((s) => [s.id, { id: s.id, kind: s.kind, name: s.name, outcome: "skipped", message: "не выполнялся", attempts: 1 }]),
  );
  const finish = (status: ApplyResult["status"], problems: PreflightProblem[] = []): ApplyResult => {
    const result: ApplyResult = { status, clientId: plan.clientId, namespace: plan.namespace, steps: plan.steps.map((s) => results.get(s.id)!), preflight: problems, startedAt, finishedAt: clock.now() };
    emit({ type: "run-finished", at: result.finishedAt, status });
    return result;
  };

  emit({ type: "run-started", at: startedAt, clientId: plan.clientId, namespace: plan.namespace, total });
  if (signal?.aborted) {
    for (const r of results.values()) Object.assign(r, { outcome: "cancelled", message: "отменено" });
    return finish("cancelled");
  }
  if (!options.skipPreflight) {
    const problems = await preflight(plan, kube, { signal }).catch((error: unknown) => [
      { code: "CheckFailed" as const, message: `предварительная проверка не выполнена: ${describe(error).message}` },
    ]);
    if (signal?.aborted) {
      for (const r of results.values()) Object.assign(r, { outcome: "cancelled", message: "отменено" });
      return finish("cancelled");
    }
    if (problems.length > 0) {
      emit({ type: "preflight-failed", at: clock.now(), problems });
      for (const r of results.values()) r.message = "не выполнялся: предварительная проверка не пройдена";
      return finish("preflight-failed", problems);
    }
  }

  /** A Job create, re-sent on 5xx or a dropped connection (the client does not repeat a POST after those). */
  const createWithRetries = async (step: PlanStep, collection: string, body: unknown): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await kube.create(collection, body, { fieldManager, ...(signal ? { signal } : {}) });
        return;
      } catch (error) {
        const code = error instanceof SredaError ? error.code : "";
        if (signal?.aborted || !CREATE_RETRYABLE.has(code) || attempt >= maxAttempts) throw error;
        const delayMs = Math.round(Math.min(10_000, 500 * 2 ** (attempt - 1)) * (0.5 + random() / 2));
        results.get(step.id)!.attempts++;
        emit({ type: "step-retrying", at: clock.now(), stepId: step.id, attempt, delayMs, reason: code, message: describe(error).message });
        await clock.sleep(delayMs, signal);
      }
    }
  };

  const getOrNull = async <T>(step: PlanStep, path: string): Promise<T | null> => {
    try {
      return await kube.get<T>(path, { signal });
    } catch (error) {
      if (isKubeError(error, "NotFound")) return null;
      throw error;
    }
  };

  const applyObject = async (step: PlanStep): Promise<Pick<StepResult, "outcome" | "message" | "resourceVersion">> => {
    const path = objectPath(step);
    const before = await getOrNull<{ metadata?: { resourceVersion?: string } }>(step, path);
    const after = await kube.apply<{ metadata?: { resourceVersion?: string } }>(path, toApplyBody(step), { fieldManager, force: true, signal }).catch((error: unknown) => {
      throw immutableFieldFailure(error, step, plan.namespace) ?? error;
    });
    const resourceVersion = after?.metadata?.resourceVersion;
    if (!before) return { outcome: "created", message: `${step.kind} ${step.name} создан`, resourceVersion };
    if (before.metadata?.resourceVersion === resourceVersion) return { outcome: "unchanged", message: `${step.kind} ${step.name} без изменений`, resourceVersion };
    return { outcome: "updated", message: `${step.kind} ${step.name} обновлён`, resourceVersion };
  };

  const failedJobLogs = async (step: PlanStep, job: Job): Promise<string[] | undefined> => {
    // This Job's pods only: after a re-create, a previous Job's pods may still carry the same job-name label.
    const uid = job.metadata?.uid;
    try {
      const pods = await kube.list<{ items?: Array<{ metadata?: { name?: string; creationTimestamp?: string }; status?: { phase?: string }; spec?: { containers?: Array<{ name: string }> } }> }>(
        `/api/v1/namespaces/${encodeURIComponent(plan.namespace)}/pods`,
        { labelSelector: uid ? `batch.kubernetes.io/controller-uid=${uid}` : `batch.kubernetes.io/job-name=${step.name}`, signal },
      );
      const failed = (pods.items ?? []).filter((p) => p.status?.phase === "Failed").sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
      const pod = failed.at(-1);
      if (!pod?.metadata?.name) return undefined;
      const container = pod.spec?.containers?.[0]?.name;
      return await lastLogLines(kube, plan.namespace, pod.metadata.name, { ...(container ? { container } : {}), ...(signal ? { signal } : {}) });
    } catch {
      signal?.throwIfAborted();
      return undefined; // the pods could not be listed; the failure reason stands without logs
    }
  };

  const stuckJobPod = async (job: Job): Promise<StatusReason | undefined> => {
    const uid = job.metadata?.uid;
    if (!uid) return undefined;
    let pods: Pod[];
    try {
      pods = (await kube.list<PodList>(`/api/v1/namespaces/${encodeURIComponent(plan.namespace)}/pods`, { labelSelector: `batch.kubernetes.io/controller-uid=${uid}`, signal })).items ?? [];
    } catch (error) {
      if (signal?.aborted) throw error;
      return undefined; // the Job's own conditions still decide
    }
    return pods.filter((p) => p.status?.phase === "Pending").map((p) => assessPod(p, { now: clock.now() })).find((r) => r.phase === "Failed");
  };

  const waitForJob = async (step: PlanStep, path: string): Promise<Job> => {
    const deadline = clock.now() + (options.jobTimeoutMs ?? 20 * 60_000);
    let announced = false;
    for (;;) {
      const job = await getOrNull<Job>(step, path);
      if (!job) throw new StepFailure("NotFound", `Job ${step.name} исчез во время ожидания`);
      if (jobCondition(job, "Complete") || jobCondition(job, "SuccessCriteriaMet")) return job;
      const failed = jobCondition(job, "Failed") ?? jobCondition(job, "FailureTarget");
      if (failed) {
        throw new StepFailure(failed.reason ?? "Failed", `Job ${step.name} завершился с ошибкой: ${failed.reason ?? ""}${failed.message ? ` — ${failed.message}` : ""}`, await failedJobLogs(step, job));
      }
      // A Job's pods can fail to start for good (no node matches, an image that cannot be pulled): judged by the same
      // pure pod rule as the Deployment's pods, so the step fails with the scheduler's words instead of waiting.
      const stuck = await stuckJobPod(job);
      if (stuck) throw new StepFailure(stuck.reason, `Job ${step.name}: под ${stuck.name} не запускается — ${stuck.message}`);
      if (clock.now() >= deadline) throw new StepFailure("Timeout", `Job ${step.name} не завершился за отведённое время`);
      if (!announced) {
        emit({ type: "step-waiting", at: clock.now(), stepId: step.id, message: `ожидание завершения Job ${step.name}` });
        announced = true;
      }
      await clock.sleep(options.jobPollIntervalMs ?? 2_000, signal);
    }
  };

  const deleteAndWait = async (step: PlanStep, path: string) => {
    try {
      // Background, as kubectl does: the Job object goes at once and the garbage collector removes its pods.
      // A setup script is idempotent, so an old pod finishing beside the new one does no harm; failure logs are
      // read by controller-uid, so they always belong to the new Job.
      await kube.delete(path, { propagationPolicy: "Background", signal });
    } catch (error) {
      if (!isKubeError(error, "NotFound")) throw error;
    }
    for (let i = 0; i < 120; i++) {
      if (!(await getOrNull(step, path))) return;
      await clock.sleep(1_000, signal);
    }
    throw new StepFailure("Timeout", `Job ${step.name} не удалился`);
  };

  const runJob = async (step: PlanStep): Promise<Pick<StepResult, "outcome" | "message" | "resourceVersion">> => {
    const path = objectPath(step);
    const body = toApplyBody(step) as Record<string, any>;
    const hash = createHash("sha256").update(canonicalJson(body["spec"])).digest("hex").slice(0, 32);
    body["metadata"] = { ...body["metadata"], annotations: { ...(body["metadata"]?.annotations ?? {}), [SPEC_HASH_ANNOTATION]: hash } };
    let outcome: StepOutcome = "created";
    const existing = await getOrNull<Job>(step, path);
    if (existing) {
      const same = existing.metadata?.annotations?.[SPEC_HASH_ANNOTATION] === hash;
      const failed = jobCondition(existing, "Failed") ?? jobCondition(existing, "FailureTarget");
      if (same && !failed) {
        const done = await waitForJob(step, path);
        return { outcome: "unchanged", message: `Job ${step.name} уже выполнен`, resourceVersion: done.metadata?.resourceVersion };
      }
      await deleteAndWait(step, path);
      outcome = "updated";
    }
    const collection = step.request.path.replace(/\?.*$/, "");
    try {
      await createWithRetries(step, collection, body);
    } catch (error) {
      // A create whose response was lost, or a concurrent creator: the Job is there, follow it.
      if (!isKubeError(error, "AlreadyExists")) throw error;
    }
    const done = await waitForJob(step, path);
    const message = outcome === "created" ? `Job ${step.name} создан и выполнен` : `Job ${step.name} пересоздан и выполнен`;
    return { outcome, message, resourceVersion: done.metadata?.resourceVersion };
  };

  // The dependency graph, run with bounded parallelism.
  const pending = new Map(plan.steps.map((s) => [s.id, s]));
  const running = new Map<string, Promise<void>>();
  const succeeded = new Set<string>();
  const concluded = new Set<string>();
  let done = 0;
  const concurrency = Math.max(1, options.concurrency ?? 4);

  const start = (step: PlanStep) => {
    pending.delete(step.id);
    const result = results.get(step.id)!;
    emit({ type: "step-started", at: clock.now(), stepId: step.id, title: step.title, kind: step.kind, name: step.name });
    const task = (async () => {
      try {
        const outcome = await observeKubeRetries(
          (info) => {
            result.attempts++;
            emit({ type: "step-retrying", at: clock.now(), stepId: step.id, attempt: info.attempt, delayMs: info.delayMs, reason: info.reason, message: `${info.method} ${info.path}: ${info.reason}` });
          },
          () => (step.kind === "Job" ? runJob(step) : applyObject(step)),
        );
        Object.assign(result, outcome);
        succeeded.add(step.id);
        done++;
        emit({ type: "step-succeeded", at: clock.now(), stepId: step.id, outcome: outcome.outcome as "created" | "updated" | "unchanged", message: outcome.message, done, total });
      } catch (error) {
        done++;
        if (signal?.aborted) {
          Object.assign(result, { outcome: "cancelled", message: "отменено" });
        } else {
          const { reason, message } = describe(error);
          const logs = error instanceof StepFailure ? error.logs : undefined;
          Object.assign(result, { outcome: "failed", reason, message, ...(logs ? { logs } : {}) });
          emit({ type: "step-failed", at: clock.now(), stepId: step.id, reason, message, ...(logs ? { logs } : {}), done, total });
        }
      } finally {
        concluded.add(step.id);
        running.delete(step.id);
      }
    })();
    running.set(step.id, task);
  };

  while (pending.size > 0 || running.size > 0) {
    if (!signal?.aborted) {
      for (const step of [...pending.values()]) {
        const blockedBy = step.dependsOn.filter((d) => concluded.has(d) && !succeeded.has(d));
        if (blockedBy.length > 0) {
          pending.delete(step.id);
          concluded.add(step.id);
          done++;
          Object.assign(results.get(step.id)!, { outcome: "skipped", message: `пропущен: не выполнены ${blockedBy.join(", ")}` });
          emit({ type: "step-skipped", at: clock.now(), stepId: step.id, blockedBy, done, total });
          continue;
        }
        if (running.size >= concurrency) break;
        if (step.dependsOn.every((d) => succeeded.has(d))) start(step);
      }
    } else {
      for (const step of pending.values()) Object.assign(results.get(step.id)!, { outcome: "cancelled", message: "отменено" });
      pending.clear();
    }
    if (running.size === 0) {
      // Nothing running and nothing could start: what is left can never run (a plan is validated, so this is
      // defensive), conclude it rather than spin.
      for (const step of pending.values()) Object.assign(results.get(step.id)!, { outcome: "skipped", message: "пропущен: зависимости не выполнены" });
      pending.clear();
      break;
    }
    await Promise.race(running.values());
  }

  const outcomes = [...results.values()].map((r) => r.outcome);
  const status: ApplyResult["status"] = signal?.aborted ? "cancelled" : outcomes.some((o) => o === "failed" || o === "skipped") ? "failed" : "succeeded";
  return finish(status);
}
