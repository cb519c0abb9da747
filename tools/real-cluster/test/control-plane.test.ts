/**
 * Smoke test of the real control plane: it starts (a fresh state folder in the temp directory, free ports, so a
 * developer's own cluster is left alone), answers as Kubernetes v1.35.4, schedules pods onto the kwok node, fails
 * Jobs in a namespace labelled for it, enforces edit/view RBAC, lets the SDK provision C42 with the sreda-edit
 * token, and stops.
 *
 * Without the binaries it is skipped with the reason (`npm run real-cluster:build`) — unless CI is set, where it
 * fails: CI builds them first (.ci/run).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { applyPlan, createKubeClient, createProvisioningPlan, preflight } from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import {
  buildStatus,
  clusterTarget,
  FAIL_JOBS_LABEL,
  KubeApiError,
  kubeCall,
  realClusterStatus,
  startRealCluster,
  stopRealCluster,
  type KubeTarget,
  type RealClusterState,
} from "../src/index.js";

let state: RealClusterState | undefined;
let stateDir: string | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  const build = buildStatus();
  if (!build.built) {
    const reason = build.reason ?? "the real control plane is not built: npm run real-cluster:build";
    if (process.env["CI"] === "true") throw new Error(`${reason} (under CI=true this is a failure: .ci/run builds it before the tests)`);
    skipReason = reason;
    console.warn(`control-plane.test.ts: skipped: ${reason}`);
    return;
  }
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "sreda-real-cluster-test-"));
  state = await startRealCluster({ stateDir, ports: "free", log: (line) => console.log(line) });
}, 180_000);

afterAll(async () => {
  if (stateDir) await stopRealCluster({ stateDir, wipe: true });
  if (stateDir) fs.rmSync(`${stateDir}.lock`, { force: true });
}, 120_000);

function cluster(ctx: TestContext): RealClusterState {
  if (!state) ctx.skip(skipReason ?? "the real control plane did not start");
  return state!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `fn` returns a value (not undefined), or fails with what it saw last. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

type Obj = Record<string, any>;

const condition = (obj: Obj | undefined, type: string) => (obj?.["status"]?.conditions ?? []).find((c: Obj) => c["type"] === type);

function job(name: string, namespace: string): Obj {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox:1.37", command: ["true"] }] } },
    },
  };
}

/** The terminal condition of a Job (Complete or Failed) and its pods' exit codes. */
async function jobOutcome(admin: KubeTarget, namespace: string, name: string): Promise<{ condition: string; exitCodes: number[] }> {
  const finished = await until(`Job ${namespace}/${name} to finish`, async () => {
    const current = await kubeCall<Obj>(admin, "GET", `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`);
    return ["Complete", "Failed"].find((type) => condition(current, type)?.status === "True");
  });
  const pods = await kubeCall<Obj>(
    admin,
    "GET",
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${name}`)}`,
  );
  const exitCodes = (pods["items"] as Obj[]).flatMap((pod) => (pod["status"]?.containerStatuses ?? []).map((s: Obj) => s["state"]?.terminated?.exitCode));
  return { condition: finished, exitCodes };
}

