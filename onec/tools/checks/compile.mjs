// What the platform's compiler (and, for a few rules, the platform at run time) rejects and the BSL Language Server
// does not see: the module's context (ЭтотОбъект, form data, client vs server), calls it resolves against the
// configuration's common modules and the module's own methods, and names it would find already defined. The
// platform's global context — which method, property, enumeration and type exists where — comes from
// tools/platform-context.json (its sources are listed there and in tools/NOTES.md).
//
// Four rules look at the configuration as a whole (at the end of the file, after ModuleChecker):
// client-waits-for-bridge (a server call from the client reaches an HTTP request to the bridge; on the call graph of
// lib/bsl.mjs), unlocked-write (an object or register record read and written back without a managed lock),
// notify-without-receiver (Оповестить with an event no form's ОбработкаОповещения compares) and form-opened-empty
// (a common form in a subsystem's Content that cancels its opening without a parameter). What each cannot see is
// written above it.
//
// A problem reads "<file relative to src>:<line>: <rule>: <message>".
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import {
  callArguments,
  callGraph,
  callSites,
  closingBracket,
  compiledIn,
  directiveOf,
  enclosingConditions,
  findPath,
  localNames,
  nodeKey,
  parseModule,
  references,
  returnedLiteral,
  statementEnd,
  statementStart,
  valueReturns,
} from "../lib/bsl.mjs";
import { declaredChildren, declaredObjects, FOLDERS, listFiles, readXml } from "../lib/dump.mjs";
import { child, children, textOf } from "../lib/xml.mjs";

const CONTEXT_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "platform-context.json");

/** Environments whose availability the check enforces: the managed client (thin and web) and the server. */
const CHECKED = ["thin", "web", "server"];
const CLIENT = ["thin", "web", "thick"];
const ENV_NAMES = { thin: "the thin client", web: "the web client", server: "the server", thick: "the thick client", ext: "an external connection" };
const DIRECTIVE_ENVS = {
  client: CLIENT,
  server: ["server"],
  "server-no-context": ["server"],
  "client-server-no-context": [...CLIENT, "server"],
  "client-server": [...CLIENT, "server"],
};
const DIRECTIVE_NAMES = {
  client: "&НаКлиенте",
  server: "&НаСервере",
  "server-no-context": "&НаСервереБезКонтекста",
  "client-server-no-context": "&НаКлиентеНаСервереБезКонтекста",
  "client-server": "&НаКлиентеНаСервере",
  "": "no directive (&НаСервере)",
};
/** Metadata collections of the global context → metadata type of their members. */
const MANAGERS = {
  справочники: "Catalog",
  catalogs: "Catalog",
  документы: "Document",
  documents: "Document",
  перечисления: "Enum",
  enums: "Enum",
  регистрысведений: "InformationRegister",
  informationregisters: "InformationRegister",
  константы: "Constant",
  constants: "Constant",
  обработки: "DataProcessor",
  dataprocessors: "DataProcessor",
};
/** Collections of Метаданные → metadata type. */
const METADATA_COLLECTIONS = {
  справочники: "Catalog",
  catalogs: "Catalog",
  документы: "Document",
  documents: "Document",
  перечисления: "Enum",
  enums: "Enum",
  регистрысведений: "InformationRegister",
  informationregisters: "InformationRegister",
  константы: "Constant",
  constants: "Constant",
  обработки: "DataProcessor",
  dataprocessors: "DataProcessor",
  общиеформы: "CommonForm",
  commonforms: "CommonForm",
  общиемодули: "CommonModule",
  commonmodules: "CommonModule",
  регламентныезадания: "ScheduledJob",
  scheduledjobs: "ScheduledJob",
  роли: "Role",
  roles: "Role",
  подсистемы: "Subsystem",
  subsystems: "Subsystem",
  языки: "Language",
  languages: "Language",
};
/** Names of metadata types in form paths («Справочник.Клиенты.ФормаОбъекта») and in ПредопределенноеЗначение. */
const SINGULAR = {
  справочник: "Catalog",
  catalog: "Catalog",
  документ: "Document",
  document: "Document",
  перечисление: "Enum",
  enum: "Enum",
  регистрсведений: "InformationRegister",
  informationregister: "InformationRegister",
  обработка: "DataProcessor",
  dataprocessor: "DataProcessor",
  общаяформа: "CommonForm",
  commonform: "CommonForm",
};
/** Forms the platform generates for an object that declares none of that name. */
const STANDARD_FORMS = {
  Catalog: [
    "ФормаОбъекта",
    "ФормаГруппы",
    "ФормаСписка",
    "ФормаВыбора",
    "ФормаВыбораГруппы",
    "ObjectForm",
    "FolderForm",
    "ListForm",
    "ChoiceForm",
    "FolderChoiceForm",
  ],
  Document: ["ФормаОбъекта", "ФормаСписка", "ФормаВыбора", "ObjectForm", "ListForm", "ChoiceForm"],
  InformationRegister: ["ФормаЗаписи", "ФормаСписка", "RecordForm", "ListForm"],
  Enum: ["ФормаСписка", "ФормаВыбора", "ListForm", "ChoiceForm"],
  DataProcessor: ["Форма", "Form"],
};

let contextCache;
function platformContext() {
  if (contextCache) return contextCache;
  const raw = JSON.parse(readFileSync(CONTEXT_FILE, "utf8"));
  const index = (section, kind) => {
    const map = new Map();
    for (const [name, entry] of Object.entries(raw[section])) {
      const e = { name, kind, ...entry };
      map.set(name.toLowerCase(), e);
      if (entry.en) map.set(entry.en.toLowerCase(), e);
    }
    return map;
  };
  const names = (pairs) => new Set(pairs.flatMap(([ru, en]) => [ru.toLowerCase(), en.toLowerCase()]));
  const c = raw.contexts;
  contextCache = {
    globals: new Map([...index("types", "type"), ...index("enums", "enumeration"), ...index("properties", "property"), ...index("methods", "method")]),
    types: new Map([...index("enums", "enumeration"), ...index("types", "type")]),
    form: { methods: names(c.form.methods), properties: names(c.form.properties), methodList: c.form.methods },
    formExtensions: Object.fromEntries(
      Object.entries(c.formExtensions)
        .filter(([k]) => !k.startsWith("$") && k !== "src")
        .map(([k, v]) => [k, { methods: names(v.methods), methodList: v.methods, properties: names(v.properties) }]),
    ),
    catalogObject: {
      methods: names(c.catalogObject.methods),
      methodList: c.catalogObject.methods,
      properties: names([...c.catalogObject.properties, ...c.catalogObject.standardAttributes.names]),
    },
    recordSet: {
      methods: names(c.recordSet.methods),
      methodList: c.recordSet.methods,
      properties: names([...c.recordSet.properties, ...c.recordSet.standardAttributes.names]),
    },
  };
  return contextCache;
}

const bool = (el, name) => textOf(child(el, name)) === "true";
const lower = (s) => s.toLowerCase();
const envList = (envs) => envs.map((e) => ENV_NAMES[e]).join(", ");

/** The configuration as the check sees it: declared objects, common modules with flags, every module with its kind. */
function loadConfiguration(cf) {
  const { objects } = declaredObjects(cf);
  const byType = new Map();
  for (const o of objects) {
    if (!byType.has(o.type)) byType.set(o.type, new Map());
    byType.get(o.type).set(lower(o.name), o);
  }
  const commonModules = new Map();
  const modules = [];
  const read = (path) => (existsSync(path) ? readFileSync(path, "utf8") : null);
  for (const o of objects) {
    const folder = join(cf, FOLDERS[o.type] ?? "?", o.name);
    if (o.type === "CommonModule") {
      const el = child(readXml(o.file), "CommonModule");
      const p = child(el, "Properties");
      const flags = {
        global: bool(p, "Global"),
        client: bool(p, "ClientManagedApplication"),
        server: bool(p, "Server"),
        ext: bool(p, "ExternalConnection"),
        ordinary: bool(p, "ClientOrdinaryApplication"),
        serverCall: bool(p, "ServerCall"),
        privileged: bool(p, "Privileged"),
      };
      const envs = [
        ...(flags.client ? ["thin", "web", "thick"] : []),
        ...(flags.server ? ["server"] : []),
        ...(flags.ext ? ["ext"] : []),
        ...(flags.ordinary && !flags.client ? ["thick"] : []),
      ];
      const cm = { name: o.name, flags, envs, file: join(folder, "Ext", "Module.bsl") };
      commonModules.set(lower(o.name), cm);
      if (read(cm.file) !== null) modules.push({ kind: "common", file: cm.file, owner: o, common: cm, envs });
      continue;
    }
    let decl = { refs: [], forms: [] };
    try {
      decl = declaredChildren(o);
    } catch {
      // The xml and mdclasses checks report an unreadable object; this check sees it without children.
    }
    o.children = decl.refs;
    o.forms = decl.forms;
    const objectModule = (file, kind) => {
      if (existsSync(file)) modules.push({ kind, file, owner: o, envs: ["server", "thick", "ext"] });
    };
    objectModule(join(folder, "Ext", "ObjectModule.bsl"), "object");
    objectModule(join(folder, "Ext", "RecordSetModule.bsl"), "recordset");
    objectModule(join(folder, "Ext", "ManagerModule.bsl"), "manager");
    const formDirs = o.type === "CommonForm" ? [[o.name, join(folder, "Ext")]] : decl.forms.map((f) => [f, join(folder, "Forms", f, "Ext")]);
    for (const [formName, ext] of formDirs) {
      const file = join(ext, "Form", "Module.bsl");
      if (!existsSync(file)) continue;
      modules.push({ kind: "form", file, owner: o, formName, form: readForm(join(ext, "Form.xml")), envs: ["server", ...CLIENT] });
    }
  }
  return { objects, byType, commonModules, modules };
}

