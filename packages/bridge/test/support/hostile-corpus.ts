/**
 * The hostile-input corpus: what an attacker holding a valid bridge token (or a buggy 1C configuration) can send,
 * each request with what the bridge must answer. One list for the test (test/hostile.test.ts: status, error code,
 * problems, response size, time, secrets, the document) and the benchmark (bench/hostile.bench.ts: the cost of
 * each rejected request). Free of vitest, so the benchmark can import it.
 *
 * The first cases are the issue's own observations (500 from the redactor's recursion on `-----BEGIN` mid-line;
 * a 1 MiB body of zeros answered with 75 MB of problems after 15 s; 60,000 e-mails and NUL characters accepted;
 * TRACE → an undocumented 501); the rest is the usual catalogue of parser and validator abuse.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { templates as shippedTemplates } from "@sreda/sdk";

export const KIB = 1024;
export const MIB = 1024 * 1024;
/** The largest answer to any bad request: a few kilobytes are enough to say what is wrong. */
export const MAX_ERROR_BYTES = 64 * KIB;

/** A secret with a PEM marker in the middle of a line: the redactor used to recurse on it without end. */
export const PEM_MID_LINE = "x -----BEGIN CERTIFICATE----- MIIBxyz0123456789";
export const VARIABLE_PEM_SECRET = "api-key -----BEGIN PRIVATE KEY----- QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123";
export const SMS4B_PEM_TOKEN = "sms4b -----BEGIN TOKEN----- c21zNGItdG9rZW4tdmFsdWUtMDEyMzQ1Njc4OQ";
export const DUPLICATE_FIRST_TOKEN = "sms4b-token-first-of-two-duplicates-5e1f";
export const DUPLICATE_LAST_TOKEN = "sms4b-token-last-of-two-duplicates-9a7c";

export interface HostileContext {
  /** API root of the allowed (fake) cluster. */
  clusterUrl: string;
  clusterToken: string;
  /** The bridge's body limit (bytes). */
  bodyLimitBytes: number;
  /** `maxLength` of a template body in the OpenAPI document (RequestTemplate.body), when it states one. */
  templateBodyMaxLength: number | undefined;
}

export interface HostileExpectation {
  /** The status, or the statuses a correct bridge may choose between (each documented). */
  status: number | readonly number[];
  /** `code` of the error body (or of each environment's `error` in a 200 status answer). */
  code?: string | readonly string[];
  /** A path that must be among `details.problems[].path`. */
  problemAt?: string;
  /** Upper bound of the answer's size (default MAX_ERROR_BYTES). */
  maxBytes?: number;
  /** The answer must carry an `Allow` header (405). */
  allow?: boolean;
}

