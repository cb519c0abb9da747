/**
 * A plan compared with the live cluster, object by object: `create` (absent), `change` (with the JSON paths of the
 * fields that differ, ../core/diff.ts) or `unchanged` — and `delete` for the customer's objects the plan no longer
 * produces, which a run prunes after its steps. Secrets are compared as the server stores them (`stringData` becomes
 * base64 `data`: `storedForm`, what the executor sends) and by value, but only their paths are reported, never a value.
 */
import { changedFields, type ObjectDiff } from "../core/diff.js";
import { formatPath } from "../core/errors.js";
import type { Deployment } from "../core/kube-objects.js";
import { suspendedReplicas } from "../core/suspension.js";
import type { PlanStep, ProvisioningPlan } from "../core/plan.js";
import { objectPath, storedForm } from "./apply-steps.js";
import type { KubeClient } from "./client.js";
import { isKubeError } from "./errors.js";
import { listExistingObjects, type ExistingObjects } from "./existing-objects.js";
import { pruneCandidates } from "./prune.js";

/** The step's object as the lists found it; read by itself when its kind's list failed or did not have it. */
async function liveObject(step: PlanStep, existing: ExistingObjects, kube: KubeClient, signal: AbortSignal | undefined): Promise<unknown | null> {
  const listed = existing.get(step.kind)?.listed?.items.get(step.name);
  // A list's items carry no apiVersion and kind (the list says them once).
  if (listed) return { apiVersion: step.apiVersion, kind: step.kind, ...listed };
  // Not in the list by the customer's labels: absent, or there without them (made by someone else) — only a read says.
  try {
    return await kube.get(objectPath(step), signal ? { signal } : {});
  } catch (error) {
    if (isKubeError(error, "NotFound")) return null;
    throw error;
  }
}

/** What a run would apply: the stored form, with a suspended customer's Deployment kept at zero unless it resumes. */
function desiredForm(step: PlanStep, live: unknown, resume: boolean): Record<string, unknown> {
  const desired = storedForm(step) as Record<string, any>;
  if (step.kind === "Deployment" && !resume && suspendedReplicas(live as Deployment) !== undefined && desired["spec"]?.["replicas"] !== undefined) {
    desired["spec"]["replicas"] = 0;
  }
  return desired;
}

/** One step against its live object (not null): `change` with the paths that differ, or `unchanged`. */
export function compareStep(step: PlanStep, live: unknown, resume: boolean): ObjectDiff {
  const changed = changedFields(desiredForm(step, live, resume), live).map((segments) => formatPath(segments, "$"));
  return { stepId: step.id, kind: step.kind, name: step.name, action: changed.length > 0 ? "change" : "unchanged", changedPaths: changed };
}

/**
 * Compares every step of `plan` with the cluster, and lists what a run would delete: the customer's objects the plan
 * no longer produces (stepId empty). One list per kind (the executor's own), a read only for what the lists lack.
 */
export async function diffPlan(plan: ProvisioningPlan, kube: KubeClient, options: { signal?: AbortSignal; resume?: boolean } = {}): Promise<ObjectDiff[]> {
  const existing = await listExistingObjects(plan, kube, options.signal);
  const changes = await Promise.all(
    plan.steps.map(async (step): Promise<ObjectDiff> => {
      const base = { stepId: step.id, kind: step.kind, name: step.name };
      const live = await liveObject(step, existing, kube, options.signal);
      if (live === null) return { ...base, action: "create", changedPaths: [] };
      return compareStep(step, live, options.resume === true);
    }),
  );
  const deletions = pruneCandidates(plan, existing).candidates.map(({ kind, name }): ObjectDiff => ({
    stepId: "",
    kind,
    name,
    action: "delete",
    changedPaths: [],
  }));
  return [...changes, ...deletions];
}
