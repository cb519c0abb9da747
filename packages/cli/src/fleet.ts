/**
 * The fleet file of `sreda drift`, `sreda rollout` and `sreda inventory -f`: many customers of one namespace (a
 * FleetInput, e.g. examples/lms-dev.fleet.json) — the namespace's shared settings once, then the customers, whose
 * secrets may be left out. Read and validated at once (every problem with its path, each customer once, the first
 * customer's whole plan), then made into each customer's plan with the secrets the cluster keeps, as the bridge does:
 * one list of the namespace's Secrets for every customer, never a secret generated for a rollout.
 */
import {
  createProvisioningPlan,
  customerInput,
  FleetInput,
  generateCustomerSecrets,
  repeatedCustomers,
  resolveCustomerSecrets,
  resolveFleetSecrets,
  SredaError,
  SredaValidationError,
  CustomerSecrets,
  type KubeClient,
  type ProvisioningPlan,
} from "@sreda/sdk";
import { stringOption } from "./args.js";
import type { CommandContext } from "./command.js";
import { UsageError } from "./exit-codes.js";
import { invalidInput, readInputObject } from "./input.js";

interface LoadedFleet {
  /** As given on the command line ("-" for standard input). */
  file: string;
  /** Validated (namespace and image overridden). */
  data: FleetInput;
  namespace: string;
  apiRootUrl: string;
  /** The customers, in the file's order. */
  clientIds: string[];
}

/** A customer the fleet leaves out, and why: it has no environment yet, or an error of its own. */
export interface LeftOut {
  clientId: string;
  reason: "no-environment" | "error";
  message: string;
}

const NO_ENVIRONMENT_MESSAGE = "no environment yet (its secrets are not in the cluster): provision it first with sreda apply";

/** The fleet file of `-f`, `-n` put in place of its namespace and `image` of its environment.dockerImage. */
export async function loadFleet(ctx: CommandContext, file: string, image?: string): Promise<LoadedFleet> {
  const json = await readInputObject(file, ctx.io, "a FleetInput", { namespace: stringOption(ctx.values, "namespace"), dockerImage: image });
  const parsed = FleetInput.safeParse(json);
  if (!parsed.success) throw invalidInput(file, parsed.error.issues);
  const data = parsed.data;
  const repeated = repeatedCustomers(data.customers).map(({ index, first, clientId }) => ({
    path: `customers[${index}].client.id`,
    message: `the customer ${clientId} is already given in customers[${first}]`,
    code: "duplicate-customer",
  }));
  if (repeated.length > 0) throw new UsageError(`${file}: customers given twice (${repeated.length})`, repeated);
  return {
    file,
    data,
    namespace: data.environment.namespace,
    apiRootUrl: data.environment.apiRootUrl,
    clientIds: data.customers.map((c) => c.client.id),
  };
}

let placeholders: CustomerSecrets | undefined;

/** Secrets to stand in for the missing ones in a plan made only to check it and to learn where its secrets are kept. */
function placeholderSecrets(): CustomerSecrets {
  placeholders ??= generateCustomerSecrets();
  return placeholders;
}

function customerPlan(fleet: LoadedFleet, index: number, secrets: CustomerSecrets): ProvisioningPlan {
  return createProvisioningPlan(customerInput(fleet.data, index, secrets));
}

function withPlaceholders(fleet: LoadedFleet, index: number): CustomerSecrets {
  return { ...placeholderSecrets(), ...(fleet.data.customers[index]!.secrets ?? {}) } as CustomerSecrets;
}

/**
 * The shared settings and the first customer checked as a provisioning checks them, before the cluster is asked
 * anything: a problem is a usage error whose paths name the file's fields (`customers[0].client.id` for the
 * customer's own).
 */
