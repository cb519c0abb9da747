/**
 * Starting, inspecting and stopping the real control plane: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok on loopback, with their state (certificates, tokens, kubeconfigs, etcd data, logs,
 * state.json) in one folder. Every flag below matters (see ../README.md).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildStatus, realClusterHome, type Versions } from "./build.mjs";
import { httpRequest, kubeCall, KubeApiError, probe, type KubeTarget } from "./http.js";
import {
  bootstrapManifests,
  EDIT_SERVICE_ACCOUNT,
  FAIL_JOBS_LABEL,
  NAMESPACES,
  NODE_NAME,
  objectPath,
  SERVICE_ACCOUNT_NAMESPACE,
  VIEW_SERVICE_ACCOUNT,
} from "./manifests.js";
import { ensurePki, type PkiFiles } from "./pki.js";
import { exitOf, isRunning, startProcess, stopProcess, tail, type ProcessRecord } from "./process.js";

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

/** The ports of the measured setup; a busy one is replaced by a free one unless it was asked for explicitly. */
export const DEFAULT_PORTS: Readonly<Ports> = { etcdClient: 2379, etcdPeer: 2380, apiserver: 6443, controllerManager: 10257, scheduler: 10259, kwok: 10247 };

export type Identity = "admin" | "sredaEdit" | "sredaView";

export interface RealClusterState {
  schema: 1;
  status: "starting" | "running" | "stopped" | "failed";
  stateDir: string;
  binDir: string;
  versions: Versions;
  /** https://127.0.0.1:<port> */
  apiserverUrl: string;
  /** PEM file of the CA that signed the API server's certificate. */
  caFile: string;
  /** Bearer tokens: admin (system:masters), sreda-edit (ClusterRole edit in lms-dev and lms-prod), sreda-view (view). */
  tokens: Record<Identity, string>;
  tokenFiles: Record<Identity, string>;
  kubeconfigs: Record<Identity, string>;
  /** namespace/name of the two ServiceAccounts. */
  serviceAccounts: { edit: string; view: string };
  namespaces: string[];
  node: string;
  /** Label a namespace with it and its Jobs' pods end with exit code 1. */
  failJobsLabel: { key: string; value: string };
  ports: Ports;
  /** In start order. */
  processes: ProcessRecord[];
  startedAt: string;
  /** Seconds from the start command to each stage being ready. */
  timings: Record<string, number>;
  /** The kube-apiserver flags added by StartOptions.extraApiServerFlags, if any. */
  extraApiServerFlags?: string[];
}

export interface StartOptions {
  /** State folder (default SREDA_REAL_CLUSTER_STATE or `<home>/state`). */
  stateDir?: string;
  /** Root of the build cache and default state (default SREDA_REAL_CLUSTER_HOME or ~/.cache/sreda/real-cluster). */
  home?: string;
  /** Wipe the state folder first (new certificates, tokens and etcd data). */
  fresh?: boolean;
  /** Ports to use ("free": any free ones); a port given here fails the start when busy. */
  ports?: Partial<Ports> | "free";
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /**
   * More kube-apiserver flags, after the project's own (a later flag wins): a test's own control plane with
   * `--enable-priority-and-fairness=false --max-requests-inflight=1`, say. Used only when this start starts the
   * processes (a running control plane of the state folder is returned as it is).
   */
  extraApiServerFlags?: string[];
}

export interface StopOptions {
  stateDir?: string;
  home?: string;
  /** Delete the state folder afterwards. */
  wipe?: boolean;
  log?: (line: string) => void;
}

export interface RealClusterStatus {
  /** The binaries of the pinned versions are built (their stamp matches). */
  built: boolean;
  binDir?: string;
  versions: Versions;
  stateDir: string;
  /** state.json says running, every PID is alive and runs its binary, and /readyz answers ok. */
  running: boolean;
  state?: RealClusterState;
  /** Why it is not built or not running. */
  reason?: string;
}

