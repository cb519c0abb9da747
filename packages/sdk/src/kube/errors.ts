/**
 * Errors of the Kubernetes client. The API server answers every failure with a `metav1.Status`
 * (k8s.io/apimachinery/pkg/apis/meta/v1/types.go, StatusReason*); we turn it into one `KubeStatusError` whose
 * `code` is that reason, so callers branch on `isKubeError(err, "AlreadyExists")` rather than on HTTP numbers.
 * A body that is not a Status (a proxy's HTML 502, an empty 503) is classified by the HTTP code instead, the way
 * apimachinery's `NewGenericServerResponse` does. Transport failures (refused, reset, timed out, TLS) are one
 * `KubeNetworkError`.
 *
 * Nothing here ever carries the bearer token or a request body: messages and details are built only from the
 * method, the path below the API root (without its query string) and what the server said, passed through the
 * client's redaction (which removes the token and any `Bearer …` a proxy might echo back).
 */
import { SredaError } from "../core/errors.js";
import type { Status, StatusCause } from "../core/kube-objects.js";

/** The reasons the API server sends (StatusReason* in apimachinery), plus a few of ours for non-Status answers. */
export type KubeErrorReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "ServerTimeout"
  | "StoreReadError"
  | "Timeout"
  | "TooManyRequests"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "InternalError"
  | "ServiceUnavailable"
  /** Ours: HTTP 502 without a Status body (a proxy such as Rancher's could not reach the API server). */
  | "BadGateway"
  /** Ours: a 2xx answer whose body is not the JSON we asked for (a login page behind a redirect, say). */
  | "InvalidResponse"
  /** Ours: an HTTP code apimachinery has no reason for. */
  | "Unknown"
  | (string & {});

/** HTTP code → reason, for bodies that are not a Status (apimachinery errors.NewGenericServerResponse). */
const REASON_BY_HTTP_CODE: Readonly<Record<number, KubeErrorReason>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** Removes secrets from text that goes into an error; the client supplies one that knows its token. */
export type Redact = (text: string) => string;

