/**
 * The one-shot status read (src/kube/environment-status.ts) with an autoscaler and a disruption budget: which
 * objects it reads, and that a platform that will not show them (403, 404) still gets a status.
 */
import { describe, expect, it } from "vitest";
import { describeEnvironment, type EnvironmentDescription } from "../../src/core/environment.js";
import type { KubeClient } from "../../src/kube/client.js";
import { readEnvironmentStatus } from "../../src/kube/environment-status.js";
import { KubeStatusError } from "../../src/kube/errors.js";
import { at, deployment, job, pod } from "./fixture.js";
import { autoscaler, disruptionBudget } from "./scaling-fixtures.js";

const NS = "lms-dev";
const HPA_PATH = `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/lms-autoscaler-c42`;
const PDB_PATH = `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/lms-disruption-budget-c42`;

const base = describeEnvironment({ client: { id: "C42" }, environment: { namespace: NS } });
/** The description with (or without) the autoscaler and the budget, whatever the templates' defaults. */
function environment(withScaling: boolean): EnvironmentDescription {
  const objects = base.objects.filter((o) => o.kind !== "HorizontalPodAutoscaler" && o.kind !== "PodDisruptionBudget");
  if (withScaling) {
    objects.push(
      { template: "lms-autoscaler", kind: "HorizontalPodAutoscaler", name: "lms-autoscaler-c42" },
      { template: "lms-disruption-budget", kind: "PodDisruptionBudget", name: "lms-disruption-budget-c42" },
    );
  }
  return { ...base, objects };
}

const notFound = (path: string) => new KubeStatusError({ status: 404, reason: "NotFound", kubeMessage: "", method: "GET", path });

/** Objects by path; anything else is 404, as for an object not created. Records every GET. */
function stubKube(objects: Record<string, unknown | Error>): KubeClient & { gets: string[] } {
  const gets: string[] = [];
  const stub = {
    gets,
    async get<T>(path: string): Promise<T> {
      gets.push(path);
      const found = objects[path];
      if (found instanceof Error) throw found;
      if (found === undefined) throw notFound(path);
      return structuredClone(found) as T;
    },
    async list<T>(path: string): Promise<T> {
      return { items: path.endsWith("/pods") ? [pod("running-ready")] : [] } as T;
    },
  };
  return stub as unknown as KubeClient & { gets: string[] };
}

const ready = {
  [`/apis/batch/v1/namespaces/${NS}/jobs/postgres-setup-c42`]: job("complete"),
  [`/apis/apps/v1/namespaces/${NS}/deployments/lms-deployment-c42`]: deployment("available"),
};

describe("readEnvironmentStatus with an autoscaler and a disruption budget", () => {
  it("reads both by name and reports the autoscaler's warning", async () => {
    const kube = stubKube({ ...ready, [HPA_PATH]: autoscaler("no-metrics-api"), [PDB_PATH]: disruptionBudget("one-replica") });
    const result = await readEnvironmentStatus(kube, environment(true), { now: at("2026-03-10T09:20:00Z") });
    expect(kube.gets).toEqual(expect.arrayContaining([HPA_PATH, PDB_PATH]));
    expect(result.phase).toBe("Ready");
    expect(result.summary).toBe("Готова: 1/1 подов; предупреждение: автомасштабирование lms-autoscaler-c42 не работает (FailedGetResourceMetric)");
    expect(result.warnings.map((w) => w.reason)).toEqual(["FailedGetResourceMetric"]);
  });

  it.each([
    ["403 Forbidden", new KubeStatusError({ status: 403, reason: "Forbidden", kubeMessage: "", method: "GET", path: HPA_PATH })],
    ["404 NotFound", notFound(HPA_PATH)],
  ])("treats %s as absent", async (_name, error) => {
    const kube = stubKube({ ...ready, [HPA_PATH]: error, [PDB_PATH]: error });
    const result = await readEnvironmentStatus(kube, environment(true), { now: at("2026-03-10T09:20:00Z") });
    expect(result).toMatchObject({ phase: "Ready", summary: "Готова: 1/1 подов", warnings: [] });
    expect(result.reasons.map((r) => r.kind)).not.toContain("HorizontalPodAutoscaler");
  });

  it("still fails on other errors, like the other reads", async () => {
    const unavailable = new KubeStatusError({ status: 503, reason: "ServiceUnavailable", kubeMessage: "", method: "GET", path: HPA_PATH });
    const kube = stubKube({ ...ready, [HPA_PATH]: unavailable });
    await expect(readEnvironmentStatus(kube, environment(true), { now: at("2026-03-10T09:20:00Z") })).rejects.toBe(unavailable);
  });

  it("reads neither when the description has none (turned off in the settings)", async () => {
    const kube = stubKube(ready);
    const result = await readEnvironmentStatus(kube, environment(false), { now: at("2026-03-10T09:20:00Z") });
    expect(kube.gets.filter((p) => p === HPA_PATH || p === PDB_PATH)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});
