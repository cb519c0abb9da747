/**
 * Writes, the way the API server's generic registry performs them (k8s.io/apiserver/pkg/registry/generic/registry
 * store.go + each kind's strategy): decode → admission (namespace exists) → defaulting → validation →
 * preconditions → managedFields → no-op detection → commit. Used by the REST handlers and by the simulated
 * controllers alike, so the controllers' writes bump resourceVersion, record managedFields and reach watches
 * exactly like a client's.
 */
import type { Random } from "./random.js";
import { apiVersionOf, resourceByName, RESOURCES, type ResourceType } from "./resources.js";
import { ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, notFound, preconditionFailed, statusBody } from "./status.js";
import { applyConfiguration, ownershipSignature, printPath, updateOwnership } from "./managed-fields.js";
import { applyDefaults, initialStatus, type DefaultingContext } from "./defaults.js";
import { checkTypeMeta, decodeObject, objectWarnings, validateObject, type FieldValidation } from "./validation.js";
import type { Store } from "./store.js";
import { deepCopy, deepEqual, isRecord, rfc3339, type Obj } from "./util.js";

export interface WriteOptions {
  /** Field manager recorded in managedFields. */
  manager: string;
  /** "scale": only `spec.replicas` of the new object is taken (the apps registries' ScaleREST). */
  subresource?: "status" | "scale";
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** Receives `Warning` header texts. */
  warnings?: string[];
  /** Leaves managedFields as they are (the scheduler's binding writes storage directly, no field manager). */
  untracked?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  /** The legacy option, as given (it only changes the answer's code). */
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

interface DeleteResult {
  /** What the DELETE answers: the object (still terminating, or for kinds that return it) or a Success Status. */
  body: Obj;
  /** The object is gone from the store. */
  deleted: boolean;
}

interface RegistryDeps {
  store: Store;
  now(): number;
  random: { names: Random; uids: Random; ips: Random };
}

/** Pods on a node are deleted gracefully: they stay (with deletionTimestamp) until the kubelet stopped them. */
function podNeedsKubelet(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return pod.spec?.nodeName !== undefined && phase !== "Succeeded" && phase !== "Failed";
}

const METADATA_ORDER = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];
const TOP_ORDER = ["kind", "apiVersion", "metadata"];

/** JSON key order as the API server writes it (Go struct field order): kind, apiVersion, metadata, …, status last. */
function normalizeOrder(obj: Obj): Obj {
  const out: Obj = {};
  for (const key of TOP_ORDER) if (obj[key] !== undefined) out[key] = obj[key];
  for (const key of Object.keys(obj)) if (!TOP_ORDER.includes(key) && key !== "status" && obj[key] !== undefined) out[key] = obj[key];
  if (obj.status !== undefined) out.status = obj.status;
  if (isRecord(obj.metadata)) {
    const meta: Obj = {};
    for (const key of METADATA_ORDER) if (obj.metadata[key] !== undefined) meta[key] = obj.metadata[key];
    for (const key of Object.keys(obj.metadata)) if (!(key in meta) && obj.metadata[key] !== undefined) meta[key] = obj.metadata[key];
    out.metadata = meta;
  }
  return out;
}

