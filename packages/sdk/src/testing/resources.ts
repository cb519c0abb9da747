/**
 * The resources the fake cluster serves, as the API server's discovery describes them. One table, read by routing,
 * authorization, errors (qualified resource names), generation rules and garbage collection.
 */

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

function resource(r: Omit<ResourceType, "singular" | "defaultPropagation" | "verbs" | "shortNames"> & Partial<ResourceType>): ResourceType {
  return { singular: r.kind.toLowerCase(), defaultPropagation: "Background", verbs: ALL_VERBS, shortNames: [], ...r };
}

export const RESOURCES: readonly ResourceType[] = [
  resource({ kind: "Namespace", plural: "namespaces", group: "", version: "v1", namespaced: false, shortNames: ["ns"], generation: false, statusSubresource: true, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] }),
  resource({ kind: "ConfigMap", plural: "configmaps", group: "", version: "v1", namespaced: true, shortNames: ["cm"], generation: false, statusSubresource: false }),
  resource({ kind: "Secret", plural: "secrets", group: "", version: "v1", namespaced: true, generation: false, statusSubresource: false }),
  resource({ kind: "Service", plural: "services", group: "", version: "v1", namespaced: true, shortNames: ["svc"], generation: false, statusSubresource: true }),
  resource({ kind: "Pod", plural: "pods", group: "", version: "v1", namespaced: true, shortNames: ["po"], generation: true, statusSubresource: true }),
  resource({ kind: "Event", plural: "events", group: "", version: "v1", namespaced: true, shortNames: ["ev"], generation: false, statusSubresource: false }),
  resource({ kind: "Deployment", plural: "deployments", group: "apps", version: "v1", namespaced: true, shortNames: ["deploy"], generation: true, statusSubresource: true }),
  resource({ kind: "ReplicaSet", plural: "replicasets", group: "apps", version: "v1", namespaced: true, shortNames: ["rs"], generation: true, statusSubresource: true }),
  resource({ kind: "Job", plural: "jobs", group: "batch", version: "v1", namespaced: true, generation: true, statusSubresource: true, defaultPropagation: "Orphan" }),
  resource({ kind: "Ingress", plural: "ingresses", group: "networking.k8s.io", version: "v1", namespaced: true, shortNames: ["ing"], generation: true, statusSubresource: true }),
];

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
  return RESOURCES.find((r) => r.kind === name || r.kind.toLowerCase() === lower || r.plural === lower || r.shortNames.includes(lower) || qualifiedResource(r) === lower);
}

export function resourceForObject(apiVersion: unknown, kind: unknown): ResourceType | undefined {
  return RESOURCES.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion);
}

export const GROUP_VERSIONS: readonly { group: string; version: string }[] = [
  { group: "apps", version: "v1" },
  { group: "batch", version: "v1" },
  { group: "networking.k8s.io", version: "v1" },
  { group: "authorization.k8s.io", version: "v1" },
];
