import { FakeClock } from "../support/fake-clock.js";
import { generateKeyPairSync } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Pod, Status } from "../../src/core/kube-objects.js";
import { createKubeClient, isKubeError, KubeNetworkError, KubeStatusError, type KubeClientConfig } from "../../src/kube/index.js";

// ---------------------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------------------
// A scripted transport: records every Request and answers with the next scripted reply.

interface Recorded {
  method: string;
  url: string;
  headers: Headers;
  body: string;
  at: number;
}

type Reply = Response | Error | ((request: Request) => Response | Promise<Response>);

function scripted(clock: FakeClock, replies: Reply[]) {
  const calls: Recorded[] = [];
  const queue = [...replies];
  const fetch = async (request: Request): Promise<Response> => {
    calls.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body ? await request.text() : "",
      at: clock.now(),
    });
    const reply = queue.shift();
    if (reply === undefined) throw new Error(`unexpected request ${request.method} ${request.url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === "function" ? reply(request) : reply;
  };
  return { fetch, calls };
}

const TOKEN = "kubeconfig-u-abc:SeCrEtT0kenValue1234567890";
const ROOT = "https://rancher.example.com/k8s/clusters/c-m4hlh";

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** A Status body exactly as the API server writes it. */
function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) s.details = details;
  return s;
}

function statusResponse(code: number, reason: string, message: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
  return json(status(code, reason, message, details), code, headers);
}

function setup(replies: Reply[], overrides: Partial<KubeClientConfig> = {}) {
  const clock = new FakeClock();
  const transport = scripted(clock, replies);
  const retries: unknown[] = [];
  const kube = createKubeClient({
    apiRootUrl: `${ROOT}/`,
    token: TOKEN,
    fetch: transport.fetch,
    clock,
    random: () => 0,
    qps: Infinity,
    onRetry: (info) => retries.push(info),
    ...overrides,
  });
  return { kube, clock, calls: transport.calls, retries };
}

const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "lms-db", namespace: "lms-dev" }, stringData: { password: "p@ss" } };

// ---------------------------------------------------------------------------------------------------------------

describe("requests", () => {
  it.each([
    ["Rancher root with a final slash, path with a leading slash", `${ROOT}/`, "/api/v1/namespaces/lms-dev/pods", `${ROOT}/api/v1/namespaces/lms-dev/pods`],
    ["Rancher root without a final slash, path without one", ROOT, "api/v1/namespaces/lms-dev/pods", `${ROOT}/api/v1/namespaces/lms-dev/pods`],
    ["API server root without a slash", "https://10.0.0.1:6443", "/api/v1/namespaces/lms-dev/pods", "https://10.0.0.1:6443/api/v1/namespaces/lms-dev/pods"],
    ["API server root with a slash", "https://10.0.0.1:6443/", "//api/v1/namespaces/lms-dev/pods", "https://10.0.0.1:6443/api/v1/namespaces/lms-dev/pods"],
  ])("joins the URL: %s", async (_name, apiRootUrl, path, expected) => {
    const { kube, calls } = setup([json({ kind: "PodList", items: [] })], { apiRootUrl });
    await kube.get(path);
    expect(calls[0]!.url).toBe(expected);
    expect(kube.apiRootUrl.endsWith("/")).toBe(false);
  });

  it("sends the bearer token, Accept: application/json and a User-Agent", async () => {
    const { kube, calls } = setup([json({}), json({})]);
    await kube.get("/api/v1/namespaces/lms-dev");
    expect(calls[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(calls[0]!.headers.get("accept")).toBe("application/json");
    expect(calls[0]!.headers.get("user-agent")).toMatch(/^sreda-sdk\//);
    const custom = setup([json({})], { userAgent: "sreda-bridge/1.0" });
    await custom.kube.get("/api/v1/namespaces/lms-dev");
    expect(custom.calls[0]!.headers.get("user-agent")).toBe("sreda-bridge/1.0");
  });

  it("create: POST with fieldValidation=Strict and the JSON body; dryRun=All on request", async () => {
    const { kube, calls } = setup([json(secret, 201), json(secret, 201)]);
    const created = await kube.create<typeof secret>("/api/v1/namespaces/lms-dev/secrets", secret);
    expect(created.metadata.name).toBe("lms-db");
    expect(calls[0]!.method).toBe("POST");
    expect(new URL(calls[0]!.url).search).toBe("?fieldValidation=Strict");
    expect(calls[0]!.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(calls[0]!.body)).toEqual(secret);
    await kube.create("/api/v1/namespaces/lms-dev/secrets", secret, { dryRun: true });
    expect(new URL(calls[1]!.url).searchParams.get("dryRun")).toBe("All");
    expect(new URL(calls[1]!.url).searchParams.get("fieldValidation")).toBe("Strict");
  });

  it("replace: PUT with fieldValidation=Strict", async () => {
    const { kube, calls } = setup([json(secret)]);
    await kube.replace("/api/v1/namespaces/lms-dev/secrets/lms-db", secret);
    expect(calls[0]!.method).toBe("PUT");
    expect(calls[0]!.url).toBe(`${ROOT}/api/v1/namespaces/lms-dev/secrets/lms-db?fieldValidation=Strict`);
    expect(JSON.parse(calls[0]!.body)).toEqual(secret);
  });

  it("apply: PATCH application/apply-patch+yaml with fieldManager, fieldValidation=Strict and force", async () => {
    const { kube, calls } = setup([json(secret), json(secret)]);
    await kube.apply("/api/v1/namespaces/lms-dev/secrets/lms-db", secret, { fieldManager: "sreda", force: true });
    expect(calls[0]!.method).toBe("PATCH");
    expect(calls[0]!.headers.get("content-type")).toBe("application/apply-patch+yaml");
    const query = new URL(calls[0]!.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({ fieldManager: "sreda", fieldValidation: "Strict", force: "true" });
    expect(JSON.parse(calls[0]!.body)).toEqual(secret); // JSON is YAML: the body stays JSON
    await kube.apply("/api/v1/namespaces/lms-dev/secrets/lms-db", secret, { fieldManager: "sreda" });
    expect(new URL(calls[1]!.url).searchParams.has("force")).toBe(false);
  });

  it("mergePatch: PATCH application/merge-patch+json", async () => {
    const { kube, calls } = setup([json(secret)]);
    await kube.mergePatch("/apis/apps/v1/namespaces/lms-dev/deployments/lms", { spec: { replicas: 0 } });
    expect(calls[0]!.method).toBe("PATCH");
    expect(calls[0]!.headers.get("content-type")).toBe("application/merge-patch+json");
    expect(JSON.parse(calls[0]!.body)).toEqual({ spec: { replicas: 0 } });
  });

  it("delete: DELETE with propagationPolicy, resolves to nothing", async () => {
    const { kube, calls } = setup([json({ kind: "Status", apiVersion: "v1", status: "Success" })]);
    await expect(kube.delete("/apis/batch/v1/namespaces/lms-dev/jobs/pg-setup", { propagationPolicy: "Background" })).resolves.toBeUndefined();
    expect(calls[0]!.method).toBe("DELETE");
    expect(calls[0]!.url).toBe(`${ROOT}/apis/batch/v1/namespaces/lms-dev/jobs/pg-setup?propagationPolicy=Background`);
  });

  it("list: selectors, limit and continue as query parameters", async () => {
    const { kube, calls } = setup([json({ kind: "PodList", items: [] })]);
    await kube.list("/api/v1/namespaces/lms-dev/pods", { labelSelector: "sreda.io/client=C42,app in (lms)", limit: 50, continue: "abc" });
    const query = new URL(calls[0]!.url).searchParams;
    expect(query.get("labelSelector")).toBe("sreda.io/client=C42,app in (lms)");
    expect(query.get("limit")).toBe("50");
    expect(query.get("continue")).toBe("abc");
    expect(query.has("fieldSelector")).toBe(false);
  });

  it("request: merges the path's own query with `query` and returns status, headers and body", async () => {
    const { kube, calls } = setup([json({ ok: true }, 200, { "x-test": "1" })]);
    const res = await kube.request<{ ok: boolean }>({
      method: "GET",
      path: "/api/v1/pods?limit=5&fieldSelector=a%3Db",
      query: { limit: 10, pretty: undefined },
    });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(res.headers.get("x-test")).toBe("1");
    expect(Object.fromEntries(new URL(calls[0]!.url).searchParams)).toEqual({ limit: "10", fieldSelector: "a=b" });
  });

  it("the typed openapi-fetch client goes through the same transport", async () => {
    const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "lms-1", namespace: "lms-dev" }, status: { phase: "Running" } };
    const { kube, calls } = setup([json(pod)]);
    const { data, error } = await kube.api.GET("/api/v1/namespaces/{namespace}/pods/{name}", {
      params: { path: { namespace: "lms-dev", name: "lms-1" } },
    });
    expect(error).toBeUndefined();
    expect(data?.status?.phase).toBe("Running");
    expect(calls[0]!.url).toBe(`${ROOT}/api/v1/namespaces/lms-dev/pods/lms-1`);
    expect(calls[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("never sends the token outside the API root", async () => {
    const { kube, calls } = setup([json({})]);
    await expect(
      kube.api.GET("/api/v1/namespaces/{name}", { params: { path: { name: "x" } }, baseUrl: "https://elsewhere.example.com" }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    expect(calls).toHaveLength(0);
  });

  it("logs: GET …/pods/{name}/log with container, tailLines and previous; returns the text", async () => {
    const text = "2025-12-01 started\nlistening on :8080\n";
    const { kube, calls } = setup([new Response(text, { headers: { "content-type": "text/plain" } })]);
    await expect(kube.logs("lms-dev", "pg-setup-x7k2p", { container: "setup", tailLines: 100, previous: true })).resolves.toBe(text);
    expect(calls[0]!.url).toBe(`${ROOT}/api/v1/namespaces/lms-dev/pods/pg-setup-x7k2p/log?container=setup&tailLines=100&previous=true`);
  });

  it("accessReview: posts a SelfSubjectAccessReview and returns its status", async () => {
    const review = (s: object) => json({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", status: s }, 201);
    const { kube, calls } = setup([review({ allowed: true }), review({ allowed: false, denied: true, reason: "RBAC: no rule" })]);
    await expect(kube.accessReview({ namespace: "lms-dev", verb: "create", group: "batch", resource: "jobs" })).resolves.toEqual({ allowed: true });
    expect(calls[0]!.method).toBe("POST");
    expect(calls[0]!.url).toBe(`${ROOT}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`);
    expect(JSON.parse(calls[0]!.body)).toEqual({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { namespace: "lms-dev", verb: "create", group: "batch", resource: "jobs" } },
    });
    await expect(kube.accessReview({ namespace: "lms-dev", verb: "delete", group: "", resource: "secrets" })).resolves.toEqual({
      allowed: false,
      denied: true,
      reason: "RBAC: no rule",
    });
  });

  it("rulesReview: posts a SelfSubjectRulesReview and returns its status", async () => {
    const rules = { resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], nonResourceRules: [], incomplete: false };
    const { kube, calls } = setup([json({ kind: "SelfSubjectRulesReview", status: rules }, 201)]);
    await expect(kube.rulesReview!("lms-dev")).resolves.toEqual(rules);
    expect(JSON.parse(calls[0]!.body).spec).toEqual({ namespace: "lms-dev" });
  });

  it("rejects bad configuration", () => {
    const base = { apiRootUrl: ROOT, token: TOKEN };
    expect(() => createKubeClient({ ...base, apiRootUrl: "rancher.example.com" })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    expect(() => createKubeClient({ ...base, caCert: "PEM", insecureSkipTlsVerify: true })).toThrow(/exclude each other/);
    expect(() => createKubeClient({ ...base, caCert: "PEM", fetch: async () => json({}) })).toThrow(/injected fetch/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("errors", () => {
  // One line per reason: the API server's Status → our code.
  it.each([
    [400, "BadRequest", 'strict decoding error: unknown field "spec.replica"'],
    [401, "Unauthorized", "Unauthorized"],
    [403, "Forbidden", 'secrets is forbidden: User "u-abc" cannot create resource "secrets" in API group "" in the namespace "lms-dev"'],
    [404, "NotFound", 'secrets "lms-db" not found'],
    [405, "MethodNotAllowed", "the server does not allow this method on the requested resource"],
    [409, "AlreadyExists", 'secrets "lms-db" already exists'],
    [409, "Conflict", 'Operation cannot be fulfilled on deployments.apps "lms": the object has been modified'],
    [410, "Gone", "too old resource version"],
    [413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728"],
    [415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json"],
    [422, "Invalid", 'Secret "lms-db" is invalid'],
    [429, "TooManyRequests", "storage is (re)initializing"],
    [500, "InternalError", "Internal error occurred: etcdserver: request timed out"],
    [500, "ServerTimeout", "The POST operation against Job.batch could not be completed at this time"],
    [503, "ServiceUnavailable", "the server is currently unable to handle the request"],
    [504, "Timeout", "Timeout: request did not complete within requested timeout"],
  ])("%i %s with a Status body: code is the reason", async (code, reason, message) => {
    const { kube } = setup([statusResponse(code, reason, message)], { maxRetries: 0 });
    const err = await kube.create("/api/v1/namespaces/lms-dev/secrets", secret).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeStatusError);
    expect(err).toMatchObject({ code: reason, reason, status: code, kubeMessage: message, method: "POST", path: "/api/v1/namespaces/lms-dev/secrets" });
    expect(isKubeError(err, reason)).toBe(true);
    expect((err as Error).message).toContain(message);
  });

  it("AlreadyExists keeps the Status details", async () => {
    const { kube } = setup([statusResponse(409, "AlreadyExists", 'secrets "lms-db" already exists', { name: "lms-db", kind: "secrets" })]);
    const err = (await kube.create("/api/v1/namespaces/lms-dev/secrets", secret).catch((e: unknown) => e)) as KubeStatusError;
    expect(err.details).toMatchObject({ name: "lms-db", kind: "secrets", status: 409, reason: "AlreadyExists" });
    expect(err.path).toBe("/api/v1/namespaces/lms-dev/secrets"); // no query string
  });

  it("a 404 with a Status is NotFound", async () => {
    const { kube } = setup([statusResponse(404, "NotFound", 'pods "lms-1" not found', { name: "lms-1", kind: "pods" })]);
    const err = await kube.get("/api/v1/namespaces/lms-dev/pods/lms-1").catch((e: unknown) => e);
    expect(isKubeError(err, "NotFound")).toBe(true);
    expect(err).toMatchObject({ status: 404, method: "GET", path: "/api/v1/namespaces/lms-dev/pods/lms-1" });
  });

  it("Invalid keeps details.causes", async () => {
    const causes = [
      { reason: "FieldValueInvalid", message: 'Invalid value: "LMS_X": a valid environment variable name must consist of…', field: "data[LMS X]" },
      { reason: "FieldValueRequired", message: "Required value", field: "metadata.name" },
    ];
    const { kube } = setup([statusResponse(422, "Invalid", 'ConfigMap "lms-config" is invalid', { name: "lms-config", kind: "ConfigMap", causes })]);
    const err = (await kube.create("/api/v1/namespaces/lms-dev/configmaps", {}).catch((e: unknown) => e)) as KubeStatusError;
    expect(err.code).toBe("Invalid");
    expect(err.causes).toEqual(causes);
    expect(err.toJSON().details["causes"]).toEqual(causes);
  });

  it("classifies a proxy's HTML 502 by its HTTP code", async () => {
    const html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    const { kube } = setup([new Response(html, { status: 502, headers: { "content-type": "text/html" } })], { maxRetries: 0 });
    const err = (await kube.get("/api/v1/namespaces/lms-dev").catch((e: unknown) => e)) as KubeStatusError;
    expect(err).toBeInstanceOf(KubeStatusError);
    expect(err).toMatchObject({ code: "BadGateway", status: 502 });
    expect(err.kubeMessage).toBe("502 Bad Gateway 502 Bad Gateway nginx");
  });

  it.each([
    [503, "", "ServiceUnavailable"],
    [500, "", "InternalError"],
    [418, "", "Unknown"],
  ])("classifies %i with an empty or a reason-less Status body by the HTTP code", async (code, body, expected) => {
    const reasonless = setup([json({ kind: "Status", apiVersion: "v1", status: "Failure", message: "oops", code }, code)], { maxRetries: 0 });
    await expect(reasonless.kube.get("/x")).rejects.toMatchObject({ code: expected, status: code, kubeMessage: "oops" });
    const empty = setup([new Response(body, { status: code })], { maxRetries: 0 });
    await expect(empty.kube.get("/x")).rejects.toMatchObject({ code: expected, status: code });
  });

  it("410 Expired (a too-old resourceVersion) is reported as code Gone, keeping the server's reason", async () => {
    const { kube } = setup([statusResponse(410, "Expired", "The provided continue parameter is too old")]);
    const err = (await kube.list("/api/v1/namespaces/lms-dev/events", { continue: "x" }).catch((e: unknown) => e)) as KubeStatusError;
    expect(err).toMatchObject({ code: "Gone", reason: "Expired", status: 410 });
    expect(isKubeError(err, "Gone") && isKubeError(err, "Expired")).toBe(true);
  });

  it("a 2xx that is not JSON is InvalidResponse (a login page behind a redirect, say)", async () => {
    const { kube } = setup([new Response("<html>Rancher login</html>", { status: 200, headers: { "content-type": "text/html" } })]);
    await expect(kube.get("/api/v1/namespaces/lms-dev")).rejects.toMatchObject({ code: "InvalidResponse", status: 200 });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("retries", () => {
  const path = "/api/v1/namespaces/lms-dev/pods/lms-1";
  const pod = { kind: "Pod", metadata: { name: "lms-1" } };

  it("429 with Retry-After: waits exactly the server's ask, then succeeds", async () => {
    const { kube, clock, calls, retries } = setup([statusResponse(429, "TooManyRequests", "slow down", undefined, { "Retry-After": "3" }), json(pod)]);
    const result = kube.get(path);
    await clock.flush();
    expect(calls).toHaveLength(1);
    expect(retries).toEqual([{ method: "GET", path, attempt: 1, delayMs: 3000, reason: "TooManyRequests" }]);
    await clock.advance(2999);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    await expect(result).resolves.toEqual(pod);
    expect(calls.map((c) => c.at)).toEqual([0, 3000]);
  });

  it("429 with details.retryAfterSeconds: waits for it", async () => {
    const { kube, clock, calls } = setup([statusResponse(429, "TooManyRequests", "throttled", { retryAfterSeconds: 2 }), json(pod)]);
    const result = kube.get(path);
    await clock.advance(2000);
    await expect(result).resolves.toEqual(pod);
    expect(calls.map((c) => c.at)).toEqual([0, 2000]);
  });

  it("the server's ask plus the backoff's jitter, or the backoff alone without an ask", async () => {
    // random 0.99: the first retry waits Retry-After 1 s + ⌊0.99 · 200⌋; the next ones, without an ask, 0.99 · 400 and 0.99 · 800.
    const { kube, clock, retries } = setup(
      [
        statusResponse(503, "ServiceUnavailable", "x", undefined, { "Retry-After": "1" }),
        statusResponse(503, "ServiceUnavailable", "x"),
        statusResponse(503, "ServiceUnavailable", "x"),
        json(pod),
      ],
      { random: () => 0.99 },
    );
    const result = kube.get(path);
    await clock.advance(10_000);
    await result;
    expect(retries.map((r) => (r as { delayMs: number }).delayMs)).toEqual([1198, 396, 792]);
  });

  it("503 on GET: retried with backoff", async () => {
    const { kube, clock, calls, retries } = setup(
      [statusResponse(503, "ServiceUnavailable", "unavailable"), statusResponse(503, "ServiceUnavailable", "unavailable"), json(pod)],
      { random: () => 0.5 },
    );
    const result = kube.get(path);
    await clock.advance(1000);
    await expect(result).resolves.toEqual(pod);
    expect(calls.map((c) => c.at)).toEqual([0, 100, 300]); // 0.5·200, then 0.5·400
    expect(retries).toHaveLength(2);
  });

  it("network error on GET: retried", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:6443"), { code: "ECONNREFUSED" }),
    });
    const { kube, clock, calls, retries } = setup([refused, json(pod)]);
    const result = kube.get(path);
    await clock.advance(1000);
    await expect(result).resolves.toEqual(pod);
    expect(calls).toHaveLength(2);
    expect(retries).toEqual([{ method: "GET", path, attempt: 1, delayMs: 0, reason: "NetworkError" }]);
  });

  it("POST is not retried on 500 nor on a network error", async () => {
    const a = setup([statusResponse(500, "InternalError", "boom"), json(secret)]);
    await expect(a.kube.create("/api/v1/namespaces/lms-dev/secrets", secret)).rejects.toMatchObject({ code: "InternalError" });
    expect(a.calls).toHaveLength(1);
    const b = setup([
      Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }),
      json(secret),
    ]);
    const err = await b.kube.create("/api/v1/namespaces/lms-dev/secrets", secret).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeNetworkError);
    expect(err).toMatchObject({ code: "NetworkError", causeCode: "ECONNRESET", method: "POST" });
    expect(b.calls).toHaveLength(1);
    expect(b.retries).toEqual([]);
  });

  it("POST is retried on 429: the server did not process it", async () => {
    const { kube, clock, calls } = setup([statusResponse(429, "TooManyRequests", "too many", undefined, { "Retry-After": "1" }), json(secret, 201)]);
    const result = kube.create("/api/v1/namespaces/lms-dev/secrets", secret);
    await clock.advance(1000);
    await expect(result).resolves.toEqual(secret);
    expect(calls.map((c) => [c.method, c.at])).toEqual([
      ["POST", 0],
      ["POST", 1000],
    ]);
    expect(calls[1]!.body).toBe(calls[0]!.body); // the body is sent again, whole
  });

  it("maxRetries exhausted: the last error is thrown", async () => {
    const { kube, clock, calls } = setup(
      [statusResponse(503, "ServiceUnavailable", "first"), statusResponse(503, "ServiceUnavailable", "second"), statusResponse(504, "Timeout", "third")],
      { maxRetries: 2 },
    );
    const result = kube.get(path).catch((e: unknown) => e);
    await clock.advance(60_000);
    expect(await result).toMatchObject({ code: "Timeout", status: 504, kubeMessage: "third" });
    expect(calls).toHaveLength(3);
  });

  it("an abort during a backoff wait rejects at once and sends nothing more", async () => {
    const { kube, clock, calls } = setup([statusResponse(503, "ServiceUnavailable", "x", undefined, { "Retry-After": "20" }), json(pod)]);
    const controller = new AbortController();
    const result = kube.get(path, { signal: controller.signal }).catch((e: unknown) => e);
    await clock.flush();
    expect(clock.pending()).toEqual([20_000]);
    controller.abort();
    const err = await result; // no clock advance needed
    expect((err as Error).name).toBe("AbortError");
    expect(clock.pending()).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("a request that gets no answer times out (per attempt) and is retried when idempotent", async () => {
    const never = () => new Promise<Response>(() => undefined);
    const { kube, clock, calls } = setup([never, json(pod)], { timeoutMs: 5000 });
    const result = kube.get(path);
    await clock.advance(5000);
    await expect(result).resolves.toEqual(pod);
    expect(calls.map((c) => c.at)).toEqual([0, 5000]);
    const post = setup([never], { timeoutMs: 5000 });
    const failed = post.kube.create("/api/v1/namespaces/lms-dev/secrets", secret).catch((e: unknown) => e);
    await post.clock.advance(5000);
    expect(await failed).toMatchObject({ code: "NetworkError", timedOut: true });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("rate limiting", () => {
  it("qps 2, burst 2: two go at once, then one every 500 ms", async () => {
    const replies = Array.from({ length: 5 }, () => json({}));
    const { kube, clock, calls } = setup(replies, { qps: 2, burst: 2 });
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => kube.get(`/api/v1/namespaces/ns-${i}`)));
    await clock.flush();
    expect(calls.map((c) => c.at)).toEqual([0, 0]);
    await clock.advance(1499);
    expect(calls.map((c) => c.at)).toEqual([0, 0, 500, 1000]);
    await clock.advance(1);
    await all;
    expect(calls.map((c) => c.at)).toEqual([0, 0, 500, 1000, 1500]);
    expect(calls.map((c) => new URL(c.url).pathname.split("/").pop())).toEqual(["ns-0", "ns-1", "ns-2", "ns-3", "ns-4"]);
  });

  it("the customers' Leases have a bucket of their own: a renewal does not wait behind the queue (client-go's leader election uses its own client)", async () => {
    const replies = Array.from({ length: 6 }, () => json({}));
    const { kube, clock, calls } = setup(replies, { qps: 1, burst: 1 });
    const queued = Promise.all(Array.from({ length: 5 }, (_, i) => kube.get(`/api/v1/namespaces/lms-dev/configmaps/c-${i}`)));
    await clock.flush();
    const lease = kube.get("/apis/coordination.k8s.io/v1/namespaces/lms-dev/leases/sreda-lock-c42");
    await clock.flush();
    // The lease went at once, though four requests wait their turn (one a second) in the shared bucket.
    expect(calls.map((c) => [new URL(c.url).pathname.split("/").pop(), c.at])).toEqual([
      ["c-0", 0],
      ["sreda-lock-c42", 0],
    ]);
    await clock.advance(4000);
    await Promise.all([queued, lease]);
    expect(calls.map((c) => c.at)).toEqual([0, 0, 1000, 2000, 3000, 4000]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("watch", () => {
  function chunked(chunks: (string | Uint8Array)[]): Response {
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "application/json" } });
  }

  it("parses newline-delimited events across chunk boundaries (even inside a UTF-8 character)", async () => {
    const pod = (name: string, phase: string) => ({ kind: "Pod", metadata: { name }, status: { phase } });
    const lines = [
      JSON.stringify({ type: "ADDED", object: pod("pg-setup-1", "Pending") }),
      JSON.stringify({ type: "MODIFIED", object: { ...pod("pg-setup-1", "Running"), note: "Среда запущена" } }),
      JSON.stringify({ type: "BOOKMARK", object: { kind: "Pod", metadata: { resourceVersion: "12345" } } }),
      JSON.stringify({ type: "DELETED", object: pod("pg-setup-1", "Succeeded") }),
    ];
    const bytes = new TextEncoder().encode(lines.join("\n") + "\n");
    const cyrillic = bytes.indexOf(0xd0); // first byte of a two-byte character
    const chunks = [bytes.slice(0, 7), bytes.slice(7, cyrillic + 1), bytes.slice(cyrillic + 1, cyrillic + 40), bytes.slice(cyrillic + 40)];
    const { kube, calls } = setup([chunked(chunks)]);
    const events = [];
    for await (const event of kube.watch<Pod & { note?: string }>("/api/v1/namespaces/lms-dev/pods", {
      labelSelector: "job-name=pg-setup",
      resourceVersion: "100",
      allowWatchBookmarks: true,
      timeoutSeconds: 300,
    })) {
      events.push(event);
    }
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "BOOKMARK", "DELETED"]);
    expect(events[1]!.object.note).toBe("Среда запущена");
    expect(Object.fromEntries(new URL(calls[0]!.url).searchParams)).toEqual({
      watch: "1",
      labelSelector: "job-name=pg-setup",
      resourceVersion: "100",
      timeoutSeconds: "300",
      allowWatchBookmarks: "true",
    });
  });

  it("an ERROR event with a 410 Status throws KubeStatusError Gone after the events before it", async () => {
    const gone = { type: "ERROR", object: status(410, "Expired", "too old resource version: 100 (2000)") };
    const { kube } = setup([
      chunked([`${JSON.stringify({ type: "ADDED", object: { kind: "Pod" } })}\n${JSON.stringify(gone).slice(0, 20)}`, `${JSON.stringify(gone).slice(20)}\n`]),
    ]);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const event of kube.watch("/api/v1/namespaces/lms-dev/pods", { resourceVersion: "100" })) seen.push(event.type);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["ADDED"]);
    expect(err).toBeInstanceOf(KubeStatusError);
    expect(err).toMatchObject({ code: "Gone", status: 410, kubeMessage: "too old resource version: 100 (2000)" });
  });

  it("leaving the loop cancels the stream", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`${JSON.stringify({ type: "ADDED", object: {} })}\n`));
      },
      cancel() {
        cancelled = true;
      },
    });
    const { kube } = setup([new Response(stream)]);
    for await (const _event of kube.watch("/api/v1/namespaces/lms-dev/pods", {})) break;
    expect(cancelled).toBe(true);
  });

  it("an abort ends a waiting watch with the abort reason", async () => {
    const stream = new ReadableStream<Uint8Array>({ start() {} }); // never sends anything
    const { kube, clock } = setup([new Response(stream)]);
    const controller = new AbortController();
    const done = (async () => {
      for await (const _event of kube.watch("/api/v1/namespaces/lms-dev/pods", { signal: controller.signal })) void _event;
    })().catch((e: unknown) => e);
    await clock.flush();
    controller.abort();
    expect(((await done) as Error).name).toBe("AbortError");
  });

  it("a failed watch request throws its Status", async () => {
    const { kube } = setup([statusResponse(403, "Forbidden", "pods is forbidden")]);
    const iterator = kube.watch("/api/v1/namespaces/lms-dev/pods", {})[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: "Forbidden" });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("the token never leaks", () => {
  it("from any error, its JSON, onRetry info or the client itself", async () => {
    const echoPage = `<html><body>Bad gateway. Request headers: Authorization: Bearer ${TOKEN}; host: rancher</body></html>`;
    const echoingFetchError = new TypeError(`fetch failed for request with Authorization: Bearer ${TOKEN}`, {
      cause: Object.assign(new Error(`socket hang up (token ${TOKEN})`), { code: "ECONNRESET" }),
    });
    const { kube, clock, retries } = setup(
      [
        statusResponse(401, "Unauthorized", "Unauthorized"),
        statusResponse(403, "Forbidden", `User "system:serviceaccount" with token ${TOKEN} cannot get pods`),
        new Response(echoPage, { status: 502, headers: { "content-type": "text/html" } }),
        echoingFetchError,
        statusResponse(422, "Invalid", "invalid", { causes: [{ reason: "FieldValueInvalid", message: `bad ${TOKEN}`, field: "data" }] }),
        statusResponse(429, "TooManyRequests", `wait, ${TOKEN}`),
        json({ type: "x" }),
        new Response("not json", { status: 200 }),
        () => new Promise<Response>(() => undefined),
      ],
      { maxRetries: 0, timeoutMs: 1000 },
    );
    const attempts: (() => Promise<unknown>)[] = [
      () => kube.get("/api/v1/namespaces/a"),
      () => kube.create("/api/v1/namespaces/a/secrets", { stringData: { token: TOKEN } }),
      () => kube.get("/api/v1/namespaces/a/pods"),
      () => kube.get("/api/v1/namespaces/a/pods"),
      () => kube.apply("/api/v1/namespaces/a/secrets/s", { stringData: { token: TOKEN } }, { fieldManager: "sreda" }),
      () => kube.get("/api/v1/namespaces/a/pods"),
      () => kube.accessReview({ namespace: "a", verb: "get", group: "", resource: "pods" }),
      () => kube.get("/api/v1/namespaces/a"),
      () => kube.get("/api/v1/namespaces/a"), // gets no answer: times out
    ];
    const errors: unknown[] = [];
    for (const attempt of attempts) {
      const failed = attempt().then(
        () => expect.unreachable(),
        (e: unknown) => e,
      );
      await clock.advance(1000);
      errors.push(await failed);
    }
    // And with retries: onRetry sees only method, path, attempt, delay, reason.
    const retrying = setup([statusResponse(503, "ServiceUnavailable", TOKEN), echoingFetchError, json({})]);
    const ok = retrying.kube.get("/api/v1/namespaces/a");
    await retrying.clock.advance(1000);
    await ok;

    const secretPart = TOKEN.split(":")[1]!;
    for (const err of errors) {
      for (const text of [String(err), (err as Error).message, (err as Error).stack ?? "", JSON.stringify(err), inspect(err, { depth: 10 })]) {
        expect(text).not.toContain(secretPart);
        expect(text).not.toContain("p@ss");
      }
    }
    for (const text of [JSON.stringify(retries), JSON.stringify(retrying.retries), String(kube), JSON.stringify(kube), inspect(kube, { depth: 5 })]) {
      expect(text).not.toContain(secretPart);
    }
    expect((errors[2] as KubeStatusError).kubeMessage).toContain("Bearer [REDACTED]");
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("TLS (a real HTTPS server with a self-signed certificate)", () => {
  let server: https.Server;
  let root: string;
  let caCert: string;

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const key = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
    cert.serialNumber = "01";
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 3_600_000);
    const subject = [{ name: "commonName", value: "sreda-test-apiserver" }];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([
      { name: "basicConstraints", cA: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
    caCert = forge.pki.certificateToPem(cert);
    server = https.createServer({ key, cert: caCert }, (req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ kind: "Namespace", metadata: { name: "lms-dev" }, seenAuth: req.headers.authorization === `Bearer ${TOKEN}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    root = `https://127.0.0.1:${(server.address() as AddressInfo).port}/k8s/clusters/c-1/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("verifies the certificate by default: an unknown CA is a TLS NetworkError, not retried", async () => {
    const kube = createKubeClient({ apiRootUrl: root, token: TOKEN, maxRetries: 3 });
    const err = await kube.get("/api/v1/namespaces/lms-dev").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeNetworkError);
    expect(err).toMatchObject({ code: "NetworkError", tls: true });
    expect(JSON.stringify(err)).not.toContain(TOKEN);
  });

  it("trusts the given caCert", async () => {
    const kube = createKubeClient({ apiRootUrl: root, token: TOKEN, caCert });
    await expect(kube.get("/api/v1/namespaces/lms-dev")).resolves.toEqual({ kind: "Namespace", metadata: { name: "lms-dev" }, seenAuth: true });
  });

  it("insecureSkipTlsVerify works, but not silently", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const kube = createKubeClient({ apiRootUrl: root, token: TOKEN, insecureSkipTlsVerify: true });
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining("TLS certificate verification is disabled"),
        expect.objectContaining({ code: "SREDA_INSECURE_TLS" }),
      );
      await expect(kube.get("/api/v1/namespaces/lms-dev")).resolves.toMatchObject({ seenAuth: true });
    } finally {
      warn.mockRestore();
    }
  });
});
