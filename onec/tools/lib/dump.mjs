// What the Designer dump declares: top-level objects from Configuration.xml and, inside each object's XML, its
// attributes, tabular sections, dimensions, resources, enum values and forms — as mdclasses names them.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { child, children, parseXml, textOf } from "./xml.mjs";

/** Metadata type → folder of the hierarchical dump. */
export const FOLDERS = {
  Language: "Languages",
  Subsystem: "Subsystems",
  Role: "Roles",
  CommonModule: "CommonModules",
  ScheduledJob: "ScheduledJobs",
  Constant: "Constants",
  CommonForm: "CommonForms",
  Catalog: "Catalogs",
  Document: "Documents",
  Enum: "Enums",
  DataProcessor: "DataProcessors",
  InformationRegister: "InformationRegisters",
};

export function listFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

export function readXml(path) {
  return parseXml(readFileSync(path, "utf8"));
}

/** The configuration's declared objects: [{ type, name, file }] plus its root element. */
export function declaredObjects(cf) {
  const root = readXml(join(cf, "Configuration.xml"));
  const configuration = child(root, "Configuration");
  const objects = child(configuration, "ChildObjects").children.map((c) => ({
    type: c.name,
    name: textOf(c),
    file: join(cf, FOLDERS[c.name] ?? `?${c.name}`, `${textOf(c)}.xml`),
  }));
  return { root, configuration, objects };
}

/** mdclasses-style references declared inside one object's XML (throws when the XML is unreadable). */
export function declaredChildren(obj) {
  const root = readXml(obj.file);
  const el = child(root, obj.type);
  if (!el) throw new Error(`${relative(process.cwd(), obj.file)}: no <${obj.type}> element`);
  const name = textOf(child(child(el, "Properties"), "Name"));
  if (name !== obj.name) throw new Error(`${obj.file}: <Name>${name}</Name>, declared as ${obj.name}`);
  const base = `${obj.type}.${obj.name}`;
  const refs = [];
  const forms = [];
  const kids = child(el, "ChildObjects");
  for (const c of kids?.children ?? []) {
    const nameOf = (x) => textOf(child(child(x, "Properties"), "Name"));
    if (["Attribute", "Dimension", "Resource", "EnumValue"].includes(c.name)) refs.push(`${base}.${c.name}.${nameOf(c)}`);
    else if (c.name === "TabularSection") {
      const ts = `${base}.TabularSection.${nameOf(c)}`;
      refs.push(ts);
      for (const a of children(child(c, "ChildObjects"), "Attribute")) refs.push(`${ts}.Attribute.${nameOf(a)}`);
    } else if (c.name === "Form") {
      refs.push(`${base}.Form.${textOf(c)}`);
      forms.push(textOf(c));
    }
  }
  return { element: el, refs, forms };
}

export { existsSync };
