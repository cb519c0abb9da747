/**
 * What the CLI's tests stand on: the SDK's fake cluster served over HTTP on 127.0.0.1 (wall-clock time, fast
 * timings), a kubeconfig pointing at it (token auth), the example input, and the CLI run as a user runs it — a
 * separate process (tsx on src/main.ts) with its own environment (HOME in a temporary folder, so that no
 * ~/.kube/config of the machine is read) — or in-process through `runSreda` with captured streams.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { createFakeCluster, createVirtualClock, type FakeCluster, type Timings, type Tokens } from "@sreda/sdk/testing";
import { runSreda } from "../../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, "..", "..", "src", "main.ts");
const TSX_CLI = createRequire(import.meta.url).resolve("tsx/cli");
export const EXAMPLE_INPUT = join(here, "..", "..", "..", "..", "examples", "c42-lms-dev.input.json");
export const TOKEN = "sreda-dev-token";

export const FAST_TIMINGS: Partial<Timings> = { schedule: 20, pull: 20, start: 20, ready: 50, jobRun: 100, terminate: 20 };

export interface TestCluster {
  fake: FakeCluster;
  url: string;
  /** A temporary folder for kubeconfigs, inputs and outputs; removed by close(). */
  dir: string;
  /** A kubeconfig whose current context reaches the cluster with the token, namespace lms-dev. */
  kubeconfig: string;
  close(): Promise<void>;
}

export function kubeconfigYaml(server: string, user: string, options: { namespace?: string; context?: string } = {}): string {
  const context = options.context ?? "fake";
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fake",
    "  cluster:",
    `    server: ${server}`,
    "users:",
    "- name: dev",
    "  user:",
    ...user.split("\n").map((l) => `    ${l}`),
    "contexts:",
    `- name: ${context}`,
    "  context:",
    "    cluster: fake",
    "    user: dev",
    ...(options.namespace ? [`    namespace: ${options.namespace}`] : []),
    `current-context: ${context}`,
    "",
  ].join("\n");
}

export async function startTestCluster(options: { timings?: Partial<Timings>; tokens?: Tokens } = {}): Promise<TestCluster> {
  const fake = createFakeCluster({
    clock: createVirtualClock({ realtime: true }),
    timings: options.timings ?? FAST_TIMINGS,
    ...(options.tokens ? { tokens: options.tokens } : {}),
  });
  const listening = await fake.listen({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), "sreda-cli-test-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigYaml(listening.url, `token: ${TOKEN}`, { namespace: "lms-dev" }));
  return {
    fake,
    url: listening.url,
    dir,
    kubeconfig,
    close: async () => {
      await listening.close();
      fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The example input, changed by `edit`, written into `dir`; its path. */
export function writeInput(dir: string, name: string, edit: (input: Record<string, any>) => void = () => undefined): string {
  const input = JSON.parse(readFileSync(EXAMPLE_INPUT, "utf8")) as Record<string, any>;
  edit(input);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(input, null, 2));
  return path;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout's lines parsed as JSON (every line must be JSON). */
  json(): any[];
}

function result(code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string): CliRun {
  return {
    code,
    signal,
    stdout,
    stderr,
    json: () =>
      stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l)),
  };
}

/** The environment of a spawned CLI: the machine's PATH (this Node first), a HOME with no kubeconfig, no KUBECONFIG. */
export function cliEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: `${dirname(process.execPath)}${delimiter}${process.env["PATH"] ?? ""}`, HOME: dir, ...extra };
  return env;
}

/**
 * Runs `sreda args…` as a process (stdout piped: JSON lines unless `-o text`); `onStdout` sees its output as it
 * comes, with the child, to signal it.
 */
export function runCli(
  args: readonly string[],
  options: { dir: string; env?: Record<string, string>; stdin?: string; onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void },
): Promise<CliRun> {
  const child = spawn(process.execPath, [TSX_CLI, MAIN, ...args], { cwd: options.dir, env: cliEnv(options.dir, options.env), stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(stdout, (signal) => child.kill(signal));
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(result(code, signal, stdout, stderr)));
  });
}

/** Runs `sreda args…` in this process with captured streams (stdout not a terminal; stdin one when `stdinTty`). */
export async function runInProcess(
  args: readonly string[],
  options: { dir: string; env?: Record<string, string>; signal?: AbortSignal; stdin?: string; stdinTty?: boolean },
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.setEncoding("utf8").on("data", (c: string) => out.push(c));
  stderr.setEncoding("utf8").on("data", (c: string) => err.push(c));
  const stdin = Object.assign(new PassThrough(), options.stdinTty ? { isTTY: true } : {});
  stdin.end(options.stdin ?? "");
  const code = await runSreda(args, {
    stdout,
    stderr,
    stdin,
    env: cliEnv(options.dir, options.env),
    cwd: options.dir,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return result(code, null, out.join(""), err.join(""));
}
