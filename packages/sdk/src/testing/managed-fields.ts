/**
 * Field ownership (`metadata.managedFields`) and server-side apply, after sigs.k8s.io/structured-merge-diff:
 * - a field set is the set of paths an object sets (`f:spec/f:replicas`, list items by key
 *   `k:{"name":"lms"}`, set items `v:"x"`); structs are implied by their children, granular maps and list items
 *   are members themselves, atomic values are leaves;
 * - an Update (create, PUT, merge patch, a controller's status write) gives its manager the fields it changed and
 *   takes them from everyone else;
 * - an Apply owns exactly the fields of its configuration: a field another manager owns with a different value
 *   is a conflict (409) unless `force=true`, which takes it over; a field the applier owned before and omits now
 *   is removed from the object unless someone else also owns it;
 * - the `scale` subresource (managedfields.ScaleHandler) writes `spec.replicas` only: its Update takes the field from
 *   the object's other managers and records it as the manager's `scale` entry in the parent's apiVersion, with no
 *   time (the handler keeps the parent's times, and a new manager has none). Status entries and the others never share
 *   fields, so each write meets only the entries of its own side.
 */
import { isAtomicStruct, itemKey, listTypeAt, sameKey, GRANULAR_MAPS } from "./list-types.js";
import { deepCopy, deepEqual, isRecord, rfc3339, type Obj } from "./util.js";

interface ManagedEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: Set<string>;
  /** The stored entry this was read from, reused as is when nothing changed (no re-encoding). */
  original?: Obj;
  dirty?: boolean;
}

const SEP = "\n";

/** Metadata the API server never tracks in managedFields. */
const UNTRACKED_METADATA = [
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "generateName",
];

/** The part of an object a write on `subresource` manages: status for "status", everything else otherwise. */
function trackedPart(obj: Obj, subresource: string | undefined): Obj {
  // A read-only view (shallow copies of the two top levels): field sets only read it.
  if (subresource === "status") return isRecord(obj.status) ? { status: obj.status } : {};
  if (subresource === "scale") return isRecord(obj.spec) && obj.spec.replicas !== undefined ? { spec: { replicas: obj.spec.replicas } } : {};
  const view: Obj = { ...obj };
  delete view.apiVersion;
  delete view.kind;
  delete view.status;
  if (isRecord(view.metadata)) {
    const meta: Obj = { ...view.metadata };
    for (const key of UNTRACKED_METADATA) delete meta[key];
    if (Object.keys(meta).length === 0) delete view.metadata;
    else view.metadata = meta;
  }
  return view;
}

function keySegment(key: Record<string, unknown>): string {
  return `k:${JSON.stringify(key)}`;
}

/**
 * The field set of a (tracked part of an) object. As an Update sees it (the default), maps and lists are members
 * themselves (`"."` in FieldsV1) besides their entries; an applied configuration's set (`apply`, structured-merge-diff's
 * ToFieldSet) has only leaves, list items, atomic values and empty maps.
 */
function fieldSet(kind: string, obj: unknown, mode: "update" | "apply" = "update"): Set<string> {
  const out = new Set<string>();
  const apply = mode === "apply";
  const walk = (value: unknown, path: string, names: string[]): void => {
    if (isRecord(value)) {
      if (names.length > 0 && isAtomicStruct(kind, names)) {
        out.add(path);
        return;
      }
      const granular = GRANULAR_MAPS.has(names[names.length - 1] ?? "");
      const keys = Object.keys(value).filter((k) => value[k] !== undefined && value[k] !== null);
      if (names.length > 0 && ((granular && !apply) || keys.length === 0)) out.add(path);
      for (const key of keys) {
        const child = path === "" ? `f:${key}` : `${path}${SEP}f:${key}`;
        walk(value[key], child, [...names, key]);
      }
      return;
    }
    if (Array.isArray(value)) {
      const type = listTypeAt(names, value);
      if (!apply || type.type === "atomic") out.add(path);
      if (type.type === "map") {
        for (const item of value) {
          const key = itemKey(type, item);
          if (!key) continue;
          const itemPath = `${path}${SEP}${keySegment(key)}`;
          out.add(itemPath);
          if (isRecord(item)) {
            for (const field of Object.keys(item)) {
              if (item[field] === undefined || item[field] === null) continue;
              walk(item[field], `${itemPath}${SEP}f:${field}`, [...names, field]);
            }
          }
        }
      } else if (type.type === "set") {
        for (const item of value) out.add(`${path}${SEP}v:${JSON.stringify(item)}`);
      }
      return;
    }
    if (path !== "") out.add(path);
  };
  walk(obj, "", []);
  return out;
}

