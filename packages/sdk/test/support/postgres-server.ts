/**
 * A throwaway real PostgreSQL server for tests: `initdb` into a temporary directory (superuser `postgres`,
 * SCRAM password authentication for local and host connections), listening on 127.0.0.1 on a free port with
 * its unix socket inside the temporary directory. PostgreSQL refuses to run as root, so when the tests run as
 * root the server runs as the unprivileged `postgres` system user (Debian's postgresql package creates it).
 *
 * Binaries: `PG_BIN_DIR`, else the highest `/usr/lib/postgresql/<version>/bin`, else PATH. When they are not
 * installed, `startPostgresServer` resolves to `{ server: undefined, reason }`; see `requirePostgresOrSkip`.
 */
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, type TestContext } from "vitest";

export interface PostgresBinaries {
  binDir: string;
  initdb: string;
  pgCtl: string;
  psql: string;
}

export interface PostgresServer {
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  /** The directory of the server's binaries; put it first on PATH so scripts use the matching psql. */
  binDir: string;
  psql: string;
  /** The temporary directory holding data, socket, password file and log. */
  baseDir: string;
  /** The server log so far (for failure messages). */
  log(): string;
  /** Stops the server and removes the temporary directory; safe to call twice. */
  stop(): Promise<void>;
}

export type StartResult = { server: PostgresServer; reason?: undefined } | { server: undefined; reason: string };

export interface StartOptions {
  /** The superuser's password; default random. Any characters but a newline (initdb's --pwfile reads one line). */
  adminPassword?: string;
  /** Milliseconds to wait for the server to accept connections; default 60 s. */
  readyTimeoutMs?: number;
}

const ADMIN_USER = "postgres";
const SERVICE_USER = "postgres";

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function binariesIn(dir: string): PostgresBinaries | undefined {
  const initdb = path.join(dir, "initdb");
  const pgCtl = path.join(dir, "pg_ctl");
  if (!isExecutable(initdb) || !isExecutable(pgCtl)) return undefined;
  const psql = isExecutable(path.join(dir, "psql")) ? path.join(dir, "psql") : onPath("psql");
  if (!psql) return undefined;
  return { binDir: dir, initdb, pgCtl, psql };
}

/** Finds initdb, pg_ctl and psql, or says why not. */
export function findPostgresBinaries(): PostgresBinaries | { reason: string } {
  const fromEnv = process.env["PG_BIN_DIR"];
  if (fromEnv) {
    return binariesIn(fromEnv) ?? { reason: `PG_BIN_DIR=${fromEnv} has no executable initdb, pg_ctl and psql` };
  }
  const debianRoot = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(debianRoot).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    // Not Debian's layout.
  }
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  for (const version of versions) {
    const found = binariesIn(path.join(debianRoot, version, "bin"));
    if (found) return found;
  }
  const initdb = onPath("initdb");
  if (initdb) {
    // Resolve symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) to find pg_ctl beside it.
    const found = binariesIn(path.dirname(fs.realpathSync(initdb))) ?? binariesIn(path.dirname(initdb));
    if (found) return found;
  }
  return {
    reason:
      "PostgreSQL server binaries (initdb, pg_ctl, psql) are not installed: set PG_BIN_DIR or install Debian's postgresql package (apt-get install postgresql)",
  };
}

interface ServiceAccount {
  uid: number;
  gid: number;
}

