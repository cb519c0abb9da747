/**
 * The HTTP surface over real HTTP, without a cluster: health, contract, catalog, dry-run plans, and every error
 * path of the request pipeline (auth, routing, body parsing, validation).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorResponse, MacrosResponse, PlanResponse, TemplatesResponse } from "../src/schemas.js";
import { BRIDGE_TOKEN, exampleInput, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
const input = exampleInput();

beforeAll(async () => {
  h = await startHarness({ config: { bodyLimitBytes: 64 * 1024 } });
  h.scanner.secret(
    input.databases.postgres.adminPassword,
    input.databases.clickhouse.adminPassword,
    input.environment.sms4b.token,
    ...Object.values(input.secrets as Record<string, string>),
  );
});

afterAll(async () => {
  await h.close();
  expect(h.scanner.scannedCount).toBeGreaterThan(20);
  h.scanner.expectClean();
});

const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** windows-1251 bytes of a string (Cyrillic letters, Ё/ё, « », ASCII): what an old 1C configuration might send. */
function cp1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code >= 0x410 && code <= 0x44f) bytes.push(code - 0x410 + 0xc0);
    else if (ch === "Ё") bytes.push(0xa8);
    else if (ch === "ё") bytes.push(0xb8);
    else if (ch === "«") bytes.push(0xab);
    else if (ch === "»") bytes.push(0xbb);
    else throw new Error(`no cp1251 for ${ch}`);
  }
  return Buffer.from(bytes);
}

function expectError(res: { status: number; json: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(ErrorResponse.parse(res.json).code).toBe(code);
  expect(res.json.message).toMatch(/[а-яё]/i); // for the operator, in Russian
}

describe("health and contract", () => {
  it("answers /healthz and /readyz without a token", async () => {
    expect((await h.raw("/healthz", { auth: false })).json).toEqual({ status: "ok" });
    const ready = await h.raw("/readyz", { auth: false });
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: "ready", development: false, operations: { running: 0 } });
  });

  it("serves the OpenAPI 3.1 document without a token", async () => {
    const res = await h.raw("/openapi.json", { auth: false });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    expect(Object.keys(res.json.paths)).toContain("/v1/provisionings/{id}");
  });

  it("lists the templates and the macro catalog through the typed client", async () => {
    const templates = await h.client.GET("/v1/templates");
    expect(TemplatesResponse.parse(templates.data).templates.map((t) => t.id)).toContain("lms-deployment");
    const macros = await h.client.GET("/v1/macros");
    const catalog = MacrosResponse.parse(macros.data).macros;
    expect(catalog.find((m) => m.name === "postgres-admin-password")).toMatchObject({ secret: true, source: "databases" });
  });
});

describe("request id", () => {
  it("echoes a sane X-Request-Id and logs it", async () => {
    const res = await h.raw("/v1/templates", { headers: { "x-request-id": "1c-req-42" } });
    expect(res.headers.get("x-request-id")).toBe("1c-req-42");
    const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "request" && l.requestId === "1c-req-42");
    expect(line).toMatchObject({ method: "GET", route: "/v1/templates", path: "/v1/templates", status: 200 });
    expect(typeof line.ms).toBe("number");
  });

  it("replaces a missing or malformed one with a UUID, also in error bodies", async () => {
    const res = await h.raw("/v1/nope", { headers: { "x-request-id": "bad id with spaces" } });
    const id = res.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json.details.requestId).toBe(id);
  });
});

