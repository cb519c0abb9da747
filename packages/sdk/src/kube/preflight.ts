/**
 * Preflight: what can be known before the first write is checked before it, so that a run does not stop
 * half-way — the namespace exists, the objects the templates expect (image pull secret, TLS secret, …) exist,
 * and the token may do what the plan needs (SelfSubjectAccessReview). Problems are worded for an operator.
 */
import { SredaError } from "../core/errors.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { PlanStep, ProvisioningPlan } from "../core/plan.js";
import { referencedObjects, type ObjectReference } from "../core/references.js";
import type { KubeClient } from "./client.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";

export interface PreflightProblem {
  code: "NamespaceNotFound" | "MissingObject" | "Forbidden" | "Unauthorized" | "Unreachable" | "CheckFailed";
  /** For operators, in Russian. */
  message: string;
  kind?: string;
  name?: string;
  verb?: string;
}

/** API group and resource of each kind the templates create. */
const VERBS_RU: Record<string, string> = {
  get: "читать",
  list: "получать список",
  watch: "следить за",
  create: "создавать",
  patch: "изменять",
  update: "изменять",
  delete: "удалять",
};

/** Verbs the executor uses per kind: Jobs are created and re-created, everything else server-side applied. */
function verbsFor(kind: string): string[] {
  return kindInfo(kind)?.write === "recreate" ? ["get", "create", "delete"] : ["get", "patch"];
}

/** The status watcher lists and watches pods, Jobs and the Deployment, and reads events. */
const STATUS_PERMISSIONS = [
  { kind: "Pod", verb: "list" },
  { kind: "Pod", verb: "watch" },
  { kind: "Event", verb: "list" },
  { kind: "Job", verb: "list" },
  { kind: "Job", verb: "watch" },
  { kind: "Deployment", verb: "list" },
  { kind: "Deployment", verb: "watch" },
];

/** A Secret or ConfigMap the plan reads, with the object that reads it. */
export interface PlanReference extends ObjectReference {
  usedBy: string;
}

/** Secrets and ConfigMaps that the plan's objects read, with the object that reads each. */
export function planReferences(steps: readonly PlanStep[]): PlanReference[] {
  return steps.flatMap((step) => referencedObjects(step.request.body).map((ref) => ({ ...ref, usedBy: `${step.kind} ${step.name}` })));
}

function describeFailure(error: unknown): PreflightProblem | undefined {
  if (error instanceof KubeNetworkError) return { code: "Unreachable", message: `кластер недоступен: ${error.message}` };
  if (isKubeError(error, "Unauthorized")) {
    return { code: "Unauthorized", message: "токен доступа к кластеру отклонён (401 Unauthorized): проверьте токен в настройках среды" };
  }
  return undefined;
}

/** Runs every check (in parallel) and lists every problem; an empty list means the plan may start. */
export async function preflight(plan: ProvisioningPlan, kube: KubeClient, options: { signal?: AbortSignal } = {}): Promise<PreflightProblem[]> {
  const { namespace } = plan;
  const { signal } = options;
  const problems: PreflightProblem[] = [];
  const fatal = (error: unknown, what: string) => {
    // A client on the wrong clock is the caller's mistake, not the cluster's: said at once, as it is.
    if (error instanceof SredaError && error.code === "CLOCK_MISMATCH") throw error;
    const problem = describeFailure(error) ?? {
      code: "CheckFailed" as const,
      message: `проверка «${what}» не выполнена: ${error instanceof KubeStatusError ? `${error.status} ${error.reason}` : String(error)}`,
    };
    if (!problems.some((p) => p.message === problem.message)) problems.push(problem);
  };

  // 1. The namespace. A token limited to one namespace may not read Namespace objects: 403 proves nothing.
  let namespaceMissing = false;
  try {
    await kube.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`, { signal });
  } catch (error) {
    if (isKubeError(error, "NotFound")) {
      namespaceMissing = true;
      problems.push({ code: "NamespaceNotFound", message: `пространство имён ${namespace} не найдено в кластере` });
    } else if (!isKubeError(error, "Forbidden")) fatal(error, `пространство имён ${namespace}`);
  }
  if (namespaceMissing || problems.length > 0) return problems;

  // 2. Objects the plan expects to find rather than create.
  const produced = new Set(plan.steps.map((s) => `${s.kind}/${s.name}`));
  const expected = new Map<string, PlanReference>();
  for (const ref of planReferences(plan.steps)) {
    const key = `${ref.kind}/${ref.name}`;
    if (!produced.has(key) && !expected.has(key)) expected.set(key, ref);
  }
  const objectChecks = [...expected.values()].map(async (ref) => {
    try {
      await kube.get(`${collectionPath(kindInfo(ref.kind)!, encodeURIComponent(namespace))}/${encodeURIComponent(ref.name)}`, { signal });
    } catch (error) {
      if (isKubeError(error, "NotFound")) {
        const what = ref.kind === "Secret" ? "секрета" : "ConfigMap";
        problems.push({
          code: "MissingObject",
          kind: ref.kind,
          name: ref.name,
          message: `в пространстве имён ${namespace} нет ${what} ${ref.name} (нужен для ${ref.usedBy}: ${ref.why})`,
        });
      } else if (!isKubeError(error, "Forbidden")) fatal(error, `${ref.kind} ${ref.name}`);
      // Forbidden to read it: the permission check below reports what is missing.
    }
  });

  // 3. Permissions.
  const wanted = new Map<string, { kind: string; verb: string }>();
  for (const step of plan.steps) for (const verb of verbsFor(step.kind)) wanted.set(`${step.kind}:${verb}`, { kind: step.kind, verb });
  for (const p of STATUS_PERMISSIONS) wanted.set(`${p.kind}:${p.verb}`, p);
  const permissionChecks = [...wanted.values()].map(async ({ kind, verb }) => {
    const target = kindInfo(kind);
    // A plan holds only kinds of the table (the manifest schema is generated from it); say so if not, never skip.
    if (!target) return fatal(new Error(`вид ${kind} не описан в таблице видов Sreda`), `права ${verb} ${kind}`);
    try {
      const review = await kube.accessReview({ namespace, verb, group: target.group, resource: target.resource, signal });
      if (!review.allowed) {
        problems.push({
          code: "Forbidden",
          kind,
          verb,
          message: `нет прав ${VERBS_RU[verb] ?? verb} ${kind} в пространстве ${namespace}${review.reason ? ` (${review.reason})` : ""}`,
        });
      }
    } catch (error) {
      fatal(error, `права ${verb} ${kind}`);
    }
  });

  await Promise.all([...objectChecks, ...permissionChecks]);
  // Stable order for people and tests: by code, then message.
  return problems.sort((a, b) => a.code.localeCompare(b.code) || a.message.localeCompare(b.message));
}
