/**
 * The scheduler and the kubelet, simulated on the virtual clock. Each pod goes through what a real node does
 * and reports it the way the kubelet does (status, conditions, container states, Events, logs):
 *
 *   schedule (Scheduled | FailedScheduling/Unschedulable)
 *   → mount volumes (FailedMount while a secret/configMap volume is missing, ContainerCreating)
 *   → per container: pull (Pulling/Pulled | ErrImagePull ⇄ ImagePullBackOff with back-off)
 *     → container config (CreateContainerConfigError while an env/envFrom Secret or ConfigMap is missing;
 *       recovers when it appears) → Created/Started → Running, Ready after the readiness delay
 *     → per scenario: keeps running | exits 0 | exits 1 | crashes (CrashLoopBackOff with back-off 10s…5m,
 *       lastState.terminated, restartCount) | never becomes ready (Unhealthy events)
 *   → on delete: containers stopped after `timings.terminate`, then the pod is removed.
 *
 * Capacity: with `maxPodsPerNode` a node takes that many pods that have not finished (the kubelet's --max-pods);
 * a pod no node has room for stays Pending ("Too many pods", the scheduler's words) and is tried again with the
 * scheduler's back-off (1 s doubling to 10 s) and at once when a pod ends, is deleted, or the capacity grows.
 *
 * Not simulated: init containers (they are treated like app containers would not be: skipped), resource
 * limits and OOM, liveness probes, node affinity matching (`schedulable` decides for all pods), eviction.
 */
import type { Controller, ControllerManager, EventRecorder } from "./controllers.js";
import { keyOf, parseKey, rtOf } from "./controllers.js";
import type { Random } from "./random.js";
import type { Registry } from "./registry.js";
import { badRequest } from "./status.js";
import type { Store, StoreEvent } from "./store.js";
import { deepCopy, deepEqual, fnv32a, isRecord, rfc3339, type Obj } from "./util.js";
import { qosClass } from "./defaults.js";

export type PodScenario = "run" | "succeed" | "fail" | "crash" | "pull-error" | "never-ready";

export interface Timings {
  /** Pod created → scheduled (ms). */
  schedule: number;
  /** Image pull duration. */
  pull: number;
  /** Container created → started. */
  start: number;
  /** Started → ready, for containers with a readiness probe (at least the probe's initialDelaySeconds). */
  ready: number;
  /** How long a Job's container runs before it exits. */
  jobRun: number;
  /** How long a crashing container runs before it exits 1. */
  crash: number;
  /** Graceful deletion: how long stopping containers takes (capped by the grace period). */
  terminate: number;
}

export const DEFAULT_TIMINGS: Timings = { schedule: 500, pull: 1500, start: 500, ready: 2000, jobRun: 3000, crash: 1000, terminate: 1000 };

interface LogLine {
  at: number;
  line: string;
}

interface Run {
  startedAt: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  containerID: string;
  logs: LogLine[];
}

type Step = "pull" | "pulling" | "pull-failed" | "pull-backoff" | "config" | "creating" | "running" | "crash-backoff" | "terminated" | "stopped";

interface ContainerSim {
  name: string;
  image: string;
  scenario: PodScenario;
  step: Step;
  nextAt?: number;
  waiting: { reason: string; message?: string };
  current?: Run;
  last?: Run;
  restartCount: number;
  ready: boolean;
  readyAt?: number;
  started: boolean;
  pullBackoff: number;
  crashBackoff: number;
  imageID?: string;
  unhealthyAt?: number;
  configError?: string;
}

interface PodSim {
  uid: string;
  stage: "schedule" | "unschedulable" | "mount" | "containers" | "stopped";
  nextAt?: number;
  node?: string;
  hostIP?: string;
  podIP?: string;
  startTime?: number;
  mountBackoff: number;
  mountError?: string;
  /** Unschedulable for lack of room (tried again), and the scheduler's message. */
  waitingForRoom?: { message: string; backoff: number };
  containers: ContainerSim[];
  stopAt?: number;
  stopped: boolean;
}

interface KubeletDeps {
  store: Store;
  registry: Registry;
  events: EventRecorder;
  manager: ControllerManager;
  now(): number;
  random: Random;
  timings: Timings;
  schedulable: boolean;
  maxPodsPerNode?: number | undefined;
  scenario(pod: Obj, container: Obj): PodScenario;
}

const NODES = [
  { name: "worker-1", ip: "10.66.139.21" },
  { name: "worker-2", ip: "10.66.139.22" },
  { name: "worker-3", ip: "10.66.139.23" },
];

