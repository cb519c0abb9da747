/**
 * One error shape for every answer that is not a success: `{ code, message, details }`, `message` in Russian for
 * the 1C operator, `code` for 1C's code, `details.problems[]` with field paths for bad input.
 *
 * The bridge throws one class, `HttpError` (a `SredaError` with an HTTP status); everything else that reaches
 * the error middleware is mapped by `toHttpError` — SDK validation errors to 422, cluster errors to 502/503/504
 * (the cluster is an upstream of the bridge: its failures are not the caller's bad request and not our own fault),
 * and anything unexpected to 500.
 */
import type { BridgeErrorCode } from "./error-codes.js";
import { isKubeError, KubeNetworkError, KubeStatusError, SredaError, SredaValidationError, type Problem } from "@sreda/sdk";

/** The most problems one error answer lists; the rest are counted in `details.moreProblems`. */
export const MAX_PROBLEMS = 100;

/**
 * Paths and messages echo the input (an unknown key, a field name in a template): each is cut to a few hundred
 * characters, and the list stops at about 32 KiB of text — the rest is counted — so an error answer stays small.
 */
const MAX_PATH = 256;
const MAX_MESSAGE = 512;
const PROBLEMS_BUDGET = 32 * 1024;
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function bounded(problem: Problem): Problem {
  return { ...problem, path: cut(problem.path, MAX_PATH), message: cut(problem.message, MAX_MESSAGE) };
}

export { BRIDGE_ERROR_CODES, type BridgeErrorCode } from "./error-codes.js";

export interface ErrorBody {
  code: BridgeErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export class HttpError extends SredaError {
  override readonly name: string = "HttpError";
  readonly status: number;
  readonly headers: Record<string, string>;

  declare readonly code: BridgeErrorCode;

  constructor(status: number, code: BridgeErrorCode, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(code, message, details);
    this.status = status;
    this.headers = headers;
  }

  /**
   * 422 with the problems and their paths: the first MAX_PROBLEMS of them, and `moreProblems` counting the rest, so
   * an answer to a hostile body stays a few kilobytes (the schemas' size limits keep the count itself small).
   */
  static invalid(message: string, problems: readonly Problem[] & { total?: number }): HttpError {
    const total = problems.total ?? problems.length;
    const listed: Problem[] = [];
    let size = 0;
    for (const problem of problems) {
      if (listed.length === MAX_PROBLEMS || size >= PROBLEMS_BUDGET) break;
      const short = bounded(problem);
      size += short.path.length + short.message.length;
      listed.push(short);
    }
    const details: Record<string, unknown> = { problems: listed };
    if (total > listed.length) details["moreProblems"] = total - listed.length;
    return new HttpError(422, "INVALID_INPUT", message, details);
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
  return new HttpError(
    502,
    "CLUSTER_ERROR",
    `Кластер Kubernetes ответил ошибкой ${error.status} ${error.reason}${error.kubeMessage ? `: ${error.kubeMessage}` : ""}`,
    details,
  );
}

/** Maps anything thrown by a handler to the HTTP error to answer with; `internal` marks our own faults (5xx, logged). */
export function toHttpError(error: unknown): { error: HttpError; internal: boolean } {
  if (error instanceof HttpError) return { error, internal: false };
  if (error instanceof SredaValidationError) return { error: HttpError.invalid("Входные данные не прошли проверку", error.problems), internal: false };
  if (isKubeError(error)) return { error: clusterHttpError(error), internal: false };
  return { error: new HttpError(500, "INTERNAL_ERROR", "Внутренняя ошибка моста Sreda; подробности в журнале сервиса"), internal: true };
}
