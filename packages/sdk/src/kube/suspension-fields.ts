/**
 * The suspension's own fields on a Deployment — its replicas, and the annotation keeping what it had while suspended —
 * written by server-side apply under a field manager of their own (`<fieldManager>-suspend`), so a provisioning's
 * apply and the suspension never own the annotation together.
 */
import { SUSPENDED_REPLICAS_ANNOTATION } from "../core/suspension.js";
import type { KubeClient } from "./client.js";

interface SuspensionWriter {
  kube: KubeClient;
  signal?: AbortSignal | undefined;
  fieldManager: string;
  namespace: string;
}

/** Replicas `replicas`; with `keep`, the annotation saying what to go back to (without it, the annotation is removed). */
export async function applySuspensionFields(writer: SuspensionWriter, path: string, name: string, replicas: number, keep?: number): Promise<void> {
  const metadata: Record<string, unknown> = { name, namespace: writer.namespace };
  // Leaving the annotation out deletes it: this field manager is its only owner.
  if (keep !== undefined) metadata["annotations"] = { [SUSPENDED_REPLICAS_ANNOTATION]: String(keep) };
  await writer.kube.request({
    method: "PATCH",
    path,
    query: { fieldManager: `${writer.fieldManager}-suspend`, fieldValidation: "Strict", force: true },
    body: { apiVersion: "apps/v1", kind: "Deployment", metadata, spec: { replicas } },
    contentType: "application/apply-patch+yaml",
    idempotent: true,
    ...(writer.signal ? { signal: writer.signal } : {}),
  });
}
