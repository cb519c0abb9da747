/**
 * Manifest validation against the pruned Kubernetes 1.35 OpenAPI schema
 * (src/generated/kube-schema.json, produced by scripts/generate-kube-schema.ts), mimicking what the
 * API server rejects with fieldValidation=Strict plus the name rules of its object validation.
 * Pure: no I/O; the schema is compiled lazily once and shared by all calls.
 */
import schemaJson from "../generated/kube-schema.json" with { type: "json" };
import { joinPath } from "./json-path.js";

export interface ManifestProblem {
  /** JSON path of the offending value or key, e.g. `$.spec.template.spec.containers[0].image`. */
  path: string;
  message: string;
  code: "type" | "required" | "unknown-field" | "name" | "kind" | "format";
}

type JsonType = "string" | "integer" | "number" | "boolean" | "object" | "array";
type Problems = ManifestProblem[];
type Check = (value: unknown, path: string, out: Problems) => void;

interface RawSchema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, RawSchema>;
  required?: string[];
  items?: RawSchema;
  additionalProperties?: RawSchema | boolean;
  oneOf?: RawSchema[];
  anyOf?: RawSchema[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
}

const REF_PREFIX = "#/definitions/";
const definitions = (schemaJson as unknown as { definitions: Record<string, RawSchema> }).definitions;

// ---------------------------------------------------------------------------------------------
// Name rules (k8s.io/apimachinery/pkg/util/validation). Each returns the reason, or undefined.

const LOWER_ALNUM = /^[a-z0-9]$/;
const DNS_CHARS = /^[a-z0-9-]*$/;
const DNS_SUBDOMAIN_CHARS = /^[a-z0-9.-]*$/;
const QUALIFIED_NAME_CHARS = /^[A-Za-z0-9._-]*$/;
const ALNUM = /^[A-Za-z0-9]$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

function edgesAlnum(value: string, alnum: RegExp): boolean {
  return alnum.test(value[0] ?? "") && alnum.test(value[value.length - 1] ?? "");
}

function dns1123LabelReason(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!DNS_CHARS.test(value)) return "lowercase letters, digits and '-' only";
  if (!edgesAlnum(value, LOWER_ALNUM)) return "must start and end with a lowercase letter or digit";
  return undefined;
}

function dns1035LabelReason(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!DNS_CHARS.test(value)) return "lowercase letters, digits and '-' only";
  if (!/^[a-z]/.test(value)) return "must start with a lowercase letter";
  if (!LOWER_ALNUM.test(value[value.length - 1] ?? "")) return "must end with a lowercase letter or digit";
  return undefined;
}

function dns1123SubdomainReason(value: string): string | undefined {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!DNS_SUBDOMAIN_CHARS.test(value)) return "lowercase letters, digits, '-' and '.' only";
  if (!value.split(".").every((part) => edgesAlnum(part, LOWER_ALNUM))) {
    return "must start and end with a lowercase letter or digit, also around each '.'";
  }
  return undefined;
}

function portNameReason(value: string): string | undefined {
  if (value.length > 15) return "must be no more than 15 characters";
  if (!DNS_CHARS.test(value)) return "lowercase letters, digits and '-' only";
  if (!/[a-z]/.test(value)) return "must contain at least one letter";
  if (value.startsWith("-") || value.endsWith("-")) return "must not start or end with '-'";
  if (value.includes("--")) return "must not contain '--'";
  return undefined;
}

const QUALIFIED_NAME_FORM = "letters, digits, '-', '_' and '.' only, starting and ending with a letter or digit";

function qualifiedNameReason(value: string): string | undefined {
  const parts = value.split("/");
  if (parts.length > 2) return "must contain at most one '/'";
  let name = value;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix === "") return "prefix before '/' must not be empty";
    const reason = dns1123SubdomainReason(prefix);
    if (reason) return `prefix "${prefix}" must be a DNS-1123 subdomain (${reason})`;
  }
  if (name === "") return "name part must not be empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!QUALIFIED_NAME_CHARS.test(name) || !edgesAlnum(name, ALNUM)) return `name part: ${QUALIFIED_NAME_FORM}`;
  return undefined;
}

