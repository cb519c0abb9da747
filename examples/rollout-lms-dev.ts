/**
 * A new image to every customer of a namespace through the bridge, as an operator in 1C would do it: the inventory
 * (who is there, in which phase), the customers the cluster lacks provisioned first, then one rollout — a canary
 * that must become Ready before the rest, two at a time — shown live customer by customer, and a drift check after.
 *
 *   npm start                                  # terminal 1: the bridge and the embedded fake cluster
 *   npx tsx examples/rollout-lms-dev.ts        # terminal 2
 *
 * Options (or environment variables): --bridge URL (SREDA_URL, default http://127.0.0.1:8787), --token T
 * (SREDA_TOKEN, default the development token), --cluster URL (SREDA_CLUSTER_URL, default the embedded fake
 * cluster http://127.0.0.1:8788), --cluster-token T (SREDA_CLUSTER_TOKEN, default sreda-dev-token), --customers
 * C42,C43,… (default C42–C46), --image IMAGE (default the request's image with the tag 2.0), --canary N (1),
 * --concurrency N (2), --max-failures N (1). Ctrl+C cancels the rollout. Exit code: 0 every customer rolled out
 * or up to date, 1 the rollout stopped or failed, 2 the bridge is not running, 130 cancelled.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createBridgeClient, type BridgeError, type BridgeOperation, type ProvisioningRequestBody, type RolloutRequestBody } from "@sreda/bridge/client";

const { values: args } = parseArgs({
  options: {
    bridge: { type: "string", default: process.env["SREDA_URL"] ?? "http://127.0.0.1:8787" },
    token: { type: "string", default: process.env["SREDA_TOKEN"] ?? "sreda-bridge-dev-token" },
    cluster: { type: "string", default: process.env["SREDA_CLUSTER_URL"] ?? "http://127.0.0.1:8788" },
    "cluster-token": { type: "string", default: process.env["SREDA_CLUSTER_TOKEN"] ?? "sreda-dev-token" },
    customers: { type: "string", default: "C42,C43,C44,C45,C46" },
    image: { type: "string" },
    canary: { type: "string", default: "1" },
    concurrency: { type: "string", default: "2" },
    "max-failures": { type: "string", default: "1" },
  },
});

const bridge = createBridgeClient({ baseUrl: args.bridge!, token: args.token! });
const customers = args.customers!.split(",").map((id) => id.trim());
const tty = process.stdout.isTTY === true;

/** The example customer's request (placeholders filled): what 1C holds for a customer of lms-dev. */
function customerRequest(clientId: string): ProvisioningRequestBody {
  const path = fileURLToPath(new URL("./requests/provision-c42.json", import.meta.url));
  const text = readFileSync(path, "utf8").replaceAll("${CLUSTER_URL}", args.cluster!).replaceAll("${CLUSTER_TOKEN}", args["cluster-token"]!);
  const request = JSON.parse(text) as ProvisioningRequestBody;
  return { ...request, client: { ...request.client, id: clientId } };
}

function fail(what: string, error: BridgeError): number {
  console.error(`${what}: ${error.code} — ${error.message}`);
  for (const p of error.details.problems ?? []) console.error(`  ${p.path}: ${p.message}`);
  return 1;
}

const final = (op: BridgeOperation) => ["succeeded", "failed", "cancelled", "interrupted"].includes(op.status);