const MAX_BACKOFF = 300_000;
/** The scheduler's back-off for a pod it could not place (podInitialBackoffSeconds 1, podMaxBackoffSeconds 10). */
const SCHEDULE_BACKOFF = { initial: 1_000, max: 10_000 };

/** The scheduler's FailedScheduling message when no node has room for one more pod (kube-scheduler 1.35's words). */
function tooManyPods(nodes: number): string {
  return `0/${nodes} nodes are available: ${nodes} Too many pods. no new claims to deallocate, preemption: 0/${nodes} nodes are available: ${nodes} No preemption victims found for incoming pod.`;
}

/** Its message when the cluster takes no pod at all (`schedulable: false`). */
function noNode(pod: Obj): string {
  const why =
    pod.spec?.affinity?.nodeAffinity || pod.spec?.nodeSelector
      ? "3 node(s) didn't match Pod's node affinity/selector"
      : "3 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }";
  return `0/3 nodes are available: ${why}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`;
}

/** How a container runtime reports an image reference: registry and tag made explicit. */
function normalizeImage(image: string): string {
  let name = image;
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  if (!(first.includes(".") || first.includes(":") || first === "localhost")) name = `docker.io/${slash < 0 ? "library/" : ""}${name}`;
  const tail = name.slice(name.lastIndexOf("/"));
  if (!tail.includes(":") && !tail.includes("@")) name += ":latest";
  return name;
}

function digest(text: string): string {
  let out = "";
  for (let i = 0; out.length < 64; i++) out += fnv32a(`${i}:${text}`).toString(16).padStart(8, "0");
  return out.slice(0, 64);
}

function imageID(image: string): string {
  const normalized = normalizeImage(image);
  const repo = normalized.replace(/[:@][^/]*$/, "");
  return `${repo}@sha256:${digest(normalized)}`;
}

function containerEnv(container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of Array.isArray(container.env) ? container.env : []) if (isRecord(e) && typeof e.value === "string") env[String(e.name)] = e.value;
  return env;
}

function substitute(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare!;
      return env[name] ?? fallback ?? whole;
    },
  );
}

function scriptOf(container: Obj): string {
  return [...(Array.isArray(container.command) ? container.command : []), ...(Array.isArray(container.args) ? container.args : [])].join("\n");
}

