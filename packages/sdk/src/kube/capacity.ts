/**
 * Is there room for one more customer? One list of the namespace's pending pods of Sreda's (a field selector on the
 * phase: a few pods, not the namespace), judged by ../core/capacity.ts.
 */
import { roomShortage, type RoomShortage } from "../core/capacity.js";
import type { PodList } from "../core/kube-objects.js";
import type { KubeClient } from "./client.js";
import { MANAGED_BY_SELECTOR } from "./inventory.js";

export async function readRoomShortage(kube: KubeClient, namespace: string, signal?: AbortSignal): Promise<RoomShortage | undefined> {
  const list = await kube.list<PodList>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, {
    labelSelector: MANAGED_BY_SELECTOR,
    fieldSelector: "status.phase=Pending",
    ...(signal ? { signal } : {}),
  });
  return roomShortage(list.items ?? []);
}
