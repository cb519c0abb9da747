/**
 * PodDisruptionBudget (policy/v1): validation in the API server's words, the status the disruption controller keeps
 * (figures recorded from a real kube-controller-manager 1.35.4 on the same objects), and its updates as pods change.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster, type FakeClusterOptions } from "../../src/testing/index.js";
import { call, deploymentOf, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
afterEach(() => cluster.close());

const budget = (name: string, spec: Json): Json => ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec });
const get = async (name: string): Promise<Json> => (await call(cluster, "GET", `${paths.poddisruptionbudgets()}/${name}`)).body;
const pdbEvents = (name: string): Json[] =>
  (cluster.objects({ kind: "Event", namespace: "lms-dev" }) as Json[]).filter(
    (e) => e.involvedObject.kind === "PodDisruptionBudget" && e.involvedObject.name === name,
  );

/** The Deployments web (2 pods), solo (3) and zero (0), plus a pod without controller, all Ready. */
async function world(options: FakeClusterOptions = {}): Promise<void> {
  cluster = createFakeCluster(options);
  for (const [name, replicas] of [
    ["web", 2],
    ["solo", 3],
    ["zero", 0],
  ] as const) {
    expect((await call(cluster, "POST", paths.deployments(), deploymentOf(name, replicas))).status).toBe(201);
  }
  const bare = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "bare", labels: { app: "bare" } },
    spec: { containers: [{ name: "c", image: "nginx:1.29" }] },
  };
  expect((await call(cluster, "POST", paths.pods(), bare)).status).toBe(201);
  await cluster.clock.sleep(10_000);
}

const condition = (status: "True" | "False", reason: string) => ({
  type: "DisruptionAllowed",
  status,
  observedGeneration: 1,
  lastTransitionTime: expect.any(String),
  reason,
  message: "",
});

