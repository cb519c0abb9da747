/**
 * The ReplicaSet and Deployment controllers (pkg/controller/replicaset, pkg/controller/deployment): a
 * Deployment owns ReplicaSets `<name>-<pod-template-hash>`, rolls a new one when the template changes
 * (RollingUpdate with maxSurge/maxUnavailable, or Recreate), keeps `revisionHistoryLimit` old ones, and reports
 * `observedGeneration`, the replica counters (zero counters omitted, as the real JSON does) and the conditions
 * `Available` (MinimumReplicasAvailable/Unavailable) and `Progressing` (NewReplicaSetCreated, ReplicaSetUpdated,
 * NewReplicaSetAvailable, ProgressDeadlineExceeded after progressDeadlineSeconds without progress).
 * Not simulated: paused rollouts, proportional scaling during a rollout, minReadySeconds beyond "ready = available".
 */
import type { Controller, ControllerManager, EventRecorder } from "./controllers.js";
import { controlledBy, controllerOf, controllerRef, keyOf, parseKey, rtOf } from "./controllers.js";
import { KUBE_NAME_ALPHABET } from "./random.js";
import type { Registry } from "./registry.js";
import type { Store, StoreEvent } from "./store.js";
import { canonicalJson, deepCopy, deepEqual, fnv32a, isRecord, rfc3339, type Obj } from "./util.js";

const MANAGER = "kube-controller-manager";
const REVISION = "deployment.kubernetes.io/revision";
const HASH_LABEL = "pod-template-hash";

function isTerminal(pod: Obj): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function isReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
}

/** ComputeHash + rand.SafeEncodeString: FNV-32a of the template, its decimal digits mapped onto the safe alphabet. */
function podTemplateHash(template: unknown, collisionCount = 0): string {
  const hash = fnv32a(canonicalJson(template) + (collisionCount > 0 ? String(collisionCount) : ""));
  return [...String(hash)].map((ch) => KUBE_NAME_ALPHABET[ch.charCodeAt(0) % KUBE_NAME_ALPHABET.length]).join("");
}

/** intstr.GetScaledValueFromIntOrPercent. */
function scaled(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(String(value ?? "0"));
  if (!m) return Number(value) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

// ---------------------------------------------------------------------------------------------

interface WorkloadDeps {
  store: Store;
  registry: Registry;
  events: EventRecorder;
  manager: ControllerManager;
  now(): number;
}

export class ReplicaSetController implements Controller {
  readonly name = "replicaset-controller";
  private readonly rsRt = rtOf("ReplicaSet");
  private readonly podRt = rtOf("Pod");

  constructor(private readonly deps: WorkloadDeps) {}

  keysFor(event: StoreEvent): readonly string[] {
    if (event.rt.kind === "ReplicaSet") return [keyOf(event.object)];
    if (event.rt.kind === "Pod") {
      const ref = controllerOf(event.object);
      if (ref?.kind === "ReplicaSet") return [`${event.object.metadata.namespace}/${ref.name}`];
    }
    return [];
  }

  reconcile(key: string): void {
    const { namespace, name } = parseKey(key);
    const rs = this.deps.store.get(this.rsRt, namespace, name);
    if (!rs || rs.metadata.deletionTimestamp !== undefined) return;
    const owned = (): Obj[] => controlledBy(this.deps.store, this.podRt, rs);
    const active = owned().filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp === undefined);
    const desired = Number(rs.spec?.replicas ?? 1);
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) this.createPod(rs);
    } else if (active.length > desired) {
      // Delete the least useful pods first: unscheduled, then not ready, then the newest.
      const rank = (p: Obj): number => (p.spec?.nodeName === undefined ? 0 : !isReady(p) ? 1 : 2);
      const victims = [...active]
        .sort((a, b) => rank(a) - rank(b) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))
        .slice(0, active.length - desired);
      for (const pod of victims) {
        this.deps.registry.delete(this.podRt, namespace, pod.metadata.name, { propagationPolicy: "Background" });
        this.deps.events.record(this.rsRt, rs, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, { component: "replicaset-controller" });
      }
    }
    const pods = owned().filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp === undefined);
    const templateLabels: Obj = rs.spec?.template?.metadata?.labels ?? {};
    const fullyLabeled = pods.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
    const ready = pods.filter(isReady).length;
    const status: Obj = { replicas: pods.length };
    if (fullyLabeled > 0) status.fullyLabeledReplicas = fullyLabeled;
    if (ready > 0) status.readyReplicas = ready;
    if (ready > 0) status.availableReplicas = ready;
    // DeploymentReplicaSetTerminatingReplicas (beta, on in 1.35): pods being deleted, always written, 0 included.
    status.terminatingReplicas = owned().filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp !== undefined).length;
    status.observedGeneration = rs.metadata.generation;
    const current = this.deps.store.get(this.rsRt, namespace, name);
    if (current && !deepEqual(current.status ?? {}, status)) {
      const next = deepCopy(current);
      next.status = status;
      this.deps.registry.update(this.rsRt, current, next, { manager: MANAGER, subresource: "status", fieldValidation: "Strict" });
    }
  }

  private createPod(rs: Obj): void {
    const template: Obj = rs.spec?.template ?? {};
    const metadata: Obj = {
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: deepCopy(template.metadata?.labels ?? {}),
      ownerReferences: [controllerRef(this.rsRt, rs)],
    };
    if (isRecord(template.metadata?.annotations)) metadata.annotations = deepCopy(template.metadata.annotations);
    const pod = this.deps.registry.create(
      this.podRt,
      rs.metadata.namespace,
      { apiVersion: "v1", kind: "Pod", metadata, spec: deepCopy(template.spec ?? {}) },
      { manager: MANAGER, fieldValidation: "Strict" },
    );
    this.deps.events.record(this.rsRt, rs, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, { component: "replicaset-controller" });
  }
}

