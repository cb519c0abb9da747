/**
 * What one customer's environment consists of, as the templates produce it: the name of every object by kind, the
 * selector of the customer's pods and where each generated secret is kept. It is worked out here only — by the plan
 * from its own steps, and by `describeEnvironment` from a customer id and namespace when there is no plan (a status
 * request) — and read by everyone else: secret read-back, the watcher, the status and the diff.
 */
import { z } from "zod";
import { RequestTemplate, templates as shippedTemplates } from "@sreda/templates";
import { SredaError } from "./errors.js";
import { parsePath } from "./json-path.js";
import { generatedSecretMacros, knownMacroValues, type GeneratedSecretMacro } from "./macros.js";
import { renderTemplate, renderText } from "./render.js";

export type GeneratedSecretField = GeneratedSecretMacro["field"];

/** Where a generated secret is kept: a key of a Secret, whose value is the secret's macro as it is. */
export const SecretLocation = z.object({
  template: z.string().describe("Шаблон, который создаёт секрет"),
  secret: z.string().describe("Имя объекта Secret"),
  key: z.string(),
  field: z.enum(["data", "stringData"]).describe("data: значение макроса уже в base64; stringData: сервер хранит его в data в base64"),
});
export type SecretLocation = z.infer<typeof SecretLocation>;

export const EnvironmentObject = z.object({ template: z.string(), kind: z.string(), name: z.string() });
export type EnvironmentObject = z.infer<typeof EnvironmentObject>;

/** A kind the templates write: what is looked for when objects the plan no longer produces are pruned. */
export const OwnedKind = z.object({ apiVersion: z.string(), kind: z.string() });
export type OwnedKind = z.infer<typeof OwnedKind>;

export const EnvironmentDescription = z.object({
  clientId: z.string(),
  namespace: z.string(),
  /** Every object the plan writes, in template order. */
  objects: z.array(EnvironmentObject),
  /**
   * Every kind a template of the set writes, whether or not its settings put it in this plan (a policy turned off):
   * the customer's objects of these kinds that the plan does not produce are pruned.
   */
  kinds: z.array(OwnedKind).describe("Виды объектов, которые пишут шаблоны: среди них ищутся объекты клиента, которых нет в плане"),
  /**
   * The labels every object of the plan carries, as a label selector — the customer's (`sreda.io/client-id=C42,…`);
   * null when they share no label naming the customer, and then nothing is pruned.
   */
  ownerSelector: z.string().nullable().describe("Метки, по которым находятся все объекты клиента"),
  /** The label selector of the customer's application pods (the Deployment's), or null when there is none. */
  podSelector: z.string().nullable().describe("Селектор подов приложения клиента (селектор Deployment)"),
  /** Where each generated secret is kept; a secret no template keeps whole is absent (it cannot be read back). */
  secretLocations: z.object({
    rsaPrivateKeyPem: SecretLocation.optional(),
    keysSecretSeed: SecretLocation.optional(),
    postgresUserPassword: SecretLocation.optional(),
    clickhouseUserPassword: SecretLocation.optional(),
  } satisfies Record<GeneratedSecretField, unknown>),
});
export type EnvironmentDescription = z.infer<typeof EnvironmentDescription>;

/** What the description is made from: a rendered step, and the secret macros that are a whole string in it. */
export interface DescribedStep {
  id: string;
  kind: string;
  name: string;
  body: Record<string, unknown> | null;
  secretMacroPaths: Record<string, string>;
}

/** The names of the objects of one kind, in template order. */
export function objectNames(environment: EnvironmentDescription, kind: string): string[] {
  return environment.objects.filter((o) => o.kind === kind).map((o) => o.name);
}

