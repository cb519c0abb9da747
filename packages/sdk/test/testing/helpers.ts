/** Small helpers for the fake cluster's tests: a raw client over `cluster.fetch` and the C42 fixtures. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FakeCluster } from "../../src/testing/index.js";

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "cluster");

// Fixtures are mutated freely by tests.
export type Json = Record<string, any>;

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(path.join(fixturesDir, `${name}.json`), "utf8")) as Json;
}

export const BASE = "https://rancher.example/k8s/clusters/c-m4hlh";
export const TOKEN = "sreda-dev-token";

export interface CallOptions {
  token?: string | null;
  contentType?: string;
  query?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** One request through `cluster.fetch`, JSON in and out. */
export async function call(cluster: FakeCluster, method: string, apiPath: string, body?: unknown, options: CallOptions = {}): Promise<Answer> {
  const url = new URL(BASE + apiPath);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.append(k, v);
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? TOKEN}`;
  if (body !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
  const response = await cluster.fetch(url, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text (logs)
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Reads a watch stream line by line. */
export async function* watchEvents(response: Response): AsyncGenerator<Json> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() !== "") yield JSON.parse(line) as Json;
        newline = buffer.indexOf("\n");
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export const paths = {
  secrets: (ns = "lms-dev") => `/api/v1/namespaces/${ns}/secrets`,
  configmaps: (ns = "lms-dev") => `/api/v1/namespaces/${ns}/configmaps`,
  services: (ns = "lms-dev") => `/api/v1/namespaces/${ns}/services`,
  pods: (ns = "lms-dev") => `/api/v1/namespaces/${ns}/pods`,
  events: (ns = "lms-dev") => `/api/v1/namespaces/${ns}/events`,
  jobs: (ns = "lms-dev") => `/apis/batch/v1/namespaces/${ns}/jobs`,
  deployments: (ns = "lms-dev") => `/apis/apps/v1/namespaces/${ns}/deployments`,
  replicasets: (ns = "lms-dev") => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  ingresses: (ns = "lms-dev") => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
  networkpolicies: (ns = "lms-dev") => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`,
  poddisruptionbudgets: (ns = "lms-dev") => `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`,
  horizontalpodautoscalers: (ns = "lms-dev") => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
};

export const APPLY = "application/apply-patch+yaml";

/** A Deployment of `replicas` nginx pods labelled app=<name>, each container requesting `requests`. */
export function deploymentOf(name: string, replicas: number | undefined, requests: Record<string, string> = { cpu: "100m" }): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "nginx:1.29", resources: { requests } }] } },
    },
  };
}

/** Waits on the virtual clock until `check` returns a value (polling every `stepMs` of virtual time). */
export async function eventually<T>(
  cluster: FakeCluster,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { stepMs = 500, maxMs = 3_600_000 } = {},
): Promise<T> {
  const until = cluster.clock.now() + maxMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (cluster.clock.now() >= until) throw new Error(`condition not met within ${maxMs} ms of virtual time`);
    await cluster.clock.sleep(stepMs);
  }
}
