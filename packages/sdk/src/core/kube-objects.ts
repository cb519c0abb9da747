/**
 * Kubernetes object types used across the SDK, named after their kinds. Type-only: they are aliases of the
 * schemas generated from the official Kubernetes 1.35 OpenAPI documents (src/generated/kube-api.d.ts), so the
 * pure core can speak about Pods and Jobs without importing anything at run time.
 */
import type { components } from "../generated/kube-api.js";

/** The official Kubernetes 1.35 schemas by definition name, the source of the object types below. */
export type KubeSchemas = components["schemas"];

export type ObjectMeta = KubeSchemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"];
export type ListMeta = KubeSchemas["io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"];
/** The body of every API error (and of some successful deletes). */
export type Status = KubeSchemas["io.k8s.apimachinery.pkg.apis.meta.v1.Status"];
export type StatusCause = KubeSchemas["io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause"];

export type Namespace = KubeSchemas["io.k8s.api.core.v1.Namespace"];
export type ConfigMap = KubeSchemas["io.k8s.api.core.v1.ConfigMap"];
export type Secret = KubeSchemas["io.k8s.api.core.v1.Secret"];
export type Service = KubeSchemas["io.k8s.api.core.v1.Service"];
export type Pod = KubeSchemas["io.k8s.api.core.v1.Pod"];
export type PodList = KubeSchemas["io.k8s.api.core.v1.PodList"];
export type ContainerStatus = KubeSchemas["io.k8s.api.core.v1.ContainerStatus"];
export type Event = KubeSchemas["io.k8s.api.core.v1.Event"];
export type EventList = KubeSchemas["io.k8s.api.core.v1.EventList"];

export type Deployment = KubeSchemas["io.k8s.api.apps.v1.Deployment"];
export type ReplicaSet = KubeSchemas["io.k8s.api.apps.v1.ReplicaSet"];

export type Job = KubeSchemas["io.k8s.api.batch.v1.Job"];

export type Ingress = KubeSchemas["io.k8s.api.networking.v1.Ingress"];

export type HorizontalPodAutoscaler = KubeSchemas["io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"];
export type PodDisruptionBudget = KubeSchemas["io.k8s.api.policy.v1.PodDisruptionBudget"];

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
