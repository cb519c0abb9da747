/**
 * Provisions customer C42 through the bridge with the typed client and shows it happen: a live list of steps
 * (redrawn in a terminal, one line per change otherwise), then the environment's final status.
 *
 *   npm start                                 # terminal 1: the bridge and the embedded fake cluster
 *   npx tsx examples/provision-c42.ts         # terminal 2
 *
 * Options (or environment variables): --bridge URL (SREDA_URL, default http://127.0.0.1:8787), --token T
 * (SREDA_TOKEN, default the development token), --cluster URL (SREDA_CLUSTER_URL, default the embedded fake
 * cluster http://127.0.0.1:8788), --cluster-token T (SREDA_CLUSTER_TOKEN, default sreda-dev-token),
 * --request FILE (default examples/requests/provision-c42.json), --secrets-out FILE (write the secrets the bridge
 * generated for the new customer there, mode 600; by default they are only counted, never printed).
 * Ctrl+C cancels the provisioning.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createBridgeClient, type BridgeOperation, type ProvisioningRequestBody } from "@sreda/bridge/client";

const { values: args } = parseArgs({
  options: {
    bridge: { type: "string", default: process.env["SREDA_URL"] ?? "http://127.0.0.1:8787" },
    token: { type: "string", default: process.env["SREDA_TOKEN"] ?? "sreda-bridge-dev-token" },
    cluster: { type: "string", default: process.env["SREDA_CLUSTER_URL"] ?? "http://127.0.0.1:8788" },
    "cluster-token": { type: "string", default: process.env["SREDA_CLUSTER_TOKEN"] ?? "sreda-dev-token" },
    request: { type: "string", default: fileURLToPath(new URL("./requests/provision-c42.json", import.meta.url)) },
    "secrets-out": { type: "string" },
  },
});

/** The request files carry `${CLUSTER_URL}` and `${CLUSTER_TOKEN}` placeholders (envsubst syntax, for curl users too). */
function loadRequest(path: string): ProvisioningRequestBody {
  const text = readFileSync(path, "utf8").replaceAll("${CLUSTER_URL}", args.cluster!).replaceAll("${CLUSTER_TOKEN}", args["cluster-token"]!);
  return JSON.parse(text) as ProvisioningRequestBody;
}

const tty = process.stdout.isTTY === true;
const ICON: Record<string, string> = {
  pending: "·",
  running: "▶",
  created: "✔",
  updated: "✔",
  unchanged: "=",
  failed: "✘",
  skipped: "–",
  cancelled: "■",
};
let drawn = 0;
let lastEvent = 0;

function render(op: BridgeOperation): void {
  if (!tty) {
    // Not a terminal: print what is new, one line each.
    for (const event of op.events.slice(lastEvent)) console.log(`${event.at.slice(11, 19)}  ${event.message}`);
    lastEvent = op.events.length;
    return;
  }
  const done = op.steps.filter((s) => !["pending", "running"].includes(s.status)).length;
  const width = 24;
  const filled = Math.round((done / Math.max(1, op.steps.length)) * width);
  const lines = [
    `Развёртывание ${op.clientId} в ${op.namespace}: ${op.status} (${op.stage})  [${"█".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${op.steps.length}`,
    ...op.steps.map((s) => `  ${ICON[s.status] ?? "?"} ${s.id.padEnd(22)} ${s.kind.padEnd(10)} ${s.message}`.slice(0, process.stdout.columns ?? 120)),
    `  среда: ${op.environment ? `${op.environment.phase} — ${op.environment.summary}` : "—"}`.slice(0, process.stdout.columns ?? 120),
  ];
  if (drawn > 0) process.stdout.write(`\x1b[${drawn}F`);
  process.stdout.write(lines.map((l) => `\x1b[2K${l}`).join("\n") + "\n");
  drawn = lines.length;
}

const bridge = createBridgeClient({ baseUrl: args.bridge!, token: args.token! });

async function main(): Promise<number> {
  const body = loadRequest(args.request!);
  const health = await fetch(`${args.bridge}/healthz`).catch(() => undefined);
  if (!health?.ok) {
    console.error(`Мост не отвечает по адресу ${args.bridge}. Запустите его: npm start`);
    return 2;
  }

  // What will change, before changing it.
  const preview = await bridge.POST("/v1/plans", { body: { ...body, diff: true } });
  if (preview.error) {
    console.error(`План не построен: ${preview.error.code} — ${preview.error.message}`);
    for (const p of preview.error.details.problems ?? []) console.error(`  ${p.path}: ${p.message}`);
    return 1;
  }
  const counts = new Map<string, number>();
  for (const d of preview.data.diff ?? []) counts.set(d.action, (counts.get(d.action) ?? 0) + 1);
  console.log(`План: ${preview.data.plan.steps.length} объектов (${[...counts].map(([a, n]) => `${a}: ${n}`).join(", ")})\n`);

  const started = await bridge.POST("/v1/provisionings", { body });
  let id: string;
  if (started.error) {
    const running = started.error.details["operationId"];
    if (started.response.status !== 409 || typeof running !== "string") {
      console.error(`Развёртывание не начато: ${started.error.code} — ${started.error.message}`);
      for (const p of started.error.details.problems ?? []) console.error(`  ${p.path}: ${p.message}`);
      return 1;
    }
    console.log(`Уже идёт развёртывание ${running}: показываю его.\n`);
    id = running;
  } else {
    id = started.data.operation.id;
  }

  let cancelling = false;
  process.on("SIGINT", () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    void bridge.POST("/v1/provisionings/{id}/cancel", { params: { path: { id } } });
  });

  for (;;) {
    const { data, error } = await bridge.GET("/v1/provisionings/{id}", { params: { path: { id } } });
    if (error) {
      console.error(`Операция ${id}: ${error.code} — ${error.message}`);
      return 1;
    }
    const op = data.operation;
    if (op.secrets) {
      // Handed out once: whoever reads them first must keep them (1C stores them with the customer).
      if (args["secrets-out"]) writeFileSync(args["secrets-out"], `${JSON.stringify(op.secrets, null, 2)}\n`, { mode: 0o600 });
      const where = args["secrets-out"] ? `сохранены в ${args["secrets-out"]}` : "не показаны (--secrets-out FILE, чтобы сохранить)";
      const line = `Получены секреты клиента (${Object.keys(op.secrets).join(", ")}): ${where}`;
      if (tty) drawn = 0;
      console.log(line);
    }
    render(op);
    if (["succeeded", "failed", "cancelled", "interrupted"].includes(op.status)) {
      console.log(`\nИтог: ${op.status}${op.error ? ` — ${op.error.code}: ${op.error.message}` : ""}`);
      for (const reason of op.environment?.reasons.slice(0, 5) ?? [])
        console.log(`  ${reason.phase} ${reason.kind} ${reason.name}: ${reason.reason} — ${reason.message}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const status = await bridge.POST("/v1/environments/status", {
    body: { environments: [{ client: { id: body.client.id }, environment: body.environment, cluster: body.cluster }] },
  });
  const item = status.data?.environments[0];
  console.log(`\nСостояние среды сейчас: ${item?.status ? `${item.status.phase} — ${item.status.summary}` : (item?.error?.message ?? status.error?.message)}`);
  return 0;
}

process.exitCode = await main();
