/**
 * Kubernetes object types used across the SDK, named after their kinds. Type-only: they are aliases of the
 * schemas generated from the official Kubernetes 1.35 OpenAPI documents (src/generated/kube-api.d.ts), so the
 * pure core can speak about Pods and Jobs without importing anything at run time.
 */
import type { components } from "../generated/kube-api.js";

type Schemas = components["schemas"];

export type ObjectMeta = Schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
export type ListMeta = Schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"];
/** The body of every API error (and of some successful deletes). */
export type Status = Schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Status"];
export type StatusCause = Schemas["io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause"];

export type Namespace = Schemas["io.k8s.api.core.v1.Namespace"];
export type ConfigMap = Schemas["io.k8s.api.core.v1.ConfigMap"];
export type Secret = Schemas["io.k8s.api.core.v1.Secret"];
export type Service = Schemas["io.k8s.api.core.v1.Service"];
export type Pod = Schemas["io.k8s.api.core.v1.Pod"];
export type PodList = Schemas["io.k8s.api.core.v1.PodList"];
export type ContainerStatus = Schemas["io.k8s.api.core.v1.ContainerStatus"];
export type Event = Schemas["io.k8s.api.core.v1.Event"];
export type EventList = Schemas["io.k8s.api.core.v1.EventList"];

export type Deployment = Schemas["io.k8s.api.apps.v1.Deployment"];
export type ReplicaSet = Schemas["io.k8s.api.apps.v1.ReplicaSet"];

export type Job = Schemas["io.k8s.api.batch.v1.Job"];

export type Ingress = Schemas["io.k8s.api.networking.v1.Ingress"];

/** The type of one line of a watch stream (`?watch=1`), as apimachinery's `metav1.WatchEvent` names them. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/**
 * One event of a watch. For `ERROR` the object is a `Status` (e.g. 410 Gone when the resourceVersion is too old);
 * for `BOOKMARK` only `metadata.resourceVersion` is meaningful.
 */
export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}