const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE_NAME}`;
const KWOK_STAGES = fileURLToPath(new URL("../kwok/stages.yaml", import.meta.url));

const CONTROLLERS = [
  "job-controller",
  "deployment-controller",
  "replicaset-controller",
  "namespace-controller",
  "garbage-collector-controller",
  "serviceaccount-token-controller",
  "serviceaccount-controller",
  "root-ca-certificate-publisher-controller",
  "endpoints-controller",
  "endpointslice-controller",
  "pod-garbage-collector-controller",
  "ttl-after-finished-controller",
  "resourcequota-controller",
  // Aggregates the rules of edit, admin and view: without it they have none.
  "clusterrole-aggregation-controller",
  "cronjob-controller",
  "statefulset-controller",
  "daemonset-controller",
  "disruption-controller",
  // HorizontalPodAutoscalers: without a metrics server they report ScalingActive=False (FailedGetResourceMetric).
  "horizontal-pod-autoscaler-controller",
  "replicationcontroller-controller",
  // Removes the node.kubernetes.io/not-ready taint from the Ready kwok node: without it nothing is scheduled.
  "node-lifecycle-controller",
  "taint-eviction-controller",
];

/** Service-account tokens are asked for a year and re-issued when less than a week is left. */
const TOKEN_SECONDS = 365 * 24 * 3600;
const TOKEN_RENEW_SECONDS = 7 * 24 * 3600;

export function defaultStateDir(options: { home?: string } = {}, env: Record<string, string | undefined> = process.env): string {
  if (env["SREDA_REAL_CLUSTER_STATE"]) return path.resolve(env["SREDA_REAL_CLUSTER_STATE"]);
  return path.join(options.home ?? realClusterHome(env), "state");
}

function resolveStateDir(options: { stateDir?: string; home?: string }): string {
  return path.resolve(options.stateDir ?? defaultStateDir(options));
}

export function readState(stateDir: string): RealClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(stateDir, "state.json"), "utf8")) as RealClusterState;
  } catch {
    return undefined;
  }
}

function writeState(state: RealClusterState): void {
  const file = path.join(state.stateDir, "state.json");
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** The API server, its CA and the token of one identity of a state. */
export function clusterTarget(state: RealClusterState, identity: Identity = "admin"): KubeTarget {
  return { url: state.apiserverUrl, ca: fs.readFileSync(state.caFile, "utf8"), token: state.tokens[identity] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

/** One start or stop at a time per state folder (test files run in parallel): a lock file next to it. */
async function withLock<T>(stateDir: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const lock = `${stateDir}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(fs.readFileSync(lock, "utf8").trim() || "0");
      let alive = false;
      try {
        if (holder > 0) process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by PID ${holder} for more than ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    if (!taken.has(port)) return port;
  }
}

const PORT_NAMES: Record<keyof Ports, string> = {
  etcdClient: "etcd client",
  etcdPeer: "etcd peer",
  apiserver: "kube-apiserver",
  controllerManager: "kube-controller-manager",
  scheduler: "kube-scheduler",
  kwok: "kwok",
};

async function choosePorts(requested: StartOptions["ports"], previous: Ports | undefined, log: (line: string) => void): Promise<Ports> {
  const chosen = {} as Ports;
  const taken = new Set<number>();
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof Ports)[]) {
    const explicit = requested === "free" ? undefined : requested?.[key];
    let port = requested === "free" ? 0 : (explicit ?? previous?.[key] ?? DEFAULT_PORTS[key]);
    if (port !== 0 && (taken.has(port) || !(await portIsFree(port)))) {
      if (explicit !== undefined) throw new Error(`port ${port} (${PORT_NAMES[key]}) is busy on 127.0.0.1: free it or choose another one`);
      const replacement = await freePort(taken);
      log(`real-cluster: port ${port} (${PORT_NAMES[key]}) is busy, using ${replacement}`);
      port = replacement;
    }
    if (port === 0) port = await freePort(taken);
    chosen[key] = port;
    taken.add(port);
  }
  return chosen;
}

