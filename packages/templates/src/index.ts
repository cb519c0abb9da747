/**
 * @sreda/templates — the predetermined Kubernetes request templates of a customer environment, as data.
 *
 * The `.json` files under `templates/` and `defaults/` are the single source; this module only loads and
 * types them. 1C and other tools may read the files directly.
 */
import { z } from "zod";

import dbSetupSecret from "../templates/db-setup-secret.json" with { type: "json" };
import clickhouseSetupJob from "../templates/clickhouse-setup-job.json" with { type: "json" };
import postgresSetupJob from "../templates/postgres-setup-job.json" with { type: "json" };
import lmsConfig from "../templates/lms-config.json" with { type: "json" };
import lmsSecrets from "../templates/lms-secrets.json" with { type: "json" };
import rsaSecret from "../templates/rsa-secret.json" with { type: "json" };
import lmsService from "../templates/lms-service.json" with { type: "json" };
import lmsIngress from "../templates/lms-ingress.json" with { type: "json" };
import lmsDeployment from "../templates/lms-deployment.json" with { type: "json" };
import podMonitoring from "../templates/pod-monitoring.json" with { type: "json" };
import dbSetupNetworkPolicy from "../templates/db-setup-network-policy.json" with { type: "json" };
import lmsNetworkPolicy from "../templates/lms-network-policy.json" with { type: "json" };
import lmsExternalNetworkPolicy from "../templates/lms-external-network-policy.json" with { type: "json" };
import lmsAutoscaler from "../templates/lms-autoscaler.json" with { type: "json" };
import lmsDisruptionBudget from "../templates/lms-disruption-budget.json" with { type: "json" };
import commonDefaults from "../defaults/common.json" with { type: "json" };
import lmsDevDefaults from "../defaults/lms-dev.json" with { type: "json" };
import lmsProdDefaults from "../defaults/lms-prod.json" with { type: "json" };
import dbTeardownNetworkPolicy from "../teardown/db-teardown-network-policy.json" with { type: "json" };
import dbTeardownSecret from "../teardown/db-teardown-secret.json" with { type: "json" };
import clickhouseTeardownJob from "../teardown/clickhouse-teardown-job.json" with { type: "json" };
import postgresTeardownJob from "../teardown/postgres-teardown-job.json" with { type: "json" };

// Every string is bounded and free of control characters (the bridge takes templates from 1C): a length check
// that aborts before the pattern, as @sreda/sdk's input models do.
const line = (max: number) =>
  z
    .string()
    .max(max, { abort: true })
    .regex(/^[^\u0000-\u001f\u007f]*$/, "no control characters");
const text = (max: number) =>
  z
    .string()
    .max(max, { abort: true })
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, "no control characters but tab and line breaks");

/** A template id: lowercase words joined by hyphens (`postgres-setup-job`). */
export const TemplateId = z
  .string()
  .max(63, { abort: true })
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, "lowercase letters, digits and single hyphens, starting with a letter");
export type TemplateId = z.infer<typeof TemplateId>;

/** A macro's name as templates write it inside `{{…}}`: `autoscaling`, `network-policies`. */
export const MacroName = z
  .string()
  .max(63, { abort: true })
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, "lowercase letters, digits and single hyphens, starting with a letter");

