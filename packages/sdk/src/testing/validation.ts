/**
 * What the API server refuses, with the code and message it uses:
 * - decoding (400 BadRequest): wrong JSON types; unknown fields when fieldValidation=Strict
 *   (`… cannot be handled as a … : strict decoding error: unknown field "spec.x"`); without Strict unknown fields
 *   are dropped, with a `Warning: 299` header under Warn (the server's default);
 * - object validation (422 Invalid, `details.causes[]`): required fields, names, ports, kind rules
 *   (selector vs template labels, Job restartPolicy, Ingress pathType) and immutable fields on update.
 * Schema checks come from the SDK's `validateManifest` (the official 1.35 schema); the rest is here.
 */
import { validateManifest, type ManifestProblem } from "../core/validate.js";
import { GRANULAR_MAPS } from "./list-types.js";
import { autoscalerCauses, disruptionBudgetCauses, networkPolicyCauses, networkPolicyCidrs, networkPolicyWarnings } from "./platform-validation.js";
import { labelSelectorFromObject, matchesSelector } from "./selectors.js";
import { apiVersionOf, resourceForObject, type ResourceType } from "./resources.js";
import { ApiError, badRequest, invalid, statusBody, type Cause } from "./status.js";
import { deepEqual, isRecord, type Obj } from "./util.js";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** `$.spec.containers[0].image` → `spec.containers[0].image`; `["app.kubernetes.io/name"]` → `[app.kubernetes.io/name]`. */
function fieldPath(path: string): string {
  return path.replace(/^\$\.?/, "").replace(/\["((?:[^"\\]|\\.)*)"\]/g, (_m, key: string) => `[${key}]`);
}

function segmentsOf(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const token = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  token.lastIndex = 1;
  while (token.lastIndex < path.length) {
    const m = token.exec(path);
    if (!m) break;
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string)));
  }
  return out;
}

function removeAt(root: unknown, path: string): void {
  const segments = segmentsOf(path);
  const last = segments.pop();
  let node: unknown = root;
  for (const s of segments) node = (node as Record<string | number, unknown> | undefined)?.[s];
  if (isRecord(node) && typeof last === "string") delete node[last];
}

const NAME_MESSAGES: Record<string, string> = {
  "DNS-1123 subdomain":
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  "DNS-1123 label":
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  "DNS-1035 label":
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
};

const LABEL_VALUE_FORM =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function causeOf(problem: ManifestProblem): Cause {
  const field = fieldPath(problem.path);
  if (problem.code === "required") {
    const message = field === "metadata.name" ? "Required value: name or generateName is required" : "Required value";
    return { reason: "FieldValueRequired", message, field };
  }
  const named = /^(".*") is not a valid (.+?): (.*)$/.exec(problem.message);
  if (named?.[2] === "label value") {
    // ValidateLabels names the map, not the key: `metadata.labels`, `spec.selector.matchLabels`.
    const reason = named[3]!.startsWith("must be no more than") ? named[3]!.replace("characters", "bytes") : LABEL_VALUE_FORM;
    return { reason: "FieldValueInvalid", message: `Invalid value: ${named[1]}: ${reason}`, field: field.replace(/(\.[^.[\]]+|\[[^\]]*\])$/, "") };
  }
  if (named) {
    const what = named[2]!;
    return { reason: "FieldValueInvalid", message: `Invalid value: ${named[1]}: ${NAME_MESSAGES[what] ?? `${what}: ${named[3]}`}`, field };
  }
  return { reason: "FieldValueInvalid", message: `Invalid value: ${problem.message}`, field };
}

const GO_TYPES: Record<string, string> = {
  integer: "int32",
  number: "float64",
  string: "string",
  boolean: "bool",
  object: "map[string]interface {}",
  array: "[]interface {}",
};

function isDecodeProblem(problem: ManifestProblem): boolean {
  if (problem.code === "type" || problem.code === "kind") return true;
  // Format problems are decode errors (quantities, base64, times), except port ranges (validation).
  return problem.code === "format" && !/port .* is out of range/.test(problem.message);
}

