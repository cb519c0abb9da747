/**
 * `sreda drift -f fleet.json`: which customers' environments differ from their plans, and where — a change made by
 * hand with kubectl shows up with the paths of the fields it changed, as `sreda diff` shows one customer (never a
 * value). One list per kind for the whole namespace. Nothing is written. Exits as `kubectl diff` does: 0 when every
 * customer is in sync, 1 when some drifted.
 */
import { detectDrift, type CustomerDrift, type ProvisioningPlan } from "@sreda/sdk";
import { FLEET_FILENAME_OPTION, OUTPUT_OPTION, type Command } from "../command.js";
import { checkNamespace, connect } from "../connect.js";
import { EXIT_CODES } from "../exit-codes.js";
import { checkFleet, fleetPlans, requiredFleet, type LeftOut } from "../fleet.js";
import type { Output } from "../output.js";
import { objectDiffLines } from "./diff.js";

/** One customer's drift; `provisioned`: false when none of its objects is in the cluster (every one to create). */
type Entry = CustomerDrift & { provisioned: boolean };

function entriesOf(plans: readonly ProvisioningPlan[], drift: readonly CustomerDrift[]): Entry[] {
  const steps = new Map(plans.map((p) => [p.clientId, p.steps.length]));
  return drift.map((d) => {
    const created = d.objects.filter((o) => o.action === "create").length;
    return { ...d, provisioned: !(created > 0 && created === steps.get(d.clientId) && created === d.objects.length) };
  });
}

function printDrift(output: Output, entries: readonly Entry[], leftOut: readonly LeftOut[], where: string): void {
  const { paint } = output;
  output.line(`Drift of ${where}:`);
  const widest = Math.max(0, ...[...entries, ...leftOut].map((e) => e.clientId.length));
  for (const e of entries) {
    const name = paint.bold(e.clientId.padEnd(widest));
    if (!e.drifted) output.line(`${name}   ${paint.green("in sync")}`);
    else if (!e.provisioned) output.line(`${name}   ${paint.red("not provisioned")}: ${e.objects.length} objects to create`);
    else {
      output.line(`${name}   ${paint.yellow("drifted")}`);
      for (const line of objectDiffLines(paint, e.objects, "  ")) output.line(line);
    }
  }
  for (const l of leftOut) output.line(`${paint.bold(l.clientId.padEnd(widest))}   ${paint.red("not compared")}: ${l.message}`);
  const drifted = entries.filter((e) => e.drifted && e.provisioned).length;
  const missing = entries.filter((e) => !e.provisioned).length;
  const parts = [`${entries.length - drifted - missing} in sync`, `${drifted} drifted`];
  if (missing > 0) parts.push(`${missing} not provisioned`);
  if (leftOut.length > 0) parts.push(`${leftOut.length} not compared`);
  output.line(`Summary: ${parts.join(", ")}.`);
}

export const driftCommand: Command = {
  name: "drift",
  group: "fleet",
  summary: "Show which customers of a fleet file drifted from their plans, and where",
  description:
    "Compare every customer of a fleet file with the cluster, as sreda diff compares one: per customer, in sync or\n" +
    "drifted, and per drifted object what apply would create, change (with the JSON paths of the fields that\n" +
    "differ, never their values) or delete — a ConfigMap edited by hand, a Deployment scaled with kubectl. Jobs count\n" +
    "only when missing. A customer without any object in the cluster is not provisioned. Sreda's objects are listed\n" +
    "once per kind for the whole namespace; secrets the file leaves out are read back from the cluster. Nothing is\n" +
    "written. Exits like kubectl diff: 0 when every customer is in sync, 1 when some drifted (or are not provisioned).",
  usage: "sreda drift -f FILENAME [options]",
  examples: [
    ["Which customers of lms-dev drifted from what the fleet file holds", "sreda drift -f lms-dev.fleet.json"],
    ["The drifted customers' ids, from JSON", "sreda drift -f lms-dev.fleet.json -o json | jq -r '.customers[] | select(.drifted) | .clientId'"],
  ],
  options: [FLEET_FILENAME_OPTION, OUTPUT_OPTION],
  async run(ctx) {
    const { output, signal } = ctx;
    const fleet = await requiredFleet(ctx);
    checkFleet(fleet);
    const { kube, target } = await connect(ctx.values, ctx.io, fleet.apiRootUrl);
    await checkNamespace(kube, fleet.namespace, signal);
    const { plans, leftOut } = await fleetPlans(kube, fleet, { onlyExisting: false, signal });
    const byId = new Map(entriesOf(plans, await detectDrift(kube, plans, { signal })).map((e) => [e.clientId, e]));
    // In the file's order.
    const entries = fleet.clientIds.flatMap((id) => byId.get(id) ?? []);
    const drifted = entries.filter((e) => e.drifted).length;
    const exitCode = drifted > 0 || leftOut.length > 0 ? EXIT_CODES.failed : EXIT_CODES.succeeded;
    if (output.format === "json") output.document({ namespace: fleet.namespace, drifted, customers: entries, leftOut });
    else printDrift(output, entries, leftOut, `${fleet.clientIds.length} customers in namespace ${fleet.namespace} (${target.origin}, ${kube.apiRootUrl})`);
    return exitCode;
  },
};
