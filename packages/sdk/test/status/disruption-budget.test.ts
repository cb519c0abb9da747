import { describe, expect, it } from "vitest";
import { assessDisruptionBudget, type EnvironmentPhase } from "../../src/core/status/index.js";
import { disruptionBudget } from "./scaling-fixtures.js";

const NAME = "lms-disruption-budget-c42";

// One line per scenario: phase, reason, message (the disruption controller's counts), warning.
const table: [string, EnvironmentPhase, string, string | RegExp, boolean][] = [
  ["not-observed", "Progressing", "LatestGenerationNotObserved", /waiting for the disruption controller/, false],
  ["stale-generation", "Progressing", "LatestGenerationNotObserved", /generation is 2, but latest observed generation is 1/, false],
  ["two-replicas", "Ready", "SufficientPods", "1 disruptions allowed: 2 healthy of 2 expected, 1 required", false],
  ["one-replica", "Ready", "SufficientPods", "1 disruptions allowed: 1 healthy of 1 expected, 0 required", false],
  [
    "min-available-one-of-one",
    "Ready",
    "NoDisruptionsAllowed",
    "0 disruptions allowed: 1 healthy of 1 expected, 1 required; every eviction (a node drain included) is refused",
    true,
  ],
  ["max-unavailable-zero", "Ready", "NoDisruptionsAllowed", /^0 disruptions allowed: 2 healthy of 2 expected, 2 required;/, true],
  ["pods-unhealthy", "Ready", "InsufficientPods", "0 disruptions allowed: 1 healthy of 2 expected, 1 required", false],
  ["no-pods", "Ready", "InsufficientPods", "0 disruptions allowed: 0 healthy of 0 expected, 0 required", false],
  ["sync-failed", "Ready", "SyncFailed", 'found no controllers for pod "lms-debug-c42" (0 disruptions allowed: 2 healthy of 2 expected, 1 required)', true],
];

describe("assessDisruptionBudget", () => {
  it.each(table)("pdb-%s", (scenario, phase, reason, message, warning) => {
    const result = assessDisruptionBudget(disruptionBudget(scenario));
    expect(result).toMatchObject({ kind: "PodDisruptionBudget", name: NAME, phase, reason });
    if (typeof message === "string") expect(result.message).toBe(message);
    else expect(result.message).toMatch(message);
    expect(result.warning).toBe(warning ? true : undefined);
  });

  it("dates a warning from the DisruptionAllowed condition", () => {
    expect(assessDisruptionBudget(disruptionBudget("min-available-one-of-one"))).toEqual({
      kind: "PodDisruptionBudget",
      name: NAME,
      phase: "Ready",
      reason: "NoDisruptionsAllowed",
      message: "0 disruptions allowed: 1 healthy of 1 expected, 1 required; every eviction (a node drain included) is refused",
      since: "2026-03-10T09:16:12Z",
      warning: true,
    });
  });

  it("reports a sync failure at the first sync (observedGeneration never set) rather than waiting for it", () => {
    const pdb = disruptionBudget("sync-failed");
    delete pdb.status!.observedGeneration;
    expect(assessDisruptionBudget(pdb)).toMatchObject({ phase: "Ready", reason: "SyncFailed", warning: true });
  });

  it("never holds the environment back: every observed budget is Ready", () => {
    for (const scenario of ["two-replicas", "one-replica", "min-available-one-of-one", "max-unavailable-zero", "pods-unhealthy", "no-pods", "sync-failed"]) {
      expect(assessDisruptionBudget(disruptionBudget(scenario)).phase).toBe("Ready");
    }
  });
});
