import { describe, expect, it } from "vitest";
import { templates } from "@sreda/templates";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { SredaValidationError } from "../src/core/errors.js";
import { macroCatalog, resolveMacroValues, secretMacroNames } from "../src/core/macros.js";
import { ProvisioningInput } from "../src/core/models.js";

// Macros inside strings, and the boolean macros of the templates' conditions (`when`, `omit[].when`).
const used = new Set(
  templates.flatMap((t) => [
    ...[...`${t.path} ${t.name ?? ""} ${t.body ?? ""}`.matchAll(/\{\{([^{}]+)\}\}/g)].map((m) => m[1]!),
    ...(t.when ? [t.when] : []),
    ...t.omit.map((o) => o.when),
  ]),
);

describe("macroCatalog", () => {
  it("describes every macro the templates use; the extras are the API root the client prefixes and a derived rule's setting", () => {
    const names = new Set(macroCatalog.map((m) => m.name));
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
    // external-ports is read by the derived external-egress-rule, not by a template directly.
    expect([...names].filter((n) => !used.has(n))).toEqual(["api-root-url", "external-ports"]);
  });

  it("says where each value comes from, with an input path, and is serializable data", () => {
    for (const macro of macroCatalog) {
      expect(macro.description.length, macro.name).toBeGreaterThan(5);
      expect(macro.inputPath, macro.name).toMatch(/^(client|environment|databases|secrets)\./);
    }
    expect(JSON.parse(JSON.stringify(macroCatalog))).toEqual(macroCatalog);
  });

  it("marks passwords, tokens, the seed and the key as secret", () => {
    expect([...secretMacroNames].sort()).toEqual([
      "clickhouse-admin-password",
      "clickhouse-user-password",
      "keys-secret-seed",
      "postgres-admin-password",
      "postgres-user-password",
      "rsa-content",
      "sms4b-token",
    ]);
  });

  it("uses secret macros only in Secret templates", () => {
    for (const t of templates) {
      const secretsUsed = [...`${t.path}${t.body ?? ""}`.matchAll(/\{\{([^{}]+)\}\}/g)].map((m) => m[1]!).filter((n) => secretMacroNames.has(n));
      if (t.kind !== "Secret") expect(secretsUsed, t.id).toEqual([]);
    }
  });
});

describe("resolveMacroValues", () => {
  const input = ProvisioningInput.parse(example);

  it("gives every catalog macro a value for the example, input first, then namespace defaults", () => {
    const values = resolveMacroValues(input);
    expect(Object.keys(values).sort()).toEqual(macroCatalog.map((m) => m.name).sort());
    expect(values).toMatchObject({ "client-id": "C42", "client-slug": "c42", "public-dns": "backend.lms-dev.rarus-cloud.ru", replicas: "1" });
    expect(Buffer.from(values["rsa-content"]!, "base64").toString()).toBe(example.secrets.rsaPrivateKeyPem);
  });

  it("lists every missing value by input path", () => {
    const bare = ProvisioningInput.parse({ ...example, environment: { namespace: "lms-prod", apiRootUrl: "https://k8s.example/" } });
    try {
      resolveMacroValues(bare);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SredaValidationError);
      expect((error as SredaValidationError).problems.map((p) => p.path)).toEqual([
        "environment.publicDns",
        "environment.dockerImage",
        "environment.nfsServer",
        "environment.sms4b.passcodeLifetimeSeconds",
        "environment.sms4b.sender",
        "environment.sms4b.token",
      ]);
    }
  });
});
