/**
 * `sreda` end to end, as a user runs it: a separate process (tsx on src/main.ts) with a kubeconfig pointing at the
 * fake cluster listening on 127.0.0.1 (token auth), its stdout piped — so JSON lines — unless `-o text`. One cluster,
 * one customer's life in order: plan, diff, apply (secrets generated and kept), status, a second apply that changes
 * nothing, a changed setting's diff, suspend, resume, deprovision with its data; and the failures with their exit codes.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfigYaml, runCli, runInProcess, startTestCluster, writeInput, EXAMPLE_INPUT, type TestCluster } from "./support/harness.js";

let cluster: TestCluster;
let kc: string[];
let noSecrets: string;
/** The input with the secrets the first apply generated merged in. */
let withSecrets: string;
let generated: Record<string, string>;

const EXAMPLE = JSON.parse(readFileSync(EXAMPLE_INPUT, "utf8")) as { secrets: Record<string, string>; databases: { postgres: { adminPassword: string } } };
/** A line from the middle of a secret (a PEM's body), or the secret: what a leak would show. */
const leakOf = (secret: string) => (secret.includes("\n") ? secret.split("\n")[5]! : secret);

beforeAll(async () => {
  cluster = await startTestCluster({
    tokens: {
      "sreda-dev-token": { user: "sreda-dev" },
      // May read, but not write Jobs: the preflight says so before anything is done.
      "no-jobs-token": { user: "no-jobs", deny: [{ resource: "jobs", verb: "create" }] },
    },
  });
  kc = ["--kubeconfig", cluster.kubeconfig];
  noSecrets = writeInput(cluster.dir, "c42.input.json", (input) => delete input["secrets"]);
});

afterAll(async () => {
  await cluster?.close();
});

