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
import { RESOURCES, type ResourceType } from "./resources.js";
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
    if (event.type === "DELETED") keys.push(`dangling:${event.object.metadata.uid}`);
    if (event.type !== "DELETED" && owners(event.object).length > 0 && event.type === "ADDED") keys.push(`dependent:${event.object.metadata.uid}`);
    if (event.object.metadata?.deletionTimestamp !== undefined && (finalizers.includes("orphan") || finalizers.includes("foregroundDeletion")))
      keys.push(`owner:${event.object.metadata.uid}`);
    // A dependent going away may unblock a foreground owner.
    for (const ref of owners(event.object))
      if (event.type === "DELETED" || event.object.metadata?.deletionTimestamp !== undefined) keys.push(`owner:${ref.uid}`);
    return keys;
  }

  reconcile(key: string): void {
    if (key.startsWith("dangling:")) {
      for (const { rt, object } of this.store.ownedBy(key.slice(9))) this.collectIfDangling(rt, object);
      return;
    }
    if (key.startsWith("dependent:")) {
      const found = this.store.getByUid(key.slice(10));
      if (found) this.collectIfDangling(found.rt, found.object);
      return;
    }
    const found = this.store.getByUid(key.slice(6));
    if (!found || found.object.metadata.deletionTimestamp === undefined) return;
    const owner = found.object;
    const uid = String(owner.metadata.uid);
    const dependents = this.store.ownedBy(uid);
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
        if (object.metadata.deletionTimestamp === undefined)
          ignoreNotFound(() => this.registry.delete(rt, object.metadata.namespace, object.metadata.name, { propagationPolicy: "Foreground" }));
      }
      const blocking = this.store.ownedBy(uid).filter(({ object }) => owners(object).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
      if (blocking.length === 0) this.removeFinalizer(found.rt, "foregroundDeletion", uid);
    }
  }

  private removeFinalizer(rt: ResourceType, finalizer: string, uid: string): void {
    const current = this.store.getByUid(uid)?.object;
    if (!current) return;
    const next = deepCopy(current);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    this.registry.update(rt, current, next, { manager: MANAGER, fieldValidation: "Strict" });
  }

  private collectIfDangling(rt: ResourceType, object: Obj): void {
    const refs = owners(object);
    if (refs.length === 0 || object.metadata.deletionTimestamp !== undefined) return;
    // Owners are looked up by uid: an owner re-created under the same name is another object.
    if (refs.some((r) => this.store.getByUid(String(r.uid)) !== undefined)) return;
    ignoreNotFound(() => this.registry.delete(rt, object.metadata.namespace, object.metadata.name, { propagationPolicy: "Background" }));
  }
}

const ROOT_CA = "kube-root-ca.crt";

/**
 * The namespace controller, plus kube-controller-manager's root-ca-cert-publisher: every active namespace has the
 * `kube-root-ca.crt` ConfigMap (pods' service-account volumes reference it).
 */
export class NamespaceController implements Controller {
  readonly name = "namespace-controller";
  private readonly nsRt = rtOf("Namespace");
  private readonly configMapRt = rtOf("ConfigMap");

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
  ) {}

  keysFor(event: StoreEvent): readonly string[] {
    if (event.rt.kind === "Namespace" && event.type === "ADDED") return [`publish:/${event.object.metadata.name}`];
    if (event.rt.kind === "ConfigMap" && event.type === "DELETED" && event.object.metadata.name === ROOT_CA)
      return [`publish:/${event.object.metadata.namespace}`];
    if (event.rt.kind === "Namespace" && event.type !== "DELETED" && event.object.metadata.deletionTimestamp !== undefined)
      return [`/${event.object.metadata.name}`];
    if (event.type === "DELETED" && event.rt.namespaced) {
      const ns = this.store.get(this.nsRt, undefined, event.object.metadata.namespace);
      if (ns?.metadata.deletionTimestamp !== undefined) return [`/${ns.metadata.name}`];
    }
    return [];
  }

  reconcile(key: string): void {
    if (key.startsWith("publish:")) return this.publishRootCA(parseKey(key.slice(8)).name);
    const { name } = parseKey(key);
    const ns = this.store.get(this.nsRt, undefined, name);
    if (!ns || ns.metadata.deletionTimestamp === undefined) return;
    const content = (): { rt: ResourceType; object: Obj }[] =>
      RESOURCES.filter((rt) => rt.namespaced).flatMap((rt) => this.store.list(rt, name).map((object) => ({ rt, object })));
    for (const { rt, object } of content()) {
      if (object.metadata.deletionTimestamp === undefined)
        ignoreNotFound(() => this.registry.delete(rt, name, object.metadata.name, { propagationPolicy: "Background" }));
    }
    const left = content().length;
    if (left > 0) return;
    const current = this.store.get(this.nsRt, undefined, name);
    if (!current) return;
    const next = deepCopy(current);
    next.spec = { ...(next.spec ?? {}), finalizers: [] };
    this.registry.update(this.nsRt, current, next, { manager: "namespace-controller", fieldValidation: "Strict" });
  }

  private publishRootCA(namespace: string): void {
    const ns = this.store.get(this.nsRt, undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp !== undefined || this.store.get(this.configMapRt, namespace, ROOT_CA)) return;
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: ROOT_CA,
        namespace,
        annotations: {
          "kubernetes.io/description":
            "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IPs or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
        },
      },
      data: { "ca.crt": "-----BEGIN CERTIFICATE-----\nRkFLRS1DTFVTVEVSLUNB\n-----END CERTIFICATE-----\n" },
    };
    ignoreNotFound(() => this.registry.create(this.configMapRt, namespace, configMap, { manager: "kube-controller-manager", fieldValidation: "Strict" }));
  }
}
