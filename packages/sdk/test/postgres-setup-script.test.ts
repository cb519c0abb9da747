/**
 * The rendered postgres-setup Job's script against a real, throwaway PostgreSQL server: it creates the
 * customer's role and database (case-sensitive `C42`, as the DSN uses it) with pgcrypto and uuid-ossp, is
 * idempotent, is safe for any password (customer's and administrator's), and fails loudly.
 *
 * Without PostgreSQL installed the tests skip with the reason — unless CI is set, where they fail.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan, type ProvisioningPlan } from "../src/index.js";
import { runJobScript, type JobRunResult } from "./support/job-script.js";
import { usePostgresServer, type PostgresServer } from "./support/postgres-server.js";

/** The server's superuser password: every character a shell or SQL could trip over, and spaces. */
const ADMIN_PASSWORD = `adm'in "pw" $HOME $(id) \`id\` \\ ; -- :'role' end`;

beforeAll(() => fs.rmSync("/tmp/sreda-pwned", { force: true }));

/** The running server, or skips the test (outside CI) when there is none. */
const pg = usePostgresServer("postgres-setup-script.test.ts", { adminPassword: ADMIN_PASSWORD });

type Input = typeof example & Record<string, any>;

interface PlanOptions {
  clientId?: string;
  customerPassword?: string;
  adminUser?: string;
  adminPassword?: string;
}

function planFor(srv: PostgresServer, options: PlanOptions = {}): ProvisioningPlan {
  const input = structuredClone(example) as Input;
  if (options.clientId) input.client.id = options.clientId;
  input.databases.postgres = {
    host: srv.host,
    port: srv.port,
    adminUser: options.adminUser ?? srv.adminUser,
    adminPassword: options.adminPassword ?? srv.adminPassword,
  } as Input["databases"]["postgres"];
  if (options.customerPassword) input.secrets.postgresUserPassword = options.customerPassword;
  return createProvisioningPlan(input);
}

const body = (plan: ProvisioningPlan, id: string) => {
  const step = plan.steps.find((s) => s.id === id);
  if (!step?.request.body) throw new Error(`the plan has no step ${id}`);
  return structuredClone(step.request.body) as Record<string, any>;
};

/**
 * Runs the rendered postgres-setup Job. `customerPassword` beyond the input's alphabet is put straight into
 * the rendered Secret's stringData, the way a hostile value would reach the container.
 */
async function runSetup(srv: PostgresServer, options: PlanOptions & { hostileCustomerPassword?: string } = {}): Promise<JobRunResult> {
  const plan = planFor(srv, options);
  const secret = body(plan, "db-setup-secret");
  if (options.hostileCustomerPassword !== undefined) secret["stringData"]["postgres-user-password"] = options.hostileCustomerPassword;
  return runJobScript(body(plan, "postgres-setup-job"), { secrets: secret, pathPrefix: [srv.binDir], timeoutMs: 90_000 });
}

