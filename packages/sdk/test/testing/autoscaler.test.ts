/**
 * HorizontalPodAutoscaler (autoscaling/v2): the API server's defaults and validation, and the HPA controller — its
 * 15 s sync, conditions, Events and status in the words of kube-controller-manager 1.35.4 (recorded from a real one
 * without metrics-server), the replica formula once the test supplies pod metrics, and the Deployment's `scale`
 * subresource it writes through, with the managedFields and server-side apply ownership of `spec.replicas` that follow.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster, type FakeClusterOptions, type PodMetrics } from "../../src/testing/index.js";
import { APPLY, call, deploymentOf, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
afterEach(() => cluster.close());

const SYNC = 15_000;
const NO_METRICS_API =
  "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";

function autoscaler(name: string, spec: Json, target: Json = { apiVersion: "apps/v1", kind: "Deployment", name: "web" }): Json {
  return { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name }, spec: { scaleTargetRef: target, ...spec } };
}
const cpuTarget = (averageUtilization: number): Json[] => [
  { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization } } },
];
const getHpa = async (name = "web"): Promise<Json> => (await call(cluster, "GET", `${paths.horizontalpodautoscalers()}/${name}`)).body;
const getDeployment = async (name = "web"): Promise<Json> => (await call(cluster, "GET", `${paths.deployments()}/${name}`)).body;
const conditions = (hpa: Json): string[] => (hpa.status?.conditions ?? []).map((c: Json) => `${c.type}=${c.status} ${c.reason}`);
const hpaEvents = (name = "web"): string[] =>
  (cluster.objects({ kind: "Event", namespace: "lms-dev" }) as Json[])
    .filter((e) => e.involvedObject.kind === "HorizontalPodAutoscaler" && e.involvedObject.name === name)
    .map((e) => `${e.type} ${e.reason}: ${e.message}`);
const apply = (path: string, body: Json, manager = "sreda", force = false) =>
  call(cluster, "PATCH", `${path}/${String(body.metadata.name)}?fieldManager=${manager}${force ? "&force=true" : ""}`, body, { contentType: APPLY });

/** A cluster with the Deployment `web` (applied by "sreda") of `replicas` pods, its pods Ready for 30 s. */
async function withDeployment(replicas: number | undefined, options: FakeClusterOptions = {}, requests?: Record<string, string>): Promise<void> {
  cluster = createFakeCluster(options);
  expect((await apply(paths.deployments(), deploymentOf("web", replicas, requests))).status).toBe(201);
  await cluster.clock.sleep(30_000);
}

