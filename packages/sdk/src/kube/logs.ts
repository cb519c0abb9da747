/**
 * A container's last log lines for a failure report, read the same way by the executor (a failed Job) and the
 * watcher (a failing pod). Logs are best effort, but their absence is said, not hidden: a cluster whose kubelets are
 * unreachable, or kwok, answers `pods/log` with 404 or 5xx, and the operator must know the logs exist elsewhere.
 */
import type { KubeClient } from "./client.js";
import { isKubeError, KubeStatusError } from "./errors.js";

export const LOG_TAIL_LINES = 20;

/** The last lines of a container's log, or one line saying why they could not be read. Rethrows an abort. */
export async function lastLogLines(
  kube: Pick<KubeClient, "logs">,
  namespace: string,
  pod: string,
  options: { container?: string; previous?: boolean; signal?: AbortSignal } = {},
): Promise<string[]> {
  try {
    const text = await kube.logs(namespace, pod, { ...options, tailLines: LOG_TAIL_LINES });
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-LOG_TAIL_LINES);
  } catch (error) {
    options.signal?.throwIfAborted();
    return [logsUnavailable(error)];
  }
}

/** "(журналы контейнера недоступны: кластер ответил 404 NotFound на pods/log)". */
function logsUnavailable(error: unknown): string {
  const why =
    error instanceof KubeStatusError
      ? `кластер ответил ${error.status} ${error.reason} на pods/log`
      : isKubeError(error)
        ? `нет ответа кластера (${error.message})`
        : error instanceof Error
          ? error.message
          : String(error);
  return `(журналы контейнера недоступны: ${why}; их можно найти в системе сбора журналов кластера)`;
}
