/**
 * The resources the fake cluster serves, as the API server's discovery describes them: the SDK's kinds table, read
 * by routing, authorization, errors (qualified resource names), generation rules and garbage collection.
 */
import { KINDS } from "../core/kinds.js";

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface ResourceType {
  kind: string;
  /** Lowercase plural used in URLs and RBAC. */
  plural: string;
  singular: string;
  /** API group; "" for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  shortNames: readonly string[];
  /** metadata.generation is maintained (spec changes bump it). */
  generation: boolean;
  /** Writes to the main resource ignore `status`; `/status` writes only `status`. */
  statusSubresource: boolean;
  /**
   * Default propagation policy of a DELETE without one. batch/v1 Jobs still default to orphaning their pods
   * for backward compatibility (pkg/registry/batch/job/strategy.go DefaultGarbageCollectionPolicy); kubectl
   * always sends Background, the REST API does not.
   */
  defaultPropagation: "Background" | "Orphan";
  verbs: readonly Verb[];
}

const ALL_VERBS: readonly Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
/** What the real API server serves for a kind when it is not everything (namespaces have no deletecollection). */
const VERBS: Readonly<Record<string, readonly Verb[]>> = { Namespace: ["create", "delete", "get", "list", "patch", "update", "watch"] };

/** The SDK's kinds table (src/core/kinds.ts), as the fake's discovery describes it. */
export const RESOURCES: readonly ResourceType[] = KINDS.map((k) => ({
  kind: k.kind,
  plural: k.resource,
  singular: k.kind.toLowerCase(),
  group: k.group,
  version: k.version,
  namespaced: k.namespaced,
  shortNames: k.shortNames ?? [],
  generation: k.generation,
  statusSubresource: k.statusSubresource,
  defaultPropagation: k.defaultPropagation ?? "Background",
  verbs: VERBS[k.kind] ?? ALL_VERBS,
}));

export function apiVersionOf(rt: ResourceType): string {
  return rt.group === "" ? rt.version : `${rt.group}/${rt.version}`;
}

/** `jobs.batch`, `deployments.apps`, `secrets`: how the API server names a resource in messages. */
export function qualifiedResource(rt: ResourceType): string {
  return rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`;
}

/** `Job.batch`, `Deployment.apps`, `Secret`: how validation errors name a kind. */
export function qualifiedKind(rt: ResourceType): string {
  return rt.group === "" ? rt.kind : `${rt.kind}.${rt.group}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** By kind (`Job`), plural (`jobs`), short name (`deploy`) or qualified resource (`jobs.batch`). */
export function resourceByName(name: string): ResourceType | undefined {
  const lower = name.toLowerCase();
  return RESOURCES.find(
    (r) => r.kind === name || r.kind.toLowerCase() === lower || r.plural === lower || r.shortNames.includes(lower) || qualifiedResource(r) === lower,
  );
}

export function resourceForObject(apiVersion: unknown, kind: unknown): ResourceType | undefined {
  return RESOURCES.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion);
}

/** The named group versions served: the kinds table's, and the access reviews'. */
export const GROUP_VERSIONS: readonly { group: string; version: string }[] = [
  ...new Map(KINDS.filter((k) => k.group !== "").map((k) => [`${k.group}/${k.version}`, { group: k.group, version: k.version }])).values(),
  { group: "authorization.k8s.io", version: "v1" },
];
