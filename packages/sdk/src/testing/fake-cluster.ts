/**
 * `createFakeCluster()`: an in-memory Kubernetes API server with simulated controllers, on a virtual clock.
 * One core — `fetch(request)` — reused three ways: inject it as a client's `fetch`, route msw to it
 * (`mswHandlers`), or serve it over HTTP (`listen`).
 */
import { FETCH_CLOCK } from "../core/clock.js";
import { SredaError } from "../core/errors.js";
import type {
  ConfigMap,
  Deployment,
  Event,
  HorizontalPodAutoscaler,
  Ingress,
  Job,
  KubeSchemas,
  Namespace,
  Pod,
  PodDisruptionBudget,
  ReplicaSet,
  Secret,
  Service,
} from "../core/kube-objects.js";
import { AutoscalerController } from "./autoscaler-controller.js";
import { DisruptionController } from "./disruption-controller.js";
import { PodMetricsSource, type PodMetrics } from "./pod-metrics.js";
import { DEFAULT_TOKENS, type Tokens } from "./auth.js";
import { createVirtualClock, type VirtualClock } from "./clock.js";
import { ControllerManager, EventRecorder, controllerOf } from "./controllers.js";
import { Faults, type FaultRule } from "./faults.js";
import { GarbageCollector, NamespaceController } from "./gc.js";
import { ApiServer, defaultVersionInfo, type RequestLogEntry } from "./handlers.js";
import { JobController } from "./job-controller.js";
import { DEFAULT_TIMINGS, Kubelet, type PodScenario, type Timings } from "./kubelet.js";
import { createRandom } from "./random.js";
import { Registry } from "./registry.js";
import { apiVersionOf, resourceByName, resourceForObject, type ResourceType } from "./resources.js";
import { matchesSelector, parseLabelSelector } from "./selectors.js";
import { listenHttp, type ListenOptions, type RunningServer } from "./server.js";
import { ApiError } from "./status.js";
import { Store } from "./store.js";
import { base64Encode, deepCopy, isRecord, type Obj } from "./util.js";
import { DeploymentController, ReplicaSetController } from "./workloads.js";

export type Container = NonNullable<Pod["spec"]>["containers"][number];
export type NetworkPolicy = KubeSchemas["io.k8s.api.networking.v1.NetworkPolicy"];

export interface FakeClusterBehavior {
  /** What a pod's container does; return undefined for the default (by image name, see README). */
  pod?(pod: Pod, container: Container): PodScenario | undefined;
  /** Whether a Job's pods succeed or fail; undefined for the default (FAKE_JOB_FAIL=1 or "fail" in the image → fail). */
  job?(job: Job): "succeed" | "fail" | undefined;
  /**
   * A Running pod's resource usage as the metrics API (metrics-server) reports it, for the HPA controller:
   * `{ cpu: "200m", memory: "100Mi" }` (or per container in `containers`); undefined: no metrics for the pod. Giving
   * it installs the metrics API; `setPodMetrics` overrides it per pod.
   */
  podMetrics?(pod: Pod): PodMetrics | undefined;
}

export interface FakeClusterOptions {
  /** Bearer token → user and denials. Default `{ "sreda-dev-token": { user: "sreda-dev" } }`. */
  tokens?: Tokens;
  /** Namespaces that exist from the start. Default `["default", "lms-dev", "lms-prod"]`. */
  namespaces?: string[];
  /** Objects to seed (any kind the fake serves); a missing namespace is created. */
  objects?: unknown[];
  /** Seed the `repository-token` (image pull) and `tls` Secrets into lms-dev and lms-prod (default true). */
  defaultSecrets?: boolean;
  /** Prefix in front of `/api`/`/apis`, e.g. `/k8s/clusters/c-m4hlh` (Rancher). Any prefix is accepted anyway. */
  basePath?: string;
  /** Default: a new auto-advancing virtual clock starting 2026-01-01T00:00:00Z. */
  clock?: VirtualClock;
  /** Seed of every random choice (names, uids, IPs, fault probabilities). Default 42. */
  seed?: number;
  behavior?: FakeClusterBehavior;
  /** Simulated durations in ms; defaults in DEFAULT_TIMINGS (schedule 500, pull 1500, start 500, ready 2000, jobRun 3000, crash 1000, terminate 1000). */
  timings?: Partial<Timings>;
  /** false: every pod stays Pending (PodScheduled=False, Unschedulable, FailedScheduling event). Default true. */
  schedulable?: boolean;
  /**
   * Pods each of the three nodes takes (a kubelet's `--max-pods`, 110 by default on a real node): past it the
   * scheduler leaves new pods Pending with "Too many pods" and binds them when a pod on a node ends. Default: no limit.
   */
  maxPodsPerNode?: number;
  /** Changes kept for watch resumption; older resourceVersions get 410 Expired. Default 1000. */
  maxWatchHistory?: number;
}