const describeRun = (r: JobRunResult) => `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function expectSuccess(r: JobRunResult): void {
  expect(r.code, describeRun(r)).toBe(0);
}

interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** psql -X -At as anyone; `target` is a database name or a full connection URI. */
function psql(srv: PostgresServer, sql: string, opts: { user?: string; password?: string; db?: string; uri?: string } = {}): Promise<PsqlResult> {
  const args = opts.uri
    ? ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", opts.uri, "-c", sql]
    : ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", srv.host, "-p", String(srv.port), "-U", opts.user ?? srv.adminUser, "-d", opts.db ?? "postgres", "-c", sql];
  const env: Record<string, string> = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", PGCONNECT_TIMEOUT: "10", PGPASSFILE: "/dev/null" };
  if (!opts.uri) env["PGPASSWORD"] = opts.password ?? srv.adminPassword;
  return new Promise((resolve, reject) => {
    const child = spawn(srv.psql, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** As the administrator; throws on any error and returns the trimmed output. */
async function query(srv: PostgresServer, sql: string, db = "postgres"): Promise<string> {
  const r = await psql(srv, sql, { db });
  if (r.code !== 0) throw new Error(`psql failed (exit ${r.code}) for ${sql}:\n${r.stderr}`);
  return r.stdout.trim();
}

async function roleState(srv: PostgresServer, role: string) {
  return query(
    srv,
    `SELECT rolname || '|' || rolsuper || '|' || rolcanlogin || '|' || rolcreaterole || '|' || rolcreatedb FROM pg_roles WHERE rolname = '${role}'`,
  );
}

describe("postgres-setup Job script against a real PostgreSQL", () => {
  it("creates role C42 and database C42 owned by it, with pgcrypto and uuid-ossp, and no superuser", async (ctx) => {
    const srv = pg(ctx);
    const r = await runSetup(srv);
    expectSuccess(r);
    expect(r.stdout).toContain("postgres: role and database C42 are ready");

    // Case-sensitive: exactly "C42", no folded "c42". Login, not superuser, no CREATEROLE/CREATEDB.
    expect(await roleState(srv, "C42")).toBe("C42|false|true|false|false");
    expect(await query(srv, "SELECT count(*) FROM pg_roles WHERE lower(rolname) = 'c42'")).toBe("1");
    expect(await query(srv, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'C42'")).toBe("C42");
    expect(await query(srv, "SELECT count(*) FROM pg_database WHERE lower(datname) = 'c42'")).toBe("1");
    expect(await query(srv, "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname IN ('pgcrypto', 'uuid-ossp')", "C42")).toBe(
      "pgcrypto,uuid-ossp",
    );
    // The extensions are not in the administrator's database (they were created inside C42).
    expect(await query(srv, "SELECT count(*) FROM pg_extension WHERE extname IN ('pgcrypto', 'uuid-ossp')")).toBe("0");
  });

  it("the LMS DSN from the rendered lms-secrets works: C42 logs in, uses both extensions and creates tables", async (ctx) => {
    const srv = pg(ctx);
    const plan = planFor(srv);
    const dsn = body(plan, "lms-secrets")["stringData"]["LMS_STORAGE_POSTGRES_DSN"] as string;
    expect(dsn).toBe(`postgres://C42:${example.secrets.postgresUserPassword}@${srv.host}:${srv.port}/C42?sslmode=disable`);
    const r = await psql(
      srv,
      "SELECT current_user, current_database(), uuid_generate_v4() IS NOT NULL, length(gen_random_bytes(8)), gen_random_uuid() IS NOT NULL;" +
        " CREATE TABLE lms_probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid()); INSERT INTO lms_probe DEFAULT VALUES;" +
        " SELECT count(*) FROM lms_probe; DROP TABLE lms_probe;",
      { uri: dsn },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("C42|C42|t|8|t");
    expect(lines).toContain("1");
  });

  it("is idempotent: a second run succeeds and duplicates nothing", async (ctx) => {
    const srv = pg(ctx);
    const before = await query(srv, "SELECT (SELECT oid FROM pg_roles WHERE rolname = 'C42') || '|' || (SELECT oid FROM pg_database WHERE datname = 'C42')");
    const extensionsBefore = await query(srv, "SELECT string_agg(extname || ':' || oid, ',' ORDER BY extname) FROM pg_extension", "C42");
    const r = await runSetup(srv);
    expectSuccess(r);
    const again = await runSetup(srv);
    expectSuccess(again);
    // The same role and database objects (not dropped and recreated), one of each, same extensions.
    expect(await query(srv, "SELECT (SELECT oid FROM pg_roles WHERE rolname = 'C42') || '|' || (SELECT oid FROM pg_database WHERE datname = 'C42')")).toBe(
      before,
    );
    expect(await query(srv, "SELECT count(*) FROM pg_roles WHERE rolname = 'C42'")).toBe("1");
    expect(await query(srv, "SELECT count(*) FROM pg_database WHERE datname = 'C42'")).toBe("1");
    expect(await query(srv, "SELECT string_agg(extname || ':' || oid, ',' ORDER BY extname) FROM pg_extension", "C42")).toBe(extensionsBefore);
    expect(await roleState(srv, "C42")).toBe("C42|false|true|false|false");
  });

  it("a re-run with a new password rotates it: the new one logs in, the old one does not", async (ctx) => {
    const srv = pg(ctx);
    const newPassword = "RotatedPostgresPassword.C42~x";
    expectSuccess(await runSetup(srv, { customerPassword: newPassword }));
    const ok = await psql(srv, "SELECT current_user", { user: "C42", password: newPassword, db: "C42" });
    expect(ok.stdout.trim(), ok.stderr).toBe("C42");
    const old = await psql(srv, "SELECT current_user", { user: "C42", password: example.secrets.postgresUserPassword, db: "C42" });
    expect(old.code).not.toBe(0);
    expect(old.stderr).toMatch(/password authentication failed for user "C42"/);
    // Back to the example password for the tests that follow.
    expectSuccess(await runSetup(srv));
  });

  describe("hostile passwords (the script must be safe for ANY password)", () => {
    const hostile = [
      `x'; DROP ROLE postgres; --`,
      `x'; CREATE ROLE pwned SUPERUSER LOGIN; --`,
      `' " $ \` \\ ; and spaces`,
      `$(touch /tmp/sreda-pwned) \`touch /tmp/sreda-pwned\` $HOME \${PGPASSWORD}`,
      `:'role' :"role" :role \\gexec \\! touch /tmp/sreda-pwned`,
      `E'\\x27' \\'; SELECT 1; --`,
      `trailing backslash \\`,
      "tab\tand\nnewline",
      "пароль с юникодом ✓",
    ];

    it.for(hostile.map((p, i) => [i, p] as const))(
      "customer password #%i %j: the role logs in with exactly it, nothing injected",
      async ([i, password], ctx) => {
        const srv = pg(ctx);
        const clientId = `C7${i}`;
        const r = await runSetup(srv, { clientId, hostileCustomerPassword: password });
        expectSuccess(r);
        const login = await psql(srv, "SELECT current_user || '|' || current_database()", { user: clientId, password, db: clientId });
        expect(login.stderr).toBe("");
        expect(login.stdout.trim()).toBe(`${clientId}|${clientId}`);
        // A near miss does not log in: the stored password is exactly the given one.
        const near = await psql(srv, "SELECT 1", { user: clientId, password: password.slice(0, -1), db: clientId });
        expect(near.code).not.toBe(0);
        // The injection attempts did nothing.
        expect(await query(srv, "SELECT rolname || '|' || rolsuper FROM pg_roles WHERE rolname = 'postgres'")).toBe("postgres|true");
        expect(await query(srv, "SELECT count(*) FROM pg_roles WHERE rolname = 'pwned'")).toBe("0");
        expect(await roleState(srv, clientId)).toBe(`${clientId}|false|true|false|false`);
        expect(fs.existsSync("/tmp/sreda-pwned")).toBe(false);
      },
    );

    it(`the administrator's password is hostile too (${JSON.stringify(ADMIN_PASSWORD)}) and reaches psql intact`, async (ctx) => {
      const srv = pg(ctx);
      // The server was initialised with ADMIN_PASSWORD; every successful run above used it through the plan
      // (databases.postgres.adminPassword → Secret → PGPASSWORDADMIN → PGPASSWORD). Once more, explicitly:
      expect(srv.adminPassword).toBe(ADMIN_PASSWORD);
      const plan = planFor(srv);
      const secret = body(plan, "db-setup-secret");
      expect(secret["stringData"]["postgres-admin-password"]).toBe(ADMIN_PASSWORD);
      const r = await runSetup(srv);
      expectSuccess(r);
      expect(r.containerEnv["PGPASSWORDADMIN"]).toBe(ADMIN_PASSWORD);
    });
  });

  it("a wrong administrator password: exit non-zero, nothing created", async (ctx) => {
    const srv = pg(ctx);
    const r = await runSetup(srv, { clientId: "C801", adminPassword: `${ADMIN_PASSWORD}-wrong` });
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toMatch(/password authentication failed for user "postgres"/);
    expect(r.stdout).not.toContain("are ready");
    expect(await query(srv, "SELECT count(*) FROM pg_roles WHERE rolname = 'C801'")).toBe("0");
    expect(await query(srv, "SELECT count(*) FROM pg_database WHERE datname = 'C801'")).toBe("0");
  });

  it("an SQL error stops the script (ON_ERROR_STOP + set -e): an administrator without CREATEROLE", async (ctx) => {
    const srv = pg(ctx);
    const weakPassword = "weak admin's pw";
    await query(srv, `DROP ROLE IF EXISTS weakadmin; CREATE ROLE weakadmin LOGIN PASSWORD 'weak admin''s pw'`);
    const r = await runSetup(srv, { clientId: "C802", adminUser: "weakadmin", adminPassword: weakPassword });
    // It connected (the password is right) and then the first statement failed: psql exits 3 with
    // ON_ERROR_STOP, bash's set -e ends the script there — without them psql would go on and exit 0.
    expect(r.code, describeRun(r)).toBe(3);
    expect(r.stderr).toMatch(/permission denied to create role/);
    expect(r.stderr).not.toMatch(/password authentication failed/);
    expect(r.stdout).not.toContain("are ready");
    expect(await query(srv, "SELECT count(*) FROM pg_roles WHERE rolname = 'C802'")).toBe("0");
    expect(await query(srv, "SELECT count(*) FROM pg_database WHERE datname = 'C802'")).toBe("0");
  });
});
