/**
 * The executor's two kinds of step. An object is applied server-side (PATCH application/apply-patch+yaml, field
 * manager "sreda", force): the API server merges our intent with its defaults and other managers' fields, and a
 * no-op apply leaves the object and its resourceVersion alone, so "unchanged" needs no client-side model of
 * defaulting (docs/decisions/0001-server-side-apply.md). What the object was before comes from the lists made with
 * the preflight (./existing-objects.ts), not from a read before each apply: 201 → created, 200 with the listed
 * resourceVersion → unchanged, any other 200 → updated. A Job's pod template is immutable, so a Job is created and
 * never patched: a Complete Job with the same spec (a hash kept in an annotation) is left alone; a failed one, or one
 * whose spec changed, is deleted (propagationPolicy Background) and created again. A Job is followed by the run's
 * watch of its Jobs (./job-tracker.ts); whether it is done is the pure `assessJob`'s verdict, the one the watcher
 * and the status use.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.js";
import type { Clock } from "../core/clock.js";
import { SredaError } from "../core/errors.js";
import type { Deployment, Job } from "../core/kube-objects.js";
import { suspendedReplicas } from "../core/suspension.js";
import { parsePath } from "../core/json-path.js";
import type { PlanStep } from "../core/plan.js";
import { assessJob, assessPod, type StatusReason } from "../core/status/index.js";
import type { KubeClient } from "./client.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";
import type { ExistingObjects } from "./existing-objects.js";
import { failedJobContext, listJobPods } from "./job-pods.js";
import type { JobTracker } from "./job-tracker.js";
import { applySuspensionFields } from "./suspension-fields.js";

export const SPEC_HASH_ANNOTATION = "sreda.io/spec-hash";
/** Failures after which re-sending a Job create is safe: an AlreadyExists answer then means the first one landed. */
const CREATE_RETRYABLE = new Set(["InternalError", "BadGateway", "ServiceUnavailable", "ServerTimeout", "Timeout", "NetworkError"]);

/** What a step needs from its run. */
export interface StepContext {
  kube: KubeClient;
  namespace: string;
  clock: Clock;
  signal: AbortSignal | undefined;
  fieldManager: string;
  /** Attempts of a Job create on 5xx or a dropped connection. */
  maxAttempts: number;
  /** How long a Job may run before its pods are looked at for one that cannot start; the poll period without a watch. */
  jobPollIntervalMs: number;
  jobTimeoutMs: number;
  random: () => number;
  /** The customer's objects as the run found them, by kind. */
  existing: ExistingObjects;
  /** A suspended customer's Deployment is given its replicas back (default: it stays suspended). */
  resume?: boolean;
  /** The run's watch of its Jobs; undefined for a plan without Jobs. */
  jobs: JobTracker | undefined;
  /** A repeated request of the step (counted in its attempts and announced). */
  onRetry: (step: PlanStep, attempt: number, delayMs: number, reason: string, message: string) => void;
  /** The step now waits (announced once per Job). */
  onWaiting: (step: PlanStep, message: string) => void;
}

interface StepDone {
  outcome: "created" | "updated" | "unchanged";
  message: string;
  resourceVersion?: string | undefined;
}

/** A step's failure in operator words, with the Kubernetes reason and a failed Job's last log lines. */
export class StepFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly logs?: string[],
  ) {
    super(message);
  }
}

/** The step's collection: the template's path without its query. */
export function stepCollection(step: Pick<PlanStep, "request">): string {
  return step.request.path.replace(/\?.*$/, "");
}

/** The object's own path: the template's collection path and the step's name. */
export function objectPath(step: Pick<PlanStep, "request" | "name">): string {
  return `${stepCollection(step).replace(/\/+$/, "")}/${encodeURIComponent(step.name)}`;
}

/** The manifest as the server stores it: a Secret's stringData folded into base64 data, keys sorted. */
export function storedForm(step: Pick<PlanStep, "request" | "kind">): Record<string, unknown> {
  const body = structuredClone(step.request.body ?? {}) as Record<string, any>;
  if (step.kind === "Secret" && body["stringData"]) {
    const data: Record<string, string> = { ...(body["data"] ?? {}) };
    for (const [key, value] of Object.entries(body["stringData"] as Record<string, string>)) data[key] = Buffer.from(value, "utf8").toString("base64");
    body["data"] = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
    delete body["stringData"];
  }
  return body;
}

