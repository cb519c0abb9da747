/**
 * Provisioning plans: one customer's input → the exact, validated list of Kubernetes requests with their
 * dependency graph. Pure and deterministic: the same input gives a byte-identical plan.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { RequestTemplate } from "@sreda/templates";
import { EnvironmentDescription, describeSteps, isTemplateIncluded, templatesWith, writtenKinds, type DescribedStep } from "./environment.js";
import { SredaError, SredaValidationError, formatPath, type Problem } from "./errors.js";
import { deleteAtPath, joinPath, setAtPath } from "./json-path.js";
import { resolveMacroValues } from "./macros.js";
import { ProvisioningInput, type ProvisioningInputData } from "./models.js";
import { RenderedRequest, renderTemplate, renderText, parseTemplateJson } from "./render.js";
import { isKnownKind, validateManifest } from "./validate.js";
import { kindInfo } from "./kinds.js";
import { podSpecOf, referencedObjects } from "./references.js";
import { canonicalJson } from "./canonical-json.js";
import { TextCache } from "./text-cache.js";

export const PlanStep = z.object({
  /** The template id: `postgres-setup-job`. */
  id: z.string(),
  title: z.string(),
  /** Ids of steps that must finish first. */
  dependsOn: z.array(z.string()),
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string(),
  request: RenderedRequest,
  /** JSON paths inside `request.body` that hold secret values (see `redactPlan`). */
  sensitivePaths: z.array(z.string()),
  /**
   * Fields the template leaves out because another owner sets them now (`$.spec.replicas` while an autoscaler owns
   * it): the executor hands them over instead of letting the apply delete them.
   */
  releasedPaths: z.array(z.string()),
});
export type PlanStep = z.infer<typeof PlanStep>;

export const PlanQuery = z.object({
  id: z.string(),
  title: z.string(),
  request: RenderedRequest,
});
export type PlanQuery = z.infer<typeof PlanQuery>;

export const ProvisioningPlan = z.object({
  clientId: z.string(),
  namespace: z.string(),
  /** Write steps in a topological order (ties broken by template order, then id). */
  steps: z.array(PlanStep),
  /** Read-only requests the templates define, e.g. pod monitoring. */
  queries: z.array(PlanQuery),
  /** What the steps produce: names by kind, the customer's pod selector, where the generated secrets are kept. */
  environment: EnvironmentDescription,
});
export type ProvisioningPlan = z.infer<typeof ProvisioningPlan>;

/** The template whose ConfigMap receives non-secret variables, and the one whose Secret receives secret ones. */
export const VARIABLE_TARGETS = { config: "lms-config", secret: "lms-secrets" } as const;

/**
 * Pod-template annotation with a hash of the ConfigMaps and Secrets the pods read (Helm's checksum pattern):
 * when a setting, a variable or a password changes, the pod template changes too, so the Deployment rolls and
 * a setup Job is re-created — otherwise running pods would keep the old environment.
 */
export const CONFIG_HASH_ANNOTATION = "sreda.io/config-hash";

/** The marker that replaces secret values in redacted plans. */
export const REDACTED = "<redacted>";

/** Keys of a ConfigMap/Secret template whose values the template computes from macros (by body text, parsed once). */
function derivedKeys(template: RequestTemplate | undefined): Map<string, string> {
  if (!template?.body) return new Map();
  let keys = derivedKeysCache.get(template.body);
  if (!keys) {
    keys = macroValuedKeys(template.body);
    derivedKeysCache.set(template.body, keys);
  }
  return new Map(keys.map((key) => [key, template.id]));
}

const derivedKeysCache = new TextCache<string[]>();

function macroValuedKeys(text: string): string[] {
  const keys: string[] = [];
  try {
    const body = parseTemplateJson(text, "") as Record<string, Record<string, unknown> | undefined>;
    for (const field of ["data", "stringData"]) {
      for (const [key, value] of Object.entries(body[field] ?? {})) {
        if (typeof value === "string" && value.includes("{{")) keys.push(key);
      }
    }
  } catch {
    // A broken template is reported when it is rendered.
  }
  return keys;
}