/** Default log lines of a container run, by scenario; shaped like what the image would print. */
function defaultLogs(container: Obj, scenario: PodScenario, phase: "start" | "end"): string[] {
  const env = containerEnv(container);
  const image = String(container.image ?? "");
  const script = scriptOf(container);
  const port = container.ports?.[0]?.containerPort ?? 8080;
  if (phase === "start") {
    if (scenario === "run" || scenario === "never-ready") return [`Starting ${container.name} (${image})`, `Listening on :${port}`];
    if (scenario === "crash") return [`Starting ${container.name} (${image})`];
    return [];
  }
  if (scenario === "succeed") {
    const echoes = [...script.matchAll(/^\s*echo\s+(?:"([^"]*)"|'([^']*)'|(.+))\s*$/gm)].map((m) => substitute(m[1] ?? m[2] ?? m[3] ?? "", env));
    return echoes.length > 0 ? echoes : ["done"];
  }
  if (scenario === "fail") {
    if (/postgres|psql/i.test(`${image} ${script}`)) {
      const host = env.POSTGRES_HOST ?? env.PGHOST ?? "postgres";
      const pgPort = env.POSTGRES_PORT ?? env.PGPORT ?? "5432";
      return [
        `psql: error: connection to server at "${host}" (10.43.18.42), port ${pgPort} failed: Connection refused`,
        "\tIs the server running on that host and accepting TCP/IP connections?",
      ];
    }
    if (/clickhouse/i.test(`${image} ${script}`)) {
      const host = env.CLICKHOUSE_HOST ?? "clickhouse";
      return [`Code: 210. DB::NetException: Connection refused (${host}:${env.CLICKHOUSE_PORT ?? "9000"}). (NETWORK_ERROR)`];
    }
    return ["Error: exit status 1"];
  }
  if (scenario === "crash")
    return [
      `panic: dial tcp 10.43.18.42:5432: connect: connection refused`,
      "",
      "goroutine 1 [running]:",
      "main.main()",
      "\t/src/cmd/server/main.go:42 +0x1d4",
      "exit status 2",
    ];
  return [];
}

export class Kubelet implements Controller {
  readonly name = "kubelet";
  private readonly sims = new Map<string, PodSim>();
  private readonly pulled = new Set<string>();
  private readonly customLogs = new Map<string, LogLine[]>();
  private ipCounter = 10;
  private readonly podRt = rtOf("Pod");
  private readonly secretRt = rtOf("Secret");
  private readonly configMapRt = rtOf("ConfigMap");

  constructor(private readonly deps: KubeletDeps) {
    deps.registry.podStopped = (uid) => this.sims.get(uid)?.stopped === true;
  }

  keysFor(event: StoreEvent): readonly string[] {
    const kind = event.rt.kind;
    if (kind === "Pod") {
      const phase = event.object.status?.phase;
      const freed = event.type === "DELETED" || phase === "Succeeded" || phase === "Failed";
      return freed ? [keyOf(event.object), ...this.waitingForRoom()] : [keyOf(event.object)];
    }
    if ((kind === "Secret" || kind === "ConfigMap") && event.type !== "DELETED") {
      // Pods waiting for this Secret/ConfigMap retry now.
      const namespace = event.object.metadata.namespace;
      const keys: string[] = [];
      for (const pod of this.deps.store.list(this.podRt, namespace)) {
        const sim = this.sims.get(String(pod.metadata.uid));
        if (sim && (sim.mountError !== undefined || sim.containers.some((c) => c.configError !== undefined))) keys.push(keyOf(pod));
      }
      return keys;
    }
    return [];
  }

  reconcile(key: string): void {
    const { namespace, name } = parseKey(key);
    const pod = this.deps.store.get(this.podRt, namespace, name);
    if (!pod) {
      for (const [uid, sim] of this.sims) if (!this.deps.store.getByUid(uid) && sim) this.sims.delete(uid);
      return;
    }
    const uid = String(pod.metadata.uid);
    let sim = this.sims.get(uid);
    if (!sim) {
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
      sim = this.newSim(pod);
      this.sims.set(uid, sim);
    }
    const now = this.deps.now();
    this.step(pod, sim, now);
    const fresh = this.deps.store.get(this.podRt, namespace, name);
    if (!fresh || fresh.metadata.uid !== uid) return;
    this.writeStatus(fresh, sim, now);
    if (sim.stopped) {
      const current = this.deps.store.get(this.podRt, namespace, name);
      if (current) this.deps.registry.finalize(this.podRt, current);
    }
    const wake = this.nextWake(sim);
    if (wake !== undefined) this.deps.manager.wakeAt(this, key, wake);
  }

  /** A node's capacity changed: the pods waiting for room are tried now. */
  setMaxPodsPerNode(pods: number | undefined): void {
    this.deps.maxPodsPerNode = pods;
    for (const key of this.waitingForRoom()) this.deps.manager.wakeAt(this, key, this.deps.now());
  }

  private waitingForRoom(): string[] {
    const keys: string[] = [];
    for (const [uid, sim] of this.sims) {
      const pod = sim.waitingForRoom ? this.deps.store.getByUid(uid) : undefined;
      if (pod) keys.push(keyOf(pod));
    }
    return keys;
  }

  /** A node with room for one more pod (the pods bound to it that have not finished), at random; undefined when none. */
  private nodeWithRoom(): (typeof NODES)[number] | undefined {
    const max = this.deps.maxPodsPerNode;
    if (max === undefined) return NODES[this.deps.random.int(NODES.length)]!;
    const load = new Map<string, number>();
    for (const sim of this.sims.values()) {
      const finished = sim.containers.length > 0 && sim.containers.every((c) => c.step === "terminated" && c.current?.finishedAt !== undefined);
      if (sim.node !== undefined && !sim.stopped && !finished) load.set(sim.node, (load.get(sim.node) ?? 0) + 1);
    }
    const open = NODES.filter((n) => (load.get(n.name) ?? 0) < max);
    return open.length === 0 ? undefined : open[this.deps.random.int(open.length)]!;
  }

  private newSim(pod: Obj): PodSim {
    const containers: ContainerSim[] = (pod.spec?.containers ?? []).map((c: Obj): ContainerSim => ({
      name: String(c.name),
      image: String(c.image),
      scenario: this.deps.scenario(pod, c),
      step: "pull",
      waiting: { reason: "ContainerCreating" },
      restartCount: 0,
      ready: false,
      started: false,
      pullBackoff: 10_000,
      crashBackoff: 10_000,
    }));
    return {
      uid: String(pod.metadata.uid),
      stage: "schedule",
      nextAt: this.deps.now() + this.deps.timings.schedule,
      mountBackoff: 2_000,
      containers,
      stopped: false,
    };
  }

  private nextWake(sim: PodSim): number | undefined {
    if (sim.stage === "stopped" || (sim.stage === "unschedulable" && !sim.waitingForRoom)) return undefined;
    const times: number[] = [];
    if (sim.stopAt !== undefined) times.push(sim.stopAt);
    if (sim.stage !== "containers") {
      if (sim.nextAt !== undefined) times.push(sim.nextAt);
    } else {
      for (const c of sim.containers) {
        if (c.nextAt !== undefined) times.push(c.nextAt);
        if (c.readyAt !== undefined && !c.ready) times.push(c.readyAt);
        if (c.unhealthyAt !== undefined) times.push(c.unhealthyAt);
      }
    }
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  private event(pod: Obj, type: "Normal" | "Warning", reason: string, message: string, component = "kubelet", fieldPath?: string): void {
    const source = component === "kubelet" && pod.spec?.nodeName ? { component, host: String(pod.spec.nodeName) } : { component };
    this.deps.events.record(this.podRt, pod, type, reason, message, source, fieldPath);
  }

  private step(pod: Obj, sim: PodSim, now: number): void {
    const t = this.deps.timings;
    if (pod.metadata.deletionTimestamp !== undefined && sim.stage !== "stopped") {
      if (sim.stage === "schedule" || sim.stage === "unschedulable") {
        sim.stage = "stopped";
        sim.stopped = true;
        return;
      }
      const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
      sim.stopAt ??= now + Math.min(grace, t.terminate);
      if (now >= sim.stopAt) {
        this.stopAll(sim, now);
        return;
      }
    }
    if (sim.stage === "schedule" || (sim.stage === "unschedulable" && sim.waitingForRoom)) {
      if (now < (sim.nextAt ?? now)) return;
      const node = this.deps.schedulable ? this.nodeWithRoom() : undefined;
      if (!node) {
        this.unschedulable(pod, sim, now);
        return;
      }
      sim.waitingForRoom = undefined;
      sim.node = node.name;
      sim.hostIP = node.ip;
      const bound = deepCopy(pod);
      bound.spec.nodeName = node.name;
      // pods/binding: the scheduler sets nodeName without a managedFields entry of its own.
      const updated = this.deps.registry.update(this.podRt, pod, bound, { manager: "kube-scheduler", fieldValidation: "Strict", untracked: true });
      this.event(updated, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.name}`, "default-scheduler");
      sim.stage = "mount";
      sim.nextAt = now;
      sim.startTime = now;
      pod = updated;
    }
    if (sim.stage === "mount") {
      if (now < (sim.nextAt ?? now) && sim.mountError === undefined) return;
      const missing = this.missingVolume(pod);
      if (missing) {
        if (sim.mountError === undefined || now >= (sim.nextAt ?? now)) {
          this.event(pod, "Warning", "FailedMount", missing);
          sim.nextAt = now + sim.mountBackoff;
          sim.mountBackoff = Math.min(sim.mountBackoff * 2, 122_000);
        }
        sim.mountError = missing;
        return;
      }
      sim.mountError = undefined;
      sim.stage = "containers";
      sim.podIP = `10.42.${NODES.findIndex((n) => n.name === sim.node) + 1}.${this.ipCounter++ % 250}`;
      const missingPullSecrets = (pod.spec?.imagePullSecrets ?? [])
        .map((s: Obj) => String(s.name))
        .filter((n: string) => !this.deps.store.get(this.secretRt, pod.metadata.namespace, n));
      if (missingPullSecrets.length > 0) {
        this.event(
          pod,
          "Warning",
          "FailedToRetrieveImagePullSecret",
          `Unable to retrieve some image pull secrets (${missingPullSecrets.join(", ")}); attempting to pull the image may not succeed.`,
        );
      }
      for (const c of sim.containers) c.nextAt = now;
    }
    if (sim.stage === "containers") {
      const specs: Obj[] = pod.spec?.containers ?? [];
      for (const c of sim.containers) {
        const spec = specs.find((s) => s.name === c.name);
        if (spec) this.stepContainer(pod, sim, c, spec, now);
      }
    }
  }

  private fieldPath(c: ContainerSim): string {
    return `spec.containers{${c.name}}`;
  }

  private stepContainer(pod: Obj, sim: PodSim, c: ContainerSim, spec: Obj, now: number): void {
    const t = this.deps.timings;
    const fp = this.fieldPath(c);
    const restartPolicy = String(pod.spec?.restartPolicy ?? "Always");
    for (let guard = 0; guard < 20; guard++) {
      if (c.step === "config" && c.configError !== undefined) {
        // Retried on every sync: a Secret appearing lets the container start right away.
      } else if (c.nextAt === undefined || now < c.nextAt) {
        if (c.step === "running") this.runningChecks(pod, sim, c, spec, now);
        return;
      }
      switch (c.step) {
        case "pull": {
          const policy = String(spec.imagePullPolicy ?? "IfNotPresent");
          if (policy !== "Always" && this.pulled.has(c.image) && c.scenario !== "pull-error") {
            this.event(pod, "Normal", "Pulled", `Container image "${c.image}" already present on machine`, "kubelet", fp);
            c.step = "config";
            c.nextAt = now;
          } else {
            this.event(pod, "Normal", "Pulling", `Pulling image "${c.image}"`, "kubelet", fp);
            c.step = "pulling";
            c.nextAt = now + t.pull;
          }
          break;
        }
        case "pulling": {
          if (c.scenario === "pull-error") {
            const error = this.pullError(c.image);
            c.waiting = { reason: "ErrImagePull", message: error };
            this.event(pod, "Warning", "Failed", `Failed to pull image "${c.image}": ${error}`, "kubelet", fp);
            this.event(pod, "Warning", "Failed", "Error: ErrImagePull", "kubelet", fp);
            c.step = "pull-failed";
            c.nextAt = now + 1000;
          } else {
            this.pulled.add(c.image);
            c.imageID = imageID(c.image);
            const seconds = (t.pull / 1000).toFixed(3).replace(/\.?0+$/, "");
            this.event(
              pod,
              "Normal",
              "Pulled",
              `Successfully pulled image "${c.image}" in ${seconds}s (${seconds}s including waiting). Image size: ${52_000_000 + (fnv32a(c.image) % 400_000_000)} bytes.`,
              "kubelet",
              fp,
            );
            c.step = "config";
            c.nextAt = now;
          }
          break;
        }
        case "pull-failed": {
          c.waiting = { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}": ErrImagePull: ${this.pullError(c.image)}` };
          this.event(pod, "Normal", "BackOff", `Back-off pulling image "${c.image}"`, "kubelet", fp);
          this.event(pod, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", fp);
          c.step = "pull-backoff";
          c.nextAt = now + c.pullBackoff;
          c.pullBackoff = Math.min(c.pullBackoff * 2, MAX_BACKOFF);
          break;
        }
        case "pull-backoff":
          c.step = "pull";
          c.nextAt = now;
          break;
        case "config": {
          const error = this.missingConfig(pod, spec);
          if (error !== undefined) {
            if (c.configError === undefined || now >= (c.nextAt ?? now)) {
              this.event(pod, "Warning", "Failed", `Error: ${error}`, "kubelet", fp);
              c.nextAt = now + 10_000;
            }
            c.configError = error;
            c.waiting = { reason: "CreateContainerConfigError", message: error };
            return;
          }
          c.configError = undefined;
          c.step = "creating";
          c.nextAt = now + t.start;
          break;
        }
        case "creating": {
          this.event(pod, "Normal", "Created", `Created container: ${c.name}`, "kubelet", fp);
          this.event(pod, "Normal", "Started", `Started container ${c.name}`, "kubelet", fp);
          c.current = { startedAt: now, containerID: `containerd://${this.deps.random.hex(64)}`, logs: [] };
          c.imageID ??= imageID(c.image);
          this.appendLogs(pod, c, spec, "start", now);
          c.started = true;
          c.step = "running";
          const probe = spec.readinessProbe;
          c.readyAt = c.scenario === "never-ready" ? undefined : now + (isRecord(probe) ? Math.max(t.ready, Number(probe.initialDelaySeconds ?? 0) * 1000) : 0);
          if (c.scenario === "never-ready" && isRecord(probe)) c.unhealthyAt = now + Math.max(Number(probe.initialDelaySeconds ?? 0) * 1000, 1000);
          c.nextAt = c.scenario === "succeed" || c.scenario === "fail" ? now + t.jobRun : c.scenario === "crash" ? now + t.crash : undefined;
          this.runningChecks(pod, sim, c, spec, now);
          break;
        }
        case "running": {
          // The process exits.
          const exitCode = c.scenario === "succeed" ? 0 : 1;
          this.appendLogs(pod, c, spec, "end", now);
          c.current = { ...c.current!, finishedAt: now, exitCode, reason: exitCode === 0 ? "Completed" : "Error" };
          c.ready = false;
          c.readyAt = undefined;
          c.unhealthyAt = undefined;
          const restart = restartPolicy === "Always" || (restartPolicy === "OnFailure" && exitCode !== 0);
          if (!restart) {
            c.step = "terminated";
            c.nextAt = undefined;
            break;
          }
          c.last = c.current;
          c.restartCount++;
          const backoff = c.crashBackoff;
          c.crashBackoff = Math.min(c.crashBackoff * 2, MAX_BACKOFF);
          c.waiting = {
            reason: "CrashLoopBackOff",
            message: `back-off ${this.duration(backoff)} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          };
          this.event(
            pod,
            "Warning",
            "BackOff",
            `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
            "kubelet",
            fp,
          );
          c.step = "crash-backoff";
          c.nextAt = now + backoff;
          break;
        }
        case "crash-backoff":
          c.step = "pull";
          c.nextAt = now;
          break;
        case "terminated":
        case "stopped":
          return;
      }
    }
  }

  private duration(ms: number): string {
    const s = Math.round(ms / 1000);
    return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
  }

  private runningChecks(pod: Obj, sim: PodSim, c: ContainerSim, spec: Obj, now: number): void {
    if (c.readyAt !== undefined && now >= c.readyAt) {
      c.ready = true;
      c.readyAt = undefined;
    }
    if (c.unhealthyAt !== undefined && now >= c.unhealthyAt) {
      const probe: Obj = spec.readinessProbe ?? {};
      const port = probe.tcpSocket?.port ?? probe.httpGet?.port ?? 8080;
      const message = probe.httpGet
        ? "Readiness probe failed: HTTP probe failed with statuscode: 503"
        : `Readiness probe failed: dial tcp ${sim.podIP}:${port}: connect: connection refused`;
      this.event(pod, "Warning", "Unhealthy", message, "kubelet", this.fieldPath(c));
      c.unhealthyAt = now + Number(probe.periodSeconds ?? 10) * 1000;
    }
  }

  private appendLogs(pod: Obj, c: ContainerSim, spec: Obj, phase: "start" | "end", now: number): void {
    if (!c.current) return;
    const custom = this.customLogs.get(`${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`);
    if (custom) {
      if (phase === "start") c.current.logs = custom.map((l) => ({ at: now, line: l.line }));
      return;
    }
    for (const line of defaultLogs(spec, c.scenario, phase)) c.current.logs.push({ at: now, line });
  }

  /** No node takes the pod: for lack of room it is tried again with back-off; otherwise it waits for good. */
  private unschedulable(pod: Obj, sim: PodSim, now: number): void {
    sim.stage = "unschedulable";
    const full = this.deps.schedulable;
    const message = full ? tooManyPods(NODES.length) : noNode(pod);
    if (full) {
      const backoff = sim.waitingForRoom ? Math.min(sim.waitingForRoom.backoff * 2, SCHEDULE_BACKOFF.max) : SCHEDULE_BACKOFF.initial;
      sim.waitingForRoom = { message, backoff };
      sim.nextAt = now + backoff;
    }
    this.event(pod, "Warning", "FailedScheduling", message, "default-scheduler");
  }

  private stopAll(sim: PodSim, now: number): void {
    for (const c of sim.containers) {
      if (c.step === "running" && c.current) c.current = { ...c.current, finishedAt: now, exitCode: 143, reason: "Error" };
      c.ready = false;
      c.readyAt = undefined;
      c.unhealthyAt = undefined;
      c.nextAt = undefined;
      if (c.step !== "terminated") c.step = "stopped";
    }
    sim.stage = "stopped";
    sim.stopped = true;
    sim.stopAt = undefined;
  }

  private pullError(image: string): string {
    const normalized = normalizeImage(image);
    return `rpc error: code = NotFound desc = failed to pull and unpack image "${normalized}": failed to resolve reference "${normalized}": ${normalized}: not found`;
  }

  private missingVolume(pod: Obj): string | undefined {
    const namespace = pod.metadata.namespace;
    for (const volume of pod.spec?.volumes ?? []) {
      if (!isRecord(volume)) continue;
      if (isRecord(volume.secret) && volume.secret.optional !== true && !this.deps.store.get(this.secretRt, namespace, String(volume.secret.secretName))) {
        return `MountVolume.SetUp failed for volume "${volume.name}" : secret "${volume.secret.secretName}" not found`;
      }
      if (
        isRecord(volume.configMap) &&
        volume.configMap.optional !== true &&
        !this.deps.store.get(this.configMapRt, namespace, String(volume.configMap.name))
      ) {
        return `MountVolume.SetUp failed for volume "${volume.name}" : configmap "${volume.configMap.name}" not found`;
      }
    }
    return undefined;
  }

  private missingConfig(pod: Obj, container: Obj): string | undefined {
    const namespace = pod.metadata.namespace;
    const lookup = (kind: "secret" | "configmap", name: string): Obj | undefined =>
      this.deps.store.get(kind === "secret" ? this.secretRt : this.configMapRt, namespace, name);
    for (const from of Array.isArray(container.envFrom) ? container.envFrom : []) {
      if (isRecord(from.configMapRef) && from.configMapRef.optional !== true && !lookup("configmap", String(from.configMapRef.name)))
        return `configmap "${from.configMapRef.name}" not found`;
      if (isRecord(from.secretRef) && from.secretRef.optional !== true && !lookup("secret", String(from.secretRef.name)))
        return `secret "${from.secretRef.name}" not found`;
    }
    for (const env of Array.isArray(container.env) ? container.env : []) {
      const ref = env?.valueFrom;
      if (!isRecord(ref)) continue;
      for (const [field, kind, label] of [
        ["secretKeyRef", "secret", "Secret"],
        ["configMapKeyRef", "configmap", "ConfigMap"],
      ] as const) {
        const keyRef = ref[field];
        if (!isRecord(keyRef) || keyRef.optional === true) continue;
        const obj = lookup(kind, String(keyRef.name));
        if (!obj) return `${kind} "${keyRef.name}" not found`;
        const data = { ...(obj.data ?? {}), ...(obj.binaryData ?? {}) };
        if (!Object.hasOwn(data, String(keyRef.key))) return `couldn't find key ${keyRef.key} in ${label} ${namespace}/${keyRef.name}`;
      }
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // status

  private containerState(c: ContainerSim): { state: Obj; lastState: Obj } {
    const terminated = (run: Run): Obj => {
      const out: Obj = {
        exitCode: run.exitCode ?? 0,
        reason: run.reason ?? "Completed",
        startedAt: rfc3339(run.startedAt),
        finishedAt: rfc3339(run.finishedAt ?? run.startedAt),
        containerID: run.containerID,
      };
      return out;
    };
    const lastState: Obj = c.last ? { terminated: terminated(c.last) } : {};
    if ((c.step === "running" || c.step === "stopped" || c.step === "terminated") && c.current) {
      if (c.current.finishedAt !== undefined) return { state: { terminated: terminated(c.current) }, lastState };
      return { state: { running: { startedAt: rfc3339(c.current.startedAt) } }, lastState };
    }
    const waiting: Obj = { reason: c.waiting.reason };
    if (c.waiting.message !== undefined) waiting.message = c.waiting.message;
    return { state: { waiting }, lastState };
  }

  private writeStatus(pod: Obj, sim: PodSim, now: number): void {
    const previous: Obj = isRecord(pod.status) ? pod.status : {};
    const prevConditions: Obj[] = Array.isArray(previous.conditions) ? previous.conditions : [];
    const condition = (type: string, status: "True" | "False", reason?: string, message?: string): Obj => {
      const old = prevConditions.find((c) => c.type === type);
      const out: Obj = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : rfc3339(now) };
      if (type === "PodReadyToStartContainers") delete out.lastProbeTime;
      if (reason !== undefined) out.reason = reason;
      if (message !== undefined) out.message = message;
      if (old && old.status === status && old.reason === reason && old.message === message) return old;
      return out;
    };
    const status: Obj = { observedGeneration: pod.metadata.generation ?? 1 };
    const specContainers: Obj[] = pod.spec?.containers ?? [];
    let phase = "Pending";
    const conditions: Obj[] = [];
    if (sim.stage === "schedule") return; // nothing reports on a pod no node has taken yet
    if (sim.stage === "unschedulable") {
      const message = sim.waitingForRoom?.message ?? noNode(pod);
      conditions.push(condition("PodScheduled", "False", "Unschedulable", message));
      this.commitStatus(pod, { ...status, phase: "Pending", conditions, qosClass: qosClass(pod.spec) });
      return;
    }
    // Deleted before the scheduler bound it: no node ever reports on it (its status stays as it was).
    if (sim.hostIP === undefined) return;
    const all = sim.containers;
    const finished = all.length > 0 && all.every((c) => (c.step === "terminated" || c.step === "stopped") && c.current?.finishedAt !== undefined);
    if (finished) phase = all.every((c) => c.current?.exitCode === 0) ? "Succeeded" : "Failed";
    else if (sim.stage === "stopped") phase = "Failed";
    else if (all.some((c) => c.started)) phase = "Running";
    const sandbox = sim.stage === "containers" && !finished;
    const unready = all.filter((c) => !c.ready).map((c) => c.name);
    const terminal = phase === "Succeeded" || phase === "Failed";
    conditions.push(condition("PodReadyToStartContainers", sandbox ? "True" : "False"));
    conditions.push(condition("Initialized", "True"));
    if (terminal) {
      conditions.push(condition("Ready", "False", "PodCompleted"));
      conditions.push(condition("ContainersReady", "False", "PodCompleted"));
    } else if (unready.length === 0) {
      conditions.push(condition("Ready", "True"));
      conditions.push(condition("ContainersReady", "True"));
    } else {
      const message = `containers with unready status: [${unready.join(" ")}]`;
      conditions.push(condition("Ready", "False", "ContainersNotReady", message));
      conditions.push(condition("ContainersReady", "False", "ContainersNotReady", message));
    }
    conditions.push(condition("PodScheduled", "True"));
    status.phase = phase;
    status.conditions = conditions;
    status.hostIP = sim.hostIP;
    status.hostIPs = [{ ip: sim.hostIP }];
    if (sim.podIP !== undefined) {
      status.podIP = sim.podIP;
      status.podIPs = [{ ip: sim.podIP }];
    }
    status.startTime = rfc3339(sim.startTime ?? now);
    status.containerStatuses = all.map((c) => {
      const spec = specContainers.find((s) => s.name === c.name) ?? {};
      const { state, lastState } = this.containerState(c);
      const out: Obj = {
        name: c.name,
        state,
        lastState,
        ready: c.ready,
        restartCount: c.restartCount,
        image: normalizeImage(c.image),
        imageID: c.imageID ?? "",
      };
      if (c.current) out.containerID = c.current.containerID;
      out.started = c.step === "running" && c.current?.finishedAt === undefined;
      if (isRecord(spec.resources) && Object.keys(spec.resources).length > 0) out.resources = deepCopy(spec.resources);
      return out;
    });
    status.qosClass = qosClass(pod.spec);
    this.commitStatus(pod, status);
  }

  private commitStatus(pod: Obj, status: Obj): void {
    if (deepEqual(status, pod.status)) return;
    const next: Obj = { ...pod, metadata: { ...pod.metadata }, status: deepCopy(status) };
    this.deps.registry.update(this.podRt, pod, next, { manager: "kubelet", subresource: "status", fieldValidation: "Strict" });
  }

  // -------------------------------------------------------------------------------------------
  // logs

  setLogs(namespace: string, pod: string, container: string, lines: string[]): void {
    const at = this.deps.now();
    const entries = lines.map((line) => ({ at, line }));
    this.customLogs.set(`${namespace}/${pod}/${container}`, entries);
    const obj = this.deps.store.get(this.podRt, namespace, pod);
    const sim = obj ? this.sims.get(String(obj.metadata.uid)) : undefined;
    const c = sim?.containers.find((x) => x.name === container);
    if (c?.current) c.current.logs = entries.map((e) => ({ ...e }));
  }

  logs(pod: Obj, request: { container: string | undefined; previous: boolean }): LogLine[] {
    const names: string[] = (pod.spec?.containers ?? []).map((c: Obj) => String(c.name));
    const name = request.container ?? (names.length === 1 ? names[0] : undefined);
    const podName = String(pod.metadata.name);
    if (name === undefined) throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(" ")}]`);
    if (!names.includes(name)) throw badRequest(`container ${name} is not valid for pod ${podName}`);
    const sim = this.sims.get(String(pod.metadata.uid));
    const c = sim?.containers.find((x) => x.name === name);
    const custom = this.customLogs.get(`${pod.metadata.namespace}/${podName}/${name}`);
    if (request.previous) {
      if (!c?.last) throw badRequest(`previous terminated container "${name}" in pod "${podName}" not found`);
      return c.last.logs;
    }
    if (!c?.current) {
      if (custom && !sim) return custom;
      const reason = c?.waiting.reason ?? "ContainerCreating";
      const detail = reason === "ImagePullBackOff" || reason === "ErrImagePull" ? "trying and failing to pull image" : reason;
      throw badRequest(`container "${name}" in pod "${podName}" is waiting to start: ${detail}`);
    }
    return c.current.logs;
  }

  /** Which pod owns this sim? (used by controllers to count restarts). */
  restartCount(pod: Obj): number {
    const sim = this.sims.get(String(pod.metadata.uid));
    return sim ? sim.containers.reduce((n, c) => n + c.restartCount, 0) : 0;
  }

  close(): void {
    this.sims.clear();
  }
}
