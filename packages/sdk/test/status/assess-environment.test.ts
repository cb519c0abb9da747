import { describe, expect, it } from "vitest";
import type { Deployment, Job } from "../../src/core/kube-objects.js";
import { assessEnvironment, describeReason, type EnvironmentPhase, type EnvironmentSnapshot } from "../../src/core/status/index.js";
import { at, deployment, events, job, pod } from "./fixture.js";
import { autoscaler, disruptionBudget, NO_METRICS_API_MESSAGE } from "./scaling-fixtures.js";

/** The ClickHouse setup job, made from the PostgreSQL one: same controller, another name and uid. */
function clickhouse(scenario: string): Job {
  const j = job(scenario);
  j.metadata = { ...j.metadata, name: "clickhouse-setup-c42", uid: "1e6f3a8c-5b2d-4c97-8e0f-a4d7c2b9e153" };
  return j;
}

const PSQL_LOGS = [
  'psql: error: connection to server at "postgres.lms-dev.svc.cluster.local" (10.43.18.7), port 5432 failed: FATAL:  password authentication failed for user "postgres"',
];
const jobsDone = () => [job("complete"), clickhouse("complete")];

interface Case {
  name: string;
  snapshot: EnvironmentSnapshot;
  phase: EnvironmentPhase;
  /** The first reason: kind/name/reason, the "why". */
  first: { kind: string; name: string; reason: string };
  summary: string;
}

const cases: Case[] = [
  {
    name: "all ready",
    snapshot: { jobs: jobsDone(), deployment: deployment("available"), pods: [pod("running-ready")], now: at("2026-03-10T09:17:00Z") },
    phase: "Ready",
    first: { kind: "Job", name: "postgres-setup-c42", reason: "Complete" },
    summary: "Готова: 1/1 подов",
  },
  {
    name: "one job failed: the job first, with the failed attempt's logs",
    snapshot: {
      jobs: [clickhouse("complete"), job("failed-backofflimit")],
      deployment: deployment("rolling"),
      pods: [pod("container-creating"), pod("job-attempt-failed")],
      logs: { "postgres-setup-c42-w8d3m/postgres-client": PSQL_LOGS },
      now: at("2026-03-10T09:14:20Z"),
    },
    phase: "Failed",
    first: { kind: "Job", name: "postgres-setup-c42", reason: "BackoffLimitExceeded" },
    summary: "Ошибка: задание postgres-setup-c42 завершилось с ошибкой (BackoffLimitExceeded)",
  },
  {
    name: "image pull failing past the threshold",
    snapshot: {
      jobs: jobsDone(),
      deployment: deployment("updating-new-replicaset"),
      pods: [pod("running-ready"), pod("imagepullbackoff-over-threshold")],
      events: events("pod-imagepullbackoff-over-threshold"),
      now: at("2026-03-10T09:24:40Z"),
    },
    phase: "Failed",
    first: { kind: "Pod", name: "lms-deployment-c42-5f6c9d7b48-h3v6t", reason: "ImagePullBackOff" },
    summary: "Ошибка: под lms-deployment-c42-5f6c9d7b48-h3v6t, контейнер lms не запускается (ImagePullBackOff)",
  },
  {
    name: "image pull failing, still within the threshold",
    snapshot: {
      jobs: jobsDone(),
      deployment: deployment("updating-new-replicaset"),
      pods: [pod("running-ready"), pod("errimagepull-fresh")],
      now: at("2026-03-10T09:22:20Z"),
    },
    phase: "Progressing",
    first: { kind: "Deployment", name: "lms-deployment-c42", reason: "RolloutInProgress" },
    summary: "Развёртывается: развёртывание lms-deployment-c42 обновляется (RolloutInProgress)",
  },
  {
    name: "still rolling",
    snapshot: { jobs: jobsDone(), deployment: deployment("rolling"), pods: [pod("container-creating")], now: at("2026-03-10T09:16:05Z") },
    phase: "Progressing",
    first: { kind: "Deployment", name: "lms-deployment-c42", reason: "ReplicasUnavailable" },
    summary: "Развёртывается: развёртывание lms-deployment-c42 обновляется (ReplicasUnavailable)",
  },
  {
    name: "crash loop while the Deployment only waits for availability",
    snapshot: { jobs: jobsDone(), deployment: deployment("rolling"), pods: [pod("crashloopbackoff")], now: at("2026-03-10T09:19:00Z") },
    phase: "Failed",
    first: { kind: "Pod", name: "lms-deployment-c42-7d9f8b6c5d-c8j2d", reason: "CrashLoopBackOff" },
    summary: "Ошибка: под lms-deployment-c42-7d9f8b6c5d-c8j2d, контейнер lms не запускается (CrashLoopBackOff)",
  },
  {
    name: "nothing there",
    snapshot: { jobs: [], deployment: null, pods: [], now: at("2026-03-10T09:12:00Z") },
    phase: "Pending",
    first: { kind: "Environment", name: "", reason: "NothingFound" },
    summary: "Ожидание: объекты среды ещё не созданы",
  },
  {
    name: "jobs complete, no Deployment yet",
    snapshot: { jobs: jobsDone(), pods: [], now: at("2026-03-10T09:13:00Z") },
    phase: "Pending",
    first: { kind: "Environment", name: "", reason: "DeploymentNotFound" },
    summary: "Ожидание: развёртывание ещё не создано",
  },
  {
    name: "jobs must be Complete before Ready: a running job and an available Deployment",
    snapshot: {
      jobs: [job("running"), clickhouse("complete")],
      deployment: deployment("available"),
      pods: [pod("running-ready")],
      now: at("2026-03-10T09:17:00Z"),
    },
    phase: "Progressing",
    first: { kind: "Job", name: "postgres-setup-c42", reason: "JobRunning" },
    summary: "Развёртывается: задание postgres-setup-c42 выполняется (JobRunning)",
  },
  {
    name: "a job not started yet and a Deployment rolling: Progressing outranks Pending",
    snapshot: { jobs: [job("not-started")], deployment: deployment("rolling"), pods: [], now: at("2026-03-10T09:16:05Z") },
    phase: "Progressing",
    first: { kind: "Deployment", name: "lms-deployment-c42", reason: "ReplicasUnavailable" },
    summary: "Развёртывается: развёртывание lms-deployment-c42 обновляется (ReplicasUnavailable)",
  },
  {
    name: "lost availability",
    snapshot: { jobs: jobsDone(), deployment: deployment("lost-availability"), pods: [pod("running-ready")], now: at("2026-03-10T09:40:00Z") },
    phase: "Degraded",
    first: { kind: "Deployment", name: "lms-deployment-c42", reason: "MinimumReplicasUnavailable" },
    summary: "Нарушена: развёртывание lms-deployment-c42 потеряло доступность (MinimumReplicasUnavailable)",
  },
  {
    name: "scaled to zero",
    snapshot: { jobs: jobsDone(), deployment: deployment("scaled-to-zero"), pods: [], now: at("2026-03-10T09:40:00Z") },
    phase: "Ready",
    first: { kind: "Job", name: "postgres-setup-c42", reason: "Complete" },
    summary: "Готова: развёртывание остановлено (0 реплик)",
  },
  {
    name: "progress deadline exceeded",
    snapshot: { jobs: jobsDone(), deployment: deployment("progress-deadline-exceeded"), pods: [pod("unschedulable")], now: at("2026-03-10T09:18:00Z") },
    phase: "Failed",
    first: { kind: "Deployment", name: "lms-deployment-c42", reason: "ProgressDeadlineExceeded" },
    summary: "Ошибка: развёртывание lms-deployment-c42 не удалось (ProgressDeadlineExceeded)",
  },
];

