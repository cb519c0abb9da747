import { afterEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster } from "../../src/testing/index.js";
import { BASE, call, fixture, paths, TOKEN, watchEvents, type Json } from "./helpers.js";

let cluster: FakeCluster;
afterEach(() => cluster.close());

describe("fault injection", () => {
  it("answers 429 with Retry-After and details.retryAfterSeconds, then lets requests through", async () => {
    cluster = createFakeCluster();
    cluster.addFault({ match: { kind: "Job", verb: "create" }, times: 1, action: { type: "status", code: 429, retryAfterSeconds: 3 } });
    const throttled = await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("3");
    expect(throttled.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Too many requests, please try again later.",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: 3 },
      code: 429,
    });
    expect(cluster.getObject("Job", "lms-dev", "postgres-setup-c42")).toBeUndefined();
    expect((await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"))).status).toBe(201);
    expect(cluster.requestLog.filter((r) => r.method === "POST").map((r) => [r.status, r.faults])).toEqual([
      [429, ["status 429"]],
      [201, undefined],
    ]);
  });

  it("drops the connection: fetch rejects with TypeError('fetch failed') and nothing changes", async () => {
    cluster = createFakeCluster();
    cluster.addFault({ match: { method: "POST" }, action: { type: "drop" } });
    const error = await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(cluster.getObject("ConfigMap", "lms-dev", "lms-config-c42")).toBeUndefined();
    expect(cluster.requestLog.at(-1)).toMatchObject({ status: 0, faults: ["drop"] });
  });

  it("drops the answer after the write was applied", async () => {
    cluster = createFakeCluster();
    cluster.addFault({ match: { path: paths.configmaps() }, times: 1, action: { type: "drop-after-write" } });
    await expect(call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"))).rejects.toThrow("fetch failed");
    expect(cluster.getObject("ConfigMap", "lms-dev", "lms-config-c42")).toBeDefined();
    expect((await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"))).status).toBe(409);
  });

  it("adds latency on the virtual clock", async () => {
    cluster = createFakeCluster();
    cluster.addFault({ match: { verb: "get" }, action: { type: "latency", ms: 7_500 } });
    const before = cluster.clock.now();
    const answer = await call(cluster, "GET", `${paths.secrets()}/tls`);
    expect(answer.status).toBe(200);
    expect(cluster.clock.now() - before).toBe(7_500);
  });

  it("delays a watch's opening by the latency, not its events: they come as the changes happen", async () => {
    cluster = createFakeCluster();
    cluster.addFault({ action: { type: "latency", ms: 50 } });
    const opened = cluster.clock.now();
    const response = await cluster.fetch(`${BASE}${paths.configmaps()}?watch=true&timeoutSeconds=5`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(cluster.clock.now() - opened).toBe(50);
    const seen = new Map<string, number>();
    const reading = (async () => {
      for await (const e of watchEvents(response)) seen.set(e["object"].metadata.name, cluster.clock.now());
    })();
    await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"));
    const written = cluster.clock.now();
    await reading;
    // The create itself waited 50 ms; its event reached the open watch at the moment it was written.
    expect(written - opened).toBe(100);
    expect(seen.get("lms-config-c42")).toBe(written);
  });

  it("skips the first matches with `after` and can be removed", async () => {
    cluster = createFakeCluster();
    const remove = cluster.addFault({ match: { verb: "list" }, after: 2, action: { type: "status", code: 503 } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await call(cluster, "GET", paths.secrets())).status);
    remove();
    codes.push((await call(cluster, "GET", paths.secrets())).status);
    expect(codes).toEqual([200, 200, 503, 503, 200]);
  });

  it("draws probabilities from the seed: the same seed fails the same requests", async () => {
    const pattern = async (seed: number): Promise<number[]> => {
      const c = createFakeCluster({ seed });
      c.addFault({ probability: 0.3, action: { type: "status", code: 500 } });
      const codes: number[] = [];
      for (let i = 0; i < 40; i++) codes.push((await call(c, "GET", paths.secrets())).status);
      c.close();
      return codes;
    };
    cluster = createFakeCluster();
    const first = await pattern(7);
    expect(await pattern(7)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await pattern(8)).not.toEqual(first);
  });

  it("keeps a silent watch open without events until its timeout", async () => {
    cluster = createFakeCluster();
    cluster.addFault({ match: { verb: "watch" }, times: 1, action: { type: "silent-watch" } });
    const started = cluster.clock.now();
    const response = await cluster.fetch(`${BASE}${paths.configmaps()}?watch=true&timeoutSeconds=30`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    const events: Json[] = [];
    const reading = (async () => {
      for await (const e of watchEvents(response)) events.push(e);
    })();
    await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"));
    await reading;
    expect(events).toEqual([]);
    expect(cluster.clock.now() - started).toBe(30_000);
  });
});
