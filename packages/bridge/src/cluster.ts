/**
 * From the `cluster` part of a request to a Kubernetes client. The default factory keeps one client per cluster,
 * credentials and purpose (./kube-clients.ts), so that the requests to a cluster share its rate limit; the
 * bridge keeps no credentials at rest (the cached clients hold their tokens in memory only).
 */
import { createKubeClient, type KubeClient } from "@sreda/sdk";
import { sharedKubeClients } from "./kube-clients.js";
import type { ClusterAccess } from "./schemas.js";

export interface ClusterTarget extends Omit<ClusterAccess, "apiRootUrl"> {
  apiRootUrl: string;
}

/**
 * `interactive`: an HTTP caller is waiting (diff, status) — fewer retries, shorter timeouts;
 * `operation`: a provisioning in the background — the SDK's defaults (10 retries, 30 s per attempt).
 */
export type ClusterPurpose = "interactive" | "operation";

export type KubeClientFactory = (target: ClusterTarget, purpose: ClusterPurpose) => KubeClient;

/** A new SDK client for the target, with the purpose's timeouts and retries. */
const createBridgeKubeClient: KubeClientFactory = (target, purpose) =>
  createKubeClient({
    apiRootUrl: target.apiRootUrl,
    token: target.token,
    ...(target.caCert !== undefined ? { caCert: target.caCert } : {}),
    ...(target.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
    ...(purpose === "interactive" ? { maxRetries: 1, timeoutMs: 15_000 } : {}),
    userAgent: "sreda-bridge/0.1.0",
  });

/** The production factory: one shared client (and token bucket) per cluster, credentials and purpose, at most 64 kept. */
export const defaultKubeClientFactory: KubeClientFactory = sharedKubeClients(createBridgeKubeClient);

/** The cluster of a request: `cluster.apiRootUrl`, else the environment's. */
export function clusterTarget(cluster: ClusterAccess, environmentApiRootUrl: string): ClusterTarget {
  return { ...cluster, apiRootUrl: cluster.apiRootUrl ?? environmentApiRootUrl };
}
