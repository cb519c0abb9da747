/**
 * Label and field selectors with the grammar of k8s.io/apimachinery/pkg/labels (selector.go) and the field
 * labels each registry supports (pkg/registry/<group>/<kind>/strategy.go ToSelectableFields).
 */
import { badRequest } from "./status.js";
import { isRecord, type Obj } from "./util.js";

type Operator = "exists" | "!" | "=" | "!=" | "in" | "notin" | "gt" | "lt";

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Selector = readonly Requirement[];

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

const KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key))
    throw badRequest(
      `unable to parse requirement: <nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (in "${raw}")`,
    );
  return key;
}

function checkValue(value: string): string {
  if (!VALUE.test(value) || value.length > 63)
    throw badRequest(
      `unable to parse requirement: values[0]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  return value;
}

export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text || text.trim() === "") return [];
  return splitTopLevel(text).map((raw): Requirement => {
    if (raw === "") throw badRequest(`found ',', expected: !, identifier, or 'end of string'`);
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
    // The lexer reaches the end of the string still inside the value list.
    if (!set && /^\S+\s+(in|notin)\s*\(/.test(raw)) throw badRequest("unable to parse requirement: found '', expected: ',' or ')'");
    if (set) {
      const values = set[3]!.split(",").map((v) => checkValue(v.trim()));
      return { key: checkKey(set[1]!, raw), operator: set[2] as "in" | "notin", values };
    }
    if (raw.startsWith("!")) return { key: checkKey(raw.slice(1).trim(), raw), operator: "!", values: [] };
    const binary = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(raw);
    if (binary) {
      const op = binary[2]!;
      const value = binary[3]!.trim();
      if (op === ">" || op === "<") {
        if (!/^-?\d+$/.test(value)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        return { key: checkKey(binary[1]!, raw), operator: op === ">" ? "gt" : "lt", values: [value] };
      }
      return { key: checkKey(binary[1]!, raw), operator: op === "!=" ? "!=" : "=", values: [checkValue(value)] };
    }
    if (/\s/.test(raw)) throw badRequest(`unable to parse requirement: found '${raw.split(/\s+/)[1] ?? ""}', expected: in, notin, =, ==, !=, gt, lt`);
    return { key: checkKey(raw, raw), operator: "exists", values: [] };
  });
}

export function matchesSelector(selector: Selector, labels: unknown): boolean {
  const map = isRecord(labels) ? (labels as Record<string, unknown>) : {};
  return selector.every(({ key, operator, values }) => {
    const has = Object.hasOwn(map, key);
    const value = has ? String(map[key]) : undefined;
    switch (operator) {
      case "exists":
        return has;
      case "!":
        return !has;
      case "=":
        return has && value === values[0];
      case "!=":
        return !has || value !== values[0];
      case "in":
        return has && values.includes(value!);
      case "notin":
        return !has || !values.includes(value!);
      case "gt":
        return has && /^-?\d+$/.test(value!) && Number(value) > Number(values[0]);
      case "lt":
        return has && /^-?\d+$/.test(value!) && Number(value) < Number(values[0]);
    }
  });
}

/** A `metav1.LabelSelector` object (matchLabels + matchExpressions) as a selector. An empty selector matches everything. */
export function labelSelectorFromObject(selector: unknown): Selector {
  if (!isRecord(selector)) return [];
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(isRecord(selector.matchLabels) ? selector.matchLabels : {})) {
    out.push({ key, operator: "=", values: [String(value)] });
  }
  for (const expr of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isRecord(expr)) continue;
    const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
    const op = String(expr.operator);
    const operator: Operator = op === "In" ? "in" : op === "NotIn" ? "notin" : op === "Exists" ? "exists" : "!";
    out.push({ key: String(expr.key), operator, values });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Field selectors

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

const COMMON_FIELDS = ["metadata.name", "metadata.namespace"];
const FIELDS_BY_KIND: Record<string, readonly string[]> = {
  Pod: [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  Event: [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  Secret: ["type"],
  Namespace: ["status.phase"],
  Job: ["status.successful"],
};

/**
 * How a field label nobody supports is refused: the kinds with their own field label conversion (core/v1's Pod,
 * Event, Namespace, Secret, Service; batch/v1's Job) say so in their words, the rest get the generic
 * metav1 conversion's message.
 */
function unsupportedField(field: string, kind: string): string {
  if (["Pod", "Event", "Namespace", "Secret", "Service"].includes(kind)) return `field label not supported: ${field}`;
  if (kind === "Job") return `field label ${JSON.stringify(field)} not supported for Job`;
  return `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

export function parseFieldSelector(text: string | null | undefined, kind: string): FieldRequirement[] {
  if (!text || text.trim() === "") return [];
  const allowed = [...COMMON_FIELDS, ...(FIELDS_BY_KIND[kind] ?? [])];
  return text.split(",").map((raw) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${raw}'`);
    const field = m[1]!;
    if (!allowed.includes(field)) throw badRequest(unsupportedField(field, kind));
    return { field, negate: m[2] === "!=", value: m[3]! };
  });
}

function fieldValue(obj: Obj, field: string): string {
  if (field === "source") return String(obj.source?.component ?? obj.reportingComponent ?? "");
  if (field === "status.successful") return String(obj.status?.succeeded ?? 0);
  if (field === "spec.hostNetwork") return String(obj.spec?.hostNetwork ?? false);
  let node: unknown = obj;
  for (const part of field.split(".")) node = isRecord(node) ? node[part] : undefined;
  return node === undefined || node === null ? "" : String(node);
}

export function matchesFields(requirements: readonly FieldRequirement[], obj: Obj): boolean {
  return requirements.every(({ field, negate, value }) => (fieldValue(obj, field) === value) !== negate);
}

// ---------------------------------------------------------------------------------------------
// Printing label selectors

/**
 * `metav1.LabelSelectorAsSelector(s).String()`, as a Scale's `status.selector` carries it: requirements sorted by
 * key, `app=web,tier in (a,b),!legacy`. An absent selector selects nothing and prints as "".
 */
export function selectorString(selector: unknown): string {
  if (!isRecord(selector)) return "";
  const parts: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(isRecord(selector.matchLabels) ? selector.matchLabels : {})) parts.push({ key, text: `${key}=${String(value)}` });
  for (const expr of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isRecord(expr)) continue;
    const key = String(expr.key);
    const values = (Array.isArray(expr.values) ? expr.values.map(String) : []).sort().join(",");
    const text = { In: `${key} in (${values})`, NotIn: `${key} notin (${values})`, Exists: key, DoesNotExist: `!${key}` }[String(expr.operator)];
    if (text !== undefined) parts.push({ key, text });
  }
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(",");
}

/** A `*metav1.LabelSelector` as Go's `%v` prints it in controller messages (the gogo-protobuf String()). */
export function goLabelSelector(selector: unknown): string {
  if (!isRecord(selector)) return "nil";
  const labels: Obj = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  const keys = Object.keys(labels).sort();
  const matchLabels = `map[string]string{${keys.map((k) => `${k}: ${String(labels[k])},`).join("")}}`;
  const expressions = (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [])
    .filter(isRecord)
    .map(
      (e) => `LabelSelectorRequirement{Key:${String(e.key)},Operator:${String(e.operator)},Values:[${(Array.isArray(e.values) ? e.values : []).join(" ")}],},`,
    )
    .join("");
  return `&LabelSelector{MatchLabels:${matchLabels},MatchExpressions:[]LabelSelectorRequirement{${expressions}},}`;
}
