/**
 * The fleet — every customer of a namespace at once:
 * - POST /v1/fleet/inventory: every environment read from the cluster by Sreda's labels (one list per kind), with
 *   orphans and missing ones against 1C's list of customers;
 * - POST /v1/fleet/drift: which customers' environments differ from what 1C holds, and where;
 * - POST /v1/fleet/rollouts: a change to many customers as one operation (202 + Location /v1/operations/{id}),
 *   paused, resumed and cancelled through /v1/operations/{id}/pause|resume|cancel.
 */
import { customerLockKey, detectDrift, readInventory, RolloutControl } from "@sreda/sdk";
import { clusterTarget } from "../cluster.js";
import { checkFleet, fleetPlans } from "../fleet.js";
import { lockIdentity, refuseWhenShuttingDown } from "../operation-start.js";
import { operationLocation } from "../operations.js";
import { initialProgress, runFleetRollout } from "../rollout.js";
import { FleetRequest, InventoryRequest, RolloutRequest } from "../schemas.js";
import { parseInput } from "../validation.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

export function fleetRoutes(router: BridgeRouter, deps: RouteDeps): void {
  router.post("/v1/fleet/inventory", async (ctx) => {
    const request = parseInput(InventoryRequest, ctx.state.body);
    const kube = deps.kubeClientFactory(clusterTarget(request.cluster, request.environment.apiRootUrl), "interactive");
    const inventory = await readInventory(kube, request.environment.namespace, {
      now: deps.clock.now(),
      ...(request.clientIds ? { known: request.clientIds } : {}),
    });
    ctx.set("Cache-Control", "no-store");
    ctx.body = inventory;
  });

  router.post("/v1/fleet/drift", async (ctx) => {
    const request = parseInput(FleetRequest, ctx.state.body);
    checkFleet(request);
    const kube = deps.kubeClientFactory(clusterTarget(request.cluster, request.environment.apiRootUrl), "interactive");
    const prepared = await fleetPlans(kube, request, { onlyExisting: false });
    const found = await detectDrift(kube, prepared.plans);
    const byId = new Map(found.map((d) => [d.clientId, d]));
    // In the request's order; a customer whose plan does not build is listed apart, with why.
    const customers = request.customers.flatMap((c) => byId.get(c.client.id) ?? []);
    const notChecked = prepared.leftOut.map(({ clientId, message }) => ({ clientId, message: ctx.state.redactor.scrub(message) }));
    ctx.set("Cache-Control", "no-store");
    ctx.body = { namespace: request.environment.namespace, drifted: customers.filter((d) => d.drifted).length, customers, notChecked };
  });

  router.post("/v1/fleet/rollouts", async (ctx) => {
    refuseWhenShuttingDown(deps.isShuttingDown);
    const request = parseInput(RolloutRequest, ctx.state.body);
    checkFleet(request);
    const target = clusterTarget(request.cluster, request.environment.apiRootUrl);
    const kube = deps.kubeClientFactory(target, "operation");
    const namespace = request.environment.namespace;
    // One rollout per namespace at a time (its customers are each held by their own lock while they run).
    const key = `${customerLockKey(kube, { clientId: "", namespace })}*rollout`;
    const record = deps.operations.create({
      kind: "rollout",
      key,
      clientId: "",
      namespace,
      cluster: kube.apiRootUrl,
      steps: [],
      redactor: ctx.state.redactor,
      rollout: initialProgress(request),
    });
    const control = new RolloutControl();
    deps.operations.setControl(record.id, control);
    deps.operations.run(record.id, (signal) =>
      runFleetRollout(
        {
          operationId: record.id,
          request,
          kube,
          store: deps.operations,
          clock: deps.clock,
          readyTimeoutMs: deps.config.readyTimeoutMs,
          identity: lockIdentity(record.id),
        },
        control,
        signal,
      ),
    );
    deps.logger.info("rollout started", { requestId: ctx.state.requestId, operationId: record.id, namespace, customers: request.customers.length });
    ctx.status = 202;
    ctx.set("Location", operationLocation(record));
    ctx.body = { operation: deps.operations.peek(record.id) };
  });
}