describe("assessEnvironment", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const result = assessEnvironment(c.snapshot);
    expect(result.phase).toBe(c.phase);
    expect(result.reasons[0]).toMatchObject(c.first);
    expect(result.summary).toBe(c.summary);
    expect(result.warnings).toEqual([]); // always there, empty without an autoscaler or a budget
  });

  it("puts the failed job with its logs first, and does not judge the job's failed attempt as a pod", () => {
    const result = assessEnvironment(cases[1]!.snapshot);
    expect(result.reasons[0]).toMatchObject({ container: "postgres-client", logs: PSQL_LOGS });
    expect(result.reasons.map((r) => `${r.kind}/${r.phase}`)).toEqual(["Job/Failed", "Deployment/Progressing", "Pod/Progressing", "Job/Ready"]);
  });

  it("orders reasons most severe first, keeping jobs, Deployment, pods order among equals", () => {
    const result = assessEnvironment({
      jobs: [job("running"), clickhouse("complete")],
      deployment: deployment("rolling"),
      pods: [pod("container-creating"), pod("pending-scheduled")],
      now: at("2026-03-10T09:16:05Z"),
    });
    expect(result.reasons.map((r) => `${r.kind}:${r.name}:${r.phase}`)).toEqual([
      "Job:postgres-setup-c42:Progressing",
      "Deployment:lms-deployment-c42:Progressing",
      "Pod:lms-deployment-c42-7d9f8b6c5d-m5n8r:Progressing",
      "Pod:lms-deployment-c42-7d9f8b6c5d-q7w4z:Pending",
      "Job:clickhouse-setup-c42:Ready",
    ]);
  });

  it("passes the thresholds through to the pods", () => {
    const snapshot: EnvironmentSnapshot = {
      jobs: jobsDone(),
      deployment: deployment("rolling"),
      pods: [pod("unschedulable")],
      now: at("2026-03-10T09:16:40Z"),
    };
    expect(assessEnvironment(snapshot).phase).toBe("Progressing");
    expect(assessEnvironment({ ...snapshot, unschedulableFailureThresholdMs: 30_000 }).phase).toBe("Failed");
    const pulling: EnvironmentSnapshot = {
      jobs: jobsDone(),
      deployment: deployment("rolling"),
      pods: [pod("errimagepull-fresh")],
      now: at("2026-03-10T09:22:20Z"),
    };
    expect(assessEnvironment({ ...pulling, imagePullFailureThresholdMs: 15_000 }).phase).toBe("Failed");
  });
});

