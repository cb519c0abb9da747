/**
 * `runSreda` in-process: the help as kubectl writes it, the command line's parsing, colours only on a terminal and
 * never with NO_COLOR, and the usage errors with exit code 2 (as JSON too when the output is piped).
 */
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseDuration } from "../src/args.js";
import { EXIT_CODES, runSreda } from "../src/index.js";
import { formatDuration, objectRef } from "../src/progress.js";
import { formatAge, table } from "../src/table.js";
import { CLI_VERSION } from "../src/version.js";
import { EXAMPLE_INPUT, runInProcess } from "./support/harness.js";

const dir = process.cwd();

/** Runs with stdout as a terminal (isTTY), as a user at a shell sees it. */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
  const chunks: string[] = [];
  stdout.setEncoding("utf8").on("data", (c: string) => chunks.push(c));
  const stdin = new PassThrough();
  stdin.end();
  const code = await runSreda(args, { stdout, stderr: new PassThrough(), stdin, env: { HOME: dir, ...env }, cwd: dir });
  return { code, stdout: chunks.join("") };
}

describe("help", () => {
  it("sreda --help: the commands by group, the exit codes, where to look next", async () => {
    for (const args of [["--help"], ["-h"], [], ["help"]]) {
      const run = await runInProcess(args, { dir });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Basic Commands:\n  plan ");
      expect(run.stdout).toContain("Lifecycle Commands:\n  suspend ");
      expect(run.stdout).toContain("Fleet Commands:\n  inventory ");
      expect(run.stdout).toMatch(
        /Exit codes:\n {2}0 {3}succeeded.*\n {2}1 {3}failed.*\n {2}2 {3}bad input.*\n {2}3 {3}preflight failed.*\n {2}4 {3}locked.*\n {2}5 {3}cancelled/,
      );
      expect(run.stdout).toContain('Use "sreda <command> --help" for more information about a given command.');
    }
  });

  it("sreda <command> --help: description, Examples, Options with defaults, Usage", async () => {
    const run = await runInProcess(["apply", "--help"], { dir });
    expect(run.code).toBe(0);
    const text = run.stdout;
    expect(text.indexOf("Examples:")).toBeLessThan(text.indexOf("Options:"));
    expect(text.indexOf("Options:")).toBeLessThan(text.indexOf("Usage:"));
    expect(text).toContain("  # Provision C42 with the current kubeconfig context\n  sreda apply -f c42-lms-dev.input.json");
    expect(text).toContain("    -f, --filename='':\n\tThe ProvisioningInput JSON file");
    expect(text).toContain("    --wait=true:\n");
    expect(text).toContain("    --timeout=15m:\n");
    expect(text).toContain("Usage:\n  sreda apply -f FILENAME [options]");
    expect((await runInProcess(["help", "deprovision"], { dir })).stdout).toContain("--drop-data=false:");
    const options = await runInProcess(["options"], { dir });
    expect(options.stdout).toContain("    --kubeconfig='':");
    expect(options.stdout).toContain("    -n, --namespace='':");
    expect(options.stdout).toContain("    --insecure-skip-tls-verify=false:");
  });

  it("sreda version, as text and as JSON; it is the package's", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(CLI_VERSION).toBe(manifest.version);
    expect((await runInProcess(["version", "-o", "text"], { dir })).stdout).toBe(`sreda version ${CLI_VERSION}\n`);
    expect((await runInProcess(["version"], { dir })).json()).toEqual([{ cli: CLI_VERSION }]);
  });
});

