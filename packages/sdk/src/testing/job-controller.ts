/**
 * The Job controller as Kubernetes 1.35 runs it (pkg/controller/job/job_controller.go), for NonIndexed Jobs:
 * pods `<job>-<5 chars>` with the `batch.kubernetes.io/job-tracking` finalizer, counted into
 * `status.succeeded`/`failed` and released; replacements after a failure with the pod-failure back-off
 * (10s·2ⁿ, at most 6 min); `backoffLimit` (for OnFailure pods, container restarts count) and
 * `activeDeadlineSeconds` end the Job through `FailureTarget` then `Failed`; success goes through
 * `SuccessCriteriaMet` then `Complete` with `completionTime`; `ttlSecondsAfterFinished` deletes a finished Job.
 * Not simulated: Indexed completion, podFailurePolicy, successPolicy, backoffLimitPerIndex, managedBy.
 */
import type { Controller, ControllerManager, EventRecorder } from "./controllers.js";
import { controlledBy, controllerOf, controllerRef, keyOf, parseKey, rtOf } from "./controllers.js";
import type { Registry } from "./registry.js";
import type { Store, StoreEvent } from "./store.js";
import { deepCopy, deepEqual, isRecord, rfc3339, type Obj } from "./util.js";

const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
const MANAGER = "kube-controller-manager";
const MAX_POD_BACKOFF = 360_000;

interface JobControllerDeps {
  store: Store;
  registry: Registry;
  events: EventRecorder;
  manager: ControllerManager;
  now(): number;
}

function isTerminal(pod: Obj): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function hasCondition(job: Obj, type: string): Obj | undefined {
  return (job.status?.conditions ?? []).find((c: Obj) => c.type === type && c.status === "True");
}

export class JobController implements Controller {
  readonly name = "job-controller";
  private readonly jobRt = rtOf("Job");
  private readonly podRt = rtOf("Pod");
  /** Virtual time of the last pod failure per Job uid (for the replacement back-off). */
  private readonly lastFailure = new Map<string, number>();

  constructor(private readonly deps: JobControllerDeps) {}