function checkVariables(input: ProvisioningInput, templates: RequestTemplate[]): Problem[] {
  const problems: Problem[] = [];
  const derived = new Map([
    ...derivedKeys(templates.find((t) => t.id === VARIABLE_TARGETS.config)),
    ...derivedKeys(templates.find((t) => t.id === VARIABLE_TARGETS.secret)),
  ]);
  const seen = new Map<string, number>();
  input.variables.forEach((variable, index) => {
    const path = `variables[${index}].name`;
    const first = seen.get(variable.name);
    if (first !== undefined) {
      problems.push({ path, message: `переменная ${variable.name} уже задана в variables[${first}]`, code: "duplicate" });
    }
    seen.set(variable.name, index);
    const template = derived.get(variable.name);
    if (template) {
      problems.push({
        path,
        message: `переменная ${variable.name} вычисляется шаблоном ${template} из настроек среды; измените настройки, а не переменную`,
        code: "derived-variable",
      });
    }
  });
  return problems;
}

/** Adds the input's variables to the ConfigMap (data) and the Secret (stringData), moving a key between them. */
function applyVariables(steps: Map<string, PlanStep>, input: ProvisioningInput): void {
  const config = steps.get(VARIABLE_TARGETS.config)?.request.body as { data?: Record<string, string> } | undefined;
  const secret = steps.get(VARIABLE_TARGETS.secret)?.request.body as { stringData?: Record<string, string> } | undefined;
  const secretStep = steps.get(VARIABLE_TARGETS.secret);
  for (const variable of input.variables) {
    if (variable.secret) {
      if (config?.data) delete config.data[variable.name];
      if (secret && secretStep) {
        secret.stringData = { ...secret.stringData, [variable.name]: variable.value };
        secretStep.sensitivePaths.push(joinPath("$.stringData", variable.name));
      }
    } else {
      if (secret?.stringData) delete secret.stringData[variable.name];
      if (config) config.data = { ...config.data, [variable.name]: variable.value };
    }
  }
  // Keys sorted so the plan does not depend on the order variables were listed in.
  if (config?.data) config.data = sortKeys(config.data);
  if (secret?.stringData) secret.stringData = sortKeys(secret.stringData);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Stamps every pod template with the hash of the plan's ConfigMaps and Secrets it reads. */
function stampConfigHashes(steps: PlanStep[]): void {
  const produced = new Map(steps.map((s) => [`${s.kind}/${s.name}`, s]));
  // Each object's canonical JSON once, however many pod templates read it: the hash is of `[a,b,…]` of them.
  const canonical = new Map<PlanStep, string>();
  const canonicalOf = (s: PlanStep) => {
    let text = canonical.get(s);
    if (text === undefined) {
      text = canonicalJson({ kind: s.kind, name: s.name, data: s.request.body?.["data"] ?? null, stringData: s.request.body?.["stringData"] ?? null });
      canonical.set(s, text);
    }
    return text;
  };
  for (const step of steps) {
    const body = step.request.body as Record<string, any> | null;
    const podSpec = podSpecOf(body);
    if (!body || !podSpec) continue;
    const inputs = [...new Set(referencedObjects(body).map((r) => `${r.kind}/${r.name}`))]
      .sort()
      .map((key) => produced.get(key))
      .filter((s): s is PlanStep => s !== undefined)
      .map(canonicalOf);
    if (inputs.length === 0) continue;
    const template = body["spec"]["template"];
    template.metadata = template.metadata ?? {};
    template.metadata.annotations = {
      ...template.metadata.annotations,
      [CONFIG_HASH_ANNOTATION]: createHash("sha256")
        .update(`[${inputs.join(",")}]`)
        .digest("hex")
        .slice(0, 32),
    };
  }
}

/** Kahn's algorithm with a deterministic tie-break; reports unknown dependencies and cycles. */
export function orderSteps(steps: PlanStep[], order: Map<string, number>, problems: Problem[]): PlanStep[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const step of steps) {
    for (const dep of step.dependsOn) {
      if (!byId.has(dep)) problems.push({ path: `templates.${step.id}.dependsOn`, message: `неизвестный шаг ${dep}`, code: "unknown-dependency" });
    }
  }
  if (problems.length > 0) return steps;
  const remaining = new Map(steps.map((s) => [s.id, new Set(s.dependsOn)]));
  const rank = (s: PlanStep) => order.get(s.id) ?? 0;
  const out: PlanStep[] = [];
  while (remaining.size > 0) {
    const ready = steps.filter((s) => remaining.get(s.id)?.size === 0);
    if (ready.length === 0) {
      problems.push({ path: "templates", message: `циклическая зависимость между шагами: ${[...remaining.keys()].join(", ")}`, code: "cycle" });
      return steps;
    }
    ready.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : 1));
    const next = ready[0]!;
    out.push(next);
    remaining.delete(next.id);
    for (const deps of remaining.values()) deps.delete(next.id);
  }
  return out;
}

