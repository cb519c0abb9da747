import { setupServer } from "msw/node";
import { mswHandlers } from "../../src/testing/msw.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFakeCluster, createVirtualClock, type FakeCluster } from "../../src/testing/index.js";
import { BASE, fixture, paths, TOKEN, watchEvents, type Json } from "./helpers.js";

const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };

describe("listen(): a real HTTP server on 127.0.0.1", () => {
  let cluster: FakeCluster;
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    // Real sockets: a manual clock keeps time still while bytes travel (see README: listen() and clocks).
    cluster = createFakeCluster({ clock: createVirtualClock({ auto: false }) });
    server = await cluster.listen();
  });
  afterAll(async () => {
    await server.close();
    cluster.close();
  });

  it("serves the API over HTTP", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await fetch(`${server.url}${paths.configmaps()}`, { method: "POST", headers, body: JSON.stringify(fixture("configmap-lms-config-c42")) });
    expect(created.status).toBe(201);
    const got = await fetch(`${server.url}${paths.configmaps()}/lms-config-c42`, { headers });
    expect(((await got.json()) as Json).metadata.name).toBe("lms-config-c42");
    const denied = await fetch(`${server.url}${paths.configmaps()}`);
    expect(denied.status).toBe(401);
  });

  it("streams a watch chunk by chunk", async () => {
    const abort = new AbortController();
    const response = await fetch(`${server.url}${paths.secrets()}?watch=1&resourceVersion=0`, { headers, signal: abort.signal });
    const events = watchEvents(response);
    const first = await events.next();
    expect(first.value).toMatchObject({ type: "ADDED", object: { kind: "Secret" } });
    await events.next(); // the second seeded secret
    await fetch(`${server.url}${paths.secrets()}`, { method: "POST", headers, body: JSON.stringify(fixture("secret-rsa-c42")) });
    const live = await events.next();
    expect(live.value).toMatchObject({ type: "ADDED", object: { metadata: { name: "rsa-secret-c42" } } });
    abort.abort();
  });

  it("destroys the socket for a drop fault", async () => {
    const remove = cluster.addFault({ match: { verb: "get" }, action: { type: "drop" } });
    const error = await fetch(`${server.url}${paths.secrets()}/tls`, { headers }).catch((e: unknown) => e);
    remove();
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
  });
});

describe("mswHandlers(): intercepting global fetch", () => {
  const cluster = createFakeCluster();
  const msw = setupServer(...mswHandlers(cluster, `${BASE}/`));
  beforeAll(() => msw.listen({ onUnhandledFrame: "error" }));
  afterEach(() => cluster.clearFaults());
  afterAll(() => {
    msw.close();
    cluster.close();
  });

  it("answers requests to the Rancher URL", async () => {
    const created = await fetch(`${BASE}${paths.jobs()}`, { method: "POST", headers, body: JSON.stringify(fixture("job-clickhouse-setup-c42")) });
    expect(created.status).toBe(201);
    const job = (await created.json()) as Json;
    expect(job.spec.selector.matchLabels["batch.kubernetes.io/controller-uid"]).toBe(job.metadata.uid);
    const missing = await fetch(`${BASE}${paths.jobs()}/nope`, { headers });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Json).message).toBe('jobs.batch "nope" not found');
  });

  it("streams watches through msw", async () => {
    const response = await fetch(`${BASE}${paths.configmaps()}?watch=1&timeoutSeconds=10`, { headers });
    const names: string[] = [];
    for await (const e of watchEvents(response)) names.push(`${e.type} ${e.object.metadata.name}`);
    expect(names).toEqual(["ADDED kube-root-ca.crt"]);
  });

  it("turns a drop fault into a network error", async () => {
    cluster.addFault({ action: { type: "drop" } });
    await expect(fetch(`${BASE}${paths.secrets()}`, { headers })).rejects.toThrow(TypeError);
  });
});
