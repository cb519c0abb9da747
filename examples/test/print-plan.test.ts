import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import input from "../c42-lms-dev.input.json" with { type: "json" };

const script = fileURLToPath(new URL("../print-plan.ts", import.meta.url));
const run = (...args: string[]) => execFileSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8" });

describe("examples/print-plan.ts", () => {
  it("prints the C42 plan in dependency order", () => {
    const out = run();
    expect(out).toContain("План развёртывания среды C42 в пространстве имён lms-dev: 9 запросов");
    expect(out.indexOf("Job postgres-setup-c42")).toBeLessThan(out.indexOf("Deployment lms-deployment-c42"));
  });

  it("prints redacted manifests: no secret of the input appears", () => {
    const out = run("--json");
    const plan = JSON.parse(out);
    expect(plan.steps).toHaveLength(9);
    for (const secret of [
      input.secrets.postgresUserPassword,
      input.secrets.clickhouseUserPassword,
      input.secrets.keysSecretSeed,
      input.databases.postgres.adminPassword,
      input.databases.clickhouse.adminPassword,
      input.environment.sms4b.token,
      Buffer.from(input.secrets.rsaPrivateKeyPem).toString("base64").slice(0, 32),
    ]) {
      expect(out).not.toContain(secret);
    }
  });
});
