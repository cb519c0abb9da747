/**
 * The environment's status: each object assessed by its kind's rule (one table), the phases folded by severity,
 * the reasons ordered most severe first, and one Russian line for the operator. Pure: the clock reading, events
 * and logs come in with the snapshot.
 */
import type { Deployment, Event, Job, Pod } from "../kube-objects.js";
import type { ContainerLogs } from "./context.js";
import { assessDeployment } from "./deployment.js";
import { assessJob, isPodOfJob } from "./job.js";
import { foldPhases, phaseSeverity, type EnvironmentPhase, type StatusReason } from "./phase.js";
import { assessPod } from "./pod.js";
import type { EnvironmentAssessment } from "./schema.js";

export interface EnvironmentSnapshot {
  jobs: Job[];
  /** Absent or null: not created (yet). */
  deployment?: Deployment | null;
  pods: Pod[];
  events?: Event[];
  /** Last log lines keyed `${pod}/${container}`. */
  logs?: Record<string, string[]>;
  /** Milliseconds since the epoch, from the caller's clock. */
  now: number;
  /** Default 60 000. */
  imagePullFailureThresholdMs?: number;
  /** Default 3. */
  imagePullFailureThresholdAttempts?: number;
  /** Default 180 000 (see context.ts). */
  unschedulableFailureThresholdMs?: number;
  /** The Deployment the environment should have, to name it while it does not exist yet. */
  deploymentName?: string;
}

export function assessEnvironment(snapshot: EnvironmentSnapshot): EnvironmentAssessment {
  const { jobs, deployment, pods, logs } = snapshot;
  const parts: StatusReason[] = [];

  // The table: kind → rule, one small pure function per kind. Order here is the tie-break order of the reasons.
  for (const job of jobs) parts.push(assessJob(job, { pods: pods.filter((pod) => isPodOfJob(pod, job)), ...withLogs(logs) }));
  if (deployment) parts.push(assessDeployment(deployment));
  for (const pod of pods) {
    // A finished pod of a Job is one attempt; the Job's conditions (backoffLimit, deadline) give the verdict, as
    // Argo CD and kstatus judge the Job, not its pods. It still serves as the source of the Job's failure logs.
    if (isFinishedJobPod(pod)) continue;
    parts.push(assessPod(pod, snapshot));
  }

  // Nothing known to be deployed yet, or jobs done but no Deployment: waiting, not ready. When something failed, that
  // failure is why the Deployment was never created (the executor skips it): no second, emptier reason.
  if (!deployment && !parts.some((p) => p.phase === "Failed")) {
    const nothing = jobs.length === 0 && pods.length === 0;
    const name = snapshot.deploymentName;
    parts.push({
      kind: nothing || !name ? "Environment" : "Deployment",
      name: nothing ? "" : (name ?? ""),
      phase: "Pending",
      reason: nothing ? "NothingFound" : "DeploymentNotFound",
      message: nothing ? "no Jobs, Deployment or Pods of the environment exist yet" : "the Deployment does not exist yet",
    });
  }

  const phase = foldPhases(parts.map((p) => p.phase));
  const reasons = parts
    .map((reason, index) => ({ reason, index }))
    .sort((a, b) => phaseSeverity(b.reason.phase) - phaseSeverity(a.reason.phase) || a.index - b.index)
    .map(({ reason }) => reason);
  return { phase, reasons, summary: summarize(phase, reasons, deployment ?? undefined) };
}

function withLogs(logs: ContainerLogs | undefined): { logs?: ContainerLogs } {
  return logs ? { logs } : {};
}

function isFinishedJobPod(pod: Pod): boolean {
  const ownedByJob =
    pod.metadata?.ownerReferences?.some((o) => o.kind === "Job") === true ||
    pod.metadata?.labels?.["batch.kubernetes.io/job-name"] !== undefined ||
    pod.metadata?.labels?.["job-name"] !== undefined;
  return ownedByJob && (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed");
}

// ---------------------------------------------------------------------------------------------
// The operator's line. Kubernetes' reason code stays in parentheses: it is what to search for.

const PHASE_WORDS: Record<EnvironmentPhase, string> = {
  Ready: "Готова",
  Pending: "Ожидание",
  Progressing: "Развёртывается",
  Degraded: "Нарушена",
  Failed: "Ошибка",
};

type Phrases = Record<EnvironmentPhase, (subject: string) => string>;

const KIND_PHRASES: Record<string, { subject: (r: StatusReason) => string; phrases: Phrases }> = {
  Job: {
    subject: (r) => `задание ${r.name}`,
    phrases: {
      Ready: (s) => `${s} выполнено`,
      Pending: (s) => `${s} ещё не запущено`,
      Progressing: (s) => `${s} выполняется`,
      Degraded: (s) => `${s} выполняется с ошибками`,
      Failed: (s) => `${s} завершилось с ошибкой`,
    },
  },
  Deployment: {
    subject: (r) => `развёртывание ${r.name}`,
    phrases: {
      Ready: (s) => `${s} готово`,
      Pending: (s) => `${s} ожидает`,
      Progressing: (s) => `${s} обновляется`,
      Degraded: (s) => `${s} потеряло доступность`,
      Failed: (s) => `${s} не удалось`,
    },
  },
  Pod: {
    subject: (r) => (r.container ? `под ${r.name}, контейнер ${r.container}` : `под ${r.name}`),
    phrases: {
      Ready: (s) => `${s} готов`,
      Pending: (s) => `${s} ожидает запуска`,
      Progressing: (s) => `${s} запускается`,
      Degraded: (s) => `${s} работает с ошибками`,
      Failed: (s) => `${s} не запускается`,
    },
  },
};

/** Reasons whose wording does not depend on the kind. */
const REASON_PHRASES: Record<string, (subject: string) => string> = {
  Terminating: (s) => `${s} удаляется`,
  LatestGenerationNotObserved: (s) => `${s}: контроллер ещё не обработал изменения`,
  NothingFound: () => "объекты среды ещё не созданы",
  DeploymentNotFound: (s) => (s.startsWith("развёртывание ") ? `${s} ещё не создано` : "развёртывание ещё не создано"),
  Timeout: () => "среда не готова за отведённое время",
};

function summarize(phase: EnvironmentPhase, reasons: readonly StatusReason[], deployment: Deployment | undefined): string {
  if (phase === "Ready") {
    const desired = deployment?.spec?.replicas ?? 1;
    if (desired === 0) return "Готова: развёртывание остановлено (0 реплик)";
    return `Готова: ${deployment?.status?.readyReplicas ?? 0}/${desired} подов`;
  }
  const top = reasons[0];
  return top ? `${PHASE_WORDS[phase]}: ${describeReason(top)}` : PHASE_WORDS[phase];
}

/** "задание postgres-setup-c42 завершилось с ошибкой (BackoffLimitExceeded)". */
export function describeReason(reason: StatusReason): string {
  const kind = KIND_PHRASES[reason.kind];
  const subject = kind ? kind.subject(reason) : `${reason.kind} ${reason.name}`.trim();
  const generic = REASON_PHRASES[reason.reason];
  if (generic) return generic(subject);
  const phrase = kind ? kind.phrases[reason.phase](subject) : subject;
  return `${phrase} (${reason.reason})`;
}
