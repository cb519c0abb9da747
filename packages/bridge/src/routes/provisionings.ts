/**
 * POST /v1/provisionings starts one (202 + Location) after validating the whole input synchronously. Reading and
 * cancelling it: ./operations.ts.
 */
import { createProvisioningPlan } from "@sreda/sdk";
import { clusterTarget } from "../cluster.js";
import { refuseWhenShuttingDown, startOperation } from "../operation-start.js";
import { runProvisioning } from "../provisioning.js";
import { ProvisioningRequest } from "../schemas.js";
import { provisioningInput, withPlaceholders } from "../secrets.js";
import { parseInput } from "../validation.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

export function provisioningRoutes(router: BridgeRouter, deps: RouteDeps): void {
  router.post("/v1/provisionings", async (ctx) => {
    refuseWhenShuttingDown(deps.isShuttingDown);
    const request = parseInput(ProvisioningRequest, ctx.state.body);
    // The whole input is checked now (placeholders for the secrets not sent), so bad input is a 422, not a failed operation.
    const plan = createProvisioningPlan(provisioningInput(request, withPlaceholders(request.secrets).secrets));
    const target = clusterTarget(request.cluster, request.environment.apiRootUrl);
    // The client first: if it cannot be made, nothing is recorded and no customer is held.
    const kube = deps.kubeClientFactory(target, "operation");
    await startOperation(ctx, deps, {
      kind: "provisioning",
      clientId: plan.clientId,
      namespace: plan.namespace,
      kube,
      checkKube: deps.kubeClientFactory(target, "interactive"),
      steps: plan.steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind, name: s.name })),
      run: (operationId, identity, signal) =>
        runProvisioning(
          {
            operationId,
            request,
            kube,
            store: deps.operations,
            clock: deps.clock,
            redactor: ctx.state.redactor,
            readyTimeoutMs: deps.config.readyTimeoutMs,
            identity,
          },
          signal,
        ),
    });
  });
}