export interface HostileCase {
  name: string;
  /** A rejected request whose cost matters (the benchmark measures these; the test probes /healthz meanwhile). */
  heavy?: boolean;
  /** A request naming a cluster outside the allow-list: nothing may leave the bridge. */
  foreignCluster?: boolean;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Built when sent (some are a megabyte). */
  body?: () => Uint8Array;
  /** Sent chunked (no Content-Length), in chunks of this size. */
  chunkBytes?: number;
  expect: HostileExpectation;
  /** Secret values in the body: they must appear in no answer and no log line. */
  secrets?: string[];
  /** Secret values only known once the body is built (a padded megabyte). */
  secretsOf?: (body: any) => string[];
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
const json = (value: unknown) => utf8(JSON.stringify(value));

/** The example customer C42 (examples/c42-lms-dev.input.json) with its secrets, aimed at the given cluster. */
export function baseRequest(ctx: Pick<HostileContext, "clusterUrl" | "clusterToken">): Record<string, any> {
  const file = fileURLToPath(new URL("../../../../examples/c42-lms-dev.input.json", import.meta.url));
  const input = JSON.parse(readFileSync(file, "utf8")) as Record<string, any>;
  return { ...input, environment: { ...input.environment, apiRootUrl: ctx.clusterUrl }, cluster: { token: ctx.clusterToken } };
}

/** Every secret value of `baseRequest`. */
export function baseSecrets(ctx: Pick<HostileContext, "clusterUrl" | "clusterToken">): string[] {
  const b = baseRequest(ctx);
  return [
    ctx.clusterToken,
    b.databases.postgres.adminPassword,
    b.databases.clickhouse.adminPassword,
    b.environment.sms4b.token,
    ...Object.values(b.secrets as Record<string, string>),
  ];
}

/** The base request with `key` set to raw JSON text (built as text: half a million zeros need no array). */
function withRaw(base: Record<string, any>, key: string, raw: string): Uint8Array {
  const { [key]: _drop, ...rest } = base;
  return utf8(`${JSON.stringify(rest).slice(0, -1)},${JSON.stringify(key)}:${raw}}`);
}

const zerosJson = (count: number) => `[${"0,".repeat(count - 1)}0]`;
const nestedArrays = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/** A body of exactly `size` bytes: the base request with a string field padded. */
function padded(base: Record<string, any>, size: number, set: (body: Record<string, any>, pad: string) => void): Uint8Array {
  const probe = structuredClone(base);
  set(probe, "");
  const room = size - Buffer.byteLength(JSON.stringify(probe));
  const body = structuredClone(base);
  set(body, "x".repeat(room));
  const bytes = json(body);
  if (bytes.byteLength !== size) throw new Error(`padded body is ${bytes.byteLength} bytes, not ${size}`);
  return bytes;
}

/** A template override of lms-config (a ConfigMap) whose body text is exactly `length` characters. */
export function configMapTemplateOfLength(length: number): Record<string, unknown> {
  const shipped = shippedTemplates.find((t) => t.id === "lms-config");
  if (!shipped?.body) throw new Error("no shipped lms-config template");
  const manifest = JSON.parse(shipped.body) as Record<string, any>;
  manifest["data"] = { ...manifest["data"], LMS_PADDING: "" };
  const empty = JSON.stringify(manifest);
  manifest["data"]["LMS_PADDING"] = "x".repeat(length - empty.length);
  const body = JSON.stringify(manifest);
  if (body.length !== length) throw new Error(`template body is ${body.length} characters, not ${length}`);
  return { ...shipped, body };
}

/** A ConfigMap template whose body nests `depth` arrays in one data value (20 KB of text for 10,000). */
function deepTemplate(depth: number): Record<string, unknown> {
  const shipped = shippedTemplates.find((t) => t.id === "lms-config")!;
  const manifest = JSON.parse(shipped.body!) as Record<string, any>;
  manifest["data"] = { ...manifest["data"], LMS_DEEP: "@@" };
  return { ...shipped, body: JSON.stringify(manifest).replace('"@@"', `${"[".repeat(depth)}${"]".repeat(depth)}`) };
}

export function hostileCases(ctx: HostileContext): HostileCase[] {
  const base = baseRequest(ctx);
  const { secrets: _s, ...withoutSecrets } = base;
  const limit = ctx.bodyLimitBytes;
  const invalid = { status: 422, code: "INVALID_INPUT" } as const;
  const cases: HostileCase[] = [];
  const post = (name: string, path: string, body: () => Uint8Array, expect: HostileExpectation, extra: Partial<HostileCase> = {}) =>
    cases.push({ name, method: "POST", path, headers: JSON_TYPE, body, expect, ...extra });

  // --- The issue: `-----BEGIN` in the middle of a line, in every place the redactor learns secrets from. The
  // minimal bodies are refused by validation (422), so they show the body parser survives on each POST route.
  const pemCluster = { token: ctx.clusterToken, caCert: PEM_MID_LINE };
  post(
    "caCert with -----BEGIN mid-line, POST /v1/plans (only the cluster)",
    "/v1/plans",
    () => json({ cluster: pemCluster }),
    { ...invalid, problemAt: "client" },
    { secrets: [PEM_MID_LINE] },
  );
  post(
    "caCert with -----BEGIN mid-line, POST /v1/provisionings (only the cluster)",
    "/v1/provisionings",
    () => json({ cluster: pemCluster }),
    { ...invalid, problemAt: "client" },
    { secrets: [PEM_MID_LINE] },
  );
  post(
    "caCert with -----BEGIN mid-line, POST /v1/environments/status",
    "/v1/environments/status",
    () => json({ environments: [{ cluster: pemCluster }] }),
    { ...invalid, problemAt: "environments[0].client" },
    { secrets: [PEM_MID_LINE] },
  );
  post(
    "caCert with -----BEGIN mid-line, POST /v1/provisionings/{unknown}/cancel",
    "/v1/provisionings/00000000-0000-0000-0000-000000000000/cancel",
    () => json({ cluster: pemCluster }),
    { status: 404, code: "OPERATION_NOT_FOUND" },
    { secrets: [PEM_MID_LINE] },
  );
  // A whole valid dry run with it: the caCert only matters for a connection, which a plan without diff never makes.
  post(
    "caCert with -----BEGIN mid-line, a complete dry run",
    "/v1/plans",
    () => json({ ...base, cluster: pemCluster }),
    { status: 200 },
    { secrets: [PEM_MID_LINE] },
  );
  post(
    "a secret variable with -----BEGIN mid-line",
    "/v1/plans",
    () => json({ ...base, variables: [...base["variables"], { name: "LMS_EXTERNAL_API_KEY", value: VARIABLE_PEM_SECRET, secret: true }] }),
    { status: 200 },
    { secrets: [VARIABLE_PEM_SECRET] },
  );
  post(
    "the sms4b token with -----BEGIN mid-line",
    "/v1/plans",
    () => json({ ...base, environment: { ...base["environment"], sms4b: { token: SMS4B_PEM_TOKEN } } }),
    { status: 200 },
    { secrets: [SMS4B_PEM_TOKEN] },
  );

  // --- The issue: amplification. A megabyte of zeros must not become megabytes of problems or seconds of work.
  const zeros = Math.floor((limit - Buffer.byteLength(JSON.stringify(base)) - 20) / 2);
  post(
    `variables: ${zeros.toLocaleString("en")} zeros (a ${(limit / MIB).toFixed(0)} MiB body)`,
    "/v1/plans",
    () => withRaw(base, "variables", zerosJson(zeros)),
    { ...invalid, problemAt: "variables" },
    { heavy: true },
  );
  post("variables: 200,000 zeros", "/v1/plans", () => withRaw(base, "variables", zerosJson(200_000)), { ...invalid, problemAt: "variables" }, { heavy: true });
  post(
    "variables: 520,000 zeros on POST /v1/provisionings",
    "/v1/provisionings",
    () => withRaw(base, "variables", zerosJson(Math.min(520_000, zeros))),
    { ...invalid, problemAt: "variables" },
    { heavy: true },
  );
  post(
    "60,000 e-mails in one contact",
    "/v1/plans",
    () =>
      json({ ...base, client: { ...base["client"], contacts: [{ ...base["client"].contacts[0], emails: Array.from({ length: 60_000 }, () => "a@b.ru") }] } }),
    { ...invalid, problemAt: "client.contacts[0].emails" },
    { heavy: true },
  );
  post(
    "5,000 contacts",
    "/v1/plans",
    () => json({ ...base, client: { ...base["client"], contacts: Array.from({ length: 5_000 }, () => ({ name: "И" })) } }),
    { ...invalid, problemAt: "client.contacts" },
    { heavy: true },
  );
  post(
    "30,000 templates",
    "/v1/plans",
    () => json({ ...base, templates: Array.from({ length: 30_000 }, () => ({ id: "t" })) }),
    { ...invalid, problemAt: "templates" },
    { heavy: true },
  );
  post(
    "50,000 environments in one status request",
    "/v1/environments/status",
    () => json({ environments: Array.from({ length: 50_000 }, () => 0) }),
    { ...invalid, problemAt: "environments" },
    { heavy: true },
  );

  // --- The issue: control characters where they cannot belong.
  post("\\u0000 in the organisation's name", "/v1/plans", () => json({ ...base, client: { ...base["client"], organizationName: "ООО «Ромашка»\u0000" } }), {
    ...invalid,
    problemAt: "client.organizationName",
  });
  post(
    "\\u0000 in a variable's value",
    "/v1/plans",
    () => json({ ...base, variables: [...base["variables"], { name: "LMS_ORG_TITLE", value: "Ромашка\u0000; rm -rf /" }] }),
    { ...invalid, problemAt: `variables[${base["variables"].length}].value` },
  );
  post(
    "\\u0007 (BEL) and \\u001b (ESC) in a contact's name",
    "/v1/plans",
    () => json({ ...base, client: { ...base["client"], contacts: [{ name: "Иванова\u0007\u001b[2J" }] } }),
    { ...invalid, problemAt: "client.contacts[0].name" },
  );

  // --- The issue: TRACE answered with an undocumented 501. A known address answers a method it lacks with 405 and Allow.
  for (const path of ["/v1/plans", "/healthz", "/v1/provisionings/00000000-0000-0000-0000-000000000000"]) {
    cases.push({ name: `TRACE ${path}`, method: "TRACE", path, expect: { status: 405, code: "METHOD_NOT_ALLOWED", allow: true } });
  }
  // QUERY is what schemathesis sends next (an HTTP method Node parses; the IETF's safe method with a body).
  cases.push({
    name: "QUERY /v1/plans",
    method: "QUERY",
    path: "/v1/plans",
    headers: JSON_TYPE,
    body: () => json(base),
    expect: { status: 405, code: "METHOD_NOT_ALLOWED", allow: true },
  });
  cases.push({ name: "TRACE on an unknown address", method: "TRACE", path: "/v1/nope", expect: { status: 404, code: "NOT_FOUND" } });

  // --- The parser.
  const text = JSON.stringify(base);
  post(
    "truncated JSON",
    "/v1/plans",
    () => utf8(text.slice(0, Math.floor(text.length / 2))),
    { status: 400, code: "BAD_JSON" },
    { secrets: [base["databases"].postgres.adminPassword] },
  );
  post("100,000 nested [ without an end", "/v1/plans", () => utf8("[".repeat(100_000)), { status: 400, code: "BAD_JSON" }, { heavy: true });
  post("100,000 nested arrays as the body", "/v1/plans", () => utf8(nestedArrays(100_000)), { ...invalid, problemAt: "$" }, { heavy: true });
  post(
    "100,000 nested arrays in variables",
    "/v1/plans",
    () => withRaw(base, "variables", nestedArrays(100_000)),
    { ...invalid, problemAt: "variables[0]" },
    { heavy: true },
  );
  post(
    "100,000 nested objects under an unknown field",
    "/v1/plans",
    () => withRaw(base, "deep", `${'{"a":'.repeat(100_000)}0${"}".repeat(100_000)}`),
    { ...invalid, problemAt: "deep" },
    { heavy: true },
  );
  post(
    "100,000 nested objects as the client",
    "/v1/plans",
    () => withRaw(base, "client", `${'{"a":'.repeat(100_000)}0${"}".repeat(100_000)}`),
    { ...invalid, problemAt: "client.a" },
    { heavy: true },
  );
  post(
    "10,000 nested arrays inside a template body (the renderer, the manifest check)",
    "/v1/plans",
    () => json({ ...base, templates: [deepTemplate(10_000)] }),
    { ...invalid, problemAt: "templates.lms-config" },
    { heavy: true },
  );
  post("invalid UTF-8", "/v1/plans", () => new Uint8Array([...Buffer.from('{"client":{"organizationName":"'), 0xc3, 0x28, 0xff, 0xfe, ...Buffer.from('"}}')]), {
    status: 400,
    code: "BAD_ENCODING",
  });
  post("an overlong UTF-8 encoding of '/' (0xC0 0xAF)", "/v1/plans", () => new Uint8Array([...Buffer.from('{"a":"'), 0xc0, 0xaf, ...Buffer.from('"}')]), {
    status: 400,
    code: "BAD_ENCODING",
  });
  post(
    "a UTF-16 surrogate encoded in UTF-8 (0xED 0xA0 0x80)",
    "/v1/plans",
    () => new Uint8Array([...Buffer.from('{"a":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')]),
    { status: 400, code: "BAD_ENCODING" },
  );
  post(
    "replicas: 1e400 (Infinity after parsing)",
    "/v1/plans",
    () => utf8(JSON.stringify({ ...base, environment: { ...base["environment"], replicas: 12345 } }).replace("12345", "1e400")),
    { ...invalid, problemAt: "environment.replicas" },
  );
  post(
    "port: 2^63",
    "/v1/plans",
    () =>
      utf8(
        JSON.stringify({ ...base, databases: { ...base["databases"], postgres: { ...base["databases"].postgres, port: 12345 } } }).replace(
          "12345",
          "9223372036854775808",
        ),
      ),
    { ...invalid, problemAt: "databases.postgres.port" },
  );
  post(
    "replicas: -0 (a valid 0)",
    "/v1/plans",
    () => utf8(JSON.stringify({ ...base, environment: { ...base["environment"], replicas: 12345 } }).replace("12345", "-0")),
    { status: 200 },
  );
  post("replicas: 1.5 for an integer", "/v1/plans", () => json({ ...base, environment: { ...base["environment"], replicas: 1.5 } }), {
    ...invalid,
    problemAt: "environment.replicas",
  });
  post("template order: 1e308", "/v1/plans", () => json({ ...base, templates: [{ ...shippedTemplates.find((t) => t.id === "lms-config"), order: 1e308 }] }), {
    ...invalid,
    problemAt: "templates[0].order",
  });
  post(
    "replicas: a number of 100,000 digits",
    "/v1/plans",
    () => withRaw(base, "environment", JSON.stringify({ ...base["environment"], replicas: 12345 }).replace("12345", "9".repeat(100_000))),
    { ...invalid, problemAt: "environment.replicas" },
  );
  post(
    "duplicate keys (the last one wins, the first is never seen)",
    "/v1/plans",
    () => {
      const environment = (token: string) => JSON.stringify({ ...base["environment"], sms4b: { token } });
      return utf8(text.replace(/}$/, `,"environment":${environment(DUPLICATE_FIRST_TOKEN)},"environment":${environment(DUPLICATE_LAST_TOKEN)}}`));
    },
    { status: 200 },
    { secrets: [DUPLICATE_FIRST_TOKEN, DUPLICATE_LAST_TOKEN] },
  );
  post(
    "duplicate keys: a valid client, then an invalid one",
    "/v1/plans",
    () => utf8(text.replace(/}$/, `,"client":${JSON.stringify({ ...base["client"], id: "c042" })}}`)),
    { ...invalid, problemAt: "client.id" },
  );
  post("a BOM in the middle of the body", "/v1/plans", () => utf8(text.replace('"client":', '"client":\uFEFF')), { status: 400, code: "BAD_JSON" });
  post("JSON with a trailing second document", "/v1/plans", () => utf8(`${text} {}`), { status: 400, code: "BAD_JSON" });
  post("a body of 1 MiB of spaces", "/v1/plans", () => utf8(" ".repeat(limit)), { ...invalid, problemAt: "$" }, { heavy: true });

  // --- Size.
  const big = (set: (b: Record<string, any>, pad: string) => void) => () => padded(base, limit, set);
  post(
    "a 1 MiB organisation name (the body exactly at the limit)",
    "/v1/plans",
    big((b, pad) => (b.client.organizationName = pad)),
    { ...invalid, problemAt: "client.organizationName" },
    { heavy: true },
  );
  post(
    "a 1 MiB cluster token (a secret, never echoed)",
    "/v1/plans",
    big((b, pad) => (b.cluster = { token: `tok${pad}` })),
    { ...invalid, problemAt: "cluster.token" },
    { heavy: true, secretsOf: (body) => [body.cluster.token] },
  );
  post(
    "a 1 MiB variable value",
    "/v1/plans",
    big((b, pad) => b.variables.push({ name: "LMS_BIG", value: pad })),
    { ...invalid, problemAt: `variables[${base["variables"].length}].value` },
    { heavy: true },
  );
  post(
    "a 1 MiB API root URL",
    "/v1/plans",
    big((b, pad) => (b.environment.apiRootUrl = `https://a${pad}.example/`)),
    { ...invalid, problemAt: "environment.apiRootUrl" },
    { heavy: true },
  );
  // Names are echoed in problems (`неизвестное поле «…»`, and the path): a long one must not come back whole.
  post(
    "a 1 MiB unknown key",
    "/v1/plans",
    big((b, pad) => (b[`k${pad}`] = 0)),
    { ...invalid },
    { heavy: true },
  );
  post(
    "100 unknown keys of 10 KiB each",
    "/v1/plans",
    () => json({ ...base, ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`${i}`.padEnd(10 * KIB, "k"), 0])) }),
    { ...invalid },
    { heavy: true },
  );
  post(
    "a template whose manifest has an unknown field named by 200 KiB",
    "/v1/plans",
    () => {
      const template = configMapTemplateOfLength(2_000);
      const manifest = JSON.parse(template["body"] as string) as Record<string, unknown>;
      manifest["k".repeat(200 * KIB)] = 1;
      return json({ ...base, templates: [{ ...template, body: JSON.stringify(manifest) }] });
    },
    { ...invalid, problemAt: undefined },
    { heavy: true },
  );
  post(
    `a body of ${limit + 1} bytes (Content-Length)`,
    "/v1/plans",
    () => padded(base, limit + 1, (b, pad) => (b.client.organizationName = pad)),
    { status: 413, code: "PAYLOAD_TOO_LARGE" },
    { heavy: true },
  );
  cases.push({
    name: `a body of ${limit + 1} bytes, chunked`,
    heavy: true,
    method: "POST",
    path: "/v1/plans",
    headers: JSON_TYPE,
    body: () => padded(base, limit + 1, (b, pad) => (b.client.organizationName = pad)),
    chunkBytes: 64 * KIB,
    expect: { status: 413, code: "PAYLOAD_TOO_LARGE" },
  });
  post("a Content-Length of 10 GiB (nothing sent)", "/v1/plans", () => new Uint8Array(0), { status: 413, code: "PAYLOAD_TOO_LARGE" });
  cases[cases.length - 1]!.headers = { ...JSON_TYPE, "content-length": String(10 * 1024 * MIB) };

  // --- Media types and fields.
  post("Content-Type application/xml", "/v1/plans", () => utf8("<plan/>"), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  cases[cases.length - 1]!.headers = { "content-type": "application/xml" };
  post("Content-Type multipart/form-data without a boundary", "/v1/plans", () => json(base), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  cases[cases.length - 1]!.headers = { "content-type": "multipart/form-data" };
  post("Content-Type with an unknown charset", "/v1/plans", () => json(base), { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
  cases[cases.length - 1]!.headers = { "content-type": "application/json; charset=x-klingon" };
  post("Content-Type application/json; charset=utf-16le with UTF-8 bytes", "/v1/plans", () => json(base), {
    status: [400, 415],
    code: ["BAD_JSON", "BAD_ENCODING", "UNSUPPORTED_MEDIA_TYPE"],
  });
  cases[cases.length - 1]!.headers = { "content-type": "application/json; charset=utf-16le" };
  post("an unknown field", "/v1/plans", () => json({ ...base, colour: "blue" }), { ...invalid, problemAt: "colour" });
  post(
    "60,000 unknown fields",
    "/v1/plans",
    () => json({ ...base, ...Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`f${i}`, 0])) }),
    { ...invalid, problemAt: "f0" },
    { heavy: true },
  );
  post(
    "__proto__ and constructor keys",
    "/v1/plans",
    () => utf8(text.replace(/}$/, ',"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')),
    { ...invalid, problemAt: "__proto__" },
  );

  // --- Templates at the document's limit: the largest body is accepted, one character more is refused.
  const max = ctx.templateBodyMaxLength;
  if (max !== undefined) {
    post(
      `a template body of the maximum size (${max} characters)`,
      "/v1/plans",
      () => json({ ...withoutSecrets, templates: [configMapTemplateOfLength(max)] }),
      { status: 200, maxBytes: 2 * max + MAX_ERROR_BYTES },
    );
    post(
      `a template body one character over (${max + 1})`,
      "/v1/plans",
      () => json({ ...withoutSecrets, templates: [configMapTemplateOfLength(max + 1)] }),
      { ...invalid, problemAt: "templates[0].body" },
      { heavy: true },
    );
  }

  // --- The allow-list: another cluster is refused before any connection.
  const foreign = { foreignCluster: true } as const;
  const notAllowed = { status: 403, code: "CLUSTER_NOT_ALLOWED" } as const;
  post(
    "diff against another cluster (cluster.apiRootUrl)",
    "/v1/plans",
    () => json({ ...base, diff: true, cluster: { token: ctx.clusterToken, apiRootUrl: "https://kubernetes.other.example/k8s/clusters/c-1/" } }),
    notAllowed,
    foreign,
  );
  post(
    "diff against the cloud metadata address (environment.apiRootUrl)",
    "/v1/plans",
    () => json({ ...base, diff: true, environment: { ...base["environment"], apiRootUrl: "http://169.254.169.254/latest/" } }),
    notAllowed,
    foreign,
  );
  post(
    "a provisioning on another port of loopback",
    "/v1/provisionings",
    () => json({ ...base, cluster: { token: ctx.clusterToken, apiRootUrl: "http://127.0.0.1:1/" } }),
    notAllowed,
    foreign,
  );
  post(
    "a provisioning on localhost spelt as a name",
    "/v1/provisionings",
    () => json({ ...base, cluster: { token: ctx.clusterToken, apiRootUrl: ctx.clusterUrl.replace("127.0.0.1", "localhost") } }),
    notAllowed,
    foreign,
  );
  post(
    "a provisioning with the allowed URL as a user name (…@other host)",
    "/v1/provisionings",
    () => json({ ...base, cluster: { token: ctx.clusterToken, apiRootUrl: `http://${new URL(ctx.clusterUrl).host}@kubernetes.other.example/` } }),
    { ...invalid, problemAt: "cluster.apiRootUrl" },
    foreign,
  );
  post(
    "a status request for another cluster",
    "/v1/environments/status",
    () =>
      json({
        environments: [
          {
            client: { id: "C42" },
            environment: { namespace: "lms-dev", apiRootUrl: "https://kubernetes.other.example/" },
            cluster: { token: ctx.clusterToken },
          },
        ],
      }),
    // The whole request refused, or that environment's own error: either way no connection.
    { status: [403, 200], code: "CLUSTER_NOT_ALLOWED" },
    foreign,
  );
  return cases;
}
