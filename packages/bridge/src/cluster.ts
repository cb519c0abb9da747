/**
 * From the `cluster` part of a request to a Kubernetes client. A client is made per request and lives only as
 * long as the call or the operation that uses it: the bridge keeps no credentials at rest.
 */
import { createKubeClient, type KubeClient } from "@sreda/sdk";
import type { ClusterAccess } from "./schemas.js";

export interface ClusterTarget extends Omit<ClusterAccess, "apiRootUrl"> {
  apiRootUrl: string;
}

/**
 * `interactive`: an HTTP caller is waiting (diff, status) — fewer retries, shorter timeouts;
 * `operation`: a provisioning in the background — the SDK's defaults (5 retries, 30 s per attempt).
 */
export type ClusterPurpose = "interactive" | "operation";

export type KubeClientFactory = (target: ClusterTarget, purpose: ClusterPurpose) => KubeClient;

export const defaultKubeClientFactory: KubeClientFactory = (target, purpose) =>
  createKubeClient({
    apiRootUrl: target.apiRootUrl,
    token: target.token,
    ...(target.caCert !== undefined ? { caCert: target.caCert } : {}),
    ...(target.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
    ...(purpose === "interactive" ? { maxRetries: 1, timeoutMs: 15_000 } : {}),
    userAgent: "sreda-bridge/0.1.0",
  });

/** The cluster of a request: `cluster.apiRootUrl`, else the environment's. */
export function clusterTarget(cluster: ClusterAccess, environmentApiRootUrl: string): ClusterTarget {
  return { ...cluster, apiRootUrl: cluster.apiRootUrl ?? environmentApiRootUrl };
}