function labelValueReason(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (value !== "" && (!QUALIFIED_NAME_CHARS.test(value) || !edgesAlnum(value, ALNUM))) {
    return `empty, or ${QUALIFIED_NAME_FORM}`;
  }
  return undefined;
}

function configMapKeyReason(value: string): string | undefined {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!CONFIG_MAP_KEY.test(value)) return "letters, digits, '-', '_' and '.' only";
  if (value === "." || value === "..") return "must not be '.' or '..'";
  if (value.startsWith("..")) return "must not start with '..'";
  return undefined;
}

type NameRule = { what: string; reason: (value: string) => string | undefined };

/**
 * A rule's verdicts remembered: the same names, label keys and values recur in every manifest of every plan, so
 * each is checked once. Short strings only, a bounded number of them.
 */
function remembered(what: string, reason: (value: string) => string | undefined): NameRule {
  const verdicts = new Map<string, string | null>();
  return {
    what,
    reason: (value) => {
      const known = verdicts.get(value);
      if (known !== undefined) return known ?? undefined;
      const verdict = reason(value);
      if (value.length <= 256) {
        if (verdicts.size >= 10_000) verdicts.clear();
        verdicts.set(value, verdict ?? null);
      }
      return verdict;
    },
  };
}

const DNS_1123_LABEL = remembered("DNS-1123 label", dns1123LabelReason);
const DNS_1123_SUBDOMAIN = remembered("DNS-1123 subdomain", dns1123SubdomainReason);
const DNS_1035_LABEL = remembered("DNS-1035 label", dns1035LabelReason);
const PORT_NAME = remembered("port name (IANA_SVC_NAME)", portNameReason);
const LABEL_KEY = remembered("label key", qualifiedNameReason);
const ANNOTATION_KEY = remembered("annotation key", (key) => qualifiedNameReason(key.toLowerCase()));
const LABEL_VALUE = remembered("label value", labelValueReason);
const DATA_KEY = remembered("data key", configMapKeyReason);

function checkName(rule: NameRule, value: unknown, path: string, out: Problems): boolean {
  if (typeof value !== "string") return true;
  const reason = rule.reason(value);
  if (reason === undefined) return true;
  out.push({ path, code: "name", message: `${JSON.stringify(value)} is not a valid ${rule.what}: ${reason}` });
  return false;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON null (and undefined) mean "unset" to the API server's decoder. */
function isAbsent(value: unknown): boolean {
  return value === null || value === undefined;
}

/** `$.a.b`, `$.labels["app.kubernetes.io/name"]`: the plans' JSON path dialect. */
const child = (path: string, key: string): string => joinPath(path, key);

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isRecord(value);
  }
}

// The paths of map keys are built only for a key with a problem.
function checkMapKeys(rule: NameRule, map: unknown, path: string, out: Problems): void {
  if (!isRecord(map)) return;
  for (const key of Object.keys(map)) {
    if (rule.reason(key) !== undefined) checkName(rule, key, child(path, key), out);
  }
}

function checkLabels(labels: unknown, path: string, out: Problems): void {
  if (!isRecord(labels)) return;
  for (const key of Object.keys(labels)) {
    const value = labels[key];
    if (LABEL_KEY.reason(key) === undefined && (typeof value !== "string" || LABEL_VALUE.reason(value) === undefined)) continue;
    const keyPath = child(path, key);
    checkName(LABEL_KEY, key, keyPath, out);
    checkName(LABEL_VALUE, value, keyPath, out);
  }
}

