/**
 * The fake's etcd: every object once, one global resourceVersion counter (bumped by every real change, never
 * by a no-op), and a bounded history of changes that watches replay from (the watch cache). Stored objects are
 * deep-frozen: whoever wants to change one copies it and commits the copy.
 */
import type { ResourceType } from "./resources.js";
import type { Obj } from "./util.js";

type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: ChangeType;
  rt: ResourceType;
  /** The object after the change (for DELETED: the last state, with the deletion's resourceVersion). */
  object: Obj;
  /** The object before the change (MODIFIED and DELETED). */
  previous: Obj | undefined;
  rv: number;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function objectKey(rt: ResourceType, namespace: string | undefined, name: string): string {
  return `${rt.plural}.${rt.group}/${rt.namespaced ? (namespace ?? "") : ""}/${name}`;
}

export class Store {
  private rv: number;
  private readonly objects = new Map<string, Obj>();
  private readonly kinds = new Map<string, ResourceType>();
  private readonly uids = new Map<string, string>();
  /** resource → namespace → name → object, for lists without scanning everything. */
  private readonly byResource = new Map<ResourceType, Map<string, Map<string, Obj>>>();
  /** owner uid → keys of objects whose ownerReferences name it. */
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  /** Where the history begins: the resourceVersion of the (notional) list the watch cache was initialised from. */
  private readonly startRv: number;

  constructor(
    private readonly maxHistory: number,
    startResourceVersion = 1000,
  ) {
    this.rv = startResourceVersion;
    this.startRv = startResourceVersion;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /**
   * The oldest change a watch can still be given. Like the watch cache: the first change kept, or, while nothing was
   * evicted, the one after the list the cache started from — resourceVersions from before the fake existed are as
   * expired as those pushed out of the history.
   */
  oldestResumable(): number {
    return this.evicted ? (this.history[0]?.rv ?? this.rv + 1) : this.startRv + 1;
  }

  private evicted = false;

  get(rt: ResourceType, namespace: string | undefined, name: string): Obj | undefined {
    return this.objects.get(objectKey(rt, namespace, name));
  }

  getByUid(uid: string): { rt: ResourceType; object: Obj } | undefined {
    const key = this.uids.get(uid);
    if (key === undefined) return undefined;
    const object = this.objects.get(key);
    const rt = this.kinds.get(key);
    return object && rt ? { rt, object } : undefined;
  }

  /** Objects of one resource (optionally in one namespace), ordered by namespace then name like etcd keys. */
  list(rt: ResourceType, namespace?: string): Obj[] {
    const namespaces = this.byResource.get(rt);
    if (!namespaces) return [];
    const nsNames = namespace !== undefined && rt.namespaced ? [namespace] : [...namespaces.keys()].sort();
    const out: Obj[] = [];
    for (const ns of nsNames) {
      const names = namespaces.get(ns);
      if (!names) continue;
      for (const name of [...names.keys()].sort()) out.push(names.get(name)!);
    }
    return out;
  }

  /** Objects whose ownerReferences name the owner with this uid. */
  ownedBy(uid: string): { rt: ResourceType; object: Obj }[] {
    const keys = this.byOwner.get(uid);
    if (!keys) return [];
    return [...keys].sort().map((key) => ({ rt: this.kinds.get(key)!, object: this.objects.get(key)! }));
  }

  private index(rt: ResourceType, key: string, obj: Obj | undefined, previous: Obj | undefined): void {
    const meta = (obj ?? previous)!.metadata as Obj;
    const ns = rt.namespaced ? String(meta.namespace ?? "") : "";
    let namespaces = this.byResource.get(rt);
    if (!namespaces) this.byResource.set(rt, (namespaces = new Map()));
    let names = namespaces.get(ns);
    if (!names) namespaces.set(ns, (names = new Map()));
    if (obj) names.set(String(meta.name), obj);
    else {
      names.delete(String(meta.name));
      if (names.size === 0) namespaces.delete(ns);
    }
    const ownerUids = (o: Obj | undefined): string[] =>
      Array.isArray(o?.metadata?.ownerReferences) ? o.metadata.ownerReferences.map((r: Obj) => String(r.uid)) : [];
    for (const uid of ownerUids(previous)) this.byOwner.get(uid)?.delete(key);
    for (const uid of ownerUids(obj)) {
      let keys = this.byOwner.get(uid);
      if (!keys) this.byOwner.set(uid, (keys = new Set()));
      keys.add(key);
    }
  }

  *entries(): IterableIterator<{ rt: ResourceType; object: Obj }> {
    for (const [key, object] of this.objects) yield { rt: this.kinds.get(key)!, object };
  }

  /** Events with resourceVersion > `rv`, oldest first. */
  since(rv: number): readonly StoreEvent[] {
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes a change: assigns the next resourceVersion, freezes and stores the object, records and announces it. */
  commit(type: ChangeType, rt: ResourceType, object: Obj): Obj {
    const meta = object.metadata as Obj;
    const key = objectKey(rt, meta.namespace, meta.name);
    const previous = this.objects.get(key);
    const rv = ++this.rv;
    meta.resourceVersion = String(rv);
    deepFreeze(object);
    if (type === "DELETED") {
      this.objects.delete(key);
      this.kinds.delete(key);
      if (typeof meta.uid === "string") this.uids.delete(meta.uid);
      this.index(rt, key, undefined, previous ?? object);
      if (typeof meta.uid === "string" && this.byOwner.get(meta.uid)?.size === 0) this.byOwner.delete(meta.uid);
    } else {
      this.objects.set(key, object);
      this.kinds.set(key, rt);
      if (typeof meta.uid === "string") this.uids.set(meta.uid, key);
      this.index(rt, key, object, previous);
    }
    const event: StoreEvent = { type, rt, object, previous, rv };
    this.history.push(event);
    while (this.history.length > this.maxHistory) {
      this.history.shift();
      this.evicted = true;
    }
    for (const listener of [...this.listeners]) listener(event);
    return object;
  }
}
