/**
 * The hostile-input corpus (./support/hostile-corpus.ts) against a bridge over real HTTP: for each request the
 * status, the error code and the problem's path, the answer's size (a bad request is answered in kilobytes), the
 * time (a bound, not a benchmark: milliseconds are expected, two seconds is failure), the error shape, that the
 * status is in the OpenAPI document, that no log line says "internal error", and that no secret of the body comes
 * back in an answer or a log line. While each heavy request is processed, GET /healthz sent alongside must answer
 * within a short bound: a bad request must not stall the process. Requests naming a cluster outside the allow-list
 * must open no connection at all.
 *
 * The bridge uses its production Kubernetes client; its allow-list names the SDK's fake cluster listening on
 * 127.0.0.1.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { defaultKubeClientFactory } from "../src/cluster.js";
import { ErrorResponse } from "../src/schemas.js";
import { BRIDGE_TOKEN, startHarness } from "./support/harness.js";
import { baseSecrets, hostileCases, MAX_ERROR_BYTES, MIB, type HostileCase } from "./support/hostile-corpus.js";
import { LeakScanner } from "./support/leaks.js";
import { allowClusters, startLoopbackCluster } from "./support/loopback-cluster.js";
import { watchOutbound } from "./support/outbound.js";
import { send, type WireResponse } from "./support/wire.js";

/** Per request, whatever it is: generous for a loaded CI machine; a healthy bridge needs milliseconds. */
const TIME_BOUND_MS = 2_000;
/**
 * GET /healthz while a heavy request is processed: the same generous bound (a stall like the 15 s one this guards
 * against fails it; a busy CI machine does not). The real figures are the bench's (bench/hostile.bench.ts).
 */
const HEALTHZ_BOUND_MS = TIME_BOUND_MS;
/** All log lines of one bad request together. */
const LOG_BOUND_BYTES = 16 * 1024;
const MAX_PROBLEMS = 100;

const scanner = new LeakScanner();
const cluster = await startLoopbackCluster();
const h = await startHarness({ scanner, config: { ...allowClusters(cluster.url), bodyLimitBytes: MIB }, kubeClientFactory: defaultKubeClientFactory });
const ctx = { clusterUrl: cluster.url, clusterToken: cluster.token, bodyLimitBytes: MIB };
scanner.secret(...baseSecrets(ctx));
const doc = (await h.raw("/openapi.json", { auth: false })).json as OpenApiDocument;
const cases = hostileCases({ ...ctx, templateBodyMaxLength: templateBodyMaxLength(doc) });
const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const seen: Array<{ status: number; code: string | undefined }> = [];

afterAll(async () => {
  await h.close();
  await cluster.close();
  expect(scanner.scannedCount).toBeGreaterThan(cases.length);
  scanner.expectClean();
});

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, any>; responses?: Record<string, unknown> };
}

/** `maxLength` of RequestTemplate.body in the document (a string or null). */
function templateBodyMaxLength(document: OpenApiDocument): number | undefined {
  const body = document.components.schemas["RequestTemplate"]?.properties?.body;
  const variants: any[] = body?.anyOf ?? body?.oneOf ?? [body];
  return variants.map((v) => v?.maxLength).find((n): n is number => typeof n === "number");
}

/**
 * Whether the document states `status` for the request: the method's operation lists it; or, outside the operations,
 * the document's own rule for them (components.responses): 404 for an unknown address, 405 for a method it lacks.
 */
function documented(method: string, path: string, status: number): boolean {
  const entry = Object.entries(doc.paths).find(([template]) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path));
  if (!entry) return status === 404 && doc.components.responses?.["NotFound"] !== undefined;
  const op = entry[1][method.toLowerCase()];
  if (!op) return status === 405 && doc.components.responses?.["MethodNotAllowed"] !== undefined;
  return Object.hasOwn(op.responses, String(status));
}

const show = (res: WireResponse) => `${res.status}, ${res.bytes} bytes, ${res.ms.toFixed(0)} ms: ${res.text.slice(0, 600)}`;
const bodyOf = (c: HostileCase) => c.body?.();

async function sendCase(c: HostileCase, requestId: string, body = bodyOf(c)): Promise<WireResponse> {
  if (c.secretsOf && body) scanner.secret(...c.secretsOf(JSON.parse(Buffer.from(body).toString("utf8"))));
  scanner.secret(...(c.secrets ?? []));
  return send(
    h.url,
    {
      method: c.method,
      path: c.path,
      headers: { ...c.headers, "x-request-id": requestId },
      ...(body ? { body } : {}),
      ...(c.chunkBytes ? { chunkBytes: c.chunkBytes } : {}),
      token: BRIDGE_TOKEN,
    },
    scanner,
  );
}

