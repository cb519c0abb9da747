import { describe, expect, it } from "vitest";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import { customerInput, FleetInput, repeatedCustomers } from "../src/core/fleet.js";
import { createProvisioningPlan } from "../src/core/plan.js";

const { client, secrets, ...shared } = structuredClone(example);
const fleet = (ids: string[]) => FleetInput.parse({ ...shared, customers: ids.map((id) => ({ client: { ...client, id } })) });

describe("a fleet: the shared settings once, then the customers", () => {
  it("makes each customer's provisioning input: its client, the shared settings, the secrets given", () => {
    const parsed = fleet(["C42", "C43"]);
    const input = customerInput(parsed, 1, secrets);
    expect(input.client.id).toBe("C43");
    expect(input.environment).toEqual(parsed.environment);
    const plan = createProvisioningPlan(input);
    expect(plan.clientId).toBe("C43");
    expect(plan.steps.find((s) => s.kind === "Deployment")!.name).toBe("lms-deployment-c43");
  });

  it("names every customer given twice, with the first entry", () => {
    expect(repeatedCustomers(fleet(["C1", "C2", "C1", "C3", "C2"]).customers)).toEqual([
      { index: 2, first: 0, clientId: "C1" },
      { index: 4, first: 1, clientId: "C2" },
    ]);
    expect(repeatedCustomers(fleet(["C1", "C2"]).customers)).toEqual([]);
  });

  it("refuses an empty list and a customer field it does not know, with the path", () => {
    expect(FleetInput.safeParse({ ...shared, customers: [] }).error?.issues[0]?.path).toEqual(["customers"]);
    const extra = FleetInput.safeParse({ ...shared, customers: [{ client, password: "x" }] });
    expect(extra.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", path: ["customers", 0] });
  });
});