describe("plan (no cluster)", () => {
  it("piped: the redacted plan as one JSON document; no secret in it", async () => {
    const run = await runCli(["plan", "-f", EXAMPLE_INPUT], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    const [plan] = run.json();
    expect(plan).toMatchObject({ clientId: "C42", namespace: "lms-dev" });
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toContain("Deployment");
    for (const secret of [...Object.values(EXAMPLE.secrets), EXAMPLE.databases.postgres.adminPassword]) expect(run.stdout).not.toContain(leakOf(secret));
  });

  it("-o text: a table; -n overrides the input's namespace", async () => {
    const run = await runCli(["plan", "-f", EXAMPLE_INPUT, "-o", "text", "-n", "lms-dev"], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Plan for C42 in namespace lms-dev: 9 objects");
    expect(run.stdout).toMatch(/deployment\.apps\/lms-deployment-c42 +lms-deployment/);
    // Piped: no colours even in text.
    expect(run.stdout).not.toContain("\x1b[");
  });
});

describe("bad input and usage: exit code 2", () => {
  it("an invalid input: every problem with its path, before the cluster is asked anything", async () => {
    const bad = writeInput(cluster.dir, "bad.input.json", (input) => {
      input["client"].id = "42";
      delete input["environment"].namespace;
      input["databases"].postgres.port = 70000;
    });
    const requests = cluster.fake.requestLog.length;
    const run = await runCli(["apply", "-f", bad, ...kc], { dir: cluster.dir });
    expect(run.code).toBe(2);
    const last = run.json().at(-1);
    expect(last).toMatchObject({ type: "error", exitCode: 2 });
    expect(last.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(["client.id", "environment.namespace", "databases.postgres.port"]),
    );
    expect(run.stderr).toMatch(/^ {2}client\.id: /m);
    expect(run.stderr).toMatch(/^ {2}databases\.postgres\.port: /m);
    expect(cluster.fake.requestLog.length).toBe(requests);
  });

  it("unknown flags and commands, malformed JSON", async () => {
    const flag = await runCli(["apply", "--bogus", ...kc], { dir: cluster.dir });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown flag: --bogus");
    const command = await runCli(["aply"], { dir: cluster.dir });
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "aply" for "sreda"');
    const malformed = join(cluster.dir, "malformed.json");
    writeFileSync(malformed, "{ not json");
    const json = await runCli(["diff", "-f", malformed, ...kc], { dir: cluster.dir });
    expect(json.code).toBe(2);
    expect(json.stderr).toContain("malformed.json: not valid JSON");
  });
});

describe("a customer's life", () => {
  it("diff before the first apply: everything is to be created", async () => {
    const run = await runCli(["diff", "-f", noSecrets, ...kc], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    const [diff] = run.json();
    expect(diff.summary).toEqual({ create: 9, change: 0, delete: 0, unchanged: 0 });
  });

  it("apply: JSON lines, secrets generated and written to --secrets-out (mode 600), never printed; Ready, exit 0", async () => {
    const run = await runCli(["apply", "-f", noSecrets, ...kc, "--secrets-out", "c42.secrets.json"], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.json();
    expect(lines[0]).toMatchObject({ type: "secrets", generated: true, writtenTo: join(cluster.dir, "c42.secrets.json") });
    const types = lines.map((l) => l.type);
    expect(types).toEqual(expect.arrayContaining(["run-started", "step-started", "step-succeeded", "run-finished", "environment"]));
    expect(types.filter((t) => t === "step-succeeded")).toHaveLength(9);
    expect(lines.at(-1)).toMatchObject({ type: "result", command: "apply", status: "succeeded", exitCode: 0, environment: { phase: "Ready" } });

    const path = join(cluster.dir, "c42.secrets.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    generated = (JSON.parse(readFileSync(path, "utf8")) as { secrets: Record<string, string> }).secrets;
    expect(Object.keys(generated).sort()).toEqual(["clickhouseUserPassword", "keysSecretSeed", "postgresUserPassword", "rsaPrivateKeyPem"]);
    for (const secret of Object.values(generated)) {
      expect(run.stdout).not.toContain(leakOf(secret));
      expect(run.stderr).not.toContain(leakOf(secret));
    }
    expect(run.stderr).toContain("generated; written to c42.secrets.json (mode 600)");
    withSecrets = writeInput(cluster.dir, "c42.full.json", (input) => (input["secrets"] = generated));
  });

  it("status: Ready, named by --client and the kubeconfig context's namespace; -n another namespace: Pending", async () => {
    const run = await runCli(["status", "--client", "C42", ...kc], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()[0]).toMatchObject({ clientId: "C42", namespace: "lms-dev", phase: "Ready" });
    const other = await runCli(["status", "--client", "C42", "-n", "lms-prod", ...kc], { dir: cluster.dir });
    expect(other.code, other.stderr).toBe(0);
    expect(other.json()[0]).toMatchObject({ namespace: "lms-prod", phase: "Pending" });
    const missing = await runCli(["status", "--client", "C42", "-n", "lms-nowhere", ...kc], { dir: cluster.dir });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('namespace "lms-nowhere" not found');
  });

  it("a second apply (-o text) changes nothing: every object unchanged", async () => {
    const run = await runCli(["apply", "-f", withSecrets, ...kc, "-o", "text"], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/ unchanged \(\d+\.\ds\)/g)).toHaveLength(9);
    expect(run.stdout).toContain("Applied: 9 objects in");
    expect(run.stdout).toContain("C42 provisioned in lms-dev");
    expect(run.stderr).not.toContain("generated");
  });

  it("diff of a changed setting: the objects and the paths that change, never a value", async () => {
    const changed = writeInput(cluster.dir, "c42.changed.json", (input) => {
      input["secrets"] = generated;
      input["variables"].push({ name: "LMS_FEATURE_X", value: "on" });
      input["environment"].replicas = 2;
    });
    const run = await runCli(["diff", "-f", changed, ...kc, "-o", "text"], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/~ configmap\/lms-config-c42 +change\n +\$\.data\.LMS_FEATURE_X/);
    expect(run.stdout).toContain("$.spec.replicas");
    expect(run.stdout).toContain("Summary: 0 to create, 2 to change, 0 to delete, 7 unchanged.");
    expect(run.stdout).not.toContain("on\n");
  });

  it("preflight: a token that may not create Jobs fails before anything is written (exit code 3)", async () => {
    const noJobs = join(cluster.dir, "no-jobs.kubeconfig");
    writeFileSync(noJobs, kubeconfigYaml(cluster.url, "token: no-jobs-token", { namespace: "lms-dev" }));
    const c43 = writeInput(cluster.dir, "c43.input.json", (input) => (input["client"].id = "C43"));
    const run = await runCli(["apply", "-f", c43, "--kubeconfig", noJobs], { dir: cluster.dir });
    expect(run.code, run.stdout + run.stderr).toBe(3);
    const lines = run.json();
    expect(lines.some((l) => l.type === "preflight-failed")).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: "result", status: "preflight-failed", exitCode: 3 });
    expect(cluster.fake.getObject("Secret", "lms-dev", "lms-secrets-c43")).toBeUndefined();
  });

  it("suspend, status Suspended, resume", async () => {
    const suspend = await runCli(["suspend", "--client", "C42", ...kc], { dir: cluster.dir });
    expect(suspend.code, suspend.stderr).toBe(0);
    expect(suspend.json().at(-1)).toMatchObject({ type: "result", command: "suspend", status: "succeeded", exitCode: 0 });
    expect(cluster.fake.getObject("Deployment", "lms-dev", "lms-deployment-c42")?.spec?.replicas).toBe(0);
    const status = await runCli(["status", "-f", withSecrets, ...kc], { dir: cluster.dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.json()[0].phase).toBe("Suspended");
    const resume = await runCli(["resume", "-f", withSecrets, ...kc, "-o", "text"], { dir: cluster.dir });
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toContain("deployment.apps/lms-deployment-c42 scaled");
    expect(cluster.fake.getObject("Deployment", "lms-dev", "lms-deployment-c42")?.spec?.replicas).toBe(1);
  });

  it("apply keeps a suspended customer suspended (exit 0); apply --resume resumes it", async () => {
    const replicas = () => cluster.fake.getObject("Deployment", "lms-dev", "lms-deployment-c42")?.spec?.replicas;
    expect((await runCli(["suspend", "-f", withSecrets, ...kc], { dir: cluster.dir })).code).toBe(0);
    const kept = await runCli(["apply", "-f", withSecrets, ...kc], { dir: cluster.dir });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.json().at(-1)).toMatchObject({ type: "result", status: "succeeded", environment: { phase: "Suspended" } });
    expect(replicas()).toBe(0);
    const resumed = await runCli(["apply", "-f", withSecrets, ...kc, "--resume"], { dir: cluster.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json().at(-1)).toMatchObject({ type: "result", status: "succeeded", environment: { phase: "Ready" } });
    expect(replicas()).toBe(1);
  });

  it("deprovision: refused without --yes off a terminal, and --drop-data without --confirm ID (exit code 2)", async () => {
    const noYes = await runCli(["deprovision", "--client", "C42", ...kc], { dir: cluster.dir });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain("stdin is not a terminal, add --yes");
    const noConfirm = await runCli(["deprovision", "-f", withSecrets, "--drop-data", "--yes", ...kc], { dir: cluster.dir });
    expect(noConfirm.code).toBe(2);
    expect(noConfirm.stderr).toContain("repeat the customer's id with --confirm ID");
    const wrong = await runCli(["deprovision", "-f", withSecrets, "--drop-data", "--confirm", "C41", "--yes", ...kc], { dir: cluster.dir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--confirm C41 does not match the customer C42");
    expect(cluster.fake.getObject("Deployment", "lms-dev", "lms-deployment-c42")).toBeDefined();
  });

  it("deprovision on a terminal asks first; anything but yes cancels (exit code 5) and deletes nothing", async () => {
    const run = await runInProcess(["deprovision", "--client", "C42", ...kc, "-o", "text"], { dir: cluster.dir, stdin: "no\n", stdinTty: true });
    expect(run.code, run.stderr).toBe(5);
    expect(run.stdout).toContain("9 objects of C42 in namespace lms-dev will be deleted, in this order:\n  - deployment.apps/lms-deployment-c42");
    expect(run.stderr).toContain('Deprovision C42 in lms-dev? Type "yes" to continue: ');
    expect(run.stderr).toContain("deprovision cancelled: nothing was deleted");
    expect(cluster.fake.getObject("Deployment", "lms-dev", "lms-deployment-c42")).toBeDefined();
  });

  it("deprovision --drop-data --confirm C42 --yes: lists, drops the databases (teardown Jobs), deletes everything", async () => {
    const run = await runCli(["deprovision", "-f", withSecrets, "--drop-data", "--confirm", "C42", "--yes", ...kc], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.json();
    const preview = lines.find((l) => l.type === "deprovision-preview");
    expect(preview).toMatchObject({ clientId: "C42", namespace: "lms-dev", dropData: true });
    expect(preview.objects).toHaveLength(9);
    expect(preview.objects[0]).toEqual({ kind: "Deployment", name: "lms-deployment-c42" });
    const started = lines.filter((l) => l.type === "step-started").map((l) => `${l.kind}/${l.name}`);
    expect(started).toEqual(expect.arrayContaining(["Job/postgres-teardown-c42", "Job/clickhouse-teardown-c42"]));
    expect(lines.at(-1)).toMatchObject({ type: "result", command: "deprovision", status: "succeeded", exitCode: 0 });
    for (const [kind, name] of [
      ["Deployment", "lms-deployment-c42"],
      ["Secret", "lms-secrets-c42"],
      ["Job", "postgres-setup-c42"],
      ["Job", "postgres-teardown-c42"],
    ] as const) {
      expect(cluster.fake.getObject(kind, "lms-dev", name)).toBeUndefined();
    }
    for (const secret of Object.values(generated)) expect(run.stdout + run.stderr).not.toContain(leakOf(secret));
  });
});
