/**
 * The inventory of a namespace as the cluster has it: one list per kind by Sreda's own label
 * (`app.kubernetes.io/managed-by=sreda`) — a thousand customers cost as many requests as one — assessed by the pure
 * `buildInventory`.
 */
import { buildInventory, type Inventory } from "../core/inventory.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { Deployment, Job, Pod } from "../core/kube-objects.js";
import type { KubeClient } from "./client.js";

/** The label every object Sreda writes carries (the pods of its Deployments and Jobs too). */
export const MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=sreda";

/** Kinds counted besides the ones assessed. */
const COUNTED = ["Secret", "ConfigMap", "Service", "Ingress", "NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget"];

async function listKind<T>(kube: KubeClient, kind: string, namespace: string, signal: AbortSignal | undefined): Promise<T[]> {
  const info = kindInfo(kind)!;
  const list = await kube.list<{ items?: T[] }>(collectionPath(info, encodeURIComponent(namespace)), {
    labelSelector: MANAGED_BY_SELECTOR,
    ...(signal ? { signal } : {}),
  });
  return list.items ?? [];
}

/**
 * Every customer environment of `namespace`: image, replicas, phase, age and configuration hash, with the orphans and
 * the missing ones when `known` (the customers 1C has there) is given. Ten list requests, whatever the number of
 * customers.
 */
export async function readInventory(
  kube: KubeClient,
  namespace: string,
  options: { now: number; known?: readonly string[]; signal?: AbortSignal },
): Promise<Inventory> {
  const { signal } = options;
  const [deployments, jobs, pods, ...others] = await Promise.all([
    listKind<Deployment>(kube, "Deployment", namespace, signal),
    listKind<Job>(kube, "Job", namespace, signal),
    listKind<Pod>(kube, "Pod", namespace, signal),
    ...COUNTED.map((kind) => listKind<{ metadata?: { labels?: Record<string, string> } }>(kube, kind, namespace, signal)),
  ]);
  return buildInventory(
    namespace,
    { deployments, jobs, pods, others: Object.fromEntries(COUNTED.map((kind, i) => [kind, others[i]!])) },
    {
      now: options.now,
      ...(options.known ? { known: options.known } : {}),
    },
  );
}
