/**
 * How lists merge, from the `x-kubernetes-list-type` / `x-kubernetes-list-map-keys` (server-side apply) and
 * `x-kubernetes-patch-merge-key` (strategic merge patch) markers of the Kubernetes 1.35 OpenAPI schema, for the
 * lists the fake's kinds contain. Lists not named here are atomic: replaced as a whole.
 */
import { isRecord } from "./util.js";

type ListType = { type: "map"; keys: readonly string[] } | { type: "set" } | { type: "atomic" };

/** Field name → list type; `ports` depends on where it is (Container vs ServiceSpec). */
const BY_FIELD: Record<string, ListType> = {
  containers: { type: "map", keys: ["name"] },
  initContainers: { type: "map", keys: ["name"] },
  ephemeralContainers: { type: "map", keys: ["name"] },
  env: { type: "map", keys: ["name"] },
  volumes: { type: "map", keys: ["name"] },
  volumeMounts: { type: "map", keys: ["mountPath"] },
  volumeDevices: { type: "map", keys: ["devicePath"] },
  imagePullSecrets: { type: "map", keys: ["name"] },
  hostAliases: { type: "map", keys: ["ip"] },
  resourceClaims: { type: "map", keys: ["name"] },
  topologySpreadConstraints: { type: "map", keys: ["topologyKey", "whenUnsatisfiable"] },
  ownerReferences: { type: "map", keys: ["uid"] },
  conditions: { type: "map", keys: ["type"] },
  finalizers: { type: "set" },
};

const SERVICE_PORTS: ListType = { type: "map", keys: ["port", "protocol"] };
const CONTAINER_PORTS: ListType = { type: "map", keys: ["containerPort", "protocol"] };

/** `path` is the list's field path without indices, e.g. ["spec", "template", "spec", "containers"]. */
export function listTypeAt(path: readonly string[], items: readonly unknown[]): ListType {
  const field = path[path.length - 1] ?? "";
  if (field === "ports") {
    const parent = path[path.length - 2];
    if (parent === "spec" && !path.includes("containers") && !path.includes("initContainers")) return SERVICE_PORTS;
    if (items.some((item) => isRecord(item) && "containerPort" in item)) return CONTAINER_PORTS;
    return CONTAINER_PORTS;
  }
  // status.conditions of every kind and the Pod's status lists are keyed; other "conditions" lists too.
  return BY_FIELD[field] ?? { type: "atomic" };
}

/** Key values of a map-list item; a missing `protocol` key counts as its default "TCP" (as SSA's defaulted keys do). */
export function itemKey(listType: { keys: readonly string[] }, item: unknown): Record<string, unknown> | undefined {
  if (!isRecord(item)) return undefined;
  const key: Record<string, unknown> = {};
  for (const k of listType.keys) {
    const value = item[k] ?? (k === "protocol" ? "TCP" : undefined);
    if (value === undefined) return undefined;
    key[k] = value;
  }
  return key;
}

export function sameKey(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (!a || !b) return false;
  return Object.keys(a).every((k) => a[k] === b[k]);
}

/** Strategic-merge-patch merge key (one field) for a list, or undefined when the list is replaced. */
export function patchMergeKey(path: readonly string[], items: readonly unknown[]): string | undefined {
  const type = listTypeAt(path, items);
  if (type.type !== "map") return undefined;
  return type.keys[0];
}

/** Maps with arbitrary keys (granular maps): SSA records each key. Other objects are structs. */
export const GRANULAR_MAPS = new Set([
  "labels",
  "annotations",
  "data",
  "stringData",
  "binaryData",
  "matchLabels",
  "nodeSelector",
  "limits",
  "requests",
  "selector",
]);

/** Structs SSA treats atomically (x-kubernetes-map-type: atomic): owned as one field. */
export function isAtomicStruct(kind: string, path: readonly string[]): boolean {
  const field = path[path.length - 1];
  // metav1.LabelSelector is atomic; a Service's spec.selector is a plain map of labels.
  if (kind === "Service" && field === "selector") return false;
  return field === "selector" || field === "labelSelector" || field === "namespaceSelector" || field === "podSelector";
}
