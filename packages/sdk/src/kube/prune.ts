/**
 * Pruning: the customer's objects the plan no longer produces (a network policy or an autoscaler turned off in the
 * settings) are deleted after a run whose every step succeeded — `kubectl apply --prune -l …` and Helm's upgrade,
 * done by the owner labels the plan describes. An object is a candidate only when the list by the customer's labels
 * found it, its own labels name the customer, it is not in the plan, it is not being deleted and no controller owns
 * it; nothing of another customer can match.
 */
import { CUSTOMER_LABEL } from "../core/environment.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { ProvisioningPlan } from "../core/plan.js";
import { describeFailure } from "./apply-steps.js";
import type { KubeClient } from "./client.js";
import { isKubeError } from "./errors.js";
import { listExistingObjects, type ExistingObjects } from "./existing-objects.js";

/** An object the plan no longer produces. */
export interface PruneCandidate {
  apiVersion: string;
  kind: string;
  name: string;
  /** The object's API path. */
  path: string;
}

/** What pruning did with one object, or (name "") why a kind could not be looked at. */
export interface PruneResult {
  kind: string;
  name: string;
  outcome: "deleted" | "failed";
  message: string;
  reason?: string;
}

/** The candidates among what the lists found (pure), and the kinds whose list failed: those cannot be pruned. */
export function pruneCandidates(plan: ProvisioningPlan, existing: ExistingObjects): { candidates: PruneCandidate[]; unlisted: string[] } {
  const candidates: PruneCandidate[] = [];
  const unlisted: string[] = [];
  if (!plan.environment.ownerSelector) return { candidates, unlisted };
  const planned = new Set(plan.environment.objects.map((o) => `${o.kind}/${o.name}`));
  for (const { kind, apiVersion } of plan.environment.kinds) {
    const info = kindInfo(kind, apiVersion);
    const listing = existing.get(kind);
    if (!info?.namespaced || !info.write) continue;
    if (!listing?.listed) {
      unlisted.push(kind);
      continue;
    }
    for (const [name, object] of listing.listed.items) {
      const meta = object.metadata;
      if (planned.has(`${kind}/${name}`) || meta?.labels?.[CUSTOMER_LABEL] !== plan.clientId || meta.deletionTimestamp) continue;
      if (meta.ownerReferences?.some((o) => o.controller)) continue;
      candidates.push({ apiVersion, kind, name, path: `${collectionPath(info, encodeURIComponent(plan.namespace))}/${encodeURIComponent(name)}` });
    }
  }
  return { candidates, unlisted };
}

/** The candidates as the cluster has them now: for a diff that lists what a run would delete before anything is. */
export async function findPruneCandidates(
  plan: ProvisioningPlan,
  kube: KubeClient,
  signal?: AbortSignal,
): Promise<{ candidates: PruneCandidate[]; unlisted: string[] }> {
  return pruneCandidates(plan, await listExistingObjects(plan, kube, signal));
}

/**
 * Deletes the candidates (Background propagation, as kubectl: a Job's pods go with it), one result each; an object
 * already gone counts as deleted. Kinds that could not be listed are reported, not guessed at.
 */
export async function pruneObjects(
  kube: KubeClient,
  found: { candidates: PruneCandidate[]; unlisted: string[] },
  options: { signal: AbortSignal | undefined; onPruned: (result: PruneResult) => void },
): Promise<PruneResult[]> {
  const results: PruneResult[] = found.unlisted.map((kind) => ({
    kind,
    name: "",
    outcome: "failed" as const,
    reason: "ListFailed",
    message: `объекты ${kind} клиента не получены списком: те, которых больше нет в плане, не удалены`,
  }));
  for (const result of results) options.onPruned(result);
  for (const candidate of found.candidates) {
    const result = await deleteCandidate(kube, candidate, options.signal);
    results.push(result);
    options.onPruned(result);
  }
  return results;
}

async function deleteCandidate(kube: KubeClient, candidate: PruneCandidate, signal: AbortSignal | undefined): Promise<PruneResult> {
  const { kind, name } = candidate;
  try {
    await kube.delete(candidate.path, { propagationPolicy: "Background", ...(signal ? { signal } : {}) });
  } catch (error) {
    if (!isKubeError(error, "NotFound")) {
      const { reason, message } = describeFailure(error);
      return { kind, name, outcome: "failed", reason, message: `${kind} ${name} не удалён: ${message}` };
    }
  }
  return { kind, name, outcome: "deleted", message: `${kind} ${name} удалён: его больше нет в плане` };
}