/** Any failure as a step's reason and message. */
export function describeFailure(error: unknown): { reason: string; message: string } {
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

async function getOrNull<T>(ctx: StepContext, path: string): Promise<T | null> {
  try {
    return await ctx.kube.get<T>(path, { signal: ctx.signal });
  } catch (error) {
    if (isKubeError(error, "NotFound")) return null;
    throw error;
  }
}

type Versioned = { metadata?: { resourceVersion?: string } };

/** The step's object as the list before the run found it (null: not there); read now when that kind's list failed. */
async function objectBefore<T extends Versioned>(ctx: StepContext, step: PlanStep): Promise<T | null> {
  const listed = ctx.existing.get(step.kind)?.listed;
  if (listed) return (listed.items.get(step.name) as T | undefined) ?? null;
  return getOrNull<T>(ctx, objectPath(step));
}

/**
 * Server-side apply through `request` rather than `apply`, which returns only the object: the answer's status says
 * whether the apply created it (201) or found it (200).
 */
async function serverSideApply(ctx: StepContext, step: PlanStep, path: string, body: unknown): Promise<{ status: number; object: Versioned }> {
  const answer = await ctx.kube
    .request<unknown>({
      method: "PATCH",
      path,
      query: { fieldManager: ctx.fieldManager, fieldValidation: "Strict", force: true },
      body,
      contentType: "application/apply-patch+yaml",
      idempotent: true, // applying the same configuration twice gives the same object
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
    .catch((error: unknown) => {
      throw immutableFieldFailure(error, step, ctx.namespace) ?? error;
    });
  if (typeof answer.body !== "object" || answer.body === null) {
    // A proxy's page, say; its text is not shown: unlike the client's own errors it has not been redacted.
    throw new KubeStatusError({ status: answer.status, reason: "InvalidResponse", kubeMessage: "expected a JSON object", method: "PATCH", path });
  }
  return { status: answer.status, object: answer.body };
}

type Managed = Versioned & { metadata?: { managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown }[] } };

/** `$.spec.replicas` → `["f:spec", "f:replicas"]`: where a field sits in managedFields' fieldsV1; undefined for array items. */
function fieldsV1Path(path: string): string[] | undefined {
  const segments = parsePath(path);
  return segments.every((s) => typeof s === "string") ? segments.map((s) => `f:${s}`) : undefined;
}

/** The released paths our field manager still owns on the object (an apply without them would delete them). */
function ownedReleasedPaths(before: Managed, step: PlanStep, fieldManager: string): string[] {
  const ours = before.metadata?.managedFields?.filter((f) => f.manager === fieldManager && f.operation === "Apply") ?? [];
  return step.releasedPaths.filter((path) => {
    const keys = fieldsV1Path(path);
    return (
      keys !== undefined &&
      ours.some((f) => keys.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], f.fieldsV1) !== undefined)
    );
  });
}

/**
 * Hands the released fields over before the apply that leaves them out: the same values applied by a second field
 * manager, so our apply without them does not delete them (a Deployment's `replicas` would fall back to 1 and the
 * pods the autoscaler keeps would be stopped) — Kubernetes' "transferring ownership" procedure for server-side apply.
 */
