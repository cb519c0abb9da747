/**
 * SredaError's identity is its brand, not its prototype: an error made by another copy of the class (the CJS build,
 * the testing entry's bundle) still answers `instanceof`.
 */
import { describe, expect, it, vi } from "vitest";
import { SredaError, SredaValidationError } from "../src/core/errors.js";
import { KubeNetworkError, KubeStatusError } from "../src/kube/errors.js";

/** A second copy of the classes, as a separately bundled entry point would carry. */
async function secondCopy(): Promise<typeof import("../src/core/errors.js")> {
  vi.resetModules();
  return import("../src/core/errors.js");
}

describe("SredaError identity", () => {
  it("holds across copies of the class, for the class and its subclasses", async () => {
    const copy = await secondCopy();
    expect(copy.SredaError).not.toBe(SredaError);
    const error = new copy.SredaValidationError("INVALID_INPUT", "bad", [{ path: "a", message: "m" }]);
    expect(error).toBeInstanceOf(SredaError);
    expect(error).toBeInstanceOf(SredaValidationError);
    expect(new copy.SredaError("X", "x")).not.toBeInstanceOf(SredaValidationError);
  });

  it("keeps instanceof exact between sibling classes", () => {
    const network = new KubeNetworkError({ method: "GET", path: "/version", message: "no answer" } as never);
    expect(network).toBeInstanceOf(SredaError);
    expect(network).toBeInstanceOf(KubeNetworkError);
    expect(network).not.toBeInstanceOf(KubeStatusError);
    expect(new Error("plain")).not.toBeInstanceOf(SredaError);
    expect(null).not.toBeInstanceOf(SredaError);
  });
});
