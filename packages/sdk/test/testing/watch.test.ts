import { afterEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster } from "../../src/testing/index.js";
import { BASE, call, fixture, paths, TOKEN, watchEvents, type Json } from "./helpers.js";

let cluster: FakeCluster;
afterEach(() => cluster.close());

function openWatch(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  const url = new URL(BASE + path);
  url.searchParams.set("watch", "1");
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return cluster.fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` }, ...(signal ? { signal } : {}) });
}

async function take(response: Response, count: number): Promise<Json[]> {
  const out: Json[] = [];
  for await (const event of watchEvents(response)) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

const cm = (name: string, labels: Record<string, string> = {}): Json => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels },
  data: { k: name },
});

describe("watch", () => {
  it("starts with synthetic ADDED events for current objects, then streams changes", async () => {
    cluster = createFakeCluster();
    await call(cluster, "POST", paths.configmaps(), cm("a", { app: "lms" }));
    const response = await openWatch(paths.configmaps(), { labelSelector: "app=lms" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const events = take(response, 3);
    await call(cluster, "POST", paths.configmaps(), cm("b", { app: "lms" }));
    await call(cluster, "POST", paths.configmaps(), cm("other", { app: "crm" }));
    await call(cluster, "DELETE", `${paths.configmaps()}/a`);
    const got = await events;
    expect(got.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "a"],
      ["ADDED", "b"],
      ["DELETED", "a"],
    ]);
    expect(got[0]!.object).toMatchObject({ kind: "ConfigMap", apiVersion: "v1" });
  });

  it("resumes after a resourceVersion from the history", async () => {
    cluster = createFakeCluster();
    const { body: a } = await call(cluster, "POST", paths.configmaps(), cm("a"));
    await call(cluster, "PATCH", `${paths.configmaps()}/a`, { data: { k: "2" } }, { contentType: "application/merge-patch+json" });
    await call(cluster, "POST", paths.configmaps(), cm("b"));
    const response = await openWatch(paths.configmaps(), { resourceVersion: a.metadata.resourceVersion });
    const got = await take(response, 2);
    expect(got.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["MODIFIED", "a"],
      ["ADDED", "b"],
    ]);
    expect(got[0]!.object.data.k).toBe("2");
  });

  it("answers a resourceVersion older than the history with one 410 Expired ERROR and ends", async () => {
    cluster = createFakeCluster({ maxWatchHistory: 5 });
    const { body: first } = await call(cluster, "POST", paths.configmaps(), cm("a"));
    for (let i = 0; i < 10; i++)
      await call(cluster, "PATCH", `${paths.configmaps()}/a`, { data: { k: String(i) } }, { contentType: "application/merge-patch+json" });
    const response = await openWatch(paths.configmaps(), { resourceVersion: first.metadata.resourceVersion });
    const events: Json[] = [];
    for await (const e of watchEvents(response)) events.push(e);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      type: "ERROR",
      object: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: expect.stringMatching(new RegExp(`^too old resource version: ${first.metadata.resourceVersion} \\(\\d+\\)$`)),
        reason: "Expired",
        code: 410,
      },
    });
  });

  it("answers a resourceVersion from before its history began (the watch cache's initial list) with 410 too", async () => {
    cluster = createFakeCluster();
    const start = Number((await call(cluster, "GET", paths.configmaps())).body.metadata.resourceVersion);
    const old = await openWatch(paths.configmaps(), { resourceVersion: "1" });
    const events: Json[] = [];
    for await (const e of watchEvents(old)) events.push(e);
    expect(events).toEqual([
      {
        type: "ERROR",
        object: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: "too old resource version: 1 (1000)",
          reason: "Expired",
          code: 410,
        },
      },
    ]);
    expect(start).toBeGreaterThan(1000);
    // Events are not cached: etcd answers, in its words.
    const fromEtcd: Json[] = [];
    for await (const e of watchEvents(await openWatch(paths.events(), { resourceVersion: "1" }))) fromEtcd.push(e);
    expect(fromEtcd.map((e) => [e.type, e.object.code, e.object.message])).toEqual([["ERROR", 410, "The resourceVersion for the provided watch is too old."]]);
  });

  it("ends the stream after timeoutSeconds of virtual time", async () => {
    cluster = createFakeCluster();
    const started = cluster.clock.now();
    const response = await openWatch(paths.configmaps(), { timeoutSeconds: "300" });
    const events: Json[] = [];
    for await (const e of watchEvents(response)) events.push(e);
    expect(events.map((e) => e.object.metadata.name)).toEqual(["kube-root-ca.crt"]);
    expect(cluster.clock.now() - started).toBe(300_000);
  });

  it("reports an object leaving the selection as DELETED and one entering it as ADDED", async () => {
    cluster = createFakeCluster();
    await call(cluster, "POST", paths.configmaps(), cm("a", { app: "lms" }));
    const response = await openWatch(paths.configmaps(), { labelSelector: "app=lms" });
    const events = take(response, 3);
    const merge = { contentType: "application/merge-patch+json" };
    await call(cluster, "PATCH", `${paths.configmaps()}/a`, { metadata: { labels: { app: "crm" } } }, merge);
    await call(cluster, "PATCH", `${paths.configmaps()}/a`, { metadata: { labels: { app: "lms" } } }, merge);
    expect((await events).map((e) => e.type)).toEqual(["ADDED", "DELETED", "ADDED"]);
  });

  it("sends bookmarks every minute when asked", async () => {
    cluster = createFakeCluster();
    const response = await openWatch(paths.configmaps(), { allowWatchBookmarks: "true", timeoutSeconds: "150", resourceVersion: "0" });
    const events: Json[] = [];
    for await (const e of watchEvents(response)) events.push(e);
    expect(events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK", "BOOKMARK"]);
    expect(events[1]!.object).toEqual({ kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
  });

  it("watches one object through the legacy /watch/ path and stops when the client aborts", async () => {
    cluster = createFakeCluster();
    await call(cluster, "POST", paths.configmaps(), cm("a"));
    const abort = new AbortController();
    const response = await cluster.fetch(`${BASE}/api/v1/watch/namespaces/lms-dev/configmaps/a`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
      signal: abort.signal,
    });
    const first = (await take(response, 1))[0]!;
    expect(first).toMatchObject({ type: "ADDED", object: { metadata: { name: "a" } } });
    abort.abort();
    expect(cluster.clock.pendingTimers({ background: false })).toBe(0);
  });

  it("streams a Job's pod from Pending to Succeeded", async () => {
    cluster = createFakeCluster();
    const response = await openWatch(paths.pods(), { labelSelector: "job-name=postgres-setup-c42", timeoutSeconds: "60" });
    await call(cluster, "POST", paths.secrets(), fixture("secret-db-setup-c42"));
    await call(cluster, "POST", paths.jobs(), fixture("job-postgres-setup-c42"));
    const phases: string[] = [];
    for await (const e of watchEvents(response)) {
      const phase = e.object.status?.phase;
      if (phases.at(-1) !== phase) phases.push(phase);
      if (phase === "Succeeded") break;
    }
    expect(phases).toEqual(["Pending", "Running", "Succeeded"]);
  });
});
