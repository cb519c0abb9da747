/**
 * The fake cluster runs on a virtual clock, and everything that waits (the client's rate limiter and retries, the
 * executor's Job polls, the watcher) must wait on it: forgetting it made provisioning wait up to the Job timeout in
 * real time. Now a client made from the fake's fetch takes its clock, the executor and the watcher take the client's,
 * and a client on another clock stops at the first answer, naming the fix.
 */
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { KINDS } from "../../src/core/kinds.js";
import { createProvisioningPlan } from "../../src/core/plan.js";
import { applyPlan } from "../../src/kube/apply.js";
import { createKubeClient } from "../../src/kube/client.js";
import { followEnvironment } from "../../src/kube/follow-environment.js";
import { systemClock } from "../../src/kube/clock.js";
import { createFakeCluster } from "../../src/testing/index.js";
import { mswHandlers } from "../../src/testing/msw.js";

const plan = createProvisioningPlan(example);

describe("the fake's clock, by default", () => {
  it("is the clock of a client made from cluster.clientConfig or from the fake's fetch, and of the executor and watcher using it", async () => {
    const cluster = createFakeCluster({ seed: 1 });
    expect(createKubeClient(cluster.clientConfig).clock).toBe(cluster.clock);
    const kube = createKubeClient({ apiRootUrl: "https://cluster.example", token: "sreda-dev-token", fetch: cluster.fetch });
    expect(kube.clock).toBe(cluster.clock);
    const started = cluster.clock.now();
    const result = await applyPlan(plan, kube);
    expect(result.status).toBe("succeeded");
    const assessment = await followEnvironment(kube, { environment: plan });
    expect(assessment.phase).toBe("Ready");
    // Minutes of Jobs and rollout passed on the fake's clock (virtual time), none of them waited for for real.
    expect(cluster.clock.now() - started).toBeGreaterThan(5_000);
  });

  it("is overridden by a clock given explicitly", () => {
    const cluster = createFakeCluster({ seed: 1 });
    expect(createKubeClient({ ...cluster.clientConfig, clock: systemClock }).clock).toBe(systemClock);
  });
});

describe("a client on another clock", () => {
  const cluster = createFakeCluster({ seed: 2 });
  const API_ROOT = "https://rancher.example/k8s/clusters/c-clock/";
  const server = setupServer(...mswHandlers(cluster, API_ROOT));
  beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
  afterAll(() => server.close());

  it("stops at the fake's first answer with CLOCK_MISMATCH, naming cluster.clientConfig, instead of waiting in real time", async () => {
    const kube = createKubeClient({ apiRootUrl: API_ROOT, token: "sreda-dev-token" });
    cluster.clearRequestLog();
    const error = await applyPlan(plan, kube).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CLOCK_MISMATCH" });
    expect(String((error as Error).message)).toMatch(/cluster\.clientConfig.*clock: cluster\.clock/);
    // The first round's requests (namespace, the two expected Secrets, rules review, one list per kind Sreda writes),
    // nothing written.
    expect(cluster.requestLog.length).toBeLessThanOrEqual(4 + KINDS.filter((k) => k.write !== undefined).length);
    expect(cluster.requestLog.filter((r) => r.method !== "GET" && !r.path.includes("selfsubject"))).toEqual([]);
  });

  it("works on the fake's clock over msw too", async () => {
    const kube = createKubeClient({ apiRootUrl: API_ROOT, token: "sreda-dev-token", clock: cluster.clock });
    expect((await applyPlan(plan, kube)).status).toBe("succeeded");
  });
});
