/**
 * `sreda inventory`: every customer environment of a namespace at a glance, as `kubectl get` lists objects — one list
 * per kind by Sreda's label, whatever the number of customers — each with its phase, ready pods, image and age; and,
 * given the customers that should be there (`--known`, or a fleet file's), the orphans and the missing ones.
 */
import { CustomerId, readInventory, type Inventory } from "@sreda/sdk";
import { stringOption } from "../args.js";
import { FLEET_FILENAME_OPTION, OUTPUT_OPTION, type Command, type CommandContext } from "../command.js";
import { checkNamespace, connect } from "../connect.js";
import { EXIT_CODES, UsageError } from "../exit-codes.js";
import { loadFleet } from "../fleet.js";
import type { Output } from "../output.js";
import { formatAge, table } from "../table.js";
import { paintPhase } from "./status.js";

/** `--known C42,C43`: customer ids, each checked. */
function knownOf(text: string): string[] {
  const ids = text
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  const bad = ids.filter((id) => !CustomerId.safeParse(id).success);
  if (ids.length === 0 || bad.length > 0)
    throw new UsageError(`--known ${text}: customer ids separated by commas, each C and a number without leading zeros (C42,C43)`);
  return ids;
}

/** The namespace, the customers that should be there, and the fallback server, from -n, --known and -f. */
async function targetOf(ctx: CommandContext): Promise<{ namespace?: string; known?: string[]; apiRootUrl?: string }> {
  const known = stringOption(ctx.values, "known");
  const file = stringOption(ctx.values, "filename");
  if (known !== undefined && file !== undefined) throw new UsageError("give either --known ID,ID… or -f FILENAME, not both");
  if (file === undefined) return { ...(known !== undefined ? { known: knownOf(known) } : {}), namespace: stringOption(ctx.values, "namespace") };
  const fleet = await loadFleet(ctx, file);
  return { namespace: fleet.namespace, known: fleet.clientIds, apiRootUrl: fleet.apiRootUrl };
}

function printInventory(output: Output, inventory: Inventory, knownGiven: boolean): void {
  const { paint } = output;
  if (inventory.environments.length === 0) output.line(`No environments found in ${inventory.namespace} namespace.`);
  else {
    const rows = inventory.environments.map((e) => [
      inventory.orphans.includes(e.clientId) ? paint.yellow(e.clientId) : e.clientId,
      paintPhase(e.phase, paint),
      e.replicas === null ? "-" : `${e.readyReplicas ?? 0}/${e.replicas}`,
      e.image ?? "<none>",
      formatAge(e.ageSeconds),
      e.summary.replace(/\s+/g, " "),
    ]);
    for (const line of table(["CLIENT", "PHASE", "READY", "IMAGE", "AGE", "SUMMARY"], rows, output.columns)) output.line(line);
  }
  if (!knownGiven) return;
  output.line();
  if (inventory.orphans.length > 0) output.line(`${paint.yellow("Orphans")} (in the cluster, not in the list): ${inventory.orphans.join(", ")}`);
  if (inventory.missing.length > 0) output.line(`${paint.red("Missing")} (in the list, not in the cluster): ${inventory.missing.join(", ")}`);
  if (inventory.orphans.length === 0 && inventory.missing.length === 0)
    output.line(paint.dim("Every customer of the list has an environment, and no other customer has one."));
}

export const inventoryCommand: Command = {
  name: "inventory",
  group: "fleet",
  summary: "List every environment of a namespace: phase, pods, image, age; orphans and missing ones",
  description:
    "List every customer environment of a namespace, as kubectl get lists objects: its phase (Pending, Progressing,\n" +
    "Ready, Degraded, Failed, Suspended), ready and desired pods, image, age and a summary. Sreda's objects are listed\n" +
    "once per kind by their labels, whatever the number of customers. Given the customers that should be there\n" +
    "(--known, or the customers of a fleet file), the orphans (environments of customers not in the list) and the\n" +
    "missing ones (customers of the list without anything in the cluster) are named too. Nothing is written.",
  usage: "sreda inventory [-n NAMESPACE] [--known ID,ID… | -f FILENAME] [options]",
  examples: [
    ["Every environment of the kubeconfig context's namespace", "sreda inventory"],
    ["Those of lms-dev, with the orphans and missing ones against a list", "sreda inventory -n lms-dev --known C42,C43,C44"],
    ["Against the customers of a fleet file, as JSON", "sreda inventory -f lms-dev.fleet.json -o json"],
  ],
  options: [
    {
      name: "known",
      type: "string",
      description: "The customers that should have an environment there, separated by commas (C42,C43): orphans and missing ones are named.",
    },
    { ...FLEET_FILENAME_OPTION, description: "A fleet file instead of --known: its namespace (unless -n) and its customers." },
    OUTPUT_OPTION,
  ],
  async run(ctx) {
    const { output, signal } = ctx;
    const target = await targetOf(ctx);
    const connection = await connect(ctx.values, ctx.io, target.apiRootUrl);
    const namespace = target.namespace ?? connection.target.namespace;
    if (namespace === undefined) throw new UsageError("no namespace: -n NAMESPACE (or a kubeconfig context with one, or -f FILENAME)");
    await checkNamespace(connection.kube, namespace, signal);
    const inventory = await readInventory(connection.kube, namespace, { now: Date.now(), signal, ...(target.known ? { known: target.known } : {}) });
    if (output.format === "json") output.document(inventory);
    else printInventory(output, inventory, target.known !== undefined);
    return EXIT_CODES.succeeded;
  },
};
