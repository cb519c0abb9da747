/**
 * A `fetch` for the SDK's client (`createKubeClient({ fetch })`) that talks to the real API server over node:https
 * with its CA, and records every attempt: method, path, query and status. The SDK's client takes an injected fetch
 * *below* its rate limiter, timeouts and retries, so each retry of a 429 is one more entry here — the log is what
 * the API server really saw (the SDK does not combine `fetch` with `caCert`, hence our own TLS here).
 */
import https from "node:https";
import { Readable } from "node:stream";

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

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export function recordingFetch(options: { ca?: string; insecure?: boolean } = {}): RecordingFetch {
  const agent = new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) });
  const log: RecordedRequest[] = [];
  const t0 = performance.now();
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const entry: RecordedRequest = { method: request.method, path: url.pathname, query: url.search.replace(/^\?/, ""), status: 0, at: 0 };
    log.push(entry);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(request.url, { method: request.method, headers, agent, signal: request.signal }, (res) => {
        entry.status = res.statusCode ?? 0;
        entry.at = Math.round(performance.now() - t0);
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const status = res.statusCode ?? 502;
        const hasBody = !NULL_BODY_STATUS.has(status) && request.method !== "HEAD";
        if (!hasBody) res.resume();
        const stream = hasBody ? (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>) : null;
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: responseHeaders }));
      });
      req.on("error", reject);
      req.end(body);
    });
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

/** Writes to customer objects (access reviews are questions, not writes), as the fake-cluster test counts them. */
export function writes(log: readonly RecordedRequest[]): RecordedRequest[] {
  return log.filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method) && !r.path.includes("selfsubject"));
}

/** `METHOD path` → count, for reports and exact comparisons. */
export function tally(log: readonly RecordedRequest[], key: (r: RecordedRequest) => string = (r) => `${r.method} ${r.path}`): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of log) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
