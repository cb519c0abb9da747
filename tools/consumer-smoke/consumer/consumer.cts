/**
 * A CommonJS TypeScript consumer (module NodeNext): the SDK's CJS declarations, and the bridge's client, which is ESM
 * only — required through require(esm) (Node >= 20.19), which TypeScript >= 5.8 accepts under NodeNext.
 */
import { createProvisioningPlan, type ProvisioningInputData, type ProvisioningPlan } from "@sreda/sdk";
import { createFakeCluster, type FakeCluster } from "@sreda/sdk/testing";
import { createBridgeClient, type BridgeClient } from "@sreda/bridge/client";

export const plan = (input: ProvisioningInputData): ProvisioningPlan => createProvisioningPlan(input);
export const cluster = (): FakeCluster => createFakeCluster();
export const bridge = (baseUrl: string, token: string): BridgeClient => createBridgeClient({ baseUrl, token });
