/**
 * The rendered clickhouse-setup Job's script with a recording stand-in for `clickhouse-client` (no ClickHouse
 * server can be installed here): the stand-in, first on PATH, appends its argv as one JSON line per call to a
 * log and exits 0 (or fails on a chosen call). The tests check the exact calls, the quoting of identifiers and
 * of the password literal (ClickHouse escaping), and that a failing call stops the script.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { createProvisioningPlan, type ProvisioningPlan } from "../src/index.js";
import { createClickhouseStandin } from "./support/clickhouse-standin.js";
import { runJobScript, type JobRunResult } from "./support/job-script.js";

type Input = typeof example & Record<string, any>;

const HOST = example.databases.clickhouse.host;
const ADMIN = example.databases.clickhouse.adminUser;
const ADMIN_PASSWORD = example.databases.clickhouse.adminPassword;
const PASSWORD = example.secrets.clickhouseUserPassword;

let standinDir: string;

beforeAll(() => {
  standinDir = createClickhouseStandin("sreda-ch-standin-");
});

afterAll(() => {
  if (standinDir) fs.rmSync(standinDir, { recursive: true, force: true });
});

function planFor(mutate: (input: Input) => void = () => {}): ProvisioningPlan {
  const input = structuredClone(example) as Input;
  mutate(input);
  return createProvisioningPlan(input);
}

const body = (plan: ProvisioningPlan, id: string) => {
  const step = plan.steps.find((s) => s.id === id);
  if (!step?.request.body) throw new Error(`the plan has no step ${id}`);
  return structuredClone(step.request.body) as Record<string, any>;
};

interface Run extends JobRunResult {
  calls: string[][];
}

let runCounter = 0;

async function runSetup(
  options: { plan?: ProvisioningPlan; customerPassword?: string; failOnCall?: number; extraEnv?: Record<string, string> } = {},
): Promise<Run> {
  const plan = options.plan ?? planFor();
  const secret = body(plan, "db-setup-secret");
  // Beyond the input's password alphabet: straight into the rendered Secret, as a hostile value would arrive.
  if (options.customerPassword !== undefined) secret["stringData"]["clickhouse-user-password"] = options.customerPassword;
  const log = path.join(standinDir, `calls-${++runCounter}.jsonl`);
  const extraEnv: Record<string, string> = { STANDIN_LOG: log, ...options.extraEnv };
  if (options.failOnCall !== undefined) extraEnv["STANDIN_FAIL_ON_CALL"] = String(options.failOnCall);
  const result = await runJobScript(body(plan, "clickhouse-setup-job"), { secrets: secret, pathPrefix: [standinDir], extraEnv, timeoutMs: 30_000 });
  const calls = fs.existsSync(log)
    ? fs
        .readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[])
    : [];
  return { ...result, calls };
}

const describeRun = (r: JobRunResult) => `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** The argv the script must give clickhouse-client for one query. */
const argv = (sql: string, host = HOST, user = ADMIN, password = ADMIN_PASSWORD, port = "9000") => [
  "--host",
  host,
  "--port",
  port,
  "--user",
  user,
  "--password",
  password,
  "--query",
  sql,
];

/**
 * Decodes a ClickHouse string literal starting at `start` (a `'`): `\\`, `\'`, the named escapes, `\xHH`, any
 * other `\c` → c, and `''` → `'`. Returns the value and the index just past the closing quote.
 */
function decodeClickHouseString(sql: string, start: number): { value: string; end: number } {
  if (sql[start] !== "'") throw new Error(`no string literal at ${start}: ${sql.slice(start)}`);
  const named: Record<string, string> = { b: "\b", f: "\f", r: "\r", n: "\n", t: "\t", "0": "\0", a: "\x07", v: "\v" };
  let value = "";
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "\\") {
      const next = sql[++i];
      if (next === undefined) break;
      if (next === "x" && /^[0-9A-Fa-f]{2}$/.test(sql.slice(i + 1, i + 3))) {
        value += String.fromCharCode(Number.parseInt(sql.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        value += named[next] ?? next;
      }
    } else if (c === "'") {
      if (sql[i + 1] === "'") {
        value += "'";
        i++;
      } else {
        return { value, end: i + 1 };
      }
    } else {
      value += c;
    }
  }
  throw new Error(`unterminated string literal: ${sql.slice(start)}`);
}