export interface ObjectFilter {
  /** Kind (`Pod`), resource (`pods`) or short name. */
  kind?: string;
  namespace?: string;
  labelSelector?: string;
}

/** The object types of the kinds the fake serves, for typed reads. */
export interface KindObjects {
  Namespace: Namespace;
  ConfigMap: ConfigMap;
  Secret: Secret;
  Service: Service;
  Pod: Pod;
  Event: Event;
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  Job: Job;
  Ingress: Ingress;
  NetworkPolicy: NetworkPolicy;
  PodDisruptionBudget: PodDisruptionBudget;
  HorizontalPodAutoscaler: HorizontalPodAutoscaler;
}

/** What `createKubeClient` needs to talk to the fake: `createKubeClient(cluster.clientConfig)`. */
export interface FakeClientConfig {
  apiRootUrl: string;
  /** The first of the fake's tokens (`sreda-dev-token` by default). */
  token: string;
  fetch: (request: Request) => Promise<Response>;
  /** The fake's clock: the client, the executor and the watcher must all run on it. */
  clock: VirtualClock;
}

export interface FakeCluster {
  /**
   * The API server: a Fetch-API handler. Also usable as a `fetch` implementation: `fetch(url, init)`; a client given
   * this fetch runs on the fake's clock unless told otherwise.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** One call to a client wired to the fake (its fetch, its clock): `createKubeClient(cluster.clientConfig)`. */
  readonly clientConfig: FakeClientConfig;
  /** Serves the fake over HTTP on 127.0.0.1 (watches stream). */
  listen(options?: ListenOptions): Promise<RunningServer>;
  readonly clock: VirtualClock;
  readonly requestLog: ReadonlyArray<RequestLogEntry>;
  clearRequestLog(): void;
  /** Deep copies of stored objects (with kind and apiVersion), ordered by kind, namespace, name; typed by kind. */
  objects<K extends keyof KindObjects>(filter: ObjectFilter & { kind: K }): KindObjects[K][];
  objects(filter?: ObjectFilter): unknown[];
  /** A deep copy of one stored object, or undefined; typed by kind (`getObject("Job", "lms-dev", name)` is a Job). */
  getObject<K extends keyof KindObjects>(kind: K, namespace: string | undefined, name: string): KindObjects[K] | undefined;
  getObject(kind: string, namespace: string | undefined, name: string): unknown;
  /** Creates or replaces an object directly (no auth, no faults), status included; bumps resourceVersion. */
  putObject(obj: unknown): unknown;
  addFault(rule: FaultRule): () => void;
  clearFaults(): void;
  /** Log lines a container prints (replaces the default lines of its current and later runs). */
  setPodLogs(namespace: string, pod: string, container: string, lines: string[]): void;
  /**
   * A pod's resource usage in the metrics API the HPA controller reads (`{ cpu: "200m", memory: "100Mi" }`, or per
   * container in `containers`); undefined removes it. The first call installs the metrics API (without it a resource
   * metric fails like on a cluster without metrics-server). Read at the HPA's next sync (every 15 s).
   */
  setPodMetrics(namespace: string, pod: string, metrics: PodMetrics | undefined): void;
  /** Changes every node's pod capacity (undefined: no limit): pods waiting for room are placed at once when it grows. */
  setMaxPodsPerNode(pods: number | undefined): void;
  /** Runs the controllers until nothing changes at the current virtual time. */
  settle(): Promise<void>;
  /** Stops controllers and timers and ends open watches. */
  close(): void;
}

const DEFAULT_NAMESPACES = ["default", "lms-dev", "lms-prod"];
/** The API root of `clientConfig`: any URL works with the fetch; this one says what it is. */
const FAKE_API_ROOT = "https://fake-cluster.sreda.test";

function defaultJobOutcome(job: Obj): "succeed" | "fail" {
  for (const c of job.spec?.template?.spec?.containers ?? []) {
    if (String(c.image ?? "").includes("fail")) return "fail";
    if ((c.env ?? []).some((e: Obj) => e.name === "FAKE_JOB_FAIL" && e.value === "1")) return "fail";
  }
  return "succeed";
}

