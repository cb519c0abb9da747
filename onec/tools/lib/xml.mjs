// A minimal XML reader for the dump's own files: elements, attributes, text. Throws on malformed XML (unclosed or
// mismatched tags, stray text outside the root), which is what the checks need; no DTDs, no entities but the five.
const ENTITIES = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const decode = (s) =>
  s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e],
  );

export function parseXml(text) {
  const src = text.replace(/^\ufeff/, "");
  const root = { name: "#document", attrs: {}, children: [], text: "" };
  const stack = [root];
  const re =
    /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m;
  let last = 0;
  while ((m = re.exec(src))) {
    if (m.index !== last) throw new Error(`malformed XML near offset ${last}`);
    last = re.lastIndex;
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) top.text += m[1];
    else if (m[2]) {
      const open = stack.pop();
      if (!open || open.name !== m[2] || stack.length === 0) throw new Error(`closing </${m[2]}> does not match <${open?.name}>`);
    } else if (m[3]) {
      const attrs = {};
      for (const a of m[4].matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]] = decode(a[2] ?? a[3]);
      const el = { name: m[3], attrs, children: [], text: "" };
      if (stack.length === 1 && root.children.length > 0) throw new Error("more than one root element");
      top.children.push(el);
      if (!m[5]) stack.push(el);
    } else if (m[6] !== undefined) {
      if (stack.length === 1 && m[6].trim()) throw new Error("text outside the root element");
      top.text += decode(m[6]);
    }
  }
  if (last !== src.length) throw new Error(`malformed XML near offset ${last}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error("no root element");
  return root.children[0];
}

export const child = (el, name) => el?.children.find((c) => c.name === name);
export const children = (el, name) => (el?.children ?? []).filter((c) => c.name === name);
export const textOf = (el) => (el?.text ?? "").trim();

/** All elements of the tree, depth first. */
export function* walk(el) {
  yield el;
  for (const c of el.children) yield* walk(c);
}
