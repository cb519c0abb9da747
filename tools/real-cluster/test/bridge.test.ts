/**
 * The bridge end to end against the real API server, as 1C uses it: the production configuration (`loadConfig`
 * with a token, an allow-list naming this cluster only), the default Kubernetes client factory with the cluster's CA
 * sent in the request's `cluster`, over real HTTP. A new customer is provisioned (secrets generated and handed out
 * once), polled to succeeded and Ready; its status is read; a second provisioning reads the secrets back from the
 * cluster and changes nothing; a wrong cluster token, a missing CA and a cluster outside the allow-list are
 * answered with the bridge's codes.
 */
import { createBridgeClient, createLogger, loadConfig, startBridge, type BridgeClient, type BridgeOperation, type RunningBridge } from "@sreda/bridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caPem, createNamespace, deleteNamespace, provisioningInput, sleep, useRealCluster } from "./support/cluster.js";
import type { RealClusterState } from "../src/index.js";

const cluster = useRealCluster("bridge.test.ts");
const NS = "rc-bridge";
const BRIDGE_TOKEN = "real-cluster-bridge-token-0123456789";

let bridge: RunningBridge | undefined;
let client: BridgeClient;
const logLines: string[] = [];

beforeAll(async () => {
  const s = cluster.state;
  if (!s) return;
  await createNamespace(s, NS);
  const config = loadConfig({
    SREDA_MODE: "production",
    SREDA_TOKEN: BRIDGE_TOKEN,
    SREDA_HOST: "127.0.0.1",
    SREDA_PORT: "0",
    SREDA_ALLOWED_CLUSTERS: s.apiserverUrl,
    SREDA_LOG_LEVEL: "info",
  });
  bridge = await startBridge({ config, logger: createLogger({ level: "info", write: (line) => logLines.push(line) }) });
  client = createBridgeClient({ baseUrl: bridge.url, token: BRIDGE_TOKEN });
});

afterAll(async () => {
  await bridge?.close({ graceMs: 1_000 });
  await deleteNamespace(cluster.state, NS);
});

/** The provisioning request 1C sends for a new customer: no secrets, the cluster's token and CA. */
function request(s: RealClusterState, clientId: string, cluster: Record<string, unknown> = { token: s.tokens.sredaEdit, caCert: caPem(s) }) {
  const { secrets: _secrets, ...input } = provisioningInput(s, clientId, NS);
  return { ...input, cluster } as any;
}