/** Fake but well-formed seed Secrets the C42 templates reference (image pull secret, TLS). */
function defaultSecretObjects(namespace: string): Obj[] {
  const auth = base64Encode("sreda:fake-registry-token");
  const dockerconfig = JSON.stringify({ auths: { "registry.gitlab.corp.rarus.cloud": { username: "sreda", password: "fake-registry-token", auth } } });
  const pem = (label: string): string => `-----BEGIN ${label}-----\nRkFLRS1DRVJUSUZJQ0FURS1GT1ItVEVTVFM=\n-----END ${label}-----\n`;
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "repository-token", namespace },
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": base64Encode(dockerconfig) },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls", namespace },
      type: "kubernetes.io/tls",
      data: { "tls.crt": base64Encode(pem("CERTIFICATE")), "tls.key": base64Encode(pem("PRIVATE KEY")) },
    },
  ];
}

function rejected(error: unknown): never {
  if (error instanceof ApiError) throw new SredaError("FAKE_CLUSTER_REJECTED", error.status.message ?? "rejected", { status: error.status });
  throw error;
}

export function createFakeCluster(options: FakeClusterOptions = {}): FakeCluster {
  const seed = options.seed ?? 42;
  const clock = options.clock ?? createVirtualClock();
  const timings: Timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const store = new Store(options.maxWatchHistory ?? 1000);
  const random = {
    names: createRandom(seed, "names"),
    uids: createRandom(seed, "uids"),
    ips: createRandom(seed, "ips"),
  };
  const faultRandom = createRandom(seed, "faults");
  const miscRandom = createRandom(seed, "misc");
  const kubeletRandom = createRandom(seed, "kubelet");
  const now = (): number => clock.now();
  const registry = new Registry({ store, now, random });
  const manager = new ControllerManager(store, clock);
  const events = new EventRecorder(registry, store, now);
  const faults = new Faults(faultRandom);
  const behavior = options.behavior ?? {};
  const jobRt = resourceByName("Job")!;

  const scenario = (pod: Obj, container: Obj): PodScenario => {
    const custom = behavior.pod?.(deepCopy(pod) as Pod, deepCopy(container) as Container);
    if (custom) return custom;
    const image = String(container.image ?? "");
    if (image.includes("does-not-exist") || image.includes(":missing")) return "pull-error";
    if (image.includes("crash")) return "crash";
    if (image.includes("never-ready")) return "never-ready";
    const owner = controllerOf(pod);
    if (owner?.kind === "Job") {
      const job = store.get(jobRt, pod.metadata.namespace, String(owner.name));
      if (job) return (behavior.job?.(deepCopy(job) as Job) ?? defaultJobOutcome(job)) === "fail" ? "fail" : "succeed";
    }
    return "run";
  };

  const kubelet = new Kubelet({
    store,
    registry,
    events,
    manager,
    now,
    random: kubeletRandom,
    timings,
    schedulable: options.schedulable ?? true,
    maxPodsPerNode: options.maxPodsPerNode,
    scenario,
  });
  manager.register(kubelet);
  manager.register(new ReplicaSetController({ store, registry, events, manager, now }));
  manager.register(new DeploymentController({ store, registry, events, manager, now }));
  manager.register(new JobController({ store, registry, events, manager, now }));
  const podMetricsHook = behavior.podMetrics;
  const podMetrics = new PodMetricsSource(podMetricsHook ? (pod) => podMetricsHook(deepCopy(pod) as Pod) : undefined, now);
  manager.register(new AutoscalerController({ store, registry, events, manager, metrics: podMetrics, now }));
  manager.register(new DisruptionController({ store, registry, events, now }));
  manager.register(new GarbageCollector(store, registry));
  manager.register(new NamespaceController(store, registry));

  const server = new ApiServer({
    store,
    registry,
    clock,
    faults,
    tokens: options.tokens ?? DEFAULT_TOKENS,
    basePath: options.basePath,
    random: miscRandom,
    drain: () => manager.drain(),
    logs: (pod, request) => kubelet.logs(pod, request),
    version: defaultVersionInfo(),
  });

  const nsRt = resourceByName("Namespace")!;
  const ensureNamespace = (name: string): void => {
    if (!store.get(nsRt, undefined, name)) {
      registry.create(nsRt, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, { manager: "kubectl-create", fieldValidation: "Strict" });
      manager.drain(); // the namespace controller publishes kube-root-ca.crt
    }
  };

  const putObject = (input: unknown): Obj => {
    if (!isRecord(input)) throw new SredaError("INVALID_INPUT", "putObject expects a Kubernetes object");
    const rt = resourceForObject(input.apiVersion, input.kind);
    if (!rt) throw new SredaError("INVALID_INPUT", `the fake cluster does not serve ${String(input.apiVersion)} ${String(input.kind)}`);
    const obj = deepCopy(input);
    const meta: Obj = isRecord(obj.metadata) ? obj.metadata : (obj.metadata = {});
    if (rt.namespaced) {
      meta.namespace ??= "default";
      ensureNamespace(String(meta.namespace));
    }
    const status = obj.status;
    try {
      const existing = store.get(rt, meta.namespace, String(meta.name));
      delete meta.resourceVersion;
      let written = existing
        ? registry.update(
            rt,
            existing,
            { ...obj, metadata: { ...meta, resourceVersion: existing.metadata.resourceVersion } },
            { manager: "fake-cluster", fieldValidation: "Strict" },
          )
        : registry.create(rt, meta.namespace, obj, { manager: "fake-cluster", fieldValidation: "Strict" });
      if (rt.statusSubresource && status !== undefined) {
        written = registry.update(rt, written, { ...deepCopy(written), status }, { manager: "fake-cluster", subresource: "status", fieldValidation: "Strict" });
      }
      manager.drain();
      return deepCopy(written);
    } catch (error) {
      return rejected(error);
    }
  };

  for (const ns of options.namespaces ?? DEFAULT_NAMESPACES) ensureNamespace(ns);
  if (store.get(nsRt, undefined, "default")) {
    registry.create(
      resourceByName("Service")!,
      "default",
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
        spec: { clusterIP: "10.43.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }] },
      },
      { manager: "kube-apiserver", fieldValidation: "Strict" },
    );
  }
  if (options.defaultSecrets !== false) {
    for (const ns of ["lms-dev", "lms-prod"]) if (store.get(nsRt, undefined, ns)) for (const secret of defaultSecretObjects(ns)) putObject(secret);
  }
  for (const obj of options.objects ?? []) putObject(obj);
  manager.drain();

  let closed = false;
  const fetchImpl = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    return server.handle(request);
  };
  // A client created with this fetch takes the fake's clock by default (createKubeClient reads it from here).
  Object.defineProperty(fetchImpl, FETCH_CLOCK, { value: clock });
  const tokens = options.tokens ?? DEFAULT_TOKENS;

  const withType = (rt: ResourceType, obj: Obj): Obj => deepCopy({ kind: rt.kind, apiVersion: apiVersionOf(rt), ...obj });

  return {
    fetch: fetchImpl,
    clientConfig: { apiRootUrl: FAKE_API_ROOT, token: Object.keys(tokens)[0] ?? "", fetch: fetchImpl, clock },
    listen: (listenOptions) => listenHttp((request) => server.handle(request), listenOptions),
    clock,
    get requestLog() {
      return server.requestLog;
    },
    clearRequestLog: () => server.clearRequestLog(),
    objects(filter: ObjectFilter = {}): any[] {
      manager.drain();
      const rt = filter.kind !== undefined ? resourceByName(filter.kind) : undefined;
      if (filter.kind !== undefined && !rt) throw new SredaError("INVALID_INPUT", `unknown kind ${filter.kind}`);
      const selector = parseLabelSelector(filter.labelSelector);
      const out: Obj[] = [];
      for (const { rt: objectRt, object } of store.entries()) {
        if (rt && objectRt !== rt) continue;
        if (filter.namespace !== undefined && object.metadata.namespace !== filter.namespace) continue;
        if (!matchesSelector(selector, object.metadata.labels)) continue;
        out.push(withType(objectRt, object));
      }
      const sortKey = (o: Obj): string => `${o.kind}\n${o.metadata.namespace ?? ""}\n${o.metadata.name}`;
      return out.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    },
    getObject(kind: string, namespace: string | undefined, name: string): any {
      manager.drain();
      const rt = resourceByName(kind);
      if (!rt) throw new SredaError("INVALID_INPUT", `unknown kind ${kind}`);
      const obj = store.get(rt, namespace, name);
      return obj ? withType(rt, obj) : undefined;
    },
    putObject,
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setPodLogs: (namespace, pod, container, lines) => kubelet.setLogs(namespace, pod, container, lines),
    setMaxPodsPerNode: (pods) => kubelet.setMaxPodsPerNode(pods),
    setPodMetrics: (namespace, pod, metrics) => podMetrics.set(namespace, pod, metrics === undefined ? undefined : deepCopy(metrics)),
    async settle() {
      for (let i = 0; i < 100; i++) {
        manager.drain();
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (manager.idle) return;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      server.close();
      manager.close();
      kubelet.close();
    },
  };
}
