/**
 * Bearer tokens and authorization. A token names a user and, optionally, what that user may *not* do (the fake
 * starts from "allowed everything", like a cluster-admin binding, and carves out denials): that is how tests
 * get a 403 for "the service account may not create Jobs in lms-prod".
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

export interface TokenInfo {
  user: string;
  groups?: string[];
  deny?: DenyRule[];
}

export type Tokens = Record<string, TokenInfo>;

export const DEFAULT_TOKENS: Tokens = { "sreda-dev-token": { user: "sreda-dev" } };

export interface RequestAttributes {
  verb: Verb;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface Identity {
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

export function isAllowed(info: TokenInfo, attrs: RequestAttributes): boolean {
  return !(info.deny ?? []).some((rule) => ruleMatches(rule, attrs));
}