describe("HorizontalPodAutoscaler API", () => {
  it("defaults minReplicas, an 80% CPU target and a complete behavior, keeps no generation and starts with an empty status", async () => {
    cluster = createFakeCluster();
    const answer = await call(
      cluster,
      "POST",
      paths.horizontalpodautoscalers(),
      autoscaler("web", { maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }),
    );
    expect(answer.status).toBe(201);
    expect(answer.body.metadata.generation).toBeUndefined();
    expect(answer.body.status).toEqual({ desiredReplicas: 0, currentMetrics: null });
    expect(answer.body.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: cpuTarget(80),
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: "Max",
          policies: [
            { type: "Pods", value: 4, periodSeconds: 15 },
            { type: "Percent", value: 100, periodSeconds: 15 },
          ],
        },
        scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
      },
    });
  });

  it("leaves behavior out when none is given", async () => {
    cluster = createFakeCluster();
    const answer = await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { maxReplicas: 3 }));
    expect(answer.body.spec.behavior).toBeUndefined();
  });

  const cases: { name: string; spec: Json; target?: Json; causes: [field: string, reason: string, message: string][] }[] = [
    {
      name: "minReplicas 0 and maxReplicas 0",
      spec: { minReplicas: 0, maxReplicas: 0 },
      causes: [
        ["spec.minReplicas", "FieldValueInvalid", "Invalid value: 0: must be greater than or equal to 1"],
        ["spec.maxReplicas", "FieldValueInvalid", "Invalid value: 0: must be greater than 0"],
        ["spec.metrics", "FieldValueForbidden", "Forbidden: must specify at least one Object or External metric to support scaling to zero replicas"],
      ],
    },
    {
      name: "maxReplicas below minReplicas",
      spec: { minReplicas: 5, maxReplicas: 3 },
      causes: [["spec.maxReplicas", "FieldValueInvalid", "Invalid value: 3: must be greater than or equal to `minReplicas`"]],
    },
    {
      name: "a missing maxReplicas (0 to the Go code, below the defaulted minReplicas)",
      spec: {},
      causes: [
        ["spec.maxReplicas", "FieldValueInvalid", "Invalid value: 0: must be greater than 0"],
        ["spec.maxReplicas", "FieldValueInvalid", "Invalid value: 0: must be greater than or equal to `minReplicas`"],
      ],
    },
    {
      name: "a target without kind, with a bad name and without API group",
      spec: { maxReplicas: 2 },
      target: { kind: "", name: "a/b" },
      causes: [
        ["spec.scaleTargetRef.kind", "FieldValueRequired", "Required value"],
        ["spec.scaleTargetRef.name", "FieldValueInvalid", `Invalid value: "a/b": may not contain '/'`],
        ["spec.scaleTargetRef.apiVersion", "FieldValueInvalid", 'Invalid value: "": apiVersion must specify API group'],
      ],
    },
    {
      name: "a core apiVersion for a Deployment",
      spec: { maxReplicas: 2 },
      target: { apiVersion: "v1", kind: "Deployment", name: "web" },
      causes: [["spec.scaleTargetRef.apiVersion", "FieldValueInvalid", 'Invalid value: "v1": apiVersion must specify API group']],
    },
    {
      name: "a resource target with no name, a bad type and both values",
      spec: { maxReplicas: 2, metrics: [{ type: "Resource", resource: { name: "", target: { type: "Foo", averageUtilization: 0, averageValue: "-1" } } }] },
      causes: [
        ["spec.metrics[0].resource.name", "FieldValueRequired", "Required value: must specify a resource name"],
        ["spec.metrics[0].resource.target.type", "FieldValueInvalid", 'Invalid value: "Foo": must be either Utilization, Value, or AverageValue'],
        ["spec.metrics[0].resource.target.averageValue", "FieldValueInvalid", 'Invalid value: "-1": must be positive'],
        ["spec.metrics[0].resource.target.averageUtilization", "FieldValueInvalid", "Invalid value: 0: must be greater than 0"],
        ["spec.metrics[0].resource.target.averageValue", "FieldValueForbidden", "Forbidden: may not set both a target raw value and a target utilization"],
      ],
    },
    {
      name: "a Pods metric without its source",
      spec: { maxReplicas: 2, metrics: [{ type: "Pods" }] },
      causes: [["spec.metrics[0].pods", "FieldValueRequired", "Required value: must populate information for the given metric source"]],
    },
    {
      name: "an unknown metric type with two sources (the type error listed twice)",
      spec: {
        maxReplicas: 2,
        metrics: [
          {
            type: "Bogus",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } },
            pods: { metric: { name: "x" }, target: { type: "AverageValue", averageValue: "1" } },
          },
        ],
      },
      causes: [
        [
          "spec.metrics[0].type",
          "FieldValueNotSupported",
          'Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
        ],
        [
          "spec.metrics[0].type",
          "FieldValueNotSupported",
          'Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
        ],
        ["spec.metrics[0].pods", "FieldValueForbidden", "Forbidden: must populate the given metric source only"],
        ["spec.metrics[0].resource", "FieldValueForbidden", "Forbidden: must populate the given metric source only"],
      ],
    },
    {
      name: "bad scaling rules",
      spec: {
        maxReplicas: 2,
        behavior: {
          scaleUp: { stabilizationWindowSeconds: -1, selectPolicy: "Foo", policies: [{ type: "Foo", value: 0, periodSeconds: 2000 }] },
          scaleDown: { policies: [] },
        },
      },
      causes: [
        ["spec.behavior.scaleUp.stabilizationWindowSeconds", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to zero"],
        ["spec.behavior.scaleUp.selectPolicy", "FieldValueNotSupported", 'Unsupported value: "Foo": supported values: "Disabled", "Max", "Min"'],
        ["spec.behavior.scaleUp.policies[0].type", "FieldValueNotSupported", 'Unsupported value: "Foo": supported values: "Percent", "Pods"'],
        ["spec.behavior.scaleUp.policies[0].value", "FieldValueInvalid", "Invalid value: 0: must be greater than zero"],
        ["spec.behavior.scaleUp.policies[0].periodSeconds", "FieldValueInvalid", "Invalid value: 2000: must be less than or equal to 1800"],
        ["spec.behavior.scaleDown.policies", "FieldValueRequired", "Required value: must specify at least one Policy"],
      ],
    },
  ];

  it.for(cases)("refuses $name", async ({ spec, target, causes }) => {
    cluster = createFakeCluster();
    const answer = await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("bad", spec, target));
    expect(answer.status).toBe(422);
    expect(answer.body.details.causes).toEqual(causes.map(([field, reason, message]) => ({ reason, message, field })));
    // The message lists each distinct error once.
    const distinct = [...new Set(causes.map(([field, , message]) => `${field}: ${message}`))];
    expect(answer.body.message).toBe(
      `HorizontalPodAutoscaler.autoscaling "bad" is invalid: ${distinct.length === 1 ? distinct[0] : `[${distinct.join(", ")}]`}`,
    );
  });
});

