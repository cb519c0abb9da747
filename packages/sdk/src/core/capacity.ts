/**
 * Lack of room in the cluster, as the scheduler reports it on the pods it cannot place: PodScheduled=False,
 * Unschedulable, with a message naming what did not fit ("Too many pods" — a node's --max-pods — or "Insufficient
 * cpu|memory|…"). Other reasons (a node selector no node matches, a taint) are not about room and do not count:
 * more waiting would not help them. Pure.
 */
import type { Pod } from "./kube-objects.js";

/** The scheduler's words for a node without room for one more pod. */
const NO_ROOM = /Too many pods|Insufficient [a-z0-9./-]+/;

export interface RoomShortage {
  /** How many pods wait for room. */
  pods: number;
  /** The scheduler's message on the oldest of them. */
  message: string;
}

/** The pods that wait for room, oldest first; undefined when none does. */
export function roomShortage(pods: readonly Pod[]): RoomShortage | undefined {
  const waiting = pods
    .map((pod) => ({ pod, condition: pod.status?.conditions?.find((c) => c.type === "PodScheduled") }))
    .filter(({ pod, condition }) => pod.status?.phase === "Pending" && condition?.status === "False" && condition.reason === "Unschedulable")
    .filter(({ condition }) => NO_ROOM.test(condition?.message ?? ""))
    .sort((a, b) => (a.pod.metadata?.creationTimestamp ?? "").localeCompare(b.pod.metadata?.creationTimestamp ?? ""));
  if (waiting.length === 0) return undefined;
  return { pods: waiting.length, message: waiting[0]!.condition?.message ?? "" };
}
