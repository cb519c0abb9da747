/**
 * The typed client of the bridge, for TypeScript callers and our own tests: openapi-fetch over the types that
 * openapi-typescript generated from the bridge's OpenAPI document (src/generated/api.d.ts). Every call answers
 * `{ data } | { error }` (error: the bridge's `{ code, message, details }`, `code` one of the documented codes) and
 * never throws for an answer; no answer at all (refused, DNS, reset) is an answer too: 503 `BRIDGE_UNREACHABLE`
 * with the cause in `details.cause`. Only an abort by the caller's signal rejects.
 *
 *   const bridge = createBridgeClient({ baseUrl: "http://127.0.0.1:8787", token });
 *   const { data, error } = await bridge.POST("/v1/provisionings", { body });
 *   const op = await bridge.GET("/v1/operations/{id}", { params: { path: { id } } });   // any kind of operation
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

export type { components, operations, paths } from "./generated/api.js";
export type BridgeClient = Client<paths>;
export type BridgeOperation = components["schemas"]["Operation"];
export type BridgeError = components["schemas"]["Error"];
export type ProvisioningRequestBody = components["schemas"]["ProvisioningRequest"];
export type PlanRequestBody = components["schemas"]["PlanRequest"];
export type EnvironmentStatusRequestBody = components["schemas"]["EnvironmentStatusRequest"];
/** The body of a suspend or a resume: one environment, as a status request names it. */
export type EnvironmentRefBody = components["schemas"]["EnvironmentRef"];
export type DeprovisionRequestBody = components["schemas"]["DeprovisionRequest"];
/** A deprovisioning's dry run: what would be deleted. */
export type DeprovisionPreviewBody = components["schemas"]["DeprovisionPreview"];
/** Many customers of one namespace: the shared settings once, then the customers (a drift check). */
export type FleetRequestBody = components["schemas"]["FleetRequest"];
/** A fleet request plus how carefully to roll out (canary, concurrency, failure limit). */
export type RolloutRequestBody = components["schemas"]["RolloutRequest"];
export type InventoryRequestBody = components["schemas"]["InventoryRequest"];
export type InventoryBody = components["schemas"]["InventoryResponse"];
export type DriftBody = components["schemas"]["DriftResponse"];

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

/** The codes of the bridge's error answers: BRIDGE_ERROR_CODES. */
export { BRIDGE_ERROR_CODES, type BridgeErrorCode } from "./error-codes.js";

/** The base fetch, with a transport failure turned into the bridge's error shape (never the token, never the URL). */
function answeringFetch(base: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return await base(request);
    } catch (error) {
      if (request.signal.aborted) throw error;
      const cause = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.message) : String(error);
      const body: BridgeError = { code: "BRIDGE_UNREACHABLE", message: "Мост Sreda не ответил: нет соединения", details: { cause } };
      return Response.json(body, { status: 503, statusText: "Bridge Unreachable" });
    }
  };
}

export function createBridgeClient(options: BridgeClientOptions): BridgeClient {
  const { baseUrl, token, fetch, headers = {} } = options;
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { ...headers, Authorization: `Bearer ${token}` },
    fetch: answeringFetch(fetch ?? ((request) => globalThis.fetch(request))),
  });
}
