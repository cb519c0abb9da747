/**
 * One source of truth for the contract: the OpenAPI document comes from the zod schemas, the committed generated
 * files (src/generated/openapi.json, api.d.ts) match it, the router serves exactly the documented routes, and the
 * ready request bodies in examples/requests/ satisfy the schemas.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { macroCatalog, templates } from "@sreda/sdk";
import { renderApiTypes, renderOpenApiJson } from "../scripts/api-types.js";
import { createApp } from "../src/app.js";
import { API_ROUTES, createOpenApiDocument } from "../src/openapi.js";
import { EnvironmentStatusRequest, MacrosResponse, PlanRequest, ProvisioningRequest, TemplatesResponse } from "../src/schemas.js";
import { createLogger } from "../src/logger.js";
import { exampleRequest, testConfig } from "./support/harness.js";

const generated = (name: string) => readFileSync(fileURLToPath(new URL(`../src/generated/${name}`, import.meta.url)), "utf8");
const STALE = "stale: run `npm run generate:api-types --workspace @sreda/bridge` and commit the result";

describe("generated artefacts", () => {
  it("src/generated/openapi.json is the document the schemas produce", () => {
    expect(generated("openapi.json"), STALE).toBe(renderOpenApiJson());
  });

  it("src/generated/api.d.ts is what openapi-typescript makes of it", async () => {
    expect(generated("api.d.ts"), STALE).toBe(await renderApiTypes());
  });
});

describe("the OpenAPI document", () => {
  const doc = createOpenApiDocument() as any;

  it("is OpenAPI 3.1 with bearer auth, public probes only", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
    const publicOps = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) =>
      Object.values(ops)
        .filter((op: any) => op.security?.length === 0)
        .map(() => path),
    );
    expect(publicOps.sort()).toEqual(["/healthz", "/openapi.json", "/readyz"]);
  });

  it("resolves every $ref", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of new Set(refs)) {
      const id = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
      expect(doc.components.schemas[id!], ref).toBeDefined();
    }
  });

  it("describes the request bodies from the same zod schemas (field names, patterns)", () => {
    const request = doc.components.schemas.ProvisioningRequest;
    expect(request.required).toEqual(expect.arrayContaining(["client", "environment", "databases", "cluster"]));
    expect(request.additionalProperties).toBe(false);
    expect(doc.components.schemas.Customer.properties.id.pattern).toBe("^C[1-9][0-9]{0,8}$");
    expect(doc.components.schemas.ClusterAccess.required).toEqual(["token"]);
  });

  it("lists every error status with the one error schema", () => {
    const post = doc.paths["/v1/provisionings"].post;
    for (const status of ["401", "409", "413", "415", "422"])
      expect(post.responses[status].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
    expect(post.responses["202"].headers.Location).toBeDefined();
  });
});

describe("the router", () => {
  it("serves exactly the documented routes", () => {
    const app = createApp({ config: testConfig(), logger: createLogger({ level: "silent" }) });
    const served = new Set<string>();
    for (const mw of app.middleware as Array<{ router?: { stack: Array<{ path: string; methods: string[] }> } }>) {
      for (const layer of mw.router?.stack ?? []) {
        for (const method of layer.methods.filter((m) => m !== "HEAD")) served.add(`${method.toLowerCase()} ${layer.path.replace(/:(\w+)/g, "{$1}")}`);
      }
    }
    expect([...served].sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });
});

describe("schemas against real data", () => {
  it("describe the shipped templates and the macro catalog", () => {
    expect(() => TemplatesResponse.parse({ templates })).not.toThrow();
    expect(() => MacrosResponse.parse({ macros: macroCatalog })).not.toThrow();
  });

  it("accept every ready request in examples/requests/", () => {
    const dir = fileURLToPath(new URL("../../../examples/requests/", import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const body = exampleRequest(file, "http://127.0.0.1:8788", "sreda-dev-token");
      const schema = file.startsWith("provision") ? ProvisioningRequest : file.startsWith("status") ? EnvironmentStatusRequest : PlanRequest;
      const result = schema.safeParse(body);
      expect(result.success, `${file}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });
});
