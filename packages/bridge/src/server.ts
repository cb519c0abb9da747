/**
 * Listening and stopping. A shutdown first stops taking new provisionings (503, /readyz → 503) while still
 * answering everything else — 1C keeps polling the running ones — then waits up to the grace period for them,
 * records the rest as interrupted, and closes the server.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createApp, type AppDeps, type BridgeApp } from "./app.js";

export interface RunningBridge {
  app: BridgeApp;
  server: Server;
  /** `http://127.0.0.1:8787` */
  url: string;
  /** Graceful stop; `graceMs` defaults to the configured `shutdownGraceMs`. Idempotent. */
  close(options?: { graceMs?: number }): Promise<{ finished: number; interrupted: number }>;
}

export async function startBridge(deps: AppDeps): Promise<RunningBridge> {
  const app = createApp(deps);
  const { config } = deps;
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  // 1C may hold a connection open between polls; keep it alive a little longer than its usual poll interval.
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<{ finished: number; interrupted: number }> | undefined;
  const close = (options: { graceMs?: number } = {}) => {
    closing ??= (async () => {
      const graceMs = options.graceMs ?? config.shutdownGraceMs;
      app.bridge.beginShutdown();
      app.bridge.logger.info("shutdown started", { running: app.bridge.operations.runningCount, graceMs });
      const outcome = await app.bridge.operations.shutdown(graceMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      await app.bridge.planWorkers?.close();
      app.bridge.logger.info("shutdown finished", outcome);
      return outcome;
    })();
    return closing;
  };
  return { app, server, url, close };
}
