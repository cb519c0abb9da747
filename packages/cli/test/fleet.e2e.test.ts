/**
 * The fleet commands end to end, against the fake cluster over HTTP with a kubeconfig: a namespace with C42, C43 and
 * C44 provisioned from a fleet file (examples/lms-dev.fleet.json), C99 provisioned without being in it (an orphan)
 * and C45 in it without an environment (missing). The inventory names both; drift is none, then a ConfigMap edited
 * by hand (exit code 1); a rollout of a new image reaches every customer with an environment and leaves C45 out; an
 * image that cannot be pulled stops after the canary; Ctrl+C cancels a rollout with exit code 5.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runInProcess, startTestCluster, type TestCluster } from "./support/harness.js";

const FLEET_EXAMPLE = join(import.meta.dirname, "..", "..", "..", "examples", "lms-dev.fleet.json");

type Fleet = { environment: Record<string, any>; databases: unknown; variables: unknown[]; customers: { client: { id: string; [k: string]: unknown } }[] };

let cluster: TestCluster;
let kc: string[];
/** C42, C43, C44: every customer has an environment. */
let fleet3: string;
/** C42, C43, C44 and C45, which has none. */
let fleet4: string;

const example = (): Fleet => JSON.parse(readFileSync(FLEET_EXAMPLE, "utf8")) as Fleet;

function writeFleet(name: string, ids: readonly string[], edit: (fleet: Fleet) => void = () => undefined): string {
  const fleet = example();
  const template = fleet.customers[0]!;
  fleet.customers = ids.map((id) => fleet.customers.find((c) => c.client.id === id) ?? { client: { ...template.client, id } });
  edit(fleet);
  const path = join(cluster.dir, name);
  writeFileSync(path, JSON.stringify(fleet, null, 2));
  return path;
}

/** A customer of the fleet file as one ProvisioningInput (no secrets: the first apply generates them). */
function customerFile(id: string): string {
  const { customers, ...shared } = example();
  const path = join(cluster.dir, `${id.toLowerCase()}.input.json`);
  writeFileSync(path, JSON.stringify({ ...shared, client: customers.find((c) => c.client.id === id)?.client ?? { ...customers[0]!.client, id } }));
  return path;
}

const deployment = (id: string) => cluster.fake.getObject("Deployment", "lms-dev", `lms-deployment-${id.toLowerCase()}`);
const imageOf = (id: string) => deployment(id)?.spec?.template?.spec?.containers?.[0]?.image;