/** Who runs initdb/postgres: ourselves, or the `postgres` system user when we are root. */
function serviceAccount(): ServiceAccount | undefined | { reason: string } {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  let passwd = "";
  try {
    passwd = fs.readFileSync("/etc/passwd", "utf8");
  } catch {
    // Fall through to the reason below.
  }
  const line = passwd.split("\n").find((l) => l.startsWith(`${SERVICE_USER}:`));
  const fields = line?.split(":");
  if (!fields || fields.length < 4) {
    return { reason: `running as root and there is no '${SERVICE_USER}' system user to run PostgreSQL as (PostgreSQL refuses to run as root)` };
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

interface CommandResult {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => chunks.push(c));
    child.stderr?.on("data", (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a server; `{ server: undefined, reason }` when PostgreSQL is not installed or cannot run here. */
export async function startPostgresServer(options: StartOptions = {}): Promise<StartResult> {
  const bins = findPostgresBinaries();
  if ("reason" in bins) return { server: undefined, reason: bins.reason };
  const account = serviceAccount();
  if (account && "reason" in account) return { server: undefined, reason: account.reason };

  const adminPassword = options.adminPassword ?? `pg-${randomBytes(12).toString("hex")}`;
  if (/[\r\n]/.test(adminPassword)) throw new Error("the admin password cannot contain a newline (initdb --pwfile reads one line)");

  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "sreda-pg-"));
  const dataDir = path.join(baseDir, "data");
  const socketDir = path.join(baseDir, "socket");
  const pwFile = path.join(baseDir, "pwfile");
  const logFile = path.join(baseDir, "server.log");
  fs.mkdirSync(socketDir, { mode: 0o700 });
  fs.writeFileSync(pwFile, `${adminPassword}\n`, { mode: 0o600 });
  fs.writeFileSync(logFile, "", { mode: 0o600 });
  if (account) {
    for (const p of [baseDir, socketDir, pwFile, logFile]) fs.chownSync(p, account.uid, account.gid);
  }

  // As the service user (uid/gid set by libuv, which also drops root's supplementary groups), in a directory
  // it can read, with a HOME that is not root's.
  const asService: SpawnOptions = {
    cwd: baseDir,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", LANG: "C.UTF-8", HOME: baseDir },
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
  };
  const readLog = () => {
    try {
      return fs.readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  const cleanup = () => fs.rmSync(baseDir, { recursive: true, force: true });

  const init = await run(
    bins.initdb,
    ["-D", dataDir, "-U", ADMIN_USER, `--pwfile=${pwFile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
    asService,
  );
  if (init.code !== 0) {
    cleanup();
    throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`);
  }
  fs.rmSync(pwFile, { force: true });

  let port = 0;
  let started = false;
  let lastFailure = "";
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    // Settings appended to postgresql.conf (later lines win), so no path ever goes through pg_ctl's shell.
    fs.appendFileSync(
      path.join(dataDir, "postgresql.conf"),
      [
        "",
        "# sreda test server",
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${socketDir.replace(/'/g, "''")}'`,
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 30",
        "shared_buffers = 32MB",
        "",
      ].join("\n"),
    );
    const start = await run(bins.pgCtl, ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"], asService);
    if (start.code === 0) started = true;
    else lastFailure = `pg_ctl start failed (exit ${start.code}):\n${start.output}\n${readLog()}`;
  }
  if (!started) {
    cleanup();
    throw new Error(lastFailure);
  }

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(bins.pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"], { ...asService, stdio: "ignore", timeout: 30_000 });
    cleanup();
  };
  // Safety net: a test run that dies without afterAll must not leave a postmaster behind.
  process.once("exit", stopSync);

  const server: PostgresServer = {
    host: "127.0.0.1",
    port,
    adminUser: ADMIN_USER,
    adminPassword,
    binDir: bins.binDir,
    psql: bins.psql,
    baseDir,
    log: readLog,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", stopSync);
      await run(bins.pgCtl, ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"], asService);
      cleanup();
    },
  };

  // pg_ctl -w waits for "ready"; also prove that a password login over TCP works before handing it out.
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const probe = await run(bins.psql, ["-X", "-At", "-h", server.host, "-p", String(port), "-U", ADMIN_USER, "-d", "postgres", "-c", "SELECT 1"], {
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", PGPASSWORD: adminPassword, PGCONNECT_TIMEOUT: "5" },
      timeoutMs: 15_000,
    });
    if (probe.code === 0 && probe.output.trim() === "1") break;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`PostgreSQL did not accept a password login on 127.0.0.1:${port}:\n${probe.output}\n${readLog()}`);
    }
    await sleep(200);
  }
  return { server };
}

/**
 * What a test does when PostgreSQL is unavailable: under CI (`CI` set) that is a failure — CI must not
 * silently skip the real-database tests — otherwise the test is skipped with the reason.
 */
export function unavailablePolicy(reason: string): { skip: string } | { fail: string } {
  return process.env["CI"] ? { fail: `PostgreSQL is required when CI is set: ${reason}` } : { skip: `PostgreSQL not available: ${reason}` };
}

/**
 * A test file's server: started before its tests (by the file's `beforeAll`), stopped after them. Returns what a test
 * calls for it — the running server, or the test skipped with the reason when there is none (a failure under CI).
 */
export function usePostgresServer(file: string, options: StartOptions): (ctx: TestContext) => PostgresServer {
  let server: PostgresServer | undefined;
  let skipReason: string | undefined;
  beforeAll(async () => {
    const started = await startPostgresServer(options);
    if (started.server) {
      server = started.server;
      return;
    }
    const policy = unavailablePolicy(started.reason);
    if ("fail" in policy) throw new Error(policy.fail);
    skipReason = policy.skip;
    console.warn(`${file}: ${skipReason}`);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  }, 120_000);
  return (ctx) => {
    if (!server) ctx.skip(skipReason ?? "PostgreSQL server did not start");
    return server!;
  };
}
