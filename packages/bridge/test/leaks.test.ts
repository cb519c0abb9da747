/** The leak scanner and the redactor themselves: a check that cannot fail proves nothing. */
import { describe, expect, it } from "vitest";
import { Redactor, REDACTED } from "../src/redact.js";
import { createLogger } from "../src/logger.js";
import { LeakScanner } from "./support/leaks.js";

describe("LeakScanner", () => {
  it("finds a secret, its base64 form and a PEM line; ignores the operation's secrets field", () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${"A".repeat(64)}\n-----END PRIVATE KEY-----\n`;
    const scanner = new LeakScanner().secret("hunter2hunter2", pem);
    scanner.record("log", JSON.stringify({ msg: "ok" }));
    expect(() => scanner.expectClean()).not.toThrow();
    scanner.recordResponse("GET", JSON.stringify({ operation: { id: "x", secrets: { postgresPassword: "DeliveredOnce12345" } } }));
    expect(() => scanner.expectClean()).not.toThrow();
    for (const leak of ["password=hunter2hunter2", Buffer.from("hunter2hunter2").toString("base64"), "A".repeat(64), "DeliveredOnce12345"]) {
      const s = new LeakScanner().secret("hunter2hunter2", pem, "DeliveredOnce12345");
      s.record("log", leak);
      expect(() => s.expectClean(), leak).toThrow();
    }
  });
});

describe("Redactor", () => {
  it("scrubs known values, their base64 forms and Bearer credentials from text", () => {
    const r = new Redactor().add("s3cr3t-value").add("abc"); // too short to scrub
    expect(r.scrub("a s3cr3t-value b")).toBe(`a ${REDACTED} b`);
    expect(r.scrub(Buffer.from("s3cr3t-value").toString("base64"))).toBe(REDACTED);
    expect(r.scrub("Authorization: Bearer eyJhbGciOi.xyz")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(r.scrub("abc")).toBe("abc");
  });

  it("learns secrets from a request body: secret keys and secret variables", () => {
    const r = new Redactor().addFrom({
      cluster: { token: "cluster-token-1" },
      databases: { postgres: { host: "db", adminPassword: "admin-pass-1" } },
      variables: [{ name: "A", value: "public-value", secret: false }, { name: "B", value: "variable-secret-1", secret: true }],
      environment: { sms4b: { token: "sms-token-1" } },
    });
    expect(r.scrub("cluster-token-1 admin-pass-1 variable-secret-1 sms-token-1 public-value db")).toBe(`${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED} public-value db`);
  });

  it("in logs, also hides values under secret-looking keys", () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), redactor: new Redactor().add("bridge-token-123") });
    logger.info("x", { token: "anything", nested: { adminPassword: "p" }, note: "uses bridge-token-123", count: 3 });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ token: REDACTED, nested: { adminPassword: REDACTED }, note: `uses ${REDACTED}`, count: 3 });
  });
});
