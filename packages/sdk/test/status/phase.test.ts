import { describe, expect, it } from "vitest";
import { foldPhases, isFinalPhase, PHASES_BY_SEVERITY, worsePhase } from "../../src/core/status/index.js";

describe("phases", () => {
  it("orders severity Failed > Degraded > Progressing > Pending > Suspended > Ready", () => {
    expect([...PHASES_BY_SEVERITY].reverse()).toEqual(["Failed", "Degraded", "Progressing", "Pending", "Suspended", "Ready"]);
  });

  it.each([
    [["Ready", "Ready"], "Ready"],
    [["Ready", "Pending"], "Pending"],
    [["Pending", "Progressing", "Ready"], "Progressing"],
    [["Progressing", "Degraded"], "Degraded"],
    [["Failed", "Degraded", "Progressing", "Pending", "Ready"], "Failed"],
    [[], "Ready"],
  ] as const)("folds %j into %s", (phases, expected) => {
    expect(foldPhases(phases)).toBe(expected);
    expect(foldPhases([...phases].reverse())).toBe(expected);
  });

  it("worsePhase returns the more severe of two", () => {
    expect(worsePhase("Pending", "Progressing")).toBe("Progressing");
    expect(worsePhase("Failed", "Ready")).toBe("Failed");
  });

  it("stops following at Ready, Suspended and Failed only", () => {
    expect(PHASES_BY_SEVERITY.filter(isFinalPhase)).toEqual(["Ready", "Suspended", "Failed"]);
  });
});