describe("the real control plane", () => {
  it("answers /version as Kubernetes v1.35.4 and /readyz as ok", async (ctx) => {
    const s = cluster(ctx);
    const version = await kubeCall<Obj>(clusterTarget(s), "GET", "/version");
    expect(version["gitVersion"]).toBe("v1.35.4");
    expect(version["gitVersion"]).toBe(s.versions.kubernetes);
    expect(`${version["major"]}.${version["minor"]}`).toBe("1.35");
    expect((await realClusterStatus({ stateDir: s.stateDir })).running).toBe(true);
    expect(s.processes.map((p) => p.name)).toEqual(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]);
  });

  it("has the kwok node Ready, untainted, labelled rarus=lms", async (ctx) => {
    const s = cluster(ctx);
    const node = await kubeCall<Obj>(clusterTarget(s), "GET", `/api/v1/nodes/${s.node}`);
    expect(node["metadata"].labels.rarus).toBe("lms");
    expect(condition(node, "Ready")?.status).toBe("True");
    expect(node["spec"].taints ?? []).toEqual([]);
  });

  it("schedules a pod in lms-dev onto the node and kwok makes it Ready", async (ctx) => {
    const s = cluster(ctx);
    const admin = clusterTarget(s);
    await kubeCall(admin, "POST", "/api/v1/namespaces/lms-dev/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "smoke" },
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "rarus", operator: "In", values: ["lms"] }] }] },
          },
        },
        containers: [{ name: "main", image: "nginx:1.29" }],
      },
    });
    const pod = await until("the pod to be Ready", async () => {
      const current = await kubeCall<Obj>(admin, "GET", "/api/v1/namespaces/lms-dev/pods/smoke");
      return condition(current, "Ready")?.status === "True" ? current : undefined;
    });
    expect(pod["spec"].nodeName).toBe(s.node);
    expect(pod["status"].phase).toBe("Running");
    await kubeCall(admin, "DELETE", "/api/v1/namespaces/lms-dev/pods/smoke");
  });

  it("completes Jobs, and fails them (exit code 1) in a namespace labelled sreda.io/test-job-outcome=fail", async (ctx) => {
    const s = cluster(ctx);
    const admin = clusterTarget(s);
    const failing = "smoke-failing-jobs";
    await kubeCall(admin, "POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: failing, labels: { [s.failJobsLabel.key]: s.failJobsLabel.value } },
    });
    expect(s.failJobsLabel).toEqual(FAIL_JOBS_LABEL);
    // Pods wait for the namespace's default ServiceAccount (the controller manager creates it).
    await until("the default ServiceAccount", () => kubeCall(admin, "GET", `/api/v1/namespaces/${failing}/serviceaccounts/default`).catch(() => undefined));
    await kubeCall(admin, "POST", "/apis/batch/v1/namespaces/lms-dev/jobs", job("smoke-ok", "lms-dev"));
    await kubeCall(admin, "POST", `/apis/batch/v1/namespaces/${failing}/jobs`, job("smoke-fail", failing));

    const [ok, failed] = await Promise.all([jobOutcome(admin, "lms-dev", "smoke-ok"), jobOutcome(admin, failing, "smoke-fail")]);
    expect(ok).toEqual({ condition: "Complete", exitCodes: [0] });
    expect(failed).toEqual({ condition: "Failed", exitCodes: [1] });
    const failedJob = await kubeCall<Obj>(admin, "GET", `/apis/batch/v1/namespaces/${failing}/jobs/smoke-fail`);
    expect(condition(failedJob, "Failed")?.reason).toBe("BackoffLimitExceeded");

    await kubeCall(admin, "DELETE", "/apis/batch/v1/namespaces/lms-dev/jobs/smoke-ok?propagationPolicy=Background");
    await kubeCall(admin, "DELETE", `/api/v1/namespaces/${failing}`);
  });

  it("lets sreda-edit create a Secret in lms-dev and refuses sreda-view", async (ctx) => {
    const s = cluster(ctx);
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "smoke-rbac" }, stringData: { key: "value" } };
    const refused = await kubeCall(clusterTarget(s, "sredaView"), "POST", "/api/v1/namespaces/lms-dev/secrets", secret).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).status).toBe(403);
    const created = await kubeCall<Obj>(clusterTarget(s, "sredaEdit"), "POST", "/api/v1/namespaces/lms-dev/secrets", secret);
    expect(created["metadata"].name).toBe("smoke-rbac");
    await kubeCall(clusterTarget(s, "sredaEdit"), "DELETE", "/api/v1/namespaces/lms-dev/secrets/smoke-rbac");
    // The Secrets the templates expect are seeded in both namespaces; view may not read Secrets at all.
    for (const [name, type] of [
      ["repository-token", "kubernetes.io/dockerconfigjson"],
      ["tls", "kubernetes.io/tls"],
    ] as const) {
      expect((await kubeCall<Obj>(clusterTarget(s, "sredaEdit"), "GET", `/api/v1/namespaces/lms-prod/secrets/${name}`))["type"]).toBe(type);
      const hidden = await kubeCall(clusterTarget(s, "sredaView"), "GET", `/api/v1/namespaces/lms-prod/secrets/${name}`).catch((error: unknown) => error);
      expect((hidden as KubeApiError).status).toBe(403);
    }
  });

  it("passes the SDK's preflight for C42 with sreda-edit, not with sreda-view, and provisions C42 until the Deployment is available", async (ctx) => {
    const s = cluster(ctx);
    const ca = fs.readFileSync(s.caFile, "utf8");
    const input = structuredClone(example);
    input.environment.apiRootUrl = s.apiserverUrl;
    const plan = createProvisioningPlan(input);
    const edit = createKubeClient({ apiRootUrl: s.apiserverUrl, token: s.tokens.sredaEdit, caCert: ca });
    const view = createKubeClient({ apiRootUrl: s.apiserverUrl, token: s.tokens.sredaView, caCert: ca });

    expect(await preflight(plan, edit)).toEqual([]);
    const viewProblems = await preflight(plan, view);
    expect(viewProblems.length).toBeGreaterThan(0);
    expect(new Set(viewProblems.map((p) => p.code))).toEqual(new Set(["Forbidden"]));

    const result = await applyPlan(plan, edit, { jobPollIntervalMs: 250 });
    expect(result.steps.filter((step) => step.outcome === "failed")).toEqual([]);
    expect(result.status).toBe("succeeded");

    const admin = clusterTarget(s);
    const deployment = plan.steps.find((step) => step.kind === "Deployment")!;
    await until("the Deployment to be available", async () => {
      const current = await kubeCall<Obj>(admin, "GET", `/apis/apps/v1/namespaces/lms-dev/deployments/${deployment.name}`);
      return (current["status"]?.availableReplicas ?? 0) >= 1 ? current : undefined;
    });
  });

  it("stops every process by PID, and a second stop does nothing", async (ctx) => {
    const s = cluster(ctx);
    const first = await stopRealCluster({ stateDir: s.stateDir });
    expect(first.stopped.map((p) => p.result).sort()).toEqual(["stopped", "stopped", "stopped", "stopped", "stopped"]);
    const status = await realClusterStatus({ stateDir: s.stateDir });
    expect(status.running).toBe(false);
    const second = await stopRealCluster({ stateDir: s.stateDir });
    expect(second.stopped.every((p) => p.result === "not running")).toBe(true);
  });
});