function checkPortNumber(port: unknown, path: string, out: Problems): void {
  if (Number.isInteger(port) && ((port as number) < 1 || (port as number) > 65535)) {
    out.push({ path, code: "format", message: `port ${String(port)} is out of range: must be between 1 and 65535` });
  }
}

function required(path: string, field: string, out: Problems): void {
  out.push({ path: child(path, field), code: "required", message: `required field "${field}" is missing` });
}

// Go's encoding/json decodes []byte with base64.StdEncoding: padded, '\r' and '\n' ignored.
// Without line breaks: the alphabet, at most two '=' at the end, whole quartets (as padded).
const BASE64_UNBROKEN = /^[A-Za-z0-9+/]*={0,2}$/;

// One pass over the characters: a Secret's data holds keys of kilobytes, which a regex walks far more slowly.
function isBase64(value: string): boolean {
  if (!value.includes("\n") && !value.includes("\r")) return value.length % 4 === 0 && BASE64_UNBROKEN.test(value);
  let length = 0;
  let padding = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) continue;
    length++;
    if (c === 0x3d) {
      if (++padding > 2) return false;
    } else if (padding > 0 || !isBase64Char(c)) return false;
  }
  return length % 4 === 0;
}

function isBase64Char(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
}
// metav1.Time parses with time.RFC3339.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
// resource.ParseQuantity: signed decimal number plus an optional binary/decimal SI suffix or exponent.
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

