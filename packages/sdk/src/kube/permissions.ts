/**
 * May the token do what a plan needs in a namespace? One SelfSubjectRulesReview answers for every verb and resource
 * at once, evaluated here with RBAC's own rule semantics (rbac/v1 helpers: VerbMatches, APIGroupMatches,
 * ResourceMatches, ResourceNameMatches). A SelfSubjectAccessReview is asked only for what the rules do not grant when
 * the server says its list is incomplete (an authorizer that cannot enumerate its rules, a webhook say), and for
 * everything when the rules review is refused or not served. A grant is remembered on the client for a short while
 * (./client-memory.ts); a denial never is.
 */
import type { KubeClient, KubeRulesReviewStatus } from "./client.js";
import { remember, remembered } from "./client-memory.js";
import { isKubeError } from "./errors.js";

/** How long a client remembers a namespace's granted permissions (and that the namespace exists), by default. */
export const DEFAULT_PERMISSION_CACHE_MS = 30_000;

export interface PermissionNeed {
  kind: string;
  verb: string;
  /** API group ("" for the core group) and resource, as RBAC names them. */
  group: string;
  resource: string;
  /** The objects the verb is needed for; absent: the collection (list, watch, create) or any object. */
  names?: readonly string[];
}

/** One need and the answer: granted, denied (with the server's reason, if any), or not known because asking failed. */
export type PermissionVerdict = { need: PermissionNeed } & ({ allowed: boolean; reason?: string } | { error: unknown });

type ResourceRule = KubeRulesReviewStatus["resourceRules"][number];

/** Verbs on a collection, which a rule restricted to resourceNames never grants. */
const COLLECTION_VERBS = new Set(["list", "watch", "create", "deletecollection"]);

const matches = (values: readonly string[] | undefined, value: string) => (values ?? []).some((v) => v === "*" || v === value);

/** What a rule is matched against: the need without its kind. */
type Asked = Omit<PermissionNeed, "kind">;

function covers(rule: ResourceRule, need: Asked): boolean {
  return matches(rule.verbs, need.verb) && matches(rule.apiGroups, need.group) && matches(rule.resources, need.resource);
}

/** How far the rules grant the need: for any object, only for the objects it names, or not at all. */
function grantScope(rules: readonly ResourceRule[], need: Asked): "any" | "named" | undefined {
  if (rules.some((rule) => covers(rule, need) && (rule.resourceNames ?? []).length === 0)) return "any";
  const names = need.names ?? [];
  if (names.length === 0 || COLLECTION_VERBS.has(need.verb)) return undefined;
  return names.every((name) => rules.some((rule) => covers(rule, need) && (rule.resourceNames ?? []).includes(name))) ? "named" : undefined;
}

/** Whether RBAC rules grant the need. */
export function grantedByRules(rules: readonly ResourceRule[], need: Asked): boolean {
  return grantScope(rules, need) !== undefined;
}

/** What is remembered of a grant: for any object, or for exactly these. */
function grantFact(need: PermissionNeed, scope: "any" | "named"): string {
  const what = `grant ${need.verb} ${need.group}/${need.resource}`;
  return scope === "any" ? what : `${what} ${[...(need.names ?? [])].sort().join(",")}`;
}

/**
 * The verdict on every need the client does not remember as granted in `namespace` (for less than `rememberMs`).
 * Throws what the rules review failed with, unless that means "ask access reviews instead" (403, 404, 405).
 */
export async function checkPermissions(
  kube: KubeClient,
  namespace: string,
  needs: readonly PermissionNeed[],
  options: { signal?: AbortSignal | undefined; rememberMs: number },
): Promise<PermissionVerdict[]> {
  const known = (need: PermissionNeed) =>
    remembered(kube, namespace, grantFact(need, "any"), options.rememberMs) || remembered(kube, namespace, grantFact(need, "named"), options.rememberMs);
  const open = needs.filter((need) => !known(need));
  return open.length === 0 ? [] : viaRulesReview(kube, namespace, open, options.signal);
}

/** The rules review, access reviews for what it leaves open; only access reviews when it cannot be had. */
async function viaRulesReview(kube: KubeClient, namespace: string, needs: readonly PermissionNeed[], signal: AbortSignal | undefined) {
  if (!kube.rulesReview) return viaAccessReviews(kube, namespace, needs, signal);
  let status: KubeRulesReviewStatus;
  try {
    status = await kube.rulesReview(namespace, signal ? { signal } : {});
  } catch (error) {
    if (!["Forbidden", "NotFound", "MethodNotAllowed"].some((reason) => isKubeError(error, reason))) throw error;
    return viaAccessReviews(kube, namespace, needs, signal);
  }
  const rules = status.resourceRules ?? [];
  const verdicts: PermissionVerdict[] = [];
  const unsure: PermissionNeed[] = [];
  for (const need of needs) {
    const scope = grantScope(rules, need);
    if (scope) {
      remember(kube, namespace, grantFact(need, scope));
      verdicts.push({ need, allowed: true });
    } else if (status.incomplete) unsure.push(need);
    else verdicts.push({ need, allowed: false });
  }
  return [...verdicts, ...(await viaAccessReviews(kube, namespace, unsure, signal))];
}

/** One SelfSubjectAccessReview per need, at once; asked for the whole collection, as the review has no names. */
async function viaAccessReviews(kube: KubeClient, namespace: string, needs: readonly PermissionNeed[], signal: AbortSignal | undefined) {
  return Promise.all(
    needs.map(async (need): Promise<PermissionVerdict> => {
      try {
        const review = await kube.accessReview({ namespace, verb: need.verb, group: need.group, resource: need.resource, ...(signal ? { signal } : {}) });
        if (review.allowed) remember(kube, namespace, grantFact(need, "any"));
        return { need, allowed: review.allowed, ...(review.reason ? { reason: review.reason } : {}) };
      } catch (error) {
        return { need, error };
      }
    }),
  );
}
