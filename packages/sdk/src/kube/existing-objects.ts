/**
 * The customer's objects as a run finds them: one list per kind the plan's templates write, selected by the labels
 * every object of the plan carries (the customer's: `sreda.io/client-id`, `app.kubernetes.io/instance`, …), asked in
 * the same round trip as the preflight. The executor tells created, updated and unchanged by them instead of
 * reading each object before applying it, finds its Jobs and their state there, and watches the Jobs from that list.
 * Another customer's objects are never in it (other labels), and an object is matched by name. What is listed but not
 * in the plan is what pruning deletes (./prune.ts).
 */
import { labelSelectorString, sharedLabels } from "../core/environment.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { ListMeta } from "../core/kube-objects.js";
import type { PlanStep, ProvisioningPlan } from "../core/plan.js";
import { stepCollection } from "./apply-steps.js";
import type { KubeClient } from "./client.js";
import { KubeNetworkError, KubeStatusError } from "./errors.js";
import type { KubeObject } from "./reflector.js";

/** One kind's collection: where it is, how the customer's objects are selected, and what the list found. */
export interface KindListing {
  path: string;
  labelSelector: string | undefined;
  /** Absent when the list failed: the steps of the kind then read their object themselves. */
  listed?: { items: ReadonlyMap<string, KubeObject>; resourceVersion: string };
}

/** By kind. */
export type ExistingObjects = ReadonlyMap<string, KindListing>;

/** One kind to list: the steps that write it (none for a kind only pruning looks at) and its collection. */
interface KindToList {
  kind: string;
  path: string;
  labelSelector: string | undefined;
}

/**
 * Every kind the plan writes, and every kind its templates can write (where objects the plan no longer produces are
 * found), each selected by the customer's owner labels — or, without them, by the labels the kind's steps share.
 */
function kindsToList(plan: ProvisioningPlan): KindToList[] {
  const byKind = new Map<string, PlanStep[]>();
  for (const step of plan.steps) byKind.set(step.kind, [...(byKind.get(step.kind) ?? []), step]);
  const owner = plan.environment.ownerSelector ?? undefined;
  const kinds: KindToList[] = [...byKind].map(([kind, steps]) => ({
    kind,
    path: stepCollection(steps[0]!),
    labelSelector: owner ?? (labelSelectorString({ matchLabels: sharedLabels(steps.map((s) => s.request.body)) }) || undefined),
  }));
  if (!owner) return kinds;
  for (const { kind, apiVersion } of plan.environment.kinds) {
    const info = kindInfo(kind, apiVersion);
    if (byKind.has(kind) || !info?.namespaced) continue;
    kinds.push({ kind, path: collectionPath(info, encodeURIComponent(plan.namespace)), labelSelector: owner });
  }
  return kinds;
}

/**
 * Lists every kind at once. A list that fails (403, a proxy's 502 after the client's retries…) is left out rather than
 * failing the run: its steps then read their own object first, and nothing of that kind is pruned.
 */
export async function listExistingObjects(plan: ProvisioningPlan, kube: KubeClient, signal: AbortSignal | undefined): Promise<ExistingObjects> {
  const listings = await Promise.all(
    kindsToList(plan).map(async ({ kind, path, labelSelector }): Promise<[string, KindListing]> => {
      const listing: KindListing = { path, labelSelector };
      try {
        const list = await kube.list<{ metadata?: ListMeta; items?: KubeObject[] }>(path, {
          ...(labelSelector ? { labelSelector } : {}),
          ...(signal ? { signal } : {}),
        });
        const items = new Map((list.items ?? []).map((item) => [item.metadata?.name ?? "", item]));
        if (list.metadata?.resourceVersion) listing.listed = { items, resourceVersion: list.metadata.resourceVersion };
      } catch (error) {
        // Only the cluster's failures are left out; an abort, or a client on the wrong clock, ends the run.
        if (!(error instanceof KubeStatusError || error instanceof KubeNetworkError)) throw error;
      }
      return [kind, listing];
    }),
  );
  return new Map(listings);
}