async function poll(id: string, timeoutMs = 90_000): Promise<{ final: BridgeOperation; seen: BridgeOperation[] }> {
  const seen: BridgeOperation[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data, error } = await client.GET("/v1/provisionings/{id}", { params: { path: { id } } });
    expect(error).toBeUndefined();
    seen.push(data!.operation);
    if (["succeeded", "failed", "cancelled", "interrupted"].includes(data!.operation.status)) return { final: data!.operation, seen };
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${data!.operation.status}/${data!.operation.stage} after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

describe("the bridge end to end on the real API server", () => {
  const clientId = "C501";

  it("provisions a new customer: 202, polled to succeeded and Ready, secrets generated and handed out once", async (ctx) => {
    const s = cluster.get(ctx);
    const t0 = performance.now();
    const { data, error, response } = await client.POST("/v1/provisionings", { body: request(s, clientId) });
    expect(error).toBeUndefined();
    expect(response.status).toBe(202);
    const id = data!.operation.id;
    expect(response.headers.get("location")).toBe(`/v1/provisionings/${id}`);
    const { final, seen } = await poll(id);
    const seconds = (performance.now() - t0) / 1000;
    expect(final.error).toBeUndefined();
    expect(final).toMatchObject({ status: "succeeded", stage: "done", clientId, namespace: NS, cluster: s.apiserverUrl });
    expect(final.steps.map((step) => step.status)).toEqual(final.steps.map(() => "created"));
    expect(final.environment).toMatchObject({ phase: "Ready", summary: "Готова: 1/1 подов" });
    expect(final.secretSources).toEqual({
      rsaPrivateKeyPem: "generated",
      keysSecretSeed: "generated",
      postgresUserPassword: "generated",
      clickhouseUserPassword: "generated",
    });
    // The generated secrets are in exactly one answer.
    const withSecrets = seen.filter((o) => o.secrets !== undefined);
    expect(withSecrets).toHaveLength(1);
    expect(withSecrets[0]!.secrets!.postgresUserPassword).toMatch(/^[A-Za-z0-9._~-]{16,128}$/);
    expect(final.secretsDelivered).toBe(true);
    // The stages 1C saw while polling, in order.
    const stages = [...new Set(seen.map((o) => o.stage))];
    expect(stages.at(-1)).toBe("done");
    console.log(
      `bridge: provisioning ${clientId} succeeded in ${seconds.toFixed(1)} s (${seen.length} polls; stages ${stages.join(" → ")}): ${final.environment?.summary}`,
    );
    // Nothing secret in the bridge's log.
    const log = logLines.join("\n");
    expect(log).not.toContain(withSecrets[0]!.secrets!.postgresUserPassword);
    expect(log).not.toContain(s.tokens.sredaEdit);
  });

  it("reports the environment Ready through POST /v1/environments/status", async (ctx) => {
    const s = cluster.get(ctx);
    const { data, error } = await client.POST("/v1/environments/status", {
      body: {
        environments: [
          { client: { id: clientId }, environment: { namespace: NS, apiRootUrl: s.apiserverUrl }, cluster: { token: s.tokens.sredaEdit, caCert: caPem(s) } },
        ],
      },
    });
    expect(error).toBeUndefined();
    const [item] = data!.environments;
    expect(item!.error).toBeUndefined();
    expect(item).toMatchObject({ clientId, namespace: NS, status: { phase: "Ready", summary: "Готова: 1/1 подов" } });
    expect(item!.status!.reasons.map((r) => `${r.kind}/${r.reason}`).sort()).toEqual(["Deployment/Available", "Job/Complete", "Job/Complete", "Pod/PodReady"]);
  });

  it("provisions the same customer again without secrets: read back from the cluster, every step unchanged", async (ctx) => {
    const s = cluster.get(ctx);
    const { data } = await client.POST("/v1/provisionings", { body: request(s, clientId) });
    const { final } = await poll(data!.operation.id);
    expect(final.status).toBe("succeeded");
    expect(final.secretSources).toEqual({
      rsaPrivateKeyPem: "cluster",
      keysSecretSeed: "cluster",
      postgresUserPassword: "cluster",
      clickhouseUserPassword: "cluster",
    });
    expect(final.steps.map((step) => step.status)).toEqual(final.steps.map(() => "unchanged"));
    expect(final.environment?.phase).toBe("Ready");
  });

  it("answers a wrong cluster token with CLUSTER_UNAUTHORIZED (the cluster's 401), for a status read and a provisioning", async (ctx) => {
    const s = cluster.get(ctx);
    const wrong = { token: "not-a-token-of-this-cluster-0123456789", caCert: caPem(s) };
    const { data } = await client.POST("/v1/environments/status", {
      body: { environments: [{ client: { id: clientId }, environment: { namespace: NS, apiRootUrl: s.apiserverUrl }, cluster: wrong }] },
    });
    expect(data!.environments[0]!.error).toMatchObject({ code: "CLUSTER_UNAUTHORIZED", details: { clusterStatus: 401, reason: "Unauthorized" } });
    const started = await client.POST("/v1/provisionings", { body: request(s, "C502", wrong) });
    expect(started.response.status).toBe(202);
    const { final } = await poll(started.data!.operation.id);
    expect(final.status).toBe("failed");
    expect(final.error).toMatchObject({ code: "CLUSTER_UNAUTHORIZED" });
    expect(JSON.stringify(final)).not.toContain(wrong.token);
  });

  it("answers a request without the cluster's CA with CLUSTER_UNREACHABLE (tls), and a cluster outside the allow-list with 403 CLUSTER_NOT_ALLOWED", async (ctx) => {
    const s = cluster.get(ctx);
    const noCa = await client.POST("/v1/environments/status", {
      body: {
        environments: [{ client: { id: clientId }, environment: { namespace: NS, apiRootUrl: s.apiserverUrl }, cluster: { token: s.tokens.sredaEdit } }],
      },
    });
    expect(noCa.data!.environments[0]!.error).toMatchObject({ code: "CLUSTER_UNREACHABLE", details: { tls: true } });
    const elsewhere = s.apiserverUrl.replace("127.0.0.1", "127.0.0.2");
    const refused = await client.POST("/v1/provisionings", {
      body: { ...request(s, "C503"), cluster: { token: s.tokens.sredaEdit, caCert: caPem(s), apiRootUrl: elsewhere } },
    });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ code: "CLUSTER_NOT_ALLOWED" });
  });
});
