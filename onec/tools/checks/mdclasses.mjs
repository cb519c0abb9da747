// Loads the dump with mdclasses (the 1C community's Java library) and fails when any declared object, attribute,
// tabular section, form, role or module is missing from what it read, or read empty.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { declaredChildren, declaredObjects, listFiles } from "../lib/dump.mjs";
import { java, mdclassesClasspath, toolsDir } from "../lib/tools.mjs";

export function checkMdclasses(src) {
  const cf = join(src, "cf");
  let output;
  try {
    output = execFileSync(java(), ["-cp", mdclassesClasspath(), join(toolsDir, "java", "MdClassesCheck.java"), cf], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    return [`mdclasses could not load the dump: ${(e.stdout || e.stderr || e.message).trim().split("\n").slice(-3).join(" | ")}`];
  }
  const lines = output.split("\n");
  const md = new Set(lines.filter((l) => l.startsWith("MD ")).map((l) => l.split(" ")[1]));
  const forms = new Map(
    lines
      .filter((l) => l.startsWith("FORM "))
      .map((l) => {
        const [, ref, items, attrs] = l.split(" ");
        return [ref, { items: +items, attrs: +attrs }];
      }),
  );
  const roles = new Map(
    lines
      .filter((l) => l.startsWith("ROLE "))
      .map((l) => {
        const [, ref, n] = l.split(" ");
        return [ref, +n];
      }),
  );
  const modules = new Set(lines.filter((l) => l.startsWith("MODULE ")).map((l) => l.split(" ").slice(3).join(" ").split(sep).join("/")));

  const problems = [];
  if (!lines.some((l) => l.startsWith("CONFIGURATION "))) problems.push("mdclasses read no configuration");
  let declared;
  try {
    declared = declaredObjects(cf);
  } catch (e) {
    return [...problems, `Configuration.xml unreadable: ${e.message}`];
  }
  for (const obj of declared.objects) {
    const ref = `${obj.type}.${obj.name}`;
    if (!md.has(ref)) {
      problems.push(`mdclasses did not load ${ref}`);
      continue;
    }
    let decl = { refs: [], forms: [] };
    try {
      decl = declaredChildren(obj);
    } catch (e) {
      problems.push(`${ref}: ${e.message}`);
    }
    for (const r of decl.refs) if (!md.has(r)) problems.push(`mdclasses did not load ${r}`);
    for (const f of decl.forms) {
      const form = forms.get(`${ref}.Form.${f}`);
      if (!form || form.items === 0 || form.attrs === 0) problems.push(`mdclasses read ${ref}.Form.${f} without items or attributes (Form.xml unreadable?)`);
    }
    if (obj.type === "CommonForm") {
      const form = forms.get(ref);
      if (!form || form.items === 0 || form.attrs === 0) problems.push(`mdclasses read ${ref} without items or attributes (Form.xml unreadable?)`);
    }
    if (obj.type === "Role") {
      // A role may grant nothing by itself (a marker role the code asks about); then mdclasses reads no rights either.
      const rightsXml = join(obj.file.slice(0, -".xml".length), "Ext", "Rights.xml");
      const declaredRights = existsSync(rightsXml) ? (readFileSync(rightsXml, "utf8").match(/<object>/g) ?? []).length : 0;
      if (declaredRights > 0 && !(roles.get(ref) > 0))
        problems.push(`mdclasses read ${ref} with no rights, though Rights.xml grants ${declaredRights} (Rights.xml unreadable?)`);
    }
  }
  for (const f of listFiles(cf).filter((f) => f.endsWith(".bsl"))) {
    const r = relative(cf, f).split(sep).join("/");
    if (!modules.has(r)) problems.push(`mdclasses did not attach module ${r} to any object`);
  }
  return problems;
}
