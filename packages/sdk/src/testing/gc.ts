/**
 * Garbage collection by ownerReferences (pkg/controller/garbagecollector) and namespace deletion
 * (pkg/controller/namespace):
 * - an object whose owners are all gone is deleted (Background propagation: the owner went first);
 * - an owner deleted with `Foreground` keeps the `foregroundDeletion` finalizer until its blocking dependents
 *   are gone; with `Orphan` (the REST default for batch/v1 Jobs) its dependents lose the ownerReference and
 *   stay, then the `orphan` finalizer is removed;
 * - a Terminating namespace has its content deleted, then its `kubernetes` finalizer removed.
 */
import type { Controller } from "./controllers.js";
import { parseKey, rtOf } from "./controllers.js";
import type { Registry } from "./registry.js";
import { ApiError } from "./status.js";
import type { Store, StoreEvent } from "./store.js";
import { deepCopy, type Obj } from "./util.js";

const MANAGER = "generic-garbage-collector";

function owners(obj: Obj): Obj[] {
  return Array.isArray(obj.metadata?.ownerReferences) ? obj.metadata.ownerReferences : [];
}

function ignoreNotFound(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status.code !== 404) throw error;
  }
}

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector";

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
  ) {}

  keysFor(event: StoreEvent): readonly string[] {
    const finalizers: string[] = event.object.metadata?.finalizers ?? [];
    const keys: string[] = [];
    if (event.type === "DELETED") keys.push("sweep");
    if (event.type !== "DELETED" && owners(event.object).length > 0 && event.type === "ADDED") keys.push(`dependent:${event.object.metadata.uid}`);
    if (event.object.metadata?.deletionTimestamp !== undefined && (finalizers.includes("orphan") || finalizers.includes("foregroundDeletion"))) keys.push(`owner:${event.object.metadata.uid}`);
    // A dependent going away may unblock a foreground owner.
    for (const ref of owners(event.object)) if (event.type === "DELETED" || event.object.metadata?.deletionTimestamp !== undefined) keys.push(`owner:${ref.uid}`);
    return keys;
  }

  reconcile(key: string): void {
    if (key === "sweep") return this.sweep();
    if (key.startsWith("dependent:")) {
      const found = this.store.getByUid(key.slice(10));
      if (found) this.collectIfDangling(found.rt, found.object);
      return;
    }
    const found = this.store.getByUid(key.slice(6));
    if (!found || found.object.metadata.deletionTimestamp === undefined) return;
    const owner = found.object;
    const uid = String(owner.metadata.uid);
    const dependents = [...this.store.entries()].filter(({ object }) => owners(object).some((r) => r.uid === uid));
    const finalizers: string[] = owner.metadata.finalizers ?? [];
    if (finalizers.includes("orphan")) {
      for (const { rt, object } of dependents) {
        const next = deepCopy(object);
        next.metadata.ownerReferences = owners(object).filter((r) => r.uid !== uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        ignoreNotFound(() => this.registry.update(rt, object, next, { manager: MANAGER, fieldValidation: "Strict" }));
      }
      this.removeFinalizer(found.rt, "orphan", uid);
      return;
    }
    if (finalizers.includes("foregroundDeletion")) {
      for (const { rt, object } of dependents) {
        if (object.metadata.deletionTimestamp === undefined) ignoreNotFound(() => this.registry.delete(rt, object.metadata.namespace, object.metadata.name, { propagationPolicy: "Foreground" }));
      }
      const blocking = [...this.store.entries()].filter(({ object }) => owners(object).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
      if (blocking.length === 0) this.removeFinalizer(found.rt, "foregroundDeletion", uid);
    }
  }

  private removeFinalizer(rt: ReturnType<typeof rtOf>, finalizer: string, uid: string): void {
    const current = this.store.getByUid(uid)?.object;
    if (!current) return;
    const next = deepCopy(current);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    this.registry.update(rt, current, next, { manager: MANAGER, fieldValidation: "Strict" });
  }

  private collectIfDangling(rt: ReturnType<typeof rtOf>, object: Obj): void {
    const refs = owners(object);
    if (refs.length === 0 || object.metadata.deletionTimestamp !== undefined) return;
    // Owners are looked up by uid: an owner re-created under the same name is another object.
    if (refs.some((r) => this.store.getByUid(String(r.uid)) !== undefined)) return;
    ignoreNotFound(() => this.registry.delete(rt, object.metadata.namespace, object.metadata.name, { propagationPolicy: "Background" }));
  }

  private sweep(): void {
    for (const { rt, object } of [...this.store.entries()]) this.collectIfDangling(rt, object);
  }
}

export class NamespaceController implements Controller {
  readonly name = "namespace-controller";
  private readonly nsRt = rtOf("Namespace");

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
  ) {}

  keysFor(event: StoreEvent): readonly string[] {
    if (event.rt.kind === "Namespace" && event.type !== "DELETED" && event.object.metadata.deletionTimestamp !== undefined) return [`/${event.object.metadata.name}`];
    if (event.type === "DELETED" && event.rt.namespaced) {
      const ns = this.store.get(this.nsRt, undefined, event.object.metadata.namespace);
      if (ns?.metadata.deletionTimestamp !== undefined) return [`/${ns.metadata.name}`];
    }
    return [];
  }

  reconcile(key: string): void {
    const { name } = parseKey(key);
    const ns = this.store.get(this.nsRt, undefined, name);
    if (!ns || ns.metadata.deletionTimestamp === undefined) return;
    for (const { rt, object } of [...this.store.entries()]) {
      if (!rt.namespaced || object.metadata.namespace !== name) continue;
      if (object.metadata.deletionTimestamp === undefined) ignoreNotFound(() => this.registry.delete(rt, name, object.metadata.name, { propagationPolicy: "Background" }));
    }
    const left = [...this.store.entries()].filter(({ rt, object }) => rt.namespaced && object.metadata.namespace === name).length;
    if (left > 0) return;
    const current = this.store.get(this.nsRt, undefined, name);
    if (!current) return;
    const next = deepCopy(current);
    next.spec = { ...(next.spec ?? {}), finalizers: [] };
    this.registry.update(this.nsRt, current, next, { manager: "namespace-controller", fieldValidation: "Strict" });
  }
}