/** encoding/json's names of JSON values in "cannot unmarshal X into …". */
const JSON_VALUE_NAMES: Record<string, string> = {
  integer: "number",
  number: "number",
  boolean: "bool",
  string: "string",
  object: "object",
  array: "array",
  null: "null",
};

/**
 * The field path encoding/json reports: struct fields only, no list indices and no keys of maps with arbitrary keys
 * (`data.a` → `data`).
 */
function goFieldPath(path: string): string {
  const parts = fieldPath(path)
    .replace(/\[\d+\]/g, "")
    .split(".");
  const out: string[] = [];
  for (const part of parts) {
    out.push(part);
    if (GRANULAR_MAPS.has(part)) break;
  }
  return out.join(".");
}

function decodeMessage(problem: ManifestProblem, rt: ResourceType): string {
  const m = /^expected (.+), got (\w+)$/.exec(problem.message);
  if (m) {
    const expected = m[1]!
      .split(" or ")
      .map((t) => GO_TYPES[t] ?? t)
      .join(" or ");
    return `json: cannot unmarshal ${JSON_VALUE_NAMES[m[2]!] ?? m[2]} into Go struct field ${rt.kind}.${goFieldPath(problem.path)} of type ${expected}`;
  }
  return `${fieldPath(problem.path)}: ${problem.message}`;
}

interface Decoded {
  object: Obj;
  warnings: string[];
}

interface DecodeOptions {
  fieldValidation: FieldValidation;
  /** Apply requests reject unknown fields whatever fieldValidation says (typed patch object conversion). */
  apply?: { namespace: string | undefined; name: string };
}

/**
 * Decodes a write's body (or a patch result) for `rt`: type errors and, under Strict, unknown fields are 400;
 * unknown fields are otherwise dropped (with warnings under Warn). Returns the cleaned object and the
 * validation problems (422 material) for `validateObject`.
 */
/**
 * The SDK's schema artifact is pruned to the kinds Sreda sends; ReplicaSet is not among them. Its spec fields are
 * a subset of a Deployment's (replicas, minReadySeconds, selector, template), so it is checked as one.
 */
function schemaProblems(rt: ResourceType, body: Obj): ManifestProblem[] {
  if (rt.kind !== "ReplicaSet") return validateManifest(body);
  const { status: _status, ...rest } = body;
  return validateManifest({ ...rest, kind: "Deployment" });
}