describe("HPA controller, without a metrics API", () => {
  const GOT_SCALE = "AbleToScale=True SucceededGetScale";
  const cases: { name: string; replicas: number; spec: Json; target?: Json; conditions: string[]; status: Json; events: string[]; scaledTo: number }[] = [
    {
      name: "a missing target",
      replicas: 2,
      spec: { maxReplicas: 5 },
      target: { apiVersion: "apps/v1", kind: "Deployment", name: "nope" },
      conditions: ["AbleToScale=False FailedGetScale"],
      status: { desiredReplicas: 0, currentMetrics: null },
      events: ['Warning FailedGetScale: deployments.apps "nope" not found'],
      scaledTo: 2,
    },
    {
      name: "a kind the server does not know",
      replicas: 2,
      spec: { maxReplicas: 5 },
      target: { apiVersion: "apps/v1", kind: "Foo", name: "web" },
      conditions: ["AbleToScale=False FailedGetScale"],
      status: { desiredReplicas: 0, currentMetrics: null },
      events: ['Warning FailedGetScale: no matches for kind "Foo" in group "apps"'],
      scaledTo: 2,
    },
    {
      name: "a target scaled to zero",
      replicas: 0,
      spec: { maxReplicas: 5 },
      conditions: [GOT_SCALE, "ScalingActive=False ScalingDisabled"],
      status: { desiredReplicas: 0, currentMetrics: null },
      events: [],
      scaledTo: 0,
    },
    {
      name: "more replicas than maxReplicas",
      replicas: 3,
      spec: { maxReplicas: 2 },
      conditions: ["AbleToScale=True SucceededRescale"],
      status: { lastScaleTime: "2026-01-01T00:00:45Z", currentReplicas: 3, desiredReplicas: 2, currentMetrics: null },
      events: ["Normal SuccessfulRescale: New size: 2; reason: Current number of replicas above Spec.MaxReplicas"],
      scaledTo: 2,
    },
    {
      name: "fewer replicas than minReplicas",
      replicas: 1,
      spec: { minReplicas: 3, maxReplicas: 5 },
      conditions: ["AbleToScale=True SucceededRescale"],
      status: { lastScaleTime: "2026-01-01T00:00:45Z", currentReplicas: 1, desiredReplicas: 3, currentMetrics: null },
      events: ["Normal SuccessfulRescale: New size: 3; reason: Current number of replicas below Spec.MinReplicas"],
      scaledTo: 3,
    },
    {
      name: "a CPU target",
      replicas: 2,
      spec: { maxReplicas: 5, metrics: cpuTarget(50) },
      conditions: [GOT_SCALE, "ScalingActive=False FailedGetResourceMetric"],
      status: { currentReplicas: 2, desiredReplicas: 0, currentMetrics: [{ type: "" }] },
      events: [
        `Warning FailedGetResourceMetric: ${NO_METRICS_API}`,
        `Warning FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${NO_METRICS_API}`,
      ],
      scaledTo: 2,
    },
    {
      name: "a Pods metric (no custom metrics API)",
      replicas: 2,
      spec: { maxReplicas: 5, metrics: [{ type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } }] },
      conditions: [GOT_SCALE, "ScalingActive=False FailedGetPodsMetric"],
      status: { currentReplicas: 2, desiredReplicas: 0, currentMetrics: [{ type: "" }] },
      events: [
        "Warning FailedGetPodsMetric: unable to get metric rps: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered",
        "Warning FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get pods metric value: unable to get metric rps: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered",
      ],
      scaledTo: 2,
    },
  ];

  it.for(cases)("$name: $conditions", async ({ replicas, spec, target, conditions: expected, status, events, scaledTo }) => {
    await withDeployment(replicas);
    expect((await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", spec, target))).status).toBe(201);
    await cluster.clock.sleep(SYNC);
    const hpa = await getHpa();
    expect(conditions(hpa)).toEqual(expected);
    const { conditions: _conditions, ...rest } = hpa.status;
    expect(rest).toEqual(status);
    expect(hpaEvents()).toEqual(events);
    expect((await getDeployment()).spec.replicas).toBe(scaledTo);
  });

  it("says why, in the conditions' messages", async () => {
    await withDeployment(2);
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { maxReplicas: 5, metrics: cpuTarget(50) }));
    await cluster.clock.sleep(SYNC);
    expect((await getHpa()).status.conditions).toEqual([
      {
        type: "AbleToScale",
        status: "True",
        lastTransitionTime: "2026-01-01T00:00:45Z",
        reason: "SucceededGetScale",
        message: "the HPA controller was able to get the target's current scale",
      },
      {
        type: "ScalingActive",
        status: "False",
        lastTransitionTime: "2026-01-01T00:00:45Z",
        reason: "FailedGetResourceMetric",
        message: `the HPA was unable to compute the replica count: ${NO_METRICS_API}`,
      },
    ]);
  });

  it("syncs 15 s after the HPA appears and every 15 s after, whatever else changes", async () => {
    await withDeployment(3);
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { maxReplicas: 5 }));
    await cluster.clock.sleep(SYNC - 1_000);
    expect((await getHpa()).status).toEqual({ desiredReplicas: 0, currentMetrics: null });
    await cluster.clock.sleep(1_000);
    expect(conditions(await getHpa())).toContain("ScalingActive=False FailedGetResourceMetric");
    // A lower maxReplicas takes effect at the next sync, not at once.
    await call(cluster, "PATCH", `${paths.horizontalpodautoscalers()}/web`, { spec: { maxReplicas: 2 } }, { contentType: "application/merge-patch+json" });
    await cluster.clock.sleep(SYNC - 1_000);
    expect((await getDeployment()).spec.replicas).toBe(3);
    await cluster.clock.sleep(1_000);
    expect((await getDeployment()).spec.replicas).toBe(2);
  });

  it("refuses to scale pods that another HPA also scales (AmbiguousSelector)", async () => {
    await withDeployment(2);
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("a", { maxReplicas: 5 }));
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("b", { maxReplicas: 5 }));
    await cluster.clock.sleep(2 * SYNC);
    const message = "pods by selector app=web are controlled by multiple HPAs: [lms-dev/a lms-dev/b]";
    for (const name of ["a", "b"]) {
      const active = (await getHpa(name)).status.conditions.find((c: Json) => c.type === "ScalingActive");
      expect(active).toMatchObject({ status: "False", reason: "AmbiguousSelector", message });
      expect(hpaEvents(name)).toContain(`Warning AmbiguousSelector: ${message}`);
    }
  });
});

