/**
 * POST /v1/environments/status — the live status of one or many environments. Each is read on its own (a few at
 * a time); one cluster being down is that environment's `error`, not the whole answer's.
 */
import { customerLockKey, describeEnvironment, isKubeError, readEnvironmentStatus } from "@sreda/sdk";
import { clusterTarget } from "../cluster.js";
import { clusterHttpError, toHttpError } from "../errors.js";
import { EnvironmentStatusRequest, type EnvironmentRef } from "../schemas.js";
import { parseInput } from "../validation.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

const PARALLEL = 8;

export function environmentRoutes(router: BridgeRouter, deps: RouteDeps): void {
  router.post("/v1/environments/status", async (ctx) => {
    const { environments } = parseInput(EnvironmentStatusRequest, ctx.state.body);
    const one = async (ref: EnvironmentRef) => {
      const target = clusterTarget(ref.cluster, ref.environment.apiRootUrl);
      const base = { clientId: ref.client.id, namespace: ref.environment.namespace };
      let withOperation: { operationId?: string } = {};
      try {
        const kube = deps.kubeClientFactory(target, "interactive");
        // The running provisioning's key is the SDK's lock key, made from the client's normalized root.
        const running = deps.operations.runningFor(customerLockKey(kube, { namespace: ref.environment.namespace, clientId: ref.client.id }));
        if (running) withOperation = { operationId: running };
        const status = await readEnvironmentStatus(kube, describeEnvironment(ref), { now: deps.clock.now() });
        return { ...base, status, ...withOperation };
      } catch (error) {
        const { error: mapped, internal } = isKubeError(error) ? { error: clusterHttpError(error), internal: false } : toHttpError(error);
        // Only our own faults are errors of the bridge; a refused cluster or a cluster's failure is the caller's
        // answer (a token holder must not be able to flood the error log).
        if (internal)
          deps.logger.error("environment status failed", {
            requestId: ctx.state.requestId,
            clientId: ref.client.id,
            message: error instanceof Error ? error.message : String(error),
          });
        else deps.logger.debug("environment status refused", { requestId: ctx.state.requestId, clientId: ref.client.id, code: mapped.code });
        return { ...base, error: { code: mapped.code, message: mapped.message, details: mapped.details }, ...withOperation };
      }
    };
    const results = new Array<Awaited<ReturnType<typeof one>>>(environments.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, environments.length) }, async () => {
        for (let i = next++; i < environments.length; i = next++) results[i] = await one(environments[i]!);
      }),
    );
    ctx.body = { environments: results };
  });
}
