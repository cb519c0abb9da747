// Element order of the Designer dump, as the platform writes (and, through XDTO, strictly reads) it: inside every
// element of a Form.xml (namespace http://v8.1c.ru/8.3/xcf/logform) and of an object's XML (MetaDataObject), only
// child elements the platform writes there, in the platform's order. What the platform writes is data, learned from
// real platform-written dumps (see tools/NOTES.md «Element order»): tools/form-schema.json and
// tools/metadata-schema.json. Nothing is guessed: a child the corpus never had inside that parent is reported as
// unknown; an order is enforced only where the corpus shows it (directly or through a chain: a before b, b before c),
// never between children it never relates; a list of items (<ChildItems>: the corpus shows its members both ways)
// is checked for membership only. Children seen in fewer than MIN_FILES real files give notes, not problems.
//
//   node tools/checks/element-order.mjs [src]               the check on the dump (default: onec/src), with notes
//   node tools/checks/element-order.mjs --learn corpus.json  rebuild both tables from a corpus (see NOTES.md)
//
// Element types ("keys"): a form item (a child of <ChildItems>) is keyed by its own name (InputField, Table, …); the
// form root is "Form"; a metadata object is keyed by its kind and owners (Catalog, Catalog.TabularSection.Attribute);
// any other element by its parent's key's last segment and its own name ("Table/ContextMenu",
// "Attribute/Settings[DynamicList]", "Catalog.Attribute/Properties"), with xsi:type in brackets.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { listFiles } from "../lib/dump.mjs";
import { child, parseXml, textOf } from "../lib/xml.mjs";

const TOOLS = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SCHEMA_FILES = { form: join(TOOLS, "form-schema.json"), metadata: join(TOOLS, "metadata-schema.json") };
/** A child seen in fewer real files than this has no position the check relies on (reported as a note instead). */
export const MIN_FILES = 3;
/**
 * Files of older formats are not learned from: format 2.4 (platform 8.3.10/8.3.11) writes some children elsewhere
 * (CheckBoxField's CheckBoxType after ExtendedTooltip; Table's AllowGettingCurrentRowURL before UpdateOnDataChange),
 * while 2.9 … 2.21 agree with each other.
 */
export const LEARN_FROM = "2.9";
const LOGFORM = "http://v8.1c.ru/8.3/xcf/logform";
const MDCLASSES = "http://v8.1c.ru/8.3/MDClasses";

/** "form" | "metadata" | null for a parsed root element. */
export function kindOf(root) {
  if (root.name === "Form" && root.attrs.xmlns === LOGFORM) return "form";
  if (root.name === "MetaDataObject" && root.attrs.xmlns === MDCLASSES) return "metadata";
  return null;
}

const last = (key) => key.slice(key.lastIndexOf("/") + 1);
const typed = (el) => (el.attrs["xsi:type"] ? `${el.name}[${el.attrs["xsi:type"]}]` : el.name);

/** The key (element type) of child c of parent, whose key is parentKey. */
export function childKey(kind, parent, parentKey, c) {
  if (kind === "form") return parent.name === "ChildItems" ? typed(c) : `${last(parentKey)}/${typed(c)}`;
  if (parentKey === "MetaDataObject") return typed(c);
  if (parent.name === "ChildObjects" && parentKey.endsWith("/ChildObjects") && c.children.length)
    return `${parentKey.slice(0, -"/ChildObjects".length)}.${c.name}`;
  return `${last(parentKey)}/${typed(c)}`;
}

const rootKey = (kind) => (kind === "form" ? "Form" : "MetaDataObject");

/** Visits every element with its key and a readable path: visit(el, key, path). */
function walkKeyed(root, kind, visit) {
  const label = (el) => {
    const name = el.attrs.name ?? (el.children.length ? textOf(child(child(el, "Properties"), "Name")) : "");
    return name ? `${el.name}[${name}]` : el.name;
  };
  const rec = (el, key, path) => {
    visit(el, key, path);
    for (const c of el.children) rec(c, childKey(kind, el, key, c), `${path}/${label(c)}`);
  };
  rec(root, rootKey(kind), label(root));
}