function renderProblem(error: unknown, templateIndex: string): Problem {
  if (error instanceof SredaError) {
    const where = typeof error.details["where"] === "string" ? `.${error.details["where"]}` : "";
    return { path: `${templateIndex}${where}`, message: error.message, code: error.code };
  }
  throw error;
}

/** The manifest's own problems: its schema, its kind, its namespace and its name against the template's. */
function manifestProblems(template: RequestTemplate, body: Record<string, unknown>, name: string, namespace: string, at: string): Problem[] {
  const problems: Problem[] = validateManifest(body).map((problem) => ({
    path: `${at}${problem.path.slice(1)}`,
    message: problem.message,
    code: problem.code,
  }));
  const metadata = (body["metadata"] ?? {}) as Record<string, unknown>;
  if (body["kind"] !== template.kind || body["apiVersion"] !== template.apiVersion) {
    problems.push({
      path: `${at}.kind`,
      message: `тело описывает ${String(body["apiVersion"])}/${String(body["kind"])}, а шаблон — ${template.apiVersion}/${template.kind}`,
      code: "kind",
    });
  } else if (isKnownKind(template.apiVersion, template.kind) && !kindInfo(template.kind, template.apiVersion)?.write) {
    // Known to the schema, but Sreda only reads it (pods, events, ReplicaSets belong to their controllers).
    problems.push({ path: `${at}.kind`, message: `объекты ${template.kind} Sreda не создаёт: их создают контроллеры Kubernetes`, code: "kind" });
  }
  if (metadata["namespace"] !== namespace) {
    problems.push({ path: `${at}.metadata.namespace`, message: `объект должен быть в пространстве имён ${namespace}`, code: "namespace" });
  }
  if (name && metadata["name"] !== name) {
    problems.push({ path: `${at}.metadata.name`, message: `имя объекта ${String(metadata["name"])} не совпадает с именем шаблона ${name}`, code: "name" });
  }
  return problems;
}

type PlannedTemplate =
  { query: PlanQuery; problems: Problem[] } | { step: PlanStep; secretMacroPaths: Record<string, string>; problems: Problem[] } | { problems: Problem[] };

/** Takes the template's `omit` fields out of the rendered body while their macro is true; those paths are released. */
function omitFields(
  template: RequestTemplate,
  body: Record<string, unknown>,
  values: Record<string, string>,
  at: string,
): { paths: string[]; problems: Problem[] } {
  const paths: string[] = [];
  const problems: Problem[] = [];
  for (const [index, { path, when }] of template.omit.entries()) {
    const value = values[when];
    if (value === "true" && deleteAtPath(body, path)) paths.push(path);
    if (value === "true" || value === "false") continue;
    const message = `условие должно называть макрос со значением true или false, а {{${when}}} ${value === undefined ? "неизвестен" : `= ${value}`}`;
    problems.push({ path: `${at}.omit[${index}].when`, message, code: "invalid-condition" });
  }
  return { paths, problems };
}

/** One template rendered for the customer: a query (GET), or a write step with its manifest's problems. */
export function planTemplate(template: RequestTemplate, values: Record<string, string>, namespace: string): PlannedTemplate {
  const at = `templates.${template.id}`;
  let rendered: ReturnType<typeof renderTemplate>;
  let name = "";
  try {
    rendered = renderTemplate(template, values);
    if (template.name) name = renderText(template.id, template.name, values);
  } catch (error) {
    return { problems: [renderProblem(error, at)] };
  }
  const { sensitivePaths, secretMacroPaths, ...request } = rendered;
  if (template.method === "GET") return { query: { id: template.id, title: template.title, request }, problems: [] };
  const body = request.body;
  if (!body) return { problems: [{ path: `${at}.body`, message: `шаблон ${template.id} с методом ${template.method} должен иметь тело`, code: "required" }] };
  const released = omitFields(template, body, values, at);
  const metadata = (body["metadata"] ?? {}) as Record<string, unknown>;
  const step: PlanStep = {
    id: template.id,
    title: template.title,
    dependsOn: [...template.dependsOn].sort(),
    apiVersion: template.apiVersion,
    kind: template.kind,
    name: String(metadata["name"] ?? name),
    namespace,
    request,
    sensitivePaths,
    releasedPaths: released.paths,
  };
  return { step, secretMacroPaths, problems: [...released.problems, ...manifestProblems(template, body, name, namespace, at)] };
}

