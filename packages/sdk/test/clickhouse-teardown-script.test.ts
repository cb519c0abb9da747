/**
 * The rendered clickhouse-teardown Job's script with a recording stand-in for `clickhouse-client` (no ClickHouse
 * server can be installed here), as clickhouse-setup-script.test.ts does: the stand-in, first on PATH, appends its
 * argv as one JSON line per call to a log and exits 0 (or fails on a chosen call). The tests check the exact
 * statements (`DROP … IF EXISTS`, so a re-run succeeds), the quoting of any name as a backtick identifier, the
 * names it refuses, and that a failing call stops the script.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teardownTemplates } from "@sreda/templates";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { ProvisioningInput, renderTemplate, resolveMacroValues, validateManifest } from "../src/index.js";
import { createClickhouseStandin } from "./support/clickhouse-standin.js";
import { runJobScript, type JobRunResult } from "./support/job-script.js";

type Input = typeof example & Record<string, any>;

const HOST = example.databases.clickhouse.host;
const ADMIN = example.databases.clickhouse.adminUser;
const ADMIN_PASSWORD = example.databases.clickhouse.adminPassword;
const PWNED = "/tmp/sreda-ch-teardown-pwned";

let standinDir: string;

beforeAll(() => {
  standinDir = createClickhouseStandin("sreda-ch-teardown-standin-");
});

afterAll(() => {
  if (standinDir) fs.rmSync(standinDir, { recursive: true, force: true });
});

/**
 * The macro values the SDK resolves for the (mutated) example input; `name` then replaces `client-id`: the input
 * model allows only `C` + digits, the script must be safe for any name.
 */
function valuesFor(options: { name?: string; mutate?: (input: Input) => void } = {}): Record<string, string> {
  const input = structuredClone(example) as Input;
  options.mutate?.(input);
  const values = resolveMacroValues(ProvisioningInput.parse(input));
  return options.name === undefined ? values : { ...values, "client-id": options.name };
}

/** A teardown template rendered by the SDK's renderer. */
function rendered(id: string, values: Record<string, string>): Record<string, any> {
  const template = teardownTemplates.find((t) => t.id === id);
  if (!template) throw new Error(`no teardown template ${id}`);
  const body = renderTemplate(template, values).body;
  if (!body) throw new Error(`template ${id} has no body`);
  return body;
}

interface Run extends JobRunResult {
  calls: string[][];
}

let runCounter = 0;

async function runTeardown(options: { values?: Record<string, string>; failOnCall?: number; log?: string } = {}): Promise<Run> {
  const values = options.values ?? valuesFor();
  const log = options.log ?? path.join(standinDir, `calls-${++runCounter}.jsonl`);
  const extraEnv: Record<string, string> = { STANDIN_LOG: log };
  if (options.failOnCall !== undefined) extraEnv["STANDIN_FAIL_ON_CALL"] = String(options.failOnCall);
  const result = await runJobScript(rendered("clickhouse-teardown-job", values), {
    secrets: rendered("db-teardown-secret", values),
    pathPrefix: [standinDir],
    extraEnv,
    timeoutMs: 30_000,
  });
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
const argv = (sql: string, password = ADMIN_PASSWORD, port = "9000") => [
  "--host",
  HOST,
  "--port",
  port,
  "--user",
  ADMIN,
  "--password",
  password,
  "--query",
  sql,
];

/**
 * Decodes a ClickHouse backtick identifier starting at `start`: `\c` → c (and the named escapes), and a doubled
 * backtick → one. Returns the name and the index just past the closing backtick.
 */
function decodeClickHouseIdentifier(sql: string, start: number): { value: string; end: number } {
  if (sql[start] !== "`") throw new Error(`no quoted identifier at ${start}: ${sql.slice(start)}`);
  const named: Record<string, string> = { b: "\b", f: "\f", r: "\r", n: "\n", t: "\t", "0": "\0", a: "\x07", v: "\v" };
  let value = "";
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "\\") {
      const next = sql[++i];
      if (next === undefined) break;
      value += named[next] ?? next;
    } else if (c === "`") {
      if (sql[i + 1] === "`") {
        value += "`";
        i++;
      } else {
        return { value, end: i + 1 };
      }
    } else {
      value += c;
    }
  }
  throw new Error(`unterminated identifier: ${sql.slice(start)}`);
}

/** The name in `prefix` + identifier + `suffix`: nothing else may follow the identifier. */
function nameIn(sql: string, prefix: string, suffix = ""): string {
  expect(sql.startsWith(prefix), `${sql} starts with ${prefix}`).toBe(true);
  const { value, end } = decodeClickHouseIdentifier(sql, prefix.length);
  expect(sql.slice(end), `only ${JSON.stringify(suffix)} after the identifier in ${sql}`).toBe(suffix);
  return value;
}

