import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/core/kube-objects.js";
import { assessPod, type EnvironmentPhase, type PodContext } from "../../src/core/status/index.js";
import { at, events, pod } from "./fixture.js";

const CRASH_LOGS = [
  "2026-03-10T09:18:09.412Z INFO  lms-backend starting, version dev (a3f9c2e)",
  "2026-03-10T09:18:09.530Z ERROR db: dial tcp 10.43.18.7:5432: connect: connection refused",
  "2026-03-10T09:18:09.531Z FATAL cannot start without the database, exiting",
];
const pullEvents = events("pod-imagepullbackoff-over-threshold");

// One line per fixture: scenario, context (the clock reading and what the caller fetched), phase, reason.
// Scheduling times: LMS pods of the first ReplicaSet 09:16:00, of the second (bad image) 09:22:00; job pods earlier.
const table: [string, PodContext, EnvironmentPhase, string][] = [
  ["running-ready", { now: at("2026-03-10T09:17:00Z") }, "Ready", "PodReady"],
  ["pending-scheduled", { now: at("2026-03-10T09:16:01Z") }, "Pending", "PodScheduled"],
  ["container-creating", { now: at("2026-03-10T09:16:05Z") }, "Progressing", "ContainerCreating"],
  ["errimagepull-fresh", { now: at("2026-03-10T09:22:20Z") }, "Progressing", "ErrImagePull"],
  ["imagepullbackoff-over-threshold", { now: at("2026-03-10T09:24:40Z"), events: pullEvents }, "Failed", "ImagePullBackOff"],
  ["crashloopbackoff", { now: at("2026-03-10T09:19:00Z"), logs: { "lms-deployment-c42-7d9f8b6c5d-c8j2d/lms": CRASH_LOGS } }, "Failed", "CrashLoopBackOff"],
  ["createcontainerconfigerror", { now: at("2026-03-10T09:16:10Z") }, "Failed", "CreateContainerConfigError"],
  ["invalid-image-name", { now: at("2026-03-10T09:22:05Z") }, "Failed", "InvalidImageName"],
  ["unschedulable", { now: at("2026-03-10T09:17:00Z") }, "Pending", "Unschedulable"],
  ["terminated-oomkilled", { now: at("2026-03-10T09:13:00Z") }, "Failed", "OOMKilled"],
  ["job-attempt-failed", { now: at("2026-03-10T09:14:00Z") }, "Failed", "Error"],
];