/** Shipped templates with the overrides in place of theirs, in template order. */
export function templatesWith(overrides: readonly RequestTemplate[] | undefined): RequestTemplate[] {
  const byId = new Map(shippedTemplates.map((t) => [t.id, t]));
  for (const override of overrides ?? []) byId.set(override.id, override);
  return [...byId.values()].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

function secretLocations(steps: readonly DescribedStep[]): EnvironmentDescription["secretLocations"] {
  const locations: EnvironmentDescription["secretLocations"] = {};
  for (const step of steps) {
    if (step.kind !== "Secret") continue;
    for (const [path, macro] of Object.entries(step.secretMacroPaths)) {
      const generated = generatedSecretMacros.find((g) => g.macro === macro);
      const [field, key, ...deeper] = parsePath(path);
      if (!generated || locations[generated.field] || deeper.length > 0 || typeof key !== "string") continue;
      if (field !== "data" && field !== "stringData") continue;
      locations[generated.field] = { template: step.id, secret: step.name, key, field };
    }
  }
  return locations;
}

/**
 * A LabelSelector as the `labelSelector` query parameter writes it, keys sorted. The selector may come from a template
 * nobody validated yet (a status request's overrides): parts that are not a selector's shape are left out, never thrown on.
 */
export function labelSelectorString(selector: unknown): string | null {
  if (selector === null || typeof selector !== "object") return null;
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  const labels = matchLabels !== null && typeof matchLabels === "object" ? (matchLabels as Record<string, unknown>) : {};
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${String(labels[key])}`);
  for (const expression of Array.isArray(matchExpressions) ? matchExpressions : []) {
    const { key, operator, values } = (expression ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
    if (typeof key !== "string" || typeof operator !== "string") continue;
    const list = Array.isArray(values) ? values.map(String).sort() : [];
    if (operator === "Exists") parts.push(key);
    else if (operator === "DoesNotExist") parts.push(`!${key}`);
    else parts.push(`${key} ${operator.toLowerCase()} (${list.join(",")})`);
  }
  return parts.length > 0 ? parts.join(",") : null;
}

/** The label every customer object carries, with the customer's id: an owner selector must hold it. */
export const CUSTOMER_LABEL = "sreda.io/client-id";

/** The labels (with their values) every step's object carries, as a selector; null unless it names the customer. */
function ownerSelectorOf(clientId: string, steps: readonly DescribedStep[]): string | null {
  const shared = sharedLabels(steps.map((step) => step.body));
  return shared[CUSTOMER_LABEL] === clientId ? labelSelectorString({ matchLabels: shared }) : null;
}

/** The labels (with their values) that every one of the manifests carries. */
export function sharedLabels(bodies: readonly (Record<string, unknown> | null)[]): Record<string, string> {
  const labelsOf = (body: Record<string, unknown> | null) =>
    ((body?.["metadata"] as { labels?: Record<string, string> } | undefined)?.labels ?? {}) as Record<string, string>;
  const [first = {}, ...rest] = bodies.map(labelsOf);
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((labels) => labels[key] === value)));
}

/** The kinds the write templates of a set produce, each once, in template order. */
export function writtenKinds(templates: readonly Pick<RequestTemplate, "method" | "apiVersion" | "kind">[]): OwnedKind[] {
  const kinds = new Map<string, OwnedKind>();
  for (const t of templates) if (t.method !== "GET") kinds.set(`${t.apiVersion}/${t.kind}`, { apiVersion: t.apiVersion, kind: t.kind });
  return [...kinds.values()];
}

/**
 * Whether a template is in the plan for these macro values: no `when`, or its boolean macro is `true`. Anything
 * else than `true`/`false` is refused (a misspelt macro must not silently drop a network policy).
 */
export function isTemplateIncluded(template: Pick<RequestTemplate, "id" | "when">, values: Readonly<Record<string, string>>): boolean {
  if (!template.when) return true;
  const value = values[template.when];
  if (value === "true") return true;
  if (value === "false") return false;
  throw new SredaError(
    "TEMPLATE_INVALID",
    `Шаблон ${template.id}: условие when должно называть макрос со значением true или false, а {{${template.when}}} ${value === undefined ? "неизвестен" : `= ${value}`}`,
    { templateId: template.id, where: "when" },
  );
}

/** The description of the environment that `steps` (rendered, in template order) produce; `kinds`: the set's. */
export function describeSteps(clientId: string, namespace: string, steps: readonly DescribedStep[], kinds: readonly OwnedKind[]): EnvironmentDescription {
  const deployment = steps.find((s) => s.kind === "Deployment");
  const spec = deployment?.body?.["spec"] as { selector?: unknown } | undefined;
  return {
    clientId,
    namespace,
    objects: steps.map((s) => ({ template: s.id, kind: s.kind, name: s.name })),
    kinds: [...kinds],
    ownerSelector: ownerSelectorOf(clientId, steps),
    podSelector: labelSelectorString(spec?.selector),
    secretLocations: secretLocations(steps),
  };
}

/** What identifies an environment: enough to describe it without the rest of a provisioning input. */
export interface EnvironmentRef {
  client: { id: string };
  environment: { namespace: string };
  /** Template overrides as a provisioning input gives them (defaults not yet applied). */
  templates?: readonly z.input<typeof RequestTemplate>[] | undefined;
}

/**
 * The environment of a customer described without a plan: every template rendered with the values `ref` gives
 * (a whole provisioning input, or only a customer id and a namespace), the namespace's defaults and placeholders
 * for the rest. Names and selectors depend on the customer and namespace only, so they are the plan's; a template
 * that cannot be rendered this way is left out, as the plan would refuse it.
 */
export function describeEnvironment(ref: EnvironmentRef): EnvironmentDescription {
  const values = knownMacroValues(ref);
  const steps: DescribedStep[] = [];
  const set = templatesWith(ref.templates?.map((t) => RequestTemplate.parse(t)));
  for (const template of set) {
    if (template.method === "GET") continue;
    try {
      if (!isTemplateIncluded(template, values)) continue;
      const { body, secretMacroPaths } = renderTemplate(template, values);
      const metadata = (body?.["metadata"] ?? {}) as { name?: unknown };
      const name = template.name ? renderText(template.id, template.name, values) : String(metadata.name ?? "");
      steps.push({ id: template.id, kind: template.kind, name, body, secretMacroPaths });
    } catch {
      continue;
    }
  }
  return describeSteps(ref.client.id, ref.environment.namespace, steps, writtenKinds(set));
}
