// XML checks of the Designer dump: well-formed UTF-8 with BOM (as the platform writes), one format version in every
// file, unique uuids, every ChildObjects entry has its files and every file is declared, references resolve.
import { existsSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { FOLDERS, declaredChildren, declaredObjects, listFiles, readXml } from "../lib/dump.mjs";
import { child, children, textOf, walk } from "../lib/xml.mjs";

// The platform's fixed class ids in Configuration.xml InternalInfo: the same in every configuration, not ours.
const FIXED_IDS = new Set([
  "9cd510cd-abfc-11d4-9434-004095e12fc7",
  "9fcd25a0-4822-11d4-9414-008048da11f9",
  "e3687481-0a87-462c-a166-9f34594f9bba",
  "9de14907-ec23-4a07-96f0-85521cb6b53b",
  "51f2d5d8-ea4d-4064-8892-82951750031e",
  "e68182ea-4237-4383-967f-90c1e3370bc7",
  "fb282519-d103-4dd3-bc12-cb271d631dfc",
]);
const FORM_ITEM_TAIL = /^(ContextMenu|ExtendedTooltip|AutoCommandBar|Events|ChildItems|\w+Addition)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** @returns {string[]} problems; empty when the dump is consistent */
export function checkXml(src) {
  const cf = join(src, "cf");
  const problems = [];
  const rel = (p) => relative(src, p).split(sep).join("/");
  const files = listFiles(cf);
  const parsed = new Map();

  // Encoding and well-formedness of every file; one format version everywhere.
  const versions = new Map();
  for (const f of files) {
    const bytes = readFileSync(f);
    if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) problems.push(`${rel(f)}: no UTF-8 BOM (the platform writes one)`);
    if (!f.endsWith(".xml")) continue;
    try {
      const root = readXml(f);
      parsed.set(f, root);
      const v = root.attrs.version;
      if (!v) problems.push(`${rel(f)}: root <${root.name}> has no format version`);
      else versions.set(v, [...(versions.get(v) ?? []), rel(f)]);
    } catch (e) {
      problems.push(`${rel(f)}: unreadable XML: ${e.message}`);
    }
  }
  if (versions.size > 1) problems.push(`format versions differ: ${[...versions].map(([v, fs]) => `${v} (${fs.length} files, e.g. ${fs[0]})`).join(", ")}`);

  // Unique uuids (object, child, generated type/value ids, predefined items).
  const seen = new Map();
  for (const [f, root] of parsed) {
    for (const el of walk(root)) {
      const ids = [];
      if (el.attrs.uuid) ids.push(el.attrs.uuid);
      if (el.name === "Item" && el.attrs.id && UUID.test(el.attrs.id)) ids.push(el.attrs.id);
      if (["xr:TypeId", "xr:ValueId", "xr:ObjectId"].includes(el.name)) ids.push(textOf(el));
      for (const id of ids) {
        if (FIXED_IDS.has(id)) continue;
        if (!UUID.test(id)) problems.push(`${rel(f)}: "${id}" is not a uuid`);
        else if (seen.has(id)) problems.push(`uuid ${id} used twice: ${seen.get(id)} and ${rel(f)}`);
        else seen.set(id, rel(f));
      }
    }
  }

  // Declared ↔ present.
  let declared;
  try {
    declared = declaredObjects(cf);
  } catch (e) {
    problems.push(`Configuration.xml unreadable: ${e.message}`);
    return problems;
  }
  const expected = new Set([join(cf, "Configuration.xml")]);
  const names = new Set();
  for (const obj of declared.objects) {
    const key = `${obj.type}.${obj.name}`;
    if (names.has(key)) problems.push(`Configuration.xml declares ${key} twice`);
    names.add(key);
    if (!FOLDERS[obj.type]) {
      problems.push(`Configuration.xml: ${obj.type} is not a type this check knows`);
      continue;
    }
    if (!existsSync(obj.file)) {
      problems.push(`${key} is declared in Configuration.xml, but ${rel(obj.file)} is missing`);
      continue;
    }
    expected.add(obj.file);
    const dir = obj.file.slice(0, -4);
    let decl;
    try {
      decl = declaredChildren(obj);
    } catch (e) {
      problems.push(`${key}: ${e.message}`);
      continue;
    }
    for (const form of decl.forms) {
      for (const f of [join(dir, "Forms", `${form}.xml`), join(dir, "Forms", form, "Ext", "Form.xml")]) {
        if (existsSync(f)) expected.add(f);
        else problems.push(`${key}.Form.${form} is declared, but ${rel(f)} is missing`);
      }
      const module = join(dir, "Forms", form, "Ext", "Form", "Module.bsl");
      if (existsSync(module)) expected.add(module);
    }
    const props = child(decl.element, "Properties");
    for (const p of ["DefaultObjectForm", "DefaultListForm", "DefaultRecordForm", "DefaultChoiceForm"]) {
      const ref = textOf(child(props, p));
      if (ref && !decl.forms.includes(ref.split(".").pop())) problems.push(`${key}: ${p} ${ref} is not among its forms`);
    }
    const ext = (name) => join(dir, "Ext", name);
    if (obj.type === "CommonModule") {
      if (existsSync(ext("Module.bsl"))) expected.add(ext("Module.bsl"));
      else problems.push(`${key}: module ${rel(ext("Module.bsl"))} is missing`);
    }
    if (obj.type === "CommonForm") {
      if (existsSync(ext("Form.xml"))) expected.add(ext("Form.xml"));
      else problems.push(`${key}: ${rel(ext("Form.xml"))} is missing`);
      if (existsSync(join(dir, "Ext", "Form", "Module.bsl"))) expected.add(join(dir, "Ext", "Form", "Module.bsl"));
    }
    if (obj.type === "Role") {
      if (existsSync(ext("Rights.xml"))) expected.add(ext("Rights.xml"));
      else problems.push(`${key}: rights ${rel(ext("Rights.xml"))} are missing`);
    }
    for (const optional of ["ObjectModule.bsl", "ManagerModule.bsl", "RecordSetModule.bsl", "Predefined.xml"])
      if (existsSync(ext(optional))) expected.add(ext(optional));
  }
  for (const f of files) if (!expected.has(f)) problems.push(`${rel(f)} is not declared by any object of Configuration.xml`);

  // Forms and their modules agree: every handler and command action named in Form.xml is a method of the form's
  // module, and every data path starts at a form attribute.
  for (const [f, root] of parsed) {
    if (root.name !== "Form" || !f.endsWith(join("Ext", "Form.xml"))) continue;
    const modulePath = join(f.slice(0, -".xml".length), "Module.bsl");
    const module = existsSync(modulePath) ? readFileSync(modulePath, "utf8") : "";
    const methods = new Set([...module.matchAll(/^\s*(?:Процедура|Функция)\s+([\wА-Яа-яЁё]+)\s*\(/gm)].map((m) => m[1]));
    const attributes = new Set(children(child(root, "Attributes"), "Attribute").map((a) => a.attrs.name));
    for (const el of walk(root)) {
      if (el.name === "Event" && !methods.has(textOf(el))) problems.push(`${rel(f)}: handler ${textOf(el)} (${el.attrs.name}) is not in ${rel(modulePath)}`);
      if (el.name === "Action" && !methods.has(textOf(el))) problems.push(`${rel(f)}: command action ${textOf(el)} is not in ${rel(modulePath)}`);
      if (el.name === "DataPath" && !attributes.has(textOf(el).split(".")[0]))
        problems.push(`${rel(f)}: data path ${textOf(el)} does not start at a form attribute`);
    }
    // Element order inside form items, as the platform writes it: the item's own properties first, then its
    // companions (ContextMenu, AutoCommandBar, ExtendedTooltip, additions), then Events and ChildItems.
    for (const el of walk(root)) {
      const items = el.name === "ChildItems" ? el.children : /Addition$/.test(el.name) ? [el] : [];
      for (const it of items) {
        const tail = it.children.findIndex((c) => FORM_ITEM_TAIL.test(c.name));
        if (tail < 0) continue;
        for (const c of it.children.slice(tail + 1)) {
          if (!FORM_ITEM_TAIL.test(c.name))
            problems.push(`${rel(f)}: <${it.name} name="${it.attrs.name}">: property <${c.name}> after <${it.children[tail].name}> (properties come first)`);
        }
      }
    }
  }

  // References that must resolve: rights, subsystem content, the default language.
  const refTargets = new Set([...names, `Configuration.${textOf(child(child(declared.configuration, "Properties"), "Name"))}`]);
  for (const obj of declared.objects.filter((o) => o.type === "Role")) {
    const rights = parsed.get(join(obj.file.slice(0, -4), "Ext", "Rights.xml"));
    for (const o of children(rights, "object")) {
      const name = textOf(child(o, "name"));
      if (!refTargets.has(name)) problems.push(`Role.${obj.name}: rights for ${name}, which the configuration does not declare`);
    }
  }
  for (const obj of declared.objects.filter((o) => o.type === "Subsystem")) {
    const content = child(child(child(parsed.get(obj.file), "Subsystem"), "Properties"), "Content");
    for (const item of children(content, "xr:Item"))
      if (!refTargets.has(textOf(item))) problems.push(`Subsystem.${obj.name}: content ${textOf(item)} is not declared`);
  }
  // A scheduled job's method is an exported procedure of a declared server common module.
  for (const obj of declared.objects.filter((o) => o.type === "ScheduledJob")) {
    const job = parsed.get(obj.file);
    const method = textOf(child(child(child(job, "ScheduledJob"), "Properties"), "MethodName"));
    const [kind, moduleName, procedure] = method.split(".");
    const module = declared.objects.find((o) => o.type === "CommonModule" && o.name === moduleName);
    if (kind !== "CommonModule" || !module || !procedure) {
      problems.push(`ScheduledJob.${obj.name}: method ${method} is not CommonModule.<declared module>.<procedure>`);
      continue;
    }
    const server = textOf(child(child(child(parsed.get(module.file), "CommonModule"), "Properties"), "Server"));
    if (server !== "true") problems.push(`ScheduledJob.${obj.name}: module ${moduleName} is not a server module`);
    const bsl = join(module.file.slice(0, -4), "Ext", "Module.bsl");
    const text = existsSync(bsl) ? readFileSync(bsl, "utf8") : "";
    const exported = new RegExp(`^\\s*Процедура\\s+${procedure}\\s*\\([^)]*\\)\\s*Экспорт`, "m");
    if (!exported.test(text)) problems.push(`ScheduledJob.${obj.name}: ${moduleName} has no exported procedure ${procedure}()`);
  }
  const lang = textOf(child(child(declared.configuration, "Properties"), "DefaultLanguage"));
  if (!refTargets.has(lang)) problems.push(`Configuration.xml: default language ${lang} is not declared`);
  return problems;
}