/** [2, 16] for "2.16" — for comparing format versions. */
const versionParts = (v) =>
  String(v ?? "")
    .split(".")
    .map(Number);
function compareVersions(a, b) {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The tables: per key, children with their evidence and immediate predecessors; the order relation derived from them.

const loaded = new Map();
export function loadSchema(kind, path = SCHEMA_FILES[kind]) {
  if (!loaded.has(path)) loaded.set(path, JSON.parse(readFileSync(path, "utf8")));
  return loaded.get(path);
}

const relations = new WeakMap();
/** For one type: name → Set of names it must come before (the transitive closure of `after`). */
function relationOf(type) {
  if (relations.has(type)) return relations.get(type);
  const names = Object.keys(type.children);
  const preds = new Map(names.map((n) => [n, type.children[n].after ?? []]));
  const ancestors = new Map();
  const up = (n, seen = new Set()) => {
    if (ancestors.has(n)) return ancestors.get(n);
    const all = new Set();
    ancestors.set(n, all); // a cycle (hand-edited table) ends here instead of looping
    for (const p of preds.get(n) ?? []) {
      if (seen.has(p)) continue;
      all.add(p);
      for (const a of up(p, new Set([...seen, n]))) all.add(a);
    }
    return all;
  };
  const before = new Map(names.map((n) => [n, new Set()]));
  for (const n of names) for (const a of up(n)) if (a !== n) before.get(a).add(n);
  for (const [a, later] of before) for (const b of later) if (before.get(b)?.has(a)) later.delete(b); // a cycle: no order
  relations.set(type, before);
  return before;
}

// ---------------------------------------------------------------------------------------------------------------
// The check.

/**
 * @param {string} src the dump's src folder (with cf/)
 * @param {{ notes?: string[] }} [options] notes receives what the corpus cannot decide (weakly learned positions,
 *   elements seen only in newer format versions than the file's)
 * @returns {string[]} problems
 */
export function checkElementOrder(src, options = {}) {
  const cf = join(src, "cf");
  const problems = [];
  const notes = options.notes ?? [];
  const rel = (p) => relative(src, p).split(sep).join("/");
  const schemas = { form: loadSchema("form"), metadata: loadSchema("metadata") };
  for (const f of listFiles(cf)) {
    if (!f.endsWith(".xml")) continue;
    let root;
    try {
      root = parseXml(readFileSync(f, "utf8"));
    } catch {
      continue; // the xml check reports unreadable files
    }
    const kind = kindOf(root);
    if (!kind) continue;
    checkTree(root, kind, schemas[kind], rel(f), problems, notes);
  }
  return problems;
}

/** Checks one parsed file (exported for tests on snippets). */
export function checkTree(root, kind, schema, file, problems, notes = []) {
  const version = root.attrs.version;
  const skip = new Set(); // subtrees under an unknown element: one report, not a cascade
  walkKeyed(root, kind, (el, key, path) => {
    if (!el.children.length || skip.has(el)) {
      for (const c of el.children) skip.add(c);
      return;
    }
    const type = schema.types[key];
    const where = `${file}: ${path}`;
    if (!type) {
      // The corpus has no <key> with child elements (an element always empty there, or of an xsi:type it lacks).
      for (const c of el.children) {
        problems.push(`${where}: <${c.name}> is not an element the platform writes inside <${key}> (the corpus has no <${key}> with child elements)`);
        skip.add(c);
      }
      return;
    }
    const weakParent = type.files < MIN_FILES;
    const seq = [];
    for (const c of el.children) {
      const known = type.children[c.name];
      if (!known) {
        const msg = `${where}: <${c.name}> is not an element the platform writes inside <${key}>`;
        if (weakParent) notes.push(`${msg} — but <${key}> is learned from ${type.files} real file(s) only`);
        else problems.push(msg);
        skip.add(c);
        continue;
      }
      if (version && known.v && compareVersions(known.v.split("–")[0], version) > 0) {
        notes.push(
          `${where}: <${c.name}> is seen in the corpus only in format ${known.v}, this file is ${version} (the corpus has no proof that ${version} has it)`,
        );
      }
      if (seq.length && seq[seq.length - 1] === c.name) continue;
      seq.push(c.name);
    }
    // Order: each child against the children before it (a list of items in any order has none).
    if (type.order === "any") return;
    const before = relationOf(type);
    const reported = new Set();
    for (let j = 0; j < seq.length; j++) {
      for (let i = 0; i < j; i++) {
        if (seq[i] === seq[j] || !before.get(seq[j])?.has(seq[i])) continue;
        const pair = `${seq[j]}\n${seq[i]}`;
        if (reported.has(pair)) continue;
        reported.add(pair);
        const msg = `${where}: <${seq[j]}> after <${seq[i]}> (the platform writes <${seq[j]}> first)`;
        const weak = [seq[i], seq[j]].filter((n) => type.children[n].files < MIN_FILES);
        if (weak.length || weakParent) notes.push(`${msg} — not enforced: <${weak.join(">, <") || key}> learned from fewer than ${MIN_FILES} real files`);
        else problems.push(msg);
        break;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Breaking a copy of the dump on purpose (the self-tests in run-checks.mjs). Text-level, on the platform's layout:
// one element per line, children indented one tab deeper than their parent.

/** The direct children of the element opening at lines[at]: [{ name, from, to }] (line ranges, inclusive), and its end. */
function childBlocks(lines, at) {
  const depth = lines[at].match(/^\t*/)[0].length;
  const name = lines[at].trim().match(/^<([^\s/>]+)/)[1];
  const blocks = [];
  const start = new RegExp(`^\\t{${depth + 1}}<([^\\s/>!?]+)`);
  for (let i = at + 1; i < lines.length; i++) {
    if (lines[i] === `${"\t".repeat(depth)}</${name}>`) return { blocks, end: i };
    const m = lines[i].match(start);
    if (!m) continue;
    const c = m[1];
    let to = i;
    if (!lines[i].endsWith("/>") && !lines[i].includes(`</${c}>`)) {
      const close = `${"\t".repeat(depth + 1)}</${c}>`;
      to = lines.findIndex((l, k) => k > i && (l === close || (l.endsWith(`</${c}>`) && !/^\t*</.test(l))));
      if (to < 0) return { blocks, end: -1 };
    }
    blocks.push({ name: c, from: i, to });
    i = to;
  }
  return { blocks, end: -1 };
}

function mutateFirst(src, pick, edit) {
  for (const f of listFiles(join(src, "cf")).sort()) {
    if (!f.endsWith(".xml") || !pick(f)) continue;
    const text = readFileSync(f, "utf8");
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const lines = text.split(eol);
    if (edit(lines)) {
      writeFileSync(f, lines.join(eol));
      return relative(src, f);
    }
  }
  return null;
}

const opens = (line, element) => new RegExp(`^\\t*<${element}(\\s[^>]*)?>$`).test(line);

/** Moves child `move` of the first <element> (in files matching `pick`) that has it before child `after` to right after it. */
export function breakOrder(src, element, move, after, pick = () => true) {
  const done = mutateFirst(src, pick, (lines) => {
    for (let at = 0; at < lines.length; at++) {
      if (!opens(lines[at], element)) continue;
      const { blocks } = childBlocks(lines, at);
      const a = blocks.find((b) => b.name === move);
      const b = blocks.find((x) => x.name === after);
      if (!a || !b || a.from > b.from) continue;
      const moved = lines.slice(a.from, a.to + 1);
      lines.splice(b.to + 1, 0, ...moved);
      lines.splice(a.from, moved.length);
      return true;
    }
    return false;
  });
  if (!done) throw new Error(`no <${element}> with <${move}> before <${after}> is left in the dump to break`);
  return done;
}

/** Inserts `xml` as the first child of the first <element> (in files matching `pick`) that has child elements. */
export function breakInsert(src, element, xml, pick = () => true) {
  const done = mutateFirst(src, pick, (lines) => {
    for (let at = 0; at < lines.length; at++) {
      if (!opens(lines[at], element)) continue;
      const { blocks } = childBlocks(lines, at);
      if (!blocks.length) continue;
      lines.splice(blocks[0].from, 0, `${lines[at].match(/^\t*/)[0]}\t${xml}`);
      return true;
    }
    return false;
  });
  if (!done) throw new Error(`no <${element}> with child elements is left in the dump to break`);
  return done;
}

// ---------------------------------------------------------------------------------------------------------------
// Learning the tables from real dumps.

/**
 * @param {{ label: string, repository: string, commit: string, dir: string, note?: string }[]} corpora
 * @returns {{ form: object, metadata: object }}
 */
export function learn(corpora, log = () => {}, { minVersion = LEARN_FROM } = {}) {
  const acc = { form: new Map(), metadata: new Map() };
  const sources = { form: {}, metadata: {} };
  let fileNo = 0;
  for (const corpus of corpora) {
    const files = listFiles(corpus.dir).filter((f) => f.endsWith(".xml"));
    const counted = { form: 0, metadata: 0 };
    const older = { form: 0, metadata: 0 };
    const versions = { form: new Map(), metadata: new Map() };
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const head = text.slice(0, 2000);
      if (!head.includes(`xmlns="${LOGFORM}"`) && !head.includes(`xmlns="${MDCLASSES}"`)) continue;
      let root;
      try {
        root = parseXml(text);
      } catch (e) {
        log(`skip ${f}: ${e.message}`);
        continue;
      }
      const kind = kindOf(root);
      if (!kind) continue;
      const version = root.attrs.version;
      if (!version || compareVersions(version, minVersion) < 0) {
        // (no version attribute at all: older flat dumps, e.g. vanessa-automation's lib/CF/82, 83, 83NoSync)
        older[kind]++;
        continue;
      }
      fileNo++;
      counted[kind]++;
      versions[kind].set(version, (versions[kind].get(version) ?? 0) + 1);
      walkKeyed(root, kind, (el, key) => {
        if (!el.children.length) return;
        let t = acc[kind].get(key);
        if (!t) acc[kind].set(key, (t = { files: 0, instances: 0, lastFile: -1, sources: {}, children: new Map(), pairs: new Map() }));
        t.instances++;
        if (t.lastFile !== fileNo) {
          t.files++;
          t.lastFile = fileNo;
          t.sources[corpus.label] = (t.sources[corpus.label] ?? 0) + 1;
        }
        const seq = [];
        el.children.forEach((c, i) => {
          if (seq[seq.length - 1] !== c.name) seq.push(c.name);
          let s = t.children.get(c.name);
          if (!s) t.children.set(c.name, (s = { n: 0, files: 0, lastFile: -1, lastInstance: -1, pos: 0, vmin: version, vmax: version }));
          if (s.lastInstance !== t.instances) {
            s.n++;
            s.lastInstance = t.instances;
            s.pos += i / el.children.length;
          }
          if (s.lastFile !== fileNo) {
            s.files++;
            s.lastFile = fileNo;
          }
          if (compareVersions(version, s.vmin) < 0) s.vmin = version;
          if (compareVersions(version, s.vmax) > 0) s.vmax = version;
        });
        const seen = new Set();
        for (let i = 0; i < seq.length; i++)
          for (let j = i + 1; j < seq.length; j++) {
            if (seq[i] === seq[j]) continue;
            const p = `${seq[i]}\n${seq[j]}`;
            if (seen.has(p)) continue;
            seen.add(p);
            t.pairs.set(p, (t.pairs.get(p) ?? 0) + 1);
          }
      });
    }
    for (const kind of ["form", "metadata"])
      if (counted[kind])
        sources[kind][corpus.label] = {
          repository: corpus.repository,
          commit: corpus.commit,
          ...(corpus.note ? { note: corpus.note } : {}),
          files: counted[kind],
          formatVersions: Object.fromEntries([...versions[kind]].sort((a, b) => compareVersions(a[0], b[0]))),
          ...(older[kind] ? { skippedOlderFormat: older[kind] } : {}),
        };
    log(`${corpus.label}: ${counted.form} Form.xml, ${counted.metadata} object XML (${older.form + older.metadata} older than ${minVersion} skipped)`);
  }
  return { form: finish(acc.form, sources.form, "form"), metadata: finish(acc.metadata, sources.metadata, "metadata") };
}

/**
 * Turns the pair counts of each key into children in one consistent order with their immediate predecessors. A key
 * whose children the corpus shows in both orders (or in a cycle) is a list of items in any order — an XSD sequence
 * never shows a pair both ways: all <ChildItems>, nothing else in formats 2.9–2.21.
 */
function finish(acc, sources, kind) {
  const types = {};
  const anyOrder = {};
  for (const key of [...acc.keys()].sort()) {
    const t = acc.get(key);
    const names = [...t.children.keys()];
    const count = (a, b) => t.pairs.get(`${a}\n${b}`) ?? 0;
    // Direct edges a → b: a seen before b, never after it.
    const unordered = [];
    const succ = new Map(names.map((n) => [n, new Set()]));
    for (const a of names)
      for (const b of names) {
        if (a >= b) continue;
        const [ab, ba] = [count(a, b), count(b, a)];
        if (ab && ba) unordered.push([a, b, ab, ba]);
        else if (ab) succ.get(a).add(b);
        else if (ba) succ.get(b).add(a);
      }
    // Cycles through one-way edges (a<b, b<c, c<a each seen): their members are unordered among themselves.
    for (const scc of stronglyConnected(names, succ)) {
      if (scc.length < 2) continue;
      const inScc = new Set(scc);
      for (const a of scc) for (const b of [...succ.get(a)]) if (inScc.has(b)) succ.get(a).delete(b);
      for (const a of scc)
        for (const b of scc) if (a < b && !unordered.some(([x, y]) => x === a && y === b)) unordered.push([a, b, count(a, b), count(b, a), "cycle"]);
    }
    // Transitive closure of the DAG, then its reduction: `after` keeps only immediate predecessors.
    const reach = new Map();
    const down = (n) => {
      if (reach.has(n)) return reach.get(n);
      const all = new Set();
      reach.set(n, all);
      for (const s of succ.get(n)) {
        all.add(s);
        for (const x of down(s)) all.add(x);
      }
      return all;
    };
    for (const n of names) down(n);
    const after = new Map(names.map((n) => [n, []]));
    for (const a of names)
      for (const b of succ.get(a)) {
        const implied = [...succ.get(a)].some((c) => c !== b && reach.get(c).has(b));
        if (!implied) after.get(b).push(a);
      }
    // One linear order: topological, ties by the mean relative position in the corpus.
    const mean = (n) => t.children.get(n).pos / t.children.get(n).n;
    const indeg = new Map(names.map((n) => [n, 0]));
    for (const a of names) for (const b of succ.get(a)) indeg.set(b, indeg.get(b) + 1);
    const order = [];
    const ready = names.filter((n) => indeg.get(n) === 0);
    while (ready.length) {
      ready.sort((a, b) => mean(a) - mean(b) || (a < b ? -1 : 1));
      const n = ready.shift();
      order.push(n);
      for (const s of succ.get(n)) {
        indeg.set(s, indeg.get(s) - 1);
        if (indeg.get(s) === 0) ready.push(s);
      }
    }
    const any = unordered.length > 0;
    if (any) order.sort((a, b) => mean(a) - mean(b) || (a < b ? -1 : 1));
    const children = {};
    for (const n of order) {
      const s = t.children.get(n);
      children[n] = {
        n: s.n,
        files: s.files,
        v: s.vmin === s.vmax ? s.vmin : `${s.vmin}–${s.vmax}`,
        after: any ? [] : after.get(n).sort((a, b) => order.indexOf(a) - order.indexOf(b)),
      };
    }
    const type = { files: t.files, instances: t.instances, sources: t.sources };
    if (any) {
      // The evidence: how many pairs were seen both ways, and the most balanced one [a, b, a first, b first].
      const example = unordered.reduce((x, y) => (Math.min(y[2], y[3]) > Math.min(x[2], x[3]) ? y : x)).slice(0, 4);
      Object.assign(type, { order: "any", seenBothWays: unordered.length, example });
      anyOrder[key] = `${unordered.length} pair(s) seen both ways, e.g. ${example[0]}/${example[1]} ${example[2]}:${example[3]}`;
    }
    type.children = children;
    types[key] = type;
  }
  const doc = {
    $comment:
      kind === "form"
        ? 'Managed form layout (Form.xml, namespace http://v8.1c.ru/8.3/xcf/logform): for each element type, the child elements the platform writes, in its order, learned from real platform-written Designer dumps (sources). Per type: files/instances it was seen in (with child elements), per source the files; per child: n instances, files, v format versions, after = immediate predecessors (the order is their transitive closure); order "any" = a list of items the corpus shows in both orders (seenBothWays pairs, example [a, b, a first, b first]), checked for membership only. Read by tools/checks/element-order.mjs; rebuilt by its --learn (tools/NOTES.md). To add an element by hand: one line in children with after = what precedes it, files = how many real files show it (fewer than minFiles: notes only) and source = "repository@commit:path" of one of them.'
        : "Object XML of the Designer dump (namespace http://v8.1c.ru/8.3/MDClasses): for each element type (objects keyed by kind and owners, e.g. Catalog.TabularSection.Attribute/Properties), the child elements the platform writes, in its order, learned from real platform-written Designer dumps (sources). Same layout as form-schema.json. Read by tools/checks/element-order.mjs; rebuilt by its --learn (tools/NOTES.md).",
    minFiles: MIN_FILES,
    learnedFromFormat: LEARN_FROM,
    sources,
    anyOrder,
    types,
  };
  return doc;
}

function stronglyConnected(names, succ) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of succ.get(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      out.push(scc);
    }
  };
  for (const n of names) if (!idx.has(n)) visit(n);
  return out;
}

/** JSON with one line per child element, so that the table reads (and is edited) as data. */
export function formatSchema(doc) {
  const j = (v) => JSON.stringify(v);
  const lines = ["{"];
  const top = Object.entries(doc).filter(([k]) => k !== "types");
  for (const [k, v] of top) {
    if (k === "sources") {
      lines.push(`  "sources": {`);
      const s = Object.entries(v);
      s.forEach(([label, src], i) => lines.push(`    ${j(label)}: ${j(src)}${i < s.length - 1 ? "," : ""}`));
      lines.push("  },");
    } else if (k === "anyOrder") {
      const a = Object.entries(v);
      lines.push(`  "anyOrder": {`);
      a.forEach(([key, why], i) => lines.push(`    ${j(key)}: ${j(why)}${i < a.length - 1 ? "," : ""}`));
      lines.push("  },");
    } else lines.push(`  ${j(k)}: ${j(v)},`);
  }
  lines.push(`  "types": {`);
  const types = Object.entries(doc.types);
  types.forEach(([key, t], i) => {
    lines.push(`    ${j(key)}: {`);
    lines.push(`      "files": ${t.files}, "instances": ${t.instances}, "sources": ${j(t.sources)},`);
    if (t.order) lines.push(`      "order": ${j(t.order)}, "seenBothWays": ${t.seenBothWays}, "example": ${j(t.example)},`);
    const ch = Object.entries(t.children);
    lines.push(`      "children": {`);
    ch.forEach(([n, c], k) => lines.push(`        ${j(n)}: ${j(c)}${k < ch.length - 1 ? "," : ""}`));
    lines.push(`      }`);
    lines.push(`    }${i < types.length - 1 ? "," : ""}`);
  });
  lines.push("  }", "}");
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === "--learn") {
    const corpora = JSON.parse(readFileSync(args[1], "utf8"));
    const started = Date.now();
    const { form, metadata } = learn(corpora, (m) => console.error(m));
    writeFileSync(SCHEMA_FILES.form, formatSchema(form));
    writeFileSync(SCHEMA_FILES.metadata, formatSchema(metadata));
    console.error(
      `learned ${Object.keys(form.types).length} form and ${Object.keys(metadata.types).length} metadata element types in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } else {
    const src = resolve(args[0] ?? join(TOOLS, "..", "src"));
    if (!existsSync(join(src, "cf"))) throw new Error(`${src}/cf not found`);
    const notes = [];
    const started = Date.now();
    const problems = checkElementOrder(src, { notes });
    for (const p of problems) console.log(p);
    for (const n of notes) console.log(`note: ${n}`);
    console.log(`${problems.length} problem(s), ${notes.length} note(s) in ${Date.now() - started} ms`);
    process.exit(problems.length ? 1 : 0);
  }
}
