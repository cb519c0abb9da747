/**
 * A customer's life after provisioning, as operations (202 + Location /v1/operations/{id}; read and cancelled by
 * ./operations.ts): POST /v1/environments/suspend and /resume take one environment as a status request names it;
 * POST /v1/environments/deprovision takes what a provisioning does, validated whole first (dropping data needs the
 * databases and the customer's id repeated), and with `dryRun` answers what it would delete — changing nothing.
 */
import { createDeprovisioningPlan, describeEnvironment, findCustomerObjects, objectNames, SredaError, type DeprovisioningPlan, type Problem } from "@sreda/sdk";
import type { ParameterizedContext } from "koa";
import { clusterTarget } from "../cluster.js";
import { HttpError } from "../errors.js";
import { runDeprovision, runSuspendOrResume } from "../lifecycle.js";
import { refuseWhenShuttingDown, startOperation } from "../operation-start.js";
import { DeprovisionRequest, EnvironmentRef } from "../schemas.js";
import { provisioningInput, withPlaceholders } from "../secrets.js";
import type { BridgeState } from "../state.js";
import { parseInput } from "../validation.js";
import type { BridgeRouter, RouteDeps } from "./deps.js";

/**
 * `describe()` over the request's templates. The SDK renders them without validating the manifests, so a hostile
 * template (a Deployment whose selector is not a label selector) can make it throw: that is bad input, a 422 on
 * `templates` — without templates, a failure stays ours (500).
 */
function fromTemplates<T>(templates: readonly unknown[] | undefined, describe: () => T): T {
  try {
    return describe();
  } catch (error) {
    if (error instanceof SredaError || !templates) throw error;
    throw HttpError.invalid("Шаблоны среды не удаётся прочитать", [
      { path: "templates", message: "шаблоны не описывают объекты среды так, как их читает Kubernetes", code: "template-invalid" },
    ]);
  }
}

/** Dropping data is confirmed by the customer's id repeated, and needs the databases' admin access. */
function dropDataProblems(request: DeprovisionRequest): Problem[] {
  if (!request.dropData) return [];
  const problems: Problem[] = [];
  if (request.confirmClientId !== request.client.id)
    problems.push({
      path: "confirmClientId",
      message: `чтобы удалить базы данных клиента, повторите его идентификатор (${request.client.id})`,
      code: "confirmation-required",
    });
  if (!request.databases)
    problems.push({ path: "databases", message: "укажите databases (доступ администратора к базам), чтобы удалить данные клиента", code: "required" });
  return problems;
}

/** The deprovisioning plan of a request, or a 422 naming every problem (nothing has been done yet). */
function deprovisioningPlan(request: DeprovisionRequest): DeprovisioningPlan {
  const problems = dropDataProblems(request);
  if (problems.length > 0) throw HttpError.invalid("Удаление данных клиента не подтверждено", problems);
  const { databases } = request;
  // The whole input only when the databases are dropped (their admin access); otherwise the customer and namespace.
  const data = databases
    ? provisioningInput({ ...request, databases }, withPlaceholders(request.secrets).secrets)
    : { client: request.client, environment: request.environment, templates: request.templates };
  const plan = fromTemplates(request.templates, () =>
    createDeprovisioningPlan(data, { dropData: request.dropData ?? false, confirmClientId: request.confirmClientId }),
  );
  if (!plan.environment.ownerSelector)
    throw HttpError.invalid("Объекты клиента нельзя найти", [
      { path: "templates", message: "шаблоны не помечают объекты клиента общими метками клиента: удалить их по меткам нельзя", code: "no-owner-labels" },
    ]);
  return plan;
}

type Context = ParameterizedContext<BridgeState>;

export function lifecycleRoutes(router: BridgeRouter, deps: RouteDeps): void {
  const suspendOrResume = (kind: "suspend" | "resume") => async (ctx: Context) => {
    refuseWhenShuttingDown(deps.isShuttingDown);
    const ref = parseInput(EnvironmentRef, ctx.state.body);
    const environment = fromTemplates(ref.templates, () => describeEnvironment(ref));
    if (objectNames(environment, "Deployment").length === 0)
      throw HttpError.invalid("В среде клиента нет развёртывания", [
        { path: "templates", message: "шаблоны среды не создают развёртывание (Deployment): приостанавливать нечего", code: "no-deployment" },
      ]);
    const target = clusterTarget(ref.cluster, ref.environment.apiRootUrl);
    const kube = deps.kubeClientFactory(target, "operation");
    await startOperation(ctx, deps, {
      kind,
      clientId: ref.client.id,
      namespace: ref.environment.namespace,
      kube,
      checkKube: deps.kubeClientFactory(target, "interactive"),
      steps: [],
      run: (operationId, identity, signal) =>
        runSuspendOrResume(
          { operationId, kube, store: deps.operations, clock: deps.clock, readyTimeoutMs: deps.config.readyTimeoutMs, identity },
          kind,
          environment,
          signal,
        ),
    });
  };
  router.post("/v1/environments/suspend", suspendOrResume("suspend"));
  router.post("/v1/environments/resume", suspendOrResume("resume"));

  router.post("/v1/environments/deprovision", async (ctx) => {
    const request = parseInput(DeprovisionRequest, ctx.state.body);
    if (!request.dryRun) refuseWhenShuttingDown(deps.isShuttingDown);
    const plan = deprovisioningPlan(request);
    const target = clusterTarget(request.cluster, request.environment.apiRootUrl);
    if (request.dryRun) {
      // What a deprovisioning would delete, as it would find it: nothing is changed.
      const objects = await findCustomerObjects(plan, deps.kubeClientFactory(target, "interactive"));
      ctx.set("Cache-Control", "no-store");
      ctx.body = {
        dropData: plan.dropData,
        objects: objects.map(({ kind, name }) => ({ kind, name })),
        teardown: plan.teardown.map(({ id, kind, name }) => ({ id, kind, name })),
      };
      return;
    }
    const kube = deps.kubeClientFactory(target, "operation");
    await startOperation(ctx, deps, {
      kind: "deprovision",
      clientId: plan.clientId,
      namespace: plan.namespace,
      kube,
      checkKube: deps.kubeClientFactory(target, "interactive"),
      steps: [],
      run: (operationId, identity, signal) =>
        runDeprovision({ operationId, kube, store: deps.operations, clock: deps.clock, readyTimeoutMs: deps.config.readyTimeoutMs, identity }, plan, signal),
    });
  });
}