describe('a missing Deployment (issue 10: a real API server showed "Pending Environment : DeploymentNotFound" with no name)', () => {
  it("is not a reason of its own when a Job failed: the failure is why the Deployment was never created", () => {
    const result = assessEnvironment({
      jobs: [clickhouse("complete"), job("failed-backofflimit")],
      pods: [pod("job-attempt-failed")],
      now: at("2026-03-10T09:14:20Z"),
    });
    expect(result.phase).toBe("Failed");
    expect(result.reasons.map((r) => r.reason)).not.toContain("DeploymentNotFound");
    expect(result.reasons.every((r) => r.name !== "")).toBe(true);
  });

  it("names the Deployment it waits for when the caller knows it", () => {
    const result = assessEnvironment({ jobs: jobsDone(), pods: [], now: at("2026-03-10T09:14:20Z"), deploymentName: "lms-deployment-c42" });
    expect(result.phase).toBe("Pending");
    expect(result.reasons[0]).toMatchObject({ kind: "Deployment", name: "lms-deployment-c42", reason: "DeploymentNotFound" });
    expect(result.summary).toBe("Ожидание: развёртывание lms-deployment-c42 ещё не создано");
  });
});

/** The available Deployment after its autoscaler wrote `replicas` (spec.replicas is the HPA's now). */
function scaledTo(replicas: number): Deployment {
  const d = deployment("available");
  d.spec = { ...d.spec!, replicas };
  d.status = { ...d.status, replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas };
  return d;
}

