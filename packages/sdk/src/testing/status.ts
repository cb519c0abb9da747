/**
 * Failures as the API server reports them: a `metav1.Status` body with the HTTP code, reason and details that
 * k8s.io/apimachinery/pkg/api/errors/errors.go builds (NewNotFound, NewAlreadyExists, NewConflict, NewInvalid,
 * NewForbidden, …). Handlers throw `ApiError`; the request core turns it into the response.
 */
import type { Status, StatusCause } from "../core/kube-objects.js";
import { qualifiedKind, qualifiedResource, type ResourceType } from "./resources.js";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: Status & { code: number },
    readonly headers: Record<string, string> = {},
  ) {
    super(status.message);
  }
}

export function statusBody(code: number, reason: string, message: string, details?: Status["details"]): Status & { code: number } {
  const body: Status & { code: number } = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  // Errors the API server does not classify (a plain Go error turned into a Status) have no reason at all.
  if (reason === "") delete body.reason;
  if (details !== undefined) {
    body.details = details;
    // Keep the real key order: details before code.
    delete (body as { code?: number }).code;
    body.code = code;
  }
  return body;
}

function details(rt: ResourceType, name: string | undefined): NonNullable<Status["details"]> {
  const d: NonNullable<Status["details"]> = {};
  if (name) d.name = name;
  if (rt.group !== "") d.group = rt.group;
  d.kind = rt.plural;
  return d;
}

export function notFound(rt: ResourceType, name: string): ApiError {
  return new ApiError(statusBody(404, "NotFound", `${qualifiedResource(rt)} "${name}" not found`, details(rt, name)));
}

export function alreadyExists(rt: ResourceType, name: string): ApiError {
  return new ApiError(statusBody(409, "AlreadyExists", `${qualifiedResource(rt)} "${name}" already exists`, details(rt, name)));
}

const MODIFIED_MESSAGE = "the object has been modified; please apply your changes to the latest version and try again";

export function conflict(rt: ResourceType, name: string, why = MODIFIED_MESSAGE): ApiError {
  return new ApiError(statusBody(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${name}": ${why}`, details(rt, name)));
}

/**
 * A DeleteOptions precondition that does not hold: the storage layer's error, which names the kind (`Deployment.apps`,
 * `ConfigMap`) where other conflicts name the resource.
 */
export function preconditionFailed(rt: ResourceType, name: string, what: "UID" | "ResourceVersion", expected: string, actual: string): ApiError {
  const why = what === "UID" ? "The object might have been deleted and then recreated" : "The object might have been modified";
  const d: NonNullable<Status["details"]> = { name };
  if (rt.group !== "") d.group = rt.group;
  d.kind = rt.kind;
  return new ApiError(
    statusBody(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualifiedKind(rt)} "${name}": the ${what} in the precondition (${expected}) does not match the ${what} in record (${actual}). ${why}`,
      d,
    ),
  );
}

export interface Cause {
  reason:
    "FieldValueRequired" | "FieldValueInvalid" | "FieldValueNotSupported" | "FieldValueForbidden" | "FieldValueDuplicate" | "FieldValueTooLong" | (string & {});
  /** Without the field: `Required value`, `Invalid value: "x": field is immutable`. */
  message: string;
  field: string;
}

/** 422 Invalid: `Job.batch "x" is invalid: spec.template: Invalid value: …: field is immutable`. */
export function invalid(rt: ResourceType | { kind: string; group: string }, name: string, causes: Cause[]): ApiError {
  const kind = "plural" in rt ? qualifiedKind(rt) : rt.group === "" ? rt.kind : `${rt.kind}.${rt.group}`;
  // The message is the error list's aggregate, which drops repeated errors; the causes keep them all.
  const parts = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  // metav1.StatusDetails fields are omitempty: an empty name (options, reviews) is left out.
  const d: NonNullable<Status["details"]> = {};
  if (name !== "") d.name = name;
  if (rt.group !== "") d.group = rt.group;
  if (rt.kind !== "") d.kind = rt.kind;
  d.causes = causes.map((c): StatusCause => ({ reason: c.reason, message: c.message, field: c.field }));
  return new ApiError(statusBody(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, d));
}

export function badRequest(message: string): ApiError {
  return new ApiError(statusBody(400, "BadRequest", message));
}

export function unauthorized(): ApiError {
  return new ApiError(statusBody(401, "Unauthorized", "Unauthorized"));
}

export function forbidden(
  user: string,
  verb: string,
  rt: { group: string; plural: string },
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): ApiError {
  const resource = subresource ? `${rt.plural}/${subresource}` : rt.plural;
  const qualified = rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`;
  const subject = name ? `${qualified} "${name}"` : qualified;
  const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  const d: NonNullable<Status["details"]> = {};
  if (name) d.name = name;
  if (rt.group !== "") d.group = rt.group;
  d.kind = rt.plural;
  return new ApiError(
    statusBody(403, "Forbidden", `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${rt.group}" ${scope}`, d),
  );
}

export function methodNotAllowed(): ApiError {
  return new ApiError(statusBody(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}));
}

export function routeNotFound(): ApiError {
  return new ApiError(statusBody(404, "NotFound", "the server could not find the requested resource", {}));
}

export function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(
    statusBody(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`, {}),
  );
}

function gone(message: string): ApiError {
  return new ApiError(statusBody(410, "Expired", message));
}

/** Status bodies for injected faults, by HTTP code. */
export function faultStatus(code: number, reason?: string, retryAfterSeconds?: number): ApiError {
  const known: Record<number, [string, string]> = {
    400: ["BadRequest", "the server rejected our request for an unknown reason"],
    401: ["Unauthorized", "Unauthorized"],
    403: ["Forbidden", "forbidden: the server does not allow access to the requested resource"],
    404: ["NotFound", "the server could not find the requested resource"],
    409: ["Conflict", "the server reported a conflict"],
    410: ["Expired", "the resource version is too old"],
    422: ["Invalid", "the server rejected our request due to an error in our request"],
    429: ["TooManyRequests", "Too many requests, please try again later."],
    500: ["InternalError", "Internal error occurred: injected fault"],
    502: ["BadGateway", "the server received an invalid response from an upstream server"],
    503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
    504: ["Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"],
  };
  const [defaultReason, message] = known[code] ?? ["Unknown", `an error on the server ("injected fault") has prevented the request from succeeding`];
  const headers: Record<string, string> = {};
  let d: Status["details"] | undefined;
  if (retryAfterSeconds !== undefined || code === 429) {
    const seconds = retryAfterSeconds ?? 1;
    headers["Retry-After"] = String(seconds);
    d = { retryAfterSeconds: seconds };
  }
  return new ApiError(statusBody(code, reason ?? defaultReason, message, d), headers);
}