/** A form's attributes, its main attribute's kind, and its form-level event handlers, from Form.xml. */
function readForm(path) {
  const form = { attributes: new Set(), main: null, mainKind: "none", events: new Map(), parameters: new Map() };
  if (!existsSync(path)) return form;
  let root;
  try {
    root = readXml(path);
  } catch {
    return form;
  }
  if (root.name !== "Form") return form;
  for (const a of children(child(root, "Attributes"), "Attribute")) {
    const name = a.attrs.name;
    form.attributes.add(lower(name));
    if (textOf(child(a, "MainAttribute")) === "true") {
      const type = textOf(children(child(a, "Type"), "v8:Type")[0]);
      form.main = { name, type };
      if (/^cfg:\w+Object\./.test(type)) form.mainKind = "object";
      else if (/^cfg:DynamicList$/.test(type)) form.mainKind = "dynamicList";
      else if (/^cfg:InformationRegisterRecordManager\./.test(type)) form.mainKind = "recordManager";
      else form.mainKind = "other";
    }
  }
  for (const e of children(child(root, "Events"), "Event")) form.events.set(e.attrs.name, textOf(e));
  for (const p of children(child(root, "Parameters"), "Parameter")) {
    form.parameters.set(lower(p.attrs.name ?? ""), {
      name: p.attrs.name,
      type: children(child(p, "Type"), "v8:Type").map(textOf).join(", "),
      key: textOf(child(p, "KeyParameter")) === "true",
    });
  }
  return form;
}

/**
 * @param src the folder holding cf/ (the Designer dump)
 * @returns {string[]} problems
 */
export function checkCompile(src) {
  const cf = join(src, "cf");
  const problems = [];
  let config;
  try {
    config = loadConfiguration(cf);
  } catch (e) {
    return [`Configuration.xml or a common module's XML unreadable: ${e.message}`];
  }
  const ctx = platformContext();
  // Parse every module first: calls into common modules need their outlines.
  for (const m of config.modules) {
    try {
      m.outline = parseModule(readFileSync(m.file, "utf8"));
    } catch (e) {
      problems.push(`${rel(cf, m.file)}:${e.line ?? 1}: syntax: ${e.message}`);
    }
  }
  for (const cm of config.commonModules.values()) {
    cm.outline = config.modules.find((m) => m.common === cm)?.outline;
    cm.methods = new Map((cm.outline?.methods ?? []).map((x) => [lower(x.name), x]));
  }
  const globalMethods = new Map();
  for (const cm of config.commonModules.values()) {
    if (!cm.flags.global) continue;
    for (const x of cm.outline?.methods ?? []) if (x.exported) globalMethods.set(lower(x.name), { module: cm, method: x });
  }
  for (const m of config.modules) {
    if (!m.outline) continue;
    const report = (line, rule, message) => problems.push(`${rel(cf, m.file)}:${line}: ${rule}: ${message}`);
    try {
      new ModuleChecker(m, config, ctx, globalMethods, report).run();
    } catch (e) {
      report(1, "internal", `the check failed on this module: ${e.stack ?? e}`);
    }
  }
  // Rules over the whole configuration: the call graph, writes and their locks, notifications, the command interface.
  const reportIn = (file) => (line, rule, message) => problems.push(`${rel(cf, file)}:${line}: ${rule}: ${message}`);
  for (const rule of [checkClientWaitsForBridge, checkUnlockedWrites, checkNotificationReceivers, checkFormsOpenedEmpty]) {
    try {
      rule(config, cf, reportIn);
    } catch (e) {
      problems.push(`${rel(cf, join(cf, "Configuration.xml"))}:1: internal: ${rule.name} failed: ${e.stack ?? e}`);
    }
  }
  return [...new Set(problems)];
}

const rel = (cf, file) => relative(cf, file).split(sep).join("/");

class ModuleChecker {
  constructor(module, config, ctx, globalMethods, report) {
    Object.assign(this, { module, config, ctx, globalMethods, report });
    this.outline = module.outline;
    this.methods = new Map(this.outline.methods.map((x) => [lower(x.name), x]));
    this.variables = new Map(this.outline.variables.map((v) => [lower(v.name), v]));
    this.isForm = module.kind === "form";
    this.isCommon = module.kind === "common";
    const o = module.owner;
    this.ownerChildren = new Set((o.children ?? []).map((r) => lower(r.split(".").pop())));
    if (module.kind === "object") this.objectContext = o.type === "Catalog" ? ctx.catalogObject : null;
    if (module.kind === "recordset") this.objectContext = ctx.recordSet;
    if (this.isForm) this.formExtension = ctx.formExtensions[module.form.mainKind] ?? null;
  }

  run() {
    this.checkDuplicates();
    this.checkShadowedContextMethods();
    for (const method of this.outline.methods) this.checkMethod(method);
    if (this.isForm) this.checkOnReadAtServer();
  }

  /** The environments a method is compiled in. */
  methodEnvs(method) {
    if (this.isForm) return DIRECTIVE_ENVS[directiveOf(method)] ?? ["server"];
    return this.module.envs;
  }

  checkDuplicates() {
    const seen = new Map();
    for (const x of this.outline.methods) {
      const key = lower(x.name);
      if (seen.has(key))
        this.report(x.line, "duplicate-method", `${x.name} is already defined at line ${seen.get(key)}: the compiler rejects a second method of the same name`);
      else seen.set(key, x.line);
    }
    const vars = new Map();
    for (const v of this.outline.variables) {
      const key = lower(v.name);
      if (vars.has(key)) this.report(v.line, "duplicate-variable", `module variable ${v.name} is already declared at line ${vars.get(key)}`);
      else vars.set(key, v.line);
      if (seen.has(key)) this.report(v.line, "duplicate-variable", `module variable ${v.name} has the name of a method of the module (line ${seen.get(key)})`);
    }
  }

  /** Rule 5: a method of the module must not take the name of a method of the module's own context object. */
  checkShadowedContextMethods() {
    const ctx = this.ctx;
    const sets = [];
    if (this.isForm) {
      sets.push(["a method of the form itself (ClientApplicationForm)", ctx.form.methodList]);
      const form = this.module.form;
      if (this.formExtension?.methodList.length)
        sets.push([
          `a method of the form's extension for its main attribute ${form.main.name} (${form.main.type.replace(/^cfg:/, "")})`,
          this.formExtension.methodList,
        ]);
    } else if (this.objectContext) {
      sets.push([
        `a method of the module's object (${this.module.kind === "recordset" ? "РегистрСведенийНаборЗаписей" : "СправочникОбъект"})`,
        this.objectContext.methodList,
      ]);
    }
    for (const x of this.outline.methods) {
      for (const [what, list] of sets) {
        const hit = list.find(([ru, en]) => lower(ru) === lower(x.name) || lower(en) === lower(x.name));
        if (hit)
          this.report(
            x.line,
            "context-method-name",
            `${x.name} is ${what}: the compiler rejects the module's ${x.kind} as already defined — rename it (a command's handler can have any name)`,
          );
      }
      // A form without an object as its main attribute has no Записать/Прочитать today; a method of that name
      // compiles, but breaks the moment the form gets such an attribute and reads as a call of the form's own
      // Записать() everywhere it is used. Reviewers count it as shadowing, so it is refused in every form.
      if (this.isForm && !this.formExtension?.methodList.length) {
        const reserved = ctx.formExtensions.object?.methodList.find(([ru, en]) => lower(ru) === lower(x.name) || lower(en) === lower(x.name));
        if (reserved)
          this.report(
            x.line,
            "context-method-name",
            `${x.name} is a method of the form extension for objects (Записать/Прочитать): in this form without an object attribute it compiles, but shadows the form's method once the form gets one — rename it`,
          );
      }
    }
  }

