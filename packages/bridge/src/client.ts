/**
 * The typed client of the bridge, for TypeScript callers and our own tests: openapi-fetch over the types that
 * openapi-typescript generated from the bridge's OpenAPI document (src/generated/api.d.ts). Every call answers
 * `{ data } | { error }` (error: the bridge's `{ code, message, details }`), never throws for an HTTP status.
 *
 *   const bridge = createBridgeClient({ baseUrl: "http://127.0.0.1:8787", token });
 *   const { data, error } = await bridge.POST("/v1/provisionings", { body });
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

export type { components, paths } from "./generated/api.js";
export type BridgeClient = Client<paths>;
type Schemas = components["schemas"];
export type BridgeOperation = Schemas["Operation"];
export type BridgeError = Schemas["Error"];
export type ProvisioningRequestBody = Schemas["ProvisioningRequest"];
export type PlanRequestBody = Schemas["PlanRequest"];
export type EnvironmentStatusRequestBody = Schemas["EnvironmentStatusRequest"];

export interface BridgeClientOptions {
  /** `http://127.0.0.1:8787` */
  baseUrl: string;
  /** The bridge's bearer token. */
  token: string;
  /** Injected transport (tests); default the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Extra headers on every request (`X-Request-Id`, say); per-call headers override them. */
  headers?: Record<string, string>;
}

export function createBridgeClient(options: BridgeClientOptions): BridgeClient {
  const { baseUrl, token, fetch, headers = {} } = options;
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { ...headers, Authorization: `Bearer ${token}` },
    ...(fetch ? { fetch } : {}),
  });
}
