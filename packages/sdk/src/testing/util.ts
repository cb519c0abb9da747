/** Small JSON helpers shared by the fake cluster. Objects inside the fake are plain JSON (`Obj`). */

/** A Kubernetes object or any JSON object inside the fake. Loosely typed on purpose: the fake edits them generically. */
export type Obj = Record<string, any>;

export function isRecord(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function deepCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ak = Object.keys(a).filter((k) => a[k] !== undefined);
    const bk = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ak.length !== bk.length) return false;
    return ak.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** metav1.Time: RFC 3339 with second precision, UTC. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** metav1.MicroTime / log timestamps: RFC 3339 with nanoseconds (we have milliseconds). */
function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

export { canonicalJson } from "../core/canonical-json.js";

/** FNV-1a, 32 bits (the Deployment controller hashes pod templates with FNV-32a). */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  const bytes = new TextEncoder().encode(text);
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash >>> 0;
}

function ensureRecord(parent: Obj, key: string): Obj {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

export function base64Encode(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

function base64Decode(text: string): string {
  return Buffer.from(text, "base64").toString("utf8");
}