beforeAll(async () => {
  cluster = await startTestCluster();
  kc = ["--kubeconfig", cluster.kubeconfig];
  fleet3 = writeFleet("fleet3.json", ["C42", "C43", "C44"]);
  fleet4 = writeFleet("fleet4.json", ["C42", "C43", "C44", "C45"]);
  for (const id of ["C42", "C43", "C44", "C99"]) {
    const run = await runInProcess(["apply", "-f", customerFile(id), ...kc], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
  }
});

afterAll(async () => {
  await cluster?.close();
});

describe("inventory", () => {
  it("a table of every environment; the orphan (C99) and the missing customer (C45) of the fleet file", async () => {
    const run = await runCli(["inventory", "-f", fleet4, ...kc, "-o", "text"], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^CLIENT +PHASE +READY +IMAGE +AGE +SUMMARY$/);
    expect(lines.slice(1, 5).map((l) => l.split(/ +/).slice(0, 3))).toEqual([
      ["C42", "Ready", "1/1"],
      ["C43", "Ready", "1/1"],
      ["C44", "Ready", "1/1"],
      ["C99", "Ready", "1/1"],
    ]);
    expect(lines[1]).toMatch(/ \d+s +/);
    expect(run.stdout).toContain("Orphans (in the cluster, not in the list): C99");
    expect(run.stdout).toContain("Missing (in the list, not in the cluster): C45");
  });

  it("JSON: the inventory document; --known names the customers instead, -n the namespace", async () => {
    const run = await runCli(["inventory", "--known", "C42,C43", "-n", "lms-dev", ...kc], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(0);
    const [inventory] = run.json();
    expect(inventory).toMatchObject({ namespace: "lms-dev", orphans: ["C44", "C99"], missing: [] });
    expect(inventory.environments.map((e: { clientId: string }) => e.clientId)).toEqual(["C42", "C43", "C44", "C99"]);
    expect(inventory.environments[0]).toMatchObject({ phase: "Ready", replicas: 1, readyReplicas: 1, objects: { Deployment: 1 } });
    const empty = await runCli(["inventory", "-n", "lms-prod", ...kc, "-o", "text"], { dir: cluster.dir });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe("No environments found in lms-prod namespace.\n");
  });
});

describe("drift", () => {
  it("none: every customer in sync, exit code 0", async () => {
    const run = await runCli(["drift", "-f", fleet3, ...kc, "-o", "text"], { dir: cluster.dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^C42 +in sync$/m);
    expect(run.stdout).toContain("Summary: 3 in sync, 0 drifted.");
  });

  it("a ConfigMap changed by hand: that customer drifted, with the path (exit code 1); a customer without environment is not provisioned", async () => {
    const configMap = cluster.fake.getObject("ConfigMap", "lms-dev", "lms-config-c43")!;
    cluster.fake.putObject({ ...configMap, data: { ...configMap.data, LMS_SERVER_DEBUG: "true" } });
    const run = await runCli(["drift", "-f", fleet4, ...kc, "-o", "text"], { dir: cluster.dir });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^C43 +drifted\n {2}~ configmap\/lms-config-c43 +change\n +\$\.data\.LMS_SERVER_DEBUG$/m);
    expect(run.stdout).toMatch(/^C45 +not provisioned: \d+ objects to create$/m);
    expect(run.stdout).toContain("Summary: 2 in sync, 1 drifted, 1 not provisioned.");
    expect(run.stdout).not.toContain('"true"');

    const json = await runCli(["drift", "-f", fleet3, ...kc], { dir: cluster.dir });
    expect(json.code).toBe(1);
    const [doc] = json.json();
    expect(doc).toMatchObject({ namespace: "lms-dev", drifted: 1, leftOut: [] });
    expect(doc.customers.map((c: { clientId: string; drifted: boolean }) => [c.clientId, c.drifted])).toEqual([
      ["C42", false],
      ["C43", true],
      ["C44", false],
    ]);
    expect(doc.customers[1].objects).toEqual([
      expect.objectContaining({ kind: "ConfigMap", name: "lms-config-c43", action: "change", changedPaths: ["$.data.LMS_SERVER_DEBUG"] }),
    ]);
  });
});

describe("rollout", () => {
  it("a new image to every customer with an environment (exit code 0); C45, without one, left out untouched", async () => {
    const image = "registry.example/lms/backend:2.0";
    const run = await runCli(["rollout", "-f", fleet4, "--image", image, "--concurrency", "2", ...kc], { dir: cluster.dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const lines = run.json();
    expect(lines[0]).toMatchObject({
      type: "customer-left-out",
      clientId: "C45",
      reason: "no-environment",
      message: expect.stringContaining("provision it first"),
    });
    expect(lines.find((l) => l.type === "rollout-started")).toMatchObject({ total: 3, upToDate: 0 });
    expect(lines.filter((l) => l.type === "customer-started").map((l) => [l.clientId, l.canary])).toEqual([
      ["C42", true],
      ["C43", false],
      ["C44", false],
    ]);
    const result = lines.at(-1);
    expect(result).toMatchObject({ type: "result", command: "rollout", status: "succeeded", exitCode: 0 });
    expect(result.customers.map((c: { clientId: string; outcome: string }) => [c.clientId, c.outcome])).toEqual([
      ["C42", "succeeded"],
      ["C43", "succeeded"],
      ["C44", "succeeded"],
      ["C45", "not-started"],
    ]);
    for (const id of ["C42", "C43", "C44"]) expect(imageOf(id)).toBe(image);
    expect(imageOf("C99")).not.toBe(image);
    expect(deployment("C45")).toBeUndefined();
    // The ConfigMap changed by hand is back as the fleet file holds it.
    expect(cluster.fake.getObject("ConfigMap", "lms-dev", "lms-config-c43")?.data?.["LMS_SERVER_DEBUG"]).toBe("false");

    // Again: every customer up to date, nothing written.
    const again = await runCli(["rollout", "-f", fleet3, "--image", image, ...kc, "-o", "text"], { dir: cluster.dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^CLIENT +OUTCOME +PHASE +MESSAGE\nC42 +up-to-date +- +no changes/m);
    expect(again.stdout).toContain("Rollout succeeded: 3 up to date");
  });

  it("an image that cannot be pulled: the canary fails, the rollout stops (exit code 1), the others untouched", async () => {
    const before = ["C43", "C44"].map(imageOf);
    // The kubelet retries a pull after 10 s, then 20 s: the fake's time is moved on so that the third failed pull,
    // which makes the environment Failed, comes in a second.
    let running = true;
    const ticking = (async () => {
      while (running) {
        await cluster.fake.clock.advance(5_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const run = await runCli(["rollout", "-f", fleet3, "--image", "registry.example/lms/backend:does-not-exist", ...kc, "-o", "text"], {
      dir: cluster.dir,
    }).finally(() => (running = false));
    await ticking;
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/C42 started \(canary\)/);
    expect(run.stdout).toMatch(/C42 failed: .*\((ErrImagePull|ImagePullBackOff)\)/);
    expect(run.stdout).toMatch(/^C42 +failed +Failed +/m);
    expect(run.stdout).toContain("stopped: the canary (C42) did not become Ready: the other customers are not started");
    expect(run.stdout).toMatch(/^C43 +not-started +- +not started: the rollout stopped first$/m);
    expect(run.stdout).toContain("Rollout stopped: 1 failed, 2 not started");
    expect(["C43", "C44"].map(imageOf)).toEqual(before);
  });

  it("Ctrl+C cancels: the running customer cancelled, the others not started (exit code 5); the lock is released", async () => {
    let interrupted = false;
    const run = await runCli(["rollout", "-f", fleet3, "--image", "registry.example/lms/backend:never-ready", ...kc], {
      dir: cluster.dir,
      onStdout: (text, kill) => {
        if (!interrupted && text.includes('"type":"customer-started"')) {
          interrupted = true;
          kill("SIGINT");
        }
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(5);
    const result = run.json().at(-1);
    expect(result).toMatchObject({ type: "result", command: "rollout", status: "cancelled", exitCode: 5 });
    expect(result.customers.map((c: { outcome: string }) => c.outcome)).toEqual(["cancelled", "cancelled", "cancelled"]);
    // The locks were released: a rollout back to a good image gets them and finishes.
    const back = await runCli(["rollout", "-f", fleet3, "--image", "registry.example/lms/backend:2.1", ...kc], { dir: cluster.dir });
    expect(back.code, back.stdout + back.stderr).toBe(0);
    for (const id of ["C42", "C43", "C44"]) expect(imageOf(id)).toBe("registry.example/lms/backend:2.1");
  });
});

describe("fleet usage errors: exit code 2, before the cluster is asked anything", () => {
  it.each([
    [["drift"], "must specify the fleet file with -f FILENAME"],
    [["rollout", "-f", "FLEET", "--canary", "many"], 'invalid value for --canary: "many"'],
    [["rollout", "-f", "FLEET", "--concurrency", "0"], 'invalid value for --concurrency: "0" (a whole number from 1 to 50)'],
    [["rollout", "-f", "FLEET", "--image", "not an image"], "environment.dockerImage"],
    [["inventory", "--known", "C42,42"], "--known C42,42: customer ids separated by commas"],
    [["inventory", "--known", "C42", "-f", "FLEET"], "give either --known ID,ID… or -f FILENAME, not both"],
    [["drift", "-f", "DUPLICATE"], "customers[2].client.id: the customer C42 is already given in customers[0]"],
  ])("sreda %j", async (args, message) => {
    const duplicate = writeFleet("duplicate.json", ["C42", "C43", "C42"]);
    const requests = cluster.fake.requestLog.length;
    const run = await runInProcess([...args.map((a) => (a === "FLEET" ? fleet3 : a === "DUPLICATE" ? duplicate : a)), ...kc], { dir: cluster.dir });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.json().at(-1)).toMatchObject({ type: "error", exitCode: 2 });
    expect(cluster.fake.requestLog.length).toBe(requests);
  });
});