describe("every hostile request: status, code, size, time, shape, document, logs, secrets", () => {
  it.each(cases.map((c, i) => [c.name, c, i] as const))("%s", async (_name, c, i) => {
    const requestId = `hostile-${i}`;
    const before = cluster.fake.requestLog.length;
    const watch = c.foreignCluster ? watchOutbound() : undefined;
    let res: WireResponse;
    try {
      res = await sendCase(c, requestId);
    } finally {
      watch?.stop();
    }
    seen.push({ status: res.status, code: res.status >= 400 ? res.json?.code : undefined });
    const statuses = [c.expect.status].flat();
    expect(statuses, show(res)).toContain(res.status);
    const codes = res.status === 200 && Array.isArray(res.json?.environments) ? res.json.environments.map((e: any) => e.error?.code) : [res.json?.code];
    if (c.expect.code) for (const code of codes) expect([c.expect.code].flat(), show(res)).toContain(code);

    expect(res.bytes, `answer size: ${show(res)}`).toBeLessThanOrEqual(c.expect.maxBytes ?? MAX_ERROR_BYTES);
    expect(res.ms, `time: ${show(res)}`).toBeLessThan(TIME_BOUND_MS);
    expect(documented(c.method, c.path, res.status), `${res.status} for ${c.method} ${c.path} is not in the OpenAPI document`).toBe(true);

    if (res.status >= 400) {
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(() => ErrorResponse.parse(res.json), show(res)).not.toThrow();
      expect(res.json.message).toMatch(/[а-яё]/i);
      expect(res.json.details.requestId).toBe(requestId);
    }
    if (res.status === 422) {
      const problems: Array<{ path: string }> = res.json.details.problems;
      expect(problems.length, "problems listed").toBeGreaterThan(0);
      expect(problems.length, "problems listed").toBeLessThanOrEqual(MAX_PROBLEMS);
      if (res.json.details.moreProblems !== undefined) {
        expect(Number.isInteger(res.json.details.moreProblems) && res.json.details.moreProblems > 0, "moreProblems: a positive count").toBe(true);
      }
      if (c.expect.problemAt)
        expect(
          problems.map((p) => p.path),
          show(res),
        ).toContain(c.expect.problemAt);
    }
    if (c.expect.allow) expect(res.headers["allow"], "405 names the allowed methods").toBeTruthy();

    const lines = h.logs.filter((line) => line.includes(`"${requestId}"`));
    expect(lines.length, "an access log line").toBeGreaterThan(0);
    expect(
      lines.filter((line) => /"level":"error"|"internal error"/.test(line)),
      "no error logged for the caller's mistake",
    ).toEqual([]);
    expect(
      lines.reduce((n, line) => n + Buffer.byteLength(line), 0),
      "log bytes of the request",
    ).toBeLessThanOrEqual(LOG_BOUND_BYTES);

    if (c.foreignCluster) {
      expect(cluster.fake.requestLog.length, "the allowed cluster was not asked either").toBe(before);
      expect(watch!.outsiders([new URL(h.url).host]), "connections other than this test's own to the bridge").toEqual([]);
    }
  });
});

describe("a heavy request does not stall the process", () => {
  const heavy = cases.filter((c) => c.heavy);

  it.each(heavy.map((c) => [c.name, c] as const))("GET /healthz answers meanwhile: %s", async (_name, c) => {
    const body = bodyOf(c);
    let done = false;
    const bad = sendCase(c, `heavy-${heavy.indexOf(c)}`, body).finally(() => (done = true));
    const latencies: number[] = [];
    // Probe from the moment the bad request starts until its answer is in: over real HTTP, each on its own connection.
    while (!done) {
      const probe = await send(h.url, { method: "GET", path: "/healthz" });
      expect(probe.status).toBe(200);
      latencies.push(probe.ms);
      await new Promise((r) => setTimeout(r, 2));
    }
    const res = await bad;
    expect([c.expect.status].flat(), show(res)).toContain(res.status);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies), `slowest /healthz of ${latencies.length} while the request took ${res.ms.toFixed(0)} ms`).toBeLessThan(HEALTHZ_BOUND_MS);
  });
});

describe("what the hostile requests got is documented", () => {
  it("every status and error code is in the README's error table and the code list", () => {
    expect(seen.length, "every hostile request was answered").toBe(cases.length);
    for (const { status, code } of seen.filter((s) => s.status >= 400)) {
      expect(readme, `README: no row for ${status}`).toMatch(new RegExp(`^\\| ${status} \\|`, "m"));
      expect(readme, `README: no error code ${code}`).toContain(`\`${code}\``);
    }
  });

  it("the document states the limits the requests ran into", () => {
    const schemas = doc.components.schemas;
    expect(templateBodyMaxLength(doc), "RequestTemplate.body maxLength").toBeGreaterThan(0);
    const variables = schemas["ProvisioningRequest"]?.properties?.variables;
    expect(variables?.maxItems ?? variables?.anyOf?.find((v: any) => v.maxItems)?.maxItems, "ProvisioningRequest.variables maxItems").toBeGreaterThan(0);
    const emails = schemas["Customer"]?.properties?.contacts?.items?.properties?.emails;
    expect(emails?.maxItems, "Client.contacts[].emails maxItems").toBeGreaterThan(0);
    expect(schemas["Customer"]?.properties?.organizationName?.maxLength, "Client.organizationName maxLength").toBeGreaterThan(0);
    expect(schemas["Customer"]?.properties?.organizationName?.pattern, "Client.organizationName: a pattern without control characters").toBeDefined();
    for (const route of ["/v1/plans", "/v1/provisionings", "/v1/environments/status"]) {
      // 403 CLUSTER_NOT_ALLOWED where the whole request is refused; a status request may report it per environment.
      const statuses = ["400", "401", "413", "415", "422", "500", ...(route === "/v1/environments/status" ? [] : ["403"])];
      expect(Object.keys(doc.paths[route]!["post"]!.responses), `${route}: documented statuses`).toEqual(expect.arrayContaining(statuses));
    }
  });
});
