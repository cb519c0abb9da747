/**
 * The network policies' egress rules, worked out from the settings: where each database is (an address block, or a
 * namespace and its pods) and which outside hosts the application calls. Pure; a setting that cannot be worked out
 * is a problem with the input path to fill, never a rule that allows more than asked — an empty `to` would allow
 * every destination.
 */
import type { Problem } from "./errors.js";
import type { NetworkPeerSettings, ProvisioningInput } from "./models.js";

const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
/** A Service's name as pods resolve it: `postgres` (this namespace), `postgres.db.svc`, `postgres.db.svc.cluster.local`. */
const SERVICE_NAME = /^[a-z0-9-]+(?:\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?)?$/;

/** `a=1,b=2` → `{ a: "1", b: "2" }`: the equality selector a setting writes, as `matchLabels`. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    if (at > 0) labels[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return labels;
}

type Peer = Record<string, unknown>;

function namespacePeer(namespace: string, podLabels: string | undefined): Peer {
  const peer: Peer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
  if (podLabels) peer["podSelector"] = { matchLabels: parseLabels(podLabels) };
  return peer;
}

/** The peers of one database: the settings' own, else what its host says; undefined when the host says nothing. */
function databasePeers(settings: NetworkPeerSettings | undefined, host: string, namespace: string): Peer[] | undefined {
  if (settings?.cidrs?.length) return settings.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  if (settings?.namespace) return [namespacePeer(settings.namespace, settings.podLabels)];
  if (IPV4.test(host)) return [{ ipBlock: { cidr: `${host}/32` } }];
  const service = SERVICE_NAME.exec(host);
  if (service) return [namespacePeer(service[1] ?? namespace, settings?.podLabels)];
  return undefined;
}

const DATABASES = { postgres: "PostgreSQL", clickhouse: "ClickHouse" } as const;

/** One database's egress rule as JSON text, or the problem that keeps it from being written. */
export function databaseEgressRule(input: ProvisioningInput, database: keyof typeof DATABASES, port: string): string | Problem {
  const server = input.databases[database];
  const peers = databasePeers(input.environment.networkPolicies?.[database], server.host, input.environment.namespace);
  if (!peers) {
    return {
      path: `environment.networkPolicies.${database}`,
      message: `сервер ${DATABASES[database]} ${server.host} вне кластера: для сетевой политики укажите его адресные блоки (cidrs) или пространство имён (namespace)`,
      code: "network-peer-unknown",
    };
  }
  return JSON.stringify({ to: peers, ports: [{ protocol: "TCP", port: Number(port) }] });
}

/** The rule to the outside hosts as JSON text; `null` when no address block is set (the policy is then left out). */
export function externalEgressRule(input: ProvisioningInput, ports: string): string {
  const cidrs = input.environment.networkPolicies?.externalCidrs ?? [];
  if (cidrs.length === 0) return "null";
  return JSON.stringify({
    to: cidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ports: ports
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "")
      .map((p) => ({ protocol: "TCP", port: Number(p) })),
  });
}