/** Static tokens (tokens.csv) of the admin and the components; kept across restarts. */
function ensureStaticTokens(stateDir: string): Record<"admin" | "controllerManager" | "scheduler" | "kwok", string> {
  const file = path.join(stateDir, "tokens.csv");
  const users = {
    admin: { user: "admin", groups: "system:masters" },
    controllerManager: { user: "system:kube-controller-manager", groups: "" },
    scheduler: { user: "system:kube-scheduler", groups: "" },
    kwok: { user: "kwok-controller", groups: "system:masters" },
  } as const;
  const existing = new Map<string, string>();
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const [token, user] = line.split(",");
      if (token && user) existing.set(user, token);
    }
  }
  const tokens = {} as Record<keyof typeof users, string>;
  for (const [key, { user }] of Object.entries(users) as [keyof typeof users, (typeof users)[keyof typeof users]][]) {
    tokens[key] = existing.get(user) ?? randomBytes(24).toString("hex");
  }
  const lines = (Object.entries(users) as [keyof typeof users, (typeof users)[keyof typeof users]][]).map(
    ([key, { user, groups }]) => `${tokens[key]},${user},${user}${groups ? `,"${groups}"` : ""}`,
  );
  fs.writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
  return tokens;
}

function writeKubeconfig(file: string, server: string, caFile: string, user: string, token: string, namespace?: string): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "sreda-real-cluster", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: "sreda-real-cluster", context: { cluster: "sreda-real-cluster", user, ...(namespace ? { namespace } : {}) } }],
    "current-context": "sreda-real-cluster",
  };
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/** Polls `check` until it is true; fails at once when the process it waits for has died, with its log's tail. */
async function waitFor(what: string, record: ProcessRecord | undefined, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (record) {
      const exit = exitOf(record.pid);
      if (exit) throw new Error(`${record.name} ${exit} while waiting for ${what}; the end of ${record.log}:\n${tail(record.log)}`);
    }
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not ready after ${timeoutMs / 1000} s${record ? `; the end of ${record.log}:\n${tail(record.log)}` : ""}`);
    }
    await sleep(100);
  }
}

async function tryGet<T>(target: KubeTarget, apiPath: string): Promise<T | undefined> {
  try {
    return await kubeCall<T>(target, "GET", apiPath);
  } catch {
    return undefined;
  }
}

async function apply(target: KubeTarget, obj: Record<string, any>): Promise<void> {
  await kubeCall(target, "PATCH", `${objectPath(obj)}?fieldManager=sreda-real-cluster&force=true`, obj, "application/apply-patch+yaml");
}

function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: number };
    return payload.exp;
  } catch {
    return undefined;
  }
}

/** A long-lived token of a ServiceAccount (TokenRequest); an existing one is kept while valid for a week more. */
async function serviceAccountToken(admin: KubeTarget, file: string, namespace: string, name: string): Promise<string> {
  if (fs.existsSync(file)) {
    const token = fs.readFileSync(file, "utf8").trim();
    const exp = jwtExpiry(token);
    if (exp !== undefined && exp - Date.now() / 1000 > TOKEN_RENEW_SECONDS) {
      const review = await kubeCall<{ status?: { authenticated?: boolean } }>(admin, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token },
      });
      if (review.status?.authenticated) return token;
    }
  }
  const answer = await kubeCall<{ status: { token: string } }>(admin, "POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: TOKEN_SECONDS },
  });
  fs.writeFileSync(file, `${answer.status.token}\n`, { mode: 0o600 });
  return answer.status.token;
}

async function apiserverReady(state: Pick<RealClusterState, "apiserverUrl" | "caFile">): Promise<boolean> {
  let ca: string;
  try {
    ca = fs.readFileSync(state.caFile, "utf8");
  } catch {
    return false;
  }
  return probe(`${state.apiserverUrl}/readyz`, { ca, check: (body) => body.trim() === "ok" });
}

/** Built? Running? Never starts or builds anything. */
export async function realClusterStatus(options: { stateDir?: string; home?: string } = {}): Promise<RealClusterStatus> {
  const stateDir = resolveStateDir(options);
  const build = buildStatus(options.home ? { home: options.home } : {});
  const state = readState(stateDir);
  const base = { built: build.built, versions: build.versions, stateDir, ...(build.binDir ? { binDir: build.binDir } : {}), ...(state ? { state } : {}) };
  let reason: string | undefined;
  if (!state) reason = `not started (no ${path.join(stateDir, "state.json")})`;
  else if (state.status !== "running") reason = `state.json says ${state.status}`;
  else {
    const dead = state.processes.filter((p) => !isRunning(p)).map((p) => `${p.name} (PID ${p.pid})`);
    if (dead.length > 0) reason = `not running: ${dead.join(", ")}`;
    else if (!(await apiserverReady(state))) reason = `${state.apiserverUrl}/readyz does not answer ok`;
  }
  if (reason === undefined) return { ...base, running: true };
  return { ...base, running: false, reason: build.built ? reason : `${build.reason}; ${reason}` };
}

async function stopProcesses(processes: ProcessRecord[], log: (line: string) => void): Promise<{ name: string; result: string }[]> {
  // Reverse start order; the three that only talk to the API server stop together, then the API server, then etcd.
  const reversed = [...processes].reverse();
  const clients = reversed.filter((p) => ["kwok", "kube-scheduler", "kube-controller-manager"].includes(p.name));
  const rest = reversed.filter((p) => !clients.includes(p));
  const results: { name: string; result: string }[] = [];
  const stopOne = async (p: ProcessRecord) => {
    const t0 = performance.now();
    const result = await stopProcess(p);
    results.push({ name: p.name, result });
    if (result !== "not running") log(`  ${p.name.padEnd(24)} ${result} (PID ${p.pid}, ${seconds(t0)} s)`);
  };
  await Promise.all(clients.map(stopOne));
  for (const p of rest) await stopOne(p);
  return results;
}

/** Starts the control plane (or returns the running one of this state folder) and waits until it is usable. */
export async function startRealCluster(options: StartOptions = {}): Promise<RealClusterState> {
  const log = options.log ?? (() => {});
  const stateDir = resolveStateDir(options);
  const t0 = performance.now();
  const build = buildStatus(options.home ? { home: options.home } : {});
  if (!build.built || !build.binDir) throw new Error(build.reason ?? "the real control plane is not built: npm run real-cluster:build");
  const binDir = build.binDir;

  return withLock(stateDir, async () => {
    if (!options.fresh) {
      const status = await realClusterStatus({ stateDir, ...(options.home ? { home: options.home } : {}) });
      if (status.running && status.state) {
        log(`real-cluster: already running (${status.state.apiserverUrl}, state ${stateDir})`);
        return status.state;
      }
    }
    const previous = readState(stateDir);
    if (previous) await stopProcesses(previous.processes, log);
    if (options.fresh) fs.rmSync(stateDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(stateDir, "logs"), { recursive: true, mode: 0o700 });
    fs.chmodSync(stateDir, 0o700);

    const ports = await choosePorts(options.ports, previous?.ports, log);
    const { files: pki, generated } = ensurePki(stateDir);
    if (generated.length > 0) log(`real-cluster: generated ${generated.join(", ")} in ${path.dirname(pki.caCert)}`);
    const staticTokens = ensureStaticTokens(stateDir);
    const url = `https://127.0.0.1:${ports.apiserver}`;
    const file = (name: string) => path.join(stateDir, name);
    writeKubeconfig(file("kcm.kubeconfig"), url, pki.caCert, "system:kube-controller-manager", staticTokens.controllerManager);
    writeKubeconfig(file("scheduler.kubeconfig"), url, pki.caCert, "system:kube-scheduler", staticTokens.scheduler);
    writeKubeconfig(file("kwok.kubeconfig"), url, pki.caCert, "kwok-controller", staticTokens.kwok);
    fs.copyFileSync(KWOK_STAGES, file("kwok-stages.yaml"));
    fs.mkdirSync(file("tokens"), { recursive: true, mode: 0o700 });

    const tokenFiles: Record<Identity, string> = {
      admin: file("tokens/admin.token"),
      sredaEdit: file("tokens/sreda-edit.token"),
      sredaView: file("tokens/sreda-view.token"),
    };
    const kubeconfigs: Record<Identity, string> = {
      admin: file("admin.kubeconfig"),
      sredaEdit: file("sreda-edit.kubeconfig"),
      sredaView: file("sreda-view.kubeconfig"),
    };
    fs.writeFileSync(tokenFiles.admin, `${staticTokens.admin}\n`, { mode: 0o600 });
    writeKubeconfig(kubeconfigs.admin, url, pki.caCert, "admin", staticTokens.admin);

    const state: RealClusterState = {
      schema: 1,
      status: "starting",
      stateDir,
      binDir,
      versions: build.versions,
      apiserverUrl: url,
      caFile: pki.caCert,
      tokens: { admin: staticTokens.admin, sredaEdit: "", sredaView: "" },
      tokenFiles,
      kubeconfigs,
      serviceAccounts: { edit: `${SERVICE_ACCOUNT_NAMESPACE}/${EDIT_SERVICE_ACCOUNT}`, view: `${SERVICE_ACCOUNT_NAMESPACE}/${VIEW_SERVICE_ACCOUNT}` },
      namespaces: [...NAMESPACES],
      node: NODE_NAME,
      failJobsLabel: { ...FAIL_JOBS_LABEL },
      ports,
      processes: [],
      startedAt: new Date().toISOString(),
      timings: {},
      ...(options.extraApiServerFlags?.length ? { extraApiServerFlags: [...options.extraApiServerFlags] } : {}),
    };
    writeState(state);
    const launch = (name: string, args: string[]): ProcessRecord => {
      const record = startProcess(name, path.join(binDir, name), args, { log: path.join(stateDir, "logs", `${name}.log`), cwd: stateDir });
      state.processes.push(record);
      writeState(state);
      return record;
    };
    const admin: KubeTarget = { url, ca: fs.readFileSync(pki.caCert, "utf8"), token: staticTokens.admin };

    try {
      const etcd = launch("etcd", etcdArgs(stateDir, ports));
      await waitFor(
        "etcd /health",
        etcd,
        () => probe(`http://127.0.0.1:${ports.etcdClient}/health`, { check: (body) => /"health":\s*"true"/.test(body) }),
        60_000,
      );
      state.timings["etcd"] = seconds(t0);
      log(`real-cluster: etcd ready (${state.timings["etcd"]} s)`);

      const apiserver = launch("kube-apiserver", [...apiserverArgs(stateDir, pki, ports), ...(options.extraApiServerFlags ?? [])]);
      await waitFor("kube-apiserver /readyz", apiserver, () => apiserverReady(state), 120_000);
      state.timings["kube-apiserver"] = seconds(t0);
      log(`real-cluster: kube-apiserver ready (${state.timings["kube-apiserver"]} s)`);

      // On a restart kwok finds the node's lease of its previous run and takes the node over only when it next
      // renews it (about 10 s, pods stay Pending meanwhile); without the old lease it does so at once.
      await kubeCall(admin, "DELETE", LEASE_PATH).catch((error: unknown) => {
        if (!(error instanceof KubeApiError && error.status === 404)) throw error;
      });
      const kcm = launch("kube-controller-manager", controllerManagerArgs(stateDir, pki, ports));
      const scheduler = launch("kube-scheduler", schedulerArgs(stateDir, ports));
      const kwok = launch("kwok", kwokArgs(stateDir, ports));

      // Namespaces and cluster-scoped objects first, then what lives in the namespaces.
      const objects = bootstrapManifests({ certPem: fs.readFileSync(pki.ingressCert, "utf8"), keyPem: fs.readFileSync(pki.ingressKey, "utf8") });
      const first = objects.filter((o) => !o.metadata.namespace);
      for (const obj of first) await apply(admin, obj);
      await Promise.all(objects.filter((o) => o.metadata.namespace).map((obj) => apply(admin, obj)));
      state.timings["objects"] = seconds(t0);

      const ready = (component: string, record: ProcessRecord, probeUrl: string) =>
        waitFor(`${component} ${probeUrl}`, record, () => probe(probeUrl, { insecure: true, check: (body) => body.trim() === "ok" }), 60_000).then(() => {
          state.timings[component] = seconds(t0);
        });
      await Promise.all([
        ready("kube-controller-manager", kcm, `https://127.0.0.1:${ports.controllerManager}/healthz`),
        ready("kube-scheduler", scheduler, `https://127.0.0.1:${ports.scheduler}/healthz`),
        ready("kwok", kwok, `http://127.0.0.1:${ports.kwok}/healthz`),
      ]);
      log(`real-cluster: kube-controller-manager, kube-scheduler and kwok healthy (${seconds(t0)} s)`);

      await Promise.all([
        // Ready, untainted, and kwok holding its lease (after a restart the stored status already says Ready).
        waitFor(
          `node ${NODE_NAME} Ready and schedulable`,
          kwok,
          async () => {
            const lease = await tryGet<{ spec?: { renewTime?: string } }>(admin, LEASE_PATH);
            return lease?.spec?.renewTime !== undefined && nodeSchedulable(await tryGet(admin, `/api/v1/nodes/${NODE_NAME}`));
          },
          90_000,
        ).then(() => {
          state.timings["node"] = seconds(t0);
        }),
        // The ServiceAccount admission plugin makes pods wait for their namespace's `default` ServiceAccount.
        ...NAMESPACES.map((ns) =>
          waitFor(
            `ServiceAccount ${ns}/default`,
            kcm,
            async () => (await tryGet(admin, `/api/v1/namespaces/${ns}/serviceaccounts/default`)) !== undefined,
            60_000,
          ),
        ),
        // edit and view are aggregated ClusterRoles: empty until the controller manager has filled them in.
        ...["edit", "view"].map((role) =>
          waitFor(
            `ClusterRole ${role} aggregated`,
            kcm,
            async () => ((await tryGet<{ rules?: unknown[] }>(admin, `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`))?.rules?.length ?? 0) > 0,
            60_000,
          ),
        ),
      ]);

      state.tokens.sredaEdit = await serviceAccountToken(admin, tokenFiles.sredaEdit, SERVICE_ACCOUNT_NAMESPACE, EDIT_SERVICE_ACCOUNT);
      state.tokens.sredaView = await serviceAccountToken(admin, tokenFiles.sredaView, SERVICE_ACCOUNT_NAMESPACE, VIEW_SERVICE_ACCOUNT);
      writeKubeconfig(kubeconfigs.sredaEdit, url, pki.caCert, EDIT_SERVICE_ACCOUNT, state.tokens.sredaEdit, NAMESPACES[0]);
      writeKubeconfig(kubeconfigs.sredaView, url, pki.caCert, VIEW_SERVICE_ACCOUNT, state.tokens.sredaView, NAMESPACES[0]);
      state.status = "running";
      state.timings["total"] = seconds(t0);
      writeState(state);
      return state;
    } catch (error) {
      log(`real-cluster: start failed, stopping what was started`);
      await stopProcesses(state.processes, log);
      state.status = "failed";
      writeState(state);
      throw error;
    }
  });
}