describe("HPA controller, with pod metrics", () => {
  const cases: { name: string; usage: string; spec: Json; desired: number; conditions: string[]; current: Json }[] = [
    {
      name: "75% of the requests for a 50% target: ceil(2 × 1.5) = 3",
      usage: "75m",
      spec: { maxReplicas: 10, metrics: cpuTarget(50) },
      desired: 3,
      conditions: ["AbleToScale=True SucceededRescale", "ScalingActive=True ValidMetricFound", "ScalingLimited=False DesiredWithinRange"],
      current: { averageValue: "75m", averageUtilization: 75 },
    },
    {
      name: "54% for a 50% target: within the 10% tolerance",
      usage: "54m",
      spec: { maxReplicas: 10, metrics: cpuTarget(50) },
      desired: 2,
      conditions: ["AbleToScale=True ReadyForNewScale", "ScalingActive=True ValidMetricFound", "ScalingLimited=False DesiredWithinRange"],
      current: { averageValue: "54m", averageUtilization: 54 },
    },
    {
      name: "200% for a 50% target: 8, limited to max(2 × 2, 4)",
      usage: "200m",
      spec: { maxReplicas: 10, metrics: cpuTarget(50) },
      desired: 4,
      conditions: ["AbleToScale=True SucceededRescale", "ScalingActive=True ValidMetricFound", "ScalingLimited=True ScaleUpLimit"],
      current: { averageValue: "200m", averageUtilization: 200 },
    },
    {
      name: "200% for a 50% target with maxReplicas 3",
      usage: "200m",
      spec: { maxReplicas: 3, metrics: cpuTarget(50) },
      desired: 3,
      conditions: ["AbleToScale=True SucceededRescale", "ScalingActive=True ValidMetricFound", "ScalingLimited=True TooManyReplicas"],
      current: { averageValue: "200m", averageUtilization: 200 },
    },
    {
      name: "10% for a 50% target: held by the 5-minute downscale stabilization",
      usage: "10m",
      spec: { maxReplicas: 10, metrics: cpuTarget(50) },
      desired: 2,
      conditions: ["AbleToScale=True ScaleDownStabilized", "ScalingActive=True ValidMetricFound", "ScalingLimited=False DesiredWithinRange"],
      current: { averageValue: "10m", averageUtilization: 10 },
    },
  ];

  it.for(cases)("$name", async ({ usage, spec, desired, conditions: expected, current }) => {
    await withDeployment(2, { behavior: { podMetrics: () => ({ cpu: usage }) } });
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", spec));
    await cluster.clock.sleep(SYNC);
    const hpa = await getHpa();
    expect(conditions(hpa)).toEqual(expected);
    expect(hpa.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: desired,
      currentMetrics: [{ type: "Resource", resource: { name: "cpu", current } }],
    });
    expect((await getDeployment()).spec.replicas).toBe(desired);
    if (desired !== 2)
      expect(hpaEvents()).toEqual([`Normal SuccessfulRescale: New size: ${desired}; reason: cpu resource utilization (percentage of request) above target`]);
  });

  it("scales down once the stabilization window has passed", async () => {
    await withDeployment(4, { behavior: { podMetrics: () => ({ cpu: "10m" }) } });
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { minReplicas: 2, maxReplicas: 10, metrics: cpuTarget(50) }));
    await cluster.clock.sleep(5 * 60_000);
    expect((await getDeployment()).spec.replicas).toBe(4);
    await cluster.clock.sleep(2 * SYNC);
    expect((await getDeployment()).spec.replicas).toBe(2);
    expect(hpaEvents()).toEqual(["Normal SuccessfulRescale: New size: 2; reason: All metrics below target"]);
    expect(conditions(await getHpa())).toContain("ScalingLimited=True TooFewReplicas");
  });

  it("follows spec.behavior: one pod down per minute", async () => {
    await withDeployment(4, { behavior: { podMetrics: () => ({ cpu: "10m" }) } });
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } };
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { maxReplicas: 10, metrics: cpuTarget(50), behavior }));
    await cluster.clock.sleep(SYNC);
    expect((await getDeployment()).spec.replicas).toBe(3);
    expect(conditions(await getHpa())).toEqual([
      "AbleToScale=True SucceededRescale",
      "ScalingActive=True ValidMetricFound",
      "ScalingLimited=True ScaleDownLimit",
    ]);
    await cluster.clock.sleep(3 * SYNC);
    expect((await getDeployment()).spec.replicas).toBe(3);
    await cluster.clock.sleep(SYNC);
    expect((await getDeployment()).spec.replicas).toBe(2);
  });

  it("reads a memory average value target from per-pod metrics set with setPodMetrics", async () => {
    await withDeployment(2, {}, { memory: "64Mi" });
    for (const pod of cluster.objects({ kind: "Pod", namespace: "lms-dev", labelSelector: "app=web" })) {
      cluster.setPodMetrics("lms-dev", String(pod.metadata?.name), { memory: "200Mi" });
    }
    const metrics = [{ type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } }];
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { maxReplicas: 10, metrics }));
    await cluster.clock.sleep(SYNC);
    const hpa = await getHpa();
    expect(hpa.status.currentMetrics).toEqual([{ type: "Resource", resource: { name: "memory", current: { averageValue: "200Mi" } } }]);
    expect(hpa.status.desiredReplicas).toBe(4);
    expect(hpaEvents()).toEqual(["Normal SuccessfulRescale: New size: 4; reason: memory resource above target"]);
  });

  it.for<{ name: string; metrics: PodMetrics | undefined; requests: Record<string, string>; message: string }>([
    {
      name: "a pod without a CPU request",
      metrics: { cpu: "50m" },
      requests: {},
      message: "failed to get cpu utilization: missing request for cpu in container web of Pod ",
    },
    {
      name: "metrics for no pod",
      metrics: undefined,
      requests: { cpu: "100m" },
      message: "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API",
    },
  ])("reports $name", async ({ metrics, requests, message }) => {
    await withDeployment(2, { behavior: { podMetrics: () => metrics } }, requests);
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { maxReplicas: 10, metrics: cpuTarget(50) }));
    await cluster.clock.sleep(SYNC);
    const active = (await getHpa()).status.conditions.find((c: Json) => c.type === "ScalingActive");
    expect(active.reason).toBe("FailedGetResourceMetric");
    expect(active.message).toContain(`the HPA was unable to compute the replica count: ${message}`);
  });
});

