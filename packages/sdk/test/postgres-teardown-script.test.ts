/**
 * The rendered postgres-teardown Job's script against a real, throwaway PostgreSQL server. The customer's role and
 * database are first made by the rendered postgres-setup Job (as in production), then the teardown drops both: for
 * C42, for names no model allows but the script must survive (quotes, `;`, spaces, `$`, backslashes), with the
 * customer's sessions open, after an interrupted run and on a re-run — and never anyone else's role or database.
 *
 * Without PostgreSQL installed the tests skip with the reason — unless CI is set, where they fail.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { teardownTemplates } from "@sreda/templates";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { getTemplate, ProvisioningInput, renderTemplate, resolveMacroValues } from "../src/index.js";
import { runJobScript, type JobRunResult } from "./support/job-script.js";
import { usePostgresServer, type PostgresServer } from "./support/postgres-server.js";

/** The server's superuser password: every character a shell or SQL could trip over, and spaces. */
const ADMIN_PASSWORD = `adm'in "pw" $HOME $(touch /tmp/sreda-teardown-pwned) \`id\` \\ ; -- :'role' :"db" end`;
const PWNED = "/tmp/sreda-teardown-pwned";
const CUSTOMER_PASSWORD = example.secrets.postgresUserPassword;

beforeAll(() => fs.rmSync(PWNED, { force: true }));

/** The running server, or skips the test (outside CI) when there is none. */
const pg = usePostgresServer("postgres-teardown-script.test.ts", { adminPassword: ADMIN_PASSWORD });

type Input = typeof example & Record<string, any>;

/**
 * The macro values the SDK resolves for the example input pointed at the test server, with `client-id` set to
 * `name` afterwards: the input model allows only `C` + digits, the scripts must be safe for any name.
 */
function valuesFor(srv: PostgresServer, name = "C42", adminPassword = srv.adminPassword): Record<string, string> {
  const input = structuredClone(example) as Input;
  input.databases.postgres = { host: srv.host, port: srv.port, adminUser: srv.adminUser, adminPassword } as Input["databases"]["postgres"];
  return { ...resolveMacroValues(ProvisioningInput.parse(input)), "client-id": name };
}

/** A template rendered by the SDK's renderer: a teardown template, or a provisioning one. */
function rendered(id: string, values: Record<string, string>): Record<string, any> {
  const template = teardownTemplates.find((t) => t.id === id) ?? getTemplate(id);
  if (!template) throw new Error(`no template ${id}`);
  const body = renderTemplate(template, values).body;
  if (!body) throw new Error(`template ${id} has no body`);
  return body;
}

/** The rendered postgres-setup Job, with its Secret: the customer's role and database as production makes them. */
function runSetup(srv: PostgresServer, name: string): Promise<JobRunResult> {
  const values = valuesFor(srv, name);
  return runJobScript(rendered("postgres-setup-job", values), { secrets: rendered("db-setup-secret", values), pathPrefix: [srv.binDir], timeoutMs: 90_000 });
}

/** The rendered postgres-teardown Job, with the teardown Secret (the administrator's password only). */
function runTeardown(srv: PostgresServer, name: string, adminPassword?: string): Promise<JobRunResult> {
  const values = valuesFor(srv, name, adminPassword);
  return runJobScript(rendered("postgres-teardown-job", values), {
    secrets: rendered("db-teardown-secret", values),
    pathPrefix: [srv.binDir],
    timeoutMs: 90_000,
  });
}

const describeRun = (r: JobRunResult) => `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function expectSuccess(r: JobRunResult): void {
  expect(r.code, describeRun(r)).toBe(0);
  expect(r.timedOut).toBe(false);
}

interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Login {
  user?: string;
  password?: string;
  db?: string;
}

/**
 * psql -X -At as anyone. User and database go through PGUSER/PGDATABASE, which libpq takes literally (a `-d`
 * value with `=` would be read as a connection string).
 */
function psqlProcess(srv: PostgresServer, sql: string, login: Login = {}): ChildProcess {
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    PGHOST: srv.host,
    PGPORT: String(srv.port),
    PGUSER: login.user ?? srv.adminUser,
    PGDATABASE: login.db ?? "postgres",
    PGPASSWORD: login.password ?? srv.adminPassword,
    PGCONNECT_TIMEOUT: "10",
    PGPASSFILE: "/dev/null",
  };
  return spawn(srv.psql, ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], { env, stdio: ["ignore", "pipe", "pipe"] });
}

function finished(child: ChildProcess): Promise<PsqlResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on("data", (c: Buffer) => out.push(c));
  child.stderr!.on("data", (c: Buffer) => err.push(c));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

const psql = (srv: PostgresServer, sql: string, login: Login = {}) => finished(psqlProcess(srv, sql, login));

/** As the administrator; throws on any error and returns the trimmed output. */
async function query(srv: PostgresServer, sql: string, db = "postgres"): Promise<string> {
  const r = await psql(srv, sql, { db });
  if (r.code !== 0) throw new Error(`psql failed (exit ${r.code}) for ${sql}:\n${r.stderr}`);
  return r.stdout.trim();
}

/** A name as an SQL string literal, for the test's own queries (standard_conforming_strings is on). */
const literal = (name: string) => `'${name.replaceAll("'", "''")}'`;

