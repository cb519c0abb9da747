import { describe, expect, it } from "vitest";
import { assessAutoscaler, type EnvironmentPhase } from "../../src/core/status/index.js";
import { autoscaler, NO_METRICS_API_MESSAGE } from "./scaling-fixtures.js";

const NAME = "lms-autoscaler-c42";

// One line per scenario: phase, reason, message (the condition's, in the HPA controller's words), warning, since.
const table: [string, EnvironmentPhase, string, string | RegExp, boolean, string | undefined][] = [
  ["not-observed", "Progressing", "LatestGenerationNotObserved", /^Waiting to Autoscale/, false, undefined],
  ["healthy", "Ready", "ValidMetricFound", /successfully calculate a replica count from memory resource utilization/, false, "2026-03-10T09:17:15Z"],
  ["at-max-replicas", "Ready", "TooManyReplicas", "the desired replica count is more than the maximum replica count", false, "2026-03-10T10:02:45Z"],
  ["no-metrics-api", "Ready", "FailedGetResourceMetric", NO_METRICS_API_MESSAGE, true, "2026-03-10T09:16:30Z"],
  ["scaling-disabled", "Ready", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", false, "2026-03-10T09:40:15Z"],
  [
    "failed-get-scale",
    "Degraded",
    "FailedGetScale",
    /unable to get the target's current scale: deployments\/scale.apps "lms-deployment-c42" not found/,
    false,
    "2026-03-10T09:16:30Z",
  ],
  ["failed-update-scale", "Degraded", "FailedUpdateScale", /unable to update the target scale: Operation cannot be fulfilled/, false, "2026-03-10T10:01:30Z"],
  ["terminating", "Progressing", "Terminating", "HorizontalPodAutoscaler is being deleted", false, "2026-03-10T11:00:00Z"],
];

describe("assessAutoscaler", () => {
  it.each(table)("hpa-%s", (scenario, phase, reason, message, warning, since) => {
    const result = assessAutoscaler(autoscaler(scenario));
    expect(result).toMatchObject({ kind: "HorizontalPodAutoscaler", name: NAME, phase, reason });
    if (typeof message === "string") expect(result.message).toBe(message);
    else expect(result.message).toMatch(message);
    // Absent rather than false, so whole reasons compare cleanly.
    expect(result.warning).toBe(warning ? true : undefined);
    expect(result.since).toBe(since);
  });

  it("says exactly what the operator reads for a cluster without metrics-server", () => {
    expect(assessAutoscaler(autoscaler("no-metrics-api"))).toEqual({
      kind: "HorizontalPodAutoscaler",
      name: NAME,
      phase: "Ready",
      reason: "FailedGetResourceMetric",
      message: NO_METRICS_API_MESSAGE,
      since: "2026-03-10T09:16:30Z",
      warning: true,
    });
  });

  it("warns for every ScalingActive=False but ScalingDisabled (the suspend)", () => {
    for (const reason of ["FailedGetPodsMetric", "FailedGetExternalMetric", "InvalidSelector", "InvalidMetricSourceType"]) {
      const hpa = autoscaler("no-metrics-api");
      hpa.status!.conditions![1] = { ...hpa.status!.conditions![1]!, reason, message: `the HPA was unable to compute the replica count: ${reason}` };
      expect(assessAutoscaler(hpa)).toMatchObject({ phase: "Ready", reason, warning: true });
    }
  });

  it("does not read Argo CD's first-match order: AbleToScale=True before a failing ScalingActive still warns", () => {
    const hpa = autoscaler("no-metrics-api");
    expect(hpa.status!.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(["AbleToScale=True", "ScalingActive=False"]);
    expect(assessAutoscaler(hpa).warning).toBe(true);
  });

  it("is Ready on AbleToScale=True alone (the controller skips ScalingActive when it only clamps to min/max)", () => {
    const hpa = autoscaler("healthy");
    hpa.status!.conditions = [
      {
        lastTransitionTime: "2026-03-10T09:16:30Z",
        message: "the HPA controller was able to update the target scale to 1",
        reason: "SucceededRescale",
        status: "True",
        type: "AbleToScale",
      },
    ];
    expect(assessAutoscaler(hpa)).toMatchObject({ phase: "Ready", reason: "SucceededRescale" });
  });
});
