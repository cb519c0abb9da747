/**
 * One error shape for every answer that is not a success: `{ code, message, details }`, `message` in Russian for
 * the 1C operator, `code` for 1C's code, `details.problems[]` with field paths for bad input.
 *
 * The bridge throws one class, `HttpError` (a `SredaError` with an HTTP status); everything else that reaches
 * the error middleware is mapped by `toHttpError` — SDK validation errors to 422, cluster errors to 502/503/504
 * (the cluster is an upstream of the bridge: its failures are not the caller's bad request and not our own fault),
 * and anything unexpected to 500.
 */
import { isKubeError, KubeNetworkError, KubeStatusError, SredaError, SredaValidationError, type Problem } from "@sreda/sdk";

export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export class HttpError extends SredaError {
  override readonly name: string = "HttpError";
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(code, message, details);
    this.status = status;
    this.headers = headers;
  }

  /** 422 with every problem and its path. */
  static invalid(message: string, problems: Problem[]): HttpError {
    return new HttpError(422, "INVALID_INPUT", message, { problems });
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * What the bridge answers when the cluster fails a call it made on the caller's behalf. Choices (README):
 * - no answer at all (refused, DNS, reset, TLS) → 502 CLUSTER_UNREACHABLE; our own timeout → 504 CLUSTER_TIMEOUT;
 * - the cluster rejects the token (401) → 502 CLUSTER_UNAUTHORIZED, *not* 401: a 401 from the bridge means the
 *   bridge's own token is wrong, and 1C must be able to tell the two apart; 403 → 502 CLUSTER_FORBIDDEN;
 * - the cluster is overloaded or restarting (429, 503) → 503 CLUSTER_UNAVAILABLE with Retry-After when it gave one;
 * - any other cluster answer → 502 CLUSTER_ERROR with the cluster's reason.
 */
export function clusterHttpError(error: KubeStatusError | KubeNetworkError): HttpError {
  if (error instanceof KubeNetworkError) {
    if (error.timedOut) {
      return new HttpError(504, "CLUSTER_TIMEOUT", "Кластер Kubernetes не ответил вовремя", { method: error.method, path: error.path });
    }
    const why = error.tls ? "не удалось проверить TLS-сертификат кластера" : `нет соединения (${error.causeCode ?? "сетевая ошибка"})`;
    return new HttpError(502, "CLUSTER_UNREACHABLE", `Кластер Kubernetes недоступен: ${why}`, {
      method: error.method,
      path: error.path,
      ...(error.causeCode ? { causeCode: error.causeCode } : {}),
      ...(error.tls ? { tls: true } : {}),
    });
  }
  const details = { clusterStatus: error.status, reason: error.reason, method: error.method, path: error.path };
  if (error.status === 401) {
    return new HttpError(502, "CLUSTER_UNAUTHORIZED", "Кластер Kubernetes отклонил токен доступа (401): проверьте токен кластера в настройках среды", details);
  }
  if (error.status === 403) {
    return new HttpError(502, "CLUSTER_FORBIDDEN", `Кластер Kubernetes запретил операцию (403): ${error.kubeMessage}`, details);
  }
  if (error.status === 429 || error.status === 503) {
    const headers: Record<string, string> = error.retryAfterSeconds !== undefined ? { "Retry-After": String(error.retryAfterSeconds) } : {};
    return new HttpError(503, "CLUSTER_UNAVAILABLE", `Кластер Kubernetes временно не принимает запросы (${error.status})`, details, headers);
  }
  return new HttpError(502, "CLUSTER_ERROR", `Кластер Kubernetes ответил ошибкой ${error.status} ${error.reason}${error.kubeMessage ? `: ${error.kubeMessage}` : ""}`, details);
}

/** Maps anything thrown by a handler to the HTTP error to answer with; `internal` marks our own faults (5xx, logged). */
export function toHttpError(error: unknown): { error: HttpError; internal: boolean } {
  if (error instanceof HttpError) return { error, internal: false };
  if (error instanceof SredaValidationError) {
    return { error: new HttpError(422, error.code, "Входные данные не прошли проверку", { problems: error.problems }), internal: false };
  }
  if (isKubeError(error)) return { error: clusterHttpError(error), internal: false };
  return { error: new HttpError(500, "INTERNAL_ERROR", "Внутренняя ошибка моста Sreda; подробности в журнале сервиса"), internal: true };
}
