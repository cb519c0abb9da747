/**
 * Job health. Conditions decide, as in Argo CD (`pkg/health/health_job.go`) and kstatus (`jobConditions`):
 * `Failed` or `FailureTarget` → Failed, `Complete` or `SuccessCriteriaMet` → Ready, otherwise a started Job is still
 * running. The executor waits on a Job with this same rule.
 */
import type { ContainerStatus, Job, Pod } from "../kube-objects.js";
import { containerLogs, type JobContext } from "./context.js";
import { checkGeneric, findCondition, isTrue, withSince } from "./generic.js";
import type { StatusReason } from "./phase.js";

export function assessJob(job: Job, context: JobContext = {}): StatusReason {
  const generic = checkGeneric("Job", job);
  if (generic) return generic;

  const name = job.metadata?.name ?? "";
  const status = job.status ?? {};
  const conditions = status.conditions;
  const succeeded = status.succeeded ?? 0;
  const active = status.active ?? 0;
  const failedPods = status.failed ?? 0;
  const completions = job.spec?.completions ?? 1;

  // `Failed`=True is final (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy, …). Since 1.31 the controller
  // first sets `FailureTarget` and adds `Failed` only once the pods have terminated (KEP-3329/4368): the verdict is
  // already taken, so report it then rather than after the grace period.
  const failure = [findCondition(conditions, "Failed"), findCondition(conditions, "FailureTarget")].find(isTrue);
  if (failure) {
    const reason = failure.reason || failure.type;
    const attempt = lastFailedAttempt(job, context);
    const base: StatusReason = { kind: "Job", name, phase: "Failed", reason, message: failure.message ?? `Job failed: ${reason}` };
    if (!attempt) return withSince(base, failure.lastTransitionTime);
    return withSince(
      {
        ...base,
        message: attempt.detail ? `${base.message}; ${attempt.detail}` : base.message,
        container: attempt.container,
        ...(attempt.logs ? { logs: attempt.logs } : {}),
      },
      failure.lastTransitionTime,
    );
  }

  // Likewise `SuccessCriteriaMet` comes before `Complete` (1.31+): the Job has succeeded, its pods are ending.
  const complete = [findCondition(conditions, "Complete"), findCondition(conditions, "SuccessCriteriaMet")].find(isTrue);
  if (complete) {
    return withSince(
      { kind: "Job", name, phase: "Ready", reason: complete.type, message: `Job completed: ${succeeded}/${completions} succeeded` },
      complete.lastTransitionTime,
    );
  }

  const suspended = findCondition(conditions, "Suspended");
  if (isTrue(suspended) || job.spec?.suspend === true) {
    return { kind: "Job", name, phase: "Pending", reason: "Suspended", message: suspended?.message ?? "Job suspended" };
  }

  // kstatus: no `startTime` → "Job not started". The controller sets it when it creates the first pod.
  if (!status.startTime && active === 0) {
    return { kind: "Job", name, phase: "Pending", reason: "JobNotStarted", message: "Job not started" };
  }

  // A running Job is not done (kstatus "Job in progress", kubectl wait --for=condition=complete keeps waiting).
  return withSince(
    {
      kind: "Job",
      name,
      phase: "Progressing",
      reason: "JobRunning",
      message: `Job in progress: succeeded ${succeeded}/${completions}, active ${active}, failed ${failedPods}`,
    },
    status.startTime,
  );
}

interface FailedAttempt {
  container: string;
  detail?: string;
  logs?: string[];
}

/**
 * The Job's latest failed pod and its failing container: the caller's pods first; failing that, logs keyed by a pod
 * name the Job controller would generate (`<job>-<5 chars>`, its `generateName`).
 */
function lastFailedAttempt(job: Job, { pods = [], logs }: JobContext): FailedAttempt | undefined {
  const name = job.metadata?.name ?? "";
  const failed = pods.filter((pod) => isPodOfJob(pod, job) && failedContainer(pod) !== undefined).sort((a, b) => finishedAt(a).localeCompare(finishedAt(b)));
  const pod = failed.at(-1);
  if (pod) {
    const status = failedContainer(pod)!;
    const terminated = status.state?.terminated ?? status.lastState?.terminated;
    const podName = pod.metadata?.name ?? "";
    const attemptLogs = containerLogs(logs, podName, status.name);
    return {
      container: status.name,
      detail: `pod ${podName} container ${status.name} exited with code ${terminated?.exitCode}${terminated?.reason ? ` (${terminated.reason})` : ""}`,
      ...(attemptLogs ? { logs: attemptLogs } : {}),
    };
  }
  const generated = new RegExp(`^${escapeRegExp(name)}-[a-z0-9]{5}/(.+)$`);
  const key = Object.keys(logs ?? {})
    .filter((k) => generated.test(k))
    .at(-1);
  if (!key) return undefined;
  return { container: generated.exec(key)![1]!, logs: [...logs![key]!] };
}

/** Owned by the Job (its uid), or carrying the label the Job controller puts on its pods. */
export function isPodOfJob(pod: Pod, job: Job): boolean {
  const uid = job.metadata?.uid;
  const name = job.metadata?.name;
  if (uid && pod.metadata?.ownerReferences?.some((o) => o.kind === "Job" && o.uid === uid)) return true;
  const labels = pod.metadata?.labels ?? {};
  return name !== undefined && (labels["batch.kubernetes.io/job-name"] ?? labels["job-name"]) === name;
}

function failedContainer(pod: Pod): ContainerStatus | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.find((s) => (s.state?.terminated?.exitCode ?? 0) !== 0 || (s.lastState?.terminated?.exitCode ?? 0) !== 0);
}

function finishedAt(pod: Pod): string {
  const status = failedContainer(pod);
  return (status?.state?.terminated ?? status?.lastState?.terminated)?.finishedAt ?? pod.metadata?.creationTimestamp ?? "";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
