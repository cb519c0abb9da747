/**
 * POST /v1/plans — the dry run: validate, render and validate every manifest, answer with the redacted plan;
 * with `diff: true` also compare it with the live cluster. Nothing is written anywhere.
 */
import { createProvisioningPlan, diffPlan, redactPlan, resolveCustomerSecrets } from "@sreda/sdk";
import { clusterTarget } from "../cluster.js";
import { HttpError } from "../errors.js";
import { PlanRequest } from "../schemas.js";
import { provisioningInput, withPlaceholders } from "../secrets.js";
import { parseInput } from "../validation.js";
import { dryRunAnswer } from "../plan-answer.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

export function planRoutes(router: BridgeRouter, deps: RouteDeps): void {
  router.post("/v1/plans", async (ctx) => {
    const { diff, cluster, ...request } = parseInput(PlanRequest, ctx.state.body);
    if (diff && !cluster) {
      throw HttpError.invalid("Для сравнения с кластером нужен доступ к нему", [
        { path: "cluster", message: "укажите cluster (токен доступа), чтобы сравнить план с кластером", code: "required" },
      ]);
    }
    if (!diff || !cluster) {
      // Already JSON text (or its bytes, from a plan worker): the answer is serialized where it is built.
      ctx.type = "application/json";
      ctx.body = deps.planWorkers ? await deps.planWorkers.run(request) : dryRunAnswer(request);
      return;
    }
    const supplied = request.secrets;
    let { secrets, sources } = withPlaceholders(supplied);
    // Validate before touching the cluster: bad input is a 422 whatever the cluster's state.
    let plan = createProvisioningPlan(provisioningInput(request, secrets));
    const kube = deps.kubeClientFactory(clusterTarget(cluster, request.environment.apiRootUrl), "interactive");
    if (Object.values(sources).includes("placeholder")) {
      // The secrets a provisioning would use: the cluster's, or new ones (which then show up as changes).
      const resolved = await resolveCustomerSecrets(kube, { environment: plan.environment, supplied: supplied ?? {} });
      ctx.state.redactor.addAll(resolved.secrets);
      secrets = resolved.secrets;
      sources = resolved.sources;
      plan = createProvisioningPlan(provisioningInput(request, secrets));
    }
    ctx.body = { plan: redactPlan(plan), secretSources: sources, diff: await diffPlan(plan, kube, { resume: request.resume === true }) };
  });
}
