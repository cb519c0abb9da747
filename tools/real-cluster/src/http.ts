/**
 * Small HTTP(S) client over node:http(s): readiness probes and the API calls of the bootstrap. Node's fetch takes
 * a custom CA only through an undici dispatcher, which the project does not depend on.
 */
import http from "node:http";
import https from "node:https";

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** PEM of the CA to trust (https). */
  ca?: string;
  /** Do not verify the server's certificate: the controller manager and scheduler serve self-signed ones. */
  insecure?: boolean;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  return new Promise((resolve, reject) => {
    const requestOptions: https.RequestOptions = {
      method: options.method ?? "GET",
      headers: { ...(options.body !== undefined ? { "content-length": Buffer.byteLength(options.body).toString() } : {}), ...options.headers },
      timeout: options.timeoutMs ?? 10_000,
      agent: false,
    };
    if (secure) {
      if (options.ca !== undefined) requestOptions.ca = options.ca;
      if (options.insecure) requestOptions.rejectUnauthorized = false;
    }
    const req = (secure ? https : http).request(target, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${options.timeoutMs ?? 10_000} ms: ${options.method ?? "GET"} ${url}`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Whether GET url answers 200 (and, if given, a body that `check` accepts); false on any error. */
export async function probe(url: string, options: HttpOptions & { check?: (body: string) => boolean } = {}): Promise<boolean> {
  try {
    const res = await httpRequest(url, { timeoutMs: 2000, ...options });
    return res.status === 200 && (options.check ? options.check(res.body) : true);
  } catch {
    return false;
  }
}

/** An API server, its CA and a bearer token. */
export interface KubeTarget {
  url: string;
  ca: string;
  token: string;
}

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

/** One API call; the decoded JSON answer, or a KubeApiError with the Status' reason. */
export async function kubeCall<T = any>(target: KubeTarget, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
  const res = await httpRequest(new URL(path, target.url).toString(), {
    method,
    ca: target.ca,
    headers: { authorization: `Bearer ${target.token}`, accept: "application/json", ...(body !== undefined ? { "content-type": contentType } : {}) },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  let decoded: any;
  try {
    decoded = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    decoded = undefined;
  }
  if (res.status >= 400) {
    throw new KubeApiError(res.status, decoded?.reason ?? String(res.status), `${method} ${path}: ${res.status} ${decoded?.message ?? res.body.slice(0, 300)}`);
  }
  return decoded as T;
}