describe("clickhouse-teardown Job script (recording clickhouse-client stand-in)", () => {
  it("the decoder reads ClickHouse identifiers", () => {
    expect(decodeClickHouseIdentifier("`a\\\\b``c\\`d` SYNC", 0)).toEqual({ value: "a\\b`c`d", end: 12 });
  });

  it("makes exactly 2 calls: the user, then the database (SYNC), both DROP … IF EXISTS with a backtick-quoted name", async () => {
    const r = await runTeardown();
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toContain("clickhouse: user and database C42 are dropped");
    expect(r.calls).toEqual([argv("DROP USER IF EXISTS `C42`"), argv("DROP DATABASE IF EXISTS `C42` SYNC")]);
  });

  it("reads the administrator's password from the teardown Secret, which holds nothing else; none in the manifest", async () => {
    const values = valuesFor();
    const job = rendered("clickhouse-teardown-job", values);
    const secret = rendered("db-teardown-secret", values);
    expect(secret["metadata"]["name"]).toBe("lms-db-teardown-c42");
    expect(secret["stringData"]).toEqual({
      "postgres-admin-password": example.databases.postgres.adminPassword,
      "clickhouse-admin-password": ADMIN_PASSWORD,
    });
    expect(JSON.stringify(job)).not.toContain(ADMIN_PASSWORD);
    expect(JSON.stringify(job)).not.toContain(example.secrets.clickhouseUserPassword);
    const r = await runTeardown({ values });
    expect(r.containerEnv).toEqual({
      USER_NAME: "C42",
      CLICKHOUSE_HOST: HOST,
      CLICKHOUSE_PORT: "9000",
      CLICKHOUSE_USER: ADMIN,
      CLICKHOUSE_PASSWORD: ADMIN_PASSWORD,
    });
  });

  it("is idempotent: a re-run makes the same calls, every one DROP … IF EXISTS", async () => {
    const first = await runTeardown();
    const second = await runTeardown();
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.calls).toEqual(first.calls);
    for (const call of first.calls) expect(call.at(-1)).toMatch(/^DROP (USER|DATABASE) IF EXISTS `/);
  });

  it("a re-run after an interrupted teardown (the database call failed) drops both again and succeeds", async () => {
    const log = path.join(standinDir, `calls-interrupted-${++runCounter}.jsonl`);
    const interrupted = await runTeardown({ log, failOnCall: 2 });
    expect(interrupted.code, describeRun(interrupted)).toBe(77);
    expect(interrupted.stdout).not.toContain("are dropped");
    expect(interrupted.calls.map((c) => c.at(-1))).toEqual(["DROP USER IF EXISTS `C42`", "DROP DATABASE IF EXISTS `C42` SYNC"]);
    const again = await runTeardown();
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.calls.map((c) => c.at(-1))).toEqual(["DROP USER IF EXISTS `C42`", "DROP DATABASE IF EXISTS `C42` SYNC"]);
  });

  describe("any name: the identifier decodes exactly back to it, nothing else in the statement", () => {
    const hostile = [
      "a`b",
      "`",
      "\\",
      "\\`",
      "trailing backslash \\",
      "x`; DROP DATABASE system; --",
      "C42` ON CLUSTER `all",
      "x` SYNC; DROP USER `default",
      `$(touch ${PWNED}) \`touch ${PWNED}\` $HOME \${CLICKHOUSE_PASSWORD}`,
      `'single' "double" ; -- spaces`,
      "\\n \\x41 \\0 not escapes",
      "tab\tnew\nline",
      "клиент ✓",
    ];

    it.for(hostile.map((name, i) => [i, name] as const))("#%i %j", async ([, name]) => {
      fs.rmSync(PWNED, { force: true });
      const r = await runTeardown({ values: valuesFor({ name }) });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.containerEnv["USER_NAME"]).toBe(name);
      expect(r.calls).toHaveLength(2);
      const [user, database] = r.calls.map((c) => c.at(-1)!);
      expect(nameIn(user!, "DROP USER IF EXISTS ")).toBe(name);
      expect(nameIn(database!, "DROP DATABASE IF EXISTS ", " SYNC")).toBe(name);
      for (const call of r.calls) expect(call.slice(0, 9)).toEqual(argv("").slice(0, 9));
      expect(fs.existsSync(PWNED)).toBe(false);
    });
  });

  it.for(["default", "system", "information_schema", "INFORMATION_SCHEMA", ""])(
    "refuses %j (the server's own user or databases): exit 3, no call",
    async (name) => {
      const r = await runTeardown({ values: valuesFor({ name }) });
      expect(r.code, describeRun(r)).toBe(3);
      expect(r.calls).toEqual([]);
      expect(r.stderr).toContain("is not a customer's name: nothing dropped");
      expect(r.stdout).not.toContain("are dropped");
    },
  );

  it("refuses the administrator's name whatever it is (an administrator called C42)", async () => {
    const values = valuesFor({
      mutate: (input) => {
        input.databases.clickhouse.adminUser = "C42";
      },
    });
    const r = await runTeardown({ values });
    expect(r.code, describeRun(r)).toBe(3);
    expect(r.calls).toEqual([]);
  });

  it("a hostile administrator password reaches clickhouse-client as one intact argv entry", async () => {
    const adminPassword = `adm'in "pw" $HOME $(touch ${PWNED}) \`id\` \\ ; -- end`;
    fs.rmSync(PWNED, { force: true });
    const values = valuesFor({
      mutate: (input) => {
        input.databases.clickhouse.adminPassword = adminPassword;
      },
    });
    const r = await runTeardown({ values });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.calls).toEqual([argv("DROP USER IF EXISTS `C42`", adminPassword), argv("DROP DATABASE IF EXISTS `C42` SYNC", adminPassword)]);
    expect(fs.existsSync(PWNED)).toBe(false);
  });

  it("a failing first call stops the script: non-zero exit, no further call", async () => {
    const r = await runTeardown({ failOnCall: 1 });
    expect(r.code, describeRun(r)).toBe(77);
    expect(r.calls).toHaveLength(1);
    expect(r.stderr).toContain("stand-in refuses call 1");
    expect(r.stdout).not.toContain("are dropped");
  });

  it("without clickhouse-client on PATH the script fails (command not found), it does not succeed silently", async () => {
    const values = valuesFor();
    const r = await runJobScript(rendered("clickhouse-teardown-job", values), {
      secrets: rendered("db-teardown-secret", values),
      extraEnv: { PATH: "/usr/bin:/bin" },
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(127);
    expect(r.stdout).not.toContain("are dropped");
  });

  it("passes a non-default databases.clickhouse.port to clickhouse-client (--port), as the setup Job does", async () => {
    const values = valuesFor({
      mutate: (input) => {
        input.databases.clickhouse = { ...input.databases.clickhouse, port: 9440 } as Input["databases"]["clickhouse"];
      },
    });
    const r = await runTeardown({ values });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.calls).toEqual([argv("DROP USER IF EXISTS `C42`", ADMIN_PASSWORD, "9440"), argv("DROP DATABASE IF EXISTS `C42` SYNC", ADMIN_PASSWORD, "9440")]);
  });
});

