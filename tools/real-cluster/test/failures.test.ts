/**
 * Failures as the real control plane produces them, each in a namespace and for a customer of its own, run side by
 * side (the failing Jobs' back-off alone takes about 70 s):
 *
 * - Job pods that exit 1 (kwok's stage for namespaces labelled sreda.io/test-job-outcome=fail): the Job steps fail
 *   with the Job controller's BackoffLimitExceeded, the Deployment is skipped, `pods/log` answers 404 (kwok serves no
 *   kubelet) and the step says the logs are unavailable; the watcher and the pure assessment agree, without a
 *   DeploymentNotFound of an empty name.
 * - Job pods that no node accepts (a template override adds a node selector): the Job steps fail with the scheduler's
 *   own message instead of waiting for the Job's timeout.
 * - Deployment pods that no node accepts: the watcher fails fast with the scheduler's message.
 *
 * The unschedulable threshold (3 min by default) cannot be set through `applyPlan` or `followEnvironment`: the
 * tests hand them a clock that runs three minutes ahead, so the real pods are judged as if that time had passed. One
 * test shows that with the system clock nothing fails before the threshold.
 */
import {
  applyPlan,
  assessEnvironment,
  createProvisioningPlan,
  DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS,
  followEnvironment,
  getTemplate,
  systemClock,
  type ApplyEvent,
  type Deployment,
  type EnvironmentAssessment,
  type Job,
  type Pod,
  type ProvisioningPlan,
  type RequestTemplate,
} from "@sreda/sdk";
import { afterAll, describe, it } from "vitest";
import { FAIL_JOBS_LABEL, kubeCall } from "../src/index.js";
import {
  admin,
  clockAhead,
  createNamespace,
  deleteNamespace,
  getOrUndefined,
  provisioningInput,
  recordedClient,
  useRealCluster,
  type Obj,
} from "./support/cluster.js";

const cluster = useRealCluster("failures.test.ts");
const NAMESPACES = {
  failing: "rc-failing-jobs",
  unschedulableJobs: "rc-unschedulable-jobs",
  unschedulablePods: "rc-unschedulable-pods",
  threshold: "rc-unschedulable-wait",
};
afterAll(() => Promise.all(Object.values(NAMESPACES).map((ns) => deleteNamespace(cluster.state, ns))));

