import { describe, expect, it } from "vitest";
import type { Job } from "../../src/core/kube-objects.js";
import { assessEnvironment, type EnvironmentPhase, type EnvironmentSnapshot } from "../../src/core/status/index.js";
import { at, deployment, events, job, pod } from "./fixture.js";

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
