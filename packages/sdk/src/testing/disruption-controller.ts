/**
 * The disruption controller (pkg/controller/disruption): a PodDisruptionBudget's status from the pods its selector
 * matches — `expectedPods` (for a percentage or maxUnavailable, the scale of the pods' controllers: a Deployment's
 * `spec.replicas`; for an integer minAvailable, the number of pods), `currentHealthy` (Ready pods not being deleted),
 * `desiredHealthy` (percentages rounded up), `disruptionsAllowed`, `observedGeneration` and the `DisruptionAllowed`
 * condition (SufficientPods / InsufficientPods, SyncFailed when the expected count cannot be worked out), with the
 * controller's `NoPods` and `UnmanagedPods` events. Synced, like the real one, when a budget or a pod it selects
 * changes (not when a Deployment is scaled: its pods' changes follow).
 * Not simulated: the eviction API, hence `disruptedPods`; StatefulSets and ReplicationControllers as pod owners.
 */
import type { Controller, EventRecorder } from "./controllers.js";
import { controllerOf, keyOf, parseKey, rtOf } from "./controllers.js";
import { parseGroupVersion } from "./platform-validation.js";
import type { Registry } from "./registry.js";
import { qualifiedResource, RESOURCES } from "./resources.js";
import { goLabelSelector, labelSelectorFromObject, matchesSelector } from "./selectors.js";
import type { Store, StoreEvent } from "./store.js";
import { deepCopy, deepEqual, isRecord, rfc3339, type Obj } from "./util.js";

const MANAGER = "kube-controller-manager";
const SOURCE = { component: "controllermanager" };

interface DisruptionDeps {
  store: Store;
  registry: Registry;
  events: EventRecorder;
  now(): number;
}

function isReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
}

/** metav1.LabelSelectorAsSelector: no selector selects nothing, an empty one everything. */
function selects(pdb: Obj, pod: Obj): boolean {
  const selector = pdb.spec?.selector;
  return isRecord(selector) && matchesSelector(labelSelectorFromObject(selector), pod.metadata?.labels);
}

/** intstr.GetScaledValueFromIntOrPercent with rounding up. */
function scaledUp(value: unknown, total: number): number {
  if (typeof value === "number") return value;
  return Math.ceil((Number(String(value).replace(/%$/, "")) * total) / 100);
}

interface ExpectedCount {
  expected: number;
  desired: number;
  unmanaged: string[];
}

export class DisruptionController implements Controller {
  readonly name = "disruption-controller";
  private readonly pdbRt = rtOf("PodDisruptionBudget");
  private readonly podRt = rtOf("Pod");
  private readonly rsRt = rtOf("ReplicaSet");
  private readonly deployRt = rtOf("Deployment");

  constructor(private readonly deps: DisruptionDeps) {}

  keysFor(event: StoreEvent): readonly string[] {
    if (event.rt === this.pdbRt) return event.type === "DELETED" ? [] : [keyOf(event.object)];
    if (event.rt !== this.podRt) return [];
    const pod = event.object;
    return this.deps.store
      .list(this.pdbRt, pod.metadata.namespace)
      .filter((pdb) => selects(pdb, pod))
      .map(keyOf);
  }

