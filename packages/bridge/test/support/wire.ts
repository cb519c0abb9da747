/**
 * Requests at the byte level over node:http, for what `fetch` refuses or hides: methods it forbids (TRACE), exact
 * body bytes (invalid UTF-8, a BOM in the middle, duplicate keys), a chunked body without Content-Length. Each
 * answer is timed from the first byte sent to the last byte received, its size counted, and — when a scanner is
 * given — recorded for the secret-leak scan.
 */
import http from "node:http";
import type { LeakScanner } from "./leaks.js";

export interface WireRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Send the body in chunks of this size without Content-Length (Transfer-Encoding: chunked). */
  chunkBytes?: number;
  /** Bearer token to send (none when undefined). */
  token?: string;
}

export interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Size of the response body in bytes. */
  bytes: number;
  text: string;
  json: any;
  /** Wall time from sending the request to the last byte of the answer, ms. */
  ms: number;
}

/** One request on a fresh connection (no keep-alive, so a `Connection: close` answer does not disturb the next). */
export function send(baseUrl: string, request: WireRequest, scanner?: LeakScanner): Promise<WireResponse> {
  const url = new URL(request.path, baseUrl);
  const headers: Record<string, string | number> = { ...request.headers };
  if (request.token !== undefined) headers["authorization"] = `Bearer ${request.token}`;
  const body = request.body;
  const declared = Object.keys(headers).some((name) => name.toLowerCase() === "content-length");
  if (body && request.chunkBytes === undefined && !declared) headers["content-length"] = body.byteLength;
  const started = performance.now();
  return new Promise<WireResponse>((resolve, reject) => {
    let answered = false;
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: request.method, headers, agent: false },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const ms = performance.now() - started;
          const raw = Buffer.concat(chunks);
          const text = raw.toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          scanner?.recordResponse(`${request.method} ${request.path} → ${res.statusCode}`, text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: raw.byteLength, text, json, ms });
        });
      },
    );
    // The bridge may answer (413, 401) and close before the whole body is written: that is its right, not an error.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (!body) {
      req.end();
      return;
    }
    if (request.chunkBytes === undefined) {
      req.end(body);
      return;
    }
    const size = request.chunkBytes;
    let offset = 0;
    const pump = () => {
      while (offset < body.byteLength) {
        const chunk = body.subarray(offset, offset + size);
        offset += chunk.byteLength;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}