  keysFor(event: StoreEvent): readonly string[] {
    if (event.rt.kind === "Job") {
      const keys = [`job:${keyOf(event.object)}`];
      if (event.type === "DELETED") {
        for (const { rt, object } of this.deps.store.ownedBy(String(event.object.metadata.uid))) {
          if (rt === this.podRt && (object.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) keys.push(`pod:${keyOf(object)}`);
        }
      }
      return keys;
    }
    if (event.rt.kind === "Pod") {
      const ref = controllerOf(event.object) ?? controllerOf(event.previous ?? {});
      const keys: string[] = [];
      if (ref?.kind === "Job") keys.push(`job:${event.object.metadata.namespace}/${ref.name}`);
      if ((event.object.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) keys.push(`pod:${keyOf(event.object)}`);
      return keys;
    }
    return [];
  }

  reconcile(key: string): void {
    if (key.startsWith("pod:")) return this.releaseOrphan(key.slice(4));
    const { namespace, name } = parseKey(key.slice(4));
    const job = this.deps.store.get(this.jobRt, namespace, name);
    if (!job) return;
    if (job.metadata.deletionTimestamp !== undefined) return;
    this.sync(key, job);
  }

  /** A tracked pod whose Job is gone (or orphaned it) loses the finalizer, so it can be deleted. */
  private releaseOrphan(podKey: string): void {
    const { namespace, name } = parseKey(podKey);
    const pod = this.deps.store.get(this.podRt, namespace, name);
    if (!pod || !(pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) return;
    const ref = controllerOf(pod);
    const job = ref ? this.deps.store.getByUid(String(ref.uid)) : undefined;
    if (job && job.object.metadata.deletionTimestamp === undefined) return;
    this.removeFinalizer(pod);
  }

  private removeFinalizer(pod: Obj): void {
    const current = this.deps.store.get(this.podRt, pod.metadata.namespace, pod.metadata.name);
    if (!current) return;
    const next = deepCopy(current);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f: string) => f !== JOB_TRACKING_FINALIZER);
    if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    this.deps.registry.update(this.podRt, current, next, { manager: MANAGER, fieldValidation: "Strict" });
  }

  private event(job: Obj, type: "Normal" | "Warning", reason: string, message: string): void {
    this.deps.events.record(this.jobRt, job, type, reason, message, { component: "job-controller" });
  }

  private sync(key: string, job: Obj): void {
    const now = this.deps.now();
    const spec: Obj = job.spec ?? {};
    const uid = String(job.metadata.uid);
    const prev: Obj = isRecord(job.status) ? job.status : {};
    const conditions: Obj[] = deepCopy(Array.isArray(prev.conditions) ? prev.conditions : []);
    const condition = (type: string, status: "True" | "False", reason: string, message: string): void => {
      const existing = conditions.find((c) => c.type === type);
      if (existing && existing.status === status && existing.reason === reason) return;
      const entry = { type, status, lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(now), reason, message };
      if (existing) Object.assign(existing, entry);
      else conditions.push(entry);
    };
    const pods = controlledBy(this.deps.store, this.podRt, job);
    let succeeded = Number(prev.succeeded ?? 0);
    let failed = Number(prev.failed ?? 0);
    for (const pod of pods) {
      if (!isTerminal(pod) || !(pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) continue;
      if (pod.status.phase === "Succeeded") succeeded++;
      else {
        failed++;
        this.lastFailure.set(uid, now);
      }
      this.removeFinalizer(pod);
    }
    const live = pods.filter((p) => !isTerminal(p));
    const active = live.filter((p) => p.metadata.deletionTimestamp === undefined);
    const terminating = live.filter((p) => p.metadata.deletionTimestamp !== undefined);
    const ready = active.filter((p) => (p.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True")).length;
    const finished = hasCondition(job, "Complete") ?? hasCondition(job, "Failed");
    let startTime: string | undefined = prev.startTime;
    let completionTime: string | undefined = prev.completionTime;

    if (!finished) {
      const suspended = spec.suspend === true;
      if (suspended) {
        for (const pod of active) this.deletePod(job, pod);
        if (startTime !== undefined || conditions.some((c) => c.type === "Suspended")) condition("Suspended", "True", "JobSuspended", "Job suspended");
        startTime = undefined;
      } else {
        if (conditions.some((c) => c.type === "Suspended" && c.status === "True")) condition("Suspended", "False", "JobResumed", "Job resumed");
        startTime ??= rfc3339(now);
      }
      const restarts =
        spec.template?.spec?.restartPolicy === "OnFailure"
          ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m: number, c: Obj) => m + Number(c.restartCount ?? 0), 0), 0)
          : 0;
      const backoffLimit = Number(spec.backoffLimit ?? 6);
      const completions = Number(spec.completions ?? 1);
      const deadline =
        spec.activeDeadlineSeconds !== undefined && startTime !== undefined ? Date.parse(startTime) + Number(spec.activeDeadlineSeconds) * 1000 : undefined;
      let target = conditions.find((c) => c.type === "FailureTarget" && c.status === "True");
      if (!target && !suspended) {
        if (deadline !== undefined && now >= deadline) condition("FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline");
        else if (failed + restarts > backoffLimit) condition("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        target = conditions.find((c) => c.type === "FailureTarget" && c.status === "True");
      }
      if (target) {
        for (const pod of active) this.deletePod(job, pod);
        if (active.length === 0 && terminating.length === 0) {
          condition("Failed", "True", String(target.reason), String(target.message));
          this.event(job, "Warning", String(target.reason), String(target.message));
        }
      } else if (succeeded >= completions) {
        condition("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods");
        for (const pod of active) this.deletePod(job, pod);
        if (active.length === 0 && terminating.length === 0) {
          condition("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods");
          completionTime = rfc3339(now);
          this.event(job, "Normal", "Completed", "Job completed");
        }
      } else if (!suspended) {
        const wanted = Math.min(Number(spec.parallelism ?? 1), completions - succeeded);
        const need = wanted - active.length;
        if (need > 0) {
          const lastFailure = this.lastFailure.get(uid);
          const delay = failed > 0 ? Math.min(10_000 * 2 ** (failed - 1), MAX_POD_BACKOFF) : 0;
          if (lastFailure !== undefined && now < lastFailure + delay) this.deps.manager.wakeAt(this, key, lastFailure + delay);
          else for (let i = 0; i < need; i++) this.createPod(job);
        }
      }
      if (deadline !== undefined && !target) this.deps.manager.wakeAt(this, key, deadline);
    }

    const after = controlledBy(this.deps.store, this.podRt, job).filter((p) => !isTerminal(p));
    const status: Obj = {};
    if (conditions.length > 0) status.conditions = conditions;
    if (startTime !== undefined) status.startTime = startTime;
    if (completionTime !== undefined) status.completionTime = completionTime;
    const activeCount = after.filter((p) => p.metadata.deletionTimestamp === undefined).length;
    if (activeCount > 0) status.active = activeCount;
    if (succeeded > 0) status.succeeded = succeeded;
    if (failed > 0) status.failed = failed;
    status.terminating = after.filter((p) => p.metadata.deletionTimestamp !== undefined).length;
    status.uncountedTerminatedPods = {};
    status.ready = ready;
    const current = this.deps.store.get(this.jobRt, job.metadata.namespace, job.metadata.name);
    if (!current) return;
    if (!deepEqual(current.status ?? {}, status)) {
      const next = deepCopy(current);
      next.status = status;
      this.deps.registry.update(this.jobRt, current, next, { manager: MANAGER, subresource: "status", fieldValidation: "Strict" });
    }
    this.scheduleTtl(key, this.deps.store.get(this.jobRt, job.metadata.namespace, job.metadata.name));
  }

  /** ttl-after-finished controller: deletes a finished Job (and, in the background, its pods). */
  private scheduleTtl(key: string, job: Obj | undefined): void {
    if (!job || job.spec?.ttlSecondsAfterFinished === undefined) return;
    const done = hasCondition(job, "Complete") ?? hasCondition(job, "Failed");
    if (!done) return;
    const at = Date.parse(String(done.lastTransitionTime)) + Number(job.spec.ttlSecondsAfterFinished) * 1000;
    if (this.deps.now() >= at) {
      this.deps.registry.delete(this.jobRt, job.metadata.namespace, job.metadata.name, {
        propagationPolicy: "Background",
        preconditions: { uid: job.metadata.uid },
      });
      return;
    }
    this.deps.manager.wakeAt(this, key, at);
  }

  private createPod(job: Obj): void {
    const template: Obj = job.spec?.template ?? {};
    const metadata: Obj = {
      generateName: `${job.metadata.name}-`,
      namespace: job.metadata.namespace,
      labels: deepCopy(template.metadata?.labels ?? {}),
      ownerReferences: [controllerRef(this.jobRt, job)],
      finalizers: [JOB_TRACKING_FINALIZER],
    };
    if (isRecord(template.metadata?.annotations)) metadata.annotations = deepCopy(template.metadata.annotations);
    const pod = this.deps.registry.create(
      this.podRt,
      job.metadata.namespace,
      { apiVersion: "v1", kind: "Pod", metadata, spec: deepCopy(template.spec ?? {}) },
      { manager: MANAGER, fieldValidation: "Strict" },
    );
    this.event(job, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`);
  }

  private deletePod(job: Obj, pod: Obj): void {
    if (pod.metadata.deletionTimestamp !== undefined) return;
    this.deps.registry.delete(this.podRt, pod.metadata.namespace, pod.metadata.name, { propagationPolicy: "Background" });
    this.event(job, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
  }
}
