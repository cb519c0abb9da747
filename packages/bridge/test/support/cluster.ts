/**
 * A fake cluster behind the bridge: its `fetch` handler injected into the SDK's Kubernetes client for requests
 * to `FAKE_CLUSTER_URL`, real HTTP for anything else (a closed port on 127.0.0.1 is "the
 * cluster is down"). The bridge's executor and watcher run on the fake's virtual clock.
 */
import { createServer } from "node:net";
import { createKubeClient } from "@sreda/sdk";
import { createFakeCluster, createVirtualClock, type FakeCluster, type FakeClusterOptions } from "@sreda/sdk/testing";
import type { KubeClientFactory } from "../../src/cluster.js";
import { exampleInput, startHarness, type Harness, type HarnessOptions } from "./harness.js";
import type { LeakScanner } from "./leaks.js";

export const FAKE_CLUSTER_URL = "https://rancher.fake.test/k8s/clusters/c-test";
export const CLUSTER_TOKEN = "sreda-dev-token";

export interface ClusterHarness extends Harness {
  fake: FakeCluster;
}

/** The fake answers for its URL however it is spelt (`https://Rancher.fake.test:443/…` is the same cluster). */
function onFake(apiRootUrl: string): boolean {
  return URL.canParse(apiRootUrl) && new URL(apiRootUrl).href.startsWith(FAKE_CLUSTER_URL);
}

export function fakeFactory(fake: FakeCluster): KubeClientFactory {
  return (target) =>
    createKubeClient({
      apiRootUrl: target.apiRootUrl,
      token: target.token,
      maxRetries: 0,
      timeoutMs: 5_000,
      // The fake's clock for its requests too: the client's rate limiter and backoff wait on it, as the executor does.
      ...(onFake(target.apiRootUrl) ? { fetch: (request: Request) => fake.fetch(request), clock: fake.clock } : {}),
    });
}

export async function startClusterHarness(
  options: HarnessOptions & { fake?: FakeClusterOptions; manualClock?: boolean; existingFake?: FakeCluster } = {},
): Promise<ClusterHarness> {
  const fake = options.existingFake ?? createFakeCluster({ ...options.fake, ...(options.manualClock ? { clock: createVirtualClock({ auto: false }) } : {}) });
  const harness = await startHarness({ ...options, kubeClientFactory: fakeFactory(fake), clock: fake.clock });
  return { ...harness, fake };
}

/** A provisioning request for the example customer (or another id), pointing at the fake cluster. */
export function provisioningRequest(
  overrides: { clientId?: string; withSecrets?: boolean; clusterUrl?: string; clusterToken?: string } = {},
): Record<string, any> {
  const { secrets, ...input } = exampleInput();
  const clientId = overrides.clientId ?? "C42";
  return {
    ...input,
    client: { ...input.client, id: clientId },
    environment: { ...input.environment, apiRootUrl: overrides.clusterUrl ?? FAKE_CLUSTER_URL },
    variables: [...input.variables, { name: "LMS_EXTERNAL_API_KEY", value: "variable-secret-value-7c1e9", secret: true }],
    ...(overrides.withSecrets ? { secrets } : {}),
    cluster: { token: overrides.clusterToken ?? CLUSTER_TOKEN },
  };
}

/** Every secret value the example request carries. */
export function registerRequestSecrets(scanner: LeakScanner): void {
  const input = exampleInput();
  scanner.secret(
    CLUSTER_TOKEN,
    input.databases.postgres.adminPassword,
    input.databases.clickhouse.adminPassword,
    input.environment.sms4b.token,
    "variable-secret-value-7c1e9",
    ...Object.values(input.secrets as Record<string, string>),
  );
}

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
  return `http://127.0.0.1:${port}`;
}

/**
 * Polls the operation until it is final; returns every answer seen. With a manual clock, advances it between polls.
 * `via`: the route it is read from (any kind is served by both).
 */
export async function waitForOperation(
  h: ClusterHarness,
  id: string,
  options: { timeoutMs?: number; advanceMs?: number; via?: "provisionings" | "operations" } = {},
): Promise<{ final: any; seen: any[] }> {
  const seen: any[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const params = { params: { path: { id } } };
    const { data, error } =
      options.via === "operations" ? await h.client.GET("/v1/operations/{id}", params) : await h.client.GET("/v1/provisionings/{id}", params);
    if (error) throw new Error(`GET ${id}: ${error.code} ${error.message}`);
    seen.push(data.operation);
    if (["succeeded", "failed", "cancelled", "interrupted"].includes(data.operation.status)) return { final: data.operation, seen };
    if (Date.now() > deadline)
      throw new Error(`operation ${id} still ${data.operation.status}/${data.operation.stage}: ${JSON.stringify(data.operation.events.slice(-5))}`);
    if (options.advanceMs) await h.fake.clock.advance(options.advanceMs);
    else await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls until `predicate` holds for the operation (manual clock: no advancing). */
export async function waitUntil(h: ClusterHarness, id: string, predicate: (op: any) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const op = h.operations.peek(id);
    if (op && predicate(op)) return op;
    if (Date.now() > deadline) throw new Error(`operation ${id}: condition not met; now ${op?.status}/${op?.stage}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