  checkMethod(method) {
    const envs = this.methodEnvs(method);
    const directive = directiveOf(method);
    const noContext = this.isForm && (directive === "server-no-context" || directive === "client-server-no-context");
    const locals = localNames(method);
    const body = method.body;
    if (method.kind === "procedure")
      for (const r of valueReturns(body))
        this.report(r.line, "return-value-in-procedure", `${method.name} is a procedure: Возврат with a value is allowed only in a function`);
    const seenUnknown = new Set();
    for (let j = 0; j < body.length; j++) {
      const t = body[j];
      if (t.type !== "ident") continue;
      const prev = body[j - 1];
      if (prev?.text === "." || prev?.text === "~") continue;
      const tokenEnvs = envs.filter((e) => compiledIn(t.pp, e));
      if (!tokenEnvs.length) continue;
      if (prev?.type === "keyword" && prev.value === "new") {
        this.checkNew(body, j, tokenEnvs);
        continue;
      }
      const name = t.value;
      const call = body[j + 1]?.text === "(";
      if (locals.has(name)) continue;
      // The module's variables (in a form: visible only where their directive compiles).
      const variable = this.variables.get(name);
      if (variable) {
        if (this.isForm) {
          const vEnvs = DIRECTIVE_ENVS[directiveOf(variable)] ?? ["server"];
          const missing = tokenEnvs.filter((e) => !vEnvs.includes(e));
          if (missing.length)
            this.report(
              t.line,
              "context",
              `${method.name} (${DIRECTIVE_NAMES[directive]}) uses module variable ${variable.name}, declared ${DIRECTIVE_NAMES[directiveOf(variable)]}: it does not exist on ${envList(missing)}`,
            );
        }
        continue;
      }
      const own = this.methods.get(name);
      if (own) {
        this.checkOwnCall(method, directive, envs, body, j, own, call);
        continue;
      }
      if (this.checkModuleContext(method, directive, noContext, body, j, name)) continue;
      const cm = this.config.commonModules.get(name);
      if (cm) {
        this.checkCommonModuleUse(method, tokenEnvs, body, j, cm);
        continue;
      }
      const gm = this.globalMethods.get(name);
      if (gm) {
        this.checkCall(method, body, j, gm.method, `${gm.module.name}.${gm.method.name}`);
        continue;
      }
      const g = this.ctx.globals.get(name);
      if (g) {
        this.checkAvailability(method, directive, t, tokenEnvs, g);
        this.checkGlobalUse(method, body, j, g, envs);
        continue;
      }
      if (seenUnknown.has(name)) continue;
      seenUnknown.add(name);
      const what = call ? "procedure or function" : "variable";
      this.report(
        t.line,
        "unknown-identifier",
        `${t.text}: no local ${what}, method of the module, ${this.isForm ? "form attribute or form property" : this.objectContext ? "attribute or method of the object" : "module variable"}, common module or global-context name of the platform has this name — the compiler rejects it ("${call ? "Процедура или функция с указанным именем не определена" : "Переменная не определена"}")`,
      );
    }
  }

  /**
   * Names of the module's own context: `ЭтотОбъект`, form attributes and properties, the object's attributes.
   * Returns true when `name` is one (after checking it).
   */
  checkModuleContext(method, directive, noContext, body, j, name) {
    const t = body[j];
    if (name === "этотобъект" || name === "thisobject") {
      if (this.isForm || this.module.kind === "object" || this.module.kind === "recordset") {
        if (noContext) this.report(t.line, "no-context", `${method.name} is ${DIRECTIVE_NAMES[directive]}: it has no form, so ${t.text} does not exist there`);
        return true;
      }
      this.report(
        t.line,
        "this-object",
        `${t.text} exists only in object, record set and form modules, not in ${this.module.kind === "common" ? "a common module" : "a manager module"}: pass the module's name (for ОписаниеОповещения, the common module itself) instead`,
      );
      return true;
    }
    if (this.isForm) {
      const form = this.module.form;
      const ctx = this.ctx;
      const isAttribute = form.attributes.has(name);
      const isProperty = ctx.form.properties.has(name) || this.formExtension?.properties.has(name);
      const isMethod = ctx.form.methods.has(name) || this.formExtension?.methods.has(name);
      if (!isAttribute && !isProperty && !isMethod) return false;
      if (isMethod && (name === "подключитьобработчикожидания" || name === "attachidlehandler")) this.checkIdleHandler(method, body, j);
      if (noContext)
        this.report(
          t.line,
          "no-context",
          `${method.name} is ${DIRECTIVE_NAMES[directive]}: it runs without the form, so the form's ${isAttribute ? "attribute" : isMethod ? "method" : "property"} ${t.text} does not exist there — pass the value as a parameter or use &НаСервере`,
        );
      return true;
    }
    if (this.objectContext && (this.ownerChildren.has(name) || this.objectContext.properties.has(name) || this.objectContext.methods.has(name))) return true;
    if (this.module.kind === "object" && !this.objectContext && this.ownerChildren.has(name)) return true;
    return false;
  }

  /** A call (or use) of one of the module's own methods. */
  checkOwnCall(method, directive, envs, body, j, target, call) {
    const t = body[j];
    if (!call) {
      this.report(
        t.line,
        "own-method-call",
        `${t.text} is a ${target.kind} of the module, used without parentheses: the compiler reads it as an undefined variable`,
      );
      return;
    }
    this.checkCall(method, body, j, target, target.name);
    if (!this.isForm) return;
    const from = directive;
    const to = directiveOf(target);
    const fromEnvs = DIRECTIVE_ENVS[from] ?? ["server"];
    const toEnvs = DIRECTIVE_ENVS[to] ?? ["server"];
    const serverCall = fromEnvs.some((e) => CLIENT.includes(e)) && (to === "server" || to === "server-no-context" || to === "");
    const noContextFrom = from === "server-no-context" || from === "client-server-no-context";
    const contextTo = to === "server" || to === "client" || to === "" || to === "client-server";
    if (noContextFrom && contextTo) {
      this.report(
        t.line,
        "no-context",
        `${method.name} (${DIRECTIVE_NAMES[from]}) calls ${target.name} (${DIRECTIVE_NAMES[to]}), a form method with context: a method without context cannot call it`,
      );
      return;
    }
    const missing = fromEnvs.filter((e) => !toEnvs.includes(e) && !(serverCall && CLIENT.includes(e)));
    if (missing.length)
      this.report(
        t.line,
        "context",
        `${method.name} (${DIRECTIVE_NAMES[from]}) calls ${target.name} (${DIRECTIVE_NAMES[to]}), which does not exist on ${envList(missing)}${from !== "client" && to === "client" ? ": server code cannot call a client method" : ""}`,
      );
  }

  /** Arity and procedure-used-as-function for a call of a known method at body[j] (the name token). */
  checkCall(method, body, j, target, label) {
    const t = body[j];
    if (body[j + 1]?.text !== "(") return;
    const args = callArguments(body, j + 1).length;
    const max = target.params.length;
    const required = target.params.filter((p) => !p.optional).length;
    if (args > max)
      this.report(t.line, "arity", `${label} takes ${max} parameter${max === 1 ? "" : "s"}, called with ${args}: "Слишком много фактических параметров"`);
    else if (args < required)
      this.report(
        t.line,
        "arity",
        `${label} needs ${required} parameter${required === 1 ? "" : "s"} (${target.params
          .filter((p) => !p.optional)
          .map((p) => p.name)
          .join(", ")}), called with ${args}: "Недостаточно фактических параметров"`,
      );
    if (target.kind === "procedure") {
      const start = body[j - 1]?.text === "." ? j - 2 : j;
      const close = closingBracket(body, j + 1);
      if (!(statementStart(body, start) && statementEnd(body, close + 1)))
        this.report(t.line, "procedure-as-function", `${label} is a procedure: its call has no value ("Использование процедуры как функции")`);
    }
  }

  /** `Модуль.Метод(…)` on a (non-global) common module of the configuration. */
  checkCommonModuleUse(method, tokenEnvs, body, j, cm) {
    const t = body[j];
    if (body[j + 1]?.text !== "." || body[j + 2]?.type !== "ident") {
      // The module itself as a value: ОписаниеОповещения's module, a parameter.
      this.checkModuleAvailable(method, t, tokenEnvs, cm, `${cm.name} (as a value)`);
      return;
    }
    const nameToken = body[j + 2];
    const target = cm.methods.get(nameToken.value);
    const call = body[j + 3]?.text === "(";
    if (!target) {
      this.report(
        nameToken.line,
        "common-module-call",
        `common module ${cm.name} has no method ${nameToken.text}${cm.outline ? "" : " (the module has no Ext/Module.bsl)"}`,
      );
      return;
    }
    if (!target.exported) {
      this.report(nameToken.line, "common-module-call", `${cm.name}.${target.name} is not exported (no Экспорт): other modules cannot call it`);
      return;
    }
    if (!call) {
      this.report(nameToken.line, "common-module-call", `${cm.name}.${target.name} is a ${target.kind}, used without parentheses`);
      return;
    }
    this.checkCall(method, body, j + 2, target, `${cm.name}.${target.name}`);
    this.checkModuleAvailable(method, nameToken, tokenEnvs, cm, `${cm.name}.${target.name}`);
  }

  /** Whether common module `cm` can be reached from code compiled in `envs` (directly or by a server call). */
  checkModuleAvailable(method, t, envs, cm, label) {
    const f = cm.flags;
    const reachable = (e) => {
      if (e === "server") return f.server;
      if (e === "thin" || e === "web") return f.client || (f.server && f.serverCall);
      if (e === "thick") return f.client || f.ordinary || (f.server && f.serverCall);
      if (e === "ext") return f.ext || f.server;
      return true;
    };
    const missing = envs.filter((e) => CHECKED.includes(e) && !reachable(e));
    if (!missing.length) return;
    const clientSide = missing.some((e) => e !== "server");
    const why = clientSide
      ? f.server
        ? `${cm.name} is a server module without «Вызов сервера» (ServerCall): client code can call only server modules that have it`
        : `${cm.name} is not compiled there (no client flag)`
      : `${cm.name} is not a server module (Server=false): server code cannot call a client module`;
    this.report(t.line, "common-module-context", `${method.name} calls ${label} from ${envList(missing)}: ${why}`);
  }