async function waitFor(id: string, show: (op: BridgeOperation) => void): Promise<BridgeOperation> {
  for (;;) {
    const { data, error } = await bridge.GET("/v1/operations/{id}", { params: { path: { id } } });
    if (error) throw new Error(`${error.code}: ${error.message}`);
    show(data.operation);
    if (final(data.operation)) return data.operation;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The customers the cluster lacks, provisioned one by one (a rollout changes existing environments only). */
async function provisionMissing(missing: string[]): Promise<boolean> {
  for (const clientId of missing) {
    const started = await bridge.POST("/v1/provisionings", { body: customerRequest(clientId) });
    if (started.error) return fail(`Развёртывание ${clientId} не начато`, started.error) === 0;
    const op = await waitFor(started.data.operation.id, () => undefined);
    console.log(`  ${clientId}: развёртывание ${op.status}${op.environment ? ` — ${op.environment.summary}` : ""}`);
    if (op.status !== "succeeded") return false;
  }
  return true;
}

const STATE: Record<string, string> = {
  pending: "·",
  running: "▶",
  succeeded: "✔",
  "up-to-date": "=",
  failed: "✘",
  "not-started": "–",
  cancelled: "■",
};
let drawn = 0;
let lastEvent = 0;

function render(op: BridgeOperation): void {
  const rollout = op.rollout!;
  if (!tty) {
    for (const event of op.events.slice(lastEvent)) console.log(`${event.at.slice(11, 19)}  ${event.message}`);
    lastEvent = op.events.length;
    return;
  }
  const s = rollout.summary;
  const width = process.stdout.columns ?? 120;
  const lines = [
    `Раскатка в ${op.namespace}: ${op.status}${rollout.paused ? " (пауза)" : ""} — готово ${s.succeeded}, без изменений ${s.upToDate}, выполняется ${s.running}, ждут ${s.pending}, неудач ${s.failed}`,
    ...(rollout.waitingForRoom ? [`  ждёт места в кластере: ${rollout.waitingForRoom}`] : []),
    ...rollout.customers.map((c) => `  ${STATE[c.state] ?? "?"} ${c.clientId.padEnd(8)} ${c.canary ? "канарейка " : "          "}${c.message}`),
  ].map((line) => line.slice(0, width));
  if (drawn > 0) process.stdout.write(`\x1b[${drawn}F`);
  process.stdout.write(lines.map((l) => `\x1b[2K${l}`).join("\n") + "\n");
  drawn = lines.length;
}

async function main(): Promise<number> {
  if (!(await fetch(`${args.bridge}/healthz`).catch(() => undefined))?.ok) {
    console.error(`Мост не отвечает по адресу ${args.bridge}. Запустите его: npm start`);
    return 2;
  }
  const sample = customerRequest(customers[0]!);
  const cluster = { token: args["cluster-token"]! };
  const environment = { namespace: sample.environment.namespace, apiRootUrl: sample.environment.apiRootUrl };
  const inventory = await bridge.POST("/v1/fleet/inventory", { body: { environment, cluster, clientIds: customers } });
  if (inventory.error) return fail("Состояние сред не прочитано", inventory.error);
  console.log(`Среды в ${environment.namespace}: ${inventory.data.environments.map((e) => `${e.clientId} ${e.phase} (${e.image})`).join(", ") || "нет"}`);
  if (inventory.data.orphans.length > 0) console.log(`  в кластере, но не в списке: ${inventory.data.orphans.join(", ")}`);
  if (inventory.data.missing.length > 0) {
    console.log(`Разворачиваю отсутствующие: ${inventory.data.missing.join(", ")}`);
    if (!(await provisionMissing(inventory.data.missing))) return 1;
  }

  const image = args.image ?? (sample.environment.dockerImage ?? "lms/backend").replace(/:[^:/]+$/, "") + ":2.0";
  const { client: _client, secrets: _secrets, resume: _resume, ...shared } = sample;
  const body: RolloutRequestBody = {
    ...shared,
    environment: { ...sample.environment, dockerImage: image },
    customers: customers.map((id) => ({ client: customerRequest(id).client })),
    canary: Number(args.canary),
    concurrency: Number(args.concurrency),
    maxFailures: Number(args["max-failures"]),
  };
  console.log(`\nРаскатка образа ${image} на ${customers.length} клиентов\n`);
  const started = await bridge.POST("/v1/fleet/rollouts", { body });
  if (started.error) return fail("Раскатка не начата", started.error);
  const id = started.data.operation.id;
  let cancelling = false;
  process.on("SIGINT", () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    void bridge.POST("/v1/operations/{id}/cancel", { params: { path: { id } } });
  });
  const op = await waitFor(id, render);
  console.log(op.error ? `\n${op.status}: ${op.error.message}` : `\n${op.status}`);

  const drift = await bridge.POST("/v1/fleet/drift", { body: { ...shared, environment: body.environment, customers: body.customers } });
  if (drift.error) return fail("Расхождения не проверены", drift.error);
  console.log(`Расхождений с 1С: ${drift.data.drifted} из ${drift.data.customers.length}`);
  if (op.status === "cancelled") return 130;
  return op.status === "succeeded" ? 0 : 1;
}

process.exitCode = await main();
