/**
 * The resource metrics API (metrics.k8s.io, as metrics-server serves it) for the fake's HPA controller. A fake
 * cluster has none until a test supplies pod metrics — `cluster.setPodMetrics(namespace, pod, usage)` or the
 * `behavior.podMetrics(pod)` option — so an HPA on a resource metric reports what it reports on a cluster without
 * metrics-server. Metrics exist for Running pods only, stamped with the current time and metrics-server's 15 s window.
 */
import { milliValue } from "./quantity.js";
import { isRecord, type Obj } from "./util.js";

/** Usage by resource name: `{ cpu: "200m", memory: "100Mi" }`. */
export type ResourceUsage = Readonly<Record<string, string>>;

/**
 * A pod's usage: totals for the pod (counted as its first container's), or per container in `containers` (then the
 * pod's totals are their sums, as the HPA adds them up).
 */
export interface PodMetrics {
  cpu?: string;
  memory?: string;
  containers?: Readonly<Record<string, ResourceUsage>>;
}

export interface PodMetric {
  /** Milli-units (millicores; bytes × 1000). */
  value: number;
  timestamp: number;
  windowMs: number;
}

const METRICS_WINDOW_MS = 15_000;

/** The errors the HPA gets from the metrics clients, after "unable to fetch metrics from … metrics API: ". */
const RESOURCE_METRICS_MISSING =
  "unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";

export class PodMetricsSource {
  private readonly explicit = new Map<string, PodMetrics>();
  private supplied: boolean;

  constructor(
    private readonly hook: ((pod: Obj) => PodMetrics | undefined) | undefined,
    private readonly now: () => number,
  ) {
    this.supplied = hook !== undefined;
  }

  /** Sets (or with undefined removes) a pod's usage; from then on the metrics API exists. */
  set(namespace: string, pod: string, metrics: PodMetrics | undefined): void {
    this.supplied = true;
    if (metrics === undefined) this.explicit.delete(`${namespace}/${pod}`);
    else this.explicit.set(`${namespace}/${pod}`, metrics);
  }

  /** Whether the resource metrics API is there at all. */
  get available(): boolean {
    return this.supplied;
  }

  /** A pod's usage per container, or undefined when the API has no metrics for it. */
  private usageOf(pod: Obj): Map<string, ResourceUsage> | undefined {
    if (pod.status?.phase !== "Running" || pod.metadata.deletionTimestamp !== undefined) return undefined;
    const metrics = this.explicit.get(`${pod.metadata.namespace}/${pod.metadata.name}`) ?? this.hook?.(pod);
    if (!metrics) return undefined;
    if (isRecord(metrics.containers)) return new Map(Object.entries(metrics.containers));
    const first = String(pod.spec?.containers?.[0]?.name ?? "");
    const totals: Record<string, string> = {};
    for (const [name, value] of Object.entries(metrics)) if (typeof value === "string") totals[name] = value;
    return new Map([[first, totals]]);
  }

  /**
   * metricsclient.GetResourceMetric: by pod name, the pod's usage of `resource` (a pod lacking it in any container is
   * left out), or one container's. Throws the client's error when there is nothing to return.
   */
  resourceMetric(pods: readonly Obj[], resource: string, container: string): Map<string, PodMetric> {
    if (!this.available) throw new Error(RESOURCE_METRICS_MISSING);
    const listed = pods.map((pod) => ({ pod, usage: this.usageOf(pod) })).filter((p) => p.usage !== undefined);
    if (listed.length === 0) throw new Error("no metrics returned from resource metrics API");
    const out = new Map<string, PodMetric>();
    const stamp = (value: number): PodMetric => ({ value, timestamp: this.now(), windowMs: METRICS_WINDOW_MS });
    for (const { pod, usage } of listed) {
      const values = container === "" ? [...usage!.values()] : usage!.has(container) ? [usage!.get(container)!] : [];
      const milli = values.map((u) => (u[resource] === undefined ? undefined : milliValue(u[resource])));
      if (milli.length === 0 || milli.some((m) => m === undefined)) continue;
      out.set(String(pod.metadata.name), stamp(milli.reduce((a, b) => a! + b!, 0)!));
    }
    return out;
  }
}
