/**
 * The customer's objects as a run finds them: one list per kind the plan writes, selected by the labels every
 * object of that kind in the plan carries (the customer's: `sreda.io/client-id`, `app.kubernetes.io/instance`, …),
 * asked in the same round trip as the preflight. The executor tells created, updated and unchanged by them instead of
 * reading each object before applying it, finds its Jobs and their state there, and watches the Jobs from that list.
 * Another customer's objects are never in it (other labels), and an object is matched by name.
 */
import { labelSelectorString } from "../core/environment.js";
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

/** The labels (and values) that every step's object carries, as a label selector; undefined when they share none. */
function sharedLabels(steps: readonly PlanStep[]): string | undefined {
  const labelsOf = (step: PlanStep) =>
    ((step.request.body as { metadata?: { labels?: Record<string, string> } } | null)?.metadata?.labels ?? {}) as Record<string, string>;
  const [first = {}, ...rest] = steps.map(labelsOf);
  const matchLabels = Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((labels) => labels[key] === value)));
  return labelSelectorString({ matchLabels }) || undefined;
}

/**
 * Lists every kind the plan writes, at once. A list that fails (403, a proxy's 502 after the client's retries…) is
 * left out rather than failing the run: its steps then read their own object first.
 */
export async function listExistingObjects(plan: ProvisioningPlan, kube: KubeClient, signal: AbortSignal | undefined): Promise<ExistingObjects> {
  const byKind = new Map<string, PlanStep[]>();
  for (const step of plan.steps) byKind.set(step.kind, [...(byKind.get(step.kind) ?? []), step]);
  const listings = await Promise.all(
    [...byKind].map(async ([kind, steps]): Promise<[string, KindListing]> => {
      const listing: KindListing = { path: stepCollection(steps[0]!), labelSelector: sharedLabels(steps) };
      try {
        const list = await kube.list<{ metadata?: ListMeta; items?: KubeObject[] }>(listing.path, {
          ...(listing.labelSelector ? { labelSelector: listing.labelSelector } : {}),
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
