/**
 * Every `code` an error answer can carry (README, "Errors"): the OpenAPI document lists them, so the typed client's
 * `error.code` is this union. BRIDGE_UNREACHABLE is the client's own (createBridgeClient): no answer at all.
 * A module of its own, so the typed client imports the list without the server.
 */
export const BRIDGE_ERROR_CODES = [
  "BAD_JSON",
  "BAD_ENCODING",
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "CLUSTER_NOT_ALLOWED",
  "NOT_FOUND",
  "OPERATION_NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "PROVISIONING_IN_PROGRESS",
  "OPERATION_IN_PROGRESS",
  "OPERATION_FINISHED",
  "OPERATION_NOT_PAUSABLE",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "INVALID_INPUT",
  "INTERNAL_ERROR",
  "CLUSTER_UNREACHABLE",
  "CLUSTER_UNAUTHORIZED",
  "CLUSTER_FORBIDDEN",
  "CLUSTER_ERROR",
  "SHUTTING_DOWN",
  "CLUSTER_UNAVAILABLE",
  "CLUSTER_TIMEOUT",
  "BRIDGE_UNREACHABLE",
] as const;
export type BridgeErrorCode = (typeof BRIDGE_ERROR_CODES)[number];
