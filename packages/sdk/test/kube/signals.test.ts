import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { followSignals } from "../../src/kube/signals.js";

describe("followSignals", () => {
  it("aborts with the first source's reason, and lets go of the sources when disposed", () => {
    const a = new AbortController();
    const b = new AbortController();
    const followed = followSignals([a.signal, b.signal]);
    expect(getEventListeners(a.signal, "abort")).toHaveLength(1);
    b.abort("b went");
    expect(followed.signal.aborted).toBe(true);
    expect(followed.signal.reason).toBe("b went");
    expect(getEventListeners(a.signal, "abort")).toHaveLength(0);

    const other = followSignals([a.signal]);
    other.dispose();
    expect(getEventListeners(a.signal, "abort")).toHaveLength(0);
    a.abort("late");
    expect(other.signal.aborted).toBe(false);
    expect(followSignals([b.signal]).signal.reason).toBe("b went"); // already aborted
  });
});
