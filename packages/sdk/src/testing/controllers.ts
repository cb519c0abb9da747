/**
 * The controller runtime of the fake: a work queue of (controller, key) pairs fed by store changes and by
 * background timers on the virtual clock, drained synchronously — before and after every API request and after
 * every timer — so any observer sees a settled world at each instant and runs repeat exactly.
 */
import type { VirtualClock } from "./clock.js";
import { SredaError } from "../core/errors.js";
import type { Registry } from "./registry.js";
import { apiVersionOf, resourceByName, type ResourceType } from "./resources.js";
import { ApiError } from "./status.js";
import type { Store, StoreEvent } from "./store.js";
import { deepCopy, rfc3339, type Obj } from "./util.js";

export interface Controller {
  readonly name: string;
  /** Keys to reconcile after a change. */
  keysFor(event: StoreEvent): readonly string[];
  reconcile(key: string): void;
}

const MAX_RECONCILES_PER_DRAIN = 200_000;

export class ControllerManager {
  private readonly controllers: Controller[] = [];
  private readonly queue: [Controller, string][] = [];
  private readonly queued = new Set<string>();
  private readonly timers = new Map<string, { at: number; cancel: () => void }>();
  private draining = false;
  private closed = false;

  constructor(
    store: Store,
    private readonly clock: VirtualClock,
  ) {
    store.subscribe((event) => {
      for (const controller of this.controllers) for (const key of controller.keysFor(event)) this.enqueue(controller, key);
    });
  }

  register(controller: Controller): void {
    this.controllers.push(controller);
  }

  enqueue(controller: Controller, key: string): void {
    const id = `${controller.name}\n${key}`;
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push([controller, key]);
  }

  /** Reconciles `key` again at virtual time `at` (keeps an earlier pending wake-up). */
  wakeAt(controller: Controller, key: string, at: number): void {
    if (this.closed) return;
    const id = `${controller.name}\n${key}`;
    const existing = this.timers.get(id);
    if (existing && existing.at <= at && existing.at >= this.clock.now()) return;
    existing?.cancel();
    const cancel = this.clock.setTimer(
      Math.max(0, at - this.clock.now()),
      () => {
        this.timers.delete(id);
        this.enqueue(controller, key);
        this.drain();
      },
      { background: true },
    );
    this.timers.set(id, { at, cancel });
  }

  /** Runs queued reconciles until the queue is empty. */
  drain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    try {
      let count = 0;
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        const [controller, key] = item;
        this.queued.delete(`${controller.name}\n${key}`);
        controller.reconcile(key);
        if (++count > MAX_RECONCILES_PER_DRAIN) {
          throw new SredaError("FAKE_CLUSTER_BUG", `controllers did not settle after ${MAX_RECONCILES_PER_DRAIN} reconciles (last: ${controller.name} ${key})`);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  get idle(): boolean {
    return this.queue.length === 0;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
  }
}

interface ObjectKey {
  namespace: string | undefined;
  name: string;
}

export function keyOf(obj: Obj): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name}`;
}

export function parseKey(key: string): ObjectKey {
  const i = key.indexOf("/");
  const namespace = key.slice(0, i);
  return { namespace: namespace === "" ? undefined : namespace, name: key.slice(i + 1) };
}

export function rtOf(kind: string): ResourceType {
  const rt = resourceByName(kind);
  if (!rt) throw new SredaError("FAKE_CLUSTER_BUG", `unknown kind ${kind}`);
  return rt;
}

/** The controller's ownerReference to `owner`. */
export function controllerRef(rt: ResourceType, owner: Obj): Obj {
  return { apiVersion: apiVersionOf(rt), kind: rt.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

function isControlledBy(obj: Obj, owner: Obj): boolean {
  return Array.isArray(obj.metadata?.ownerReferences) && obj.metadata.ownerReferences.some((r: Obj) => r.controller === true && r.uid === owner.metadata.uid);
}

/** Objects of kind `rt` whose controller is `owner` (by uid), in namespace/name order. */
export function controlledBy(store: Store, rt: ResourceType, owner: Obj): Obj[] {
  return store
    .ownedBy(String(owner.metadata.uid))
    .filter((o) => o.rt === rt && isControlledBy(o.object, owner))
    .map((o) => o.object);
}

export function controllerOf(obj: Obj): Obj | undefined {
  return Array.isArray(obj.metadata?.ownerReferences) ? obj.metadata.ownerReferences.find((r: Obj) => r.controller === true) : undefined;
}

/**
 * core/v1 Events as client-go's recorder writes them (name `<object>.<hex time>`, aggregated: the same reason and
 * message for the same object bump `count` and `lastTimestamp`).
 */
export class EventRecorder {
  private readonly byIdentity = new Map<string, string>();
  private counter = 0;
  private readonly rt = rtOf("Event");

  constructor(
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  record(
    involvedRt: ResourceType,
    involved: Obj,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    source: { component: string; host?: string },
    fieldPath?: string,
  ): void {
    const namespace = involved.metadata.namespace ?? "default";
    const identity = [involved.metadata.uid, reason, message, type, source.component, source.host ?? "", fieldPath ?? ""].join("\n");
    const time = rfc3339(this.now());
    const existingName = this.byIdentity.get(identity);
    const existing = existingName ? this.store.get(this.rt, namespace, existingName) : undefined;
    if (existing) {
      const next = deepCopy(existing);
      next.count = Number(existing.count ?? 1) + 1;
      next.lastTimestamp = time;
      this.registry.update(this.rt, existing, next, { manager: source.component, fieldValidation: "Strict" });
      return;
    }
    const ns = BigInt(this.now()) * 1_000_000n + BigInt(++this.counter);
    const name = `${involved.metadata.name}.${ns.toString(16)}`;
    const involvedObject: Obj = {
      kind: involvedRt.kind,
      namespace: involved.metadata.namespace,
      name: involved.metadata.name,
      uid: involved.metadata.uid,
      apiVersion: apiVersionOf(involvedRt),
      resourceVersion: involved.metadata.resourceVersion,
    };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const event: Obj = {
      kind: "Event",
      apiVersion: "v1",
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? "",
    };
    try {
      this.registry.create(this.rt, namespace, event, { manager: source.component, fieldValidation: "Strict" });
      this.byIdentity.set(identity, name);
    } catch (error) {
      // The namespace is gone: the event has nowhere to go, like on a real cluster.
      if (!(error instanceof ApiError)) throw error;
    }
  }
}
