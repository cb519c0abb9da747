/**
 * One Kubernetes client per cluster and credentials, shared by every request to it, so that they all draw from
 * the client's one token bucket: a burst of HTTP calls (1C polling the status of many environments, a dozen
 * provisionings at once) reaches a cluster at the client's sustained rate instead of each request bringing a
 * fresh bucket of its own.
 *
 * A client is keyed by its API root (in the SDK's spelling), a SHA-256 of its token, a SHA-256 of its CA bundle,
 * the insecure flag and the purpose (an interactive caller keeps its shorter timeouts and fewer retries, so
 * interactive calls and background operations have a client — and a bucket — each). No key holds a secret: a key
 * may be logged. The cache is an LRU of a bounded number of clients (64 by default); a client that falls out is
 * simply made again when asked for. A client that cannot be made (a bad URL) is not cached: the error is thrown to
 * the caller every time.
 *
 * The clients keep their tokens in memory, as long as they are cached — never on disk.
 */
import { createHash } from "node:crypto";
import type { KubeClient } from "@sreda/sdk";
import type { ClusterPurpose, ClusterTarget, KubeClientFactory } from "./cluster.js";

const KUBE_CLIENT_CACHE_SIZE = 64;

interface KubeClientCacheOptions {
  /** How many clients are kept (the least recently used one goes first); default 64. */
  maxClients?: number;
}

/** The factory, with every client it made kept and handed out again for the same cluster, credentials and purpose. */
interface SharedKubeClientFactory extends KubeClientFactory {
  /** How many clients are kept now. */
  readonly size: number;
  /** Forgets every kept client (the next request makes a new one). */
  clear(): void;
}

export function sharedKubeClients(factory: KubeClientFactory, options: KubeClientCacheOptions = {}): SharedKubeClientFactory {
  const maxClients = options.maxClients ?? KUBE_CLIENT_CACHE_SIZE;
  if (!Number.isInteger(maxClients) || maxClients < 1) throw new RangeError(`maxClients must be a positive integer, got ${maxClients}`);
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used client first.
  const clients = new Map<string, KubeClient>();

  const shared = (target: ClusterTarget, purpose: ClusterPurpose): KubeClient => {
    const key = kubeClientKey(target, purpose);
    if (key === undefined) return factory(target, purpose);
    const kept = clients.get(key);
    if (kept) {
      clients.delete(key);
      clients.set(key, kept);
      return kept;
    }
    const client = factory(target, purpose);
    clients.set(key, client);
    if (clients.size > maxClients) clients.delete(clients.keys().next().value!);
    return client;
  };
  return Object.defineProperties(shared, {
    size: { get: () => clients.size },
    clear: { value: () => clients.clear() },
  }) as SharedKubeClientFactory;
}

/**
 * The cache key of a client: no secret in it, only digests. Undefined (do not cache) for an API root that is not
 * an absolute http(s) URL without credentials, query or fragment, or a token that is not a string — the SDK
 * refuses those anyway, and says why.
 */
export function kubeClientKey(target: ClusterTarget, purpose: ClusterPurpose): string | undefined {
  if (typeof target.token !== "string" || !URL.canParse(target.apiRootUrl)) return undefined;
  const url = new URL(target.apiRootUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") return undefined;
  // As the SDK normalizes it: `https://Host:443/k8s/clusters/c-1/` and `https://host/k8s/clusters/c-1` are one cluster.
  const root = url.href.replace(/\/+$/, "");
  return JSON.stringify([
    root,
    `sha256:${sha256(target.token)}`,
    target.caCert === undefined ? null : `sha256:${sha256(target.caCert)}`,
    target.insecureSkipTlsVerify === true,
    purpose,
  ]);
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
