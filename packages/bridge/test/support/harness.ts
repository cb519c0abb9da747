/**
 * A bridge on an ephemeral port (127.0.0.1:0) over real HTTP, its log lines collected, every answer recorded for
 * the leak scanner; optionally a fake cluster behind it (see ./cluster.ts).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createKubeClient, type Clock } from "@sreda/sdk";
import { createBridgeClient, type BridgeClient } from "../../src/client.js";
import type { KubeClientFactory } from "../../src/cluster.js";
import type { BridgeConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { OperationStore } from "../../src/operations.js";
import { startBridge, type RunningBridge } from "../../src/server.js";
import { LeakScanner } from "./leaks.js";

export const BRIDGE_TOKEN = "test-bridge-token-0123456789abcdef";

export function testConfig(overrides: Partial<BridgeConfig> = {}): BridgeConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    token: BRIDGE_TOKEN,
    development: false,
    journalPath: undefined,
    logLevel: "debug",
    bodyLimitBytes: 1024 * 1024,
    historyLimit: 50,
    shutdownGraceMs: 5_000,
    readyTimeoutMs: 15 * 60_000,
    allowedClusters: undefined,
    ...overrides,
  };
}

/** The example customer's input (examples/c42-lms-dev.input.json) with every secret it holds. */
export function exampleInput(): Record<string, any> {
  return JSON.parse(readFileSync(fileURLToPath(new URL("../../../../examples/c42-lms-dev.input.json", import.meta.url)), "utf8")) as Record<string, any>;
}

/** A ready request body from examples/requests/, placeholders filled. */
export function exampleRequest(name: string, clusterUrl: string, clusterToken: string): Record<string, any> {
  const text = readFileSync(fileURLToPath(new URL(`../../../../examples/requests/${name}`, import.meta.url)), "utf8");
  return JSON.parse(text.replaceAll("${CLUSTER_URL}", clusterUrl).replaceAll("${CLUSTER_TOKEN}", clusterToken)) as Record<string, any>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface Harness {
  bridge: RunningBridge;
  url: string;
  client: BridgeClient;
  logs: string[];
  scanner: LeakScanner;
  operations: OperationStore;
  /** A raw request (for what the typed client cannot send: bad JSON, BOMs, odd headers). Auth added unless `auth: false`. */
  raw(path: string, init?: RequestInit & { auth?: boolean | string }): Promise<RawResponse>;
  close(graceMs?: number): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<BridgeConfig>;
  kubeClientFactory?: KubeClientFactory;
  clock?: Clock;
  scanner?: LeakScanner;
  /** Shared between harnesses to test restarts. */
  logs?: string[];
}

/** Test default: the SDK's client, one retry, so an unreachable cluster fails fast. */
export const fastKubeClientFactory: KubeClientFactory = (target) =>
  createKubeClient({ apiRootUrl: target.apiRootUrl, token: target.token, maxRetries: 0, timeoutMs: 5_000 });

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const logs = options.logs ?? [];
  const scanner = options.scanner ?? new LeakScanner();
  scanner.secret(BRIDGE_TOKEN);
  const config = testConfig(options.config);
  const logger = createLogger({
    level: "debug",
    write: (line) => {
      logs.push(line);
      scanner.record("log", line);
    },
  });
  const operations = OperationStore.open({ journalPath: config.journalPath, historyLimit: config.historyLimit, logger });
  const bridge = await startBridge({
    config,
    logger,
    operations,
    kubeClientFactory: options.kubeClientFactory ?? fastKubeClientFactory,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const recordingFetch = async (request: Request): Promise<Response> => {
    const response = await fetch(request);
    scanner.recordResponse(`${request.method} ${new URL(request.url).pathname} → ${response.status}`, await response.clone().text());
    return response;
  };
  const client = createBridgeClient({ baseUrl: bridge.url, token: BRIDGE_TOKEN, fetch: recordingFetch });
  const raw = async (path: string, init: RequestInit & { auth?: boolean | string } = {}): Promise<RawResponse> => {
    const { auth = true, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth !== false) headers.set("authorization", `Bearer ${typeof auth === "string" ? auth : BRIDGE_TOKEN}`);
    const response = await fetch(`${bridge.url}${path}`, { ...rest, headers });
    const text = await response.text();
    scanner.recordResponse(`${rest.method ?? "GET"} ${path} → ${response.status}`, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  return {
    bridge,
    url: bridge.url,
    client,
    logs,
    scanner,
    operations,
    raw,
    close: async (graceMs = 0) => {
      await bridge.close({ graceMs });
    },
  };
}

/** Every record the store keeps, for the leak scanner. */
export function recordOperations(harness: Harness): void {
  for (const id of harness.operations.ids()) harness.scanner.record(`operation ${id}`, JSON.stringify(harness.operations.peek(id)));
}
