import { afterEach, describe, expect, it } from "vitest";
import { createFakeCluster, createVirtualClock, type FakeCluster, type FakeClusterOptions } from "../../src/testing/index.js";
import { call, eventually, fixture, paths, type Json } from "./helpers.js";

let cluster: FakeCluster;
afterEach(() => cluster.close());

const pod = (name: string, image: string, extra: Json = {}): Json => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { containers: [{ name: "app", image, ...extra }] },
});
const getPod = async (name: string): Promise<Json> => (await call(cluster, "GET", `${paths.pods()}/${name}`)).body;
const waiting = (p: Json): Json | undefined => p.status?.containerStatuses?.[0]?.state?.waiting;
const eventsFor = async (name: string): Promise<Json[]> =>
  (await call(cluster, "GET", paths.events(), undefined, { query: { fieldSelector: `involvedObject.name=${name}` } })).body.items;

function start(options: FakeClusterOptions = {}): void {
  cluster = createFakeCluster(options);
}

describe("kubelet simulation", () => {
  it("defaults a Pod like admission does (service account volume, tolerations, QoS) and runs it", async () => {
    start();
    const { body } = await call(cluster, "POST", paths.pods(), pod("web", "nginx:1.27", { resources: { limits: { cpu: "100m", memory: "64Mi" } } }));
    expect(body.status).toEqual({ phase: "Pending", qosClass: "Guaranteed" });
    expect(body.spec).toMatchObject({
      serviceAccountName: "default",
      serviceAccount: "default",
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
    });
    expect(body.spec.containers[0].resources.requests).toEqual({ cpu: "100m", memory: "64Mi" });
    expect(body.spec.volumes[0].name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(body.spec.tolerations).toHaveLength(2);
    const running = await eventually(cluster, async () => {
      const p = await getPod("web");
      return p.status.containerStatuses?.[0]?.ready ? p : undefined;
    });
    expect(running.spec.nodeName).toMatch(/^worker-\d$/);
    expect(running.status).toMatchObject({ phase: "Running", podIP: expect.stringMatching(/^10\.42\./), hostIP: expect.stringMatching(/^10\.66\.139\./) });
    expect(running.status.containerStatuses[0]).toMatchObject({
      name: "app",
      image: "docker.io/library/nginx:1.27",
      imageID: expect.stringMatching(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/),
      containerID: expect.stringMatching(/^containerd:\/\/[0-9a-f]{64}$/),
      restartCount: 0,
      started: true,
    });
    expect((await eventsFor("web")).map((e) => e.reason)).toEqual(["Scheduled", "Pulling", "Pulled", "Created", "Started"]);
  });

  it("alternates ErrImagePull and ImagePullBackOff for an image that does not exist", async () => {
    start();
    await call(cluster, "POST", paths.pods(), pod("bad", "registry.example/app:missing"));
    const reasons = new Set<string>();
    await eventually(
      cluster,
      async () => {
        const reason = waiting(await getPod("bad"))?.reason;
        if (reason) reasons.add(reason);
        return reasons.has("ErrImagePull") && reasons.has("ImagePullBackOff") ? true : undefined;
      },
      { stepMs: 250 },
    );
    const p = await getPod("bad");
    expect(p.status.phase).toBe("Pending");
    expect(p.status.containerStatuses[0].restartCount).toBe(0);
    const events = await eventsFor("bad");
    expect(events.find((e) => e.reason === "Failed" && e.message.startsWith("Failed to pull image"))).toMatchObject({
      type: "Warning",
      message:
        'Failed to pull image "registry.example/app:missing": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example/app:missing": failed to resolve reference "registry.example/app:missing": registry.example/app:missing: not found',
      involvedObject: { kind: "Pod", name: "bad", namespace: "lms-dev", fieldPath: "spec.containers{app}" },
      source: { component: "kubelet", host: p.spec.nodeName },
    });
    expect(events.find((e) => e.reason === "BackOff")).toMatchObject({ type: "Normal", message: 'Back-off pulling image "registry.example/app:missing"' });
    const logs = await call(cluster, "GET", `${paths.pods()}/bad/log`);
    expect(logs.status).toBe(400);
    expect(logs.body.message).toBe('container "app" in pod "bad" is waiting to start: trying and failing to pull image');
  });

  it("crash-loops with growing back-off, lastState and logs of the previous run", async () => {
    start();
    await call(cluster, "POST", paths.pods(), pod("crashy", "registry.example/crash-app:1"));
    const p = await eventually(cluster, async () => {
      const current = await getPod("crashy");
      return current.status.containerStatuses?.[0]?.restartCount >= 2 && waiting(current)?.reason === "CrashLoopBackOff" ? current : undefined;
    });
    const status = p.status.containerStatuses[0];
    expect(status.state.waiting.message).toBe(`back-off 20s restarting failed container=app pod=crashy_lms-dev(${p.metadata.uid})`);
    expect(status.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(p.status.phase).toBe("Running");
    const previous = await call(cluster, "GET", `${paths.pods()}/crashy/log`, undefined, { query: { previous: "true" } });
    expect(previous.body).toContain("panic: dial tcp");
    const backoff = (await eventsFor("crashy")).find((e) => e.reason === "BackOff");
    expect(backoff).toMatchObject({ type: "Warning", message: `Back-off restarting failed container app in pod crashy_lms-dev(${p.metadata.uid})` });
    expect(backoff!.count).toBe(2);
  });

  it("reports CreateContainerConfigError while an envFrom Secret is missing and recovers when it appears", async () => {
    start();
    await call(cluster, "POST", paths.configmaps(), fixture("configmap-lms-config-c42"));
    await call(cluster, "POST", paths.secrets(), fixture("secret-rsa-c42"));
    await call(cluster, "POST", paths.deployments(), fixture("deployment-lms-c42"));
    const first = await eventually(cluster, async () => {
      const items = (await call(cluster, "GET", paths.pods(), undefined, { query: { labelSelector: "app=C42-lms" } })).body.items;
      return items[0] && waiting(items[0])?.reason === "CreateContainerConfigError" ? items[0] : undefined;
    });
    expect(waiting(first)).toEqual({ reason: "CreateContainerConfigError", message: 'secret "lms-secrets-c42" not found' });
    expect((await eventsFor(first.metadata.name)).find((e) => e.reason === "Failed")).toMatchObject({
      type: "Warning",
      message: 'Error: secret "lms-secrets-c42" not found',
    });
    await call(cluster, "POST", paths.secrets(), fixture("secret-lms-secrets-c42"));
    const recovered = await eventually(cluster, async () => {
      const p = await getPod(first.metadata.name);
      return p.status.containerStatuses[0].ready ? p : undefined;
    });
    expect(recovered.status.phase).toBe("Running");
  });

  it("keeps a pod ContainerCreating with FailedMount while a secret volume is missing", async () => {
    start();
    await call(cluster, "POST", paths.pods(), {
      ...pod("mounts", "nginx:1.27", { volumeMounts: [{ name: "key", mountPath: "/etc/lms" }] }),
      spec: {
        containers: [{ name: "app", image: "nginx:1.27", volumeMounts: [{ name: "key", mountPath: "/etc/lms" }] }],
        volumes: [{ name: "key", secret: { secretName: "rsa-secret-c42" } }],
      },
    });
    await cluster.clock.sleep(10_000);
    const p = await getPod("mounts");
    expect(p.status.phase).toBe("Pending");
    expect(waiting(p)).toEqual({ reason: "ContainerCreating" });
    expect(p.status.podIP).toBeUndefined();
    expect(p.status.conditions.find((c: Json) => c.type === "PodReadyToStartContainers").status).toBe("False");
    expect((await eventsFor("mounts")).find((e) => e.reason === "FailedMount")).toMatchObject({
      type: "Warning",
      message: 'MountVolume.SetUp failed for volume "key" : secret "rsa-secret-c42" not found',
    });
    await call(cluster, "POST", paths.secrets(), fixture("secret-rsa-c42"));
    await eventually(cluster, async () => (await getPod("mounts")).status.phase === "Running");
  });

  it("warns about a missing image pull secret and pulls anyway", async () => {
    start({ defaultSecrets: false });
    await call(cluster, "POST", paths.pods(), {
      ...pod("private", "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev"),
      spec: {
        containers: [{ name: "app", image: "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev" }],
        imagePullSecrets: [{ name: "repository-token" }],
      },
    });
    await eventually(cluster, async () => (await getPod("private")).status.phase === "Running");
    const warning = (await eventsFor("private")).find((e) => e.reason === "FailedToRetrieveImagePullSecret");
    expect(warning).toMatchObject({
      type: "Warning",
      message: "Unable to retrieve some image pull secrets (repository-token); attempting to pull the image may not succeed.",
    });
  });

  it("leaves pods Pending and Unschedulable when the cluster cannot schedule", async () => {
    start({ schedulable: false });
    await call(cluster, "POST", paths.pods(), pod("stuck", "nginx:1.27"));
    await cluster.clock.sleep(5_000);
    const p = await getPod("stuck");
    expect(p.spec.nodeName).toBeUndefined();
    expect(p.status.phase).toBe("Pending");
    expect(p.status.conditions).toEqual([
      {
        type: "PodScheduled",
        status: "False",
        lastProbeTime: null,
        lastTransitionTime: expect.any(String),
        reason: "Unschedulable",
        message: expect.stringMatching(/^0\/3 nodes are available: /),
      },
    ]);
    expect((await eventsFor("stuck")).map((e) => [e.reason, e.type, e.source.component])).toEqual([["FailedScheduling", "Warning", "default-scheduler"]]);
  });

  it("fills nodes up to their pod capacity: the rest stay Pending with the scheduler's 'Too many pods', and get a node when room is freed", async () => {
    start({ maxPodsPerNode: 1 });
    for (const name of ["a", "b", "c", "d"]) await call(cluster, "POST", paths.pods(), pod(name, "nginx:1.27"));
    await cluster.clock.sleep(5_000);
    const pods = await Promise.all(["a", "b", "c", "d"].map(getPod));
    const placed = pods.filter((p) => p.spec.nodeName !== undefined);
    expect(new Set(placed.map((p) => p.spec.nodeName)).size).toBe(3); // one per node of the three
    const waitingPod = pods.find((p) => p.spec.nodeName === undefined)!;
    expect(waitingPod.status.conditions).toEqual([
      {
        type: "PodScheduled",
        status: "False",
        lastProbeTime: null,
        lastTransitionTime: expect.any(String),
        reason: "Unschedulable",
        message:
          "0/3 nodes are available: 3 Too many pods. no new claims to deallocate, preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
      },
    ]);
    expect((await eventsFor(waitingPod.metadata.name)).map((e) => [e.reason, e.type, e.source.component])).toEqual([
      ["FailedScheduling", "Warning", "default-scheduler"],
    ]);
    // A running pod deleted: its node has room again and the waiting pod is bound there.
    const freed = placed[0]!;
    await call(cluster, "DELETE", `${paths.pods()}/${freed.metadata.name}`);
    const bound = await eventually(cluster, async () => {
      const p = await getPod(waitingPod.metadata.name);
      return p.status.phase === "Running" ? p : undefined;
    });
    expect(bound.spec.nodeName).toBe(freed.spec.nodeName);
    expect(bound.status.conditions.find((c: Json) => c.type === "PodScheduled").status).toBe("True");
  });

  it("does not count finished pods against a node's capacity; setMaxPodsPerNode makes room at once", async () => {
    start({ maxPodsPerNode: 1, behavior: { pod: (p) => (p.metadata?.name === "done" ? "succeed" : undefined) } });
    await call(cluster, "POST", paths.pods(), {
      ...pod("done", "busybox:1.36"),
      spec: { restartPolicy: "Never", containers: [{ name: "app", image: "busybox:1.36" }] },
    });
    await eventually(cluster, async () => ((await getPod("done")).status.phase === "Succeeded" ? true : undefined));
    for (const name of ["x", "y", "z"]) await call(cluster, "POST", paths.pods(), pod(name, "nginx:1.27"));
    await cluster.clock.sleep(5_000);
    expect((await Promise.all(["x", "y", "z"].map(getPod))).every((p) => p.spec.nodeName !== undefined)).toBe(true);
    await call(cluster, "POST", paths.pods(), pod("w", "nginx:1.27"));
    await cluster.clock.sleep(5_000);
    expect((await getPod("w")).status.phase).toBe("Pending");
    cluster.setMaxPodsPerNode(2);
    await eventually(cluster, async () => ((await getPod("w")).status.phase === "Running" ? true : undefined));
  });

  it("serves logs with container, tailLines and timestamps; setPodLogs replaces them", async () => {
    start();
    await call(cluster, "POST", paths.pods(), {
      ...pod("two", "nginx:1.27"),
      spec: {
        containers: [
          { name: "a", image: "nginx:1.27" },
          { name: "b", image: "busybox:1.36" },
        ],
      },
    });
    await eventually(cluster, async () => (await getPod("two")).status.phase === "Running");
    const noContainer = await call(cluster, "GET", `${paths.pods()}/two/log`);
    expect(noContainer.status).toBe(400);
    expect(noContainer.body.message).toBe("a container name must be specified for pod two, choose one of: [a b]");
    cluster.setPodLogs("lms-dev", "two", "a", ["one", "two", "three"]);
    expect((await call(cluster, "GET", `${paths.pods()}/two/log`, undefined, { query: { container: "a", tailLines: "2" } })).body).toBe("two\nthree\n");
    const stamped = await call(cluster, "GET", `${paths.pods()}/two/log`, undefined, { query: { container: "a", timestamps: "true", tailLines: "1" } });
    expect(stamped.body).toMatch(/^2026-01-01T\d\d:\d\d:\d\d\.\d{9}Z three\n$/);
  });

  it("moves only when told in manual clock mode", async () => {
    start({ clock: createVirtualClock({ auto: false }) });
    await call(cluster, "POST", paths.pods(), pod("slow", "nginx:1.27"));
    await cluster.settle();
    expect((await getPod("slow")).spec.nodeName).toBeUndefined();
    await cluster.clock.advance(500);
    expect((await getPod("slow")).spec.nodeName).toBeDefined();
    await cluster.clock.advance(2_000);
    expect((await getPod("slow")).status.phase).toBe("Running");
  });
});
