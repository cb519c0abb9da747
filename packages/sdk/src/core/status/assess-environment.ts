/**
 * The environment's status: each object assessed by its kind's rule (one table), the phases folded by severity,
 * the reasons ordered most severe first, and one Russian line for the operator. Pure: the clock reading, events
 * and logs come in with the snapshot.
 */
import type { Deployment, Event, HorizontalPodAutoscaler, Job, Pod, PodDisruptionBudget } from "../kube-objects.js";
import { assessAutoscaler } from "./autoscaler.js";
import type { ContainerLogs } from "./context.js";
import { assessDeployment } from "./deployment.js";
import { assessDisruptionBudget } from "./disruption-budget.js";
import { assessJob, isPodOfJob } from "./job.js";
import { isSuspended, suspendedReplicas } from "../suspension.js";
import { foldPhases, phaseSeverity, type EnvironmentPhase, type StatusReason } from "./phase.js";
import { assessPod } from "./pod.js";
import type { EnvironmentAssessment } from "./schema.js";

export interface EnvironmentSnapshot {
  jobs: Job[];
  /** Absent or null: not created (yet). */
  deployment?: Deployment | null;
  /** Absent or null: the environment has none (turned off in its settings), or it could not be read. Assessed only with the Deployment. */
  autoscaler?: HorizontalPodAutoscaler | null;
  /** Absent or null: the environment has none (turned off in its settings), or it could not be read. */
  disruptionBudget?: PodDisruptionBudget | null;
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
  const { jobs, deployment, autoscaler, disruptionBudget, pods, logs } = snapshot;
  const parts: StatusReason[] = [];

  // The table: kind → rule, one small pure function per kind. Order here is the tie-break order of the reasons.
  for (const job of jobs) parts.push(assessJob(job, { pods: pods.filter((pod) => isPodOfJob(pod, job)), ...withLogs(logs) }));
  if (deployment) parts.push(assessDeployment(deployment));
  // Without its Deployment the autoscaler can only say FailedGetScale: the missing Deployment is the reason (below).
  if (autoscaler && deployment) parts.push(assessAutoscaler(autoscaler));
  if (disruptionBudget) parts.push(assessDisruptionBudget(disruptionBudget));
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

  // A suspended environment is Suspended once nothing is broken: pods still terminating are part of suspending.
  const folded = foldPhases(parts.map((p) => p.phase));
  const phase = isSuspended(deployment) && folded !== "Failed" && folded !== "Degraded" ? "Suspended" : folded;
  const reasons = parts
    .map((reason, index) => ({ reason, index }))
    .sort((a, b) => phaseSeverity(b.reason.phase) - phaseSeverity(a.reason.phase) || a.index - b.index)
    .map(({ reason }) => reason);
  // Warnings are the same reason objects, so `reasons` stays one per object; they never enter the fold above.
  const warnings = reasons.filter((r) => r.warning === true);
  return { phase, reasons, warnings, summary: summarize(phase, reasons, warnings, deployment ?? undefined) };
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
  Suspended: "Приостановлена",
  Pending: "Ожидание",
  Progressing: "Развёртывается",
  Degraded: "Нарушена",
  Failed: "Ошибка",
};

/** By the phases an object can be in (Suspended is only ever the environment's). */
type Phrases = Record<Exclude<EnvironmentPhase, "Suspended">, (subject: string) => string>;

/** Per kind: how to name the object, what each phase says of it, and what a warning (a `Ready` reason) says. */
const KIND_PHRASES: Record<string, { subject: (r: StatusReason) => string; phrases: Phrases; warning?: (subject: string) => string }> = {
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
  HorizontalPodAutoscaler: {
    subject: (r) => `автомасштабирование ${r.name}`,
    phrases: {
      Ready: (s) => `${s} работает`,
      Pending: (s) => `${s} ожидает`,
      Progressing: (s) => `${s} запускается`,
      Degraded: (s) => `${s} не может управлять развёртыванием`,
      Failed: (s) => `${s} не работает`,
    },
    warning: (s) => `${s} не работает`,
  },
  PodDisruptionBudget: {
    subject: (r) => `бюджет нарушений ${r.name}`,
    phrases: {
      Ready: (s) => `${s} действует`,
      Pending: (s) => `${s} ожидает`,
      Progressing: (s) => `${s} вычисляется`,
      Degraded: (s) => `${s} нарушен`,
      Failed: (s) => `${s} не работает`,
    },
    warning: (s) => `${s} запрещает любое вытеснение подов`,
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

function summarize(phase: EnvironmentPhase, reasons: readonly StatusReason[], warnings: readonly StatusReason[], deployment: Deployment | undefined): string {
  if (phase === "Suspended") return `Приостановлена: развёртывание остановлено (при возобновлении подов: ${suspendedReplicas(deployment) ?? 0})`;
  if (phase === "Ready") {
    // spec.replicas is what the autoscaler last wrote when there is one.
    const desired = deployment?.spec?.replicas ?? 1;
    const ready = desired === 0 ? "Готова: развёртывание остановлено (0 реплик)" : `Готова: ${deployment?.status?.readyReplicas ?? 0}/${desired} подов`;
    if (warnings.length === 0) return ready;
    return `${ready}; ${warnings.length === 1 ? "предупреждение" : "предупреждения"}: ${warnings.map(describeReason).join("; ")}`;
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
  const phase = reason.phase === "Suspended" ? "Ready" : reason.phase;
  const phrase = kind ? (reason.warning && kind.warning ? kind.warning(subject) : kind.phrases[phase](subject)) : subject;
  return `${phrase} (${reason.reason})`;
}