/** The value at a field path, or undefined. */
function valueAt(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const segment of path.split(SEP)) {
    if (node === undefined) return undefined;
    if (segment.startsWith("f:")) node = isRecord(node) ? node[segment.slice(2)] : undefined;
    else if (segment.startsWith("k:")) {
      const key = JSON.parse(segment.slice(2)) as Record<string, unknown>;
      const keys = { keys: Object.keys(key) };
      node = Array.isArray(node) ? node.find((item) => sameKey(itemKey(keys, item), key)) : undefined;
    } else if (segment.startsWith("v:")) {
      const wanted = JSON.parse(segment.slice(2)) as unknown;
      node = Array.isArray(node) && node.some((item) => deepEqual(item, wanted)) ? wanted : undefined;
    } else return undefined;
  }
  return node;
}

/** Removes the value at a field path (a map key, a keyed list item, a set item). */
function deleteAt(obj: Obj, path: string): void {
  const segments = path.split(SEP);
  const last = segments.pop()!;
  const parent = segments.length === 0 ? obj : valueAt(obj, segments.join(SEP));
  if (last.startsWith("f:")) {
    if (isRecord(parent)) delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const target = valueAt(parent, last);
    const index = last.startsWith("v:") ? parent.findIndex((item) => deepEqual(item, target)) : parent.indexOf(target);
    if (index >= 0) parent.splice(index, 1);
  }
}

function hasDescendantOrSelf(set: Set<string>, path: string): boolean {
  if (set.has(path)) return true;
  const prefix = path + SEP;
  for (const p of set) if (p.startsWith(prefix)) return true;
  return false;
}

/** Paths of `set` that have descendants in it (everything else is a leaf). */
function interiorOf(set: Set<string>): Set<string> {
  const interior = new Set<string>();
  for (const path of set) {
    for (let i = path.lastIndexOf(SEP); i > 0; i = path.lastIndexOf(SEP, i - 1)) {
      const prefix = path.slice(0, i);
      if (interior.has(prefix)) break;
      interior.add(prefix);
    }
  }
  return interior;
}

/** structured-merge-diff's order of path elements of one kind: field names, then keys, then values, then indices. */
const SEGMENT_KIND_ORDER = "fkvi";

/**
 * The order in which structured-merge-diff iterates a field set: at each level the paths that end there (members)
 * first, then those that go deeper, each group by path element.
 */