/** The password literal of `prefix + literal` — nothing may follow the literal. */
function passwordIn(sql: string, prefix: string): string {
  expect(sql.startsWith(prefix), `${sql} starts with ${prefix}`).toBe(true);
  const { value, end } = decodeClickHouseString(sql, prefix.length);
  expect(sql.slice(end), `nothing after the password literal in ${sql}`).toBe("");
  return value;
}

const CREATE_USER = "CREATE USER IF NOT EXISTS `C42` IDENTIFIED WITH sha256_password BY ";
const ALTER_USER = "ALTER USER `C42` IDENTIFIED WITH sha256_password BY ";

describe("clickhouse-setup Job script (recording clickhouse-client stand-in)", () => {
  it("the decoder reads ClickHouse literals", () => {
    expect(decodeClickHouseString(String.raw`'a\'b\\c''d\n\x41\q'`, 0)).toEqual({ value: "a'b\\c'd\nAq", end: 20 });
  });

  it("makes exactly 6 calls, in order, each as separate argv entries with backtick-quoted identifiers", async () => {
    const r = await runSetup();
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toContain("clickhouse: database and user C42 are ready");
    expect(r.calls).toEqual([
      argv("CREATE DATABASE IF NOT EXISTS `C42`"),
      argv(`${CREATE_USER}'${PASSWORD}'`),
      argv(`${ALTER_USER}'${PASSWORD}'`),
      argv("GRANT ALL ON `C42`.* TO `C42`"),
      argv("GRANT POSTGRES ON *.* TO `C42` WITH GRANT OPTION"),
      argv("GRANT CREATE TEMPORARY TABLE ON *.* TO `C42` WITH GRANT OPTION"),
    ]);
  });

  it("reads both passwords from the Secret, not from the manifest", async () => {
    const plan = planFor();
    const job = JSON.stringify(body(plan, "clickhouse-setup-job"));
    expect(job).not.toContain(ADMIN_PASSWORD);
    expect(job).not.toContain(PASSWORD);
    const r = await runSetup({ plan });
    expect(r.containerEnv["CLICKHOUSE_PASSWORD"]).toBe(ADMIN_PASSWORD);
    expect(r.containerEnv["CH_PASSWORD"]).toBe(PASSWORD);
  });

  it("a re-run makes the same 6 calls (idempotent statements: IF NOT EXISTS, ALTER, GRANT)", async () => {
    const first = await runSetup();
    const second = await runSetup();
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.calls).toEqual(first.calls);
    for (const call of first.calls) {
      expect(call.at(-1)).toMatch(/^(CREATE (DATABASE|USER) IF NOT EXISTS |ALTER USER |GRANT )/);
    }
  });

  it("a hostile administrator password reaches clickhouse-client as one intact argv entry", async () => {
    const adminPassword = `adm'in "pw" $HOME $(touch /tmp/sreda-ch-pwned) \`id\` \\ ; -- end`;
    const plan = planFor((input) => {
      input.databases.clickhouse.adminPassword = adminPassword;
    });
    const r = await runSetup({ plan });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.calls).toHaveLength(6);
    for (const call of r.calls) expect(call.slice(0, 8)).toEqual(["--host", HOST, "--port", "9000", "--user", ADMIN, "--password", adminPassword]);
    expect(fs.existsSync("/tmp/sreda-ch-pwned")).toBe(false);
  });

  describe("hostile customer passwords: the SQL literal decodes exactly back to the password", () => {
    const hostile = [
      `a'b\\c"$d;`,
      `'`,
      `\\`,
      `\\'`,
      `trailing backslash \\`,
      `''; DROP USER default; --`,
      `x' ; GRANT ALL ON *.* TO \`C42\` WITH GRANT OPTION; --`,
      `$(touch /tmp/sreda-ch-pwned) \`touch /tmp/sreda-ch-pwned\` $HOME \${CH_PASSWORD}`,
      `& && \\& \\\\& %s %q`,
      `\\n \\x41 \\0 not escapes`,
      "tab\tnew\nline",
      "пароль ✓",
    ];

    it.for(hostile.map((p, i) => [i, p] as const))("#%i %j", async ([, password]) => {
      fs.rmSync("/tmp/sreda-ch-pwned", { force: true });
      const r = await runSetup({ customerPassword: password });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.calls).toHaveLength(6);
      const queries = r.calls.map((c) => c.at(-1)!);
      expect(passwordIn(queries[1]!, CREATE_USER)).toBe(password);
      expect(passwordIn(queries[2]!, ALTER_USER)).toBe(password);
      // The other statements carry no password and are unchanged.
      expect([queries[0], ...queries.slice(3)]).toEqual([
        "CREATE DATABASE IF NOT EXISTS `C42`",
        "GRANT ALL ON `C42`.* TO `C42`",
        "GRANT POSTGRES ON *.* TO `C42` WITH GRANT OPTION",
        "GRANT CREATE TEMPORARY TABLE ON *.* TO `C42` WITH GRANT OPTION",
      ]);
      for (const call of r.calls) expect(call.slice(0, 9)).toEqual(argv("").slice(0, 9));
      expect(fs.existsSync("/tmp/sreda-ch-pwned")).toBe(false);
    });
  });

  it("a failing call stops the script: non-zero exit, no further calls", async () => {
    const r = await runSetup({ failOnCall: 2 });
    expect(r.code, describeRun(r)).toBe(77);
    expect(r.calls).toHaveLength(2);
    expect(r.calls[1]!.at(-1)).toMatch(/^CREATE USER IF NOT EXISTS /);
    expect(r.stderr).toContain("stand-in refuses call 2");
    expect(r.stdout).not.toContain("are ready");
  });

  it("a failing first call stops it too", async () => {
    const r = await runSetup({ failOnCall: 1 });
    expect(r.code, describeRun(r)).toBe(77);
    expect(r.calls).toHaveLength(1);
  });

  it("without clickhouse-client on PATH the script fails (command not found), it does not succeed silently", async () => {
    const plan = planFor();
    const secret = body(plan, "db-setup-secret");
    const r = await runJobScript(body(plan, "clickhouse-setup-job"), {
      secrets: secret,
      extraEnv: { PATH: "/usr/bin:/bin" },
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(127);
    expect(r.stdout).not.toContain("are ready");
  });

  it("the job runner fails loudly on a missing Secret key or a Secret of another name", async () => {
    const plan = planFor();
    const job = body(plan, "clickhouse-setup-job");
    const secret = body(plan, "db-setup-secret");
    delete secret["stringData"]["clickhouse-user-password"];
    expect(() => runJobScript(job, { secrets: secret })).toThrow(/CH_PASSWORD: secret lms-db-setup-c42 has no key clickhouse-user-password/);
    const other = body(plan, "db-setup-secret");
    other["metadata"]["name"] = "someone-else";
    expect(() => runJobScript(job, { secrets: other })).toThrow(/secret lms-db-setup-c42 is not among the given secrets \(someone-else\)/);
    expect(() => runJobScript(job)).toThrow(/CLICKHOUSE_PASSWORD: secret lms-db-setup-c42 is not among the given secrets \(none\)/);
  });

  // The DSN and the Job must talk to the same port: a non-default databases.clickhouse.port reaches both.
  it("passes a non-default databases.clickhouse.port to clickhouse-client (--port)", async () => {
    const plan = planFor((input) => {
      input.databases.clickhouse = { ...input.databases.clickhouse, port: 9440 } as Input["databases"]["clickhouse"];
    });
    const dsn = body(plan, "lms-secrets")["stringData"]["LMS_STORAGE_CLICKHOUSE_DSN"] as string;
    expect(dsn).toContain(":9440/");
    const r = await runSetup({ plan });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.calls).toHaveLength(6);
    for (const call of r.calls) {
      const at = call.indexOf("--port");
      expect(at, JSON.stringify(call)).toBeGreaterThanOrEqual(0);
      expect(call[at + 1]).toBe("9440");
    }
  });
});