/** Removes any `Bearer <credential>` (a proxy may echo the Authorization header into its error page). */
export const redactBearer: Redact = (text) => text.replace(/\bBearer\s+[^\s"'<>,;]+/gi, "Bearer [REDACTED]");

/** One cause of an `Invalid`/`BadRequest` Status (`details.causes[]`), e.g. `{ field: "spec.replicas", … }`. */
export interface KubeErrorCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface KubeStatusErrorInit {
  /** HTTP status of the response (for a watch ERROR event: the Status's `code`). */
  status: number;
  /** The Status `reason` as the server sent it, or the one derived from the HTTP code. */
  reason: KubeErrorReason;
  kubeMessage: string;
  causes?: KubeErrorCause[];
  retryAfterSeconds?: number;
  method: string;
  path: string;
  /** `details.name` / `details.kind` / `details.group` of the Status, when present. */
  name?: string;
  kind?: string;
  group?: string;
}

/**
 * The API server (or a proxy in front of it) answered with an error. `code` is the machine-readable reason:
 * the Status `reason`, except that 410 `Expired` is reported as `Gone` (both mean "resourceVersion too old,
 * list again", and client-go's informers treat them alike); `reason` keeps what the server sent.
 */
export class KubeStatusError extends SredaError {
  override readonly name: string = "KubeStatusError";
  /** HTTP status code. */
  readonly status: number;
  readonly reason: KubeErrorReason;
  /** The server's own message (the Status `message`, or a trimmed text of a non-Status body). */
  readonly kubeMessage: string;
  readonly causes: KubeErrorCause[];
  /** The larger of the `Retry-After` header and the Status `details.retryAfterSeconds`, if either was sent. */
  readonly retryAfterSeconds: number | undefined;
  readonly method: string;
  /** Path below the API root, without the query string. */
  readonly path: string;

  constructor(init: KubeStatusErrorInit) {
    const code = init.status === 410 && init.reason === "Expired" ? "Gone" : init.reason;
    const message = `Kubernetes API ${init.method} ${init.path}: ${init.status} ${init.reason}${init.kubeMessage ? ` — ${init.kubeMessage}` : ""}`;
    const details: Record<string, unknown> = {
      status: init.status,
      reason: init.reason,
      kubeMessage: init.kubeMessage,
      method: init.method,
      path: init.path,
    };
    if (init.causes && init.causes.length > 0) details["causes"] = init.causes;
    if (init.retryAfterSeconds !== undefined) details["retryAfterSeconds"] = init.retryAfterSeconds;
    if (init.name !== undefined) details["name"] = init.name;
    if (init.kind !== undefined) details["kind"] = init.kind;
    if (init.group !== undefined) details["group"] = init.group;
    super(code, message, details);
    this.status = init.status;
    this.reason = init.reason;
    this.kubeMessage = init.kubeMessage;
    this.causes = init.causes ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.method = init.method;
    this.path = init.path;
  }
}

export interface KubeNetworkErrorInit {
  method: string;
  path: string;
  /** What failed, already redacted: "connect ECONNREFUSED 10.0.0.1:6443", "timed out after 30000 ms". */
  description: string;
  /** The innermost system error code, e.g. ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, DEPTH_ZERO_SELF_SIGNED_CERT. */
  causeCode?: string;
  timedOut?: boolean;
  /** The server's certificate could not be verified: retrying will not help. */
  tls?: boolean;
}

/** The request got no HTTP answer: connection refused or reset, DNS failure, TLS failure, or our timeout. */
export class KubeNetworkError extends SredaError {
  override readonly name: string = "KubeNetworkError";
  override readonly code = "NetworkError" as const;
  readonly method: string;
  readonly path: string;
  readonly causeCode: string | undefined;
  readonly timedOut: boolean;
  readonly tls: boolean;

  constructor(init: KubeNetworkErrorInit) {
    const details: Record<string, unknown> = { method: init.method, path: init.path, description: init.description };
    if (init.causeCode !== undefined) details["causeCode"] = init.causeCode;
    if (init.timedOut) details["timedOut"] = true;
    if (init.tls) details["tls"] = true;
    super("NetworkError", `Kubernetes API ${init.method} ${init.path}: no answer — ${init.description}`, details);
    this.method = init.method;
    this.path = init.path;
    this.causeCode = init.causeCode;
    this.timedOut = init.timedOut ?? false;
    this.tls = init.tls ?? false;
  }
}

/** Is `err` a Kubernetes error, optionally with this code or server reason (`isKubeError(e, "NotFound")`)? */
export function isKubeError(err: unknown, reason?: KubeErrorReason | "NetworkError"): err is KubeStatusError | KubeNetworkError {
  if (!(err instanceof KubeStatusError) && !(err instanceof KubeNetworkError)) return false;
  if (reason === undefined) return true;
  return err.code === reason || (err instanceof KubeStatusError && err.reason === reason);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Narrows unknown JSON to a Status (`kind: "Status"`). */
function isKubeStatus(body: unknown): body is Status {
  return isRecord(body) && body["kind"] === "Status";
}

/** Retry-After in seconds: a number of seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent/bad. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** `details.retryAfterSeconds` of a Status body, if any. */
export function statusRetryAfterSeconds(body: unknown): number | undefined {
  if (!isKubeStatus(body) || !isRecord(body.details)) return undefined;
  const seconds = body.details.retryAfterSeconds;
  return typeof seconds === "number" && seconds > 0 ? seconds : undefined;
}

function trimText(text: string, max = 200): string {
  const plain = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

function cleanCauses(causes: unknown, redact: Redact): KubeErrorCause[] {
  if (!Array.isArray(causes)) return [];
  return causes.filter(isRecord).map((c: StatusCause) => {
    const out: KubeErrorCause = {};
    if (typeof c.reason === "string") out.reason = redact(c.reason);
    if (typeof c.message === "string") out.message = redact(c.message);
    if (typeof c.field === "string") out.field = redact(c.field);
    return out;
  });
}

interface ErrorResponseInput {
  status: number;
  headers?: Headers;
  /** Parsed JSON, or the raw text when the body was not JSON. */
  body: unknown;
  method: string;
  /** Path below the API root; its query string is dropped. */
  path: string;
  nowMs?: number;
  redact?: Redact;
}

/** Decodes an error answer into a `KubeStatusError`: reason from the Status first, from the HTTP code second. */
export function kubeStatusErrorFrom(input: ErrorResponseInput): KubeStatusError {
  const redact: Redact = input.redact ?? redactBearer;
  const path = redact(stripQuery(input.path));
  const headerSeconds = parseRetryAfter(input.headers?.get("retry-after") ?? null, input.nowMs ?? Date.now());
  const bodySeconds = statusRetryAfterSeconds(input.body);
  const retryAfterSeconds = headerSeconds === undefined ? bodySeconds : bodySeconds === undefined ? headerSeconds : Math.max(headerSeconds, bodySeconds);
  const byHttpCode = REASON_BY_HTTP_CODE[input.status] ?? "Unknown";

  if (isKubeStatus(input.body)) {
    const status = input.body;
    const details = isRecord(status.details) ? status.details : {};
    const init: KubeStatusErrorInit = {
      status: input.status,
      reason: typeof status.reason === "string" && status.reason !== "" ? status.reason : byHttpCode,
      kubeMessage: typeof status.message === "string" ? redact(status.message) : "",
      causes: cleanCauses(details.causes, redact),
      method: input.method,
      path,
    };
    if (retryAfterSeconds !== undefined) init.retryAfterSeconds = retryAfterSeconds;
    if (typeof details.name === "string") init.name = redact(details.name);
    if (typeof details.kind === "string") init.kind = details.kind;
    if (typeof details.group === "string") init.group = details.group;
    return new KubeStatusError(init);
  }

  const text = typeof input.body === "string" ? input.body : input.body === undefined ? "" : JSON.stringify(input.body);
  const init: KubeStatusErrorInit = {
    status: input.status,
    reason: byHttpCode,
    kubeMessage: redact(trimText(text)),
    method: input.method,
    path,
  };
  if (retryAfterSeconds !== undefined) init.retryAfterSeconds = retryAfterSeconds;
  return new KubeStatusError(init);
}

/** The error an `ERROR` watch event carries (its object is a Status; 410 means "too old, list again"). */
export function kubeStatusErrorFromWatch(object: unknown, method: string, path: string, redact: Redact = redactBearer): KubeStatusError {
  const code = isKubeStatus(object) && typeof object.code === "number" && object.code > 0 ? object.code : 500;
  return kubeStatusErrorFrom({ status: code, body: isKubeStatus(object) ? object : JSON.stringify(object), method, path, redact });
}

export function stripQuery(path: string): string {
  const q = path.indexOf("?");
  return q === -1 ? path : path.slice(0, q);
}