function comparePaths(a: string, b: string): number {
  const x = a.split(SEP);
  const y = b.split(SEP);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const endX = i === x.length - 1;
    const endY = i === y.length - 1;
    if (endX !== endY) return endX ? -1 : 1;
    if (x[i] === y[i]) continue;
    const kind = SEGMENT_KIND_ORDER.indexOf(x[i]![0]!) - SEGMENT_KIND_ORDER.indexOf(y[i]![0]!);
    if (kind !== 0) return kind;
    return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/** Human form of a field path as conflicts print it: `.spec.template.spec.containers[name="lms"].image`. */
export function printPath(path: string): string {
  return path
    .split(SEP)
    .map((segment) => {
      if (segment.startsWith("f:")) return `.${segment.slice(2)}`;
      if (segment.startsWith("k:")) {
        const key = JSON.parse(segment.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(",")}]`;
      }
      return `[=${segment.slice(2)}]`;
    })
    .join("");
}

// ---------------------------------------------------------------------------------------------
// FieldsV1 encoding

interface TreeNode {
  member: boolean;
  children: Map<string, TreeNode>;
}

function encodeFieldsV1(set: Set<string>): Obj {
  const root: TreeNode = { member: false, children: new Map() };
  for (const path of set) {
    let node = root;
    for (const segment of path.split(SEP)) {
      let child = node.children.get(segment);
      if (!child) {
        child = { member: false, children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.member = true;
  }
  const serialize = (node: TreeNode): Obj => {
    const out: Obj = {};
    if (node.member && node.children.size > 0) out["."] = {};
    for (const key of [...node.children.keys()].sort()) out[key] = serialize(node.children.get(key)!);
    return out;
  };
  return serialize(root);
}

const decoded = new WeakMap<object, Set<string>>();

/** FieldsV1 → set of paths; stored (frozen) entries are decoded once. */
function decodeFieldsV1(fields: unknown): Set<string> {
  if (!isRecord(fields)) return new Set();
  let cached = decoded.get(fields);
  if (!cached) {
    cached = decodeFieldsV1Uncached(fields);
    if (Object.isFrozen(fields)) decoded.set(fields, cached);
  }
  return new Set(cached);
}

function decodeFieldsV1Uncached(fields: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown, path: string): void => {
    if (!isRecord(node)) return;
    const keys = Object.keys(node).filter((k) => k !== ".");
    if (path !== "" && (keys.length === 0 || Object.hasOwn(node, "."))) out.add(path);
    for (const key of keys) walk(node[key], path === "" ? key : `${path}${SEP}${key}`);
  };
  walk(fields, "");
  return out;
}

function readEntries(obj: Obj | undefined): ManagedEntry[] {
  const raw = obj?.metadata?.managedFields;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((e): ManagedEntry => {
    const entry: ManagedEntry = {
      manager: String(e.manager ?? ""),
      operation: e.operation === "Apply" ? "Apply" : "Update",
      apiVersion: String(e.apiVersion ?? ""),
      set: decodeFieldsV1(e.fieldsV1),
      original: e,
    };
    if (typeof e.subresource === "string" && e.subresource !== "") entry.subresource = e.subresource;
    if (typeof e.time === "string") entry.time = e.time;
    return entry;
  });
}

/** The order the API server keeps managedFields in (fieldmanager's sortEncodedManagedFields). */
function compareEntries(p: ManagedEntry, q: ManagedEntry): number {
  if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
  const seconds = (e: ManagedEntry): number => (e.time === undefined ? 0 : Math.floor(Date.parse(e.time) / 1000));
  if (seconds(p) !== seconds(q)) return seconds(p) - seconds(q);
  for (const key of ["manager", "apiVersion", "subresource"] as const) {
    const a = p[key] ?? "";
    const b = q[key] ?? "";
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

function writeEntries(entries: ManagedEntry[]): Obj[] {
  return entries
    .filter((e) => e.set.size > 0)
    .sort(compareEntries)
    .map((e) => {
      if (e.original && !e.dirty) return e.original;
      const out: Obj = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
      if (e.time !== undefined) out.time = e.time;
      out.fieldsType = "FieldsV1";
      out.fieldsV1 = encodeFieldsV1(e.set);
      if (e.subresource !== undefined) out.subresource = e.subresource;
      return out;
    });
}

/** Whether an entry's fields can meet a write's: status entries own status only, the others (scale's too) the rest. */
function sharesFields(entrySubresource: string | undefined, writeSubresource: string | undefined): boolean {
  return (entrySubresource === "status") === (writeSubresource === "status");
}

function sameOwner(e: ManagedEntry, manager: string, operation: string, subresource: string | undefined): boolean {
  return e.manager === manager && e.operation === operation && e.subresource === subresource;
}

// ---------------------------------------------------------------------------------------------
// Update

interface OwnershipOptions {
  kind: string;
  manager: string;
  apiVersion: string;
  subresource?: string;
  now: number;
}

/** managedFields after an Update-type write that turned `before` (undefined on create) into `after`. */
export function updateOwnership(before: Obj | undefined, after: Obj, options: OwnershipOptions): Obj[] {
  const { kind, manager, apiVersion, subresource } = options;
  const entries = readEntries(before);
  const oldPart = before ? trackedPart(before, subresource) : {};
  const newPart = trackedPart(after, subresource);
  const oldSet = fieldSet(kind, oldPart);
  const newSet = fieldSet(kind, newPart);
  const interior = interiorOf(newSet);
  const changed = new Set<string>();
  for (const path of newSet) {
    if (!oldSet.has(path)) changed.add(path);
    else if (!interior.has(path) && !deepEqual(valueAt(oldPart, path), valueAt(newPart, path))) changed.add(path);
  }
  const removed = [...oldSet].filter((p) => !newSet.has(p));
  if (changed.size === 0 && removed.length === 0) return writeEntries(entries);
  for (const entry of entries) {
    if (!sharesFields(entry.subresource, subresource)) continue;
    for (const path of [...changed, ...removed]) if (entry.set.delete(path)) entry.dirty = true;
  }
  let mine = entries.find((e) => sameOwner(e, manager, "Update", subresource));
  if (!mine) {
    mine = { manager, operation: "Update", apiVersion, set: new Set() };
    if (subresource !== undefined) mine.subresource = subresource;
    entries.push(mine);
  }
  for (const path of changed) mine.set.add(path);
  if (changed.size > 0) {
    if (subresource !== "scale") mine.time = rfc3339(options.now);
    mine.dirty = true;
  }
  return writeEntries(entries);
}

// ---------------------------------------------------------------------------------------------
// Apply

interface ApplyConflict {
  manager: ManagedEntry;
  path: string;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isRecord(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = stripNulls(v);
  return out;
}

function mergeApplied(kind: string, live: unknown, applied: unknown, names: string[]): unknown {
  if (isRecord(applied) && isRecord(live) && !(names.length > 0 && isAtomicStruct(kind, names))) {
    const result: Obj = deepCopy(live);
    for (const [key, value] of Object.entries(applied)) result[key] = mergeApplied(kind, live[key], value, [...names, key]);
    return result;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const type = listTypeAt(names, applied);
    if (type.type === "map") {
      const result = deepCopy(live) as unknown[];
      for (const item of applied) {
        const key = itemKey(type, item);
        const index = key ? result.findIndex((r) => sameKey(itemKey(type, r), key)) : -1;
        if (index >= 0) result[index] = mergeApplied(kind, result[index], item, names);
        else result.push(deepCopy(item));
      }
      return result;
    }
    if (type.type === "set") return [...deepCopy(live), ...applied.filter((a) => !live.some((l) => deepEqual(l, a)))];
  }
  return deepCopy(applied);
}

interface ApplyResult {
  object: Obj;
  conflicts: ApplyConflict[];
}

/**
 * Server-side apply of `applied` (the request body) onto `live` (undefined when creating). Returns the merged
 * object with its new managedFields, or the conflicts (and the object unchanged) when there are any and
 * `force` is false.
 */
export function applyConfiguration(live: Obj | undefined, applied: Obj, options: OwnershipOptions & { force: boolean }): ApplyResult {
  const { kind, manager, apiVersion, subresource, force } = options;
  const cleanApplied = stripNulls(applied) as Obj;
  const appliedPart = trackedPart(cleanApplied, subresource);
  const appliedSet = fieldSet(kind, appliedPart, "apply");
  const entries = readEntries(live);
  const livePart = live ? trackedPart(live, subresource) : {};

  const conflicts: ApplyConflict[] = [];
  const appliedInterior = interiorOf(appliedSet);
  for (const entry of entries) {
    if (!sharesFields(entry.subresource, subresource) || sameOwner(entry, manager, "Apply", subresource)) continue;
    for (const path of appliedSet) {
      if (!entry.set.has(path) || appliedInterior.has(path)) continue;
      if (!deepEqual(valueAt(appliedPart, path), valueAt(livePart, path))) conflicts.push({ manager: entry, path });
    }
  }
  // By manager, each manager's paths in field set order (the API server's causes and message list them so).
  conflicts.sort((p, q) => (p.manager.manager !== q.manager.manager ? (p.manager.manager < q.manager.manager ? -1 : 1) : comparePaths(p.path, q.path)));
  if (conflicts.length > 0 && !force) return { object: live ?? cleanApplied, conflicts };
  for (const { manager: entry, path } of conflicts) {
    for (const p of [...entry.set]) if (p === path || p.startsWith(path + SEP)) entry.set.delete(p);
    entry.dirty = true;
  }

  const merged = (live ? mergeApplied(kind, live, cleanApplied, []) : deepCopy(cleanApplied)) as Obj;
  let mine = entries.find((e) => sameOwner(e, manager, "Apply", subresource));
  const previous = mine?.set ?? new Set<string>();
  const others = entries.filter((e) => e !== mine && sharesFields(e.subresource, subresource));
  const removed = [...previous].filter((p) => !appliedSet.has(p)).sort((a, b) => b.split(SEP).length - a.split(SEP).length);
  for (const path of removed) {
    if (others.some((e) => hasDescendantOrSelf(e.set, path))) continue;
    if (appliedSet.has(path) || [...appliedSet].some((p) => p.startsWith(path + SEP))) continue;
    deleteAt(merged, path);
  }
  if (!mine) {
    mine = { manager, operation: "Apply", apiVersion, set: appliedSet };
    if (subresource !== undefined) mine.subresource = subresource;
    entries.push(mine);
  }
  mine.set = appliedSet;
  mine.apiVersion = apiVersion;
  mine.time = rfc3339(options.now);
  mine.dirty = true;
  merged.metadata = isRecord(merged.metadata) ? merged.metadata : {};
  merged.metadata.managedFields = writeEntries(entries);
  return { object: merged, conflicts: [] };
}

/** managedFields without times, for "did anything change?" comparisons. */
export function ownershipSignature(obj: Obj | undefined): unknown {
  const raw = obj?.metadata?.managedFields;
  if (!Array.isArray(raw)) return [];
  return raw.map((e: Obj) => ({ ...e, time: undefined }));
}