async function handOverReleasedFields(ctx: StepContext, step: PlanStep, path: string, before: Managed | null): Promise<void> {
  const owned = before ? ownedReleasedPaths(before, step, ctx.fieldManager) : [];
  if (owned.length === 0) return;
  const body: Record<string, unknown> = { apiVersion: step.apiVersion, kind: step.kind, metadata: { name: step.name, namespace: step.namespace } };
  for (const released of owned) {
    const segments = parsePath(released) as string[];
    const value = segments.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], before);
    let node = body;
    for (const key of segments.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[segments[segments.length - 1]!] = value;
  }
  await ctx.kube.request({
    method: "PATCH",
    path,
    query: { fieldManager: `${ctx.fieldManager}-handover`, fieldValidation: "Strict", force: true },
    body,
    contentType: "application/apply-patch+yaml",
    idempotent: true,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}

/**
 * The manifest to apply, as a suspension asks: a suspended customer's Deployment keeps zero replicas unless the run
 * resumes it — then the suspension's own fields are given back first (the replicas it had, the annotation gone).
 */
async function respectSuspension(ctx: StepContext, step: PlanStep, path: string, before: Managed | null): Promise<Record<string, unknown>> {
  const body = storedForm(step) as Record<string, any>;
  const kept = step.kind === "Deployment" ? suspendedReplicas(before as Deployment | null) : undefined;
  if (kept === undefined) return body;
  const planned = body["spec"]?.["replicas"] as number | undefined;
  if (ctx.resume) {
    await applySuspensionFields(ctx, path, step.name, planned ?? kept);
  } else if (planned !== undefined) body["spec"]["replicas"] = 0;
  return body;
}

/** Server-side apply of one object: created (201), unchanged (its listed resourceVersion kept) or updated. */
export async function applyObject(ctx: StepContext, step: PlanStep): Promise<StepDone> {
  const path = objectPath(step);
  const before = await objectBefore<Managed>(ctx, step);
  await handOverReleasedFields(ctx, step, path, before);
  const body = await respectSuspension(ctx, step, path, before);
  const { status, object } = await serverSideApply(ctx, step, path, body);
  const resourceVersion = object.metadata?.resourceVersion;
  if (status === 201) return { outcome: "created", message: `${step.kind} ${step.name} создан`, resourceVersion };
  // 200: it was there. Unchanged when the list had it at this resourceVersion; changed by this apply, or not in the
  // list (without the customer's labels: made by someone else), updated.
  if (before && before.metadata?.resourceVersion === resourceVersion)
    return { outcome: "unchanged", message: `${step.kind} ${step.name} без изменений`, resourceVersion };
  return { outcome: "updated", message: `${step.kind} ${step.name} обновлён`, resourceVersion };
}

/** A Job create, re-sent on 5xx or a dropped connection (the client does not repeat a POST after those). */
async function createWithRetries(ctx: StepContext, step: PlanStep, collection: string, body: unknown): Promise<Job> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.kube.create<Job>(collection, body, { fieldManager: ctx.fieldManager, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    } catch (error) {
      const code = error instanceof SredaError ? error.code : "";
      if (ctx.signal?.aborted || !CREATE_RETRYABLE.has(code) || attempt >= ctx.maxAttempts) throw error;
      const delayMs = Math.round(Math.min(10_000, 500 * 2 ** (attempt - 1)) * (0.5 + ctx.random() / 2));
      ctx.onRetry(step, attempt, delayMs, code, describeFailure(error).message);
      await ctx.clock.sleep(delayMs, ctx.signal);
    }
  }
}

/** The created Job; after an AlreadyExists (a create whose answer was lost, or a concurrent creator), the one there. */
async function createJob(ctx: StepContext, step: PlanStep, body: unknown): Promise<Job> {
  try {
    return await createWithRetries(ctx, step, stepCollection(step), body);
  } catch (error) {
    if (!isKubeError(error, "AlreadyExists")) throw error;
  }
  const job = await getOrNull<Job>(ctx, objectPath(step));
  if (!job) throw new StepFailure("NotFound", `Job ${step.name} исчез во время ожидания`);
  return job;
}

/** A pod of the Job that can never start (no node matches, an image that cannot be pulled), by the pure pod rule. */
async function stuckJobPod(ctx: StepContext, job: Job): Promise<StatusReason | undefined> {
  if (!job.metadata?.uid) return undefined;
  // Every active pod ready: none is Pending, so none can be stuck (`ready` is absent on old servers: look then).
  if ((job.status?.active ?? 0) <= (job.status?.ready ?? 0)) return undefined;
  const pods = await listJobPods(ctx.kube, ctx.namespace, job, ctx.signal);
  return pods
    .filter((p) => p.status?.phase === "Pending")
    .map((p) => assessPod(p, { now: ctx.clock.now() }))
    .find((r) => r.phase === "Failed");
}

/**
 * One Job as the run's watch of the Jobs shows it (by uid: after a re-create the old Job may still be there), or,
 * when the Jobs cannot be watched, as a GET shows it.
 */
class FollowedJob {
  /** The watch has shown this Job: its absence there now means it is gone. */
  private seen = false;
  private version = -1;

  constructor(
    private readonly ctx: StepContext,
    private readonly step: PlanStep,
    private job: Job,
  ) {}

  async latest(): Promise<Job> {
    const tracker = this.ctx.jobs;
    if (tracker?.available) {
      this.version = tracker.version;
      const live = tracker.get(this.step.name);
      if (live && live.metadata?.uid === this.job.metadata?.uid) {
        this.seen = true;
        this.job = live;
      } else if (this.seen) throw this.gone();
      // Not shown yet (the watch is behind the create's answer): the Job as last known.
      return this.job;
    }
    const live = await getOrNull<Job>(this.ctx, objectPath(this.step));
    if (!live) throw this.gone();
    return (this.job = live);
  }

