/**
 * The allow-list of clusters: with it, the bridge talks only to the Kubernetes API roots it names, so a leaked bridge
 * token cannot turn the bridge into a tool for reaching other hosts of the company network. Entries are API root URL
 * prefixes (`https://rancher.example.ru/k8s/clusters/c-m4hlh/`); a request naming any other cluster is refused with
 * 403 CLUSTER_NOT_ALLOWED before a client is made, so no connection is opened.
 */
import type { KubeClientFactory } from "./cluster.js";
import { HttpError } from "./errors.js";

/**
 * A URL in one spelling: lowercase scheme and host, no default port, no credentials, query or fragment, and a path
 * that ends with "/" — so a prefix matches whole path segments only (`…/c-m4/` does not allow `…/c-m4hlh/`).
 * Undefined for what is not an http(s) URL.
 */
export function normalizeClusterUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  const path = u.pathname.endsWith("/") ? u.pathname : `${u.pathname}/`;
  return `${u.protocol}//${u.host}${path}`;
}

/** Whether the API root URL is under one of the allowed prefixes (already normalized). */
export function isAllowedCluster(apiRootUrl: string, allowed: readonly string[]): boolean {
  const url = normalizeClusterUrl(apiRootUrl);
  return url !== undefined && allowed.some((prefix) => url.startsWith(prefix));
}

/** The factory behind the allow-list; without a list (undefined), every cluster is allowed. */
export function allowListed(factory: KubeClientFactory, allowedUrls: readonly string[] | undefined): KubeClientFactory {
  if (allowedUrls === undefined) return factory;
  // loadConfig gives them normalized; a list from elsewhere (createApp in a test, a library user) may not be.
  const allowed = allowedUrls.map((url) => normalizeClusterUrl(url)).filter((url): url is string => url !== undefined);
  return (target, purpose) => {
    if (!isAllowedCluster(target.apiRootUrl, allowed)) {
      throw new HttpError(
        403,
        "CLUSTER_NOT_ALLOWED",
        "Этот кластер Kubernetes не входит в список разрешённых мосту (SREDA_ALLOWED_CLUSTERS); мост к нему не обращается",
        {
          apiRootUrl: normalizeClusterUrl(target.apiRootUrl) ?? target.apiRootUrl,
        },
      );
    }
    return factory(target, purpose);
  };
}