  /** Availability of a platform global (method, property, enumeration, type) in the code's environments. */
  checkAvailability(method, directive, t, envs, entry) {
    const missing = envs.filter((e) => CHECKED.includes(e) && !entry.on.includes(e));
    if (!missing.length) return;
    const where = this.isForm ? `${method.name} (${DIRECTIVE_NAMES[directive]})` : `${method.name} (${this.moduleLabel()})`;
    this.report(
      t.line,
      "platform-context",
      `${t.text} (global ${entry.kind}) is not available on ${envList(missing)}, where ${where} runs; the platform has it on: ${envList(entry.on) || "no checked context"} [platform-context.json: ${entry.src}]`,
    );
  }

  moduleLabel() {
    const m = this.module;
    if (m.kind === "common") {
      const f = m.common.flags;
      return `common module: ${[f.client && "client", f.server && "server", f.ext && "external connection", f.ordinary && "ordinary thick client"].filter(Boolean).join(" + ")}`;
    }
    return `${m.kind} module`;
  }

  /** `Новый <Type>` at body[j]. */
  checkNew(body, j, envs) {
    const t = body[j];
    const type = this.ctx.types.get(t.value);
    if (!type) {
      this.report(t.line, "unknown-type", `Новый ${t.text}: the platform has no type of this name ("Тип не определен")`);
      return;
    }
    const missing = envs.filter((e) => CHECKED.includes(e) && !type.on.includes(e));
    if (missing.length) {
      const method = this.outline.methods.find((x) => x.body === body);
      this.report(
        t.line,
        "platform-context",
        `Новый ${t.text}: the type is not available on ${envList(missing)}, where ${method?.name ?? "the code"} runs; the platform has it on: ${envList(type.on) || "no checked context"} [platform-context.json: ${type.src}]`,
      );
    }
    if (lower(type.name) === "описаниеоповещения") this.checkNotifyDescription(body, j);
  }

  /** Uses of platform globals the platform resolves by name: metadata managers, idle handlers. */
  checkGlobalUse(method, body, j, entry, envs) {
    const key = lower(entry.name);
    if (entry.kind === "property" && (MANAGERS[key] || key === "метаданные")) this.checkMetadataPath(body, j);
    if (entry.kind === "method" && key === "предопределенноезначение") this.checkPredefinedValue(body, j);
    if (entry.kind === "method" && key === "открытьформу") this.checkFormName(body, j);
    if (entry.kind === "method" && (key === "подключитьобработчикожидания" || key === "attachidlehandler")) this.checkIdleHandler(method, body, j);
  }

  /** `Справочники.X`, `Перечисления.X.Y`, `Метаданные.ОбщиеФормы.X`: X must be declared. */
  checkMetadataPath(body, j) {
    const head = body[j].value;
    const next = body[j + 2];
    if (body[j + 1]?.text !== "." || next?.type !== "ident") return;
    let type = MANAGERS[head];
    let nameToken = next;
    if (head === "метаданные" || head === "metadata") {
      type = METADATA_COLLECTIONS[next.value];
      nameToken = body[j + 3]?.text === "." && body[j + 4]?.type === "ident" ? body[j + 4] : null;
      if (!type || !nameToken) return;
    }
    const obj = this.config.byType.get(type)?.get(nameToken.value);
    if (!obj) {
      this.report(
        nameToken.line,
        "metadata-reference",
        `${body[j].text}.${head === "метаданные" || head === "metadata" ? `${next.text}.` : ""}${nameToken.text}: the configuration declares no ${type} ${nameToken.text}`,
      );
      return;
    }
    if (type === "Enum" && head !== "метаданные" && head !== "metadata") {
      const valueToken = body[j + 3]?.text === "." && body[j + 4]?.type === "ident" ? body[j + 4] : null;
      const values = new Set((obj.children ?? []).filter((r) => r.includes(".EnumValue.")).map((r) => lower(r.split(".").pop())));
      const managerMethods = [
        "пустаяссылка",
        "emptyref",
        "получитьформу",
        "getform",
        "получитьформусписка",
        "getlistform",
        "получитьформувыбора",
        "getchoiceform",
        "получитьмакет",
        "gettemplate",
        "индекс",
        "index",
      ];
      if (valueToken && !values.has(valueToken.value) && !managerMethods.includes(valueToken.value))
        this.report(valueToken.line, "metadata-reference", `Перечисления.${obj.name}.${valueToken.text}: the enumeration has no value ${valueToken.text}`);
    }
  }

  /** `ПредопределенноеЗначение("Перечисление.X.Y")`: the object and (for an enumeration) the value must exist. */
  checkPredefinedValue(body, j) {
    const args = callArguments(body, j + 1);
    const arg = args[0];
    if (args.length !== 1 || arg.length !== 1 || arg[0].type !== "string") return;
    const parts = arg[0].value.split(".");
    const type = SINGULAR[lower(parts[0] ?? "")];
    if (!type || parts.length !== 3) return;
    const obj = this.config.byType.get(type)?.get(lower(parts[1]));
    if (!obj) this.report(arg[0].line, "metadata-reference", `ПредопределенноеЗначение("${arg[0].value}"): the configuration declares no ${type} ${parts[1]}`);
    else if (
      type === "Enum" &&
      !(obj.children ?? []).some((r) => r.includes(".EnumValue.") && lower(r.split(".").pop()) === lower(parts[2])) &&
      !["пустаяссылка", "emptyref"].includes(lower(parts[2]))
    ) {
      this.report(arg[0].line, "metadata-reference", `ПредопределенноеЗначение("${arg[0].value}"): the enumeration ${obj.name} has no value ${parts[2]}`);
    }
  }

  /** `ОткрытьФорму("ОбщаяФорма.X")` / `("Справочник.X.ФормаY")`: the form must exist (declared or generated). */
  checkFormName(body, j) {
    const arg = callArguments(body, j + 1)[0];
    if (!arg || arg.length !== 1 || arg[0].type !== "string") return;
    const parts = arg[0].value.split(".");
    const type = SINGULAR[lower(parts[0] ?? "")];
    if (!type) return;
    const obj = this.config.byType.get(type)?.get(lower(parts[1] ?? ""));
    if (!obj) {
      this.report(arg[0].line, "metadata-reference", `ОткрытьФорму("${arg[0].value}"): the configuration declares no ${type} ${parts[1]}`);
      return;
    }
    if (type === "CommonForm" || parts.length < 3) return;
    const formName = parts[2] === "Форма" || parts[2] === "Form" ? parts[3] : parts[2];
    if (!formName) return;
    const declared = (obj.forms ?? []).some((f) => lower(f) === lower(formName));
    if (!declared && !(STANDARD_FORMS[type] ?? []).some((f) => lower(f) === lower(formName))) {
      this.report(
        arg[0].line,
        "metadata-reference",
        `ОткрытьФорму("${arg[0].value}"): ${type} ${obj.name} has no form ${formName} (declared: ${(obj.forms ?? []).join(", ") || "none"}; generated: ${STANDARD_FORMS[type]?.filter((f) => /[А-я]/.test(f)).join(", ") ?? "none"})`,
      );
    }
  }

  /** `Новый ОписаниеОповещения("Имя", Модуль, …)`: the handler the platform calls by name must be there. */
  checkNotifyDescription(body, j) {
    if (body[j + 1]?.text !== "(") return;
    const args = callArguments(body, j + 1);
    const [nameArg, moduleArg] = args;
    if (!nameArg || nameArg.length !== 1 || nameArg[0].type !== "string" || !moduleArg || moduleArg.length !== 1 || moduleArg[0].type !== "ident") return;
    const handler = nameArg[0].value;
    const mod = moduleArg[0].value;
    const line = nameArg[0].line;
    if (this.isForm && (mod === "этотобъект" || mod === "thisobject" || mod === "этаформа" || mod === "thisform")) {
      const target = this.methods.get(lower(handler));
      if (!target) this.report(line, "notify-handler", `ОписаниеОповещения("${handler}", ${moduleArg[0].text}): the form module has no procedure ${handler}`);
      else if (!CLIENT.some((e) => (DIRECTIVE_ENVS[directiveOf(target)] ?? ["server"]).includes(e)))
        this.report(
          line,
          "notify-handler",
          `ОписаниеОповещения("${handler}", ${moduleArg[0].text}): ${handler} is ${DIRECTIVE_NAMES[directiveOf(target)]}; the platform calls the handler on the client`,
        );
      return;
    }
    const cm = this.config.commonModules.get(mod);
    if (!cm) return;
    const target = cm.methods.get(lower(handler));
    if (!target) this.report(line, "notify-handler", `ОписаниеОповещения("${handler}", ${cm.name}): common module ${cm.name} has no procedure ${handler}`);
    else if (!target.exported)
      this.report(
        line,
        "notify-handler",
        `ОписаниеОповещения("${handler}", ${cm.name}): ${cm.name}.${handler} is not exported; the platform calls only exported procedures of a common module`,
      );
    else if (!cm.flags.client)
      this.report(
        line,
        "notify-handler",
        `ОписаниеОповещения("${handler}", ${cm.name}): ${cm.name} is not a client module; the platform calls the handler on the client`,
      );
  }

