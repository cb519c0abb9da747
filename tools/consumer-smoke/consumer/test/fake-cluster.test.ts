/**
 * A consumer's own test suite, as @sreda/sdk/testing's README shows it: vitest and msw, the SDK's client on the
 * global fetch, msw routing it to the fake cluster. Provisioning C42, riding out faults, and a Job's failure report.
 */
import { readFileSync } from "node:fs";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyPlan, createKubeClient, createProvisioningPlan, followEnvironment, type ProvisioningInputData } from "@sreda/sdk";
import { createFakeCluster, type FakeCluster, type FakeClusterOptions } from "@sreda/sdk/testing";
import { mswHandlers } from "@sreda/sdk/testing/msw";

const input = JSON.parse(readFileSync(new URL("../c42-lms-dev.input.json", import.meta.url), "utf8")) as ProvisioningInputData;
const API_ROOT = input.environment.apiRootUrl;

const server = setupServer();
const clusters: FakeCluster[] = [];
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => clusters.splice(0).forEach((cluster) => cluster.close()));
afterAll(() => server.close());

/** A fake cluster behind msw for one test. */
function fakeCluster(options?: FakeClusterOptions): FakeCluster {
  const cluster = createFakeCluster(options);
  clusters.push(cluster);
  server.resetHandlers(...mswHandlers(cluster, API_ROOT));
  return cluster;
}

// No fetch handed to the client: it uses the global one, which msw intercepts. So the client is told the fake's clock
// (applyPlan and followEnvironment then wait on it too): Retry-After waits and Job polls run on virtual time.
const kubeClient = (cluster: FakeCluster) => createKubeClient({ apiRootUrl: API_ROOT, token: "sreda-dev-token", clock: cluster.clock });

describe("C42 against the fake cluster through msw", () => {
  it("provisions the environment until it is Ready", async () => {
    const cluster = fakeCluster();
    const kube = kubeClient(cluster);
    const plan = createProvisioningPlan(input);
    const result = await applyPlan(plan, kube);
    expect(result.status).toBe("succeeded");
    expect(result.steps.map((s) => s.outcome)).toEqual(plan.steps.map(() => "created"));
    const assessment = await followEnvironment(kube, { environment: plan });
    expect(assessment.phase).toBe("Ready");
    expect(cluster.getObject("Deployment", "lms-dev", "lms-deployment-c42")).toBeDefined();
  });

  it("rides out a 429 with Retry-After and a dropped connection", async () => {
    const cluster = fakeCluster();
    cluster.addFault({ match: { method: "PATCH", path: /configmaps\// }, times: 1, action: { type: "status", code: 429, retryAfterSeconds: 3 } });
    cluster.addFault({ match: { method: "PATCH", path: /services\// }, times: 1, action: { type: "drop" } });
    const result = await applyPlan(createProvisioningPlan(input), kubeClient(cluster));
    expect(result.status).toBe("succeeded");
    expect(result.steps.find((s) => s.kind === "ConfigMap")?.attempts).toBe(2);
    expect(result.steps.find((s) => s.kind === "Service")?.attempts).toBe(2);
    // 0: the dropped answer.
    expect(cluster.requestLog.map((r) => r.status)).toEqual(expect.arrayContaining([429, 0]));
  });

  it("reports a failed Job with its reason and log lines, and skips what depends on it", async () => {
    const cluster = fakeCluster({ behavior: { job: () => "fail" } });
    const result = await applyPlan(createProvisioningPlan(input), kubeClient(cluster));
    expect(result.status).toBe("failed");
    const job = result.steps.find((s) => s.id === "postgres-setup-job");
    expect(job).toMatchObject({ outcome: "failed", reason: "BackoffLimitExceeded" });
    expect(job?.logs?.join("\n")).toMatch(/psql: error/);
    expect(result.steps.find((s) => s.kind === "Deployment")?.outcome).toBe("skipped");
  });
});
