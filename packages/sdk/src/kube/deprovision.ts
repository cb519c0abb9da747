/**
 * Deprovisioning one customer: when asked (and confirmed), the teardown Jobs drop its databases first; then every
 * object it owns in the namespace — found by the customer's owner labels over every kind its templates write, and
 * checked to name the customer itself, so nothing of another customer can match — is deleted one by one, consumers
 * before what they read (the Deployment first, Secrets last), each awaited until it is gone. A Deployment and a Job go
 * with Foreground propagation (their pods first); the rest Background, as kubectl. Re-running after an interruption
 * finds what is left and finishes; under the customer's lock, reported like a provisioning.
 */
import { CUSTOMER_LABEL } from "../core/environment.js";
import type { DeprovisioningPlan } from "../core/deprovision-plan.js";
import { collectionPath, kindInfo } from "../core/kinds.js";
import type { PlanStep } from "../core/plan.js";
import type { ApplyResult } from "./apply.js";
import { applyObject, runJob, StepFailure, type StepContext } from "./apply-steps.js";
import type { KubeClient } from "./client.js";
import { isKubeError, KubeNetworkError, KubeStatusError } from "./errors.js";
import { runLifecycle, type LifecycleOptions, type LifecycleRun } from "./lifecycle.js";
import { customerLeaseName } from "./lease.js";
import type { KubeObject } from "./reflector.js";

/** Consumers before what they read: the application stops first, its Secrets go last. */
const DELETE_ORDER = ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "Service", "Job", "NetworkPolicy", "ConfigMap", "Secret"];
/** Their dependents (pods) go before them: "gone" then means nothing of theirs still runs. */
const FOREGROUND = new Set(["Deployment", "Job"]);

/** One of the customer's objects a deprovisioning deletes. */
export interface CustomerObject {
  kind: string;
  name: string;
  path: string;
}

/** How long to wait for one object to be gone, and how often to look (defaults 5 min, 1 s). */
export interface DeprovisionOptions extends LifecycleOptions {
  deleteTimeoutMs?: number;
  pollIntervalMs?: number;
  /** A teardown Job's time limit (default 20 min). */
  jobTimeoutMs?: number;
}

/**
 * Every object of the customer in the namespace, in deletion order: listed by the owner labels per kind, each checked
 * to carry the customer's own label and no controller (a Job's pods, a Deployment's ReplicaSets go with their owner).
 */
