/**
 * Provisionings: POST starts one (202 + Location) after validating the whole input synchronously; GET reports
 * on it (and hands the new customer's secrets to its first reader); cancel asks it to stop.
 */
import { createProvisioningPlan, customerLockKey } from "@sreda/sdk";
import { clusterTarget } from "../cluster.js";
import { HttpError } from "../errors.js";
import { operationNotFound } from "../operations.js";
import { runProvisioning } from "../provisioning.js";
import { ProvisioningRequest } from "../schemas.js";
import { withPlaceholders } from "../secrets.js";
import { parseInput } from "../validation.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

export function provisioningRoutes(router: BridgeRouter, deps: RouteDeps): void {
  const { operations } = deps;

  router.post("/v1/provisionings", async (ctx) => {
    if (deps.isShuttingDown())
      throw new HttpError(503, "SHUTTING_DOWN", "Мост останавливается и не начинает новых развёртываний; повторите позже", {}, { "Retry-After": "30" });
    const request = parseInput(ProvisioningRequest, ctx.state.body);
    // The whole input is checked now (placeholders for the secrets not sent), so bad input is a 422, not a failed operation.
    const { cluster: _cluster, secrets: supplied, ...input } = request;
    const plan = createProvisioningPlan({ ...input, variables: input.variables ?? [], secrets: withPlaceholders(supplied).secrets });
    const target = clusterTarget(request.cluster, request.environment.apiRootUrl);
    // The client first: if it cannot be made, nothing is recorded and no customer is held. Its normalized root
    // (lowercase host, no default port, no trailing slash) makes the key the SDK's own lock key, so one cluster
    // spelt two ways is still one customer.
    const kube = deps.kubeClientFactory(target, "operation");
    const record = operations.create({
      key: customerLockKey(kube, plan),
      clientId: plan.clientId,
      namespace: plan.namespace,
      cluster: kube.apiRootUrl,
      steps: plan.steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind, name: s.name })),
      redactor: ctx.state.redactor,
    });
    operations.run(record.id, (signal) =>
      runProvisioning(
        {
          operationId: record.id,
          request,
          kube,
          store: operations,
          clock: deps.clock,
          redactor: ctx.state.redactor,
          readyTimeoutMs: deps.config.readyTimeoutMs,
        },
        signal,
      ),
    );
    deps.logger.info("provisioning started", { requestId: ctx.state.requestId, operationId: record.id, clientId: plan.clientId, namespace: plan.namespace });
    ctx.status = 202;
    ctx.set("Location", `/v1/provisionings/${record.id}`);
    ctx.body = { operation: operations.peek(record.id) };
  });

  router.get("/v1/provisionings/:id", (ctx) => {
    const view = operations.read(ctx.params["id"]!);
    if (!view) throw operationNotFound(ctx.params["id"]!);
    ctx.set("Cache-Control", "no-store");
    ctx.body = { operation: view };
  });

  router.post("/v1/provisionings/:id/cancel", (ctx) => {
    const view = operations.cancel(ctx.params["id"]!);
    deps.logger.info("provisioning cancel requested", { requestId: ctx.state.requestId, operationId: view.id });
    ctx.status = 202;
    ctx.body = { operation: view };
  });
}
