import { afterEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster, type FakeClusterOptions } from "../../src/testing/index.js";
import { call, eventually, fixture, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
afterEach(() => cluster.close());

async function startJob(options: FakeClusterOptions = {}, edit: (job: Json) => void = () => undefined): Promise<void> {
  cluster = createFakeCluster(options);
  await call(cluster, "POST", paths.secrets(), fixture("secret-db-setup-c42"));
  const job = fixture("job-postgres-setup-c42");
  edit(job);
  expect((await call(cluster, "POST", paths.jobs(), job)).status).toBe(201);
}

const getJob = async (): Promise<Json> => (await call(cluster, "GET", `${paths.jobs()}/postgres-setup-c42`)).body;
const finished = (type: string) => async (): Promise<Json | undefined> => {
  const job = await getJob();
  return job.status?.conditions?.some((c: Json) => c.type === type && c.status === "True") ? job : undefined;
};
const jobPods = async (): Promise<Json[]> =>
  (await call(cluster, "GET", paths.pods(), undefined, { query: { labelSelector: "job-name=postgres-setup-c42" } })).body.items;
const eventsOf = async (name: string): Promise<Json[]> =>
  (await call(cluster, "GET", paths.events(), undefined, { query: { fieldSelector: `involvedObject.name=${name}` } })).body.items;

describe("Job controller", () => {
  it("runs a pod to completion and reports the Job as 1.35 does", async () => {
    await startJob();
    const job = await eventually(cluster, finished("Complete"));
    expect(job.status).toEqual({
      conditions: [
        {
          type: "SuccessCriteriaMet",
          status: "True",
          lastProbeTime: expect.any(String),
          lastTransitionTime: expect.any(String),
          reason: "CompletionsReached",
          message: "Reached expected number of succeeded pods",
        },
        {
          type: "Complete",
          status: "True",
          lastProbeTime: expect.any(String),
          lastTransitionTime: expect.any(String),
          reason: "CompletionsReached",
          message: "Reached expected number of succeeded pods",
        },
      ],
      startTime: "2026-01-01T00:00:00Z",
      completionTime: expect.stringMatching(/^2026-01-01T00:00:0\dZ$/),
      succeeded: 1,
      terminating: 0,
      uncountedTerminatedPods: {},
      ready: 0,
    });
    const pod = (await jobPods())[0]!;
    expect(pod.metadata.name).toMatch(/^postgres-setup-c42-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.metadata.ownerReferences).toEqual([
      { apiVersion: "batch/v1", kind: "Job", name: "postgres-setup-c42", uid: job.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(pod.metadata.finalizers).toBeUndefined();
    expect(pod.status.phase).toBe("Succeeded");
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    const logs = await call(cluster, "GET", `${paths.pods()}/${pod.metadata.name}/log`);
    expect(logs.headers.get("content-type")).toBe("text/plain");
    expect(logs.body).toBe("postgres: role and database C42 are ready\n");
    expect((await eventsOf("postgres-setup-c42")).map((e) => [e.reason, e.message])).toEqual([
      ["SuccessfulCreate", `Created pod: ${pod.metadata.name}`],
      ["Completed", "Job completed"],
    ]);
  });

  it("retries failed pods with back-off until backoffLimit, then fails with BackoffLimitExceeded", async () => {
    await startJob({}, (job) => {
      job.spec.backoffLimit = 2;
      job.spec.template.spec.containers[0].env.push({ name: "FAKE_JOB_FAIL", value: "1" });
    });
    const job = await eventually(cluster, finished("Failed"));
    expect(job.status.failed).toBe(3);
    expect(job.status.active).toBeUndefined();
    expect(job.status.completionTime).toBeUndefined();
    expect(job.status.conditions.map((c: Json) => [c.type, c.reason, c.message])).toEqual([
      ["FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
      ["Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
    ]);
    const pods = await jobPods();
    expect(pods).toHaveLength(3);
    const created = pods.map((p) => Date.parse(p.metadata.creationTimestamp)).sort();
    // Replacement back-off: 10 s after the first failure, 20 s after the second (plus the pod's own run time).
    expect(created[1]! - created[0]!).toBeGreaterThanOrEqual(10_000 + 5_000);
    expect(created[2]! - created[1]!).toBeGreaterThanOrEqual(20_000);
    for (const pod of pods) {
      expect(pod.status.phase).toBe("Failed");
      expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    }
    const logs = await call(cluster, "GET", `${paths.pods()}/${pods[0]!.metadata.name}/log`);
    expect(logs.body).toContain('psql: error: connection to server at "postgres.lms-dev.svc.cluster.local"');
    const reasons = (await eventsOf("postgres-setup-c42")).map((e) => e.reason);
    expect(reasons.filter((r) => r === "SuccessfulCreate")).toHaveLength(3);
    expect(reasons).toContain("BackoffLimitExceeded");
  });

  it("fails a Job that runs longer than activeDeadlineSeconds (DeadlineExceeded)", async () => {
    await startJob({}, (job) => {
      job.spec.activeDeadlineSeconds = 120;
      job.spec.template.spec.containers[0].image = "postgres:missing";
    });
    const job = await eventually(cluster, finished("Failed"));
    expect(job.status.conditions.find((c: Json) => c.type === "Failed")).toMatchObject({
      reason: "DeadlineExceeded",
      message: "Job was active longer than specified deadline",
    });
    expect(Date.parse(job.status.conditions[1].lastTransitionTime) - Date.parse(job.status.startTime)).toBeGreaterThanOrEqual(120_000);
    expect(await jobPods()).toEqual([]);
  });

  it("lets behavior.job decide the outcome", async () => {
    await startJob({ behavior: { job: () => "fail" } }, (job) => {
      job.spec.backoffLimit = 0;
    });
    const job = await eventually(cluster, finished("Failed"));
    expect(job.status.failed).toBe(1);
  });

  it("deletes a finished Job after ttlSecondsAfterFinished", async () => {
    await startJob({}, (job) => {
      job.spec.ttlSecondsAfterFinished = 30;
    });
    await eventually(cluster, finished("Complete"));
    await eventually(cluster, async () => (await call(cluster, "GET", `${paths.jobs()}/postgres-setup-c42`)).status === 404);
    await eventually(cluster, async () => (await jobPods()).length === 0);
  });

  it("orphans its pods on a REST delete without propagationPolicy, deletes them with Background", async () => {
    await startJob();
    await eventually(cluster, finished("Complete"));
    const deleted = await call(cluster, "DELETE", `${paths.jobs()}/postgres-setup-c42`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.metadata.finalizers).toEqual(["orphan"]);
    await cluster.settle();
    expect((await call(cluster, "GET", `${paths.jobs()}/postgres-setup-c42`)).status).toBe(404);
    const orphan = (await jobPods())[0]!;
    expect(orphan.metadata.ownerReferences).toBeUndefined();

    await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    await eventually(cluster, finished("Complete"));
    await call(cluster, "DELETE", `${paths.jobs()}/postgres-setup-c42`, undefined, { query: { propagationPolicy: "Background" } });
    await cluster.settle();
    const left = await jobPods();
    expect(left.map((p) => p.metadata.name)).toEqual([orphan.metadata.name]);
  });
});
