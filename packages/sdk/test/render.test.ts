import { describe, expect, it } from "vitest";
import { getTemplate } from "@sreda/templates";
import { SredaError } from "../src/core/errors.js";
import { macroCatalog } from "../src/core/macros.js";
import { renderTemplate } from "../src/core/render.js";

const t = (body: unknown, path = "/api/v1/namespaces/{{namespace-id}}/configmaps") => ({
  id: "test-template",
  method: "POST" as const,
  path,
  body: body === null ? null : typeof body === "string" ? body : JSON.stringify(body),
});

function captureError(fn: () => unknown): SredaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SredaError) return error;
    throw error;
  }
  throw new Error("expected a SredaError");
}

describe("renderTemplate", () => {
  const hostile = [
    `"quoted"`,
    `back\\slash`,
    "new\nline\r\ttab",
    "{{client-id}}",
    "}}{{",
    "</script><script>alert(1)</script>",
    `", "kind": "Pod", "x": "`,
    "\u0000\u2028\u2029",
    "ООО «Ромашка» & Co <b>",
  ];

  it.each(hostile)("keeps a hostile value one string: %j", (value) => {
    const out = renderTemplate(t({ data: { A: "{{client-id}}", B: "pre-{{client-id}}-post" } }), { "client-id": value, "namespace-id": "lms-dev" });
    expect(out.body).toEqual({ data: { A: value, B: `pre-${value}-post` } });
    expect(Object.keys(out.body!)).toEqual(["data"]);
  });

  it("substitutes macros in the spec's own syntax, with no HTML escaping", () => {
    const out = renderTemplate(t({ metadata: { name: "lms-config-{{client-slug}}", namespace: "{{namespace-id}}" } }), {
      "client-slug": "c42",
      "namespace-id": "lms-dev",
    });
    expect(out).toEqual({
      method: "POST",
      path: "/api/v1/namespaces/lms-dev/configmaps",
      body: { metadata: { name: "lms-config-c42", namespace: "lms-dev" } },
      sensitivePaths: [],
      secretMacroPaths: {},
    });
  });

  it("renders a string that is exactly an integer macro as a number", () => {
    const out = renderTemplate(t({ spec: { replicas: "{{replicas}}", label: "r{{replicas}}" } }), { replicas: "3", "namespace-id": "x" });
    expect(out.body).toEqual({ spec: { replicas: 3, label: "r3" } });
  });

  it("rejects a non-integer value for an integer macro", () => {
    const error = captureError(() => renderTemplate(t({ spec: { replicas: "{{replicas}}" } }), { replicas: "three", "namespace-id": "x" }));
    expect(error.code).toBe("INVALID_MACRO_VALUE");
    expect(error.message).toContain("{{replicas}}");
  });

  it("names the macro and the template for an unknown macro", () => {
    const error = captureError(() => renderTemplate(t({ a: "{{no-such-macro}}" }), { "namespace-id": "x" }));
    expect(error.code).toBe("UNKNOWN_MACRO");
    expect(error.message).toContain("{{no-such-macro}}");
    expect(error.message).toContain("test-template");
    expect(error.details).toMatchObject({ templateId: "test-template", macro: "no-such-macro", where: "$.a" });
  });

  it("names the macro and the template for a missing value, never rendering an empty string", () => {
    const error = captureError(() => renderTemplate(t({ a: "x{{public-dns}}" }), { "namespace-id": "x" }));
    expect(error.code).toBe("MISSING_MACRO_VALUE");
    expect(error.message).toContain("{{public-dns}}");
    expect(error.message).toContain("test-template");
  });

  it("treats an empty-string value as a value", () => {
    expect(renderTemplate(t({ a: "x{{public-dns}}" }), { "namespace-id": "x", "public-dns": "" }).body).toEqual({ a: "x" });
  });

  it("rejects a template that is not valid JSON with line and column", () => {
    const text = '{\n  "a": "1"\n  "b": "2"\n}';
    const error = captureError(() => renderTemplate(t(text), { "namespace-id": "x" }));
    expect(error.code).toBe("TEMPLATE_INVALID_JSON");
    expect(error.details).toMatchObject({ templateId: "test-template", line: 3, column: 3 });
    expect(error.message).toContain("строка 3");
  });

  it("rejects truncated JSON at its end", () => {
    const error = captureError(() => renderTemplate(t('{\n "a": '), { "namespace-id": "x" }));
    expect(error.details).toMatchObject({ line: 2, column: 7 });
  });

  it("rejects a macro outside a string as invalid JSON (structure cannot come from values)", () => {
    const error = captureError(() => renderTemplate(t('{ "replicas": {{replicas}} }'), { replicas: "1", "namespace-id": "x" }));
    expect(error.code).toBe("TEMPLATE_INVALID_JSON");
  });

  it.each([
    "{{#if client-id}}x{{/if}}",
    "{{lookup . 'a'}}",
    "{{{client-id}}}",
    "{{! comment }}",
    "{{> partial}}",
    "{{this}}",
    "{{../client-id}}",
    "{{~client-id}}",
  ])("allows only plain {{name}} macros: %s", (source) => {
    const error = captureError(() => renderTemplate(t({ a: source }), { "client-id": "C42", "namespace-id": "x" }));
    expect(["TEMPLATE_INVALID", "UNKNOWN_MACRO"]).toContain(error.code);
  });

  it("keeps an escaped mustache literal", () => {
    expect(renderTemplate(t({ a: "\\{{client-id}}" }), { "client-id": "C42", "namespace-id": "x" }).body).toEqual({ a: "{{client-id}}" });
  });

  it("rejects macros in object keys", () => {
    const error = captureError(() => renderTemplate(t({ data: { "{{client-id}}": "x" } }), { "client-id": "C42", "namespace-id": "x" }));
    expect(error.code).toBe("TEMPLATE_INVALID");
  });

  it("keeps a __proto__ key as data", () => {
    const out = renderTemplate(t('{"__proto__": {"polluted": "yes"}}'), { "namespace-id": "x" });
    expect(Object.getPrototypeOf(out.body)).toBe(Object.prototype);
    expect(Object.hasOwn(out.body!, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("percent-encodes macro values in the path", () => {
    const out = renderTemplate(t(null, "/api/v1/namespaces/{{namespace-id}}/pods?labelSelector=app%3D{{client-id}}-lms"), {
      "namespace-id": "../kube-system?x=1",
      "client-id": "C42&watch=true",
    });
    expect(out.path).toBe("/api/v1/namespaces/..%2Fkube-system%3Fx%3D1/pods?labelSelector=app%3DC42%26watch%3Dtrue-lms");
    expect(out.body).toBeNull();
  });

  it("refuses a secret macro in the path (URLs end up in logs)", () => {
    const error = captureError(() => renderTemplate(t(null, "/x/{{postgres-admin-password}}"), { "postgres-admin-password": "p" }));
    expect(error.code).toBe("TEMPLATE_INVALID");
  });

  it("records the JSON paths that received secret values", () => {
    const out = renderTemplate(t({ stringData: { DSN: "postgres://u:{{postgres-user-password}}@h", "a.b": "{{keys-secret-seed}}", plain: "{{client-id}}" } }), {
      "postgres-user-password": "pw",
      "keys-secret-seed": "seed",
      "client-id": "C42",
      "namespace-id": "x",
    });
    expect(out.sensitivePaths).toEqual(["$.stringData.DSN", '$.stringData["a.b"]']);
  });

  it("renders every shipped template with values for every catalog macro", () => {
    const values = Object.fromEntries(macroCatalog.map((m) => [m.name, m.type === "integer" ? "1" : `v-${m.name}`]));
    for (const id of ["lms-config", "lms-deployment", "pod-monitoring"]) {
      const template = getTemplate(id)!;
      expect(() => renderTemplate(template, values)).not.toThrow();
    }
  });
});

describe("renderTemplate: compiled once per template version", () => {
  const values = { "client-id": "C42", "namespace-id": "lms-dev" };

  it("renders a changed body of the same template id as changed, and the first again when it comes back", () => {
    const first = renderTemplate(t({ data: { a: "{{client-id}}" } }), values);
    const second = renderTemplate(t({ data: { b: "x-{{client-id}}" } }), values);
    expect(first.body).toEqual({ data: { a: "C42" } });
    expect(second.body).toEqual({ data: { b: "x-C42" } });
    expect(renderTemplate(t({ data: { a: "{{client-id}}" } }), values).body).toEqual({ data: { a: "C42" } });
  });

  it("gives every render objects of its own: changing one result changes no other", () => {
    const template = t({ metadata: { labels: { app: "lms" } }, data: { a: "{{client-id}}" } });
    const one = renderTemplate(template, values).body as any;
    one.metadata.labels.app = "changed";
    one.data.a = "changed";
    expect(renderTemplate(template, values).body).toEqual({ metadata: { labels: { app: "lms" } }, data: { a: "C42" } });
  });

  it("names the template that was rendered when two templates share one broken body", () => {
    const body = '{"data": {"a": "{{client-id}}"';
    const a = captureError(() => renderTemplate({ ...t(body), id: "first" }, values));
    const b = captureError(() => renderTemplate({ ...t(body), id: "second" }, values));
    expect(a.message).toMatch(/^Шаблон first: /);
    expect(b.message).toMatch(/^Шаблон second: /);
    expect(b.code).toBe("TEMPLATE_INVALID_JSON");
  });

  it("reports a macro in a key, a missing value and an unknown macro where the walk meets them first", () => {
    const missing = captureError(() => renderTemplate(t({ a: "{{public-dns}}", "{{client-id}}": 1 }), values));
    expect(missing.code).toBe("MISSING_MACRO_VALUE");
    const inKey = captureError(() => renderTemplate(t({ "{{client-id}}": 1, a: "{{public-dns}}" }), values));
    expect(inKey.code).toBe("TEMPLATE_INVALID");
    expect(inKey.details["where"]).toBe('$["{{client-id}}"]');
    const unknown = captureError(() => renderTemplate(t({ a: ["ok", "{{no-such-macro}}"] }), values));
    expect(unknown.code).toBe("UNKNOWN_MACRO");
    expect(unknown.message).toContain("$.a[1]");
  });
});