describe("spec.replicas between server-side apply and the HPA", () => {
  const replicasOwners = (d: Json): string[] =>
    (d.metadata.managedFields as Json[])
      .filter((e) => e.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined)
      .map((e) => [e.manager, e.operation, e.subresource].filter(Boolean).join(" "));

  it.for([
    { name: "the only applier drops it: removed, defaulted back to 1", second: undefined, replicas: 1 },
    { name: "another applier owns the same value: it stays", second: "other", replicas: 3 },
  ])("$name", async ({ second, replicas }) => {
    await withDeployment(3);
    if (second) expect((await apply(paths.deployments(), deploymentOf("web", 3), second)).status).toBe(200);
    const dropped = await apply(paths.deployments(), deploymentOf("web", undefined));
    expect(dropped.status).toBe(200);
    expect(dropped.body.spec.replicas).toBe(replicas);
  });

  it("is the HPA's once it scaled through /scale: an apply without it leaves it, one with it conflicts, force takes it back", async () => {
    await withDeployment(3);
    await call(cluster, "POST", paths.horizontalpodautoscalers(), autoscaler("web", { maxReplicas: 2 }));
    await cluster.clock.sleep(SYNC);
    const scaled = await getDeployment();
    expect(scaled.spec.replicas).toBe(2);
    expect(scaled.metadata.managedFields.find((e: Json) => e.subresource === "scale")).toEqual({
      manager: "kube-controller-manager",
      operation: "Update",
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      subresource: "scale",
    });
    expect(replicasOwners(scaled)).toEqual(["kube-controller-manager Update scale"]);
    expect((await apply(paths.deployments(), deploymentOf("web", undefined))).body.spec.replicas).toBe(2);
    const conflict = await apply(paths.deployments(), deploymentOf("web", 5));
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe(
      'Apply failed with 1 conflict: conflict with "kube-controller-manager" with subresource "scale" using apps/v1: .spec.replicas',
    );
    const forced = await apply(paths.deployments(), deploymentOf("web", 5), "sreda", true);
    expect(forced.body.spec.replicas).toBe(5);
    expect(replicasOwners(forced.body)).toEqual(["sreda Apply"]);
  });

  it("moves to whoever updates it next, through the object or its scale", async () => {
    await withDeployment(3);
    const merged = await call(
      cluster,
      "PATCH",
      `${paths.deployments()}/web?fieldManager=kubectl-edit`,
      { spec: { replicas: 4 } },
      { contentType: "application/merge-patch+json" },
    );
    expect(replicasOwners(merged.body)).toEqual(["kubectl-edit Update"]);
    const scaled = await call(
      cluster,
      "PATCH",
      `${paths.deployments()}/web/scale?fieldManager=kubectl-scale`,
      { spec: { replicas: 5 } },
      { contentType: "application/merge-patch+json" },
    );
    expect(scaled.status).toBe(200);
    expect(replicasOwners(await getDeployment())).toEqual(["kubectl-scale Update scale"]);
  });
});