  reconcile(key: string): void {
    const { namespace, name } = parseKey(key);
    const pdb = this.deps.store.get(this.pdbRt, namespace, name);
    if (!pdb) return;
    const pods = this.deps.store.list(this.podRt, namespace).filter((pod) => selects(pdb, pod));
    if (pods.length === 0) this.event(pdb, "Normal", "NoPods", "No matching pods found");
    let counts: ExpectedCount;
    try {
      counts = this.expectedCount(pdb, pods);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.event(pdb, "Warning", "CalculateExpectedPodCountFailed", `Failed to calculate the number of expected pods: ${message}`);
      this.failSafe(pdb, message);
      return;
    }
    if (counts.unmanaged.length > 0) {
      this.event(
        pdb,
        "Warning",
        "UnmanagedPods",
        `Pods selected by this PodDisruptionBudget (selector: ${goLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const healthy = pods.filter((pod) => pod.metadata.deletionTimestamp === undefined && isReady(pod)).length;
    this.writeStatus(pdb, healthy, counts.desired, counts.expected);
  }

  private event(pdb: Obj, type: "Normal" | "Warning", reason: string, message: string): void {
    this.deps.events.record(this.pdbRt, pdb, type, reason, message, SOURCE);
  }

  /** getExpectedPodCount. */
  private expectedCount(pdb: Obj, pods: Obj[]): ExpectedCount {
    const spec: Obj = pdb.spec ?? {};
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
      const { expected, unmanaged } = this.expectedScale(pods);
      return { expected, desired: Math.max(0, expected - scaledUp(spec.maxUnavailable, expected)), unmanaged };
    }
    if (typeof spec.minAvailable === "number") return { expected: pods.length, desired: spec.minAvailable, unmanaged: [] };
    if (typeof spec.minAvailable === "string") {
      const { expected, unmanaged } = this.expectedScale(pods);
      return { expected, desired: scaledUp(spec.minAvailable, expected), unmanaged };
    }
    return { expected: 0, desired: 0, unmanaged: [] };
  }

  /** getExpectedScale: the sum of the scales of the pods' controllers (each counted once). */
  private expectedScale(pods: Obj[]): { expected: number; unmanaged: string[] } {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) {
        unmanaged.push(String(pod.metadata.name));
        continue;
      }
      if (scales.has(String(ref.uid))) continue;
      const found = this.controllerScale(ref, String(pod.metadata.namespace));
      if (!found) throw new Error(`found no controllers for pod "${String(pod.metadata.name)}"`);
      scales.set(found.uid, found.scale);
    }
    return { expected: [...scales.values()].reduce((a, b) => a + b, 0), unmanaged };
  }

  /** The finders: a ReplicaSet's Deployment, a bare ReplicaSet, then any other controller's scale subresource. */
  private controllerScale(ref: Obj, namespace: string): { uid: string; scale: number } | undefined {
    const gv = parseGroupVersion(String(ref.apiVersion ?? ""));
    if (typeof gv === "string") throw new Error(gv);
    if (ref.kind === "ReplicaSet" && (gv.group === "apps" || gv.group === "extensions")) {
      const rs = this.deps.store.get(this.rsRt, namespace, String(ref.name));
      if (!rs || rs.metadata.uid !== ref.uid) return undefined;
      const owner = controllerOf(rs);
      if (owner?.kind === "Deployment") {
        const d = this.deps.store.get(this.deployRt, namespace, String(owner.name));
        return d && d.metadata.uid === owner.uid ? { uid: String(d.metadata.uid), scale: Number(d.spec?.replicas ?? 1) } : undefined;
      }
      return { uid: String(rs.metadata.uid), scale: Number(rs.spec?.replicas ?? 1) };
    }
    const rt = RESOURCES.find((r) => r.group === gv.group && r.kind === ref.kind);
    if (!rt) throw new Error(`no matches for kind "${String(ref.kind)}" in version "${String(ref.apiVersion)}"`);
    if (rt.kind !== "Deployment") throw new Error(`${qualifiedResource(rt)} does not implement the scale subresource`);
    const d = this.deps.store.get(rt, namespace, String(ref.name));
    return d && d.metadata.uid === ref.uid ? { uid: String(d.metadata.uid), scale: Number(d.spec?.replicas ?? 1) } : undefined;
  }

  /** apimeta.SetStatusCondition for DisruptionAllowed. */
  private withCondition(conditions: unknown, status: "True" | "False", reason: string, message: string, observedGeneration: unknown): Obj[] {
    const list: Obj[] = Array.isArray(conditions) ? deepCopy(conditions) : [];
    const existing = list.find((c) => c.type === "DisruptionAllowed");
    const transition = existing && existing.status === status ? existing.lastTransitionTime : rfc3339(this.deps.now());
    const condition: Obj = { type: "DisruptionAllowed", status };
    if (typeof observedGeneration === "number" && observedGeneration !== 0) condition.observedGeneration = observedGeneration;
    Object.assign(condition, { lastTransitionTime: transition, reason, message });
    return existing ? list.map((c) => (c === existing ? condition : c)) : [...list, condition];
  }

  /** updatePdbStatus (a write only when something changed). */
  private writeStatus(pdb: Obj, currentHealthy: number, desiredHealthy: number, expectedPods: number): void {
    let disruptionsAllowed = currentHealthy - desiredHealthy;
    if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
    const generation = pdb.metadata.generation;
    const [status, reason] = disruptionsAllowed > 0 ? (["True", "SufficientPods"] as const) : (["False", "InsufficientPods"] as const);
    const next: Obj = {};
    if (typeof generation === "number" && generation !== 0) next.observedGeneration = generation;
    Object.assign(next, { disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods });
    next.conditions = this.withCondition(pdb.status?.conditions, status, reason, "", generation);
    this.update(pdb, next);
  }

  /** failSafe: no disruption allowed, the error in the condition, the rest of the status as it was. */
  private failSafe(pdb: Obj, message: string): void {
    const next: Obj = deepCopy(pdb.status ?? {});
    next.disruptionsAllowed = 0;
    next.conditions = this.withCondition(next.conditions, "False", "SyncFailed", message, next.observedGeneration);
    this.update(pdb, next);
  }

  private update(pdb: Obj, status: Obj): void {
    if (deepEqual(pdb.status ?? {}, status)) return;
    const next = deepCopy(pdb);
    next.status = status;
    this.deps.registry.update(this.pdbRt, pdb, next, { manager: MANAGER, subresource: "status", fieldValidation: "Strict" });
  }
}