/** Whether the role and the database of that name exist: `"true|false"` (role, database). */
const exists = (srv: PostgresServer, name: string) =>
  query(
    srv,
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(name)}) || '|' || EXISTS (SELECT 1 FROM pg_database WHERE datname = ${literal(name)})`,
  );

/** The customer logs in with its password and writes a row into its database. */
async function writeCustomerData(srv: PostgresServer, name: string): Promise<void> {
  const r = await psql(
    srv,
    "CREATE TABLE lms_data (id uuid PRIMARY KEY DEFAULT gen_random_uuid()); INSERT INTO lms_data DEFAULT VALUES; SELECT count(*) FROM lms_data",
    {
      user: name,
      password: CUSTOMER_PASSWORD,
      db: name,
    },
  );
  expect(r.stderr).toBe("");
  // psql >= 15 prints every statement's result: the count is the last line.
  expect(r.stdout.trim().split("\n").at(-1)).toBe("1");
}

/** A second customer whose role and database must survive every teardown in this file. */
const OTHER = "C43";

async function expectOtherCustomerIntact(srv: PostgresServer): Promise<void> {
  const r = await psql(srv, "SELECT current_user || '|' || current_database() || '|' || count(*) FROM lms_data", {
    user: OTHER,
    password: CUSTOMER_PASSWORD,
    db: OTHER,
  });
  expect(r.stderr).toBe("");
  expect(r.stdout.trim()).toBe(`${OTHER}|${OTHER}|1`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `count` sessions of the role are active (or fails after 15 s). */
async function sessionsOf(srv: PostgresServer, role: string, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const n = Number(await query(srv, `SELECT count(*) FROM pg_stat_activity WHERE usename = ${literal(role)} AND state = 'active'`));
    if (n >= count) return;
    if (Date.now() > deadline) throw new Error(`${role} has ${n} active sessions, expected ${count}`);
    await sleep(100);
  }
}

describe("postgres-teardown Job script against a real PostgreSQL", () => {
  it("setup: the other customer C43 exists with data (it must survive every teardown below)", async (ctx) => {
    const srv = pg(ctx);
    expectSuccess(await runSetup(srv, OTHER));
    await writeCustomerData(srv, OTHER);
    await expectOtherCustomerIntact(srv);
  });

  it("drops the database and the role of C42, with the data, and nothing else", async (ctx) => {
    const srv = pg(ctx);
    expectSuccess(await runSetup(srv, "C42"));
    await writeCustomerData(srv, "C42");
    expect(await exists(srv, "C42")).toBe("true|true");
    const databasesBefore = await query(srv, "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname <> 'C42'");
    const rolesBefore = await query(srv, "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname <> 'C42'");

    const r = await runTeardown(srv, "C42");
    expectSuccess(r);
    expect(r.stdout).toContain("postgres: database and role C42 are dropped");
    expect(r.stdout).toMatch(/DROP DATABASE\n[\s\S]*DROP ROLE\n/);
    expect(await exists(srv, "C42")).toBe("false|false");
    // Every other database and role is still there.
    expect(await query(srv, "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")).toBe(databasesBefore);
    expect(await query(srv, "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles")).toBe(rolesBefore);
    await expectOtherCustomerIntact(srv);
    // The customer can no longer log in.
    const login = await psql(srv, "SELECT 1", { user: "C42", password: CUSTOMER_PASSWORD, db: "C42" });
    expect(login.code).not.toBe(0);
  });

  it("is idempotent: a re-run, and a run for a customer that never had databases, succeed and change nothing", async (ctx) => {
    const srv = pg(ctx);
    const again = await runTeardown(srv, "C42");
    expectSuccess(again);
    expect(again.stderr).toMatch(/database "C42" does not exist, skipping/);
    expect(again.stderr).toMatch(/role "C42" does not exist, skipping/);
    expect(again.stderr).not.toMatch(/ERROR/);
    expectSuccess(await runTeardown(srv, "C999"));
    expect(await exists(srv, "C42")).toBe("false|false");
    await expectOtherCustomerIntact(srv);
  });

  it("a re-run after an interrupted teardown (database gone, role left, logins already off) finishes the job", async (ctx) => {
    const srv = pg(ctx);
    expectSuccess(await runSetup(srv, "C44"));
    // What the script leaves when it is stopped right after DROP DATABASE.
    await query(srv, `ALTER ROLE "C44" NOLOGIN`);
    await query(srv, `DROP DATABASE "C44" WITH (FORCE)`);
    expect(await exists(srv, "C44")).toBe("true|false");
    const r = await runTeardown(srv, "C44");
    expectSuccess(r);
    expect(await exists(srv, "C44")).toBe("false|false");
    await expectOtherCustomerIntact(srv);
  });

  it("the customer's open sessions (busy, in a transaction holding a lock, to another database) do not block it", async (ctx) => {
    const srv = pg(ctx);
    expectSuccess(await runSetup(srv, "C45"));
    await writeCustomerData(srv, "C45");
    const customer = { user: "C45", password: CUSTOMER_PASSWORD };
    const sessions = [
      psqlProcess(srv, "SELECT pg_sleep(120)", { ...customer, db: "C45" }),
      psqlProcess(srv, "BEGIN; LOCK TABLE lms_data IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120)", { ...customer, db: "C45" }),
      psqlProcess(srv, "SELECT pg_sleep(120)", { ...customer, db: "postgres" }),
    ];
    // Someone else's session to the customer's database (an operator's psql) ends too: WITH (FORCE).
    const operator = psqlProcess(srv, "SELECT pg_sleep(120)", { db: "C45" });
    const ended = [...sessions, operator].map(finished);
    try {
      await sessionsOf(srv, "C45", 3);
      const started = Date.now();
      const r = await runTeardown(srv, "C45");
      expectSuccess(r);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.stdout).toMatch(/sessions_ended\s*\n-+\n\s*3\n/);
      expect(await exists(srv, "C45")).toBe("false|false");
      for (const result of await Promise.all(ended)) {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/terminating connection due to administrator command|server closed the connection unexpectedly/);
      }
      // No session of the dropped role is left behind (a dropped role's sessions would show with usename NULL).
      expect(await query(srv, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename IS NULL")).toBe("0");
    } finally {
      for (const child of [...sessions, operator]) child.kill("SIGKILL");
    }
    await expectOtherCustomerIntact(srv);
  });

  it("drops a role that still owns objects or holds privileges outside its database (DROP OWNED)", async (ctx) => {
    const srv = pg(ctx);
    expectSuccess(await runSetup(srv, "C46"));
    await query(srv, `GRANT CREATE ON DATABASE postgres TO "C46"; GRANT CREATE ON SCHEMA public TO "C46"`);
    const made = await psql(srv, "CREATE TABLE c46_leftover (id int); CREATE SCHEMA c46_schema", { user: "C46", password: CUSTOMER_PASSWORD, db: "postgres" });
    expect(made.stderr).toBe("");
    const r = await runTeardown(srv, "C46");
    expectSuccess(r);
    expect(await exists(srv, "C46")).toBe("false|false");
    expect(await query(srv, "SELECT count(*) FROM pg_class WHERE relname = 'c46_leftover'")).toBe("0");
    expect(await query(srv, "SELECT count(*) FROM pg_namespace WHERE nspname = 'c46_schema'")).toBe("0");
    await query(srv, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    await expectOtherCustomerIntact(srv);
  });

  describe("any name: the name reaches SQL only as psql variables", () => {
    const hostile = [
      `C42"; DROP ROLE "C43"; --`,
      `C42'; DROP DATABASE "C43"; --`,
      `name with spaces`,
      `semi;colon`,
      `$(touch ${PWNED}) $HOME \`id\``,
      `back\\slash \\ trailing\\`,
      `mixed 'single' "double" \\'`,
      `:'role' :"db" :db \\gexec`,
      `\\! touch ${PWNED}`,
      `клиент ✓`,
    ];

    it.for(hostile.map((name, i) => [i, name] as const))("#%i %j: set up, then dropped; everything else survives", async ([, name], ctx) => {
      const srv = pg(ctx);
      expectSuccess(await runSetup(srv, name));
      await writeCustomerData(srv, name);
      expect(await exists(srv, name)).toBe("true|true");

      const r = await runTeardown(srv, name);
      expectSuccess(r);
      expect(r.containerEnv["USER_NAME"]).toBe(name);
      expect(await exists(srv, name)).toBe("false|false");
      expectSuccess(await runTeardown(srv, name));

      expect(await query(srv, "SELECT rolname || '|' || rolsuper || '|' || rolcanlogin FROM pg_roles WHERE rolname = 'postgres'")).toBe("postgres|true|true");
      await expectOtherCustomerIntact(srv);
      expect(fs.existsSync(PWNED)).toBe(false);
    });

    // The setup script's `psql -d "$USER_NAME"` reads a name with `=` (or a postgres:// prefix) as a connection
    // string, so these are made here directly; the teardown never connects to the customer's database.
    it.for([`a=b c='d'`, `postgresql://x@y/z`])("%j, made by hand: dropped as well", async (name, ctx) => {
      const srv = pg(ctx);
      const ident = `"${name.replaceAll('"', '""')}"`;
      // One statement per call: CREATE DATABASE cannot run in the transaction a multi-statement -c is.
      await query(srv, `CREATE ROLE ${ident} LOGIN`);
      await query(srv, `CREATE DATABASE ${ident} OWNER ${ident}`);
      expect(await exists(srv, name)).toBe("true|true");
      expectSuccess(await runTeardown(srv, name));
      expect(await exists(srv, name)).toBe("false|false");
      await expectOtherCustomerIntact(srv);
    });
  });

  describe("refuses what is not a customer's role, before changing anything", () => {
    it("the superuser postgres (also the administrator): exit 3, still a superuser that logs in", async (ctx) => {
      const srv = pg(ctx);
      const r = await runTeardown(srv, "postgres");
      expect(r.code, describeRun(r)).toBe(3);
      expect(r.stderr).toMatch(/role postgres is not a customer's role: nothing dropped/);
      expect(r.stdout).not.toContain("are dropped");
      expect(await query(srv, "SELECT rolname || '|' || rolsuper || '|' || rolcanlogin FROM pg_roles WHERE rolname = 'postgres'")).toBe("postgres|true|true");
      expect(await query(srv, "SELECT count(*) FROM pg_database WHERE datname = 'postgres'")).toBe("1");
    });

    it.for([
      ["C90", "CREATEDB"],
      ["C91", "CREATEROLE"],
      ["C92", "REPLICATION"],
      ["C93", "BYPASSRLS"],
      ['odd "admin"', "SUPERUSER"],
    ] as const)("%s with %s: exit 3, the role and its database untouched, it still logs in", async ([name, privilege], ctx) => {
      const srv = pg(ctx);
      const ident = `"${name.replaceAll('"', '""')}"`;
      await query(srv, `CREATE ROLE ${ident} LOGIN ${privilege} PASSWORD 'pw'`);
      await query(srv, `CREATE DATABASE ${ident} OWNER ${ident}`);
      const r = await runTeardown(srv, name);
      expect(r.code, describeRun(r)).toBe(3);
      expect(r.stderr).toMatch(/is not a customer's role: nothing dropped/);
      expect(await exists(srv, name)).toBe("true|true");
      const login = await psql(srv, "SELECT current_user", { user: name, password: "pw", db: name });
      expect(login.stdout.trim(), login.stderr).toBe(name);
      await query(srv, `DROP DATABASE ${ident}`);
      await query(srv, `DROP ROLE ${ident}`);
    });

    it("a template database: PostgreSQL itself refuses (exit 3), nothing dropped", async (ctx) => {
      const srv = pg(ctx);
      const r = await runTeardown(srv, "template1");
      expect(r.code, describeRun(r)).toBe(3);
      expect(r.stderr).toMatch(/cannot drop a template database/);
      expect(await query(srv, "SELECT count(*) FROM pg_database WHERE datname = 'template1'")).toBe("1");
    });
  });

  it(`the administrator's password is hostile (${JSON.stringify(ADMIN_PASSWORD)}) and reaches psql from the teardown Secret intact`, async (ctx) => {
    const srv = pg(ctx);
    expect(srv.adminPassword).toBe(ADMIN_PASSWORD);
    const values = valuesFor(srv);
    const secret = rendered("db-teardown-secret", values);
    expect(secret["metadata"]["name"]).toBe("lms-db-teardown-c42");
    expect(secret["stringData"]).toEqual({
      "postgres-admin-password": ADMIN_PASSWORD,
      "clickhouse-admin-password": example.databases.clickhouse.adminPassword,
    });
    const job = rendered("postgres-teardown-job", values);
    expect(JSON.stringify(job)).not.toContain(ADMIN_PASSWORD);
    expectSuccess(await runSetup(srv, "C47"));
    const r = await runTeardown(srv, "C47");
    expectSuccess(r);
    expect(r.containerEnv["PGPASSWORDADMIN"]).toBe(ADMIN_PASSWORD);
    expect(await exists(srv, "C47")).toBe("false|false");
    expect(fs.existsSync(PWNED)).toBe(false);
  });

  it("a wrong administrator password: exit non-zero, nothing dropped", async (ctx) => {
    const srv = pg(ctx);
    const r = await runTeardown(srv, OTHER, `${ADMIN_PASSWORD}-wrong`);
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toMatch(/password authentication failed for user "postgres"/);
    expect(r.stdout).not.toContain("are dropped");
    await expectOtherCustomerIntact(srv);
  });
});
