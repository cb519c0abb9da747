/**
 * One Kubernetes client per cluster, credentials and purpose: the same client (and so the same token bucket) for
 * every request to a cluster with the same token, a new one for other credentials, a bounded LRU, and no secret
 * in a cache key.
 */
import { describe, expect, it } from "vitest";
import { createKubeClient, type KubeClient } from "@sreda/sdk";
import { createVirtualClock } from "@sreda/sdk/testing";
import { defaultKubeClientFactory, type ClusterTarget, type KubeClientFactory } from "../src/cluster.js";
import { kubeClientKey, sharedKubeClients } from "../src/kube-clients.js";

const CLUSTER = "https://rancher.example.ru/k8s/clusters/c-m4hlh";
const TOKEN = "kubeconfig-u-abc:secret-token-value-0123456789";
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

const target = (overrides: Partial<ClusterTarget> = {}): ClusterTarget => ({ apiRootUrl: CLUSTER, token: TOKEN, ...overrides });

/** A factory that counts the clients it makes (they are never used for a request). */
function countingFactory(): KubeClientFactory & { made: number } {
  const factory = Object.assign(
    (t: ClusterTarget): KubeClient => {
      factory.made++;
      return createKubeClient({ apiRootUrl: t.apiRootUrl, token: t.token, fetch: async () => new Response("{}") });
    },
    { made: 0 },
  );
  return factory;
}

describe("shared Kubernetes clients", () => {
  it("hands out the same client for the same cluster and token, however the URL is spelt", () => {
    const factory = countingFactory();
    const shared = sharedKubeClients(factory);
    const first = shared(target(), "operation");
    expect(shared(target(), "operation")).toBe(first);
    expect(shared(target({ apiRootUrl: "https://Rancher.example.ru:443/k8s/clusters/c-m4hlh/" }), "operation")).toBe(first);
    expect(factory.made).toBe(1);
    expect(shared.size).toBe(1);
  });

  it("makes another client for another token, CA, TLS setting, cluster or purpose", () => {
    const shared = sharedKubeClients(countingFactory());
    const first = shared(target(), "operation");
    const others = [
      shared(target({ token: `${TOKEN}-other` }), "operation"),
      shared(target({ caCert: CA }), "operation"),
      shared(target({ insecureSkipTlsVerify: true }), "operation"),
      shared(target({ apiRootUrl: "https://rancher.example.ru/k8s/clusters/c-other" }), "operation"),
      shared(target(), "interactive"),
    ];
    expect(new Set([first, ...others]).size).toBe(6);
    expect(shared(target({ token: `${TOKEN}-other` }), "operation")).toBe(others[0]);
  });

  it("keeps at most the bound, dropping the least recently used client", () => {
    const factory = countingFactory();
    const shared = sharedKubeClients(factory, { maxClients: 2 });
    const a = shared(target({ token: "token-a" }), "operation");
    const b = shared(target({ token: "token-b" }), "operation");
    expect(shared(target({ token: "token-a" }), "operation")).toBe(a); // a is now the most recently used
    shared(target({ token: "token-c" }), "operation"); // b goes
    expect(shared.size).toBe(2);
    expect(shared(target({ token: "token-a" }), "operation")).toBe(a);
    expect(shared(target({ token: "token-b" }), "operation")).not.toBe(b);
    expect(factory.made).toBe(4);
    expect(() => sharedKubeClients(factory, { maxClients: 0 })).toThrow(RangeError);
  });

  it("caches no client it could not make", () => {
    const shared = sharedKubeClients(countingFactory());
    expect(() => shared(target({ apiRootUrl: "not a url" }), "operation")).toThrow(/absolute URL/);
    expect(() => shared(target({ apiRootUrl: "https://user:pass@rancher.example.ru/" }), "operation")).toThrow(/credentials/);
    expect(shared.size).toBe(0);
  });

  it("lets two callers of one cluster draw from one token bucket", async () => {
    const clock = createVirtualClock({ auto: false });
    let sent = 0;
    const shared = sharedKubeClients((t) =>
      createKubeClient({
        apiRootUrl: t.apiRootUrl,
        token: t.token,
        qps: 1,
        burst: 2,
        clock,
        fetch: async () => {
          sent++;
          return new Response("{}", { headers: { "content-type": "application/json" } });
        },
      }),
    );
    // Two requests (say, two 1C sessions polling): each asks the factory for its client, as a route handler does.
    const callerA = shared(target(), "interactive");
    const callerB = shared(target(), "interactive");
    await Promise.all([callerA.get("/api/v1/namespaces/a"), callerB.get("/api/v1/namespaces/b")]);
    expect(sent).toBe(2); // the burst of two is spent, whoever spent it
    let third = false;
    const waiting = shared(target(), "interactive")
      .get("/api/v1/namespaces/c")
      .then(() => (third = true));
    await clock.advance(500);
    expect(third).toBe(false);
    await clock.advance(500);
    await waiting;
    expect(sent).toBe(3);

    // Another token is another client with a bucket of its own: it does not wait.
    await shared(target({ token: "another-token" }), "interactive").get("/api/v1/namespaces/d");
    expect(sent).toBe(4);
  });

  it("puts no secret in a key: the token and the CA appear as SHA-256 digests only", () => {
    const key = kubeClientKey(target({ caCert: CA }), "operation")!;
    expect(key).not.toContain(TOKEN);
    expect(key).not.toContain("secret-token-value");
    expect(key).not.toContain("BEGIN CERTIFICATE");
    expect(key).toMatch(/sha256:[0-9a-f]{64}/);
    expect(key).toContain(CLUSTER);
    expect(kubeClientKey(target({ apiRootUrl: "https://user:pass@rancher.example.ru/" }), "operation")).toBeUndefined();
  });

  it("is what the bridge's default factory does", () => {
    const kube = defaultKubeClientFactory(target({ apiRootUrl: "https://kube-clients.test/k8s/clusters/c-1" }), "operation");
    expect(defaultKubeClientFactory(target({ apiRootUrl: "https://kube-clients.test/k8s/clusters/c-1/" }), "operation")).toBe(kube);
    expect(defaultKubeClientFactory(target({ apiRootUrl: "https://kube-clients.test/k8s/clusters/c-1" }), "interactive")).not.toBe(kube);
    expect(defaultKubeClientFactory(target({ apiRootUrl: "https://kube-clients.test/k8s/clusters/c-1", token: "other" }), "operation")).not.toBe(kube);
  });
});
