/**
 * A Job's pods and what explains its failure, found one way for the executor and the watcher: the pods by the
 * Job's `controller-uid` (after a re-create a previous Job's pods may still carry the same `job-name` label), the
 * last failed container among them, and its last log lines — the `JobContext` the pure `assessJob` turns into a
 * reason. Reads are best effort: their failure never hides the Job's verdict.
 */
import type { Job, Pod, PodList } from "../core/kube-objects.js";
import { FATAL_WAITING_REASONS, type JobContext } from "../core/status/index.js";
import type { KubeClient } from "./client.js";
import { lastLogLines } from "./logs.js";

type JobPodsClient = Pick<KubeClient, "list" | "logs">;

/** The Job's own pods; empty when they cannot be listed. Rethrows an abort. */
export async function listJobPods(kube: JobPodsClient, namespace: string, job: Job, signal?: AbortSignal): Promise<Pod[]> {
  const uid = job.metadata?.uid;
  const labelSelector = uid ? `batch.kubernetes.io/controller-uid=${uid}` : `batch.kubernetes.io/job-name=${job.metadata?.name ?? ""}`;
  try {
    const list = await kube.list<PodList>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { labelSelector, ...(signal ? { signal } : {}) });
    return list.items ?? [];
  } catch {
    signal?.throwIfAborted();
    return [];
  }
}

function containerStatuses(pod: Pod) {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** The container that failed last among the pods (exit code ≠ 0, or a start that can never succeed). */
function lastFailedContainer(pods: readonly Pod[]): { pod: Pod; container: string } | undefined {
  let best: { pod: Pod; container: string; at: string } | undefined;
  for (const pod of pods) {
    for (const status of containerStatuses(pod)) {
      const terminated = status.state?.terminated ?? status.lastState?.terminated;
      const broken = (terminated && terminated.exitCode !== 0) || FATAL_WAITING_REASONS.has(status.state?.waiting?.reason ?? "");
      const at = terminated?.finishedAt ?? pod.metadata?.creationTimestamp ?? "";
      if (broken && (!best || at > best.at)) best = { pod, container: status.name, at };
    }
  }
  return best;
}

/**
 * A container's last log lines under the key the status rules read (`pod/container`): none for a container that
 * never ran (image pull, missing Secret); the previous instance for one waiting to restart after a crash.
 */
export async function containerLogLines(
  kube: Pick<KubeClient, "logs">,
  namespace: string,
  pod: Pod,
  container: string,
  signal?: AbortSignal,
): Promise<Record<string, string[]>> {
  const status = containerStatuses(pod).find((s) => s.name === container);
  if (!status || !(status.state?.running || status.state?.terminated || status.lastState?.terminated)) return {};
  const previous = !status.state?.running && !status.state?.terminated;
  const name = pod.metadata?.name ?? "";
  return { [`${name}/${container}`]: await lastLogLines(kube, namespace, name, { container, previous, ...(signal ? { signal } : {}) }) };
}

/** What explains a failed Job: its pods and the last failed container's log lines, for `assessJob(job, context)`. */
export async function failedJobContext(kube: JobPodsClient, namespace: string, job: Job, signal?: AbortSignal): Promise<Required<JobContext>> {
  const pods = await listJobPods(kube, namespace, job, signal);
  const attempt = lastFailedContainer(pods);
  const logs = attempt ? await containerLogLines(kube, namespace, attempt.pod, attempt.container, signal) : {};
  return { pods, logs };
}