describe("authentication", () => {
  it("401 without a token, with a Bearer challenge", async () => {
    const res = await h.raw("/v1/templates", { auth: false });
    expectError(res, 401, "UNAUTHORIZED");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("401 with a wrong token, of the same or another length", async () => {
    expectError(await h.raw("/v1/templates", { auth: BRIDGE_TOKEN.replace(/.$/, "x") }), 401, "UNAUTHORIZED");
    expectError(await h.raw("/v1/templates", { auth: "short" }), 401, "UNAUTHORIZED");
    expectError(await h.raw("/v1/templates", { auth: false, headers: { authorization: `Basic ${BRIDGE_TOKEN}` } }), 401, "UNAUTHORIZED");
  });

  it("accepts the scheme in any case", async () => {
    const res = await h.raw("/v1/templates", { auth: false, headers: { authorization: `bearer ${BRIDGE_TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it("checks the token before reading a body", async () => {
    expectError(await h.raw("/v1/plans", { auth: false, method: "POST", body: "{not json" }), 401, "UNAUTHORIZED");
  });

  it("the probes and the contract are public for GET and HEAD only: a POST to them needs the token first", async () => {
    const big = JSON.stringify({ filler: "x".repeat(1024 * 1024) });
    for (const path of ["/healthz", "/readyz", "/openapi.json"]) {
      const res = await h.raw(path, { auth: false, method: "POST", headers: { "content-type": "application/json" }, body: big });
      expectError(res, 401, "UNAUTHORIZED");
      expect((await h.raw(path, { auth: false, method: "HEAD" })).status).toBe(200);
      expect((await h.raw(path, { auth: false })).status).toBe(200);
    }
    // With the token, the wrong method is still a 405 (the route exists).
    expect((await h.raw("/healthz", { method: "POST" })).status).toBe(405);
  });
});

describe("routing", () => {
  it("404 for an unknown route, as JSON", async () => {
    const res = await h.raw("/v2/everything");
    expectError(res, 404, "NOT_FOUND");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("405 with Allow for a known route and a wrong method", async () => {
    const res = await h.raw("/v1/plans", { method: "GET" });
    expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.get("allow")).toContain("POST");
  });

  it("404 for an unknown operation", async () => {
    const res = await h.client.GET("/v1/provisionings/{id}", { params: { path: { id: "00000000-0000-0000-0000-000000000000" } } });
    expect(res.response.status).toBe(404);
    expect(res.error?.code).toBe("OPERATION_NOT_FOUND");
    const cancel = await h.client.POST("/v1/provisionings/{id}/cancel", { params: { path: { id: "nope" } } });
    expect(cancel.error?.code).toBe("OPERATION_NOT_FOUND");
  });
});

describe("body parsing", () => {
  const body = JSON.stringify({ ...input, variables: [{ name: "LMS_ORG_TITLE", value: "ООО «Ромашка» — Ёлки" }] });
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);

  it.each([
    ["application/json", false],
    ["application/json; charset=utf-8", true],
    ["application/json; charset=UTF-8", true],
    ['application/json;charset="utf-8"', false],
    ["application/json; charset=utf8", true],
    [undefined, true],
    ["text/plain; charset=utf-8", true],
    ["application/vnd.sreda+json", false],
  ])("accepts Content-Type %s (BOM: %s) and keeps Cyrillic text", async (contentType, withBom) => {
    const bytes = Buffer.concat([withBom ? bom : Buffer.alloc(0), Buffer.from(body, "utf8")]);
    const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
    // fetch adds text/plain to a string body; a Uint8Array body goes without a Content-Type unless we set one.
    const res = await h.raw("/v1/plans", { method: "POST", headers, body: new Uint8Array(bytes) });
    expect(res.status, res.text).toBe(200);
    const config = PlanResponse.parse(res.json).plan.steps.find((s) => s.id === "lms-config")!;
    expect((config.request.body as any).data.LMS_ORG_TITLE).toBe("ООО «Ромашка» — Ёлки");
  });

  it("decodes a windows-1251 body when the charset says so", async () => {
    const text = JSON.stringify({ ...input, variables: [{ name: "LMS_ORG_TITLE", value: "ООО «Ромашка», Ёлки" }] });
    const res = await h.raw("/v1/plans", {
      method: "POST",
      headers: { "content-type": "application/json; charset=windows-1251" },
      body: new Uint8Array(cp1251(text)),
    });
    expect(res.status, res.text).toBe(200);
    expect((res.json.plan.steps.find((s: any) => s.id === "lms-config").request.body as any).data.LMS_ORG_TITLE).toBe("ООО «Ромашка», Ёлки");
  });

  it("400 BAD_JSON with the position, never quoting the body", async () => {
    const res = await h.raw("/v1/plans", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"databases": {"postgres": {"adminPassword": "${input.databases.postgres.adminPassword}"`,
    });
    expectError(res, 400, "BAD_JSON");
    expect(typeof res.json.details.position).toBe("number");
    expect(res.text).not.toContain("adminPassword");
  });

  it("400 for bytes that are not UTF-8", async () => {
    const res = await h.raw("/v1/plans", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expectError(res, 400, "BAD_ENCODING");
  });

  it("415 for another media type or an unknown charset", async () => {
    expectError(await h.raw("/v1/plans", { method: "POST", headers: { "content-type": "application/xml" }, body: "<a/>" }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectError(
      await h.raw("/v1/plans", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectError(
      await h.raw("/v1/plans", { method: "POST", headers: { "content-type": "application/json; charset=klingon" }, body: "{}" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("413 for a body over the limit, declared or streamed", async () => {
    const big = JSON.stringify({ pad: "x".repeat(70 * 1024) });
    const declared = await h.raw("/v1/plans", { method: "POST", headers: { "content-type": "application/json" }, body: big });
    expectError(declared, 413, "PAYLOAD_TOO_LARGE");
    expect(declared.json.details.limitBytes).toBe(64 * 1024);
    // Chunked: no Content-Length, so the limit is found while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(8 * 1024)));
        controller.close();
      },
    });
    const chunked = await h.raw("/v1/plans", { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    expectError(chunked, 413, "PAYLOAD_TOO_LARGE");
  });

  it("the bridge still answers after refusing big bodies", async () => {
    expect((await h.raw("/healthz")).status).toBe(200);
  });
});

describe("validation", () => {
  it("422 for an empty body", async () => {
    const res = await h.raw("/v1/plans", { method: "POST", headers: { "content-type": "application/json" }, body: "" });
    expectError(res, 422, "INVALID_INPUT");
    expect(res.json.details.problems).toEqual([expect.objectContaining({ path: "$", message: "ожидался JSON-объект" })]);
  });

  it("422 with every problem and its path: wrong types, a bad customer id, unknown fields", async () => {
    const bad = {
      ...input,
      client: { ...input.client, id: "c042", contacts: [{ name: "Иванова", emails: ["not-an-email"] }] },
      environment: { ...input.environment, replicas: "two" },
      databases: { ...input.databases, postgres: { ...input.databases.postgres, port: 70000 } },
      colour: "blue",
    };
    const res = await h.raw("/v1/plans", json(bad));
    expectError(res, 422, "INVALID_INPUT");
    const paths = res.json.details.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["client.id", "client.contacts[0].emails[0]", "environment.replicas", "databases.postgres.port", "colour"]));
    for (const p of res.json.details.problems) expect(p.message).toMatch(/[а-яё]/i);
  });

  it("422 from the SDK for a manifest problem (a template override), with the template path", async () => {
    const template = {
      id: "lms-service",
      title: "Сервис",
      order: 70,
      method: "POST",
      path: "/api/v1/namespaces/{{namespace-id}}/services",
      apiVersion: "v1",
      kind: "Service",
      name: "lms-service-{{client-slug}}",
      body: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"lms-service-{{client-slug}}","namespace":"{{namespace-id}}"},"spec":{"portz":[]}}',
    };
    const res = await h.raw("/v1/plans", json({ ...input, templates: [template] }));
    expectError(res, 422, "INVALID_INPUT");
    expect(res.json.details.problems.some((p: { path: string }) => p.path.startsWith("templates.lms-service"))).toBe(true);
  });

  it("422 for diff without a cluster", async () => {
    const res = await h.raw("/v1/plans", json({ ...input, diff: true }));
    expectError(res, 422, "INVALID_INPUT");
    expect(res.json.details.problems[0].path).toBe("cluster");
  });

  it("422 for a provisioning without a cluster, before anything starts", async () => {
    const res = await h.client.POST("/v1/provisionings", { body: { ...input } as never });
    expect(res.response.status).toBe(422);
    expect(res.error?.details.problems?.map((p) => p.path)).toContain("cluster");
    expect(h.operations.size).toBe(0);
  });
});

describe("dry-run plans", () => {
  it("returns the plan with every secret masked", async () => {
    const { data, response } = await h.client.POST("/v1/plans", { body: input as never });
    expect(response.status).toBe(200);
    const plan = PlanResponse.parse(data);
    expect(plan.secretSources).toEqual({
      rsaPrivateKeyPem: "supplied",
      keysSecretSeed: "supplied",
      postgresUserPassword: "supplied",
      clickhouseUserPassword: "supplied",
    });
    expect(plan.diff).toBeUndefined();
    const secret = plan.plan.steps.find((s) => s.id === "db-setup-secret")!;
    expect(Object.values((secret.request.body as any).stringData)).toEqual(["<redacted>", "<redacted>", "<redacted>", "<redacted>"]);
  });

  it("builds the plan without secrets, with placeholders that never show", async () => {
    const { secrets: _secrets, ...withoutSecrets } = input;
    const { data } = await h.client.POST("/v1/plans", { body: withoutSecrets as never });
    expect(data?.secretSources.postgresUserPassword).toBe("placeholder");
    expect(JSON.stringify(data)).not.toContain("placeholder-postgres-password");
  });
});
