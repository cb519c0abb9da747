/**
 * What the test files share: the control plane the global setup started (./global-setup.ts), namespaces of their
 * own prepared like lms-dev (the Secrets the templates expect, sreda-edit/sreda-view bound), provisioning inputs
 * with a customer id per test, and SDK clients whose requests are recorded.
 *
 * Each file calls `useRealCluster()` at the top: in its beforeAll the shared state is read; when the control plane
 * is not built the file's tests are skipped with the reason — unless CI=true, where that is a failure.
 */
import fs from "node:fs";
import path from "node:path";
import { createKubeClient, systemClock, type Clock, type KubeClient, type KubeClientConfig, type ProvisioningInputData } from "@sreda/sdk";
import { beforeAll, inject, type TestContext } from "vitest";
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { clusterTarget, KubeApiError, kubeCall, NAMESPACES, type Identity, type KubeTarget, type RealClusterState } from "../../src/index.js";
import { bootstrapManifests, objectPath } from "../../src/manifests.js";
import { recordingFetch, type RecordingFetch } from "./recording-fetch.js";

/** What the global setup hands to the test files. */
export interface SharedClusterInfo {
  /** The running control plane. */
  state?: RealClusterState;
  /** Why there is none: not built (skip locally, fail under CI) … */
  skip?: string;
  /** … or it failed to start (always a failure). */
  error?: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    realCluster: SharedClusterInfo;
  }
}

export type Obj = Record<string, any>;

export interface ClusterHandle {
  /** The state, or the test is skipped with the reason. */
  get(ctx: TestContext): RealClusterState;
  /** The state when available (for afterAll and helpers), else undefined. */
  readonly state: RealClusterState | undefined;
}

/** Registers the file's beforeAll that reads the shared control plane. */
export function useRealCluster(file: string): ClusterHandle {
  let state: RealClusterState | undefined;
  let skipReason: string | undefined;
  beforeAll(() => {
    const info = inject("realCluster");
    if (info?.error) throw new Error(`the real control plane did not start: ${info.error}`);
    if (!info?.state) {
      const reason = info?.skip ?? "the shared control plane is not provided (vitest.config.ts globalSetup)";
      if (process.env["CI"] === "true") throw new Error(`${reason} (under CI=true this is a failure: .ci/run builds the control plane before the tests)`);
      skipReason = reason;
      console.warn(`${file}: skipped: ${reason}`);
      return;
    }
    state = info.state;
  });
  return {
    get(ctx) {
      if (!state) ctx.skip(skipReason ?? "the real control plane is not available");
      return state!;
    },
    get state() {
      return state;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `fn` returns a value (not undefined), or fails with what it saw last. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    await sleep(intervalMs);
  }
}

export const admin = (state: RealClusterState): KubeTarget => clusterTarget(state, "admin");

export async function getOrUndefined<T = Obj>(target: KubeTarget, apiPath: string): Promise<T | undefined> {
  try {
    return await kubeCall<T>(target, "GET", apiPath);
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * A namespace prepared as the start prepares lms-dev: the Secrets `repository-token` and `tls` the templates
 * reference, sreda-edit bound to `edit` and sreda-view to `view` (the same objects, from the start's own manifests),
 * and its `default` ServiceAccount (pods wait for it). `labels` go on the namespace (the failing-Jobs switch).
 */
export async function createNamespace(state: RealClusterState, name: string, labels: Record<string, string> = {}): Promise<void> {
  const target = admin(state);
  const pki = path.join(state.stateDir, "pki");
  const ingress = { certPem: fs.readFileSync(path.join(pki, "ingress.crt"), "utf8"), keyPem: fs.readFileSync(path.join(pki, "ingress.key"), "utf8") };
  const template = NAMESPACES[0];
  const objects = bootstrapManifests(ingress)
    .filter((o) => o.metadata.namespace === template && (o.kind === "Secret" || o.kind === "RoleBinding"))
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: name } }));
  // A namespace of an earlier run against the same control plane (SREDA_REAL_CLUSTER_SHARED_STATE): wait for its end.
  await until(
    `namespace ${name} of an earlier run to be gone`,
    async () => {
      const existing = await getOrUndefined(target, `/api/v1/namespaces/${name}`);
      return existing?.["metadata"]?.deletionTimestamp ? undefined : true;
    },
    120_000,
    500,
  );
  const namespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "app.kubernetes.io/managed-by": "sreda-real-cluster-test", ...labels } },
  };
  for (const obj of [namespace, ...objects]) {
    await kubeCall(target, "PATCH", `${objectPath(obj)}?fieldManager=sreda-real-cluster-test&force=true`, obj, "application/apply-patch+yaml");
  }
  await until(`ServiceAccount ${name}/default`, () => getOrUndefined(target, `/api/v1/namespaces/${name}/serviceaccounts/default`), 60_000);
}

/** Deletes a namespace without waiting (the namespace controller finishes it). */
export async function deleteNamespace(state: RealClusterState | undefined, name: string): Promise<void> {
  if (!state) return;
  await kubeCall(admin(state), "DELETE", `/api/v1/namespaces/${name}`).catch(() => undefined);
}

/**
 * The example input (C42) for another customer and namespace of the real cluster. A namespace other than lms-dev
 * has no namespace defaults (public DNS, image, NFS, SMS sender): they are given here.
 */
export function provisioningInput(
  state: RealClusterState,
  clientId: string,
  namespace: string,
  change?: (input: ProvisioningInputData) => void,
): ProvisioningInputData {
  const input = structuredClone(example) as unknown as ProvisioningInputData;
  input.client.id = clientId;
  input.environment = {
    ...input.environment,
    namespace,
    apiRootUrl: state.apiserverUrl,
    publicDns: `${clientId.toLowerCase()}.${namespace}.sreda.test`,
    dockerImage: "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev",
    nfsServer: "10.66.139.73",
    sms4b: { ...input.environment.sms4b, sender: "1C-RARUS", passcodeLifetimeSeconds: 120 },
    // The platform's rules are on by default outside lms-dev; these tests are about the rest (platform-rules.test.ts
    // turns them on).
    networkPolicies: { enabled: false },
    autoscaling: { enabled: false },
    disruptionBudget: { enabled: false },
  };
  change?.(input);
  return input;
}

export interface RecordedClient {
  kube: KubeClient;
  recorder: RecordingFetch;
}

/** An SDK client for one identity whose every request (each attempt) is recorded. */
export function recordedClient(state: RealClusterState, identity: Identity = "sredaEdit", config: Partial<KubeClientConfig> = {}): RecordedClient {
  const recorder = recordingFetch({ ca: fs.readFileSync(state.caFile, "utf8") });
  const kube = createKubeClient({ apiRootUrl: state.apiserverUrl, token: state.tokens[identity], fetch: recorder.fetch, ...config });
  return { kube, recorder };
}

/** The CA's PEM. */
export const caPem = (state: RealClusterState): string => fs.readFileSync(state.caFile, "utf8");

/** A Job's or Deployment's condition of a type. */
export const condition = (obj: Obj | undefined, type: string): Obj | undefined => (obj?.["status"]?.conditions ?? []).find((c: Obj) => c["type"] === type);

/** A Clock like the system's whose `now()` runs `aheadMs` ahead: time-based rules see that much more time passed. */
export function clockAhead(aheadMs: number): Clock {
  return { now: () => Date.now() + aheadMs, sleep: systemClock.sleep };
}
