/**
 * Schemathesis (PyPI), the property-based API fuzzer, pinned. `.ci/run` installs exactly this version into a
 * virtualenv in the user's cache (`${XDG_CACHE_HOME:-$HOME/.cache}/sreda/schemathesis-<version>`) once and exports
 * `SREDA_SCHEMATHESIS` (the `st` executable); locally the same path is looked up, or `SREDA_SCHEMATHESIS` is
 * honoured. Keep the version in step with `.ci/run`.
 *
 * The CLI is the 4.x one (`st run <schema URL> -H … --checks all --seed … --max-examples …`); 3.x spelt most of it
 * differently (`--hypothesis-seed`, `--hypothesis-max-examples`, `--base-url`).
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const SCHEMATHESIS_VERSION = "4.32.5";

/** The virtualenv `.ci/run` installs into: `${XDG_CACHE_HOME:-$HOME/.cache}/sreda/schemathesis-<version>`. */
export function schemathesisVenv(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env["XDG_CACHE_HOME"] || path.join(env["HOME"] || os.homedir(), ".cache");
  return path.join(cache, "sreda", `schemathesis-${SCHEMATHESIS_VERSION}`);
}

/** Where `.ci/run` puts `st`, unless `SREDA_SCHEMATHESIS` names it. */
export function schemathesisPath(env: NodeJS.ProcessEnv = process.env): string {
  return env["SREDA_SCHEMATHESIS"] || path.join(schemathesisVenv(env), "bin", "st");
}

/** The `st` executable of the pinned version, or why there is none. */
export async function findSchemathesis(): Promise<{ st: string; reason?: undefined } | { st?: undefined; reason: string }> {
  const st = schemathesisPath();
  const venv = schemathesisVenv();
  const install = `install it with \`python3 -m venv ${venv} && ${venv}/bin/pip install schemathesis==${SCHEMATHESIS_VERSION}\` (what .ci/run does), or set SREDA_SCHEMATHESIS to an st ${SCHEMATHESIS_VERSION}`;
  if (!existsSync(st)) return { reason: `schemathesis is not installed at ${st}; ${install}` };
  const output = await new Promise<string>((resolve) => {
    execFile(st, ["--version"], { timeout: 60_000 }, (error, stdout, stderr) => resolve(error ? `failed: ${error.message} ${stderr}` : stdout));
  });
  const version = /version\s+(\S+)/.exec(output)?.[1];
  if (version !== SCHEMATHESIS_VERSION) return { reason: `${st} is not schemathesis ${SCHEMATHESIS_VERSION} (${output.trim() || "no output"}); ${install}` };
  return { st };
}

/** The parts of the JSON report (`--report json`) the test reads. */
export interface SchemathesisReport {
  schemathesis_version: string;
  command: string;
  seed: number | null;
  running_time: number;
  stop_reason: string;
  complete: boolean;
  exit_code: number;
  operations: { total: number; selected: number; tested: number; errored: number; skipped: number } | null;
  phases: Record<string, { status: string; skip_reason: string | null }> | null;
  test_cases: { generated: number; with_failures: number; unique_failures: number; without_checks: number; errored: number };
  failures: Array<{ type: string; code: string; title: string; severity: string; count: number; operations: string[] }>;
  errors: Array<{ title: string; count: number }>;
  warnings: unknown;
}

export interface SchemathesisRun {
  exitCode: number | null;
  /** The terminal output (no colours): the summary and, for each failure, the request that reproduces it. */
  output: string;
  report: SchemathesisReport | undefined;
  ms: number;
}

/**
 * `st run <schemaUrl> <args…>` as a child process — asynchronously, so the bridge under test, which runs in this
 * process, keeps serving. Runs in a scratch directory (no `.hypothesis/` or report folders left in the repository),
 * with the JSON report read back. `timeoutMs` kills it; `env` adds variables (SCHEMATHESIS_HOOKS).
 */
export async function runSchemathesis(
  st: string,
  schemaUrl: string,
  args: string[],
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<SchemathesisRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sreda-schemathesis-"));
  const reportPath = path.join(dir, "report.json");
  const started = performance.now();
  try {
    const { exitCode, output } = await new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
      const child = spawn(st, ["run", schemaUrl, ...args, "--report", "json", "--report-json-path", reportPath, "--report-dir", dir, "--no-color"], {
        cwd: dir,
        // No proxy (the bridge is on loopback); wide columns so the summary does not wrap; no colours.
        env: { ...process.env, NO_PROXY: "*", no_proxy: "*", HTTP_PROXY: "", HTTPS_PROXY: "", COLUMNS: "160", NO_COLOR: "1", PYTHONUNBUFFERED: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      const timer = setTimeout(() => {
        output += `\n[sreda] schemathesis killed after ${timeoutMs} ms\n`;
        child.kill("SIGKILL");
      }, timeoutMs);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, output });
      });
    });
    return { exitCode, output, report: readReport(reportPath), ms: performance.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The JSON report; none when schemathesis wrote none or was killed halfway through writing it (the output says why). */
function readReport(reportPath: string): SchemathesisReport | undefined {
  if (!existsSync(reportPath)) return undefined;
  try {
    return JSON.parse(readFileSync(reportPath, "utf8")) as SchemathesisReport;
  } catch {
    return undefined;
  }
}