export function decodeObject(rt: ResourceType, body: Obj, options: DecodeOptions): Decoded & { problems: ManifestProblem[] } {
  const problems = schemaProblems(rt, body);
  const version = rt.version;
  const decodeErrors = problems.filter(isDecodeProblem);
  if (decodeErrors.length > 0) {
    throw badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: ${decodeErrors.map((p) => decodeMessage(p, rt)).join(", ")}`);
  }
  const unknown = problems.filter((p) => p.code === "unknown-field");
  const warnings: string[] = [];
  if (unknown.length > 0) {
    if (options.apply) {
      // The field manager fails to convert the configuration into a typed object: an error the API server does not
      // classify, so a 500 without a reason, whatever fieldValidation says. It names the object as the configuration
      // does (`/name` when the configuration gives no namespace).
      const { namespace, name } = options.apply;
      const first = unknown[0]!;
      throw new ApiError(
        statusBody(
          500,
          "",
          `failed to create typed patch object (${namespace ?? ""}/${name}; ${gvkString(apiVersionOf(rt), rt.kind)}): .${fieldPath(first.path)}: field not declared in schema`,
        ),
      );
    }
    if (options.fieldValidation === "Strict") {
      throw badRequest(
        `${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: strict decoding error: ${unknown.map((p) => `unknown field "${fieldPath(p.path)}"`).join(", ")}`,
      );
    }
    for (const p of unknown) {
      if (options.fieldValidation === "Warn") warnings.push(`unknown field "${fieldPath(p.path)}"`);
      removeAt(body, p.path);
    }
  }
  return { object: body, warnings, problems: problems.filter((p) => !isDecodeProblem(p) && p.code !== "unknown-field") };
}

function templateLabelsCause(spec: Obj, prefix = "spec", missingSelectorMatchesNothing = false): Cause[] {
  const selector = spec.selector;
  const labels = spec.template?.metadata?.labels;
  const mismatch: Cause = {
    reason: "FieldValueInvalid",
    message: `Invalid value: ${JSON.stringify(labels ?? null)}: \`selector\` does not match template \`labels\``,
    field: `${prefix}.template.metadata.labels`,
  };
  // A Job's missing selector selects nothing (metav1.LabelSelectorAsSelector(nil)): its labels never match.
  if (!isRecord(selector)) return missingSelectorMatchesNothing ? [mismatch] : [];
  const requirements = labelSelectorFromObject(selector);
  if (requirements.length > 0 && !matchesSelector(requirements, labels)) return [mismatch];
  return [];
}

function kindRules(rt: ResourceType, obj: Obj): Cause[] {
  const spec: Obj = isRecord(obj.spec) ? obj.spec : {};
  const causes: Cause[] = [];
  switch (rt.kind) {
    case "Deployment":
    case "ReplicaSet": {
      if (!isRecord(spec.selector)) causes.push({ reason: "FieldValueRequired", message: "Required value", field: "spec.selector" });
      else if (labelSelectorFromObject(spec.selector).length === 0)
        causes.push({
          reason: "FieldValueInvalid",
          message: `Invalid value: ${JSON.stringify(spec.selector)}: empty selector is invalid for deployment`,
          field: "spec.selector",
        });
      causes.push(...templateLabelsCause(spec));
      if (typeof spec.replicas === "number" && spec.replicas < 0)
        causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`, field: "spec.replicas" });
      const policy = spec.template?.spec?.restartPolicy;
      if (policy !== undefined && policy !== "Always")
        causes.push({
          reason: "FieldValueNotSupported",
          message: `Unsupported value: "${policy}": supported values: "Always"`,
          field: "spec.template.spec.restartPolicy",
        });
      break;
    }
    case "Job": {
      const policy = spec.template?.spec?.restartPolicy;
      // ValidateJobSpec reports any other policy (Always, also the pod default) as a missing one.
      if (policy !== "Never" && policy !== "OnFailure") {
        causes.push({ reason: "FieldValueRequired", message: `Required value: valid values: "OnFailure", "Never"`, field: "spec.template.spec.restartPolicy" });
      }
      if (!isRecord(spec.selector)) causes.push({ reason: "FieldValueRequired", message: "Required value", field: "spec.selector" });
      causes.push(...templateLabelsCause(spec, "spec", true));
      for (const field of ["backoffLimit", "activeDeadlineSeconds", "parallelism", "completions", "ttlSecondsAfterFinished"]) {
        const value = spec[field];
        if (typeof value === "number" && (value < 0 || (field === "activeDeadlineSeconds" && value === 0))) {
          causes.push({
            reason: "FieldValueInvalid",
            message: `Invalid value: ${value}: must be greater than ${field === "activeDeadlineSeconds" ? "" : "or equal to "}0`,
            field: `spec.${field}`,
          });
        }
      }
      break;
    }
    case "Ingress": {
      const rules: Obj[] = Array.isArray(spec.rules) ? spec.rules : [];
      rules.forEach((rule, i) => {
        const paths: Obj[] = Array.isArray(rule?.http?.paths) ? rule.http.paths : [];
        paths.forEach((p, j) => {
          if (!isRecord(p)) return;
          const field = `spec.rules[${i}].http.paths[${j}]`;
          if (p.pathType === undefined)
            causes.push({ reason: "FieldValueRequired", message: "Required value: pathType must be specified", field: `${field}.pathType` });
          else if (!["Exact", "Prefix", "ImplementationSpecific"].includes(p.pathType))
            causes.push({
              reason: "FieldValueNotSupported",
              message: `Unsupported value: "${p.pathType}": supported values: "Exact", "ImplementationSpecific", "Prefix"`,
              field: `${field}.pathType`,
            });
          if (typeof p.path === "string" && p.pathType !== "ImplementationSpecific" && !p.path.startsWith("/"))
            causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${p.path}": must be an absolute path`, field: `${field}.path` });
        });
      });
      break;
    }
    case "Service": {
      if (spec.type !== "ExternalName" && spec.clusterIP !== "None" && (!Array.isArray(spec.ports) || spec.ports.length === 0)) {
        causes.push({ reason: "FieldValueRequired", message: "Required value", field: "spec.ports" });
      }
      break;
    }
  }
  return causes;
}