// ---------------------------------------------------------------------------------------------

export class DeploymentController implements Controller {
  readonly name = "deployment-controller";
  private readonly deployRt = rtOf("Deployment");
  private readonly rsRt = rtOf("ReplicaSet");
  private readonly podRt = rtOf("Pod");

  constructor(private readonly deps: WorkloadDeps) {}

  keysFor(event: StoreEvent): readonly string[] {
    if (event.rt.kind === "Deployment") return [keyOf(event.object)];
    if (event.rt.kind === "ReplicaSet") {
      const ref = controllerOf(event.object);
      if (ref?.kind === "Deployment") return [`${event.object.metadata.namespace}/${ref.name}`];
    }
    if (event.rt.kind === "Pod" && event.type === "DELETED") {
      // Recreate waits for old pods to be gone.
      const ref = controllerOf(event.object);
      if (ref?.kind === "ReplicaSet") {
        const rs = this.deps.store.get(this.rsRt, event.object.metadata.namespace, ref.name);
        const owner = rs ? controllerOf(rs) : undefined;
        if (owner?.kind === "Deployment") return [`${event.object.metadata.namespace}/${owner.name}`];
      }
    }
    return [];
  }

  private event(d: Obj, message: string): void {
    this.deps.events.record(this.deployRt, d, "Normal", "ScalingReplicaSet", message, { component: "deployment-controller" });
  }