export async function findCustomerObjects(plan: DeprovisioningPlan, kube: KubeClient, signal?: AbortSignal): Promise<CustomerObject[]> {
  const selector = plan.environment.ownerSelector;
  if (!selector)
    throw new StepFailure("NoOwnerLabels", `объекты клиента ${plan.clientId} нельзя найти по меткам: шаблоны не помечают их общими метками клиента`);
  const found = await Promise.all(
    plan.environment.kinds.map(async ({ kind, apiVersion }) => {
      const info = kindInfo(kind, apiVersion);
      if (!info?.namespaced) return [];
      const collection = collectionPath(info, encodeURIComponent(plan.namespace));
      const list = await kube.list<{ items?: KubeObject[] }>(collection, { labelSelector: selector, ...(signal ? { signal } : {}) });
      return (list.items ?? [])
        .filter((o) => o.metadata?.labels?.[CUSTOMER_LABEL] === plan.clientId && !o.metadata?.ownerReferences?.some((r) => r.controller))
        .map((o) => ({ kind, name: o.metadata?.name ?? "", path: `${collection}/${encodeURIComponent(o.metadata?.name ?? "")}` }));
    }),
  );
  const rank = (kind: string) => (DELETE_ORDER.includes(kind) ? DELETE_ORDER.indexOf(kind) : DELETE_ORDER.length);
  return found.flat().sort((a, b) => rank(a.kind) - rank(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A step context for the teardown's Secret and Jobs: no lists before them, Jobs followed by reading them. */
function teardownContext(run: LifecycleRun, options: DeprovisionOptions): StepContext {
  return {
    kube: run.kube,
    namespace: run.namespace,
    clock: run.clock,
    signal: run.signal,
    fieldManager: run.fieldManager,
    maxAttempts: 4,
    jobPollIntervalMs: options.pollIntervalMs ?? 1_000,
    jobTimeoutMs: options.jobTimeoutMs ?? 20 * 60_000,
    random: Math.random,
    existing: new Map(),
    jobs: undefined,
    onRetry: () => {},
    onWaiting: () => {},
  };
}

async function runTeardown(run: LifecycleRun, steps: readonly PlanStep[], options: DeprovisionOptions): Promise<void> {
  const ctx = teardownContext(run, options);
  for (const step of steps) {
    await run.step(step.id, step.kind, step.name, step.title, async () => {
      const done = step.kind === "Job" ? await runJob(ctx, step) : await applyObject(ctx, step);
      return { outcome: done.outcome, message: done.message };
    });
  }
}

/** Deletes one object and waits until it is gone (already gone counts as deleted). */
async function deleteAndWait(run: LifecycleRun, object: CustomerObject, options: DeprovisionOptions): Promise<{ outcome: "deleted"; message: string }> {
  const propagationPolicy = FOREGROUND.has(object.kind) ? "Foreground" : "Background";
  try {
    await run.kube.delete(object.path, { propagationPolicy, signal: run.signal });
  } catch (error) {
    if (!isKubeError(error, "NotFound")) throw error;
  }
  const deadline = run.clock.now() + (options.deleteTimeoutMs ?? 5 * 60_000);
  for (;;) {
    try {
      await run.kube.get(object.path, { signal: run.signal });
    } catch (error) {
      if (isKubeError(error, "NotFound")) return { outcome: "deleted", message: `${object.kind} ${object.name} удалён` };
      if (!(error instanceof KubeStatusError || error instanceof KubeNetworkError)) throw error;
    }
    if (run.clock.now() >= deadline) throw new StepFailure("Timeout", `${object.kind} ${object.name} не удалился за отведённое время`);
    await run.clock.sleep(options.pollIntervalMs ?? 1_000, run.signal);
  }
}

function deleteStep(run: LifecycleRun, object: CustomerObject, options: DeprovisionOptions): Promise<void> {
  return run.step(`delete:${object.kind}/${object.name}`, object.kind, object.name, `Удаление ${object.kind} ${object.name}`, () =>
    deleteAndWait(run, object, options),
  );
}

/**
 * Deprovisions a customer by its plan: its objects found; when the plan drops data, the Deployment deleted and the
 * teardown Jobs run; then every object it owns deleted, one step each. The first failure stops the run; a re-run
 * continues with what is left.
 */
export async function deprovisionEnvironment(plan: DeprovisioningPlan, kube: KubeClient, options: DeprovisionOptions = {}): Promise<ApplyResult> {
  const result = await runLifecycle(kube, plan, "удаление среды", options, async (run) => {
    let objects: CustomerObject[] = [];
    await run.step("find", "Environment", plan.clientId, "Поиск объектов клиента", async () => {
      objects = await findCustomerObjects(plan, run.kube, run.signal);
      return { outcome: "unchanged", message: `объектов клиента: ${objects.length}` };
    });
    // Dropping data: the application stops first (it would only reconnect and fail), then the databases go.
    const first = plan.dropData ? objects.filter((o) => o.kind === "Deployment") : [];
    for (const object of first) await deleteStep(run, object, options);
    await runTeardown(run, plan.teardown, options);
    // The teardown's own Secret and Jobs carry the customer's labels: found again, they go with the rest.
    if (plan.dropData) objects = await findCustomerObjects(plan, run.kube, run.signal);
    for (const object of objects) await deleteStep(run, object, options);
  });
  if (result.status === "succeeded" && options.lease !== false) await deleteReleasedLease(kube, plan, options.signal);
  return result;
}

/**
 * The customer's Lease, released at the end of the run, goes too: nothing of the customer is left. Only while nobody
 * holds it (the resourceVersion as read is a precondition); failing that, it stays — a released lease is harmless.
 */
async function deleteReleasedLease(kube: KubeClient, plan: DeprovisioningPlan, signal: AbortSignal | undefined): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(plan.namespace)}/leases/${customerLeaseName(plan.clientId)}`;
  try {
    const lease = await kube.get<{ metadata?: { resourceVersion?: string }; spec?: { holderIdentity?: string } }>(path, signal ? { signal } : {});
    if (lease.spec?.holderIdentity) return;
    const preconditions = { resourceVersion: lease.metadata?.resourceVersion };
    await kube.request({ method: "DELETE", path, body: { apiVersion: "v1", kind: "DeleteOptions", preconditions }, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (!(error instanceof KubeStatusError || error instanceof KubeNetworkError)) throw error;
  }
}