/** `Invalid value: {"matchLabels":{"app":"web"}}: field is immutable` (the new value, as JSON; a missing one is null). */
function immutable(field: string, value: unknown): Cause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value ?? null)}: field is immutable`, field };
}

function updateRules(rt: ResourceType, obj: Obj, old: Obj): Cause[] {
  const spec: Obj = isRecord(obj.spec) ? obj.spec : {};
  const oldSpec: Obj = isRecord(old.spec) ? old.spec : {};
  const causes: Cause[] = [];
  switch (rt.kind) {
    case "Job":
      if (!deepEqual(spec.selector, oldSpec.selector)) causes.push(immutable("spec.selector", spec.selector));
      // The template is mutable only while the Job is suspended and has not started (1.27+); we keep it simple.
      // The real message prints the internal Go struct (`{"Spec":{"Volumes":null,…}}`); the fake abbreviates it.
      if (!deepEqual(spec.template, oldSpec.template) && !(spec.suspend === true && old.status?.startTime === undefined)) {
        causes.push({ reason: "FieldValueInvalid", message: "Invalid value: core.PodTemplateSpec{...}: field is immutable", field: "spec.template" });
      }
      if (spec.completions !== oldSpec.completions && spec.completionMode !== "Indexed")
        causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${spec.completions}: field is immutable`, field: "spec.completions" });
      break;
    case "Deployment":
    case "ReplicaSet":
      if (!deepEqual(spec.selector, oldSpec.selector)) causes.push(immutable("spec.selector", spec.selector));
      break;
    case "Service":
      if (oldSpec.clusterIP !== undefined && spec.clusterIP !== oldSpec.clusterIP) {
        causes.push({
          reason: "FieldValueInvalid",
          message: `Invalid value: ${JSON.stringify(spec.clusterIPs ?? [spec.clusterIP])}: may not change once set`,
          field: "spec.clusterIPs[0]",
        });
      }
      break;
    case "Secret":
    case "ConfigMap":
      if (old.immutable === true) {
        if (!deepEqual(obj.data, old.data))
          causes.push({ reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "data" });
        if (obj.immutable !== true)
          causes.push({ reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "immutable" });
      }
      break;
    case "Pod": {
      // Binding (the scheduler setting nodeName once) is a separate subresource in the real API; allowed here.
      const strip = (s: Obj): Obj => ({
        ...s,
        nodeName: oldSpec.nodeName === undefined ? undefined : s.nodeName,
        containers: (s.containers ?? []).map((c: Obj) => ({ ...c, image: undefined })),
        activeDeadlineSeconds: undefined,
        tolerations: undefined,
      });
      if (!deepEqual(strip(spec), strip(oldSpec))) {
        causes.push({
          reason: "FieldValueForbidden",
          message:
            "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
          field: "spec",
        });
      }
      break;
    }
  }
  return causes;
}

/**
 * NetworkPolicy, PodDisruptionBudget and HorizontalPodAutoscaler are validated by their Go code alone (a missing
 * number is 0 there, not a missing field). A NetworkPolicy update runs the create checks and then the update's, which
 * lets the stored object's CIDRs stay: an error of both passes is listed twice (once in the message).
 */
function platformCauses(rt: ResourceType, obj: Obj, old: Obj | undefined): Cause[] {
  switch (rt.kind) {
    case "NetworkPolicy":
      return [...networkPolicyCauses(obj), ...(old ? networkPolicyCauses(obj, networkPolicyCidrs(old)) : [])];
    case "PodDisruptionBudget":
      return disruptionBudgetCauses(obj);
    case "HorizontalPodAutoscaler":
      return autoscalerCauses(obj, old);
    default:
      return [];
  }
}

