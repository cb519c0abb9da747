/**
 * End to end through msw: the client uses the global fetch (no injected transport), msw routes it to the fake
 * cluster, exactly as a user's test would. The request log pins the exact request count of a clean provisioning.
 */
import { setupServer } from "msw/node";
import { mswHandlers } from "../../src/testing/msw.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan } from "../../src/core/plan.js";
import { applyPlan } from "../../src/kube/apply.js";
import { createKubeClient } from "../../src/kube/client.js";
import { followEnvironment } from "../../src/kube/follow-environment.js";
import { createFakeCluster } from "../../src/testing/index.js";

const API_ROOT = "https://rancher.example/k8s/clusters/c-m4hlh/";
const cluster = createFakeCluster({ seed: 7 });
const server = setupServer(...mswHandlers(cluster, API_ROOT));

beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterAll(() => {
  server.close();
  cluster.close();
});

describe("provisioning C42 through msw", () => {
  it("reaches Ready with an exact, minimal set of requests", async () => {
    const kube = createKubeClient({ apiRootUrl: API_ROOT, token: "sreda-dev-token", clock: cluster.clock });
    const plan = createProvisioningPlan(example);
    const result = await applyPlan(plan, kube, { clock: cluster.clock, jobPollIntervalMs: 1000, random: () => 0.5 });
    expect(result.status).toBe("succeeded");

    const count = (method: string, pattern: RegExp) => cluster.requestLog.filter((r) => r.method === method && pattern.test(r.path)).length;
    // Preflight: the namespace, the two expected secrets, one rules review; with it, one list per kind written.
    expect(count("GET", /\/namespaces\/lms-dev$/)).toBe(1);
    expect(count("GET", /\/secrets\/(repository-token|tls)$/)).toBe(2);
    expect(count("POST", /selfsubjectrulesreviews$/)).toBe(1);
    expect(count("POST", /selfsubjectaccessreviews$/)).toBe(0);
    expect(cluster.requestLog.filter((r) => r.verb === "list" && r.kind !== "Pod").map((r) => r.kind)).toEqual(
      expect.arrayContaining(["Secret", "ConfigMap", "Service", "Ingress", "Deployment", "Job"]),
    );
    // Execution: one write per object, no read of it; the Jobs are followed by one watch (through msw, streamed).
    expect(count("PATCH", /./)).toBe(7);
    expect(count("POST", /\/jobs$/)).toBe(2);
    expect(count("DELETE", /./)).toBe(0);
    for (const step of plan.steps) {
      expect(
        cluster.requestLog.filter((r) => r.method === "GET" && r.path.endsWith(`/${step.name}`)),
        step.id,
      ).toEqual([]);
    }
    expect(cluster.requestLog.filter((r) => r.verb === "watch").map((r) => r.kind)).toEqual(["Job"]);
    expect(cluster.requestLog.every((r) => r.status < 400 || r.status === 404)).toBe(true);

    const assessment = await followEnvironment(kube, { environment: plan.environment, clock: cluster.clock });
    expect(assessment.phase).toBe("Ready");
    expect(assessment.summary).toMatch(/Готова/);
  });
});