describe("usage errors: exit code 2", () => {
  it.each([
    [["plan"], "must specify the input file with -f FILENAME"],
    [["plan", "-f"], "flag needs an argument: --filename"],
    [["plan", "-f", "nowhere.json"], 'the input file "nowhere.json" does not exist'],
    [["plan", "-f", EXAMPLE_INPUT, "-o", "yaml"], 'unable to match a printer suitable for the output format "yaml"'],
    [["plan", "-f", EXAMPLE_INPUT, "extra"], 'unexpected argument "extra" for "sreda plan"'],
    [["status", "--client", "C042", "-n", "lms-dev"], "--client C042: a customer id is C and a number"],
    [["status", "--client", "C42", "-f", EXAMPLE_INPUT], "give either -f FILENAME or --client ID, not both"],
    [["apply", "-f", EXAMPLE_INPUT, "--timeout", "soon"], 'invalid duration for --timeout: "soon"'],
    [["apply", "-f", EXAMPLE_INPUT, "--resume=maybe"], "--resume"],
    [["status", "--client", "C42", "--context", "dev"], "--context dev: no kubeconfig found"],
  ])("sreda %j", async (args, message) => {
    const run = await runInProcess(args, { dir });
    expect(run.code).toBe(EXIT_CODES.usage);
    expect(run.stderr).toContain(message);
    expect(run.json().at(-1)).toMatchObject({ type: "error", exitCode: 2 });
  });

  it("booleans as kubectl writes them: --wait=false, --no-wait", async () => {
    // Both parse; the run stops at the missing kubeconfig, after the flags.
    for (const flag of ["--wait=false", "--no-wait", "--wait=true"]) {
      const run = await runInProcess(["apply", "-f", EXAMPLE_INPUT, flag], { dir });
      expect(run.stderr).toContain("no credentials for https://rancher.rarus.cloud/k8s/clusters/c-m4hlh/");
    }
  });
});

describe("output", () => {
  it("colours on a terminal, none with NO_COLOR, none when piped", async () => {
    const coloured = await onTerminal(["plan", "-f", EXAMPLE_INPUT]);
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain("\x1b[1mC42\x1b[0m");
    const plain = await onTerminal(["plan", "-f", EXAMPLE_INPUT], { NO_COLOR: "1" });
    expect(plain.stdout).toContain("Plan for C42 in namespace lms-dev");
    expect(plain.stdout).not.toContain("\x1b[");
    const piped = await runInProcess(["plan", "-f", EXAMPLE_INPUT, "-o", "text"], { dir });
    expect(piped.stdout).not.toContain("\x1b[");
  });

  it("-f - reads the input from stdin", async () => {
    const run = await runInProcess(["plan", "-f", "-"], { dir, stdin: readFileSync(EXAMPLE_INPUT, "utf8") });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()[0]).toMatchObject({ clientId: "C42" });
  });

  it("a terminal gets a table by default, and -o json a JSON document", async () => {
    expect((await onTerminal(["plan", "-f", EXAMPLE_INPUT])).stdout).toMatch(/^#\s+OBJECT\s+TEMPLATE\s+AFTER$/m);
    const json = await onTerminal(["plan", "-f", EXAMPLE_INPUT, "-o", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ clientId: "C42" });
  });

  it("kubectl's words and numbers", () => {
    expect(objectRef("Deployment", "lms-c42")).toBe("deployment.apps/lms-c42");
    expect(objectRef("Secret", "s")).toBe("secret/s");
    expect(objectRef("Ingress", "i")).toBe("ingress.networking.k8s.io/i");
    expect([formatDuration(420), formatDuration(12_340), formatDuration(125_000), formatDuration(900_000), formatDuration(5_400_000)]).toEqual([
      "0.4s",
      "12.3s",
      "2m5s",
      "15m",
      "1h30m",
    ]);
    expect([parseDuration("90s", "t"), parseDuration("1h30m", "t"), parseDuration("500ms", "t"), parseDuration("0", "t")]).toEqual([
      90_000, 5_400_000, 500, 2_147_483_647,
    ]);
    expect(table(["A", "LONGER"], [["xyz", "1"]])).toEqual(["A     LONGER", "xyz   1"]);
    // kubectl's AGE (apimachinery's HumanDuration).
    const ages = [
      null,
      -5,
      -1,
      0,
      45,
      119,
      120,
      200,
      600,
      10_799,
      10_800,
      18_600,
      28_800,
      172_799,
      172_800,
      183_600,
      691_200,
      63_072_000,
      65_664_000,
      252_288_000,
    ];
    expect(ages.map(formatAge)).toEqual([
      "<unknown>",
      "<invalid>",
      "0s",
      "0s",
      "45s",
      "119s",
      "2m",
      "3m20s",
      "10m",
      "179m",
      "3h",
      "5h10m",
      "8h",
      "47h",
      "2d",
      "2d3h",
      "8d",
      "2y",
      "2y30d",
      "8y",
    ]);
  });
});
