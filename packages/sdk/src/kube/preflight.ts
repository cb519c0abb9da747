/**
 * Preflight: what can be known before the first write is checked before it, so that a run does not stop
 * half-way — the namespace exists, the objects the templates expect (image pull secret, TLS secret, …) exist,
 * and the token may do what the plan needs, its lock's Lease included (one SelfSubjectRulesReview, ./permissions.ts). The three are asked at
 * once, in one round trip; what a client learnt a moment ago (a granted permission, an existing namespace) is not
 * asked again (./client-memory.ts). Problems are worded for an operator.
 */
import { SredaError } from "../core/errors.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { PlanStep, ProvisioningPlan } from "../core/plan.js";
import { referencedObjects, type ObjectReference } from "../core/references.js";
import type { KubeClient } from "./client.js";
import { remember, remembered } from "./client-memory.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";
import { customerLeaseName } from "./lease.js";
import { checkPermissions, DEFAULT_PERMISSION_CACHE_MS, type PermissionNeed, type PermissionVerdict } from "./permissions.js";

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

/**
 * Verbs the executor uses per kind: it lists every kind it writes before the run (./existing-objects.ts); Jobs are
 * created, deleted and re-created (and read when their watch cannot be had), everything else server-side applied.
 */
function verbsFor(kind: string): string[] {
  return kindInfo(kind)?.write === "recreate" ? ["list", "get", "create", "delete"] : ["list", "patch"];
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

/** Problems found by some of the checks, each said once; a check that could not be made is one too. */
class Problems {
  readonly list: PreflightProblem[] = [];

  add(problem: PreflightProblem): void {
    if (!this.list.some((p) => p.message === problem.message)) this.list.push(problem);
  }

  /** A check that failed: as the cluster's state when it is one (unreachable, token refused), else as the check. */
  failed(error: unknown, what: string): void {
    // A client on the wrong clock is the caller's mistake, not the cluster's: said at once, as it is.
    if (error instanceof SredaError && error.code === "CLOCK_MISMATCH") throw error;
    this.add(
      describeFailure(error) ?? {
        code: "CheckFailed",
        message: `проверка «${what}» не выполнена: ${error instanceof KubeStatusError ? `${error.status} ${error.reason}` : String(error)}`,
      },
    );
  }
}

/** Options of `preflight`. */
export interface PreflightOptions {
  signal?: AbortSignal;
  /**
   * How long the client remembers that the namespace exists and which permissions its token has there (default
   * 30 s; 0: ask every time). Only what was granted is remembered, never a denial or a missing namespace.
   */
  permissionCacheMs?: number;
  /**
   * The run holds the customer's Lease (./lease.ts): check get, create and update on leases too (default true; false
   * for a run with `lease: false`).
   */
  lease?: boolean;
}

interface CheckSettings {
  signal: AbortSignal | undefined;
  rememberMs: number;
}

const NAMESPACE_EXISTS = "namespace exists";

/** Runs every check at once and lists every problem; an empty list means the plan may start. */
export async function preflight(plan: ProvisioningPlan, kube: KubeClient, options: PreflightOptions = {}): Promise<PreflightProblem[]> {
  const settings: CheckSettings = { signal: options.signal, rememberMs: options.permissionCacheMs ?? DEFAULT_PERMISSION_CACHE_MS };
  const namespaceProblems = new Problems();
  const problems = new Problems();
  await Promise.all([
    checkNamespace(plan.namespace, kube, namespaceProblems, settings),
    checkExpectedObjects(plan, kube, problems, settings.signal),
    checkPlanPermissions(plan, kube, problems, settings, options.lease !== false),
  ]);
  // Without the namespace (or without the cluster) the other answers add nothing: that alone is said.
  const found = namespaceProblems.list.length > 0 ? namespaceProblems.list : problems.list;
  // Stable order for people and tests: by code, then message.
  return found.sort((a, b) => a.code.localeCompare(b.code) || a.message.localeCompare(b.message));
}

/** The namespace. A token limited to one namespace may not read Namespace objects: 403 proves nothing. */
async function checkNamespace(namespace: string, kube: KubeClient, problems: Problems, { signal, rememberMs }: CheckSettings): Promise<void> {
  if (remembered(kube, namespace, NAMESPACE_EXISTS, rememberMs)) return;
  try {
    await kube.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`, { signal });
    remember(kube, namespace, NAMESPACE_EXISTS);
  } catch (error) {
    if (isKubeError(error, "NotFound")) problems.add({ code: "NamespaceNotFound", message: `пространство имён ${namespace} не найдено в кластере` });
    else if (!isKubeError(error, "Forbidden")) problems.failed(error, `пространство имён ${namespace}`);
  }
}

/** Objects the plan expects to find rather than create, each once. */
function expectedObjects(plan: ProvisioningPlan): PlanReference[] {
  const produced = new Set(plan.steps.map((s) => `${s.kind}/${s.name}`));
  const expected = new Map<string, PlanReference>();
  for (const ref of planReferences(plan.steps)) {
    const key = `${ref.kind}/${ref.name}`;
    if (!produced.has(key) && !expected.has(key)) expected.set(key, ref);
  }
  return [...expected.values()];
}

async function checkExpectedObjects(plan: ProvisioningPlan, kube: KubeClient, problems: Problems, signal: AbortSignal | undefined): Promise<void> {
  const { namespace } = plan;
  const checks = expectedObjects(plan).map(async (ref) => {
    try {
      await kube.get(`${collectionPath(kindInfo(ref.kind)!, encodeURIComponent(namespace))}/${encodeURIComponent(ref.name)}`, { signal });
    } catch (error) {
      if (isKubeError(error, "NotFound")) {
        const what = ref.kind === "Secret" ? "секрета" : "ConfigMap";
        problems.add({
          code: "MissingObject",
          kind: ref.kind,
          name: ref.name,
          message: `в пространстве имён ${namespace} нет ${what} ${ref.name} (нужен для ${ref.usedBy}: ${ref.why})`,
        });
      } else if (!isKubeError(error, "Forbidden")) problems.failed(error, `${ref.kind} ${ref.name}`);
      // Forbidden to read it: the permission check reports what is missing.
    }
  });
  await Promise.all(checks);
}

/**
 * Every (kind, verb) the run needs, with the objects it needs it for (none: any object). The names matter only to a
 * rule restricted to resourceNames, which never grants a collection's verbs (list, watch, create) anyway.
 */
function wantedPermissions(plan: ProvisioningPlan, lease: boolean): { kind: string; verb: string; names: string[] | undefined }[] {
  const wanted = new Map<string, { kind: string; verb: string; names: Set<string>; any: boolean }>();
  const want = (kind: string, verb: string, name?: string) => {
    const key = `${kind}:${verb}`;
    const entry = wanted.get(key) ?? { kind, verb, names: new Set<string>(), any: false };
    wanted.set(key, entry);
    if (name === undefined) entry.any = true;
    else entry.names.add(name);
  };
  for (const step of plan.steps) for (const verb of verbsFor(step.kind)) want(step.kind, verb, step.name);
  for (const p of STATUS_PERMISSIONS) want(p.kind, p.verb);
  // Pruning lists every kind the templates write, and deletes what settings turned off (./prune.ts).
  const written = new Set(plan.steps.map((s) => s.kind));
  for (const { kind } of plan.environment.kinds) {
    want(kind, "list");
    if (!written.has(kind)) want(kind, "delete");
  }
  for (const ref of expectedObjects(plan)) want(ref.kind, "get", ref.name);
  // The customer's lock: its Lease is read, created when absent, and updated to take, renew and release it.
  if (lease) {
    const name = customerLeaseName(plan.clientId);
    want("Lease", "get", name);
    want("Lease", "create");
    want("Lease", "update", name);
  }
  return [...wanted.values()].map(({ kind, verb, names, any }) => ({ kind, verb, names: any ? undefined : [...names] }));
}

async function checkPlanPermissions(plan: ProvisioningPlan, kube: KubeClient, problems: Problems, settings: CheckSettings, lease: boolean): Promise<void> {
  const { namespace } = plan;
  const needs: PermissionNeed[] = [];
  for (const { kind, verb, names } of wantedPermissions(plan, lease)) {
    const target = kindInfo(kind);
    // A plan holds only kinds of the table (the manifest schema is generated from it); say so if not, never skip.
    if (!target) problems.failed(new Error(`вид ${kind} не описан в таблице видов Sreda`), `права ${verb} ${kind}`);
    else needs.push({ kind, verb, group: target.group, resource: target.resource, ...(names ? { names } : {}) });
  }
  let verdicts: PermissionVerdict[];
  try {
    verdicts = await checkPermissions(kube, namespace, needs, settings);
  } catch (error) {
    problems.failed(error, `права в пространстве ${namespace}`);
    return;
  }
  for (const verdict of verdicts) {
    const { kind, verb } = verdict.need;
    if ("error" in verdict) problems.failed(verdict.error, `права ${verb} ${kind}`);
    else if (!verdict.allowed) {
      const reason = verdict.reason ? ` (${verdict.reason})` : "";
      problems.add({ code: "Forbidden", kind, verb, message: `нет прав ${VERBS_RU[verb] ?? verb} ${kind} в пространстве ${namespace}${reason}` });
    }
  }
}