describe("PodDisruptionBudget status", () => {
  const cases: { name: string; spec: Json; figures: [expected: number, desired: number, healthy: number, allowed: number] }[] = [
    {
      name: "minAvailable 50% of a Deployment's 2 pods (rounded up)",
      spec: { minAvailable: "50%", selector: { matchLabels: { app: "web" } } },
      figures: [2, 1, 2, 1],
    },
    { name: "minAvailable 34% of 3 pods", spec: { minAvailable: "34%", selector: { matchLabels: { app: "solo" } } }, figures: [3, 2, 3, 1] },
    {
      name: "maxUnavailable 30% of 3 pods (rounded up: 1)",
      spec: { maxUnavailable: "30%", selector: { matchLabels: { app: "solo" } } },
      figures: [3, 2, 3, 1],
    },
    { name: "minAvailable 3 of 3 pods", spec: { minAvailable: 3, selector: { matchLabels: { app: "solo" } } }, figures: [3, 3, 3, 0] },
    { name: "an integer minAvailable and no matching pods", spec: { minAvailable: 1, selector: { matchLabels: { app: "nothing" } } }, figures: [0, 1, 0, 0] },
    { name: "no selector (selects nothing)", spec: { minAvailable: 1 }, figures: [0, 1, 0, 0] },
    { name: "an empty selector (selects every pod) and maxUnavailable 1", spec: { maxUnavailable: 1, selector: {} }, figures: [5, 4, 6, 2] },
    { name: "a percentage over an unmanaged pod", spec: { minAvailable: "50%", selector: { matchLabels: { app: "bare" } } }, figures: [0, 0, 1, 0] },
    { name: "an integer over an unmanaged pod", spec: { minAvailable: 1, selector: { matchLabels: { app: "bare" } } }, figures: [1, 1, 1, 0] },
  ];

  it.for(cases)("$name: expected, desired, healthy, allowed = $figures", async ({ spec, figures }) => {
    await world();
    expect((await call(cluster, "POST", paths.poddisruptionbudgets(), budget("pdb", spec))).status).toBe(201);
    const [expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed] = figures;
    const allowed = disruptionsAllowed > 0;
    expect((await get("pdb")).status).toEqual({
      observedGeneration: 1,
      disruptionsAllowed,
      currentHealthy,
      desiredHealthy,
      expectedPods,
      conditions: [condition(allowed ? "True" : "False", allowed ? "SufficientPods" : "InsufficientPods")],
    });
  });

  it("starts with the zero status the registry writes, before the controller", async () => {
    cluster = createFakeCluster();
    // The create's answer is the stored object before the controller's first status write.
    const answer = await call(cluster, "POST", paths.poddisruptionbudgets(), budget("pdb", { minAvailable: 1, selector: { matchLabels: { app: "x" } } }));
    expect(answer.body.status).toEqual({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    expect(answer.body.metadata.generation).toBe(1);
  });

  it("reports NoPods and UnmanagedPods events like the controller", async () => {
    await world();
    await call(cluster, "POST", paths.poddisruptionbudgets(), budget("none", { minAvailable: 1, selector: { matchLabels: { app: "nothing" } } }));
    await call(cluster, "POST", paths.poddisruptionbudgets(), budget("bare", { minAvailable: "50%", selector: { matchLabels: { app: "bare" } } }));
    expect(pdbEvents("none").map((e) => [e.type, e.reason, e.message, e.source.component])).toEqual([
      ["Normal", "NoPods", "No matching pods found", "controllermanager"],
    ]);
    expect(pdbEvents("bare").map((e) => [e.type, e.reason, e.message])).toEqual([
      [
        "Warning",
        "UnmanagedPods",
        'Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: bare,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
      ],
    ]);
  });

  it("fails safe (SyncFailed, nothing allowed) when a pod's controller has no scale", async () => {
    cluster = createFakeCluster({ timings: { jobRun: 600_000 } });
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "batch" },
      spec: { template: { metadata: { labels: { app: "batch" } }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.37" }] } } },
    };
    await call(cluster, "POST", paths.jobs(), job);
    await cluster.clock.sleep(10_000);
    await call(cluster, "POST", paths.poddisruptionbudgets(), budget("jobs", { minAvailable: "50%", selector: { matchLabels: { app: "batch" } } }));
    const status = (await get("jobs")).status;
    expect(status.disruptionsAllowed).toBe(0);
    expect(status.conditions).toEqual([
      {
        type: "DisruptionAllowed",
        status: "False",
        lastTransitionTime: expect.any(String),
        reason: "SyncFailed",
        message: "jobs.batch does not implement the scale subresource",
      },
    ]);
    expect(pdbEvents("jobs").map((e) => e.message)).toContain(
      "Failed to calculate the number of expected pods: jobs.batch does not implement the scale subresource",
    );
  });

  it("follows the pods: a scaled Deployment, a pod that stops being ready, and a spec change (observedGeneration)", async () => {
    await world();
    await call(cluster, "POST", paths.poddisruptionbudgets(), budget("web", { minAvailable: "50%", selector: { matchLabels: { app: "web" } } }));
    const merge = { contentType: "application/merge-patch+json" };
    await call(cluster, "PATCH", `${paths.deployments()}/web`, { spec: { replicas: 4 } }, merge);
    await cluster.clock.sleep(10_000);
    expect((await get("web")).status).toMatchObject({ expectedPods: 4, desiredHealthy: 2, currentHealthy: 4, disruptionsAllowed: 2 });
    await call(cluster, "PATCH", `${paths.deployments()}/web`, { spec: { replicas: 1 } }, merge);
    await cluster.clock.sleep(10_000);
    const scaledDown = await get("web");
    expect(scaledDown.status).toMatchObject({ expectedPods: 1, desiredHealthy: 1, currentHealthy: 1, disruptionsAllowed: 0 });
    expect(scaledDown.status.conditions[0]).toMatchObject({ status: "False", reason: "InsufficientPods" });
    const changed = await call(cluster, "PATCH", `${paths.poddisruptionbudgets()}/web`, { spec: { minAvailable: 0 } }, merge);
    expect(changed.body.metadata.generation).toBe(2);
    expect((await get("web")).status).toMatchObject({ observedGeneration: 2, expectedPods: 1, desiredHealthy: 0, disruptionsAllowed: 1 });
  });

  it("counts only Ready pods as healthy", async () => {
    cluster = createFakeCluster();
    const never = deploymentOf("never", 2);
    never.spec.template.spec.containers[0].image = "registry.example/never-ready:1";
    await call(cluster, "POST", paths.deployments(), never);
    await cluster.clock.sleep(10_000);
    await call(cluster, "POST", paths.poddisruptionbudgets(), budget("never", { maxUnavailable: 1, selector: { matchLabels: { app: "never" } } }));
    expect((await get("never")).status).toMatchObject({ expectedPods: 2, desiredHealthy: 1, currentHealthy: 0, disruptionsAllowed: 0 });
  });
});

describe("PodDisruptionBudget validation", () => {
  const LABEL_VALUE =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  const PERCENT = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
  const cases: { name: string; spec: Json; causes: [field: string, reason: string, message: string][] }[] = [
    {
      name: "minAvailable and maxUnavailable together",
      spec: { minAvailable: 1, maxUnavailable: "150%", selector: { matchLabels: { app: "web" } } },
      causes: [
        [
          "spec",
          "FieldValueInvalid",
          'Invalid value: {"MinAvailable":1,"Selector":{"matchLabels":{"app":"web"}},"MaxUnavailable":"150%","UnhealthyPodEvictionPolicy":null}: minAvailable and maxUnavailable cannot be both set',
        ],
        ["spec.maxUnavailable", "FieldValueInvalid", 'Invalid value: "150%": must not be greater than 100%'],
      ],
    },
    {
      name: "a negative minAvailable",
      spec: { minAvailable: -1 },
      causes: [["spec.minAvailable", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"]],
    },
    {
      name: "a fractional percentage",
      spec: { minAvailable: "5.5%" },
      causes: [["spec.minAvailable", "FieldValueInvalid", `Invalid value: "5.5%": ${PERCENT}`]],
    },
    {
      name: "a string that is no percentage",
      spec: { maxUnavailable: "abc" },
      causes: [["spec.maxUnavailable", "FieldValueInvalid", `Invalid value: "abc": ${PERCENT}`]],
    },
    {
      name: "a bad label value in the selector",
      spec: { minAvailable: 1, selector: { matchLabels: { app: "-bad-" } } },
      causes: [["spec.selector.matchLabels", "FieldValueInvalid", `Invalid value: "-bad-": ${LABEL_VALUE}`]],
    },
    {
      name: "an unknown unhealthyPodEvictionPolicy",
      spec: { minAvailable: 1, unhealthyPodEvictionPolicy: "Foo" },
      causes: [["spec.unhealthyPodEvictionPolicy", "FieldValueNotSupported", 'Unsupported value: "Foo": supported values: "AlwaysAllow", "IfHealthyBudget"']],
    },
  ];

  it.for(cases)("refuses $name", async ({ spec, causes }) => {
    cluster = createFakeCluster();
    const answer = await call(cluster, "POST", paths.poddisruptionbudgets(), budget("bad", spec));
    expect(answer.status).toBe(422);
    expect(answer.body.details.causes).toEqual(causes.map(([field, reason, message]) => ({ reason, message, field })));
  });
});
