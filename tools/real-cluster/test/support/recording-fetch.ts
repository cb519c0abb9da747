/**
 * A `fetch` for the SDK's client (`createKubeClient({ fetch })`) that talks to the real API server over node:https
 * with its CA, and records every attempt: method, path, query and status. The SDK's client takes an injected fetch
 * *below* its rate limiter, timeouts and retries, so each retry of a 429 is one more entry here — the log is what
 * the API server really saw (the SDK does not combine `fetch` with `caCert`, so the recorder wraps the SDK's own
 * node:https fetch with the CA).
 */
import https from "node:https";
import { createNodeHttpsFetch } from "@sreda/sdk";

export interface RecordedRequest {
  method: string;
  /** Path below the API root, without the query. */
  path: string;
  query: string;
  /** HTTP status, or 0 when there was no answer. */
  status: number;
  /** ms since the recorder was created, when the answer's headers arrived. */
  at: number;
}

export interface RecordingFetch {
  fetch: (request: Request) => Promise<Response>;
  log: RecordedRequest[];
  clear(): void;
  /** Stops keeping connections alive (call in afterAll). */
  close(): void;
}

export function recordingFetch(options: { ca?: string; insecure?: boolean } = {}): RecordingFetch {
  const agent = new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) });
  const send = createNodeHttpsFetch(agent);
  const log: RecordedRequest[] = [];
  const t0 = performance.now();
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const entry: RecordedRequest = { method: request.method, path: url.pathname, query: url.search.replace(/^\?/, ""), status: 0, at: 0 };
    log.push(entry);
    const response = await send(request);
    entry.status = response.status;
    entry.at = Math.round(performance.now() - t0);
    return response;
  };
  return {
    fetch,
    log,
    clear: () => {
      log.length = 0;
    },
    close: () => agent.destroy(),
  };
}

/**
 * Writes to customer objects (access reviews are questions, not writes; the customer's lock, its Lease, is no object
 * of the plan), as the fake-cluster test counts them.
 */
export function writes(log: readonly RecordedRequest[]): RecordedRequest[] {
  return log.filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method) && !r.path.includes("selfsubject") && !r.path.includes("/leases"));
}

/** `METHOD path` → count, for reports and exact comparisons. */
export function tally(log: readonly RecordedRequest[], key: (r: RecordedRequest) => string = (r) => `${r.method} ${r.path}`): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of log) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