export function checkFleet(fleet: LoadedFleet): void {
  try {
    customerPlan(fleet, 0, withPlaceholders(fleet, 0));
  } catch (error) {
    if (!(error instanceof SredaValidationError)) throw error;
    const problems = error.problems.map((p) => (p.path.startsWith("client") ? { ...p, path: `customers[0].${p.path}` } : p));
    throw new UsageError(`${fleet.file}: no plan can be made of the fleet (${problems.length} ${problems.length === 1 ? "problem" : "problems"})`, problems);
  }
}

/**
 * Every customer's plan with its real secrets: the file's, else the cluster's (one list of the namespace's
 * Secrets). `onlyExisting` (a rollout): a customer whose secrets are not all in the cluster is left out — a rollout
 * changes existing environments and never generates a customer's secrets, which nobody would then keep. Otherwise
 * (a drift check) missing secrets are stood in for and thrown away.
 */
export async function fleetPlans(
  kube: KubeClient,
  fleet: LoadedFleet,
  options: { onlyExisting: boolean; signal: AbortSignal },
): Promise<{ plans: ProvisioningPlan[]; leftOut: LeftOut[] }> {
  const leftOut: LeftOut[] = [];
  const described: { index: number; plan: ProvisioningPlan }[] = [];
  fleet.data.customers.forEach((customer, index) => {
    try {
      described.push({ index, plan: customerPlan(fleet, index, withPlaceholders(fleet, index)) });
    } catch (error) {
      if (!(error instanceof SredaError)) throw error;
      leftOut.push({ clientId: customer.client.id, reason: "error", message: `no plan can be made: ${error.message}` });
    }
  });
  // Nothing generated up front: an RSA key per new customer would cost seconds, and a rollout would throw it away.
  const resolved = await resolveFleetSecrets(
    kube,
    described.map(({ index, plan }) => ({ environment: plan.environment, supplied: fleet.data.customers[index]!.secrets ?? {} })),
    { signal: options.signal, generate: false },
  );
  const plans: ProvisioningPlan[] = [];
  for (const [n, { index, plan }] of described.entries()) {
    const secrets = resolved[n]!;
    const notFound = secrets instanceof SredaError && secrets.code === "SECRETS_NOT_FOUND";
    if (notFound && options.onlyExisting) leftOut.push({ clientId: plan.clientId, reason: "no-environment", message: NO_ENVIRONMENT_MESSAGE });
    else if (notFound) plans.push(await planWithoutStoredSecrets(kube, fleet, index, plan, secrets, options.signal));
    else if (secrets instanceof SredaError) leftOut.push({ clientId: plan.clientId, reason: "error", message: secrets.message });
    else plans.push(customerPlan(fleet, index, secrets.secrets));
  }
  return { plans, leftOut };
}

/**
 * A drift check's customer whose secrets are found nowhere: with nothing stored, its objects do not exist and the
 * placeholder plan is compared with nothing; with some stored (a Secret deleted by hand), the rest are made as a
 * provisioning would make them, so the changes shown are real.
 */
async function planWithoutStoredSecrets(
  kube: KubeClient,
  fleet: LoadedFleet,
  index: number,
  placeholderPlan: ProvisioningPlan,
  error: SredaError,
  signal: AbortSignal,
): Promise<ProvisioningPlan> {
  const missing = (error.details["missing"] as unknown[] | undefined) ?? [];
  if (missing.length === Object.keys(CustomerSecrets.shape).length) return placeholderPlan;
  const resolved = await resolveCustomerSecrets(kube, {
    environment: placeholderPlan.environment,
    supplied: fleet.data.customers[index]!.secrets ?? {},
    signal,
  });
  return customerPlan(fleet, index, resolved.secrets);
}

/** The fleet file of `-f`; a usage error when it is missing. */
export async function requiredFleet(ctx: CommandContext, image?: string): Promise<LoadedFleet> {
  const file = stringOption(ctx.values, "filename");
  if (file === undefined) throw new UsageError("must specify the fleet file with -f FILENAME (see --help)");
  return loadFleet(ctx, file, image);
}
