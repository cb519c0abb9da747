/**
 * The fleet at a glance: every customer environment of a namespace from the objects listed by Sreda's labels (one
 * list per kind, never one request per customer), each assessed by the same rules as one environment's status, and
 * compared with the customers 1C knows — orphans (in the cluster only) and missing ones (in 1C only). Pure.
 */
import { z } from "zod";
import { CUSTOMER_LABEL } from "./environment.js";
import type { Deployment, Job, Pod } from "./kube-objects.js";
import { CONFIG_HASH_ANNOTATION } from "./plan.js";
import { assessEnvironment, EnvironmentPhase } from "./status/index.js";
import { suspendedReplicas } from "./suspension.js";

export const InventoryEntry = z.object({
  clientId: z.string(),
  /** The application's image, as its Deployment runs it; null without a Deployment. */
  image: z.string().nullable(),
  /** Replicas asked for (the autoscaler's count when there is one) and ready. */
  replicas: z.number().int().nullable(),
  readyReplicas: z.number().int().nullable(),
  /** The replicas a suspended environment goes back to. */
  suspendedReplicas: z.number().int().nullable(),
  phase: EnvironmentPhase,
  summary: z.string(),
  /** Seconds since its Deployment (or its oldest object) was created. */
  ageSeconds: z.number().int().nullable(),
  /** The hash of the configuration its pods were started with (`sreda.io/config-hash`). */
  configHash: z.string().nullable(),
  /** The customer's objects found, by kind. */
  objects: z.record(z.string(), z.number().int()),
});
export type InventoryEntry = z.infer<typeof InventoryEntry>;

export const Inventory = z.object({
  namespace: z.string(),
  environments: z.array(InventoryEntry),
  /** Customers with objects in the cluster that 1C's list does not name. Empty when no list was given. */
  orphans: z.array(z.string()),
  /** Customers 1C's list names that have nothing in the cluster. */
  missing: z.array(z.string()),
});
export type Inventory = z.infer<typeof Inventory>;

/** What the lists found: Sreda's objects of a namespace, by kind. */
export interface FleetObjects {
  deployments: readonly Deployment[];
  jobs: readonly Job[];
  pods: readonly Pod[];
  /** Every other object of Sreda's, by kind (counted, not assessed). */
  others?: Readonly<Record<string, readonly { metadata?: { labels?: Record<string, string>; creationTimestamp?: string } }[]>>;
}

type Labelled = { metadata?: { labels?: Record<string, string>; creationTimestamp?: string } };

function groupByCustomer<T extends Labelled>(objects: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const object of objects) {
    const id = object.metadata?.labels?.[CUSTOMER_LABEL];
    if (id) groups.set(id, [...(groups.get(id) ?? []), object]);
  }
  return groups;
}

function entryOf(
  clientId: string,
  found: { deployment?: Deployment; jobs: Job[]; pods: Pod[]; counts: Record<string, number>; oldest?: string },
  now: number,
): InventoryEntry {
  const { deployment, jobs, pods } = found;
  const assessment = assessEnvironment({
    jobs,
    deployment: deployment ?? null,
    pods,
    now,
    ...(deployment?.metadata?.name ? { deploymentName: deployment.metadata.name } : {}),
  });
  const created = deployment?.metadata?.creationTimestamp ?? found.oldest;
  return {
    clientId,
    image: deployment?.spec?.template?.spec?.containers?.[0]?.image ?? null,
    replicas: deployment ? (deployment.spec?.replicas ?? 1) : null,
    readyReplicas: deployment ? (deployment.status?.readyReplicas ?? 0) : null,
    suspendedReplicas: suspendedReplicas(deployment) ?? null,
    phase: assessment.phase,
    summary: assessment.summary,
    ageSeconds: created ? Math.max(0, Math.floor((now - Date.parse(created)) / 1000)) : null,
    configHash: deployment?.spec?.template?.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] ?? null,
    objects: found.counts,
  };
}

/** The inventory of one namespace from what the lists found; `known`: the customers 1C has (orphans and missing need it). */
export function buildInventory(namespace: string, objects: FleetObjects, options: { now: number; known?: readonly string[] }): Inventory {
  const deployments = groupByCustomer(objects.deployments);
  const jobs = groupByCustomer(objects.jobs);
  const pods = groupByCustomer(objects.pods);
  const counted: Record<string, Map<string, Labelled[]>> = {
    Deployment: deployments,
    Job: jobs,
    ...Object.fromEntries(Object.entries(objects.others ?? {}).map(([kind, list]) => [kind, groupByCustomer(list)])),
  };
  const ids = new Set(Object.values(counted).flatMap((groups) => [...groups.keys()]));
  const environments = [...ids].sort(byCustomerNumber).map((clientId) => {
    const counts: Record<string, number> = {};
    let oldest: string | undefined;
    for (const [kind, groups] of Object.entries(counted)) {
      const mine = groups.get(clientId) ?? [];
      if (mine.length > 0) counts[kind] = mine.length;
      for (const o of mine) if (o.metadata?.creationTimestamp && (!oldest || o.metadata.creationTimestamp < oldest)) oldest = o.metadata.creationTimestamp;
    }
    const deployment = deployments.get(clientId)?.[0];
    return entryOf(
      clientId,
      { ...(deployment ? { deployment } : {}), jobs: jobs.get(clientId) ?? [], pods: pods.get(clientId) ?? [], counts, ...(oldest ? { oldest } : {}) },
      options.now,
    );
  });
  const known = options.known ? new Set(options.known) : undefined;
  return {
    namespace,
    environments,
    orphans: known ? [...ids].filter((id) => !known.has(id)).sort(byCustomerNumber) : [],
    missing: known ? [...known].filter((id) => !ids.has(id)).sort(byCustomerNumber) : [],
  };
}

/** C2 before C10: by the customer's number. */
function byCustomerNumber(a: string, b: string): number {
  return Number(a.slice(1)) - Number(b.slice(1)) || (a < b ? -1 : a > b ? 1 : 0);
}