const GO_VALIDATED = new Set(["NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler"]);
/** The schema checks whose ground the Go validation of those kinds covers itself, in its own order. */
const GO_CHECKS = new Set(["required", "label key", "label value"]);

function problemKind(problem: ManifestProblem): string {
  if (problem.code !== "name") return problem.code;
  return /^".*" is not a valid (label key|label value): /.exec(problem.message)?.[1] ?? problem.code;
}

/** 422 when the (decoded, defaulted) object is invalid; `old` is the stored object for updates. */
export function validateObject(rt: ResourceType, obj: Obj, problems: ManifestProblem[], old: Obj | undefined): void {
  const schema = GO_VALIDATED.has(rt.kind) ? problems.filter((p) => !p.path.startsWith("$.spec") || !GO_CHECKS.has(problemKind(p))) : problems;
  const causes = [...schema.map(causeOf), ...kindRules(rt, obj), ...(old ? updateRules(rt, obj, old) : []), ...platformCauses(rt, obj, old)];
  if (causes.length > 0) throw invalid(rt, String(obj.metadata?.name ?? ""), causes);
}

/** `Warning` headers a valid create or update gets (the strategies' WarningsOnCreate/WarningsOnUpdate). */
export function objectWarnings(rt: ResourceType, obj: Obj): string[] {
  return rt.kind === "NetworkPolicy" ? networkPolicyWarnings(obj) : [];
}

/** Go's package of each group's internal types, as conversion errors name them (`core.ConfigMap`). */
const INTERNAL_PACKAGE: Record<string, string> = { "": "core", apps: "apps", batch: "batch", "networking.k8s.io": "networking" };

const versionPart = (apiVersion: string): string => apiVersion.slice(apiVersion.lastIndexOf("/") + 1);

/** schema.GroupVersionKind's String(): `/v1, Kind=ConfigMap`, `apps/v1, Kind=`. */
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  return `${group}/${versionPart(apiVersion)}, Kind=${kind}`;
}

/**
 * The body must be a JSON object of the URL's type. A JSON body is decoded into that type, so a missing kind or
 * apiVersion is taken from the URL (the response carries them); an apply configuration must name both. Another
 * type is refused with the decoder's message.
 */
export function checkTypeMeta(rt: ResourceType, body: unknown, mode: "decode" | "apply" = "decode"): asserts body is Obj {
  if (!isRecord(body))
    throw badRequest(`the object provided is unrecognized (must be of type ${rt.kind}): couldn't get version/kind; json parse error: expected an object`);
  const absent = (value: unknown): boolean => value === undefined || value === null || value === "";
  if (mode === "apply" && (absent(body.kind) || absent(body.apiVersion))) {
    throw badRequest(`invalid object type: ${gvkString(absent(body.apiVersion) ? "" : String(body.apiVersion), absent(body.kind) ? "" : String(body.kind))}`);
  }
  if (absent(body.apiVersion)) body.apiVersion = apiVersionOf(rt);
  if (absent(body.kind)) body.kind = rt.kind;
  if (typeof body.apiVersion !== "string" || typeof body.kind !== "string") {
    throw badRequest(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${typeof body.kind !== "string" ? "kind" : "apiVersion"} into Go struct field .${typeof body.kind !== "string" ? "kind" : "apiVersion"} of type string`,
    );
  }
  if (body.apiVersion === apiVersionOf(rt) && body.kind === rt.kind) return;
  const prefix = `${body.kind} in version "${versionPart(body.apiVersion)}" cannot be handled as a ${rt.kind}`;
  if (resourceForObject(body.apiVersion, body.kind)) {
    throw badRequest(
      `${prefix}: converting (${versionPart(body.apiVersion)}.${body.kind}) to (${INTERNAL_PACKAGE[rt.group] ?? rt.group}.${rt.kind}): unknown conversion`,
    );
  }
  throw badRequest(`${prefix}: no kind "${body.kind}" is registered for version "${body.apiVersion}" in scheme "pkg/runtime/scheme.go:111"`);
}
