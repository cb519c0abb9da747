// Format-version check of the Designer dump: the dump declares one format (MetaDataObject/@version, the same in every
// file — the xml check makes sure of that), and every XML element and attribute it uses must be one that
// tools/format-versions.json knows and that is not newer than that format. Also: enumeration values the table lists
// (mobile functionalities, interface compatibility modes, role rights), CompatibilityMode and
// ConfigurationExtensionCompatibilityMode not newer than the platform that writes the declared format, and privileged
// common modules flagged for the server only (Designer allows Server + Privileged and nothing else).
import { readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { listFiles, readXml } from "../lib/dump.mjs";
import { child, textOf } from "../lib/xml.mjs";

export const TABLE_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "format-versions.json");

// Containers whose children only mean something together with the object they belong to: TabularSection/Properties/X
// and Dimension/Properties/X are different properties, while v8:item or Events/Event are the same wherever they occur.
const SECTIONS = new Set(["Properties", "ChildObjects", "InternalInfo"]);
// Namespace declarations and xsi:type / xsi:nil are XML plumbing, not format vocabulary.
const PLUMBING = /^(xmlns(:|$)|xsi:)/;
const PLATFORM_VALUE = /^Version(\d+)_(\d+)(?:_(\d+))?$/;

/** -1, 0 or 1; "2.9" < "2.10". */
export function compareVersions(a, b) {
  const x = String(a).split(".").map(Number);
  const y = String(b).split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/**
 * The table key of an element: a qualified name (v8:item, xr:GeneratedType) stands for itself; an element directly in
 * a section is keyed with its object (TabularSection/Properties/LineNumberLength); any other element with its parent
 * (InputField/DataPath, Events/Event); the root by its name.
 */
export function elementKey(name, parentName, grandparentName) {
  if (!parentName || name.includes(":")) return name;
  if (SECTIONS.has(parentName) && grandparentName) return `${grandparentName}/${parentName}/${name}`;
  return `${parentName}/${name}`;
}

/** Every element and attribute of a parsed file, depth first: { key, el, path, attribute? }. */
export function* dumpKeys(root) {
  function* rec(el, parent, grandparent, path) {
    const key = elementKey(el.name, parent?.name, grandparent?.name);
    const name = el.attrs.name ?? textOf(child(child(el, "Properties"), "Name"));
    const here = `${path}/${el.name}${name ? `[${name}]` : ""}`;
    yield { key, el, path: here };
    for (const a of Object.keys(el.attrs)) if (!PLUMBING.test(a)) yield { key: `${key}@${a}`, el, path: `${here}/@${a}`, attribute: a };
    for (const c of el.children) yield* rec(c, el, parent, here);
  }
  yield* rec(root, null, null, "");
}

/** "Version8_3_24" → "8.3.24"; undefined for DontUse and anything else. */
export function platformOfValue(value) {
  const m = PLATFORM_VALUE.exec(value);
  return m ? [m[1], m[2], m[3]].filter((p) => p !== undefined).join(".") : undefined;
}

/** @returns {string[]} problems; empty when the dump uses nothing newer than the format it declares */
export function checkFormatVersion(src, table = JSON.parse(readFileSync(TABLE_PATH, "utf8"))) {
  const cf = join(src, "cf");
  const problems = [];
  const rel = (p) => relative(src, p).split(sep).join("/");

  let declared;
  try {
    declared = readXml(join(cf, "Configuration.xml")).attrs.version;
  } catch (e) {
    return [`Configuration.xml unreadable: ${e.message}`];
  }
  if (!declared) return ["Configuration.xml: the root element declares no format version"];
  const format = table.formats[declared];
  if (!format) return [`Configuration.xml declares format ${declared}, which format-versions.json does not list`];
  const platformOf = (v) => table.formats[v]?.platform ?? "?";
  const declaredText = `the dump declares ${declared} (platform ${format.platform})`;
  const newer = (entry, what, where) => {
    const evidence = entry.absentIn
      ? `; a dump of the same configuration in format ${entry.absentIn} has none`
      : entry.inferred
        ? `; first seen in dumps of that format, none older examined`
        : "";
    return `${where}: ${what} appeared in format ${entry.since} (platform ${platformOf(entry.since)})${evidence}; ${declaredText}`;
  };

  for (const file of listFiles(cf).filter((f) => f.endsWith(".xml"))) {
    let root;
    try {
      root = readXml(file);
    } catch {
      continue; // the xml check reports unreadable files
    }
    const f = rel(file);
    const schema = table.schemas[root.name];
    if (!schema) {
      problems.push(`${f}: <${root.name}> files are not a kind format-versions.json knows (schemas: ${Object.keys(table.schemas).join(", ")})`);
      continue;
    }
    for (const { key, el, path, attribute } of dumpKeys(root)) {
      const where = `${f}: ${path}`;
      const entry = schema.elements[key];
      const what = attribute ? `attribute ${attribute} of <${el.name}>` : `<${el.name}>`;
      if (!entry) {
        problems.push(`${where}: ${what} (key ${key}) is not in format-versions.json — add it with the dump that shows it, or remove it`);
        continue;
      }
      if (compareVersions(entry.since, declared) > 0) {
        problems.push(newer(entry, what, where));
        continue;
      }
      if (attribute || el.children.length) continue;
      const value = textOf(el);
      if (entry.values && value) {
        const v = entry.values[value];
        if (!v) problems.push(`${where}: value ${value} of <${el.name}> is not in format-versions.json (known: ${Object.keys(entry.values).join(", ")})`);
        else if (compareVersions(v.since, declared) > 0) problems.push(newer(v, `value ${value} of <${el.name}>`, where));
      }
      if (entry.valueRule === "platform") {
        const platform = platformOfValue(value);
        if (platform && compareVersions(platform, format.platform) > 0) {
          problems.push(
            `${where}: ${el.name} ${value} needs platform ${platform}, newer than ${format.platform}, which writes the declared format ${declared}`,
          );
        }
      }
    }
    // A privileged common module runs on the server only: Designer allows Server + Privileged and no other context.
    const module = root.name === "MetaDataObject" ? child(root, "CommonModule") : undefined;
    const props = child(module, "Properties");
    if (textOf(child(props, "Privileged")) === "true") {
      const name = textOf(child(props, "Name"));
      if (textOf(child(props, "Server")) !== "true")
        problems.push(`${f}: privileged common module ${name} has Server=false (a privileged module is a server module)`);
      for (const p of props.children) {
        if (!["Server", "Privileged"].includes(p.name) && textOf(p) === "true")
          problems.push(`${f}: privileged common module ${name} has ${p.name}=true (Designer allows only Server + Privileged)`);
      }
    }
  }
  return problems;
}