describe("assessPod", () => {
  it.each(table)("pod-%s", (scenario, context, phase, reason) => {
    const p = pod(scenario);
    expect(assessPod(p, context)).toMatchObject({ kind: "Pod", name: p.metadata!.name, phase, reason });
  });

  describe("image pull errors: Progressing until a threshold, then Failed", () => {
    const fresh = pod("errimagepull-fresh"); // scheduled 09:22:00, no events yet
    const backoff = pod("imagepullbackoff-over-threshold"); // 4 "Failed to pull image" attempts in the events

    it.each([
      ["59 s after scheduling", "2026-03-10T09:22:59Z", "Progressing"],
      ["60 s after scheduling (the default threshold)", "2026-03-10T09:23:00Z", "Failed"],
    ] as const)("%s → %s", (_when, now, phase) => {
      expect(assessPod(fresh, { now: at(now) }).phase).toBe(phase);
    });

    it("honours imagePullFailureThresholdMs", () => {
      expect(assessPod(fresh, { now: at("2026-03-10T09:22:20Z"), imagePullFailureThresholdMs: 10_000 }).phase).toBe("Failed");
    });

    it("fails on the number of failed pulls alone (events, by count), before the time threshold", () => {
      const context = { now: at("2026-03-10T09:22:30Z"), events: pullEvents, imagePullFailureThresholdMs: 600_000 };
      expect(assessPod(backoff, context)).toMatchObject({ phase: "Failed", message: expect.stringContaining("4 failed pulls") });
      expect(assessPod(backoff, { ...context, imagePullFailureThresholdAttempts: 5 }).phase).toBe("Progressing");
    });

    it('counts only "Failed to pull image" events: BackOff and "Error: …" echoes repeat the same attempts', () => {
      const echoes = pullEvents.filter((e) => !e.message?.startsWith("Failed to pull image"));
      expect(echoes.reduce((n, e) => n + (e.count ?? 1), 0)).toBeGreaterThan(3);
      expect(assessPod(backoff, { now: at("2026-03-10T09:22:30Z"), events: echoes, imagePullFailureThresholdMs: 600_000 }).phase).toBe("Progressing");
    });

    it("ignores events about another pod", () => {
      const other = pullEvents.map((e) => ({ ...e, involvedObject: { ...e.involvedObject, name: "lms-deployment-c42-5f6c9d7b48-aaaaa", uid: "x" } }));
      expect(assessPod(backoff, { now: at("2026-03-10T09:22:30Z"), events: other }).phase).toBe("Progressing");
    });

    it('attaches the latest relevant event, not the kubelet\'s "Error: ImagePullBackOff" echo', () => {
      const result = assessPod(backoff, { now: at("2026-03-10T09:24:40Z"), events: pullEvents });
      expect(result).toMatchObject({ container: "lms", since: "2026-03-10T09:22:03Z" });
      expect(result.message).toContain('Back-off pulling image "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev-2026-03-10"');
      expect(result.message).toContain("4 failed pulls, 160 s since scheduled");
      expect(result.message).toContain('Failed to pull image "registry.gitlab.corp.rarus.cloud/rarus-lms/backend:dev-2026-03-10"');
      expect(result.message).not.toContain("Error: ImagePullBackOff");
    });
  });

  it("reports CrashLoopBackOff at once with the last exit and the container's last log lines", () => {
    const result = assessPod(pod("crashloopbackoff"), { now: at("2026-03-10T09:16:30Z"), logs: { "lms-deployment-c42-7d9f8b6c5d-c8j2d/lms": CRASH_LOGS } });
    expect(result).toEqual({
      kind: "Pod",
      name: "lms-deployment-c42-7d9f8b6c5d-c8j2d",
      phase: "Failed",
      reason: "CrashLoopBackOff",
      message:
        "back-off 1m20s restarting failed container=lms pod=lms-deployment-c42-7d9f8b6c5d-c8j2d_lms-dev(f2b6e8a1-9d4c-47e3-a15b-8c0f3e7d2a94); last exit code 1 (Error), 4 restarts",
      container: "lms",
      logs: CRASH_LOGS,
      since: "2026-03-10T09:18:11Z",
    });
  });

  it("names the missing secret for CreateContainerConfigError", () => {
    expect(assessPod(pod("createcontainerconfigerror"), { now: 0 }).message).toBe('secret "lms-secrets-c42" not found');
  });

  it("reports an unschedulable pod Pending, then Failed after unschedulableFailureThresholdMs (default 3 min)", () => {
    const p = pod("unschedulable"); // PodScheduled=False since 09:16:00
    expect(assessPod(p, { now: at("2026-03-10T09:18:59Z") }).phase).toBe("Pending");
    expect(assessPod(p, { now: at("2026-03-10T09:19:00Z") })).toMatchObject({
      phase: "Failed",
      reason: "Unschedulable",
      message: expect.stringMatching(/didn't match Pod's node affinity\/selector.*\(unschedulable for 180 s\)$/),
      since: "2026-03-10T09:16:00Z",
    });
    expect(assessPod(p, { now: at("2026-03-10T09:16:30Z"), unschedulableFailureThresholdMs: 30_000 }).phase).toBe("Failed");
  });

  it("reports the OOM-killed container with its exit code", () => {
    expect(assessPod(pod("terminated-oomkilled"), { now: 0 })).toMatchObject({
      container: "postgres-client",
      message: "container postgres-client exited with code 137 (OOMKilled)",
      since: "2026-03-10T09:12:38Z",
    });
  });

  it("does not fail a container that exited non-zero when the pod restarts it (restartPolicy Always)", () => {
    const restarting = variant("crashloopbackoff", (p) => {
      const s = p.status!.containerStatuses![0]!;
      s.state = { terminated: { exitCode: 1, reason: "Error", startedAt: "2026-03-10T09:18:09Z", finishedAt: "2026-03-10T09:18:11Z" } };
    });
    expect(assessPod(restarting, { now: 0 })).toMatchObject({ phase: "Progressing", reason: "ContainersNotReady" });
  });

  it("checks init containers like containers, first", () => {
    const initCrash = variant("container-creating", (p) => {
      p.spec!.initContainers = [{ name: "wait-db", image: "busybox:1.37" }];
      p.status!.initContainerStatuses = [
        {
          name: "wait-db",
          image: "busybox:1.37",
          imageID: "",
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=wait-db" } },
        },
      ];
    });
    expect(assessPod(initCrash, { now: 0 })).toMatchObject({ phase: "Failed", reason: "CrashLoopBackOff", container: "wait-db" });
  });

  it("is Progressing while init containers run (kubectl's Init:0/1)", () => {
    const initRunning = variant("container-creating", (p) => {
      p.status!.initContainerStatuses = [
        { name: "wait-db", image: "busybox:1.37", imageID: "", ready: false, restartCount: 0, state: { running: { startedAt: "2026-03-10T09:16:03Z" } } },
      ];
    });
    expect(assessPod(initRunning, { now: 0 })).toMatchObject({ phase: "Progressing", reason: "PodInitializing", message: "Init:0/1" });
  });

  it("is Progressing while running but not ready (readiness probe)", () => {
    const notReady = variant("running-ready", (p) => {
      p.status!.conditions = p.status!.conditions!.map((c) =>
        c.type === "Ready" ? { ...c, status: "False", reason: "ContainersNotReady", message: "containers with unready status: [lms]" } : c,
      );
    });
    expect(assessPod(notReady, { now: 0 })).toMatchObject({ phase: "Progressing", message: "containers with unready status: [lms]" });
  });

  it("is Failed when the pod failed as a whole (eviction)", () => {
    const evicted = variant("running-ready", (p) => {
      p.status = { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." };
    });
    expect(assessPod(evicted, { now: 0 })).toMatchObject({ phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." });
  });

  it("checks deletion before everything: a crash-looping pod being deleted is Terminating", () => {
    const deleting = variant("crashloopbackoff", (p) => {
      p.metadata!.deletionTimestamp = "2026-03-10T09:20:00Z";
    });
    expect(assessPod(deleting, { now: 0 })).toMatchObject({ phase: "Progressing", reason: "Terminating" });
  });

  it("checks the observed generation (Pods have it since 1.33)", () => {
    const stale = variant("running-ready", (p) => {
      p.metadata!.generation = 2;
    });
    expect(assessPod(stale, { now: 0 })).toMatchObject({ phase: "Progressing", reason: "LatestGenerationNotObserved" });
  });
});

function variant(scenario: string, mutate: (p: Pod) => void): Pod {
  const p = pod(scenario);
  mutate(p);
  return p;
}
