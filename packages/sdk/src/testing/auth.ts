/**
 * Bearer tokens and authorization. A token names a user and, optionally, what that user may *not* do (the fake
 * starts from "allowed everything", like a cluster-admin binding, and carves out denials): that is how tests
 * get a 403 for "the service account may not create Jobs in lms-prod". A token with `allow` rules is authorized
 * like RBAC instead: only what a rule grants (in the rule's namespaces), still minus the denials — how a token
 * bound to Kubernetes' `edit` or `view` ClusterRole in a few namespaces behaves.
 */
import type { Verb } from "./resources.js";

export interface DenyRule {
  verb?: Verb | "*";
  /** API group ("" for core); omitted = any. */
  group?: string;
  /** Resource, or `resource/subresource` (RBAC semantics: "pods" does not cover "pods/log"); "*" = any. */
  resource?: string;
  /** Omitted = every namespace and cluster-scoped requests. */
  namespace?: string;
}

/** An RBAC PolicyRule granted to the token's user, through a RoleBinding in each of `namespaces` or a ClusterRoleBinding. */
export interface AllowRule {
  /** Verbs; "*" = any. */
  verbs: readonly string[];
  /** API groups ("" for core); "*" = any. */
  apiGroups: readonly string[];
  /** Resources or `resource/subresource` ("pods" does not cover "pods/log"; "pods/*" does); "*" = any. */
  resources: readonly string[];
  /** Where the rule applies: RoleBindings in these namespaces. Omitted: everywhere, cluster scope included. */
  namespaces?: readonly string[];
  /** The ClusterRole the rule comes from, for access reviews' reasons (default "fake-role"). */
  role?: string;
}

export interface TokenInfo {
  user: string;
  groups?: string[];
  /** When given, the user may do only what one of these rules allows (RBAC). Omitted: everything. */
  allow?: AllowRule[];
  deny?: DenyRule[];
}

export type Tokens = Record<string, TokenInfo>;

export const DEFAULT_TOKENS: Tokens = { "sreda-dev-token": { user: "sreda-dev" } };

export interface RequestAttributes {
  verb: Verb | (string & {});
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

interface Identity {
  token: string;
  info: TokenInfo;
}

/** The identity for an Authorization header, undefined without one, null for a token we do not know. */
export function authenticate(header: string | null, tokens: Tokens): Identity | undefined | null {
  if (header === null || header.trim() === "") return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return null;
  const token = m[1]!.trim();
  const info = tokens[token];
  return info ? { token, info } : null;
}

function ruleMatches(rule: DenyRule, attrs: RequestAttributes): boolean {
  if (rule.verb !== undefined && rule.verb !== "*" && rule.verb !== attrs.verb) return false;
  if (rule.group !== undefined && rule.group !== "*" && rule.group !== attrs.group) return false;
  if (rule.resource !== undefined && rule.resource !== "*") {
    const full = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    if (rule.resource !== full && rule.resource !== `${attrs.resource}/*`) return false;
  }
  if (rule.namespace !== undefined && rule.namespace !== "*" && rule.namespace !== attrs.namespace) return false;
  return true;
}

/** Whether an RBAC rule covers the request (rbac/v1 helpers' VerbMatches, APIGroupMatches, ResourceMatches). */
function allowRuleMatches(rule: AllowRule, attrs: RequestAttributes): boolean {
  if (rule.namespaces !== undefined && (attrs.namespace === undefined || !rule.namespaces.includes(attrs.namespace))) return false;
  if (!rule.verbs.includes("*") && !rule.verbs.includes(attrs.verb)) return false;
  if (!rule.apiGroups.includes("*") && !rule.apiGroups.includes(attrs.group)) return false;
  const full = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return rule.resources.some(
    (r) =>
      r === "*" ||
      r === full ||
      (attrs.subresource !== undefined && r === `${attrs.resource}/*`) ||
      (attrs.subresource !== undefined && r === `*/${attrs.subresource}`),
  );
}

/** The allow rule that grants a request, or undefined (also when the token has no allow rules). */
export function grantingRule(info: TokenInfo, attrs: RequestAttributes): AllowRule | undefined {
  return info.allow?.find((rule) => allowRuleMatches(rule, attrs));
}

export function isAllowed(info: TokenInfo, attrs: RequestAttributes): boolean {
  if (info.allow !== undefined && grantingRule(info, attrs) === undefined) return false;
  return !(info.deny ?? []).some((rule) => ruleMatches(rule, attrs));
}
