/**
 * `listen()`: the fake cluster as a real HTTP server on 127.0.0.1 (kubectl, curl, a browser, a process under
 * test). Watch responses stream chunk by chunk; a `drop` fault destroys the socket.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isDroppedConnection } from "./faults.js";

export interface ListenOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function listenHttp(handle: (request: Request) => Promise<Response>, options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const abort = new AbortController();
      res.on("close", () => abort.abort());
      try {
        const body = await readBody(req);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
        }
        const method = req.method ?? "GET";
        const request = new Request(`http://${req.headers.host ?? host}${req.url ?? "/"}`, {
          method,
          headers,
          signal: abort.signal,
          ...(body.length > 0 && method !== "GET" && method !== "HEAD" ? { body: new Uint8Array(body) } : {}),
        });
        const response = await handle(request);
        const outHeaders: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          outHeaders[name] = value;
        });
        res.writeHead(response.status, outHeaders);
        if (!response.body) {
          res.end();
          return;
        }
        const reader = response.body.getReader();
        res.on("close", () => void reader.cancel().catch(() => undefined));
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
        res.end();
      } catch (error) {
        if (isDroppedConnection(error)) {
          req.socket.destroy();
          return;
        }
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(error instanceof Error ? error.message : String(error));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
