/**
 * What deprovisioning a customer means, before anything is done: the environment (every object the customer owns is
 * found by its owner labels, ./environment.ts) and, only when asked with the customer's id repeated, the teardown
 * steps that drop its databases (`@sreda/templates`' `teardownTemplates`). Pure, like the provisioning plan.
 */
import { z } from "zod";
import { teardownTemplates } from "@sreda/templates";
import { describeEnvironment, EnvironmentDescription, type EnvironmentRef } from "./environment.js";
import { SredaValidationError, type Problem } from "./errors.js";
import { resolveMacroValues } from "./macros.js";
import type { ProvisioningInputData } from "./models.js";
import { orderSteps, parseInput, planTemplate, PlanStep, selectTemplates } from "./plan.js";

export const DeprovisioningPlan = z.object({
  clientId: z.string(),
  namespace: z.string(),
  environment: EnvironmentDescription,
  /** The databases are dropped: `teardown` then runs before the objects are deleted. */
  dropData: z.boolean(),
  /** The teardown Secret and Jobs (empty unless `dropData`), in order. */
  teardown: z.array(PlanStep),
});
export type DeprovisioningPlan = z.infer<typeof DeprovisioningPlan>;

export interface DeprovisioningOptions {
  /** Drop the customer's PostgreSQL and ClickHouse databases and users: needs the whole input and `confirmClientId`. */
  dropData?: boolean;
  /** The customer's id, repeated: the explicit confirmation that data may be dropped. */
  confirmClientId?: string;
}

/**
 * The deprovisioning of one customer. Without `dropData` a customer id and a namespace are enough (`EnvironmentRef`);
 * with it, the whole provisioning input (the databases' admin access) and the id repeated in `confirmClientId`, or one
 * `SredaValidationError` says what is missing.
 */
export function createDeprovisioningPlan(data: EnvironmentRef | ProvisioningInputData, options: DeprovisioningOptions = {}): DeprovisioningPlan {
  const clientId = data.client.id;
  const namespace = data.environment.namespace;
  const environment = describeEnvironment(data);
  if (!options.dropData) return { clientId, namespace, environment, dropData: false, teardown: [] };
  if (options.confirmClientId !== clientId) {
    throw new SredaValidationError("INVALID_INPUT", `Удаление данных клиента ${clientId} не подтверждено`, [
      {
        path: "confirmClientId",
        message: `чтобы удалить базы данных клиента, повторите его идентификатор (${clientId})`,
        code: "confirmation-required",
      },
    ]);
  }
  const input = parseInput(data as ProvisioningInputData);
  const values = resolveMacroValues(input);
  const problems: Problem[] = [];
  const steps: PlanStep[] = [];
  const { included, left } = selectTemplates([...teardownTemplates], values, problems);
  for (const template of included) {
    const planned = planTemplate(template, values, namespace);
    problems.push(...planned.problems);
    if ("step" in planned) steps.push({ ...planned.step, dependsOn: planned.step.dependsOn.filter((id) => !left.has(id)) });
  }
  const teardown = orderSteps(steps, new Map(teardownTemplates.map((t) => [t.id, t.order])), problems);
  if (problems.length > 0) throw new SredaValidationError("INVALID_INPUT", `Удаление данных ${clientId} не подготовлено`, problems);
  return { clientId, namespace, environment, dropData: true, teardown };
}
