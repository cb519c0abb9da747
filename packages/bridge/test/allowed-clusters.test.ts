/**
 * The allow-list of clusters: a request naming a cluster outside it is refused with 403 before any client is made —
 * no connection leaves the bridge, proven by a listener that counts the connections it gets.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAllowedCluster, normalizeClusterUrl } from "../src/allowed-clusters.js";
import { defaultKubeClientFactory } from "../src/cluster.js";
import { exampleInput, startHarness, type Harness } from "./support/harness.js";

describe("allow-list matching", () => {
  const allowed = ["https://rancher.example.ru/k8s/clusters/c-m4hlh/", "http://127.0.0.1:6443/"];
  it.each([
    ["https://rancher.example.ru/k8s/clusters/c-m4hlh/", true],
    ["https://RANCHER.example.ru:443/k8s/clusters/c-m4hlh", true],
    ["https://rancher.example.ru/k8s/clusters/c-m4hlh/sub/", true],
    ["https://rancher.example.ru/k8s/clusters/c-m4hlhX/", false],
    ["https://rancher.example.ru/k8s/clusters/", false],
    ["http://rancher.example.ru/k8s/clusters/c-m4hlh/", false],
    ["http://127.0.0.1:6443", true],
    ["http://127.0.0.1:6444/", false],
    ["http://127.0.0.1.evil.example/", false],
    ["https://evil.example/https://rancher.example.ru/k8s/clusters/c-m4hlh/", false],
  ])("%s → %s", (url, expected) => {
    expect(isAllowedCluster(url, allowed)).toBe(expected);
  });

  it("normalizes only http(s) URLs", () => {
    expect(normalizeClusterUrl("HTTPS://Host:443/a")).toBe("https://host/a/");
    expect(normalizeClusterUrl("file:///etc/passwd")).toBeUndefined();
  });
});

describe("a cluster outside the allow-list", () => {
  let h: Harness;
  let trap: Server;
  let trapUrl: string;
  let connections = 0;

  beforeAll(async () => {
    trap = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
    const { port } = trap.address() as { port: number };
    trapUrl = `http://127.0.0.1:${port}/`;
    h = await startHarness({ config: { allowedClusters: ["https://rancher.example.ru/k8s/clusters/c-m4hlh/"] }, kubeClientFactory: defaultKubeClientFactory });
  });

  afterAll(async () => {
    await h.close();
    await new Promise<void>((resolve) => trap.close(() => resolve()));
  });

  const body = (extra: Record<string, unknown> = {}) => {
    const input = exampleInput();
    return { ...input, environment: { ...input.environment, apiRootUrl: trapUrl }, cluster: { token: "trap-token-0123456789" }, ...extra };
  };
  const post = (path: string, json: unknown) => h.raw(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(json) });

  it("is refused with 403 CLUSTER_NOT_ALLOWED for a provisioning, a diff and a status, and is never connected to", async () => {
    const provisioning = await post("/v1/provisionings", body());
    expect(provisioning.status).toBe(403);
    expect(provisioning.json).toMatchObject({ code: "CLUSTER_NOT_ALLOWED", details: { apiRootUrl: trapUrl } });
    const diff = await post("/v1/plans", body({ diff: true }));
    expect(diff.status).toBe(403);
    expect(diff.json.code).toBe("CLUSTER_NOT_ALLOWED");
    // cluster.apiRootUrl cannot route around it either.
    const viaCluster = await post(
      "/v1/plans",
      body({ diff: true, environment: { ...exampleInput().environment }, cluster: { apiRootUrl: trapUrl, token: "trap-token-0123456789" } }),
    );
    expect(viaCluster.status).toBe(403);
    const status = await post("/v1/environments/status", {
      environments: [{ client: { id: "C42" }, environment: { namespace: "lms-dev", apiRootUrl: trapUrl }, cluster: { token: "trap-token-0123456789" } }],
    });
    expect(status.status).toBe(200);
    expect(status.json.environments[0].error.code).toBe("CLUSTER_NOT_ALLOWED");
    expect(h.operations.runningCount).toBe(0);
    expect(connections).toBe(0);
  });

  it("still builds a plan without the cluster (a dry run opens no connection)", async () => {
    const plan = await post("/v1/plans", { ...body(), cluster: undefined });
    expect(plan.status).toBe(200);
    expect(connections).toBe(0);
  });
});