/** Returned by deletes of kinds whose registry does not return the deleted object. */
function successStatus(rt: ResourceType, obj: Obj): Obj {
  const details: Obj = { name: obj.metadata.name };
  if (rt.group !== "") details.group = rt.group;
  details.kind = rt.plural;
  details.uid = obj.metadata.uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

const RETURNS_DELETED_OBJECT = new Set(["Pod", "Service", "Namespace"]);

export class Registry {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly random: RegistryDeps["random"];
  private readonly usedIPs = new Set<string>();
  private readonly usedNodePorts = new Set<number>();
  private readonly defaulting: DefaultingContext;
  /** Set by the simulated kubelet: whether it has stopped a pod's containers after a graceful delete. */
  podStopped: (uid: string) => boolean = () => false;

  constructor(deps: RegistryDeps) {
    this.store = deps.store;
    this.now = deps.now;
    this.random = deps.random;
    this.defaulting = {
      suffix: () => this.random.names.chars(5),
      allocateClusterIP: () => {
        for (;;) {
          const ip = `10.43.${this.random.ips.int(256)}.${1 + this.random.ips.int(254)}`;
          if (ip !== "10.43.0.1" && ip !== "10.43.0.10" && !this.usedIPs.has(ip)) {
            this.usedIPs.add(ip);
            return ip;
          }
        }
      },
      allocateNodePort: () => {
        for (;;) {
          const port = 30000 + this.random.ips.int(2768);
          if (!this.usedNodePorts.has(port)) {
            this.usedNodePorts.add(port);
            return port;
          }
        }
      },
    };
  }

  uid(): string {
    return this.random.uids.uuid();
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): Obj {
    const obj = this.store.get(rt, namespace, name);
    if (!obj) throw notFound(rt, name);
    return obj;
  }

  private namespaceRt(): ResourceType {
    return resourceByName("Namespace")!;
  }

  /** NamespaceLifecycle admission: creates need an existing, non-terminating namespace. */
  private admitNamespace(rt: ResourceType, namespace: string | undefined, name: string, manager: string): void {
    if (!rt.namespaced || namespace === undefined) return;
    const ns = this.store.get(this.namespaceRt(), undefined, namespace);
    if (!ns) throw notFound(this.namespaceRt(), namespace);
    if (ns.metadata.deletionTimestamp !== undefined && rt.kind !== "Event") {
      const err = forbidden(manager, "create", rt, namespace, name);
      throw new ApiError({
        ...err.status,
        message: `${rt.group === "" ? rt.plural : `${rt.plural}.${rt.group}`} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        details: {
          ...err.status.details,
          causes: [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }],
        },
      });
    }
  }

  private checkNamespace(rt: ResourceType, meta: Obj, namespace: string | undefined): void {
    if (!rt.namespaced) {
      delete meta.namespace;
      return;
    }
    if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    meta.namespace = namespace;
  }

  // -------------------------------------------------------------------------------------------
  // create

  /** Creates an object. Takes ownership of `input` (it is edited in place: pass a fresh object). */
  create(rt: ResourceType, namespace: string | undefined, input: unknown, options: WriteOptions): Obj {
    checkTypeMeta(rt, input);
    const body: Obj = input;
    const meta: Obj = isRecord(body.metadata) ? body.metadata : (body.metadata = {});
    this.checkNamespace(rt, meta, namespace);
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== "") {
      throw new ApiError(
        statusBody(500, "InternalError", "Internal error occurred: resourceVersion should not be set on objects to be created", {
          causes: [{ message: "resourceVersion should not be set on objects to be created" }],
        }),
      );
    }
    if ((meta.name === undefined || meta.name === "") && typeof meta.generateName === "string" && meta.generateName !== "") {
      meta.name = `${meta.generateName}${this.random.names.chars(5)}`;
    }
    for (const key of [
      "uid",
      "creationTimestamp",
      "deletionTimestamp",
      "deletionGracePeriodSeconds",
      "generation",
      "selfLink",
      "managedFields",
      "resourceVersion",
    ])
      delete meta[key];
    const decoded = decodeObject(rt, body, { fieldValidation: options.fieldValidation ?? "Warn" });
    options.warnings?.push(...decoded.warnings);
    return this.finishCreate(rt, namespace, decoded.object, decoded.problems, options, undefined);
  }

  private finishCreate(
    rt: ResourceType,
    namespace: string | undefined,
    obj: Obj,
    problems: ReturnType<typeof decodeObject>["problems"],
    options: WriteOptions,
    managedFields: Obj[] | undefined,
  ): Obj {
    const meta: Obj = obj.metadata;
    const name = String(meta.name ?? "");
    if (name !== "") this.admitNamespace(rt, namespace, name, options.manager);
    meta.uid = this.uid();
    meta.creationTimestamp = rfc3339(this.now());
    if (rt.generation) meta.generation = 1;
    if (rt.statusSubresource) {
      const status = initialStatus(rt, obj);
      if (status === undefined) delete obj.status;
      else obj.status = status;
    }
    applyDefaults(rt, obj, this.defaulting, undefined);
    if (rt.kind === "Pod" && isRecord(obj.status)) obj.status = initialStatus(rt, obj);
    validateObject(rt, obj, problems, undefined);
    options.warnings?.push(...objectWarnings(rt, obj));
    if (this.store.get(rt, namespace, name)) throw alreadyExists(rt, name);
    meta.managedFields =
      managedFields ?? updateOwnership(undefined, obj, { kind: rt.kind, manager: options.manager, apiVersion: apiVersionOf(rt), now: this.now() });
    if (meta.managedFields.length === 0) delete meta.managedFields;
    const normalized = normalizeOrder(obj);
    if (options.dryRun) return normalized;
    return this.store.commit("ADDED", rt, normalized);
  }

  // -------------------------------------------------------------------------------------------
  // update (PUT, patches, controllers)

  /** PUT: the whole object. `metadata.resourceVersion`, when given, must match (optimistic concurrency). */
  replace(rt: ResourceType, namespace: string | undefined, name: string, input: unknown, options: WriteOptions): Obj {
    checkTypeMeta(rt, input);
    const body: Obj = deepCopy(input);
    const meta: Obj = isRecord(body.metadata) ? body.metadata : (body.metadata = {});
    this.checkNamespace(rt, meta, namespace);
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    }
    meta.name = name;
    const old = this.get(rt, namespace, name);
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== "" && meta.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(rt, name);
    }
    const decoded = decodeObject(rt, body, { fieldValidation: options.fieldValidation ?? "Warn" });
    options.warnings?.push(...decoded.warnings);
    return this.finishUpdate(rt, old, decoded.object, decoded.problems, options, undefined);
  }

  /**
   * Patches and internal writes: `next` is the complete new object (already patched). Takes ownership of `next`;
   * a status write may share unchanged (frozen) parts with `old`, it only reads them.
   */
  update(rt: ResourceType, old: Obj, next: Obj, options: WriteOptions): Obj {
    const body = options.subresource === "status" ? { ...next, metadata: { ...next.metadata } } : next;
    const meta: Obj = isRecord(body.metadata) ? body.metadata : (body.metadata = {});
    if (meta.name !== old.metadata.name)
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${String(old.metadata.name)})`);
    if (rt.namespaced && meta.namespace !== old.metadata.namespace)
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== old.metadata.resourceVersion) throw conflict(rt, String(meta.name));
    const decoded = decodeObject(rt, body, { fieldValidation: options.fieldValidation ?? "Warn" });
    options.warnings?.push(...decoded.warnings);
    return this.finishUpdate(rt, old, decoded.object, decoded.problems, options, undefined);
  }

  /** Server-side apply; creates the object when it does not exist. */
  apply(rt: ResourceType, namespace: string | undefined, name: string, input: unknown, options: WriteOptions & { force: boolean }): Obj {
    checkTypeMeta(rt, input, "apply");
    const body: Obj = deepCopy(input);
    const meta: Obj = isRecord(body.metadata) ? body.metadata : (body.metadata = {});
    const configured = { namespace: typeof meta.namespace === "string" ? meta.namespace : undefined, name: typeof meta.name === "string" ? meta.name : name };
    this.checkNamespace(rt, meta, namespace);
    if (meta.name !== undefined && meta.name !== name)
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    meta.name = name;
    if (meta.managedFields !== undefined && meta.managedFields !== null) throw badRequest("metadata.managedFields must be nil");
    const old = this.store.get(rt, namespace, name);
    if (old && meta.resourceVersion !== undefined && meta.resourceVersion !== old.metadata.resourceVersion) throw conflict(rt, name);
    if (meta.uid !== undefined && old && meta.uid !== old.metadata.uid) {
      throw conflict(rt, name, `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${String(old.metadata.uid)}`);
    }
    decodeObject(rt, deepCopy(body), { fieldValidation: "Strict", apply: configured });
    const result = applyConfiguration(old, body, {
      kind: rt.kind,
      manager: options.manager,
      apiVersion: apiVersionOf(rt),
      now: this.now(),
      force: options.force,
      ...(options.subresource ? { subresource: options.subresource } : {}),
    });
    if (result.conflicts.length > 0) throw this.applyConflict(result.conflicts);
    const merged = result.object;
    const managedFields = merged.metadata.managedFields as Obj[];
    const decoded = decodeObject(rt, merged, { fieldValidation: "Ignore" });
    if (!old) {
      for (const key of ["uid", "creationTimestamp", "resourceVersion", "generation"]) delete decoded.object.metadata[key];
      return this.finishCreate(rt, namespace, decoded.object, decoded.problems, options, managedFields);
    }
    return this.finishUpdate(rt, old, decoded.object, decoded.problems, options, managedFields);
  }

  private applyConflict(conflicts: ReturnType<typeof applyConfiguration>["conflicts"]): ApiError {
    const describe = (e: (typeof conflicts)[number]["manager"]): string => {
      let text = JSON.stringify(e.manager);
      if (e.subresource) text += ` with subresource ${JSON.stringify(e.subresource)}`;
      if (e.operation === "Update") text += e.time ? ` using ${e.apiVersion} at ${e.time}` : ` using ${e.apiVersion}`;
      return text;
    };
    const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describe(c.manager)}`, field: printPath(c.path) }));
    let message: string;
    if (conflicts.length === 1) {
      message = `Apply failed with 1 conflict: conflict with ${describe(conflicts[0]!.manager)}: ${printPath(conflicts[0]!.path)}`;
    } else {
      const byManager = new Map<string, string[]>();
      for (const c of conflicts) {
        const key = describe(c.manager);
        byManager.set(key, [...(byManager.get(key) ?? []), printPath(c.path)]);
      }
      const lines: string[] = [];
      for (const key of [...byManager.keys()].sort()) {
        lines.push(`conflicts with ${key}:`);
        for (const path of byManager.get(key)!) lines.push(`- ${path}`);
      }
      message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
    }
    // The apply conflict error (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager) names no object: its details
    // carry the causes only.
    return new ApiError(statusBody(409, "Conflict", message, { causes }));
  }

  private finishUpdate(
    rt: ResourceType,
    old: Obj,
    candidate: Obj,
    problems: ReturnType<typeof decodeObject>["problems"],
    options: WriteOptions,
    appliedManagedFields: Obj[] | undefined,
  ): Obj {
    let next: Obj;
    const statusWrite = options.subresource === "status";
    if (statusWrite) {
      // Status strategies keep everything but status (and, for Deployments, annotations the controller writes).
      // Unchanged parts are shared with the stored (frozen) object, never edited.
      next = { ...old, metadata: { ...old.metadata }, status: candidate.status };
      if (rt.kind === "Deployment" && candidate.metadata?.annotations !== undefined) next.metadata.annotations = candidate.metadata.annotations;
    } else if (options.subresource === "scale") {
      next = deepCopy(old);
      next.spec = { ...(next.spec ?? {}), replicas: candidate.spec?.replicas };
    } else {
      next = candidate;
      if (rt.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = deepCopy(old.status);
      }
    }
    const meta: Obj = next.metadata;
    for (const key of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"]) {
      if (old.metadata[key] === undefined) delete meta[key];
      else meta[key] = old.metadata[key];
    }
    meta.name = old.metadata.name;
    if (rt.namespaced) meta.namespace = old.metadata.namespace;
    meta.resourceVersion = old.metadata.resourceVersion;
    if (appliedManagedFields === undefined && meta.managedFields === undefined && old.metadata.managedFields !== undefined)
      meta.managedFields = deepCopy(old.metadata.managedFields);
    if (old.metadata.deletionTimestamp !== undefined) {
      // Finalizers may only be removed from an object being deleted.
      const oldFinalizers: unknown[] = Array.isArray(old.metadata.finalizers) ? old.metadata.finalizers : [];
      const newFinalizers: unknown[] = Array.isArray(meta.finalizers) ? meta.finalizers : [];
      if (newFinalizers.some((f) => !oldFinalizers.includes(f))) {
        throw invalid(rt, String(meta.name), [
          { reason: "FieldValueForbidden", message: "Forbidden: no new finalizers can be added if the object is being deleted", field: "metadata.finalizers" },
        ]);
      }
    }
    if (!statusWrite) {
      applyDefaults(rt, next, this.defaulting, old);
      validateObject(rt, next, problems, old);
      options.warnings?.push(...objectWarnings(rt, next));
    }
    if (rt.generation && !statusWrite) {
      // Binding a pod to a node is not a spec change the pod's generation counts.
      const specChanged =
        rt.kind === "Pod" ? !deepEqual({ ...next.spec, nodeName: undefined }, { ...old.spec, nodeName: undefined }) : !deepEqual(next.spec, old.spec);
      const annotationsChanged = rt.kind === "Deployment" && !deepEqual(next.metadata.annotations ?? {}, old.metadata.annotations ?? {});
      if (specChanged || annotationsChanged) meta.generation = Number(old.metadata.generation ?? 0) + 1;
    }
    if (appliedManagedFields !== undefined) meta.managedFields = appliedManagedFields;
    else if (options.untracked) meta.managedFields = old.metadata.managedFields === undefined ? undefined : deepCopy(old.metadata.managedFields);
    else {
      const ownership = updateOwnership(old, next, {
        kind: rt.kind,
        manager: options.manager,
        apiVersion: apiVersionOf(rt),
        now: this.now(),
        ...(options.subresource ? { subresource: options.subresource } : {}),
      });
      meta.managedFields = ownership;
    }
    if (Array.isArray(meta.managedFields) && meta.managedFields.length === 0) delete meta.managedFields;
    const normalized = normalizeOrder(next);
    if (this.isNoOp(old, normalized)) return old;
    if (options.dryRun) return normalized;
    const committed = this.store.commit("MODIFIED", rt, normalized);
    return this.finalizeIfDone(rt, committed);
  }

  /** A write that changes nothing (besides managedFields timestamps) is not written: no new resourceVersion. */
  private isNoOp(old: Obj, next: Obj): boolean {
    const strip = (o: Obj): Obj => ({ ...o, metadata: { ...o.metadata, managedFields: undefined, resourceVersion: undefined } });
    return deepEqual(strip(old), strip(next)) && deepEqual(ownershipSignature(old), ownershipSignature(next));
  }

  /** An object being deleted goes away when its last finalizer is removed. */
  private finalizeIfDone(rt: ResourceType, obj: Obj): Obj {
    const finalizers = obj.metadata.finalizers;
    if (obj.metadata.deletionTimestamp === undefined || (Array.isArray(finalizers) && finalizers.length > 0)) return obj;
    if (rt.kind === "Pod" && podNeedsKubelet(obj) && !this.podStopped(String(obj.metadata.uid))) return obj;
    if (rt.kind === "Namespace" && Array.isArray(obj.spec?.finalizers) && obj.spec.finalizers.length > 0) return obj;
    return this.store.commit("DELETED", rt, deepCopy(obj));
  }

  // -------------------------------------------------------------------------------------------
  // delete

  delete(rt: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const obj = this.get(rt, namespace, name);
    const { preconditions } = options;
    if (preconditions?.uid !== undefined && preconditions.uid !== obj.metadata.uid) {
      throw preconditionFailed(rt, name, "UID", preconditions.uid, String(obj.metadata.uid));
    }
    if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== obj.metadata.resourceVersion) {
      throw preconditionFailed(rt, name, "ResourceVersion", preconditions.resourceVersion, String(obj.metadata.resourceVersion));
    }
    const policy = options.propagationPolicy ?? rt.defaultPropagation;
    const next: Obj = deepCopy(obj);
    const meta: Obj = next.metadata;
    const finalizers: string[] = Array.isArray(meta.finalizers) ? [...meta.finalizers] : [];
    if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");

    const already = obj.metadata.deletionTimestamp !== undefined;
    const now = this.now();
    let graceful = false;
    if (rt.kind === "Pod" && podNeedsKubelet(obj) && !this.podStopped(String(obj.metadata.uid))) {
      const grace = options.gracePeriodSeconds ?? Number(obj.spec?.terminationGracePeriodSeconds ?? 30);
      graceful = true;
      if (!already || grace < Number(obj.metadata.deletionGracePeriodSeconds ?? Infinity)) {
        // The kubelet stops the containers (quickly in the fake) and then removes the pod.
        meta.deletionGracePeriodSeconds = grace;
        meta.deletionTimestamp = rfc3339(now + grace * 1000);
      }
    }
    if (rt.kind === "Namespace") {
      if (!already) {
        meta.deletionTimestamp = rfc3339(now);
        next.status = { ...(next.status ?? {}), phase: "Terminating" };
      }
      if (options.dryRun) return { body: normalizeOrder(next), deleted: false };
      const committed = already ? obj : this.store.commit("MODIFIED", rt, normalizeOrder(next));
      return { body: committed, deleted: false };
    }
    if (options.dryRun) return { body: RETURNS_DELETED_OBJECT.has(rt.kind) ? obj : successStatus(rt, obj), deleted: false };
    if (finalizers.length > 0 || graceful) {
      if (already && deepEqual(finalizers, obj.metadata.finalizers ?? []) && deepEqual(meta.deletionTimestamp, obj.metadata.deletionTimestamp))
        return { body: obj, deleted: false };
      meta.finalizers = finalizers.length > 0 ? finalizers : undefined;
      if (!already && meta.deletionTimestamp === undefined) {
        meta.deletionTimestamp = rfc3339(now);
        meta.deletionGracePeriodSeconds = 0;
      }
      // Being deleted changes what the object's controllers should do: the first deletionTimestamp bumps the
      // generation of kinds that have one (rest.BeforeDelete, markAsDeleting).
      if (!already && typeof meta.generation === "number" && meta.generation > 0) meta.generation += 1;
      const committed = this.store.commit("MODIFIED", rt, normalizeOrder(next));
      return { body: committed, deleted: false };
    }
    if (meta.deletionTimestamp === undefined) {
      meta.deletionTimestamp = rfc3339(now);
      meta.deletionGracePeriodSeconds = 0;
    }
    const gone = this.store.commit("DELETED", rt, normalizeOrder(next));
    return { body: RETURNS_DELETED_OBJECT.has(rt.kind) ? gone : successStatus(rt, gone), deleted: true };
  }

  /** Re-checks an object being deleted (after a finalizer or the kubelet's termination mark changed). */
  finalize(rt: ResourceType, obj: Obj): void {
    this.finalizeIfDone(rt, obj);
  }

  allResources(): readonly ResourceType[] {
    return RESOURCES;
  }
}
