/**
 * The base fetch under the client's transport: the injected one (tests: the fake cluster's handler), Node's global
 * fetch, or — when the API server's certificate needs a CA bundle of its own or no verification at all, or the client
 * authenticates with a certificate — a minimal fetch over node:https with an Agent carrying those TLS options. The
 * client certificate's key lives in that Agent only: it is never logged, shown or put into an error.
 */
import https from "node:https";
import { Readable } from "node:stream";
import tls from "node:tls";
import { SredaError } from "../core/errors.js";

export type BaseFetch = (request: Request) => Promise<Response>;

/** Statuses whose Response must be built without a body (the Response constructor refuses one). */
export const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** The TLS side of a client's configuration. */
interface TlsSettings {
  caCert: string | undefined;
  insecureSkipTlsVerify: boolean;
  /** PEM certificate and key for TLS client authentication. */
  clientCertificate: { cert: string; key: string } | undefined;
}

/** Refuses a certificate and key Node cannot use (not PEM, or a key that is not the certificate's) before any request. */
function checkClientCertificate({ cert, key }: { cert: string; key: string }): void {
  try {
    tls.createSecureContext({ cert, key });
  } catch (error) {
    // OpenSSL's reason ("no start line", "key values mismatch") names no part of the key.
    const reason = error instanceof Error ? error.message : String(error);
    throw new SredaError("INVALID_CONFIG", `KubeClientConfig: clientCert and clientKey are not a usable PEM certificate and key (${reason})`);
  }
}

export function createBaseFetch(apiRootUrl: string, injected: BaseFetch | undefined, settings: TlsSettings): BaseFetch {
  const { caCert, insecureSkipTlsVerify, clientCertificate } = settings;
  const tlsOptions = caCert !== undefined || insecureSkipTlsVerify || clientCertificate !== undefined;
  if (caCert !== undefined && insecureSkipTlsVerify) {
    // As kubectl: "specifying a root certificates file with the insecure flag is not allowed".
    throw new SredaError("INVALID_CONFIG", "KubeClientConfig: caCert and insecureSkipTlsVerify exclude each other");
  }
  if (injected) {
    if (tlsOptions) {
      throw new SredaError(
        "INVALID_CONFIG",
        "KubeClientConfig: caCert/insecureSkipTlsVerify/clientCert apply to the built-in transport, not to an injected fetch",
      );
    }
    return injected;
  }
  if (clientCertificate !== undefined) {
    // Over plain http the certificate would silently not be presented, and every request would be anonymous.
    if (!apiRootUrl.startsWith("https:")) throw new SredaError("INVALID_CONFIG", "KubeClientConfig: clientCert needs an https apiRootUrl");
    checkClientCertificate(clientCertificate);
  }
  if (!tlsOptions || !apiRootUrl.startsWith("https:")) return (request) => globalThis.fetch(request);
  if (insecureSkipTlsVerify) {
    process.emitWarning(`TLS certificate verification is disabled for ${new URL(apiRootUrl).host} (insecureSkipTlsVerify)`, {
      code: "SREDA_INSECURE_TLS",
    });
  }
  // Node's fetch (undici) takes custom CAs and client certificates only through an undici Agent as `dispatcher`, and
  // the `undici` package is not a dependency; node:https with its own Agent does the same job for these few options.
  const agent = new https.Agent({
    keepAlive: true,
    rejectUnauthorized: !insecureSkipTlsVerify,
    ...(caCert !== undefined ? { ca: caCert } : {}),
    ...(clientCertificate !== undefined ? { cert: clientCertificate.cert, key: clientCertificate.key } : {}),
  });
  return createNodeHttpsFetch(agent);
}

/**
 * A minimal fetch over node:https (request → Response with a streamed body), for custom TLS settings: the client's
 * own with `caCert`/`insecureSkipTlsVerify`/`clientCert`, or under an injected fetch that wraps it (a recorder, a proxy).
 */
export function createNodeHttpsFetch(agent: https.Agent): BaseFetch {
  return async (request) => {
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(request.url, { method: request.method, headers, agent, signal: request.signal }, (res) => {
        const status = res.statusCode ?? 502;
        const hasBody = !NULL_BODY_STATUS.has(status) && request.method !== "HEAD";
        if (!hasBody) res.resume();
        const stream = hasBody ? (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>) : null;
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: responseHeaders(res.headers) }));
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}

function responseHeaders(incoming: NodeJS.Dict<string | string[]>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
