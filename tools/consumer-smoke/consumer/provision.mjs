// Without msw (so on Node 20 too): C42 provisioned with the SDK against the fake cluster, the client handed the
// fake's fetch and clock; a Job that fails, reported with its reason and log; the bridge serving the SDK over HTTP;
// and the installed `sreda-bridge` command starting and stopping on this Node.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { applyPlan, createKubeClient, createProvisioningPlan, followEnvironment } from "@sreda/sdk";
import { createFakeCluster } from "@sreda/sdk/testing";
import { loadConfig, startBridge } from "@sreda/bridge";
import { createBridgeClient } from "@sreda/bridge/client";

const input = JSON.parse(readFileSync(new URL("./c42-lms-dev.input.json", import.meta.url), "utf8"));
const planRequest = JSON.parse(readFileSync(new URL("./plan-c42.json", import.meta.url), "utf8"));

{
  // The one-call way: the fake's fetch, token and clock; applyPlan and followEnvironment wait on the client's clock.
  const cluster = createFakeCluster();
  const kube = createKubeClient(cluster.clientConfig);
  const plan = createProvisioningPlan(input);
  const result = await applyPlan(plan, kube);
  assert.equal(result.status, "succeeded", JSON.stringify(result.steps.filter((s) => s.outcome !== "created")));
  assert.deepEqual(new Set(result.steps.map((s) => s.outcome)), new Set(["created"]));
  const assessment = await followEnvironment(kube, { environment: plan });
  assert.equal(assessment.phase, "Ready");
  assert.equal(cluster.objects({ kind: "Deployment", namespace: "lms-dev" }).length, 1);
  cluster.close();
}

{
  // Fetch injected by hand, the clock passed explicitly: the same run, with Jobs that fail.
  const cluster = createFakeCluster({ behavior: { job: () => "fail" } });
  const kube = createKubeClient({ apiRootUrl: input.environment.apiRootUrl, token: "sreda-dev-token", fetch: cluster.fetch, clock: cluster.clock });
  const result = await applyPlan(createProvisioningPlan(input), kube, { clock: cluster.clock });
  assert.equal(result.status, "failed");
  const job = result.steps.find((s) => s.kind === "Job" && s.outcome === "failed");
  assert.ok(job, "a failed Job step");
  assert.equal(job.reason, "BackoffLimitExceeded");
  assert.ok(job.logs && job.logs.length > 0, "the failed Job's log lines");
  assert.equal(result.steps.find((s) => s.kind === "Deployment")?.outcome, "skipped");
  cluster.close();
}

{
  const bridge = await startBridge({ config: loadConfig({ SREDA_TOKEN: "consumer-smoke-token-0123456789", SREDA_PORT: "0", SREDA_LOG_LEVEL: "error" }) });
  try {
    const client = createBridgeClient({ baseUrl: bridge.url, token: "consumer-smoke-token-0123456789" });
    const health = await fetch(`${bridge.url}/healthz`);
    assert.equal(health.status, 200);
    const templates = await client.GET("/v1/templates");
    assert.ok(templates.data && templates.data.templates.length >= 9);
    const plan = await client.POST("/v1/plans", { body: planRequest });
    assert.equal(plan.error, undefined, JSON.stringify(plan.error));
    assert.ok(plan.data && plan.data.plan.steps.length > 0);
  } finally {
    await bridge.close({ graceMs: 0 });
  }
}

{
  // The bin as npm installed it, on this Node (not on the shebang's): ready banner on stderr, /healthz, SIGTERM → 0.
  const bin = new URL("./node_modules/@sreda/bridge/dist/main.js", import.meta.url);
  const env = { ...process.env, SREDA_TOKEN: "consumer-smoke-token-0123456789", SREDA_PORT: "0", SREDA_ALLOWED_CLUSTERS: "https://cluster.example" };
  const child = spawn(process.execPath, [bin.pathname], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sreda-bridge did not start:\n${stderr}`)), 15_000);
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const match = /Sreda bridge: (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`sreda-bridge exited with ${code}:\n${stderr}`)));
  });
  assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: "ok" });
  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  assert.equal(code, 0, stderr);
}

console.log(`fetch-injection provisioning, failure report, bridge and sreda-bridge ok (node ${process.version})`);
