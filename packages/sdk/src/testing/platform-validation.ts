/**
 * The API server's validation of NetworkPolicy (pkg/apis/networking/validation), PodDisruptionBudget
 * (pkg/apis/policy/validation) and HorizontalPodAutoscaler (pkg/apis/autoscaling/validation), in the order and
 * words of the Go code, plus the NetworkPolicy strategy's CIDR warnings. The objects are read as Go reads them after
 * decoding: a missing number is 0, a missing string "".
 */
import { containsNetwork, formatIp, networkString, parseCidr, addressBits } from "./cidr.js";
import { milliValue } from "./quantity.js";
import type { Cause } from "./status.js";
import { isRecord, type Obj } from "./util.js";

/** How field.Error prints a bad value: JSON (strings quoted, pointers dereferenced, nil as null). */
function goValue(value: unknown): string {
  return value === undefined || value === null ? "null" : JSON.stringify(value);
}

const invalidValue = (field: string, value: unknown, detail: string): Cause => ({
  reason: "FieldValueInvalid",
  message: `Invalid value: ${goValue(value)}: ${detail}`,
  field,
});
const required = (field: string, detail = ""): Cause => ({
  reason: "FieldValueRequired",
  message: detail ? `Required value: ${detail}` : "Required value",
  field,
});
const forbidden = (field: string, detail: string): Cause => ({ reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field });
const notSupported = (field: string, value: unknown, valid: readonly string[]): Cause => ({
  reason: "FieldValueNotSupported",
  message: `Unsupported value: ${goValue(value)}: supported values: ${valid.map((v) => JSON.stringify(v)).join(", ")}`,
  field,
});

const str = (value: unknown): string => (typeof value === "string" ? value : "");
const int = (value: unknown): number => (typeof value === "number" ? value : 0);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Obj => (isRecord(value) ? value : {});

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** validation.RegexError. */
function regexError(message: string, format: string, ...examples: string[]): string {
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${format}')`;
}

const QUALIFIED_NAME_FORMAT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERROR = regexError(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  QUALIFIED_NAME_FORMAT,
  "MyName",
  "my.name",
  "123-abc",
);
const DNS_SUBDOMAIN_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

