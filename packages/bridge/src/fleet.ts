/**
 * Many customers of one namespace (a drift check, a rollout): the fleet request's shared settings and each customer
 * made into that customer's provisioning input and plan. The synchronous check validates the shared settings and the
 * first customer's whole plan (a 422 before anything starts); every plan is built later, in the background, yielding
 * to the event loop between batches — a thousand plans take most of a second of CPU.
 */
import {
  createProvisioningPlan,
  customerInput,
  repeatedCustomers,
  resolveCustomerSecrets,
  type CustomerSecrets,
  resolveFleetSecrets,
  SredaError,
  SredaValidationError,
  type KubeClient,
  type Problem,
  type ProvisioningPlan,
  type ResolvedCustomerSecrets,
} from "@sreda/sdk";
import { HttpError } from "./errors.js";
import { Redactor } from "./redact.js";
import type { FleetRequest } from "./schemas.js";
import { SECRET_FIELDS, withPlaceholders } from "./secrets.js";

type Fleet = Pick<FleetRequest, "environment" | "databases" | "variables" | "templates" | "customers">;

/** Plans built between two yields to the event loop. */
const PLANS_PER_TURN = 25;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One customer's plan with these secrets. */
function customerPlan(fleet: Fleet, index: number, secrets: CustomerSecrets): ProvisioningPlan {
  return createProvisioningPlan(customerInput(fleet, index, secrets));
}

/** Each customer once: a second entry of one customer would roll it out twice. */
function duplicates(fleet: Fleet): Problem[] {
  return repeatedCustomers(fleet.customers).map(({ index, first, clientId }) => ({
    path: `customers[${index}].client.id`,
    message: `клиент ${clientId} уже указан в customers[${first}]`,
    code: "duplicate-customer",
  }));
}

/**
 * Each customer once, and the shared settings and the first customer checked as a provisioning would check them: a
 * problem is a 422 whose paths name the request's fields (`customers[0].client.id` for the customer's own).
 */
export function checkFleet(fleet: Fleet): void {
  const repeated = duplicates(fleet);
  if (repeated.length > 0) throw HttpError.invalid("Клиенты указаны повторно", repeated);
  try {
    customerPlan(fleet, 0, withPlaceholders(fleet.customers[0]!.secrets).secrets);
  } catch (error) {
    if (!(error instanceof SredaValidationError)) throw error;
    const problems = error.problems.map((p) => (p.path.startsWith("client") ? { ...p, path: `customers[0].${p.path}` } : p));
    throw HttpError.invalid("Входные данные не прошли проверку", problems);
  }
}

/** A customer the fleet leaves out, and why (its plan does not build, its secrets are not in the cluster). */
interface LeftOut {
  clientId: string;
  message: string;
}

export interface FleetPlans {
  plans: ProvisioningPlan[];
  /** Each plan's redactor: that customer's secrets (its messages are scrubbed with it). */
  redactors: Map<string, Redactor>;
  leftOut: LeftOut[];
}

/** Every customer's plan with placeholders (to learn where its secrets are kept), in turns; a bad one is left out. */
async function placeholderPlans(fleet: Fleet, signal?: AbortSignal): Promise<{ plans: Array<ProvisioningPlan | undefined>; leftOut: LeftOut[] }> {
  const plans: Array<ProvisioningPlan | undefined> = [];
  const leftOut: LeftOut[] = [];
  for (let i = 0; i < fleet.customers.length; i++) {
    if (i % PLANS_PER_TURN === 0) await nextTurn();
    signal?.throwIfAborted();
    try {
      plans.push(customerPlan(fleet, i, withPlaceholders(fleet.customers[i]!.secrets).secrets));
    } catch (error) {
      if (!(error instanceof SredaError)) throw error;
      plans.push(undefined);
      leftOut.push({ clientId: fleet.customers[i]!.client.id, message: `план не строится: ${error.message}` });
    }
  }
  return { plans, leftOut };
}

/** What a customer whose secrets are found nowhere is compared with: placeholders stand for what does not exist. */
async function planWithoutStoredSecrets(
  kube: KubeClient,
  fleet: Fleet,
  index: number,
  placeholderPlan: ProvisioningPlan,
  error: SredaError,
  signal: AbortSignal | undefined,
): Promise<{ plan: ProvisioningPlan; secrets?: CustomerSecrets }> {
  const missing = (error.details["missing"] as unknown[] | undefined) ?? [];
  // Nothing of the customer's is stored: its objects do not exist, so the placeholders are compared with nothing.
  if (missing.length === SECRET_FIELDS.length) return { plan: placeholderPlan };
  // Some are (a Secret deleted by hand): the rest as a provisioning would make them, so the changes shown are real.
  const resolved = await resolveCustomerSecrets(kube, {
    environment: placeholderPlan.environment,
    supplied: fleet.customers[index]!.secrets ?? {},
    ...(signal ? { signal } : {}),
  });
  return { plan: customerPlan(fleet, index, resolved.secrets), secrets: resolved.secrets };
}

/**
 * Every customer's plan with its real secrets: what the request sent, else what the cluster keeps (one list of the
 * namespace's Secrets; nothing generated up front — an RSA key per new customer would cost seconds). `onlyExisting`
 * (a rollout): a customer whose secrets are not all in the cluster is left out — a rollout changes existing
 * environments and never makes a customer's secrets, which 1C would then have to keep. Otherwise (a drift check) such
 * a customer is compared as it is: nothing stored, nothing there.
 */
export async function fleetPlans(kube: KubeClient, fleet: Fleet, options: { onlyExisting: boolean; signal?: AbortSignal }): Promise<FleetPlans> {
  const { signal } = options;
  const first = await placeholderPlans(fleet, signal);
  const indexes = first.plans.flatMap((plan, i) => (plan ? [i] : []));
  const resolved = await resolveFleetSecrets(
    kube,
    indexes.map((i) => ({ environment: first.plans[i]!.environment, supplied: fleet.customers[i]!.secrets ?? {} })),
    { generate: false, ...(signal ? { signal } : {}) },
  );
  const result: FleetPlans = { plans: [], redactors: new Map(), leftOut: first.leftOut };
  for (let n = 0; n < indexes.length; n++) {
    if (n % PLANS_PER_TURN === 0) await nextTurn();
    signal?.throwIfAborted();
    const i = indexes[n]!;
    const clientId = fleet.customers[i]!.client.id;
    const secrets: ResolvedCustomerSecrets | SredaError = resolved[n]!;
    if (secrets instanceof SredaError && secrets.code === "SECRETS_NOT_FOUND" && !options.onlyExisting) {
      const { plan, secrets: made } = await planWithoutStoredSecrets(kube, fleet, i, first.plans[i]!, secrets, signal);
      result.plans.push(plan);
      result.redactors.set(clientId, new Redactor().addAll(made));
    } else if (secrets instanceof SredaError && secrets.code === "SECRETS_NOT_FOUND")
      result.leftOut.push({ clientId, message: "среды клиента нет в кластере (его секретов там нет): сначала разверните её отдельно" });
    else if (secrets instanceof SredaError) result.leftOut.push({ clientId, message: secrets.message });
    else {
      result.plans.push(customerPlan(fleet, i, secrets.secrets));
      result.redactors.set(clientId, new Redactor().addAll(secrets.secrets));
    }
  }
  return result;
}
