/**
 * A plan compared with the live cluster, object by object: `create` (absent), `change` (with the JSON paths of
 * the fields that differ) or `unchanged` — and `delete` for the customer's objects the plan no longer produces, which
 * the run would prune after its steps.
 *
 * Only the fields the plan sets are compared, at the same paths in the live object: whatever the API server adds
 * (uid, resourceVersion, managedFields, status, defaulted spec fields, labels of a Job's pod template) is ignored,
 * which is the question server-side apply answers too — "would applying this change the fields I manage?".
 * Secrets are compared as the server stores them (`stringData` becomes base64 `data`, the SDK's `storedForm`, what
 * the executor sends) and by value, but only
 * their paths are reported, never a value. Quantities compare by amount (`0.5` = `500m`, `1Gi` = `1024Mi`), as the
 * API server canonicalizes them.
 */
import {
  formatPath,
  isKubeError,
  listExistingObjects,
  objectPath,
  pruneCandidates,
  storedForm,
  type ExistingObjects,
  type KubeClient,
  type PlanStep,
  type ProvisioningPlan,
} from "@sreda/sdk";
import type { z } from "zod";
import type { ObjectDiff } from "./schemas.js";

type ObjectDiffResult = z.infer<typeof ObjectDiff>;

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
const FACTORS: Record<string, number> = {
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

function quantity(value: string): number | undefined {
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  const suffix = m[2] ?? "";
  if (/^[eE]/.test(suffix)) return Number(`${m[1]}${suffix}`);
  return Number(m[1]) * (FACTORS[suffix] ?? Number.NaN);
}

function sameScalar(desired: unknown, live: unknown, path: readonly PropertyKey[]): boolean {
  if (desired === live) return true;
  // Numbers sent as strings where the schema allows both (IntOrString ports), and quantities under resources.
  if ((typeof desired === "number" || typeof desired === "string") && (typeof live === "number" || typeof live === "string")) {
    if (String(desired) === String(live)) return true;
    if (path.some((p) => p === "resources" || p === "limits" || p === "requests")) {
      const a = quantity(String(desired));
      const b = quantity(String(live));
      return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-9;
    }
  }
  return false;
}

/** Paths (as segments) where `live` differs from `desired`, looking only at what `desired` sets. */
function changedFields(desired: unknown, live: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [path];
    return desired.flatMap((item, i) => changedFields(item, live[i], [...path, i]));
  }
  if (desired !== null && typeof desired === "object") {
    if (live === null || typeof live !== "object" || Array.isArray(live)) return [path];
    return Object.entries(desired).flatMap(([key, value]) => changedFields(value, (live as Record<string, unknown>)[key], [...path, key]));
  }
  return sameScalar(desired, live, path) ? [] : [path];
}

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

/**
 * Compares every step of `plan` with the cluster, and lists what a run would delete: the customer's objects the plan
 * no longer produces (stepId empty). One list per kind (the executor's own), a read only for what the lists lack.
 */
export async function diffPlan(plan: ProvisioningPlan, kube: KubeClient, options: { signal?: AbortSignal } = {}): Promise<ObjectDiffResult[]> {
  const existing = await listExistingObjects(plan, kube, options.signal);
  const changes = await Promise.all(
    plan.steps.map(async (step): Promise<ObjectDiffResult> => {
      const base = { stepId: step.id, kind: step.kind, name: step.name };
      const live = await liveObject(step, existing, kube, options.signal);
      if (live === null) return { ...base, action: "create", changedPaths: [] };
      const changed = changedFields(storedForm(step), live).map((segments) => formatPath(segments, "$"));
      return { ...base, action: changed.length > 0 ? "change" : "unchanged", changedPaths: changed };
    }),
  );
  const deletions = pruneCandidates(plan, existing).candidates.map(({ kind, name }): ObjectDiffResult => ({
    stepId: "",
    kind,
    name,
    action: "delete",
    changedPaths: [],
  }));
  return [...changes, ...deletions];
}