  /**
   * `ПодключитьОбработчикОжидания("Имя", …)`: in a form module the form's method runs, and it calls a client
   * procedure of the form module without parameters; elsewhere the global method calls an exported procedure of a
   * global common module (or the application module, which this configuration has not).
   */
  checkIdleHandler(method, body, j) {
    const arg = callArguments(body, j + 1)[0];
    if (!arg || arg.length !== 1 || arg[0].type !== "string") return;
    const name = arg[0].value;
    const line = arg[0].line;
    if (this.isForm) {
      const target = this.methods.get(lower(name));
      if (!target) this.report(line, "idle-handler", `ПодключитьОбработчикОжидания("${name}"): the form module has no procedure ${name}`);
      else if (target.kind !== "procedure")
        this.report(line, "idle-handler", `ПодключитьОбработчикОжидания("${name}"): ${name} is a function; an idle handler is a procedure`);
      else if (!(DIRECTIVE_ENVS[directiveOf(target)] ?? ["server"]).includes("thin"))
        this.report(
          line,
          "idle-handler",
          `ПодключитьОбработчикОжидания("${name}"): ${name} is ${DIRECTIVE_NAMES[directiveOf(target)]}; an idle handler runs on the client`,
        );
      else if (target.params.some((p) => !p.optional))
        this.report(line, "idle-handler", `ПодключитьОбработчикОжидания("${name}"): ${name} has parameters; the platform calls an idle handler without any`);
      return;
    }
    const gm = this.globalMethods.get(lower(name));
    if (!gm)
      this.report(
        line,
        "idle-handler",
        `ПодключитьОбработчикОжидания("${name}") in ${this.isCommon ? `common module ${this.module.common.name}` : "this module"}: outside a form the platform looks for an exported procedure of a global common module (or the application module); there is none named ${name}`,
      );
  }

  /** Rule 2: `Объект` in the OnReadAtServer handler or a form method it reaches. */
  checkOnReadAtServer() {
    const form = this.module.form;
    const handlerName = form.events.get("OnReadAtServer");
    if (!handlerName || !form.main) return;
    const handler = this.methods.get(lower(handlerName));
    if (!handler) return;
    const mainName = lower(form.main.name);
    const via = new Map([[lower(handler.name), [handler.name]]]);
    const queue = [handler];
    while (queue.length) {
      const m = queue.shift();
      const locals = localNames(m);
      for (const r of references(m.body)) {
        if (r.object !== "" || !r.call || locals.has(lower(r.member))) continue;
        const target = this.methods.get(lower(r.member));
        if (target && !via.has(lower(target.name))) {
          via.set(lower(target.name), [...via.get(lower(m.name)), target.name]);
          queue.push(target);
        }
      }
    }
    for (const [key, path] of via) {
      const m = this.methods.get(key);
      const locals = localNames(m);
      if (locals.has(mainName)) continue;
      const lines = new Set();
      m.body.forEach((t, j) => {
        if (t.type === "ident" && t.value === mainName && m.body[j - 1]?.text !== "." && !lines.has(t.line)) {
          lines.add(t.line);
          this.report(
            t.line,
            "object-in-on-read",
            `${form.main.name} used in ${m.name}${path.length > 1 ? `, which the OnReadAtServer handler reaches (${path.join(" → ")})` : ", the OnReadAtServer handler"}: the form's main attribute is filled only after ${handler.name} returns — read the object from its parameter ${handler.params[0]?.name ?? "ТекущийОбъект"}`,
          );
        }
      });
    }
  }
}

// ─── Rules over the whole configuration ──────────────────────────────────────────────────────────────────────────
// Each takes the loaded configuration and reportIn(file) → report(line, rule, message). They read the modules'
// outlines only (parse errors were reported above; such a module is left out).

const RU_TYPES = {
  Catalog: "Справочник",
  Document: "Документ",
  InformationRegister: "РегистрСведений",
  DataProcessor: "Обработка",
  CommonForm: "ОбщаяФорма",
  Enum: "Перечисление",
  Constant: "Константа",
};
const THIS = new Set(["этотобъект", "thisobject", "этаформа", "thisform"]);
const CLIENT_DIRECTIVES = new Set(["client", "client-server", "client-server-no-context"]);
const SERVER_DIRECTIVES = new Set(["server", "server-no-context", "", "client-server", "client-server-no-context"]);

const localsCache = new WeakMap();
function localsOf(method) {
  if (!localsCache.has(method)) localsCache.set(method, localNames(method));
  return localsCache.get(method);
}

/** Where a method of the graph runs: { client, server } (a client-server method runs where its caller does). */
function sidesOf(node) {
  const m = node.module.m;
  if (m.kind === "form") {
    const d = directiveOf(node.method);
    return { client: CLIENT_DIRECTIVES.has(d), server: SERVER_DIRECTIVES.has(d) };
  }
  if (m.kind === "common") return { client: m.common.flags.client, server: m.common.flags.server };
  return { client: false, server: true };
}

/** A method's name for a message: `Модуль.Метод`; a form's own method bare when `home` is its form. */
function methodLabel(node, home) {
  const m = node.module.m;
  if (m.kind === "common") return `${m.common.name}.${node.method.name}`;
  if (m.kind === "form") return home === m ? node.method.name : `${m.formName}.${node.method.name}`;
  return `${RU_TYPES[m.owner.type] ?? m.owner.type}.${m.owner.name}.${node.method.name} (${m.kind} module)`;
}

/**
 * The configuration's call graph (bsl.mjs callGraph): unqualified calls of the module's own methods and of global
 * common modules, `Модуль.Метод(…)` of common modules, `ЭтотОбъект.Метод(…)`, ОписаниеОповещения handlers (with the
 * form or a common module) and idle handlers. A call through a value (`Объект.Метод()`, `Форма.Метод()`) and a
 * method named in a string (ФоновыеЗадания.Выполнить) is not an edge.
 */
function configurationGraph(config) {
  if (config.graph) return config.graph;
  const modules = config.modules.filter((m) => m.outline).map((m) => ({ id: m.file, outline: m.outline, m }));
  const globals = new Map();
  for (const cm of config.commonModules.values()) {
    if (cm.flags.global) for (const x of cm.outline?.methods ?? []) if (x.exported) globals.set(lower(x.name), cm);
  }
  const common = (moduleName, name) => {
    const cm = config.commonModules.get(lower(moduleName));
    return cm?.outline && cm.methods.get(lower(name))?.exported ? nodeKey(cm.file, name) : null;
  };
  const resolve = (module, method, site) => {
    const own = module.outline.methods.some((x) => lower(x.name) === lower(site.name)) ? nodeKey(module.id, site.name) : null;
    const global = () => (globals.has(lower(site.name)) ? common(globals.get(lower(site.name)).name, site.name) : null);
    if (site.kind === "notify") return THIS.has(lower(site.module)) ? (module.m.kind === "form" ? own : null) : common(site.module, site.name);
    if (site.kind === "idle") return module.m.kind === "form" ? own : global();
    if (site.module === "") return localsOf(method).has(lower(site.name)) ? null : (own ?? global());
    if (THIS.has(lower(site.module))) return own;
    if (localsOf(method).has(lower(site.module))) return null;
    return common(site.module, site.name);
  };
  config.graph = callGraph(modules, resolve);
  return config.graph;
}

/** Calls of an HTTPСоединение's methods in a method: on a local assigned `Новый HTTPСоединение(…)` or on the `Новый` itself. */
const HTTP_METHODS = new Set([
  "вызватьhttpметод",
  "callhttpmethod",
  "получить",
  "get",
  "отправитьдляобработки",
  "post",
  "записать",
  "put",
  "изменить",
  "patch",
  "удалить",
  "delete",
  "заголовок",
  "head",
]);
const HTTP_CONNECTION = new Set(["httpсоединение", "httpconnection"]);
function httpCalls(method) {
  const b = method.body;
  const connections = new Set();
  const calls = [];
  for (let j = 0; j < b.length; j++) {
    if (b[j].type === "ident" && b[j + 1]?.text === "=" && b[j + 2]?.value === "new" && HTTP_CONNECTION.has(b[j + 3]?.value) && statementStart(b, j))
      connections.add(b[j].value);
  }
  for (let j = 0; j < b.length; j++) {
    const t = b[j];
    let dot = -1;
    if (t.type === "ident" && connections.has(t.value) && b[j - 1]?.text !== ".") dot = j + 1;
    else if (t.type === "keyword" && t.value === "new" && HTTP_CONNECTION.has(b[j + 1]?.value) && b[j + 2]?.text === "(") dot = closingBracket(b, j + 2) + 1;
    if (dot > 0 && b[dot]?.text === "." && HTTP_METHODS.has(b[dot + 1]?.value) && b[dot + 2]?.text === "(")
      calls.push({ line: b[dot + 1].line, text: `HTTPСоединение.${b[dot + 1].text}` });
  }
  return calls;
}

