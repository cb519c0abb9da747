/**
 * npm run real-cluster:start [-- --fresh] [-- --state DIR] [-- --port N] [-- --free-ports] [-- --apiserver-flag=--FLAG=VALUE …]
 *
 * Starts the real control plane (see ../README.md), waits until it is usable and prints where everything is.
 * On an existing state folder it reuses the certificates, tokens and etcd data; --fresh wipes the folder first.
 * --port sets the API server's port (fails when busy); without it 6443 is used, or a free port when 6443 is busy.
 * --apiserver-flag (repeatable) adds a kube-apiserver flag, e.g. --apiserver-flag=--max-requests-inflight=1.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { startRealCluster } from "./cluster.js";

const { values } = parseArgs({
  options: {
    state: { type: "string" },
    fresh: { type: "boolean", default: false },
    port: { type: "string" },
    "free-ports": { type: "boolean", default: false },
    "apiserver-flag": { type: "string", multiple: true, default: [] },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log("usage: npm run real-cluster:start -- [--fresh] [--state DIR] [--port N] [--free-ports] [--apiserver-flag=--FLAG=VALUE …]");
  process.exit(0);
}

const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`real-cluster: --port takes a port number, not ${values.port}`);
  process.exit(2);
}

try {
  const t0 = performance.now();
  const state = await startRealCluster({
    ...(values.state ? { stateDir: values.state } : {}),
    fresh: values.fresh,
    ports: values["free-ports"] ? "free" : port !== undefined ? { apiserver: port } : {},
    log: (line) => console.log(line),
    ...(values["apiserver-flag"].length > 0 ? { extraApiServerFlags: values["apiserver-flag"] } : {}),
  });
  const dir = state.stateDir;
  const rel = (file: string) => path.relative(dir, file);
  const stopCommand = `npm run real-cluster:stop${values.state ? ` -- --state ${values.state}` : ""}`;
  console.log(
    [
      `Kubernetes ${state.versions.kubernetes} (etcd ${state.versions.etcd}, kwok ${state.versions.kwok}) ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      `  API server:   ${state.apiserverUrl}   CA: ${state.caFile}`,
      `  state:        ${dir}   (state.json, logs/, etcd/)`,
      `  tokens:       ${path.dirname(state.tokenFiles.admin)}/  admin.token (system:masters), sreda-edit.token (edit in ${state.namespaces.join(", ")}), sreda-view.token (view)`,
      `  kubeconfigs:  ${rel(state.kubeconfigs.admin)}, ${rel(state.kubeconfigs.sredaEdit)}, ${rel(state.kubeconfigs.sredaView)}   e.g. kubectl --kubeconfig ${state.kubeconfigs.admin} get nodes`,
      `  node:         ${state.node} (rarus=lms); namespaces ${state.namespaces.join(", ")} with Secrets repository-token and tls`,
      `  PIDs:         ${state.processes.map((p) => `${p.name} ${p.pid}`).join(", ")}`,
      `  bridge:       NODE_EXTRA_CA_CERTS=${state.caFile} SREDA_ALLOWED_CLUSTERS=${state.apiserverUrl} npm start`,
      `  then:         npx tsx examples/provision-c42.ts --cluster ${state.apiserverUrl} --cluster-token "$(cat ${state.tokenFiles.sredaEdit})"`,
      `  stop:         ${stopCommand}   (-- --wipe also deletes the state)`,
    ].join("\n"),
  );
} catch (error) {
  console.error(`real-cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
