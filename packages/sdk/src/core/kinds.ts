/**
 * The Kubernetes kinds Sreda knows, once: the schema and type generators (which definitions and paths to keep from
 * the official documents), preflight (which resource and verbs to ask about), the executor (how a kind is written)
 * and the fake cluster (what it serves) all read this table. Adding a kind is a row here plus the template that
 * creates it (then `npm run generate:kube-schema generate:kube-types`).
 */

export interface KindInfo {
  kind: string;
  /** API group; "" for the core group. */
  group: string;
  version: string;
  /** Lowercase plural: URLs and RBAC. */
  resource: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  /** metadata.generation is maintained (spec changes bump it). */
  generation: boolean;
  /** It has a `/status` subresource (writes to the object ignore status). */
  statusSubresource: boolean;
  /**
   * What a DELETE without a propagation policy does: batch/v1 Jobs still orphan their pods for backward
   * compatibility (the Job strategy's DefaultGarbageCollectionPolicy); kubectl always sends Background.
   */
  defaultPropagation?: "Background" | "Orphan";
  /**
   * How a template of this kind is written: server-side applied, or (an immutable pod template) created, and
   * deleted and created again when its spec changes. Absent: Sreda only reads the kind.
   */
  write?: "apply" | "recreate";
  /** The kind's definition in the OpenAPI documents. */
  definition: string;
}

export const KINDS: readonly KindInfo[] = Object.freeze([
  {
    kind: "Namespace",
    group: "",
    version: "v1",
    resource: "namespaces",
    namespaced: false,
    shortNames: ["ns"],
    generation: false,
    statusSubresource: true,
    definition: "io.k8s.api.core.v1.Namespace",
  },
  {
    kind: "ConfigMap",
    group: "",
    version: "v1",
    resource: "configmaps",
    namespaced: true,
    shortNames: ["cm"],
    generation: false,
    statusSubresource: false,
    write: "apply",
    definition: "io.k8s.api.core.v1.ConfigMap",
  },
  {
    kind: "Secret",
    group: "",
    version: "v1",
    resource: "secrets",
    namespaced: true,
    generation: false,
    statusSubresource: false,
    write: "apply",
    definition: "io.k8s.api.core.v1.Secret",
  },
  {
    kind: "Service",
    group: "",
    version: "v1",
    resource: "services",
    namespaced: true,
    shortNames: ["svc"],
    generation: false,
    statusSubresource: true,
    write: "apply",
    definition: "io.k8s.api.core.v1.Service",
  },
  {
    kind: "Pod",
    group: "",
    version: "v1",
    resource: "pods",
    namespaced: true,
    shortNames: ["po"],
    generation: true,
    statusSubresource: true,
    definition: "io.k8s.api.core.v1.Pod",
  },
  {
    kind: "Event",
    group: "",
    version: "v1",
    resource: "events",
    namespaced: true,
    shortNames: ["ev"],
    generation: false,
    statusSubresource: false,
    definition: "io.k8s.api.core.v1.Event",
  },
  {
    kind: "Deployment",
    group: "apps",
    version: "v1",
    resource: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    generation: true,
    statusSubresource: true,
    write: "apply",
    definition: "io.k8s.api.apps.v1.Deployment",
  },
  {
    kind: "ReplicaSet",
    group: "apps",
    version: "v1",
    resource: "replicasets",
    namespaced: true,
    shortNames: ["rs"],
    generation: true,
    statusSubresource: true,
    definition: "io.k8s.api.apps.v1.ReplicaSet",
  },
  {
    kind: "Job",
    group: "batch",
    version: "v1",
    resource: "jobs",
    namespaced: true,
    generation: true,
    statusSubresource: true,
    defaultPropagation: "Orphan",
    write: "recreate",
    definition: "io.k8s.api.batch.v1.Job",
  },
  {
    kind: "Ingress",
    group: "networking.k8s.io",
    version: "v1",
    resource: "ingresses",
    namespaced: true,
    shortNames: ["ing"],
    generation: true,
    statusSubresource: true,
    write: "apply",
    definition: "io.k8s.api.networking.v1.Ingress",
  },
  {
    kind: "PodDisruptionBudget",
    group: "policy",
    version: "v1",
    resource: "poddisruptionbudgets",
    namespaced: true,
    shortNames: ["pdb"],
    generation: true,
    statusSubresource: true,
    write: "apply",
    definition: "io.k8s.api.policy.v1.PodDisruptionBudget",
  },
  {
    kind: "NetworkPolicy",
    group: "networking.k8s.io",
    version: "v1",
    resource: "networkpolicies",
    namespaced: true,
    shortNames: ["netpol"],
    generation: true,
    statusSubresource: false,
    write: "apply",
    definition: "io.k8s.api.networking.v1.NetworkPolicy",
  },
  {
    kind: "HorizontalPodAutoscaler",
    group: "autoscaling",
    version: "v2",
    resource: "horizontalpodautoscalers",
    namespaced: true,
    shortNames: ["hpa"],
    generation: false,
    statusSubresource: true,
    write: "apply",
    definition: "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
  },
  {
    // The per-customer lock between processes (src/kube/lease.ts): read and written by the executor, never by templates.
    kind: "Lease",
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    namespaced: true,
    generation: false,
    statusSubresource: false,
    definition: "io.k8s.api.coordination.v1.Lease",
  },
] satisfies KindInfo[]);

/** `v1`, `apps/v1`. */
export function apiVersionOfKind(info: Pick<KindInfo, "group" | "version">): string {
  return info.group === "" ? info.version : `${info.group}/${info.version}`;
}

/** The row of a kind (by name, and apiVersion when given), or undefined. */
export function kindInfo(kind: string, apiVersion?: string): KindInfo | undefined {
  return KINDS.find((k) => k.kind === kind && (apiVersion === undefined || apiVersionOfKind(k) === apiVersion));
}

/** A namespaced collection's path: `/apis/batch/v1/namespaces/{namespace}/jobs` (the namespace as given). */
export function collectionPath(info: KindInfo, namespace = "{namespace}"): string {
  const root = info.group === "" ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  return info.namespaced ? `${root}/namespaces/${namespace}/${info.resource}` : `${root}/${info.resource}`;
}

/** The official OpenAPI document of the kind's group version: `apis__batch__v1_openapi.json`. */
export function openApiFileOf(info: Pick<KindInfo, "group" | "version">): string {
  return info.group === "" ? `api__${info.version}_openapi.json` : `apis__${info.group}__${info.version}_openapi.json`;
}