/** The bridge's HTTP client: reaching it means an HTTP request to the bridge (whatever it does inside). */
const BRIDGE_SINKS = new Set(["средамостсервер.выполнитьзапрос"]);
/** Object (record set) module handlers the platform runs when a form writes its object (record). */
const WRITE_HANDLERS = new Set([
  "передзаписью",
  "beforewrite",
  "призаписи",
  "onwrite",
  "обработкапроверкизаполнения",
  "fillcheckprocessing",
  "приустановкеновогокода",
  "onsetnewcode",
  "обработкапроведения",
  "posting",
]);
const OBJECT_HANDLERS = new Set([
  ...WRITE_HANDLERS,
  "передудалением",
  "beforedelete",
  "обработказаполнения",
  "filling",
  "прикопировании",
  "oncopy",
  "обработкаудаленияпроведения",
  "undoposting",
]);

/**
 * Rule client-waits-for-bridge. Client code must not wait for the bridge: a server call that makes an HTTP request
 * blocks the client until the bridge answers (up to its timeout). Starting points (the client waits for each):
 * every client method — a form's &НаКлиенте (and client-server) method, a method of a client common module; the
 * handlers of ОписаниеОповещения and ПодключитьОбработчикОжидания are such methods too, so each is a start of its
 * own — calling a server method of its form or a method of a server-call common module; every server method of a
 * form that no method of the form calls (form and item event handlers: the platform calls them for the client); an
 * object module's write handlers, when a form of the object writes it. From there every server-side call is
 * followed (common modules, the module's own methods) until a method makes an HTTP request (HTTPСоединение) or is
 * СредаМостСервер.ВыполнитьЗапрос — so СредаКонтрактМостаСервер and the generated СредаСхемыМостаСервер are seen
 * through. ФоновыеЗадания.Выполнить("Модуль.Метод") names its method in a string: not a call, and the way to reach
 * the bridge. Not seen: calls through a value (`Объект.Метод()` of an object module, another form's methods,
 * `Выполнить`/`Вычислить`), HTTP requests through a connection passed in from elsewhere, exported methods of
 * server-call modules that no client code of the configuration calls (not a start), writes of an object from code
 * rather than from its form, other blocking waits (files, COM; `Ждать` of a promise is asynchronous and fine).
 */
function checkClientWaitsForBridge(config, cf, reportIn) {
  const graph = configurationGraph(config);
  const sinks = new Map();
  const isSink = (key) => {
    if (!sinks.has(key)) {
      const node = graph.nodes.get(key);
      const m = node.module.m;
      const http = httpCalls(node.method);
      const named = m.kind === "common" && BRIDGE_SINKS.has(lower(`${m.common.name}.${node.method.name}`));
      sinks.set(key, named || http.length ? { http } : null);
    }
    return sinks.get(key) !== null;
  };
  // A call in code the preprocessor keeps out of a side (#Если Сервер / #Если Клиент) is not made there.
  const compiledOn = (edge, from, envs) => {
    const token = graph.nodes.get(from).method.body[edge.site.index];
    try {
      return envs.some((e) => compiledIn(token?.pp ?? [], e));
    } catch {
      return true;
    }
  };
  const serverSide = (edge, from) => edge.site.kind === "call" && sidesOf(graph.nodes.get(edge.to)).server && compiledOn(edge, from, ["server"]);
  const describe = (home, prefix, path) => {
    const labels = [...prefix, ...path.map((p) => methodLabel(graph.nodes.get(p.key), home))];
    const http = sinks.get(path[path.length - 1].key)?.http ?? [];
    return `${labels.join(" → ")}${http.length ? ` (${http[0].text}, line ${http[0].line})` : ""}`;
  };
  const advice =
    "the client is blocked until the bridge answers (up to its timeout) — run it in a background job (ФоновыеЗадания.Выполнить through СредаФоновыеЗаданияСервер.Запустить) and let the form poll for the result";
  /** A method the client calls on the server: a server method of a form, a method of a server-call common module. */
  const serverEntry = (node) => {
    const m = node.module.m;
    if (m.kind === "form") return ["server", "server-no-context", ""].includes(directiveOf(node.method));
    return m.kind === "common" && m.common.flags.server && m.common.flags.serverCall && !m.common.flags.client;
  };
  for (const node of graph.nodes.values()) {
    const m = node.module.m;
    const report = reportIn(m.file);
    if (sidesOf(node).client) {
      for (const edge of graph.edges.get(node.key)) {
        const target = graph.nodes.get(edge.to);
        if (edge.site.kind !== "call" || !serverEntry(target) || !compiledOn(edge, node.key, CLIENT)) continue;
        const path = findPath(graph, edge.to, isSink, serverSide);
        if (!path) continue;
        // A handler the platform calls (ОписаниеОповещения, ПодключитьОбработчикОжидания) says whose it is.
        const by = graph.callers.get(node.key).find((c) => c.site.kind !== "call");
        const how = by ? `, the ${by.site.kind === "notify" ? "ОписаниеОповещения" : "idle"} handler of ${methodLabel(graph.nodes.get(by.from), m)}` : "";
        report(
          edge.site.line,
          "client-waits-for-bridge",
          `${node.method.name} (client${how}) waits for the bridge: ${describe(m, [methodLabel(node, m)], path)}: ${advice}`,
        );
      }
    } else if (m.kind === "form" && sidesOf(node).server) {
      if (graph.callers.get(node.key).some((c) => c.from.startsWith(`${m.file}\u0000`) && c.from !== node.key)) continue;
      const path = findPath(graph, node.key, isSink, serverSide);
      if (!path) continue;
      const event = [...m.form.events].find(([, handler]) => lower(handler) === lower(node.method.name))?.[0];
      const line = path[1]?.site.line ?? sinks.get(node.key).http[0]?.line ?? node.method.line;
      report(
        line,
        "client-waits-for-bridge",
        `${node.method.name} (${event ? `the form's ${event} handler` : "a server method of the form that no method of the form calls, so an event handler"}: the client waits for it) waits for the bridge: ${describe(m, [], path)}: ${advice}`,
      );
    }
  }
  // A form whose main attribute is an object: writing it runs the object module's write handlers in that server call.
  for (const form of config.modules.filter((m) => m.kind === "form" && m.form.main)) {
    const type = form.form.main.type.match(/^cfg:(Catalog|Document)Object\.(.+)$|^cfg:(InformationRegister)RecordManager\.(.+)$/);
    if (!type) continue;
    const [kind, name] = type[1] ? [type[1], type[2]] : [type[3], type[4]];
    const target = config.modules.find(
      (m) => m.outline && m.owner.type === kind && lower(m.owner.name) === lower(name) && m.kind === (kind === "InformationRegister" ? "recordset" : "object"),
    );
    for (const handler of target?.outline.methods.filter((x) => WRITE_HANDLERS.has(lower(x.name))) ?? []) {
      const key = nodeKey(target.file, handler.name);
      const path = findPath(graph, key, isSink, serverSide);
      if (!path) continue;
      const line = path[1]?.site.line ?? sinks.get(key).http[0]?.line ?? handler.line;
      reportIn(target.file)(
        line,
        "client-waits-for-bridge",
        `${handler.name} runs when the form ${RU_TYPES[form.owner.type] ?? form.owner.type}.${form.owner.name}.${form.formName} writes its object, and waits for the bridge: ${describe(target, [`${form.formName} (writing ${form.form.main.name})`], path)}: ${advice}`,
      );
    }
  }
}

const IS =
  (...names) =>
  (t) =>
    t?.type === "ident" && names.includes(t.value);
const GET_OBJECT = IS("получитьобъект", "getobject");
const CREATE_RECORDS = IS("создатьменеджерзаписи", "createrecordmanager", "создатьнаборзаписей", "createrecordset");
const READ = IS("прочитать", "read");
const WRITE = IS("записать", "write");
const LOCK = IS("заблокировать", "lock");
const LOCK_FOR_EDIT = IS("заблокироватьданныедляредактирования", "lockdataforedit");

/**
 * What a method reads, locks and writes, for unlocked-write: reads — `X = <…>.ПолучитьОбъект()` (an object read
 * from the base), `X.Прочитать()` of an X = <…>.СоздатьМенеджерЗаписи()/СоздатьНаборЗаписей(), `X = F(…)` of a
 * function F of the module that returns what it read (`readers`); locks — `Y.Заблокировать()` (a БлокировкаДанных,
 * or the object itself: an object lock) and ЗаблокироватьДанныеДляРедактирования; writes — `X.Записать()`.
 */