/** validation.IsQualifiedName. */
function qualifiedNameProblems(value: string): string[] {
  const parts = value.split("/");
  if (parts.length > 2) {
    return [`a valid label key ${QUALIFIED_NAME_ERROR} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const problems: string[] = [];
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === "") problems.push("prefix part must be non-empty");
    else {
      if (prefix.length > 253) problems.push("prefix part must be no more than 253 bytes");
      if (!new RegExp(`^${DNS_SUBDOMAIN_FORMAT}$`).test(prefix)) {
        problems.push(
          `prefix part ${regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS_SUBDOMAIN_FORMAT, "example.com")}`,
        );
      }
    }
  }
  if (name === "") problems.push("name part must be non-empty");
  else if (name.length > 63) problems.push("name part must be no more than 63 bytes");
  if (!new RegExp(`^${QUALIFIED_NAME_FORMAT}$`).test(name)) problems.push(`name part ${QUALIFIED_NAME_ERROR}`);
  return problems;
}

const LABEL_VALUE_FORMAT = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

/** validation.IsValidLabelValue. */
function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push("must be no more than 63 bytes");
  if (!new RegExp(`^${LABEL_VALUE_FORMAT}$`).test(value)) {
    problems.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FORMAT,
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  }
  return problems;
}

/** ValidateLabels: errors name the map (`spec.selector.matchLabels`), not the key. */
function labelsCauses(labels: unknown, path: string): Cause[] {
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(record(labels))) {
    for (const problem of qualifiedNameProblems(key)) causes.push(invalidValue(path, key, problem));
    for (const problem of labelValueProblems(str(value))) causes.push(invalidValue(path, str(value), problem));
  }
  return causes;
}

/** ValidateLabelSelector: matchLabels, then the matchExpressions' operators and values. */
function labelSelectorCauses(selector: unknown, path: string): Cause[] {
  if (!isRecord(selector)) return [];
  const causes: Cause[] = labelsCauses(selector.matchLabels, `${path}.matchLabels`);
  list(record(selector).matchExpressions).forEach((raw, i) => {
    const expr = record(raw);
    const at = `${path}.matchExpressions[${i}]`;
    const values = list(expr.values);
    switch (expr.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) causes.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) causes.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        causes.push(invalidValue(`${at}.operator`, str(expr.operator), "not a valid selector operator"));
    }
  });
  return causes;
}

/** path.IsValidPathSegmentName. */
function pathSegmentProblems(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  return ["/", "%"].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** validation.IsValidPortName. */
function portNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 15) problems.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(name)) problems.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) problems.push("must contain at least one letter (a-z)");
  if (name.includes("--")) problems.push("must not contain consecutive hyphens");
  if (name.startsWith("-") || name.endsWith("-")) problems.push("must not begin or end with a hyphen");
  return problems;
}

const PORT_RANGE = "must be between 1 and 65535, inclusive";
const validPort = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;

// ---------------------------------------------------------------------------------------------
// NetworkPolicy

function networkPolicyPortCauses(port: Obj, path: string): Cause[] {
  const causes: Cause[] = [];
  if (port.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(String(port.protocol))) {
    causes.push(notSupported(`${path}.protocol`, port.protocol, ["TCP", "UDP", "SCTP"]));
  }
  const endPort = port.endPort;
  if (typeof port.port === "number") {
    if (!validPort(port.port)) causes.push(invalidValue(`${path}.port`, port.port, PORT_RANGE));
    if (typeof endPort === "number") {
      if (endPort < port.port) causes.push(invalidValue(`${path}.endPort`, port.port, "must be greater than or equal to `port`"));
      if (!validPort(endPort)) causes.push(invalidValue(`${path}.endPort`, endPort, PORT_RANGE));
    }
  } else if (typeof port.port === "string") {
    if (typeof endPort === "number") causes.push(invalidValue(`${path}.endPort`, endPort, "may not be specified when `port` is non-numeric"));
    for (const problem of portNameProblems(port.port)) causes.push(invalidValue(`${path}.port`, port.port, problem));
  } else if (typeof endPort === "number") {
    causes.push(invalidValue(`${path}.endPort`, endPort, "may not be specified when `port` is not specified"));
  }
  return causes;
}

const CIDR_FORM = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/** ValidateIPBlock; CIDRs the stored object already had are not checked again (ValidateNetworkPolicyUpdate). */
function ipBlockCauses(block: Obj, path: string, allowed: readonly string[]): Cause[] {
  const cidrText = str(block.cidr);
  if (cidrText === "") return [required(`${path}.cidr`)];
  const causes: Cause[] = [];
  const cidr = parseCidr(cidrText);
  if (!cidr) {
    if (!allowed.includes(cidrText)) causes.push(invalidValue(`${path}.cidr`, cidrText, CIDR_FORM));
    return causes;
  }
  list(block.except).forEach((raw, i) => {
    const text = str(raw);
    const except = parseCidr(text);
    if (!except) {
      if (!allowed.includes(text)) causes.push(invalidValue(`${path}.except[${i}]`, text, CIDR_FORM));
      return;
    }
    if (!containsNetwork(cidr, except) || cidr.prefix >= except.prefix)
      causes.push(invalidValue(`${path}.except[${i}]`, text, "must be a strict subset of `cidr`"));
  });
  return causes;
}

function peerCauses(peer: Obj, path: string, allowed: readonly string[]): Cause[] {
  const causes: Cause[] = [];
  let peers = 0;
  for (const key of ["podSelector", "namespaceSelector"]) {
    if (peer[key] === undefined || peer[key] === null) continue;
    peers++;
    causes.push(...labelSelectorCauses(peer[key], `${path}.${key}`));
  }
  const block = peer.ipBlock;
  if (isRecord(block)) {
    peers++;
    causes.push(...ipBlockCauses(block, `${path}.ipBlock`, allowed));
  }
  if (peers === 0) causes.push(required(path, "must specify a peer"));
  else if (peers > 1 && isRecord(block)) causes.push(forbidden(path, "may not specify both ipBlock and another peer"));
  return causes;
}

/** Every CIDR of a NetworkPolicy's ipBlocks (those of the stored object may stay invalid on update). */
export function networkPolicyCidrs(policy: Obj | undefined): string[] {
  const spec = record(policy?.spec);
  const peers = [...list(spec.ingress).flatMap((r) => list(record(r).from)), ...list(spec.egress).flatMap((r) => list(record(r).to))];
  return peers.flatMap((p) => {
    const block = record(record(p).ipBlock);
    return block.cidr === undefined ? [] : [str(block.cidr), ...list(block.except).map(str)];
  });
}

/** ValidateNetworkPolicySpec. `allowedCidrs`: the stored object's, on the update pass. */
export function networkPolicyCauses(policy: Obj, allowedCidrs: readonly string[] = []): Cause[] {
  const spec = record(policy.spec);
  const causes = labelSelectorCauses(spec.podSelector, "spec.podSelector");
  for (const [rules, peersField] of [
    ["ingress", "from"],
    ["egress", "to"],
  ] as const) {
    list(spec[rules]).forEach((rule, i) => {
      const at = `spec.${rules}[${i}]`;
      list(record(rule).ports).forEach((port, j) => causes.push(...networkPolicyPortCauses(record(port), `${at}.ports[${j}]`)));
      list(record(rule)[peersField]).forEach((peer, j) => causes.push(...peerCauses(record(peer), `${at}.${peersField}[${j}]`, allowedCidrs)));
    });
  }
  const types = list(spec.policyTypes);
  if (types.length > 2) return [...causes, invalidValue("spec.policyTypes", types, "may not specify more than two policyTypes")];
  types.forEach((t, i) => {
    if (t !== "Ingress" && t !== "Egress") causes.push(notSupported(`spec.policyTypes[${i}]`, t, ["Ingress", "Egress"]));
  });
  return causes;
}

function cidrWarnings(path: string, text: string): string[] {
  const cidr = parseCidr(text);
  if (!cidr) return [];
  const warnings: string[] = [];
  if (cidr.ip !== cidr.network) {
    const single = `${formatIp(cidr.family, cidr.ip)}/${addressBits(cidr)}`;
    warnings.push(`${path}: CIDR value "${text}" is ambiguous in this context (should be "${networkString(cidr)}" or "${single}"?)`);
  }
  if (cidr.nonStandard) {
    warnings.push(`${path}: non-standard CIDR value "${text}" will be considered invalid in a future Kubernetes release: use "${networkString(cidr)}"`);
  }
  return warnings;
}

/** The NetworkPolicy strategy's WarningsOnCreate/WarningsOnUpdate: ambiguous or non-standard ipBlock CIDRs. */
export function networkPolicyWarnings(policy: Obj): string[] {
  const spec = record(policy.spec);
  const warnings: string[] = [];
  for (const [rules, peersField] of [
    ["ingress", "from"],
    ["egress", "to"],
  ] as const) {
    list(spec[rules]).forEach((rule, i) => {
      list(record(rule)[peersField]).forEach((peer, j) => {
        const block = record(peer).ipBlock;
        if (!isRecord(block)) return;
        const at = `spec.${rules}[${i}].${peersField}[${j}].ipBlock`;
        warnings.push(...cidrWarnings(`${at}.cidr`, str(block.cidr)));
        list(block.except).forEach((e, k) => warnings.push(...cidrWarnings(`${at}.except[${k}]`, str(e))));
      });
    });
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// PodDisruptionBudget

const PERCENT_FORM = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

function intOrPercentCauses(value: unknown, path: string): Cause[] {
  if (typeof value === "string") {
    if (!/^[0-9]+%$/.test(value)) return [invalidValue(path, value, PERCENT_FORM)];
    return Number(value.slice(0, -1)) > 100 ? [invalidValue(path, value, "must not be greater than 100%")] : [];
  }
  return typeof value === "number" && value < 0 ? [invalidValue(path, value, "must be greater than or equal to 0")] : [];
}

/** The internal PodDisruptionBudgetSpec as the "both set" error prints it (Go field names, JSON values). */
function internalSpec(spec: Obj): string {
  const field = (value: unknown): string => goValue(value);
  return `{"MinAvailable":${field(spec.minAvailable)},"Selector":${field(spec.selector)},"MaxUnavailable":${field(spec.maxUnavailable)},"UnhealthyPodEvictionPolicy":${field(spec.unhealthyPodEvictionPolicy)}}`;
}

/** ValidatePodDisruptionBudgetSpec. */
export function disruptionBudgetCauses(pdb: Obj): Cause[] {
  const spec = record(pdb.spec);
  const causes: Cause[] = [];
  const has = (key: string): boolean => spec[key] !== undefined && spec[key] !== null;
  if (has("minAvailable") && has("maxUnavailable")) {
    causes.push({
      reason: "FieldValueInvalid",
      message: `Invalid value: ${internalSpec(spec)}: minAvailable and maxUnavailable cannot be both set`,
      field: "spec",
    });
  }
  if (has("minAvailable")) causes.push(...intOrPercentCauses(spec.minAvailable, "spec.minAvailable"));
  if (has("maxUnavailable")) causes.push(...intOrPercentCauses(spec.maxUnavailable, "spec.maxUnavailable"));
  causes.push(...labelSelectorCauses(spec.selector, "spec.selector"));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== null && policy !== "AlwaysAllow" && policy !== "IfHealthyBudget") {
    causes.push(notSupported("spec.unhealthyPodEvictionPolicy", policy, ["AlwaysAllow", "IfHealthyBudget"]));
  }
  return causes;
}

// ---------------------------------------------------------------------------------------------
// HorizontalPodAutoscaler

/** schema.ParseGroupVersion. */
export function parseGroupVersion(apiVersion: string): { group: string; version: string } | string {
  if (apiVersion === "" || apiVersion === "/") return { group: "", version: "" };
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: apiVersion };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return `unexpected GroupVersion string: ${apiVersion}`;
}

interface RefOptions {
  allowEmptyGroup: boolean;
  allowInvalidVersion: boolean;
}

function objectReferenceCauses(ref: Obj, path: string, options: RefOptions): Cause[] {
  const causes: Cause[] = [];
  for (const key of ["kind", "name"]) {
    const value = str(ref[key]);
    if (value === "") causes.push(required(`${path}.${key}`));
    else for (const problem of pathSegmentProblems(value)) causes.push(invalidValue(`${path}.${key}`, value, problem));
  }
  if (!options.allowInvalidVersion) {
    const apiVersion = str(ref.apiVersion);
    const gv = parseGroupVersion(apiVersion);
    if (typeof gv === "string") causes.push(invalidValue(`${path}.apiVersion`, apiVersion, gv));
    else if (!options.allowEmptyGroup && gv.group === "") causes.push(invalidValue(`${path}.apiVersion`, apiVersion, "apiVersion must specify API group"));
  }
  return causes;
}

function metricIdentifierCauses(id: Obj, path: string): Cause[] {
  const name = str(id.name);
  if (name === "") return [required(`${path}.name`, "must specify a metric name")];
  return pathSegmentProblems(name).map((p) => invalidValue(`${path}.name`, name, p));
}

const positive = (q: unknown): boolean => typeof q === "string" && (milliValue(q) ?? 0) > 0;
const set = (value: unknown): boolean => value !== undefined && value !== null;

function metricTargetCauses(target: Obj, path: string): Cause[] {
  const causes: Cause[] = [];
  const type = str(target.type);
  if (type === "") causes.push(required(`${path}.type`, "must specify a metric target type"));
  if (!["Utilization", "Value", "AverageValue"].includes(type))
    causes.push(invalidValue(`${path}.type`, type, "must be either Utilization, Value, or AverageValue"));
  if (set(target.value) && !positive(target.value)) causes.push(invalidValue(`${path}.value`, target.value, "must be positive"));
  if (set(target.averageValue) && !positive(target.averageValue)) causes.push(invalidValue(`${path}.averageValue`, target.averageValue, "must be positive"));
  if (set(target.averageUtilization) && int(target.averageUtilization) < 1)
    causes.push(invalidValue(`${path}.averageUtilization`, target.averageUtilization, "must be greater than 0"));
  return causes;
}

/** The checks of one metric source (validateObjectSource, validatePodsSource, …). */
function metricSourceCauses(kind: string, source: Obj, path: string): Cause[] {
  const target = record(source.target);
  const targetPath = `${path}.target`;
  const causes: Cause[] = [];
  if (kind === "object")
    causes.push(...objectReferenceCauses(record(source.describedObject), `${path}.describedObject`, { allowEmptyGroup: true, allowInvalidVersion: false }));
  if (kind === "object" || kind === "external" || kind === "pods") causes.push(...metricIdentifierCauses(record(source.metric), `${path}.metric`));
  if (kind === "resource" || kind === "containerResource") {
    if (str(source.name) === "") causes.push(required(`${path}.name`, "must specify a resource name"));
  }
  if (kind === "containerResource" && str(source.container) === "") causes.push(required(`${path}.container`, "must specify a container"));
  causes.push(...metricTargetCauses(target, targetPath));
  const value = set(target.value);
  const average = set(target.averageValue);
  const utilization = set(target.averageUtilization);
  if (kind === "object" && !value && !average) causes.push(required(`${targetPath}.averageValue`, "must set either a target value or averageValue"));
  if (kind === "pods" && !average) causes.push(required(`${targetPath}.averageValue`, "must specify a positive target averageValue"));
  if (kind === "external") {
    if (!value && !average) causes.push(required(`${targetPath}.averageValue`, "must set either a target value for metric or a per-pod target"));
    if (value && average) causes.push(forbidden(`${targetPath}.value`, "may not set both a target value for metric and a per-pod target"));
  }
  if (kind === "resource" || kind === "containerResource") {
    if (!utilization && !average) causes.push(required(`${targetPath}.averageUtilization`, "must set either a target raw value or a target utilization"));
    if (utilization && average) causes.push(forbidden(`${targetPath}.averageValue`, "may not set both a target raw value and a target utilization"));
  }
  return causes;
}

const METRIC_TYPES: Readonly<Record<string, string>> = {
  Object: "object",
  External: "external",
  Pods: "pods",
  Resource: "resource",
  ContainerResource: "containerResource",
};
const METRIC_TYPE_LIST = ["ContainerResource", "External", "Object", "Pods", "Resource"];

function metricSpecCauses(spec: Obj, path: string): Cause[] {
  const causes: Cause[] = [];
  const type = str(spec.type);
  if (type === "") causes.push(required(`${path}.type`, "must specify a metric source type"));
  if (!METRIC_TYPES[type]) causes.push(notSupported(`${path}.type`, type, METRIC_TYPE_LIST));
  // Only the first source given is checked; the others are refused below.
  const present = Object.values(METRIC_TYPES).filter((field) => isRecord(spec[field]));
  if (present.length > 0) causes.push(...metricSourceCauses(present[0]!, spec[present[0]!], `${path}.${present[0]}`));
  const expected = METRIC_TYPES[type];
  if (expected === undefined) causes.push(notSupported(`${path}.type`, type, METRIC_TYPE_LIST));
  else if (!isRecord(spec[expected])) causes.push(required(`${path}.${expected}`, "must populate information for the given metric source"));
  if (present.length !== 1) {
    for (const field of present.filter((f) => f !== expected).sort()) causes.push(forbidden(`${path}.${field}`, "must populate the given metric source only"));
  }
  return causes;
}

function scalingRulesCauses(rules: unknown, path: string): Cause[] {
  if (!isRecord(rules)) return [];
  const causes: Cause[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (typeof window === "number" && window < 0)
    causes.push(invalidValue(`${path}.stabilizationWindowSeconds`, window, "must be greater than or equal to zero"));
  if (typeof window === "number" && window > 3600)
    causes.push(invalidValue(`${path}.stabilizationWindowSeconds`, window, "must be less than or equal to 3600"));
  if (set(rules.selectPolicy) && !["Max", "Min", "Disabled"].includes(String(rules.selectPolicy)))
    causes.push(notSupported(`${path}.selectPolicy`, rules.selectPolicy, ["Disabled", "Max", "Min"]));
  const policies = list(rules.policies);
  if (policies.length === 0) causes.push(required(`${path}.policies`, "must specify at least one Policy"));
  policies.forEach((raw, i) => {
    const policy = record(raw);
    const at = `${path}.policies[${i}]`;
    if (policy.type !== "Pods" && policy.type !== "Percent") causes.push(notSupported(`${at}.type`, str(policy.type), ["Percent", "Pods"]));
    if (int(policy.value) <= 0) causes.push(invalidValue(`${at}.value`, int(policy.value), "must be greater than zero"));
    const period = int(policy.periodSeconds);
    if (period <= 0) causes.push(invalidValue(`${at}.periodSeconds`, period, "must be greater than zero"));
    if (period > 1800) causes.push(invalidValue(`${at}.periodSeconds`, period, "must be less than or equal to 1800"));
  });
  if (set(rules.tolerance) && (milliValue(String(rules.tolerance)) ?? 0) < 0)
    causes.push(invalidValue(`${path}.tolerance`, rules.tolerance, "must be greater than or equal to 0"));
  return causes;
}

/** validateHorizontalPodAutoscalerSpec with the strategy's options (validationOptionsForHorizontalPodAutoscaler). */
export function autoscalerCauses(hpa: Obj, old: Obj | undefined): Cause[] {
  const spec = record(hpa.spec);
  const ref = record(spec.scaleTargetRef);
  const oldSpec = record(old?.spec);
  const oldRef = record(oldSpec.scaleTargetRef);
  const causes: Cause[] = [];
  const minReplicas = typeof spec.minReplicas === "number" ? spec.minReplicas : undefined;
  // HPAScaleToZero is alpha (off): 0 is allowed only where it was already set.
  const lowerBound = old !== undefined && oldSpec.minReplicas === 0 ? 0 : 1;
  if (minReplicas !== undefined && minReplicas < lowerBound)
    causes.push(invalidValue("spec.minReplicas", minReplicas, `must be greater than or equal to ${lowerBound}`));
  const maxReplicas = int(spec.maxReplicas);
  if (maxReplicas < 1) causes.push(invalidValue("spec.maxReplicas", maxReplicas, "must be greater than 0"));
  if (minReplicas !== undefined && maxReplicas < minReplicas)
    causes.push(invalidValue("spec.maxReplicas", maxReplicas, "must be greater than or equal to `minReplicas`"));
  const unchangedTarget = old !== undefined && str(oldRef.apiVersion) === str(ref.apiVersion) && str(oldRef.kind) === str(ref.kind);
  causes.push(
    ...objectReferenceCauses(ref, "spec.scaleTargetRef", { allowEmptyGroup: ref.kind === "ReplicationController", allowInvalidVersion: unchangedTarget }),
  );
  const metrics = list(spec.metrics).map(record);
  metrics.forEach((metric, i) => causes.push(...metricSpecCauses(metric, `spec.metrics[${i}]`)));
  if (minReplicas === 0 && !metrics.some((m) => m.type === "Object" || m.type === "External")) {
    causes.push(forbidden("spec.metrics", "must specify at least one Object or External metric to support scaling to zero replicas"));
  }
  const behavior = spec.behavior;
  if (isRecord(behavior)) {
    causes.push(...scalingRulesCauses(behavior.scaleUp, "spec.behavior.scaleUp"), ...scalingRulesCauses(behavior.scaleDown, "spec.behavior.scaleDown"));
  }
  return causes;
}
