import { describe, expect, it } from "vitest";
import type { Job } from "../../src/core/kube-objects.js";
import { assessJob, type EnvironmentPhase, type JobContext } from "../../src/core/status/index.js";
import { job, pod } from "./fixture.js";

const PSQL_LOGS = [
  'psql: error: connection to server at "postgres.lms-dev.svc.cluster.local" (10.43.18.7), port 5432 failed: FATAL:  password authentication failed for user "postgres"',
];
const failedAttempt: JobContext = { pods: [pod("job-attempt-failed")], logs: { "postgres-setup-c42-w8d3m/postgres-client": PSQL_LOGS } };

// One line per fixture: scenario, context, phase, reason.
const table: [string, JobContext, EnvironmentPhase, string][] = [
  ["complete", {}, "Ready", "Complete"],
  ["running", {}, "Progressing", "JobRunning"],
  ["not-started", {}, "Pending", "JobNotStarted"],
  ["failed-backofflimit", failedAttempt, "Failed", "BackoffLimitExceeded"],
  ["failed-deadline", {}, "Failed", "DeadlineExceeded"],
  ["failuretarget", {}, "Failed", "DeadlineExceeded"],
];

describe("assessJob", () => {
  it.each(table)("job-%s", (scenario, context, phase, reason) => {
    const result = assessJob(job(scenario), context);
    expect(result).toMatchObject({ kind: "Job", name: "postgres-setup-c42", phase, reason });
  });

  it("reports a Failed job with the failed attempt: pod, container, exit code and its last log lines", () => {
    expect(assessJob(job("failed-backofflimit"), failedAttempt)).toEqual({
      kind: "Job",
      name: "postgres-setup-c42",
      phase: "Failed",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit; pod postgres-setup-c42-w8d3m container postgres-client exited with code 2 (Error)",
      container: "postgres-client",
      logs: PSQL_LOGS,
      since: "2026-03-10T09:14:11Z",
    });
  });

  it("finds the failed attempt's logs by the generated pod name when the pods were not listed", () => {
    const result = assessJob(job("failed-backofflimit"), { logs: { "lms-x/lms": ["other"], "postgres-setup-c42-w8d3m/postgres-client": PSQL_LOGS } });
    expect(result).toMatchObject({ phase: "Failed", container: "postgres-client", logs: PSQL_LOGS });
  });

  it("reports FailureTarget before the Failed condition exists (pods still terminating)", () => {
    const target = job("failuretarget");
    expect(target.status?.conditions?.map((c) => c.type)).toEqual(["FailureTarget"]);
    expect(assessJob(target)).toMatchObject({ phase: "Failed", message: "Job was active longer than specified deadline", since: "2026-03-10T09:27:05Z" });
  });

  it("reports SuccessCriteriaMet as done before Complete exists (1.31+: pods still terminating), as the executor waits", () => {
    const met = variant("running", (j) => {
      j.status!.succeeded = 1;
      j.status!.conditions = [{ type: "SuccessCriteriaMet", status: "True", lastTransitionTime: "2026-03-10T09:12:30Z" }];
    });
    expect(assessJob(met)).toMatchObject({ phase: "Ready", reason: "SuccessCriteriaMet", since: "2026-03-10T09:12:30Z" });
  });

  it("ignores FailureTarget and Failed conditions that are not True", () => {
    const notYet = variant("running", (j) => {
      j.status!.conditions = [{ type: "FailureTarget", status: "False", lastTransitionTime: "2026-03-10T09:12:30Z" }];
    });
    expect(assessJob(notYet).phase).toBe("Progressing");
  });

  it("checks deletion first: a Complete job being deleted is Terminating", () => {
    const deleting = variant("complete", (j) => {
      j.metadata!.deletionTimestamp = "2026-03-10T10:00:00Z";
    });
    expect(assessJob(deleting)).toMatchObject({ phase: "Progressing", reason: "Terminating", since: "2026-03-10T10:00:00Z" });
  });

  it("reports a suspended job as Pending", () => {
    const suspended = variant("not-started", (j) => {
      j.spec!.suspend = true;
    });
    expect(assessJob(suspended)).toMatchObject({ phase: "Pending", reason: "Suspended" });
  });
});

function variant(scenario: string, mutate: (j: Job) => void): Job {
  const j = job(scenario);
  mutate(j);
  return j;
}