function dataAccess(method, readers) {
  const b = method.body;
  const reads = [];
  const locks = [];
  const writes = [];
  const records = new Set();
  for (let j = 0; j < b.length; j++) {
    const t = b[j];
    if (t.type !== "ident" || b[j - 1]?.text === ".") continue;
    if (b[j + 1]?.text === "=" && statementStart(b, j)) {
      let end = j + 2;
      while (!statementEnd(b, end)) end++;
      const rhs = b.slice(j + 2, end);
      const n = rhs.length;
      if (n >= 4 && GET_OBJECT(rhs[n - 3]) && rhs[n - 4].text === "." && rhs[n - 2].text === "(" && rhs[n - 1].text === ")") {
        reads.push({
          name: t.value,
          text: t.text,
          index: j,
          line: t.line,
          what: `${rhs
            .slice(0, n - 2)
            .map((x) => x.text)
            .join("")}()`,
        });
      } else if (rhs.some((x, k) => CREATE_RECORDS(x) && rhs[k - 1]?.text === ".")) {
        records.add(t.value);
      } else if (rhs[0]?.type === "ident" && rhs[1]?.text === "(" && closingBracket(rhs, 1) === n - 1 && readers.has(rhs[0].value)) {
        reads.push({ name: t.value, text: t.text, index: j, line: t.line, what: `${rhs[0].text}(…)`, helper: readers.get(rhs[0].value) });
      }
    }
    if (b[j + 1]?.text !== "." || b[j + 3]?.text !== "(") {
      if (LOCK_FOR_EDIT(t) && b[j + 1]?.text === "(") locks.push({ name: null, index: j });
      continue;
    }
    const member = b[j + 2];
    if (READ(member) && records.has(t.value))
      reads.push({ name: t.value, text: t.text, index: j, line: t.line, what: `${t.text}.${member.text}()`, record: true });
    else if (LOCK(member)) locks.push({ name: t.value, index: j });
    else if (WRITE(member)) writes.push({ name: t.value, text: t.text, index: j, line: member.line });
  }
  return { reads, locks, writes };
}

/** Whether a read is under a lock: a managed lock before it, the helper that read it locked, an object lock before the write. */
function lockedRead(access, read, write) {
  if (read.helper) return read.helper.locked || access.locks.some((l) => l.index < read.index);
  return access.locks.some((l) => (l.name === read.name ? l.index < write.index : l.index < read.index));
}

/**
 * Rule unlocked-write. Server code that reads an object (`<ссылка>.ПолучитьОбъект()`) or a register record
 * (`.СоздатьМенеджерЗаписи()` / `.СоздатьНаборЗаписей()`, then `.Прочитать()`) and writes it back (`.Записать()`)
 * must hold a managed lock on it from before the read: else another session — a background job, the scheduled job,
 * an operator's form — changes it in between, and the write fails ("Данные были изменены или удалены другим
 * пользователем") or, for a record, silently overwrites that change. Locked means: a `.Заблокировать()` before the
 * read in the method (a БлокировкаДанных, or ЗаблокироватьДанныеДляРедактирования); an object lock
 * (`Объект.Заблокировать()`) before the write; the read done by a function of the module that locks before it reads
 * and returns what it read (СредаИсторияПолныеПрава.ЗаблокированныйОбъект, ЗаблокированнаяЗаписьСреды); or a method
 * that is not exported and that every caller in the module calls after a lock of its own (the caller's transaction).
 * Not checked: object and record set modules' handlers and their non-exported helpers (they run in the platform's
 * write transaction, on the object being written), new objects (`СоздатьЭлемент()`, `СоздатьДокумент()`: nobody else
 * can write them yet) and record sets written without `Прочитать()` (a blind overwrite reads nothing). Not seen: a
 * read and a write in different methods (an object passed as a parameter and written there), a lock taken by a
 * caller in another module, whether the lock covers the record read (its space and fields), and a lock in a
 * branch that does not precede the read when the code runs.
 */
function checkUnlockedWrites(config, cf, reportIn) {
  for (const m of config.modules) {
    if (!m.outline || (m.kind === "common" && !m.common.flags.server)) continue;
    const methods = m.outline.methods;
    const byName = new Map(methods.map((x) => [lower(x.name), x]));
    // Functions that return what they read, locked or not (one level: a reader of a reader is not followed).
    const readers = new Map();
    for (const x of methods.filter((x) => x.kind === "function")) {
      const access = dataAccess(x, new Map());
      const b = x.body;
      for (let j = 0; j < b.length; j++) {
        if (b[j].type !== "keyword" || b[j].value !== "return") continue;
        const read = b[j + 1]?.type === "ident" && statementEnd(b, j + 2) ? access.reads.find((r) => r.name === b[j + 1].value) : null;
        // Locked: a managed lock before the read, or an object lock of what it returns before it returns it.
        if (read)
          readers.set(lower(x.name), { locked: access.locks.some((l) => l.index < read.index || (l.name === read.name && l.index < j)), record: read.record });
        else if (GET_OBJECT(b[j + 3]) && b[j + 2]?.text === "." && b[j + 4]?.text === "(")
          readers.set(lower(x.name), { locked: access.locks.some((l) => l.index < j), record: false });
      }
    }
    const access = new Map(methods.map((x) => [x, dataAccess(x, readers)]));
    // Methods every caller in the module calls under a lock (not exported: no caller elsewhere).
    const covered = new Map();
    const isCovered = (x, visiting = new Set()) => {
      if (covered.has(x)) return covered.get(x);
      if (x.exported || visiting.has(x)) return false;
      visiting.add(x);
      const calls = [];
      for (const y of methods) {
        for (const site of callSites(y)) {
          if (
            site.kind === "call" &&
            (site.module === "" || THIS.has(lower(site.module))) &&
            byName.get(lower(site.name)) === x &&
            !localsOf(y).has(lower(site.name))
          )
            calls.push([y, site]);
        }
      }
      const result = calls.length > 0 && calls.every(([y, site]) => access.get(y).locks.some((l) => l.index < site.index) || isCovered(y, visiting));
      visiting.delete(x);
      covered.set(x, result);
      return result;
    };
    const report = reportIn(m.file);
    for (const x of methods) {
      if (m.kind === "form" && !SERVER_DIRECTIVES.has(directiveOf(x))) continue;
      if ((m.kind === "object" || m.kind === "recordset") && (OBJECT_HANDLERS.has(lower(x.name)) || !x.exported)) continue;
      const a = access.get(x);
      const reported = new Set();
      for (const write of a.writes) {
        if (reported.has(write.name)) continue;
        const read = a.reads.find((r) => r.name === write.name && r.index < write.index && !lockedRead(a, r, write));
        if (!read || isCovered(x)) continue;
        reported.add(write.name);
        report(
          write.line,
          "unlocked-write",
          `${x.name} reads ${read.text} (${read.what}, line ${read.line}) and writes it back (${write.text}.Записать()) without a managed lock: in between another session (a background job, the scheduled job, an operator's form) can change it, and the write then fails ("Данные были изменены или удалены другим пользователем") or overwrites that change — in a transaction, lock it before the read (БлокировкаДанных.Заблокировать(), as СредаИсторияПолныеПрава.${read.record || read.helper?.record ? "ЗаблокированнаяЗаписьСреды" : "ЗаблокированныйОбъект"} does)${read.record || read.helper?.record ? "" : `, or lock the object itself (${write.text}.Заблокировать()) before changing it, which also refuses while an operator edits it in a form`}`,
        );
      }
    }
  }
}

/**
 * An event name as written in `Оповестить(<…>)` or compared in `ИмяСобытия = <…>`: a string literal, or a call of a
 * parameterless function of the module or of a common module whose body is `Возврат "…"` — { literal, fn, text };
 * null for anything else (a variable, an expression, НСтр).
 */
function eventName(config, m, method, tokens) {
  const text = tokens.map((t) => t.text).join("");
  if (tokens.length === 1 && tokens[0].type === "string") return { literal: tokens[0].value, fn: null, text };
  let target = null;
  let fn = null;
  if (tokens.length === 3 && tokens[0].type === "ident" && tokens[1].text === "(" && tokens[2].text === ")" && !localsOf(method).has(tokens[0].value)) {
    target = m.outline.methods.find((x) => lower(x.name) === tokens[0].value);
    fn = `${m.file}|${tokens[0].value}`;
    if (!target) {
      const cm = [...config.commonModules.values()].find((c) => c.flags.global && c.methods?.get(tokens[0].value)?.exported);
      target = cm?.methods.get(tokens[0].value);
      fn = cm && `${lower(cm.name)}.${tokens[0].value}`;
    }
  } else if (
    tokens.length === 5 &&
    tokens[0].type === "ident" &&
    tokens[1].text === "." &&
    tokens[2].type === "ident" &&
    tokens[3].text === "(" &&
    tokens[4].text === ")"
  ) {
    const cm = config.commonModules.get(tokens[0].value);
    target = cm?.methods?.get(tokens[2].value);
    fn = cm && `${lower(cm.name)}.${tokens[2].value}`;
  }
  if (!target || target.params.length) return null;
  // A common module's own function called bare names the same event as when called with the module's name.
  if (m.kind === "common" && fn?.startsWith(`${m.file}|`)) fn = `${lower(m.common.name)}.${lower(target.name)}`;
  return { literal: returnedLiteral(target), fn, text };
}