function nodeSchedulable(node: Record<string, any> | undefined): boolean {
  if (!node) return false;
  const ready = (node["status"]?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
  const taints: { key: string }[] = node["spec"]?.taints ?? [];
  return ready && !taints.some((t) => t.key.startsWith("node.kubernetes.io/"));
}

function etcdArgs(stateDir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    "--name=default",
    `--data-dir=${path.join(stateDir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

function apiserverArgs(stateDir: string, pki: PkiFiles, ports: Ports): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${ports.apiserver}`,
    // The reconciler would publish 127.0.0.1 as the `kubernetes` Service's endpoint, and Endpoints reject loopback.
    "--endpoint-reconciler-type=none",
    `--tls-cert-file=${pki.apiserverCert}`,
    `--tls-private-key-file=${pki.apiserverKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--token-auth-file=${path.join(stateDir, "tokens.csv")}`,
    "--authorization-mode=RBAC",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    "--profiling=false",
    // For the sreda-test-job-outcome MutatingAdmissionPolicy (beta in 1.35, off by default).
    "--feature-gates=MutatingAdmissionPolicy=true",
    "--runtime-config=admissionregistration.k8s.io/v1beta1=true",
  ];
}

function controllerManagerArgs(stateDir: string, pki: PkiFiles, ports: Ports): string[] {
  return [
    `--kubeconfig=${path.join(stateDir, "kcm.kubeconfig")}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${ports.controllerManager}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    "--use-service-account-credentials=true",
    "--leader-elect=false",
    `--controllers=${CONTROLLERS.join(",")}`,
  ];
}

function schedulerArgs(stateDir: string, ports: Ports): string[] {
  return [
    `--kubeconfig=${path.join(stateDir, "scheduler.kubeconfig")}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${ports.scheduler}`,
    "--leader-elect=false",
  ];
}

function kwokArgs(stateDir: string, ports: Ports): string[] {
  return [
    `--config=${path.join(stateDir, "kwok-stages.yaml")}`,
    `--kubeconfig=${path.join(stateDir, "kwok.kubeconfig")}`,
    "--manage-all-nodes=false",
    "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
    "--cidr=10.0.0.1/24",
    "--node-ip=10.0.0.1",
    "--node-lease-duration-seconds=40",
    `--server-address=127.0.0.1:${ports.kwok}`,
  ];
}

/** Stops the processes of a state folder by their PIDs (reverse order); idempotent. `wipe` deletes the folder. */
export async function stopRealCluster(options: StopOptions = {}): Promise<{ stopped: { name: string; result: string }[]; seconds: number }> {
  const log = options.log ?? (() => {});
  const stateDir = resolveStateDir(options);
  const t0 = performance.now();
  return withLock(stateDir, async () => {
    const state = readState(stateDir);
    const stopped = state ? await stopProcesses(state.processes, log) : [];
    if (options.wipe) {
      fs.rmSync(stateDir, { recursive: true, force: true });
    } else if (state) {
      state.status = "stopped";
      writeState(state);
    }
    return { stopped, seconds: seconds(t0) };
  });
}

/**
 * For tests: the running control plane of the (default) state folder, started first when it is built but not
 * running. Throws the reason (with the build command) when it is not built.
 */
export async function ensureRealCluster(options: StartOptions = {}): Promise<RealClusterState> {
  const status = await realClusterStatus(options);
  if (status.running && status.state) return status.state;
  if (!status.built) throw new Error(status.reason ?? "the real control plane is not built: npm run real-cluster:build");
  return startRealCluster(options);
}

/** The log files of a state, by process name. */
export function logFiles(state: RealClusterState): Record<string, string> {
  return Object.fromEntries(state.processes.map((p) => [p.name, p.log]));
}

export { httpRequest, kubeCall, KubeApiError };