describe("the teardown set as the SDK renders it", () => {
  it("renders for C42 from the input's macros alone, into valid manifests named by their templates", () => {
    const values = valuesFor();
    expect(teardownTemplates.map((t) => t.id)).toEqual([
      "db-teardown-network-policy",
      "db-teardown-secret",
      "clickhouse-teardown-job",
      "postgres-teardown-job",
    ]);
    for (const template of teardownTemplates) {
      const result = renderTemplate(template, values);
      expect(result.method, template.id).toBe("POST");
      expect(result.path, template.id).toMatch(/^\/api(s\/[a-z0-9.]+)?\/v1\/namespaces\/lms-dev\/[a-z]+$/);
      expect(validateManifest(result.body), template.id).toEqual([]);
      const metadata = result.body!["metadata"] as { name: string };
      expect(metadata).toMatchObject({
        namespace: "lms-dev",
        labels: { "app.kubernetes.io/instance": "c42", "app.kubernetes.io/managed-by": "sreda", "sreda.io/client-id": "C42" },
      });
      expect(metadata.name, template.id).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    // Only the Secret carries secrets.
    expect(
      renderTemplate(
        teardownTemplates.find((t) => t.id === "db-teardown-secret")!,
        values,
      ).sensitivePaths.sort(),
    ).toEqual(['$.stringData["clickhouse-admin-password"]', '$.stringData["postgres-admin-password"]']);
    for (const id of ["db-teardown-network-policy", "clickhouse-teardown-job", "postgres-teardown-job"]) {
      expect(
        renderTemplate(
          teardownTemplates.find((t) => t.id === id)!,
          values,
        ).sensitivePaths,
        id,
      ).toEqual([]);
    }
  });
});
