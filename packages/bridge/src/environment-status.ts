/**
 * The live status of one customer environment, read once: its Jobs, Deployment, pods and their events, assessed
 * by the SDK's pure `assessEnvironment` (the same rules `followEnvironment` applies while provisioning).
 *
 * Object names come from the templates (`clickhouse-setup-{{client-slug}}`, …), rendered with the customer's id
 * only, so 1C needs to send no more than it has to identify the environment; template overrides are honoured.
 */
import {
  assessEnvironment,
  isKubeError,
  renderText,
  templates as shippedTemplates,
  type Deployment,
  type EnvironmentAssessment,
  type Event,
  type Job,
  type KubeClient,
  type Pod,
  type RequestTemplate,
} from "@sreda/sdk";

export interface EnvironmentObjects {
  jobNames: string[];
  deploymentName: string | undefined;
}

/** The names of the Jobs and the Deployment the templates create for the customer. */
export function environmentObjects(clientId: string, overrides: readonly RequestTemplate[] = []): EnvironmentObjects {
  const byId = new Map(shippedTemplates.map((t) => [t.id, t]));
  for (const t of overrides) byId.set(t.id, t);
  const values = { "client-id": clientId, "client-slug": clientId.toLowerCase() };
  const named = (kind: string) =>
    [...byId.values()]
      .filter((t) => t.method === "POST" && t.kind === kind && t.name)
      .sort((a, b) => a.order - b.order)
      .map((t) => renderText(t.id, t.name!, values));
  return { jobNames: named("Job"), deploymentName: named("Deployment")[0] };
}

async function getOrNull<T>(kube: KubeClient, path: string, signal?: AbortSignal): Promise<T | null> {
  try {
    return await kube.get<T>(path, signal ? { signal } : {});
  } catch (error) {
    if (isKubeError(error, "NotFound")) return null;
    throw error;
  }
}

export async function readEnvironmentStatus(
  kube: KubeClient,
  options: { namespace: string; clientId: string; objects: EnvironmentObjects; now: number; signal?: AbortSignal },
): Promise<EnvironmentAssessment> {
  const { namespace, clientId, objects, signal } = options;
  const ns = encodeURIComponent(namespace);
  const [jobs, deployment, pods] = await Promise.all([
    Promise.all(objects.jobNames.map((name) => getOrNull<Job>(kube, `/apis/batch/v1/namespaces/${ns}/jobs/${encodeURIComponent(name)}`, signal))),
    objects.deploymentName ? getOrNull<Deployment>(kube, `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(objects.deploymentName)}`, signal) : Promise.resolve(null),
    kube.list<{ items?: Pod[] }>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: `sreda.io/client-id=${clientId}`, ...(signal ? { signal } : {}) }),
  ]);
  const podList = pods.items ?? [];
  const podNames = new Set(podList.map((p) => p.metadata?.name));
  // Events explain a pending or failing pod (FailedScheduling, image pull back-off); reading them is a courtesy.
  let events: Event[] = [];
  if (podList.length > 0) {
    try {
      const list = await kube.list<{ items?: Event[] }>(`/api/v1/namespaces/${ns}/events`, { fieldSelector: "involvedObject.kind=Pod", limit: 500, ...(signal ? { signal } : {}) });
      events = (list.items ?? []).filter((e) => podNames.has(e.involvedObject?.name));
    } catch {
      events = [];
    }
  }
  return assessEnvironment({
    jobs: jobs.filter((j): j is Job => j !== null),
    deployment,
    pods: podList,
    events,
    now: options.now,
    ...(objects.deploymentName ? { deploymentName: objects.deploymentName } : {}),
  });
}
