/**
 * Drift across a namespace: what 1C holds for each customer (their plans) against what the cluster has — a change
 * made by hand with kubectl shows up with its paths, as the diff shows them for one customer. One list per kind for
 * the whole namespace by Sreda's label, never one request per customer or per object.
 */
import { CUSTOMER_LABEL } from "../core/environment.js";
import { SredaError } from "../core/errors.js";
import type { CustomerDrift, ObjectDiff } from "../core/diff.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { ListMeta } from "../core/kube-objects.js";
import type { ProvisioningPlan } from "../core/plan.js";
import type { KubeClient } from "./client.js";
import { compareStep } from "./diff.js";
import type { ExistingObjects } from "./existing-objects.js";
import { MANAGED_BY_SELECTOR } from "./inventory.js";
import { pruneCandidates } from "./prune.js";
import type { KubeObject } from "./reflector.js";

type Listed = { kind: string; path: string; items: KubeObject[]; resourceVersion: string };

async function listNamespace(kube: KubeClient, namespace: string, kinds: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<Listed[]> {
  return Promise.all(
    [...kinds].map(async (kind) => {
      const path = collectionPath(kindInfo(kind)!, encodeURIComponent(namespace));
      const list = await kube.list<{ metadata?: ListMeta; items?: KubeObject[] }>(path, { labelSelector: MANAGED_BY_SELECTOR, ...(signal ? { signal } : {}) });
      return { kind, path, items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? "" };
    }),
  );
}

/** The namespace's lists as one customer's: its objects only, as the executor's own lists would have found them. */
function customerView(listed: readonly Listed[], clientId: string): ExistingObjects {
  return new Map(
    listed.map(({ kind, path, items, resourceVersion }) => {
      const mine = items.filter((o) => o.metadata?.labels?.[CUSTOMER_LABEL] === clientId);
      return [
        kind,
        { path, labelSelector: `${CUSTOMER_LABEL}=${clientId}`, listed: { items: new Map(mine.map((o) => [o.metadata?.name ?? "", o])), resourceVersion } },
      ];
    }),
  );
}

function driftOf(plan: ProvisioningPlan, existing: ExistingObjects): CustomerDrift {
  const objects: ObjectDiff[] = [];
  for (const step of plan.steps) {
    const live = existing.get(step.kind)?.listed?.items.get(step.name);
    // A Job is created once and follows its own life (TTL, re-runs): only its absence is drift, not its fields.
    if (!live) objects.push({ stepId: step.id, kind: step.kind, name: step.name, action: "create", changedPaths: [] });
    else if (step.kind !== "Job") {
      const compared = compareStep(step, { apiVersion: step.apiVersion, kind: step.kind, ...live }, false);
      if (compared.action !== "unchanged") objects.push(compared);
    }
  }
  for (const { kind, name } of pruneCandidates(plan, existing).candidates) objects.push({ stepId: "", kind, name, action: "delete", changedPaths: [] });
  return { clientId: plan.clientId, drifted: objects.length > 0, objects };
}

/**
 * Each plan (customers of one namespace) compared with the cluster. Plans of another namespace are refused: one
 * namespace per call, so its lists serve every customer.
 */
export async function detectDrift(kube: KubeClient, plans: readonly ProvisioningPlan[], options: { signal?: AbortSignal } = {}): Promise<CustomerDrift[]> {
  const namespace = plans[0]?.namespace;
  if (namespace === undefined) return [];
  if (plans.some((p) => p.namespace !== namespace)) {
    throw new SredaError("INVALID_INPUT", `Расхождения ищутся в одном пространстве имён за раз: планы из ${namespace} и других`, { namespace });
  }
  const kinds = new Set(plans.flatMap((p) => [...p.steps.map((s) => s.kind), ...p.environment.kinds.map((k) => k.kind)]));
  const listed = await listNamespace(kube, namespace, kinds, options.signal);
  return plans.map((plan) => driftOf(plan, customerView(listed, plan.clientId)));
}
