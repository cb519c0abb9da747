import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/core/kube-objects.js";
import { assessDeployment, type EnvironmentPhase } from "../../src/core/status/index.js";
import { deployment } from "./fixture.js";

const NAME = "lms-deployment-c42";

// One line per fixture: scenario, phase, reason, message (kubectl rollout status' words where it has them).
const table: [string, EnvironmentPhase, string, string | RegExp][] = [
  ["available", "Ready", "Available", `deployment "${NAME}" successfully rolled out: 1/1 replicas ready`],
  ["rolling", "Progressing", "ReplicasUnavailable", `Waiting for deployment "${NAME}" rollout to finish: 0 of 1 updated replicas are available...`],
  [
    "updating-new-replicaset",
    "Progressing",
    "RolloutInProgress",
    `Waiting for deployment "${NAME}" rollout to finish: 0 out of 1 new replicas have been updated...`,
  ],
  [
    "old-replicas",
    "Progressing",
    "OldReplicasPendingTermination",
    `Waiting for deployment "${NAME}" rollout to finish: 1 old replicas are pending termination...`,
  ],
  ["stale-generation", "Progressing", "LatestGenerationNotObserved", /generation is 3, but latest observed generation is 2/],
  [
    "progress-deadline-exceeded",
    "Failed",
    "ProgressDeadlineExceeded",
    /exceeded its progress deadline: ReplicaSet "lms-deployment-c42-7d9f8b6c5d" has timed out progressing/,
  ],
  ["scaled-to-zero", "Ready", "ScaledToZero", /scaled to zero replicas \(suspended\)/],
  ["lost-availability", "Degraded", "MinimumReplicasUnavailable", /lost availability: 0 of 1 replicas available/],
  ["replica-failure", "Degraded", "FailedCreate", /exceeded quota: lms-dev-quota/],
];

describe("assessDeployment", () => {
  it.each(table)("deployment-%s", (scenario, phase, reason, message) => {
    const result = assessDeployment(deployment(scenario));
    expect(result).toMatchObject({ kind: "Deployment", name: NAME, phase, reason });
    if (typeof message === "string") expect(result.message).toBe(message);
    else expect(result.message).toMatch(message);
  });

  it("checks the observed generation before the counts: a stale status that looks available is not Ready", () => {
    const d = deployment("stale-generation");
    expect(d.status).toMatchObject({ availableReplicas: 1, updatedReplicas: 1, replicas: 1 });
    expect(assessDeployment(d).phase).toBe("Progressing");
  });

  it("is not Degraded while a rollout is under way, even with Available=False", () => {
    const rolling = variant("lost-availability", (d) => {
      d.status!.conditions = d.status!.conditions!.map((c) =>
        c.type === "Progressing" ? { ...c, reason: "ReplicaSetUpdated", message: 'ReplicaSet "lms-deployment-c42-7d9f8b6c5d" is progressing.' } : c,
      );
    });
    expect(assessDeployment(rolling)).toMatchObject({ phase: "Progressing", reason: "ReplicasUnavailable" });
  });

  it("is not Degraded while old replicas remain (the counts say a rollout is under way)", () => {
    const withOld = variant("lost-availability", (d) => {
      d.status = { ...d.status, replicas: 2 };
    });
    expect(assessDeployment(withOld)).toMatchObject({ phase: "Progressing", reason: "OldReplicasPendingTermination" });
  });

  it("follows kstatus' standard conditions after the generation check: Stalled=True → Failed, Reconciling=True → Progressing", () => {
    const withCondition = (type: string) =>
      variant("available", (d) => {
        d.status!.conditions = [...d.status!.conditions!, { type, status: "True", reason: "Example", message: `${type} by convention` }];
      });
    expect(assessDeployment(withCondition("Stalled"))).toMatchObject({ phase: "Failed", reason: "Example", message: "Stalled by convention" });
    expect(assessDeployment(withCondition("Reconciling"))).toMatchObject({ phase: "Progressing", reason: "Example" });
  });

  it("defaults spec.replicas to 1 as the API server does", () => {
    const noReplicas = variant("rolling", (d) => {
      delete d.spec!.replicas;
    });
    expect(assessDeployment(noReplicas).phase).toBe("Progressing");
  });

  it("is Progressing while scaling down to zero with pods left", () => {
    const scalingDown = variant("scaled-to-zero", (d) => {
      d.status = { ...d.status, replicas: 1, readyReplicas: 1, availableReplicas: 1 };
    });
    expect(assessDeployment(scalingDown)).toMatchObject({ phase: "Progressing", reason: "OldReplicasPendingTermination" });
  });
});

function variant(scenario: string, mutate: (d: Deployment) => void): Deployment {
  const d = deployment(scenario);
  mutate(d);
  return d;
}