  private scale(d: Obj, rs: Obj, replicas: number): Obj {
    const from = Number(rs.spec?.replicas ?? 0);
    if (from === replicas) return rs;
    const next = deepCopy(rs);
    next.spec.replicas = replicas;
    next.metadata.annotations = {
      ...(next.metadata.annotations ?? {}),
      "deployment.kubernetes.io/desired-replicas": String(d.spec.replicas ?? 1),
      "deployment.kubernetes.io/max-replicas": String(Number(d.spec.replicas ?? 1) + this.maxSurge(d)),
    };
    const updated = this.deps.registry.update(this.rsRt, rs, next, { manager: MANAGER, fieldValidation: "Strict" });
    this.event(d, `Scaled ${replicas > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
    return updated;
  }

  private maxSurge(d: Obj): number {
    if (d.spec?.strategy?.type !== "RollingUpdate") return 0;
    const desired = Number(d.spec.replicas ?? 1);
    const surge = scaled(d.spec.strategy.rollingUpdate?.maxSurge, desired, true);
    const unavailable = scaled(d.spec.strategy.rollingUpdate?.maxUnavailable, desired, false);
    return surge === 0 && unavailable === 0 ? 0 : surge;
  }

  private maxUnavailable(d: Obj): number {
    const desired = Number(d.spec.replicas ?? 1);
    if (d.spec?.strategy?.type !== "RollingUpdate" || desired === 0) return 0;
    const surge = scaled(d.spec.strategy.rollingUpdate?.maxSurge, desired, true);
    const unavailable = scaled(d.spec.strategy.rollingUpdate?.maxUnavailable, desired, false);
    if (surge === 0 && unavailable === 0) return 1;
    return Math.min(unavailable, desired);
  }

  reconcile(key: string): void {
    const { namespace, name } = parseKey(key);
    const d = this.deps.store.get(this.deployRt, namespace, name);
    if (!d || d.metadata.deletionTimestamp !== undefined) return;
    const now = this.deps.now();
    const desired = Number(d.spec?.replicas ?? 1);
    const list = (): Obj[] => controlledBy(this.deps.store, this.rsRt, d);
    const stripHash = (template: Obj): Obj => {
      const copy = deepCopy(template);
      if (isRecord(copy.metadata?.labels)) delete copy.metadata.labels[HASH_LABEL];
      return copy;
    };
    let all = list();
    let newRS = all.find((rs) => deepEqual(stripHash(rs.spec?.template ?? {}), d.spec.template));
    const maxRevision = Math.max(0, ...all.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    let created = false;
    if (!newRS) {
      const hash = podTemplateHash(d.spec.template, Number(d.status?.collisionCount ?? 0));
      const oldReplicas = all.reduce((n, rs) => n + Number(rs.spec?.replicas ?? 0), 0);
      let initial = desired;
      if (d.spec.strategy?.type === "Recreate") initial = oldReplicas > 0 ? 0 : desired;
      else if (oldReplicas > 0) initial = Math.max(0, Math.min(desired, desired + this.maxSurge(d) - oldReplicas));
      const template = deepCopy(d.spec.template);
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
      const selector = deepCopy(d.spec.selector);
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
      const annotations: Obj = {};
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
        if (k !== REVISION && k !== "kubectl.kubernetes.io/last-applied-configuration") annotations[k] = v;
      annotations["deployment.kubernetes.io/desired-replicas"] = String(desired);
      annotations["deployment.kubernetes.io/max-replicas"] = String(desired + this.maxSurge(d));
      annotations[REVISION] = String(maxRevision + 1);
      const rsName = `${d.metadata.name}-${hash}`;
      const rs: Obj = {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: rsName,
          namespace,
          labels: { ...(d.spec.template?.metadata?.labels ?? {}), [HASH_LABEL]: hash },
          annotations,
          ownerReferences: [controllerRef(this.deployRt, d)],
        },
        spec: { replicas: initial, ...(d.spec.minReadySeconds !== undefined ? { minReadySeconds: d.spec.minReadySeconds } : {}), selector, template },
      };
      newRS = this.deps.registry.create(this.rsRt, namespace, rs, { manager: MANAGER, fieldValidation: "Strict" });
      created = true;
      if (initial > 0) this.event(d, `Scaled up replica set ${rsName} from 0 to ${initial}`);
      all = list();
    } else if (Number(newRS.metadata.annotations?.[REVISION] ?? 0) < maxRevision) {
      // A rollback to an old template: that ReplicaSet becomes the newest revision.
      const next = deepCopy(newRS);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: String(maxRevision + 1) };
      newRS = this.deps.registry.update(this.rsRt, newRS, next, { manager: MANAGER, fieldValidation: "Strict" });
    }
    const newName = String(newRS.metadata.name);
    let olds = all.filter((rs) => rs.metadata.name !== newName);

    if (d.spec.strategy?.type === "Recreate") {
      const oldActive = olds.some((rs) => Number(rs.spec?.replicas ?? 0) > 0);
      for (const rs of olds) this.scale(d, rs, 0);
      const oldPods = olds.flatMap((rs) => controlledBy(this.deps.store, this.podRt, rs));
      if (!oldActive && oldPods.length === 0) newRS = this.scale(d, newRS, desired);
    } else {
      const maxSurge = this.maxSurge(d);
      const maxUnavailable = this.maxUnavailable(d);
      const total = all.reduce((n, rs) => n + Number(rs.spec?.replicas ?? 0), 0);
      const newReplicas = Number(newRS.spec?.replicas ?? 0);
      if (newReplicas > desired) newRS = this.scale(d, newRS, desired);
      else if (newReplicas < desired) {
        const scaleUp = Math.min(desired + maxSurge - total, desired - newReplicas);
        if (scaleUp > 0) newRS = this.scale(d, newRS, newReplicas + scaleUp);
      }
      olds = list().filter((rs) => rs.metadata.name !== newName);
      const oldCount = olds.reduce((n, rs) => n + Number(rs.spec?.replicas ?? 0), 0);
      if (oldCount > 0) {
        const allCount = oldCount + Number(newRS.spec?.replicas ?? 0);
        const minAvailable = desired - maxUnavailable;
        const newUnavailable = Number(newRS.spec?.replicas ?? 0) - Number(newRS.status?.availableReplicas ?? 0);
        let budget = allCount - minAvailable - newUnavailable;
        // Unhealthy old replicas go first, then healthy ones while availability allows.
        for (const rs of [...olds].sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))) {
          if (budget <= 0) break;
          const replicas = Number(rs.spec?.replicas ?? 0);
          const unhealthy = replicas - Number(rs.status?.availableReplicas ?? 0);
          const cut = Math.min(unhealthy, budget, replicas);
          if (cut > 0) {
            this.scale(d, rs, replicas - cut);
            budget -= cut;
          }
        }
        olds = list().filter((rs) => rs.metadata.name !== newName);
        const available = list().reduce((n, rs) => n + Number(rs.status?.availableReplicas ?? 0), 0);
        let down = Math.min(available - minAvailable, budget);
        for (const rs of [...olds].sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))) {
          if (down <= 0) break;
          const replicas = Number(rs.spec?.replicas ?? 0);
          const cut = Math.min(replicas, down);
          if (cut > 0) {
            this.scale(d, rs, replicas - cut);
            down -= cut;
          }
        }
      }
    }

    // Old ReplicaSets beyond revisionHistoryLimit, scaled to zero and empty, are deleted.
    all = list();
    const limit = Number(d.spec.revisionHistoryLimit ?? 10);
    const removable = all
      .filter((rs) => rs.metadata.name !== newName && Number(rs.spec?.replicas ?? 0) === 0 && Number(rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => Number(a.metadata.annotations?.[REVISION] ?? 0) - Number(b.metadata.annotations?.[REVISION] ?? 0));
    for (const rs of removable.slice(0, Math.max(0, removable.length - limit)))
      this.deps.registry.delete(this.rsRt, namespace, rs.metadata.name, { propagationPolicy: "Background" });

    this.writeStatus(key, d, list(), newName, created, now);
  }

  private writeStatus(key: string, d: Obj, all: Obj[], newName: string, created: boolean, now: number): void {
    const current = this.deps.store.get(this.deployRt, d.metadata.namespace, d.metadata.name);
    if (!current) return;
    const desired = Number(current.spec?.replicas ?? 1);
    const newRS = all.find((rs) => rs.metadata.name === newName);
    const sum = (f: (rs: Obj) => number): number => all.reduce((n, rs) => n + f(rs), 0);
    const replicas = sum((rs) => Number(rs.status?.replicas ?? 0));
    const updated = Number(newRS?.status?.replicas ?? 0);
    const ready = sum((rs) => Number(rs.status?.readyReplicas ?? 0));
    const available = sum((rs) => Number(rs.status?.availableReplicas ?? 0));
    const unavailable = Math.max(0, sum((rs) => Number(rs.spec?.replicas ?? 0)) - available);
    const prev: Obj = isRecord(current.status) ? current.status : {};
    const conditions: Obj[] = deepCopy(Array.isArray(prev.conditions) ? prev.conditions : []);
    const time = rfc3339(now);
    const set = (type: string, status: "True" | "False", reason: string, message: string, touch: boolean): void => {
      const existing = conditions.find((c) => c.type === type);
      if (existing) {
        const changed = existing.status !== status || existing.reason !== reason || existing.message !== message;
        if (existing.status !== status) existing.lastTransitionTime = time;
        if (changed || touch) existing.lastUpdateTime = time;
        existing.status = status;
        existing.reason = reason;
        existing.message = message;
        // Key order as the API server writes DeploymentCondition.
        const { type: t, status: s, lastUpdateTime, lastTransitionTime, reason: r, message: m } = existing;
        Object.keys(existing).forEach((k) => delete existing[k]);
        Object.assign(existing, { type: t, status: s, lastUpdateTime, lastTransitionTime, reason: r, message: m });
      } else conditions.push({ type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message });
    };
    const minAvailable = desired - this.maxUnavailable(current);
    if (available >= minAvailable) set("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", false);
    else set("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", false);

    const complete = updated === desired && replicas === desired && available === desired && Number(newRS?.spec?.replicas ?? 0) === desired;
    const progressing = conditions.find((c) => c.type === "Progressing");
    const progressed =
      updated > Number(prev.updatedReplicas ?? 0) ||
      ready > Number(prev.readyReplicas ?? 0) ||
      available > Number(prev.availableReplicas ?? 0) ||
      replicas - updated < Number(prev.replicas ?? 0) - Number(prev.updatedReplicas ?? 0);
    const deadlineMs = Number(current.spec?.progressDeadlineSeconds ?? 600) * 1000;
    if (created) set("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${newName}"`, true);
    else if (complete) set("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${newName}" has successfully progressed.`, false);
    else if (progressed || !progressing) set("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${newName}" is progressing.`, true);
    else if (progressing.reason !== "ProgressDeadlineExceeded" && now >= Date.parse(String(progressing.lastUpdateTime)) + deadlineMs) {
      set("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${newName}" has timed out progressing.`, false);
    }
    // Available first, then Progressing, as the controller orders them.
    conditions.sort((a, b) => (a.type === "Available" ? -1 : b.type === "Available" ? 1 : 0));
    const status: Obj = { observedGeneration: current.metadata.generation };
    if (replicas > 0) status.replicas = replicas;
    if (updated > 0) status.updatedReplicas = updated;
    if (ready > 0) status.readyReplicas = ready;
    if (available > 0) status.availableReplicas = available;
    if (unavailable > 0) status.unavailableReplicas = unavailable;
    status.terminatingReplicas = sum((rs) => Number(rs.status?.terminatingReplicas ?? 0));
    status.conditions = conditions;
    if (prev.collisionCount !== undefined) status.collisionCount = prev.collisionCount;
    const revision = newRS?.metadata.annotations?.[REVISION];
    const annotations = { ...(current.metadata.annotations ?? {}) };
    if (revision !== undefined) annotations[REVISION] = revision;
    if (!deepEqual(current.status ?? {}, status) || !deepEqual(current.metadata.annotations ?? {}, annotations)) {
      const next = deepCopy(current);
      next.status = status;
      next.metadata.annotations = annotations;
      this.deps.registry.update(this.deployRt, current, next, { manager: MANAGER, subresource: "status", fieldValidation: "Strict" });
    }
    const now2 = conditions.find((c) => c.type === "Progressing");
    if (!complete && now2 && now2.reason !== "ProgressDeadlineExceeded")
      this.deps.manager.wakeAt(this, key, Date.parse(String(now2.lastUpdateTime)) + deadlineMs + 1000);
  }
}
