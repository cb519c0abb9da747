/** The small JSON path dialect used in problems and plans: `$.metadata.labels["app.kubernetes.io/name"]`, `$.a[0]`. */
type PathSegment = string | number;

const IDENT = /^[A-Za-z_$][\w$]*$/;

export function joinPath(base: string, segment: PathSegment): string {
  if (typeof segment === "number") return `${base}[${segment}]`;
  return IDENT.test(segment) ? `${base}.${segment}` : `${base}[${JSON.stringify(segment)}]`;
}

export function parsePath(path: string): PathSegment[] {
  if (!path.startsWith("$")) throw new Error(`not a JSON path: ${path}`);
  const segments: PathSegment[] = [];
  const token = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  token.lastIndex = 1;
  while (token.lastIndex < path.length) {
    const m = token.exec(path);
    if (!m) throw new Error(`not a JSON path: ${path}`);
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string)));
  }
  return segments;
}

/** Replaces the value at `path` in place when it exists; returns whether it did. */
export function setAtPath(root: unknown, path: string, value: unknown): boolean {
  const segments = parsePath(path);
  let node: unknown = root;
  for (let i = 0; i < segments.length - 1; i++) {
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<PathSegment, unknown>)[segments[i]!];
  }
  const last = segments[segments.length - 1];
  if (last === undefined || node === null || typeof node !== "object" || !Object.hasOwn(node, last)) return false;
  (node as Record<PathSegment, unknown>)[last] = value;
  return true;
}

/** Removes the value at `path` in place when it exists; returns whether it did. */
export function deleteAtPath(root: unknown, path: string): boolean {
  const segments = parsePath(path);
  let node: unknown = root;
  for (let i = 0; i < segments.length - 1; i++) {
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<PathSegment, unknown>)[segments[i]!];
  }
  const last = segments[segments.length - 1];
  if (last === undefined || node === null || typeof node !== "object" || !Object.hasOwn(node, last)) return false;
  if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
  else delete (node as Record<PathSegment, unknown>)[last];
  return true;
}
