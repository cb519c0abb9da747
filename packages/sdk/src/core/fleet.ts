/**
 * Many customers of one namespace as 1C holds them: the namespace's shared settings once, then each customer — so a
 * thousand customers fit in one input without repeating the settings. Each customer's own provisioning input is
 * the shared part with its `client` (and the secrets known for it). Pure.
 */
import { z } from "zod";
import { Customer, CustomerSecrets, ProvisioningInput, type ProvisioningInputData } from "./models.js";

/** Customers in one fleet: a namespace's thousand and some room. */
export const MAX_FLEET_CUSTOMERS = 2000;

/** One customer of a fleet: its own fields only; its secrets are read back from the cluster when not given. */
export const FleetCustomer = z.strictObject({
  client: Customer,
  secrets: CustomerSecrets.partial().optional(),
});
export type FleetCustomer = z.infer<typeof FleetCustomer>;

/** The shape of a fleet, for inputs that add their own fields (the bridge's cluster access, a rollout's settings). */
export const fleetShape = {
  environment: ProvisioningInput.shape.environment,
  databases: ProvisioningInput.shape.databases,
  // Optional without the default `[]`: a default would make the field required in generated client types.
  variables: ProvisioningInput.shape.variables.unwrap().optional(),
  templates: ProvisioningInput.shape.templates,
  customers: z
    .array(FleetCustomer)
    .min(1, "укажите хотя бы одного клиента")
    .max(MAX_FLEET_CUSTOMERS, { abort: true, error: `не больше ${MAX_FLEET_CUSTOMERS} клиентов за один раз` })
    .describe("Клиенты пространства имён; общие настройки (environment, databases, variables, templates) — один раз для всех"),
};

export const FleetInput = z.strictObject(fleetShape);
export type FleetInput = z.infer<typeof FleetInput>;

/** Customer `index`'s provisioning input: the shared settings, its client, and the secrets given. */
export function customerInput(
  fleet: Omit<FleetInput, "customers"> & { customers: readonly FleetCustomer[] },
  index: number,
  secrets: CustomerSecrets,
): ProvisioningInputData {
  const { environment, databases, variables, templates } = fleet;
  return {
    client: fleet.customers[index]!.client,
    environment,
    databases,
    variables: variables ?? [],
    secrets,
    ...(templates !== undefined ? { templates } : {}),
  };
}

/** Customers given twice (a second entry would roll a customer out twice): each repeat's index and the first's. */
export function repeatedCustomers(customers: readonly FleetCustomer[]): Array<{ index: number; first: number; clientId: string }> {
  const first = new Map<string, number>();
  const repeats: Array<{ index: number; first: number; clientId: string }> = [];
  customers.forEach(({ client }, index) => {
    const seen = first.get(client.id);
    if (seen === undefined) first.set(client.id, index);
    else repeats.push({ index, first: seen, clientId: client.id });
  });
  return repeats;
}
