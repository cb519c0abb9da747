/**
 * The live status of one customer environment, read once: its Jobs, Deployment, autoscaler, disruption budget, pods
 * and their events, assessed by the pure `assessEnvironment` — the rules `followEnvironment` applies while
 * provisioning, on the same objects (the environment description's objects by kind, the customer's pods by its one
 * selector).
 */
import { objectNames, type EnvironmentDescription } from "../core/environment.js";
import type { Deployment, Event, HorizontalPodAutoscaler, Job, Pod, PodDisruptionBudget } from "../core/kube-objects.js";
import { assessEnvironment, type EnvironmentAssessment } from "../core/status/index.js";
import type { KubeClient } from "./client.js";
import { isKubeError } from "./errors.js";

async function getOrNull<T>(kube: KubeClient, path: string, signal?: AbortSignal): Promise<T | null> {
  try {
    return await kube.get<T>(path, signal ? { signal } : {});
  } catch (error) {
    if (isKubeError(error, "NotFound")) return null;
    throw error;
  }
}

/**
 * The autoscaler and the disruption budget only add warnings: a platform that does not let us read them (403) or
 * does not serve their API (404) leaves them unassessed rather than failing the status.
 */
async function getOptional<T>(kube: KubeClient, path: string, signal?: AbortSignal): Promise<T | null> {
  try {
    return await getOrNull<T>(kube, path, signal);
  } catch (error) {
    if (isKubeError(error, "Forbidden")) return null;
    throw error;
  }
}

/** Events explain a pending or failing pod (FailedScheduling, image pull back-off); reading them is a courtesy. */
async function podEventsOf(kube: KubeClient, ns: string, pods: Pod[], signal?: AbortSignal): Promise<Event[]> {
  if (pods.length === 0) return [];
  const names = new Set(pods.map((p) => p.metadata?.name));
  try {
    const list = await kube.list<{ items?: Event[] }>(`/api/v1/namespaces/${ns}/events`, {
      fieldSelector: "involvedObject.kind=Pod",
      limit: 500,
      ...(signal ? { signal } : {}),
    });
    return (list.items ?? []).filter((e) => names.has(e.involvedObject?.name));
  } catch {
    return [];
  }
}

export async function readEnvironmentStatus(
  kube: KubeClient,
  environment: EnvironmentDescription,
  options: { now: number; signal?: AbortSignal },
): Promise<EnvironmentAssessment> {
  const { signal } = options;
  const ns = encodeURIComponent(environment.namespace);
  const deploymentName = objectNames(environment, "Deployment")[0];
  const autoscalerName = objectNames(environment, "HorizontalPodAutoscaler")[0];
  const budgetName = objectNames(environment, "PodDisruptionBudget")[0];
  const [jobs, deployment, autoscaler, disruptionBudget, pods] = await Promise.all([
    Promise.all(
      objectNames(environment, "Job").map((name) => getOrNull<Job>(kube, `/apis/batch/v1/namespaces/${ns}/jobs/${encodeURIComponent(name)}`, signal)),
    ),
    deploymentName
      ? getOrNull<Deployment>(kube, `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(deploymentName)}`, signal)
      : Promise.resolve(null),
    // None of the kind in the description (turned off in the settings): nothing to read.
    autoscalerName
      ? getOptional<HorizontalPodAutoscaler>(
          kube,
          `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${encodeURIComponent(autoscalerName)}`,
          signal,
        )
      : Promise.resolve(null),
    budgetName
      ? getOptional<PodDisruptionBudget>(kube, `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${encodeURIComponent(budgetName)}`, signal)
      : Promise.resolve(null),
    environment.podSelector
      ? kube.list<{ items?: Pod[] }>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: environment.podSelector, ...(signal ? { signal } : {}) })
      : Promise.resolve({ items: [] as Pod[] }),
  ]);
  const podList = pods.items ?? [];
  return assessEnvironment({
    jobs: jobs.filter((j): j is Job => j !== null),
    deployment,
    autoscaler,
    disruptionBudget,
    pods: podList,
    events: await podEventsOf(kube, ns, podList, signal),
    now: options.now,
    ...(deploymentName ? { deploymentName } : {}),
  });
}