function checkFormat(format: string, value: unknown, path: string, out: Problems): void {
  switch (format) {
    case "int32":
      if (typeof value === "number" && (value > 2147483647 || value < -2147483648)) {
        out.push({ path, code: "format", message: `${value} is out of range for int32` });
      }
      break;
    case "int64":
      if (typeof value === "number" && !Number.isSafeInteger(value)) {
        out.push({ path, code: "format", message: `${value} cannot be represented exactly as int64 in JSON here` });
      }
      break;
    case "byte":
      if (typeof value === "string" && !isBase64(value)) {
        out.push({ path, code: "format", message: "expected base64-encoded data (standard alphabet, padded with =)" });
      }
      break;
    case "date-time":
      if (typeof value === "string" && !RFC3339.test(value)) {
        out.push({ path, code: "format", message: `${JSON.stringify(value)} is not an RFC 3339 date-time` });
      }
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Semantic checks the API server applies beyond the schema, keyed by definition name.

const META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
const CORE = "io.k8s.api.core.v1.";

const NAME_RULE_BY_DEFINITION: Record<string, NameRule> = {
  [`${CORE}Namespace`]: DNS_1123_LABEL,
  [`${CORE}Service`]: DNS_1035_LABEL,
};

/** Top-level objects (ObjectMeta + group-version-kind): metadata.name is required and validated. */
function resourceCheck(definition: string): Check {
  const rule = NAME_RULE_BY_DEFINITION[definition] ?? DNS_1123_SUBDOMAIN;
  const isJob = definition === "io.k8s.api.batch.v1.Job";
  return (value, path, out) => {
    if (!isRecord(value)) return;
    const metadata = value.metadata;
    if (!isAbsent(metadata) && !isRecord(metadata)) return; // type problem already reported
    const metaPath = `${path}.metadata`;
    const name = isRecord(metadata) ? metadata.name : undefined;
    if (isAbsent(name) || name === "") {
      required(metaPath, "name", out);
      return;
    }
    const namePath = `${metaPath}.name`;
    // The Job controller copies the name into the batch.kubernetes.io/job-name label (≤63).
    if (checkName(rule, name, namePath, out) && isJob && typeof name === "string" && name.length > 63) {
      out.push({
        path: namePath,
        code: "name",
        message: `${JSON.stringify(name)} is too long for a Job name: must be no more than 63 characters (it becomes a label value)`,
      });
    }
  };
}

const CHECKS: Record<string, Check> = {
  [`${META}ObjectMeta`]: (meta, path, out) => {
    if (!isRecord(meta)) return;
    if (!isAbsent(meta.namespace) && meta.namespace !== "") checkName(DNS_1123_LABEL, meta.namespace, `${path}.namespace`, out);
    checkLabels(meta.labels, `${path}.labels`, out);
    checkMapKeys(ANNOTATION_KEY, meta.annotations, `${path}.annotations`, out);
  },
  [`${META}LabelSelector`]: (selector, path, out) => {
    if (isRecord(selector)) checkLabels(selector.matchLabels, `${path}.matchLabels`, out);
  },
  [`${CORE}PodSpec`]: (spec, path, out) => {
    if (!isRecord(spec)) return;
    if (Array.isArray(spec.containers) && spec.containers.length === 0) {
      out.push({ path: `${path}.containers`, code: "required", message: "at least one container is required" });
    }
    checkLabels(spec.nodeSelector, `${path}.nodeSelector`, out);
  },
  [`${CORE}Container`]: (container, path, out) => {
    if (!isRecord(container)) return;
    checkName(DNS_1123_LABEL, container.name, `${path}.name`, out);
    // Optional in the schema, but pod validation rejects containers without an image.
    if (isAbsent(container.image) || container.image === "") required(path, "image", out);
  },
  [`${CORE}ContainerPort`]: (port, path, out) => {
    if (!isRecord(port)) return;
    if (!isAbsent(port.name)) checkName(PORT_NAME, port.name, `${path}.name`, out);
    checkPortNumber(port.containerPort, `${path}.containerPort`, out);
  },
  [`${CORE}Volume`]: (volume, path, out) => {
    if (isRecord(volume)) checkName(DNS_1123_LABEL, volume.name, `${path}.name`, out);
  },
  [`${CORE}ServiceSpec`]: (spec, path, out) => {
    if (!isRecord(spec)) return;
    checkLabels(spec.selector, `${path}.selector`, out);
    const ports = spec.ports;
    if (Array.isArray(ports) && ports.length > 1) {
      ports.forEach((port, i) => {
        if (isRecord(port) && (isAbsent(port.name) || port.name === "")) {
          out.push({
            path: `${`${path}.ports`}[${i}].name`,
            code: "required",
            message: 'required field "name" is missing (a Service with several ports must name each)',
          });
        }
      });
    }
  },
  [`${CORE}ServicePort`]: (port, path, out) => {
    if (!isRecord(port)) return;
    if (!isAbsent(port.name) && port.name !== "") checkName(DNS_1123_LABEL, port.name, `${path}.name`, out);
    checkPortNumber(port.port, `${path}.port`, out);
    if (typeof port.targetPort === "string") checkName(PORT_NAME, port.targetPort, `${path}.targetPort`, out);
    else if (port.targetPort !== 0) checkPortNumber(port.targetPort, `${path}.targetPort`, out);
  },
  [`${CORE}ConfigMap`]: (configMap, path, out) => {
    if (!isRecord(configMap)) return;
    checkMapKeys(DATA_KEY, configMap.data, `${path}.data`, out);
    checkMapKeys(DATA_KEY, configMap.binaryData, `${path}.binaryData`, out);
  },
  [`${CORE}Secret`]: (secret, path, out) => {
    if (!isRecord(secret)) return;
    checkMapKeys(DATA_KEY, secret.data, `${path}.data`, out);
    checkMapKeys(DATA_KEY, secret.stringData, `${path}.stringData`, out);
  },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": (quantity, path, out) => {
    if (typeof quantity === "string" && !QUANTITY.test(quantity)) {
      out.push({ path, code: "format", message: `${JSON.stringify(quantity)} is not a valid quantity (e.g. "500m", "1.5", "256Mi", "2Gi")` });
    }
  },
};

function combineChecks(a: Check | undefined, b: Check | undefined): Check | undefined {
  if (!a || !b) return a ?? b;
  return (value, path, out) => {
    a(value, path, out);
    b(value, path, out);
  };
}

// ---------------------------------------------------------------------------------------------
// Schema compilation, the way ajv compiles JSON Schema: each definition becomes a validator function once
// (lazily, memoized; a definition that refers to itself reaches a forward until it is compiled). A validator
// knows its types, its properties with their path suffixes, its required fields and its checks, so validating
// an object walks the object only — no schema lookups, no path regexes, no per-call allocation beyond paths.

type Validator = (value: unknown, path: string, out: Problems) => void;

const validators = new Map<string, Validator>();

function definitionValidator(name: string): Validator {
  const known = validators.get(name);
  if (known) return known;
  const raw = definitions[name];
  if (!raw) throw new Error(`kube-schema.json has no definition ${name}`);
  let compiled: Validator | undefined;
  validators.set(name, (value, path, out) => compiled!(value, path, out));
  const gvk = raw["x-kubernetes-group-version-kind"];
  const meta = raw.properties?.metadata?.$ref;
  const resource = gvk !== undefined && meta === `${REF_PREFIX}${META}ObjectMeta` ? resourceCheck(name) : undefined;
  compiled = compileSchema(raw, combineChecks(CHECKS[name], resource));
  validators.set(name, compiled);
  return compiled;
}

function schemaValidator(raw: RawSchema): Validator {
  return raw.$ref !== undefined ? definitionValidator(raw.$ref.slice(REF_PREFIX.length)) : compileSchema(raw, undefined);
}

function schemaTypes(raw: RawSchema): readonly JsonType[] | undefined {
  const alternatives = raw.oneOf ?? raw.anyOf;
  if (raw["x-kubernetes-int-or-string"] || raw.format === "int-or-string") return ["integer", "string"];
  if (raw.type !== undefined) return [raw.type as JsonType];
  if (alternatives?.every((alt) => alt.type !== undefined && alt.$ref === undefined && alt.properties === undefined)) {
    return alternatives.map((alt) => alt.type as JsonType);
  }
  return undefined;
}

function typeTest(types: readonly JsonType[]): (value: unknown) => boolean {
  if (types.length === 1) {
    const type = types[0]!;
    return (value) => hasType(value, type);
  }
  return (value) => types.some((type) => hasType(value, type));
}

/**
 * The type test of a schema that checks nothing else (a label's or a data key's string value): a map's values are
 * tested with it first, and their path is built only when the value is wrong.
 */
const plainTypeTests = new WeakMap<Validator, (value: unknown) => boolean>();

function compileSchema(raw: RawSchema, check: Check | undefined): Validator {
  const types = schemaTypes(raw);
  const typeOk = types && typeTest(types);
  if (typeOk && check === undefined && raw.format === undefined && !raw.items && !raw.properties && raw.additionalProperties === undefined) {
    const validate: Validator = (value, path, out) => {
      if (value !== null && value !== undefined && !typeOk(value))
        out.push({ path, code: "type", message: `expected ${types.join(" or ")}, got ${jsonTypeOf(value)}` });
    };
    plainTypeTests.set(validate, typeOk);
    return validate;
  }
  const expected = types ? `expected ${types.join(" or ")}, got ` : "";
  const format = raw.format;
  const items = raw.items ? schemaValidator(raw.items) : undefined;
  const walk = compileObjectWalk(raw);
  return (value, path, out) => {
    if (value === null || value === undefined) return;
    if (typeOk !== undefined && !typeOk(value)) {
      out.push({ path, code: "type", message: expected + jsonTypeOf(value) });
      return;
    }
    if (format !== undefined) checkFormat(format, value, path, out);
    // Semantic checks first so an object's own problems (e.g. metadata.name) precede nested ones.
    if (check !== undefined) check(value, path, out);
    if (Array.isArray(value)) {
      if (items !== undefined) for (let i = 0; i < value.length; i++) items(value[i], `${path}[${i}]`, out);
    } else if (typeof value === "object") walk(value as Record<string, unknown>, path, out);
  };
}

type ObjectWalk = (value: Record<string, unknown>, path: string, out: Problems) => void;

function compileObjectWalk(raw: RawSchema): ObjectWalk {
  const properties = new Map<string, { validate: Validator; suffix: string }>();
  for (const [key, schema] of Object.entries(raw.properties ?? {})) properties.set(key, { validate: schemaValidator(schema), suffix: child("", key) });
  const values = typeof raw.additionalProperties === "object" ? schemaValidator(raw.additionalProperties) : undefined;
  const valueOk = values && plainTypeTests.get(values);
  const requiredFields = raw.required ?? [];
  // Strict field validation: an object listing properties is closed unless explicitly preserved.
  const open = raw["x-kubernetes-preserve-unknown-fields"] === true || (raw.properties === undefined && raw.additionalProperties === undefined);
  return (value, path, out) => {
    for (const key of Object.keys(value)) {
      const property = properties.get(key);
      if (property !== undefined) property.validate(value[key], path + property.suffix, out);
      else if (values !== undefined) {
        const item = value[key];
        if (valueOk === undefined || (item !== null && item !== undefined && !valueOk(item))) values(item, child(path, key), out);
      } else if (!open) out.push({ path: child(path, key), code: "unknown-field", message: `unknown field ${JSON.stringify(key)}` });
    }
    for (const field of requiredFields) {
      if (isAbsent(value[field])) required(path, field, out);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Kind lookup

let kindIndex: Map<string, string> | undefined;

function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}\n${kind}`;
}

function getKindIndex(): Map<string, string> {
  if (kindIndex) return kindIndex;
  const index = new Map<string, string>();
  for (const [name, raw] of Object.entries(definitions)) {
    for (const gvk of raw["x-kubernetes-group-version-kind"] ?? []) {
      const apiVersion = gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
      index.set(kindKey(apiVersion, gvk.kind), name);
    }
  }
  kindIndex = index;
  return index;
}

/** True when the schema artifact has a definition for this apiVersion + kind. */
export function isKnownKind(apiVersion: string, kind: string): boolean {
  return getKindIndex().has(kindKey(apiVersion, kind));
}

function apiVersionsOf(kind: string): string[] {
  const versions: string[] = [];
  for (const key of getKindIndex().keys()) {
    const [apiVersion, k] = key.split("\n");
    if (k === kind && apiVersion !== undefined) versions.push(apiVersion);
  }
  return versions;
}

/**
 * Validates one manifest. Returns an empty array when the API server would accept it as far as
 * types, required fields, unknown fields (strict) and name rules go.
 */
export function validateManifest(manifest: unknown): ManifestProblem[] {
  if (!isRecord(manifest)) {
    return [{ path: "$", code: "type", message: `expected object, got ${jsonTypeOf(manifest)}` }];
  }
  const out: Problems = [];
  const { apiVersion, kind } = manifest;
  for (const [field, value] of [
    ["apiVersion", apiVersion],
    ["kind", kind],
  ] as const) {
    if (typeof value !== "string" || value === "") {
      out.push({
        path: `$.${field}`,
        code: "kind",
        message: isAbsent(value) || value === "" ? `required field "${field}" is missing` : `expected string, got ${jsonTypeOf(value)}`,
      });
    }
  }
  if (out.length > 0) return out;

  const definition = getKindIndex().get(kindKey(apiVersion as string, kind as string));
  if (!definition) {
    const known = apiVersionsOf(kind as string);
    const hint = known.length > 0 ? ` (${kind} is known as apiVersion ${known.join(", ")})` : "";
    return [{ path: "$.kind", code: "kind", message: `unknown kind "${kind}" for apiVersion "${apiVersion}"${hint}` }];
  }
  definitionValidator(definition)(manifest, "$", out);
  return out;
}
