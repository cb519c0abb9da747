/**
 * What `npm start` runs, over real HTTP both ways: the embedded fake cluster listening on 127.0.0.1 on wall-clock
 * time (fast timings), the bridge with its default Kubernetes client, and the ready request bodies of
 * examples/requests/ with their placeholders filled — the newcomer's path to a provisioned C42.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultKubeClientFactory } from "../src/cluster.js";
import { startDevCluster } from "../src/testing/dev-cluster.js";
import type { DevCluster } from "../src/cli.js";
import { BRIDGE_TOKEN, exampleRequest, startHarness, type Harness } from "./support/harness.js";
import { LeakScanner } from "./support/leaks.js";

let cluster: DevCluster;
let h: Harness;
const scanner = new LeakScanner();

beforeAll(async () => {
  cluster = await startDevCluster({ port: 0, timings: { schedule: 20, pull: 20, start: 20, ready: 50, jobRun: 100, terminate: 20 } });
  h = await startHarness({ scanner, kubeClientFactory: defaultKubeClientFactory });
  const input = exampleRequest("provision-c42.json", cluster.url, cluster.token);
  scanner.secret(cluster.token, input.databases.postgres.adminPassword, input.databases.clickhouse.adminPassword, input.environment.sms4b.token);
});

afterAll(async () => {
  await h.close();
  await cluster.close();
  scanner.expectClean();
});

it("previews, provisions and reports C42 from the example requests", async () => {
  const preview = await h.client.POST("/v1/plans", { body: exampleRequest("plan-c42-diff.json", cluster.url, cluster.token) as never });
  expect(preview.response.status).toBe(200);
  expect(preview.data!.diff!.every((d) => d.action === "create")).toBe(true);

  const started = await h.client.POST("/v1/provisionings", { body: exampleRequest("provision-c42.json", cluster.url, cluster.token) as never });
  expect(started.response.status).toBe(202);
  const id = started.data!.operation.id;
  let op = started.data!.operation;
  const deadline = Date.now() + 25_000;
  while (!["succeeded", "failed", "cancelled", "interrupted"].includes(op.status) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    op = (await h.client.GET("/v1/provisionings/{id}", { params: { path: { id } } })).data!.operation;
  }
  if (op.status !== "succeeded")
    console.log(JSON.stringify({ steps: op.steps.map((s: any) => [s.id, s.status, s.message]), events: op.events.slice(-8), env: op.environment }, null, 1));
  expect(op.status, JSON.stringify(op.error)).toBe("succeeded");
  expect(op.environment?.phase).toBe("Ready");

  const status = await h.client.POST("/v1/environments/status", { body: exampleRequest("status-c42.json", cluster.url, cluster.token) as never });
  expect(status.data!.environments[0]!.status!.phase).toBe("Ready");

  const offline = await h.client.POST("/v1/plans", { body: exampleRequest("plan-c42.json", cluster.url, cluster.token) as never });
  expect(offline.data!.secretSources.postgresUserPassword).toBe("placeholder");
}, 40_000);

it("examples/rollout-lms-dev.ts: provisions the customers the cluster lacks, rolls a new image out to all, finds no drift after", async () => {
  const script = fileURLToPath(new URL("../../../examples/rollout-lms-dev.ts", import.meta.url));
  const args = [
    "--bridge",
    h.url,
    "--token",
    BRIDGE_TOKEN,
    "--cluster",
    cluster.url,
    "--cluster-token",
    cluster.token,
    "--customers",
    "C42,C51,C52",
    "--image",
    "registry.example/lms/backend:2.5",
  ];
  const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
  expect(run.code, run.out).toBe(0);
  expect(run.out).toContain("Разворачиваю отсутствующие: C51, C52");
  expect(run.out).toContain("Раскатка образа registry.example/lms/backend:2.5 на 3 клиентов");
  expect(run.out).toMatch(/^succeeded$/m);
  expect(run.out).toContain("Расхождений с 1С: 0 из 3");
  for (const id of ["c42", "c51", "c52"]) {
    const deployment = await fetch(`${cluster.url}/apis/apps/v1/namespaces/lms-dev/deployments/lms-deployment-${id}`, {
      headers: { authorization: `Bearer ${cluster.token}` },
    }).then((r) => r.json() as Promise<{ spec: { template: { spec: { containers: { image: string }[] } } } }>);
    expect(deployment.spec.template.spec.containers[0]!.image).toBe("registry.example/lms/backend:2.5");
  }
}, 90_000);
