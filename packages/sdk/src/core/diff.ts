/**
 * What a diff says about one object, and the pure comparison behind it: only the fields the plan sets are compared,
 * at the same paths in the live object — whatever the API server adds (uid, resourceVersion, managedFields, status,
 * defaulted spec fields, labels of a Job's pod template) is ignored, the question server-side apply answers too:
 * "would applying this change the fields I manage?". Quantities compare by amount (`0.5` = `500m`, `1Gi` = `1024Mi`),
 * as the API server canonicalizes them.
 */
import { z } from "zod";

export const ObjectDiff = z.object({
  stepId: z.string().describe("Шаг плана; пусто для объекта, которого нет в плане (он будет удалён)"),
  kind: z.string(),
  name: z.string(),
  action: z.enum(["create", "change", "unchanged", "delete"]).describe("delete: объект клиента, которого больше нет в плане; удаляется после всех шагов"),
  /** JSON paths (`$.spec.replicas`, `$.data["postgres-user-password"]`) of fields that differ; values are never shown. */
  changedPaths: z.array(z.string()),
});
export type ObjectDiff = z.infer<typeof ObjectDiff>;

/** One customer's drift: every object that differs from its plan (missing, changed, or there but no longer planned). */
export const CustomerDrift = z.object({
  clientId: z.string(),
  drifted: z.boolean(),
  objects: z.array(ObjectDiff),
});
export type CustomerDrift = z.infer<typeof CustomerDrift>;

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
export function changedFields(desired: unknown, live: unknown, path: PropertyKey[] = []): PropertyKey[][] {
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