describe("warnings: an autoscaler or a disruption budget that works badly leaves the environment Ready", () => {
  const base = (): EnvironmentSnapshot => ({ jobs: jobsDone(), deployment: scaledTo(2), pods: [pod("running-ready")], now: at("2026-03-10T09:20:00Z") });

  // name, snapshot additions, phase, summary, the warnings' kind/reason.
  const table: [string, Partial<EnvironmentSnapshot>, EnvironmentPhase, string, string[]][] = [
    [
      "no metrics-server: Ready, the autoscaler named in the summary",
      { autoscaler: autoscaler("no-metrics-api"), disruptionBudget: disruptionBudget("two-replicas") },
      "Ready",
      "Готова: 2/2 подов; предупреждение: автомасштабирование lms-autoscaler-c42 не работает (FailedGetResourceMetric)",
      ["HorizontalPodAutoscaler/FailedGetResourceMetric"],
    ],
    [
      "a budget that blocks every drain",
      { deployment: deployment("available"), autoscaler: autoscaler("healthy"), disruptionBudget: disruptionBudget("min-available-one-of-one") },
      "Ready",
      "Готова: 1/1 подов; предупреждение: бюджет нарушений lms-disruption-budget-c42 запрещает любое вытеснение подов (NoDisruptionsAllowed)",
      ["PodDisruptionBudget/NoDisruptionsAllowed"],
    ],
    [
      "both",
      { autoscaler: autoscaler("no-metrics-api"), disruptionBudget: disruptionBudget("max-unavailable-zero") },
      "Ready",
      "Готова: 2/2 подов; предупреждения: автомасштабирование lms-autoscaler-c42 не работает (FailedGetResourceMetric); " +
        "бюджет нарушений lms-disruption-budget-c42 запрещает любое вытеснение подов (NoDisruptionsAllowed)",
      ["HorizontalPodAutoscaler/FailedGetResourceMetric", "PodDisruptionBudget/NoDisruptionsAllowed"],
    ],
    [
      "both healthy, at the autoscaler's limit",
      { autoscaler: autoscaler("at-max-replicas"), disruptionBudget: disruptionBudget("two-replicas") },
      "Ready",
      "Готова: 2/2 подов",
      [],
    ],
    [
      "suspended: ScalingDisabled and a budget without pods are no warnings",
      { deployment: deployment("scaled-to-zero"), pods: [], autoscaler: autoscaler("scaling-disabled"), disruptionBudget: disruptionBudget("no-pods") },
      "Ready",
      "Готова: развёртывание остановлено (0 реплик)",
      [],
    ],
    [
      "not Ready: the summary keeps to the why, the warning stays in `warnings`",
      {
        deployment: deployment("rolling"),
        pods: [pod("container-creating")],
        autoscaler: autoscaler("no-metrics-api"),
        disruptionBudget: disruptionBudget("pods-unhealthy"),
      },
      "Progressing",
      "Развёртывается: развёртывание lms-deployment-c42 обновляется (ReplicasUnavailable)",
      ["HorizontalPodAutoscaler/FailedGetResourceMetric"],
    ],
    [
      "an autoscaler that cannot reach its Deployment is Degraded",
      { autoscaler: autoscaler("failed-get-scale") },
      "Degraded",
      "Нарушена: автомасштабирование lms-autoscaler-c42 не может управлять развёртыванием (FailedGetScale)",
      [],
    ],
    [
      "an autoscaler not synced yet holds Ready back",
      { autoscaler: autoscaler("not-observed"), disruptionBudget: disruptionBudget("two-replicas") },
      "Progressing",
      "Развёртывается: автомасштабирование lms-autoscaler-c42: контроллер ещё не обработал изменения",
      [],
    ],
    [
      "a budget not synced yet holds Ready back",
      { autoscaler: autoscaler("healthy"), disruptionBudget: disruptionBudget("not-observed") },
      "Progressing",
      "Развёртывается: бюджет нарушений lms-disruption-budget-c42: контроллер ещё не обработал изменения",
      [],
    ],
    [
      "no Deployment: its FailedGetScale autoscaler is no second reason",
      { deployment: null, deploymentName: "lms-deployment-c42", autoscaler: autoscaler("failed-get-scale"), disruptionBudget: disruptionBudget("no-pods") },
      "Pending",
      "Ожидание: развёртывание lms-deployment-c42 ещё не создано",
      [],
    ],
  ];

  it.each(table)("%s", (_name, extra, phase, summary, warnings) => {
    const result = assessEnvironment({ ...base(), ...extra });
    expect(result.phase).toBe(phase);
    expect(result.summary).toBe(summary);
    expect(result.warnings.map((w) => `${w.kind}/${w.reason}`)).toEqual(warnings);
    expect(result.warnings.every((w) => w.phase === "Ready" && w.warning === true)).toBe(true);
  });

  it("keeps one reason per object: a warning is the object's reason, listed again in `warnings`", () => {
    const result = assessEnvironment({ ...base(), autoscaler: autoscaler("no-metrics-api"), disruptionBudget: disruptionBudget("two-replicas") });
    expect(result.reasons.map((r) => `${r.kind}:${r.phase}`)).toEqual([
      "Job:Ready",
      "Job:Ready",
      "Deployment:Ready",
      "HorizontalPodAutoscaler:Ready",
      "PodDisruptionBudget:Ready",
      "Pod:Ready",
    ]);
    expect(result.warnings).toEqual([
      {
        kind: "HorizontalPodAutoscaler",
        name: "lms-autoscaler-c42",
        phase: "Ready",
        reason: "FailedGetResourceMetric",
        message: NO_METRICS_API_MESSAGE,
        since: "2026-03-10T09:16:30Z",
        warning: true,
      },
    ]);
    expect(result.warnings[0]).toBe(result.reasons[3]);
  });

  it("has an empty `warnings` and no autoscaler or budget reason for an environment without them", () => {
    const result = assessEnvironment(base());
    expect(result).toEqual({ phase: "Ready", reasons: expect.any(Array), warnings: [], summary: "Готова: 2/2 подов" });
    expect(result.reasons.map((r) => r.kind)).toEqual(["Job", "Job", "Deployment", "Pod"]);
    expect(assessEnvironment({ ...base(), autoscaler: null, disruptionBudget: null })).toEqual(result);
  });

  it("describes a warning the way the summary does", () => {
    const [warning] = assessEnvironment({ ...base(), autoscaler: autoscaler("no-metrics-api") }).warnings;
    expect(describeReason(warning!)).toBe("автомасштабирование lms-autoscaler-c42 не работает (FailedGetResourceMetric)");
  });
});
