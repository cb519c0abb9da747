/**
 * A TypeScript consumer of every public entry, type-checked with `skipLibCheck: false` under module NodeNext and
 * under moduleResolution Bundler, in a project without msw: nothing here may need msw's types.
 */
import { applyPlan, createKubeClient, createProvisioningPlan, redactPlan, SredaError } from "@sreda/sdk";
import type { ApplyResult, KubeClient, ProvisioningInputData, ProvisioningPlan, StepResult } from "@sreda/sdk";
import { createFakeCluster, createVirtualClock } from "@sreda/sdk/testing";
import type { FakeCluster, FaultRule } from "@sreda/sdk/testing";
import { createApp, loadConfig } from "@sreda/bridge";
import type { BridgeApp } from "@sreda/bridge";
import { createBridgeClient } from "@sreda/bridge/client";
import type { BridgeOperation, ProvisioningRequestBody } from "@sreda/bridge/client";
import { templates } from "@sreda/templates";
import type { RequestTemplate } from "@sreda/templates";

export async function provision(input: ProvisioningInputData, cluster: FakeCluster = createFakeCluster()): Promise<ApplyResult> {
  const kube: KubeClient = createKubeClient(cluster.clientConfig);
  const fault: FaultRule = { match: { kind: "Job", verb: "create" }, times: 1, action: { type: "status", code: 429, retryAfterSeconds: 1 } };
  cluster.addFault(fault);
  return applyPlan(createProvisioningPlan(input), kube);
}

export function injected(input: ProvisioningInputData, cluster: FakeCluster): KubeClient {
  return createKubeClient({ apiRootUrl: input.environment.apiRootUrl, token: "sreda-dev-token", fetch: cluster.fetch, clock: cluster.clock });
}

export const failedSteps = (result: ApplyResult): StepResult[] => result.steps.filter((s) => s.outcome === "failed");
export const describeError = (error: unknown): string => (error instanceof SredaError ? `${error.code}: ${error.message}` : String(error));
export const redacted = (input: ProvisioningInputData): ProvisioningPlan => redactPlan(createProvisioningPlan(input));
export const templateIds: string[] = templates.map((t: RequestTemplate) => t.id);
export const manualClock = () => createVirtualClock({ auto: false });

export function bridgeApp(token: string): BridgeApp {
  return createApp({ config: loadConfig({ SREDA_TOKEN: token }) });
}

export async function provisionThroughBridge(baseUrl: string, token: string, body: ProvisioningRequestBody): Promise<BridgeOperation | undefined> {
  const client = createBridgeClient({ baseUrl, token });
  const { data } = await client.POST("/v1/provisionings", { body });
  if (!data) return undefined;
  return (await client.GET("/v1/provisionings/{id}", { params: { path: { id: data.operation.id } } })).data?.operation;
}
