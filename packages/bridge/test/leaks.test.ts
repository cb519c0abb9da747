/** The leak scanner and the redactor themselves: a check that cannot fail proves nothing. */
import { describe, expect, it } from "vitest";
import { Redactor, REDACTED } from "../src/redact.js";
import { createLogger } from "../src/logger.js";
import { OperationStore } from "../src/operations.js";
import { LeakScanner } from "./support/leaks.js";

describe("LeakScanner", () => {
  it("finds a secret, its base64 form and a PEM line; ignores the operation's secrets field", () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${"A".repeat(64)}\n-----END PRIVATE KEY-----\n`;
    const scanner = new LeakScanner().secret("hunter2hunter2", pem);
    scanner.record("log", JSON.stringify({ msg: "ok" }));
    expect(() => scanner.expectClean()).not.toThrow();
    scanner.recordResponse("GET", JSON.stringify({ operation: { id: "x", secrets: { postgresUserPassword: "DeliveredOnce12345" } } }));
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

  it("learns secrets from a request body: the catalog's secret macros, the cluster credentials, secret variables, known secrets", () => {
    const r = new Redactor().addFromRequest({
      cluster: { token: "cluster-token-1", caCert: "-----BEGIN CERTIFICATE-----\nca-cert-body-1\n-----END CERTIFICATE-----\n" },
      databases: { postgres: { host: "db", adminPassword: "admin-pass-1" }, clickhouse: { host: "ch", adminPassword: "admin-pass-2" } },
      variables: [
        { name: "A", value: "public-value", secret: false },
        { name: "B", value: "variable-secret-1", secret: true },
      ],
      environment: { sms4b: { token: "sms-token-1" }, imagePullSecret: "repository-token", tlsSecret: "tls-secret-name" },
      secrets: { postgresUserPassword: "known-pg-1", keysSecretSeed: "known-seed-1" },
    });
    expect(r.scrub("cluster-token-1 admin-pass-1 admin-pass-2 variable-secret-1 sms-token-1 known-pg-1 known-seed-1")).toBe(Array(7).fill(REDACTED).join(" "));
    expect(r.scrub("-----BEGIN CERTIFICATE-----\nca-cert-body-1\n-----END CERTIFICATE-----\n")).toBe(REDACTED);
    // Names of Secrets are not secrets, whatever their keys are called.
    expect(r.scrub("public-value db нет секрета repository-token, tls-secret-name")).toBe("public-value db нет секрета repository-token, tls-secret-name");
  });

  // Hostile and odd secrets: a PEM marker in the middle of a line used to recurse without end (stack overflow → 500).
  const pemLike = [
    "x -----BEGIN CERTIFICATE----- MIIBxyz0123456789",
    "-----BEGIN CERTIFICATE----- MIIBxyz0123456789abcdefghijklmnopqrstuvwxyz -----END CERTIFICATE-----",
    `prefix -----BEGIN PRIVATE KEY-----${"Q".repeat(40)}`,
    "-----BEGIN-----BEGIN-----BEGIN-----BEGIN-----BEGIN-----BEGIN-----BEGIN-----BEGIN",
    `-----BEGIN CERTIFICATE-----\r\n${"M".repeat(64)}\r\n${"N".repeat(64)}\r\n-----END CERTIFICATE-----\r\n`,
    `-----BEGIN CERTIFICATE-----\n${"-----BEGIN ".repeat(20)}${"Z".repeat(40)}\n-----END CERTIFICATE-----`,
    "a".repeat(1024 * 1024) + " -----BEGIN " + "b".repeat(64),
  ];
  it.each(pemLike.map((s, i) => [i, s] as const))("remembers a PEM-like, multi-line or huge secret without recursing (#%i)", (_i, secret) => {
    const r = new Redactor();
    expect(() => r.add(secret)).not.toThrow();
    expect(() =>
      r.addFromRequest({
        cluster: { token: "t".repeat(8), caCert: secret },
        variables: [{ name: "S", value: secret, secret: true }],
        environment: { sms4b: { token: secret } },
      }),
    ).not.toThrow();
    expect(r.scrub(`before ${secret} after`)).toBe(`before ${REDACTED} after`);
    for (const line of secret.split(/\r?\n/).filter((l) => l.length >= 32 && !l.startsWith("-----"))) expect(r.scrub(`"${line}"`)).toBe(`"${REDACTED}"`);
  });

  it("learns the cluster credentials of every environment of a status request", () => {
    const r = new Redactor().addFromRequest({ environments: [{ cluster: { token: "status-token-1" } }, { cluster: { token: "status-token-2" } }, null, "x"] });
    expect(r.scrub("status-token-1 status-token-2")).toBe(`${REDACTED} ${REDACTED}`);
  });

  it("scrubs free text, never identifiers: step ids, names, kinds, the customer, the namespace", () => {
    const r = new Redactor().add("postgres");
    const scrubbed = r.scrubDeep({
      id: "postgres-setup-job",
      name: "postgres-setup",
      kind: "Job",
      clientId: "postgres",
      namespace: "postgres",
      stepId: "postgres-setup-job",
      message: "postgres is the password",
    });
    expect(scrubbed).toEqual({
      id: "postgres-setup-job",
      name: "postgres-setup",
      kind: "Job",
      clientId: "postgres",
      namespace: "postgres",
      stepId: "postgres-setup-job",
      message: `${REDACTED} is the password`,
    });
  });

  it("in logs, also hides values under secret-looking keys", () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), redactor: new Redactor().add("bridge-token-123") });
    logger.info("x", { token: "anything", nested: { adminPassword: "p" }, note: "uses bridge-token-123", count: 3 });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ token: REDACTED, nested: { adminPassword: REDACTED }, note: `uses ${REDACTED}`, count: 3 });
  });
});

describe("OperationStore", () => {
  it("scrubs the texts of a record, never its structure", () => {
    const store = OperationStore.open();
    const op = store.create({
      key: "k",
      clientId: "C42",
      namespace: "lms-dev",
      cluster: "https://rancher.example/k8s/clusters/c-1",
      steps: [{ id: "postgres-setup-job", title: "Настройка PostgreSQL", kind: "Job", name: "c42-postgres-setup" }],
      redactor: new Redactor().add("postgres"),
    });
    store.event(op.id, { type: "step-started", stepId: "postgres-setup-job", message: "Job c42-postgres-setup: пароль postgres" });
    store.update(op.id, (r) => {
      r.steps[0]!.message = "ошибка: postgres";
      r.steps[0]!.logs = ["login postgres"];
      r.error = { code: "APPLY_FAILED", message: "Шаг не выполнен: postgres", details: { stepId: "postgres-setup-job", note: "postgres" } };
    });
    const view = store.peek(op.id)!;
    expect(view.steps[0]).toMatchObject({
      id: "postgres-setup-job",
      name: "c42-postgres-setup",
      kind: "Job",
      message: `ошибка: ${REDACTED}`,
      logs: [`login ${REDACTED}`],
    });
    expect(view.events[0]).toMatchObject({ stepId: "postgres-setup-job", message: `Job c42-${REDACTED}-setup: пароль ${REDACTED}` });
    expect(view.error).toEqual({ code: "APPLY_FAILED", message: `Шаг не выполнен: ${REDACTED}`, details: { stepId: "postgres-setup-job", note: REDACTED } });
  });
});
