/**
 * The three patch formats the API server accepts besides apply: JSON merge patch (RFC 7386), strategic merge
 * patch (k8s.io/apimachinery/pkg/util/strategicpatch, the common subset: merge keys, `$patch: delete|replace`,
 * `$deleteFromPrimitiveList`, `$setElementOrder` ignored) and JSON patch (RFC 6902).
 */
import { listTypeAt, patchMergeKey } from "./list-types.js";
import { ApiError, statusBody } from "./status.js";
import { deepCopy, deepEqual, isRecord, type Obj } from "./util.js";

export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return deepCopy(patch);
  const result: Obj = isRecord(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = jsonMergePatch(result[key], value);
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isRecord(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith("$")) out[k] = stripDirectives(v);
  return out;
}

export function strategicMergePatch(target: unknown, patch: unknown, path: readonly string[] = []): unknown {
  if (!isRecord(patch)) return deepCopy(patch);
  if (patch.$patch === "replace") return stripDirectives(patch);
  const result: Obj = isRecord(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith("$setElementOrder/")) continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(result[field]) && Array.isArray(value)) result[field] = (result[field] as unknown[]).filter((v) => !value.includes(v));
      continue;
    }
    const childPath = [...path, key];
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      const current = result[key];
      const mergeKey = patchMergeKey(childPath, value);
      if (mergeKey && Array.isArray(current)) {
        const merged = deepCopy(current) as unknown[];
        for (const item of value) {
          if (!isRecord(item)) continue;
          const index = merged.findIndex((m) => isRecord(m) && m[mergeKey] === item[mergeKey]);
          if (item.$patch === "delete") {
            if (index >= 0) merged.splice(index, 1);
          } else if (index >= 0) merged[index] = strategicMergePatch(merged[index], item, childPath);
          else merged.push(stripDirectives(item));
        }
        result[key] = merged;
      } else if (listTypeAt(childPath, value).type === "set" && Array.isArray(current)) {
        result[key] = [...current, ...value.filter((v) => !current.includes(v))];
      } else {
        result[key] = stripDirectives(value);
      }
    } else if (isRecord(value)) {
      if (value.$patch === "delete") delete result[key];
      else result[key] = strategicMergePatch(result[key], value, childPath);
    } else {
      result[key] = value;
    }
  }
  return result;
}

function patchFailed(message: string): ApiError {
  // The API server reports JSON patch application failures as 422 with the patch library's message.
  return new ApiError(statusBody(422, "Invalid", message));
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw patchFailed(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolveParent(doc: unknown, segments: string[], op: string): { parent: Obj | unknown[]; key: string } {
  let node: unknown = doc;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isRecord(node)) node = node[segment];
    else node = undefined;
    if (node === undefined) throw patchFailed(`${op} operation does not apply: doc is missing path: "/${segments.join("/")}": missing value`);
  }
  if (!Array.isArray(node) && !isRecord(node)) throw patchFailed(`${op} operation does not apply: doc is missing path: "/${segments.join("/")}"`);
  return { parent: node, key: segments[segments.length - 1] ?? "" };
}

function getAt(doc: unknown, segments: string[]): unknown {
  let node: unknown = doc;
  for (const s of segments) node = Array.isArray(node) ? node[Number(s)] : isRecord(node) ? node[s] : undefined;
  return node;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new ApiError(statusBody(400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
  let doc = deepCopy(target);
  for (const raw of operations) {
    if (!isRecord(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") throw patchFailed("Unexpected kind: invalid operation");
    const op = raw.op;
    const segments = parsePointer(raw.path);
    const add = (value: unknown, segs: string[]): void => {
      if (segs.length === 0) {
        doc = deepCopy(value);
        return;
      }
      const { parent, key } = resolveParent(doc, segs, op);
      if (Array.isArray(parent)) {
        const index = key === "-" ? parent.length : Number(key);
        if (!Number.isInteger(index) || index < 0 || index > parent.length) throw patchFailed(`${op} operation does not apply: index out of bounds: ${key}`);
        parent.splice(index, 0, deepCopy(value));
      } else parent[key] = deepCopy(value);
    };
    const remove = (segs: string[]): unknown => {
      const { parent, key } = resolveParent(doc, segs, op);
      if (Array.isArray(parent)) {
        const index = Number(key);
        if (!(index >= 0 && index < parent.length)) throw patchFailed(`${op} operation does not apply: doc is missing path: "${raw.path}": missing value`);
        return parent.splice(index, 1)[0];
      }
      if (!Object.hasOwn(parent, key)) throw patchFailed(`${op} operation does not apply: doc is missing path: "${raw.path}": missing value`);
      const value = parent[key];
      delete parent[key];
      return value;
    };
    switch (op) {
      case "add":
        add(raw.value, segments);
        break;
      case "remove":
        remove(segments);
        break;
      case "replace":
        remove(segments);
        add(raw.value, segments);
        break;
      case "move":
      case "copy": {
        if (typeof raw.from !== "string") throw patchFailed(`${op} operation missing from`);
        const from = parsePointer(raw.from);
        const value = op === "move" ? remove(from) : deepCopy(getAt(doc, from));
        add(value, segments);
        break;
      }
      case "test":
        if (!deepEqual(getAt(doc, segments), raw.value)) throw patchFailed(`testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw patchFailed(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}