/** A JSON path into a body as the plan writes them: `$.spec.replicas`, `$.data["tls.crt"]`, `$.spec.ports[0]`. */
export const JsonPath = z
  .string()
  .max(512, { abort: true })
  // An escape's character is spelt out (not `.`): JavaScript's and Python's `.` differ on a carriage return.
  .regex(/^\$(?:\.[A-Za-z_$][A-Za-z0-9_$]*|\[[0-9]+\]|\["(?:[^"\\\u0000-\u001f]|\\[^\u0000-\u001f])*"\])+$/, "a JSON path: $.spec.replicas");

/**
 * One request template. `body` is JSON text with `{{macro}}` placeholders inside string values; a string that
 * is exactly one integer macro (`"{{replicas}}"`) renders as a number.
 */
export const RequestTemplate = z.strictObject({
  id: TemplateId,
  title: line(200).min(1),
  description: text(2000).default(""),
  /** Execution order for display and for ties; the dependency graph decides what may run when. */
  order: z.number().int().nonnegative().max(10_000),
  method: z.enum(["GET", "POST"]),
  /** Path below the API root URL, with macros: `/api/v1/namespaces/{{namespace-id}}/secrets`. */
  path: z
    .string()
    .max(2048, { abort: true })
    .regex(/^\/[^\u0000-\u001f\u007f]*$/, "starts with /, no control characters"),
  apiVersion: line(100).min(1),
  kind: line(100).min(1),
  /** The object's name with macros; absent for queries. */
  name: line(253).min(1).optional(),
  dependsOn: z.array(TemplateId).max(50, { abort: true }).default([]),
  /**
   * A boolean macro (a setting): the template is in the plan only while its value is `true` — Helm's
   * `{{- if .Values.autoscaling.enabled }}` as data. A dependency on a template left out this way is met.
   */
  when: MacroName.optional(),
  /**
   * Body fields left out while a boolean macro is `true`: another owner sets them then (an autoscaler owns a
   * Deployment's `replicas`), and an apply that wrote them would fight it.
   */
  omit: z
    .array(z.strictObject({ path: JsonPath, when: MacroName }))
    .max(20, { abort: true })
    .default([]),
  /** JSON text with macros; null for a GET. */
  body: text(256 * 1024).nullable(),
});
export type RequestTemplate = z.infer<typeof RequestTemplate>;

/** Default macro values: shared ones and per namespace. */
export const MacroDefaults = z.strictObject({
  $comment: z.string().optional(),
  namespace: z.string().optional(),
  values: z.record(z.string(), z.string()),
});
export type MacroDefaults = z.infer<typeof MacroDefaults>;

type TemplateFile = Omit<RequestTemplate, "body" | "description" | "dependsOn" | "omit"> & {
  description?: string;
  dependsOn?: string[];
  omit?: RequestTemplate["omit"];
  body: unknown;
};

function fromFile(file: TemplateFile): RequestTemplate {
  // Files keep the body as a JSON object for readable diffs; consumers get the text they can edit and store.
  const body = file.body === null ? null : JSON.stringify(file.body, null, 2);
  return Object.freeze(RequestTemplate.parse({ ...file, body }));
}

/** The shipped templates, in execution order. */
export const templates: readonly RequestTemplate[] = Object.freeze(
  [
    dbSetupNetworkPolicy,
    dbSetupSecret,
    clickhouseSetupJob,
    postgresSetupJob,
    lmsConfig,
    lmsSecrets,
    rsaSecret,
    lmsService,
    lmsIngress,
    lmsNetworkPolicy,
    lmsExternalNetworkPolicy,
    lmsDeployment,
    lmsAutoscaler,
    lmsDisruptionBudget,
    podMonitoring,
  ]
    .map((file) => fromFile(file as TemplateFile))
    .sort((a, b) => a.order - b.order),
);

/**
 * The teardown templates, in execution order: the customer's PostgreSQL role and database and ClickHouse user and
 * database dropped with their data (deprovisioning with «Удалить данные»). Never part of a provisioning plan — they
 * run only on an explicit request that repeats the customer id; `templates` and `getTemplate` do not include them.
 */
export const teardownTemplates: readonly RequestTemplate[] = Object.freeze(
  [dbTeardownNetworkPolicy, dbTeardownSecret, clickhouseTeardownJob, postgresTeardownJob]
    .map((file) => fromFile(file as TemplateFile))
    .sort((a, b) => a.order - b.order),
);

/** Looks a shipped template up by id. */
export function getTemplate(id: string): RequestTemplate | undefined {
  return templates.find((t) => t.id === id);
}

/** Defaults for every namespace. */
export const commonMacroDefaults: MacroDefaults = MacroDefaults.parse(commonDefaults);

/** Defaults per known namespace (the spec's tables). A new namespace starts from `commonMacroDefaults`. */
export const namespaceMacroDefaults: Readonly<Record<string, MacroDefaults>> = Object.freeze({
  "lms-dev": MacroDefaults.parse(lmsDevDefaults),
  "lms-prod": MacroDefaults.parse(lmsProdDefaults),
});

/** Default macro values for a namespace: shared defaults overlaid with the namespace's own. */
export function defaultMacroValues(namespace: string): Record<string, string> {
  return { ...commonMacroDefaults.values, ...(namespaceMacroDefaults[namespace]?.values ?? {}) };
}