describe("the scale subresource", () => {
  const scaleUrl = `${paths.deployments()}/web/scale`;

  it("answers a Scale with the selector, and an empty spec at zero replicas", async () => {
    await withDeployment(2);
    expect((await call(cluster, "GET", scaleUrl)).body).toEqual({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name: "web", namespace: "lms-dev", uid: expect.any(String), resourceVersion: expect.any(String), creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { replicas: 2 },
      status: { replicas: 2, selector: "app=web" },
    });
    await call(cluster, "PATCH", scaleUrl, { spec: { replicas: 0 } }, { contentType: "application/merge-patch+json" });
    expect((await call(cluster, "GET", scaleUrl)).body.spec).toEqual({});
  });

  it.for([
    {
      name: "negative replicas",
      body: { metadata: { name: "web" }, spec: { replicas: -1 } },
      status: 422,
      message: 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    },
    {
      name: "a stale resourceVersion",
      body: { metadata: { name: "web", resourceVersion: "1" }, spec: { replicas: 1 } },
      status: 409,
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    },
  ])("refuses a PUT with $name", async ({ body, status, message }) => {
    await withDeployment(2);
    const answer = await call(cluster, "PUT", scaleUrl, { kind: "Scale", apiVersion: "autoscaling/v1", ...body });
    expect(answer.status).toBe(status);
    expect(answer.body.message).toBe(message);
  });

  it("is listed in discovery for Deployments and ReplicaSets", async () => {
    cluster = createFakeCluster();
    const resources = (await call(cluster, "GET", "/apis/apps/v1")).body.resources as Json[];
    expect(resources.filter((r) => String(r.name).endsWith("/scale"))).toEqual(
      ["deployments/scale", "replicasets/scale"].map((name) => ({
        name,
        singularName: "",
        namespaced: true,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: ["get", "patch", "update"],
      })),
    );
  });
});