/**
 * Rule notify-without-receiver. `Оповестить(<событие>, …)` is received only by forms whose NotificationProcessing
 * handler (named in Form.xml) compares its first parameter with that event name; an event no form compares reaches
 * nobody (a typo, or a receiver removed). The event names compared: `ИмяСобытия = <…>` or `<…> = ИмяСобытия` in the
 * handler, and in the form's methods it passes ИмяСобытия to (as a whole argument). Names are a string literal or a
 * parameterless function returning one (СредаРазвертываниеКлиент.СобытиеИзмененияСреды()); equal literals or the
 * same function match. Not seen: an event name in a variable or built by an expression (such a notification is
 * left alone), a handler that matches by СтрНачинаетсяС/СтрНайти or reads the name from a list, receivers outside
 * forms (ОписаниеОповещения is not a notification receiver), and whether the receiving form is open.
 */
function checkNotificationReceivers(config, cf, reportIn) {
  const received = { literals: new Set(), fns: new Set() };
  let handlers = 0;
  for (const m of config.modules.filter((m) => m.kind === "form" && m.outline)) {
    const name = m.form.events.get("NotificationProcessing");
    const handler = name && m.outline.methods.find((x) => lower(x.name) === lower(name));
    if (!handler?.params.length) continue;
    handlers++;
    const visited = new Set();
    const scan = (method, param) => {
      if (visited.has(`${method.name}|${param}`)) return;
      visited.add(`${method.name}|${param}`);
      const b = method.body;
      const delimiter = (t) => t.type === "keyword" || t.text === ";" || t.text === ",";
      for (let j = 0; j < b.length; j++) {
        if (b[j].type !== "ident" || b[j].value !== param || b[j - 1]?.text === ".") continue;
        const side = [];
        if (b[j + 1]?.text === "=") {
          for (let k = j + 2, depth = 0; k < b.length && !(depth === 0 && (delimiter(b[k]) || b[k].text === ")")); k++) {
            depth += b[k].text === "(" ? 1 : b[k].text === ")" ? -1 : 0;
            side.push(b[k]);
          }
        } else if (b[j - 1]?.text === "=") {
          for (let k = j - 2, depth = 0; k >= 0 && !(depth === 0 && (delimiter(b[k]) || b[k].text === "(")); k--) {
            depth += b[k].text === ")" ? 1 : b[k].text === "(" ? -1 : 0;
            side.unshift(b[k]);
          }
        } else if ((b[j - 1]?.text === "(" || b[j - 1]?.text === ",") && (b[j + 1]?.text === ")" || b[j + 1]?.text === ",")) {
          // Passed on whole to a method of the form: follow it there under its parameter's name.
          let open = j - 1;
          for (let depth = 0; open >= 0; open--) {
            if (b[open].text === ")") depth++;
            else if (b[open].text === "(" && depth-- === 0) break;
          }
          const callee = b[open - 1]?.type === "ident" && b[open - 2]?.text !== "." ? m.outline.methods.find((x) => lower(x.name) === b[open - 1].value) : null;
          const position = callArguments(b, open).findIndex((arg) => arg.length === 1 && arg[0] === b[j]);
          if (callee && callee.params[position]) scan(callee, lower(callee.params[position].name));
          continue;
        }
        const key = side.length ? eventName(config, m, method, side) : null;
        if (key?.literal !== null && key?.literal !== undefined) received.literals.add(key.literal);
        if (key?.fn) received.fns.add(key.fn);
      }
    };
    scan(handler, lower(handler.params[0].name));
  }
  for (const m of config.modules.filter((m) => m.outline)) {
    const report = reportIn(m.file);
    for (const method of m.outline.methods) {
      for (const site of callSites(method)) {
        if (site.kind !== "call" || site.module !== "" || !["оповестить", "notify"].includes(lower(site.name))) continue;
        if (m.outline.methods.some((x) => lower(x.name) === lower(site.name))) continue;
        const arg = callArguments(method.body, site.index + 1)[0];
        const key = arg?.length ? eventName(config, m, method, arg) : null;
        if (!key || (key.literal !== null && received.literals.has(key.literal)) || (key.fn && received.fns.has(key.fn))) continue;
        const shown = key.literal !== null && key.text !== `"${key.literal}"` ? `${key.text} = "${key.literal}"` : key.text;
        report(
          site.line,
          "notify-without-receiver",
          `${method.name}: Оповестить(${shown}) — no form's NotificationProcessing handler (ОбработкаОповещения, named in its Form.xml; ${handlers} form${handlers === 1 ? " has one" : "s have one"}) compares ИмяСобытия with this event, so the notification reaches nobody: compare it in the forms that must react, or use the event name they already compare`,
        );
      }
    }
  }
}

/**
 * Rule form-opened-empty. A common form in a subsystem's Content (with «Включать в командный интерфейс» on the
 * subsystem and «Использовать стандартные команды» on the form) gets a command in the section that opens it without
 * parameters; if its OnCreateAtServer handler sets Отказ = Истина under a condition on a form parameter
 * (`Параметры.X`, `Параметры.Свойство("X")`, or a name assigned `= Параметры.X` in the handler), the command opens
 * nothing. The message says whether Form.xml <Parameters> declares the parameter. Not seen: a cancel in a method the
 * handler calls with Отказ, an early `Возврат` that skips the cancel when the parameter is filled, a parameter
 * checked in ПриОткрытии, nested subsystems' own Content when the parent is hidden, and the command interface's
 * visibility settings (CommandInterface.xml) that may hide the command.
 */
function checkFormsOpenedEmpty(config, cf, reportIn) {
  const dir = join(cf, "Subsystems");
  if (!existsSync(dir)) return;
  for (const file of listFiles(dir).filter((f) => f.endsWith(".xml"))) {
    let subsystem;
    try {
      subsystem = child(readXml(file), "Subsystem");
    } catch {
      continue; // the xml check reports an unreadable file
    }
    const props = child(subsystem, "Properties");
    if (!props || !bool(props, "IncludeInCommandInterface")) continue;
    const subsystemName = textOf(child(props, "Name"));
    for (const item of children(child(props, "Content"), "xr:Item")) {
      const ref = textOf(item).match(/^CommonForm\.(.+)$/);
      const form = ref && config.byType.get("CommonForm")?.get(lower(ref[1]));
      if (!form) continue;
      try {
        if (!bool(child(child(readXml(form.file), "CommonForm"), "Properties"), "UseStandardCommands")) continue;
      } catch {
        continue;
      }
      const m = config.modules.find((x) => x.kind === "form" && x.owner === form && x.outline);
      const handlerName = m?.form.events.get("OnCreateAtServer");
      const handler = handlerName && m.outline.methods.find((x) => lower(x.name) === lower(handlerName));
      const cancel = handler?.params[0] && lower(handler.params[0].name);
      if (!cancel) continue;
      const b = handler.body;
      const PARAMETERS = IS("параметры", "parameters");
      const fromParameters = new Map();
      for (let j = 0; j < b.length; j++) {
        if (
          b[j].type === "ident" &&
          b[j + 1]?.text === "=" &&
          statementStart(b, j) &&
          PARAMETERS(b[j + 2]) &&
          b[j + 3]?.text === "." &&
          b[j + 4]?.type === "ident" &&
          statementEnd(b, j + 5)
        )
          fromParameters.set(b[j].value, b[j + 4].text);
      }
      const parametersIn = (tokens) => {
        const found = [];
        tokens.forEach((t, k) => {
          if (PARAMETERS(t) && tokens[k - 1]?.text !== "." && tokens[k + 1]?.text === "." && tokens[k + 2]?.type === "ident") {
            if (IS("свойство", "property")(tokens[k + 2]) && tokens[k + 3]?.text === "(" && tokens[k + 4]?.type === "string") found.push(tokens[k + 4].value);
            else found.push(tokens[k + 2].text);
          } else if (t.type === "ident" && tokens[k - 1]?.text !== "." && fromParameters.has(t.value)) found.push(fromParameters.get(t.value));
        });
        return found;
      };
      for (let j = 0; j < b.length; j++) {
        if (!(b[j].type === "ident" && b[j].value === cancel && b[j + 1]?.text === "=" && b[j + 2]?.value === "true" && statementStart(b, j))) continue;
        const parameters = [...new Set(enclosingConditions(b, j).flatMap(parametersIn))];
        if (!parameters.length) continue;
        const declared = parameters.map((p) => {
          const d = m.form.parameters.get(lower(p));
          return d ? `Form.xml declares ${d.name} (${d.type.replace(/^cfg:/, "")}${d.key ? ", key parameter" : ""})` : `Form.xml <Parameters> has no ${p}`;
        });
        reportIn(m.file)(
          b[j].line,
          "form-opened-empty",
          `CommonForm.${form.name} is in the Content of subsystem ${subsystemName} (Subsystems/${relative(dir, file).split(sep).join("/")}), so its section gets a command that opens the form without parameters, but ${handler.name} (OnCreateAtServer) sets ${handler.params[0].name} = Истина when the form parameter ${parameters.join(", ")} is not filled (${declared.join("; ")}): the command opens nothing — take the form out of the subsystem's Content (it is opened from the objects it shows) or let it open without ${parameters.join(", ")}`,
        );
      }
    }
  }
}