/** The input parsed, or one `SredaValidationError` with every problem and its path. */
export function parseInput(data: ProvisioningInputData | ProvisioningInput): ProvisioningInput {
  const parsed = ProvisioningInput.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message, code: issue.code }));
  throw new SredaValidationError("INVALID_INPUT", "Входные данные не прошли проверку", problems);
}

/**
 * Renders and validates every template for one customer. Invalid input → one `SredaValidationError` listing
 * every problem with its path.
 */
export function createProvisioningPlan(data: ProvisioningInputData | ProvisioningInput): ProvisioningPlan {
  const input = parseInput(data);
  const set = templatesWith(input.templates);
  const problems: Problem[] = checkVariables(input, set);
  let values: Record<string, string>;
  try {
    values = resolveMacroValues(input);
  } catch (error) {
    // Report missing settings together with the variable problems: one error listing everything.
    if (error instanceof SredaValidationError) throw new SredaValidationError("INVALID_INPUT", "Не хватает настроек среды", [...problems, ...error.problems]);
    throw error;
  }
  const { included, left } = selectTemplates(set, values, problems);
  const namespace = input.environment.namespace;
  const steps: PlanStep[] = [];
  const queries: PlanQuery[] = [];
  const described: DescribedStep[] = [];
  for (const template of included) {
    const planned = planTemplate(template, values, namespace);
    problems.push(...planned.problems);
    if ("query" in planned) queries.push(planned.query);
    if ("step" in planned) {
      // A dependency on a template the settings leave out is met: there is nothing to wait for.
      planned.step.dependsOn = planned.step.dependsOn.filter((id) => !left.has(id));
      steps.push(planned.step);
      const { id, kind, name, request } = planned.step;
      described.push({ id, kind, name, body: request.body, secretMacroPaths: planned.secretMacroPaths });
    }
  }
  applyVariables(new Map(steps.map((s) => [s.id, s])), input);
  stampConfigHashes(steps);
  const ordered = orderSteps(steps, new Map(set.map((t) => [t.id, t.order])), problems);
  if (problems.length > 0) throw new SredaValidationError("INVALID_INPUT", `План для ${input.client.id} не построен`, problems);
  const environment = describeSteps(input.client.id, namespace, described, writtenKinds(set));
  return { clientId: input.client.id, namespace, steps: ordered, queries, environment };
}

/** The templates the settings put in the plan, and the ids of those they leave out (`when` false). */
export function selectTemplates(
  set: RequestTemplate[],
  values: Record<string, string>,
  problems: Problem[],
): { included: RequestTemplate[]; left: Set<string> } {
  const included: RequestTemplate[] = [];
  const left = new Set<string>();
  for (const template of set) {
    try {
      if (isTemplateIncluded(template, values)) included.push(template);
      else left.add(template.id);
    } catch (error) {
      problems.push(renderProblem(error, `templates.${template.id}`));
    }
  }
  return { included, left };
}

/** A deep copy of plain JSON data; several times faster than `structuredClone`, and a `__proto__` key stays data. */
function copyJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    if (key === "__proto__") Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out as T;
}

function redactValues(record: unknown): void {
  if (record === null || typeof record !== "object") return;
  for (const key of Object.keys(record)) (record as Record<string, unknown>)[key] = REDACTED;
}

/** The same plan with every secret value replaced by `REDACTED`: for previews and logs. */
export function redactPlan(plan: ProvisioningPlan): ProvisioningPlan {
  const copy = copyJson(plan);
  for (const step of copy.steps) {
    const body = step.request.body;
    if (!body) continue;
    for (const path of step.sensitivePaths) setAtPath(body, path, REDACTED);
    // Everything in a Secret is secret, whatever put it there.
    if (step.kind === "Secret") {
      redactValues(body["data"]);
      redactValues(body["stringData"]);
    }
  }
  return copy;
}
