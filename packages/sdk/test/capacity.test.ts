import { describe, expect, it } from "vitest";
import { roomShortage } from "../src/core/capacity.js";
import type { Pod } from "../src/core/kube-objects.js";

const pending = (name: string, created: string, message: string): Pod => ({
  metadata: { name, creationTimestamp: created },
  status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }] },
});
// The scheduler's messages, as kube-scheduler 1.35 writes them (the first seen on the real control plane, capacity.test.ts).
const TOO_MANY =
  "0/1 nodes are available: 1 Too many pods. no new claims to deallocate, preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
const NO_CPU = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
const AFFINITY =
  "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";

describe("roomShortage: pods the scheduler cannot place for lack of room", () => {
  it.each<[string, Pod[], ReturnType<typeof roomShortage>]>([
    ["none pending", [{ metadata: { name: "a" }, status: { phase: "Running" } }], undefined],
    ["too many pods (a node's --max-pods)", [pending("a", "2026-01-01T00:00:02Z", TOO_MANY)], { pods: 1, message: TOO_MANY }],
    ["insufficient cpu", [pending("a", "2026-01-01T00:00:02Z", NO_CPU)], { pods: 1, message: NO_CPU }],
    ["no matching node is not about room", [pending("a", "2026-01-01T00:00:02Z", AFFINITY)], undefined],
    ["pending, not yet judged by the scheduler", [{ metadata: { name: "a" }, status: { phase: "Pending" } }], undefined],
    [
      "counts every pod waiting for room, with the oldest one's message",
      [pending("b", "2026-01-01T00:00:05Z", NO_CPU), pending("a", "2026-01-01T00:00:01Z", TOO_MANY), pending("c", "2026-01-01T00:00:03Z", AFFINITY)],
      { pods: 2, message: TOO_MANY },
    ],
  ])("%s", (_, pods, expected) => {
    expect(roomShortage(pods)).toEqual(expected);
  });
});