  /** Until the Job may have changed, or `ms` passed. */
  async next(ms: number): Promise<void> {
    const tracker = this.ctx.jobs;
    if (tracker?.available) await tracker.changeOrTimeout(this.version, ms, this.ctx.signal);
    else await this.ctx.clock.sleep(ms, this.ctx.signal);
  }

  private gone(): StepFailure {
    return new StepFailure("NotFound", `Job ${this.step.name} исчез во время ожидания`);
  }
}

async function jobFailure(ctx: StepContext, step: PlanStep, job: Job): Promise<StepFailure> {
  const explained = assessJob(job, await failedJobContext(ctx.kube, ctx.namespace, job, ctx.signal));
  return new StepFailure(explained.reason, `Job ${step.name} завершился с ошибкой: ${explained.reason} — ${explained.message}`, explained.logs);
}

/**
 * Follows the Job until `assessJob` calls it Ready. Its Failed verdict, the timeout, or a pod that can never start
 * fail the step; pods are looked at only while the Job has not finished, once per poll interval.
 */
async function waitForJob(ctx: StepContext, step: PlanStep, first: Job): Promise<Job> {
  const deadline = ctx.clock.now() + ctx.jobTimeoutMs;
  const followed = new FollowedJob(ctx, step, first);
  let podsDue = ctx.clock.now() + ctx.jobPollIntervalMs;
  let announced = false;
  for (;;) {
    const job = await followed.latest();
    const verdict = assessJob(job);
    if (verdict.phase === "Ready") return job;
    if (verdict.phase === "Failed") throw await jobFailure(ctx, step, job);
    if (ctx.clock.now() >= deadline) throw new StepFailure("Timeout", `Job ${step.name} не завершился за отведённое время`);
    if (ctx.clock.now() >= podsDue) {
      // The same pure pod rule as for the Deployment's pods: the step fails with the scheduler's words, no waiting.
      const stuck = await stuckJobPod(ctx, job);
      if (stuck) throw new StepFailure(stuck.reason, `Job ${step.name}: под ${stuck.name} не запускается — ${stuck.message}`);
      podsDue = ctx.clock.now() + ctx.jobPollIntervalMs;
    }
    if (!announced) ctx.onWaiting(step, `ожидание завершения Job ${step.name}`);
    announced = true;
    await followed.next(Math.min(podsDue, deadline) - ctx.clock.now());
  }
}

async function deleteAndWait(ctx: StepContext, step: PlanStep, path: string): Promise<void> {
  try {
    // Background, as kubectl does: the Job object goes at once and the garbage collector removes its pods. A setup
    // script is idempotent, so an old pod finishing beside the new one does no harm; failure logs are read by
    // controller-uid, so they always belong to the new Job.
    await ctx.kube.delete(path, { propagationPolicy: "Background", signal: ctx.signal });
  } catch (error) {
    if (!isKubeError(error, "NotFound")) throw error;
  }
  for (let i = 0; i < 120; i++) {
    if (!(await getOrNull(ctx, path))) return;
    await ctx.clock.sleep(1_000, ctx.signal);
  }
  throw new StepFailure("Timeout", `Job ${step.name} не удалился`);
}

/** A Job: left alone when done with the same spec, else (re-)created and followed to its end. */
export async function runJob(ctx: StepContext, step: PlanStep): Promise<StepDone> {
  const body = storedForm(step) as Record<string, any>;
  const hash = createHash("sha256").update(canonicalJson(body["spec"])).digest("hex").slice(0, 32);
  body["metadata"] = { ...body["metadata"], annotations: { ...(body["metadata"]?.annotations ?? {}), [SPEC_HASH_ANNOTATION]: hash } };
  let outcome: StepDone["outcome"] = "created";
  const existing = await objectBefore<Job>(ctx, step);
  if (existing) {
    const same = existing.metadata?.annotations?.[SPEC_HASH_ANNOTATION] === hash;
    if (same && assessJob(existing).phase !== "Failed") {
      const done = await waitForJob(ctx, step, existing);
      return { outcome: "unchanged", message: `Job ${step.name} уже выполнен`, resourceVersion: done.metadata?.resourceVersion };
    }
    await deleteAndWait(ctx, step, objectPath(step));
    outcome = "updated";
  }
  // The watch opens beside the create, not after it: its round trip is then off the critical path.
  ctx.jobs?.start();
  const done = await waitForJob(ctx, step, await createJob(ctx, step, body));
  const message = outcome === "created" ? `Job ${step.name} создан и выполнен` : `Job ${step.name} пересоздан и выполнен`;
  return { outcome, message, resourceVersion: done.metadata?.resourceVersion };
}