/** What kube-scheduler says when no node matches (the only node lacks the label). */
const SCHEDULER_MESSAGE = /0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/;
const LOGS_UNAVAILABLE = /^\(журналы контейнера недоступны: кластер ответил 404 NotFound на pods\/log; /;
const NO_SUCH_NODE = { "sreda.io/test-no-such-node": "true" };

const jobNames = (plan: ProvisioningPlan) => plan.steps.filter((s) => s.kind === "Job").map((s) => s.name);
const deploymentName = (plan: ProvisioningPlan) => plan.steps.find((s) => s.kind === "Deployment")!.name;

/** A shipped template with its pod spec changed. */
function overridePodSpec(id: string, change: (podSpec: Obj) => void): RequestTemplate {
  const shipped = getTemplate(id)!;
  const body = JSON.parse(shipped.body!) as Obj;
  change(body["spec"].template.spec);
  return { ...shipped, body: JSON.stringify(body, null, 2) };
}

/** The environment's objects as the bridge's status call reads them, for the pure assessment. */
async function snapshotOf(kubeTarget: ReturnType<typeof admin>, namespace: string, plan: ProvisioningPlan) {
  const jobs = (await Promise.all(jobNames(plan).map((name) => getOrUndefined<Job>(kubeTarget, `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`)))).filter(
    (j): j is Job => !!j,
  );
  const deployment = (await getOrUndefined<Deployment>(kubeTarget, `/apis/apps/v1/namespaces/${namespace}/deployments/${deploymentName(plan)}`)) ?? null;
  const pods = (
    await kubeCall<{ items: Pod[] }>(
      kubeTarget,
      "GET",
      `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`sreda.io/client-id=${plan.clientId}`)}`,
    )
  ).items;
  return { jobs, deployment, pods, now: Date.now() };
}

const emptyDeploymentNotFound = (a: EnvironmentAssessment) => a.reasons.filter((r) => r.reason === "DeploymentNotFound" && r.name === "");

describe.concurrent("failures on the real control plane", () => {
  it("fails Jobs whose pods exit 1 with BackoffLimitExceeded, says their logs are unavailable (pods/log 404), skips the Deployment", async (ctx) => {
    const { expect } = ctx;
    const s = cluster.get(ctx);
    const ns = NAMESPACES.failing;
    await createNamespace(s, ns, { [FAIL_JOBS_LABEL.key]: FAIL_JOBS_LABEL.value });
    const plan = createProvisioningPlan(provisioningInput(s, "C201", ns));
    const { kube, recorder } = recordedClient(s);
    const t0 = performance.now();
    const result = await applyPlan(plan, kube, { jobPollIntervalMs: 1000 });
    const seconds = (performance.now() - t0) / 1000;
    expect(result.status).toBe("failed");
    for (const name of jobNames(plan)) {
      const step = result.steps.find((x) => x.name === name)!;
      expect(step, name).toMatchObject({ outcome: "failed", reason: "BackoffLimitExceeded" });
      expect(step.message).toContain(`Job ${name} завершился с ошибкой: BackoffLimitExceeded — Job has reached the specified backoff limit`);
      expect(step.logs, name).toEqual([expect.stringMatching(LOGS_UNAVAILABLE)]);
    }
    expect(result.steps.find((x) => x.kind === "Deployment")).toMatchObject({ outcome: "skipped" });
    expect(result.steps.filter((x) => x.kind !== "Job" && x.kind !== "Deployment").every((x) => x.outcome === "created")).toBe(true);
    // What the API server answered: 404 to pods/log of the last failed pod of each Job.
    const logReads = recorder.log.filter((r) => r.path.endsWith("/log"));
    expect(logReads.map((r) => r.status)).toEqual([404, 404]);
    // The real Job controller: 4 pods (backoffLimit 3), each exit code 1, reason Error.
    const job = await kubeCall<Obj>(admin(s), "GET", `/apis/batch/v1/namespaces/${ns}/jobs/${jobNames(plan)[0]}`);
    expect(job["status"].failed).toBe(4);
    expect(
      (job["status"].conditions as Obj[])
        .filter((c) => c["status"] === "True")
        .map((c) => `${c["type"]}/${c["reason"]}`)
        .sort(),
    ).toEqual(["Failed/BackoffLimitExceeded", "FailureTarget/BackoffLimitExceeded"]);
    expect(await getOrUndefined(admin(s), `/apis/apps/v1/namespaces/${ns}/deployments/${deploymentName(plan)}`)).toBeUndefined();

    // The watcher: Failed at once, the Job's reason first, its logs said to be unavailable, no nameless DeploymentNotFound.
    const followed = await followEnvironment(kube, { environment: plan.environment, clock: systemClock, timeoutMs: 60_000 });
    expect(followed.phase).toBe("Failed");
    expect(followed.reasons[0]).toMatchObject({ kind: "Job", reason: "BackoffLimitExceeded", phase: "Failed" });
    expect(followed.reasons[0]!.logs).toEqual([expect.stringMatching(LOGS_UNAVAILABLE)]);
    expect(followed.summary).toMatch(/^Ошибка: задание (postgres|clickhouse)-setup-c201 завершилось с ошибкой \(BackoffLimitExceeded\)$/);
    expect(followed.reasons.filter((r) => r.reason === "DeploymentNotFound")).toEqual([]);

    // The pure assessment of what the server holds, with and without the Deployment's name: no empty-name reason.
    for (const named of [true, false]) {
      const snapshot = await snapshotOf(admin(s), ns, plan);
      const assessment = assessEnvironment({ ...snapshot, ...(named ? { deploymentName: deploymentName(plan) } : {}) });
      expect(assessment.phase).toBe("Failed");
      expect(emptyDeploymentNotFound(assessment)).toEqual([]);
      expect(assessment.reasons.filter((r) => r.phase === "Failed").map((r) => `${r.kind}/${r.reason}`)).toEqual([
        "Job/BackoffLimitExceeded",
        "Job/BackoffLimitExceeded",
      ]);
    }
    console.log(`failing Jobs: step failed after ${seconds.toFixed(1)} s; ${followed.summary}; logs: ${followed.reasons[0]!.logs?.[0]}`);
    recorder.close();
  });

  it("fails Jobs whose pods no node accepts with the scheduler's message, without waiting for the Job's timeout", async (ctx) => {
    const { expect } = ctx;
    const s = cluster.get(ctx);
    const ns = NAMESPACES.unschedulableJobs;
    await createNamespace(s, ns);
    const plan = createProvisioningPlan(
      provisioningInput(s, "C202", ns, (input) => {
        input.templates = ["postgres-setup-job", "clickhouse-setup-job"].map((id) => overridePodSpec(id, (spec) => (spec["nodeSelector"] = NO_SUCH_NODE)));
      }),
    );
    const { kube, recorder } = recordedClient(s);
    const events: ApplyEvent[] = [];
    const t0 = performance.now();
    const result = await applyPlan(plan, kube, {
      jobPollIntervalMs: 500,
      clock: clockAhead(DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS),
      onEvent: (e) => events.push(e),
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(result.status).toBe("failed");
    for (const name of jobNames(plan)) {
      const step = result.steps.find((x) => x.name === name)!;
      expect(step, name).toMatchObject({ outcome: "failed", reason: "Unschedulable" });
      expect(step.message).toMatch(new RegExp(`^Job ${name}: под ${name}-[a-z0-9]{5} не запускается — `));
      expect(step.message).toMatch(SCHEDULER_MESSAGE);
    }
    expect(result.steps.find((x) => x.kind === "Deployment")).toMatchObject({ outcome: "skipped" });
    expect(seconds).toBeLessThan(30);
    // The pods really are Pending with the scheduler's condition.
    const pods = (await kubeCall<{ items: Obj[] }>(admin(s), "GET", `/api/v1/namespaces/${ns}/pods`)).items;
    expect(pods.length).toBeGreaterThanOrEqual(2);
    for (const pod of pods) {
      expect(pod["status"].phase).toBe("Pending");
      const scheduled = (pod["status"].conditions as Obj[]).find((c) => c["type"] === "PodScheduled")!;
      expect(scheduled).toMatchObject({ status: "False", reason: "Unschedulable" });
      expect(scheduled["message"]).toMatch(SCHEDULER_MESSAGE);
    }
    console.log(`unschedulable Job pods: failed after ${seconds.toFixed(1)} s: ${result.steps.find((x) => x.kind === "Job")!.message}`);
    recorder.close();
  });

  it("keeps waiting (Pending, no failure) while an unschedulable Job pod is younger than the threshold", async (ctx) => {
    const { expect } = ctx;
    const s = cluster.get(ctx);
    const ns = NAMESPACES.threshold;
    await createNamespace(s, ns);
    const plan = createProvisioningPlan(
      provisioningInput(s, "C204", ns, (input) => {
        input.templates = [overridePodSpec("postgres-setup-job", (spec) => (spec["nodeSelector"] = NO_SUCH_NODE))];
      }),
    );
    const { kube, recorder } = recordedClient(s);
    const events: ApplyEvent[] = [];
    const controller = new AbortController();
    const run = applyPlan(plan, kube, { jobPollIntervalMs: 500, signal: controller.signal, onEvent: (e) => events.push(e) });
    // Until the scheduler has said Unschedulable and the executor has looked at the pod a few times.
    const admin_ = admin(s);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pods = (
        await kubeCall<{ items: Obj[] }>(
          admin_,
          "GET",
          `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${jobNames(plan).find((n) => n.startsWith("postgres"))}`)}`,
        )
      ).items;
      const unschedulable = pods.some((p) => (p["status"].conditions ?? []).some((c: Obj) => c["type"] === "PodScheduled" && c["reason"] === "Unschedulable"));
      if (unschedulable || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 3_000));
    controller.abort(new Error("enough"));
    const result = await run;
    expect(result.status).toBe("cancelled");
    expect(events.filter((e) => e.type === "step-failed")).toEqual([]);
    expect(events.some((e) => e.type === "step-waiting" && e.stepId === "postgres-setup-job")).toBe(true);
    // The pure rule on the same pod with the system clock: Pending, Unschedulable, the scheduler's message.
    const snapshot = await snapshotOf(admin_, ns, plan);
    const assessment = assessEnvironment({ ...snapshot, deploymentName: deploymentName(plan) });
    const pod = assessment.reasons.find((r) => r.kind === "Pod" && r.reason === "Unschedulable");
    expect(pod).toMatchObject({ phase: "Pending" });
    expect(pod!.message).toMatch(SCHEDULER_MESSAGE);
    expect(assessment.phase).not.toBe("Failed");
    recorder.close();
  });

  it("fails fast in the watcher when the Deployment's pods cannot be scheduled, with the scheduler's message", async (ctx) => {
    const { expect } = ctx;
    const s = cluster.get(ctx);
    const ns = NAMESPACES.unschedulablePods;
    await createNamespace(s, ns);
    const plan = createProvisioningPlan(
      provisioningInput(s, "C203", ns, (input) => {
        input.templates = [
          overridePodSpec("lms-deployment", (spec) => {
            spec["affinity"].nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values = ["nowhere"];
          }),
        ];
      }),
    );
    const { kube, recorder } = recordedClient(s);
    const result = await applyPlan(plan, kube, { jobPollIntervalMs: 250 });
    expect(result.status).toBe("succeeded");
    const assessments: EnvironmentAssessment[] = [];
    const t0 = performance.now();
    const followed = await followEnvironment(kube, {
      environment: plan.environment,
      clock: clockAhead(DEFAULT_UNSCHEDULABLE_FAILURE_THRESHOLD_MS),
      pollIntervalMs: 500,
      timeoutMs: 60_000,
      onAssessment: (a) => assessments.push(a),
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(followed.phase).toBe("Failed");
    expect(followed.reasons[0]).toMatchObject({ kind: "Pod", reason: "Unschedulable", phase: "Failed" });
    expect(followed.reasons[0]!.message).toMatch(SCHEDULER_MESSAGE);
    expect(followed.reasons[0]!.message).toMatch(/\(unschedulable for \d+ s\)$/);
    expect(followed.summary).toMatch(/^Ошибка: под lms-deployment-c203-[a-z0-9]+-[a-z0-9]{5} не запускается \(Unschedulable\)$/);
    expect(seconds).toBeLessThan(30);
    expect(emptyDeploymentNotFound(followed)).toEqual([]);
    console.log(`unschedulable Deployment pods: watcher Failed after ${seconds.toFixed(1)} s: ${followed.summary}: ${followed.reasons[0]!.message}`);
    recorder.close();
  });
});
