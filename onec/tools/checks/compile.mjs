// What the platform's compiler (and, for a few rules, the platform at run time) rejects and the BSL Language Server
// does not see: the module's context (ЭтотОбъект, form data, client vs server), calls it resolves against the
// configuration's common modules and the module's own methods, and names it would find already defined. The
// platform's global context — which method, property, enumeration and type exists where — comes from
// tools/platform-context.json (its sources are listed there and in tools/NOTES.md).
//
// A problem reads "<file relative to src>:<line>: <rule>: <message>".
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { callArguments, closingBracket, compiledIn, directiveOf, localNames, parseModule, references, statementEnd, statementStart, valueReturns } from "../lib/bsl.mjs";
import { declaredChildren, declaredObjects, FOLDERS, readXml } from "../lib/dump.mjs";
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
  справочники: "Catalog", catalogs: "Catalog", документы: "Document", documents: "Document", перечисления: "Enum", enums: "Enum",
  регистрысведений: "InformationRegister", informationregisters: "InformationRegister", константы: "Constant", constants: "Constant",
  обработки: "DataProcessor", dataprocessors: "DataProcessor",
};
/** Collections of Метаданные → metadata type. */
const METADATA_COLLECTIONS = {
  справочники: "Catalog", catalogs: "Catalog", документы: "Document", documents: "Document", перечисления: "Enum", enums: "Enum",
  регистрысведений: "InformationRegister", informationregisters: "InformationRegister", константы: "Constant", constants: "Constant",
  обработки: "DataProcessor", dataprocessors: "DataProcessor", общиеформы: "CommonForm", commonforms: "CommonForm",
  общиемодули: "CommonModule", commonmodules: "CommonModule", регламентныезадания: "ScheduledJob", scheduledjobs: "ScheduledJob",
  роли: "Role", roles: "Role", подсистемы: "Subsystem", subsystems: "Subsystem", языки: "Language", languages: "Language",
};
/** Names of metadata types in form paths («Справочник.Клиенты.ФормаОбъекта») and in ПредопределенноеЗначение. */
const SINGULAR = {
  справочник: "Catalog", catalog: "Catalog", документ: "Document", document: "Document", перечисление: "Enum", enum: "Enum",
  регистрсведений: "InformationRegister", informationregister: "InformationRegister", обработка: "DataProcessor", dataprocessor: "DataProcessor",
  общаяформа: "CommonForm", commonform: "CommonForm",
};
/** Forms the platform generates for an object that declares none of that name. */
const STANDARD_FORMS = {
  Catalog: ["ФормаОбъекта", "ФормаГруппы", "ФормаСписка", "ФормаВыбора", "ФормаВыбораГруппы", "ObjectForm", "FolderForm", "ListForm", "ChoiceForm", "FolderChoiceForm"],
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
    formExtensions: Object.fromEntries(Object.entries(c.formExtensions).filter(([k]) => !k.startsWith("$") && k !== "src").map(([k, v]) => [k, { methods: names(v.methods), methodList: v.methods, properties: names(v.properties) }])),
    catalogObject: { methods: names(c.catalogObject.methods), methodList: c.catalogObject.methods, properties: names([...c.catalogObject.properties, ...c.catalogObject.standardAttributes.names]) },
    recordSet: { methods: names(c.recordSet.methods), methodList: c.recordSet.methods, properties: names([...c.recordSet.properties, ...c.recordSet.standardAttributes.names]) },
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
        global: bool(p, "Global"), client: bool(p, "ClientManagedApplication"), server: bool(p, "Server"), ext: bool(p, "ExternalConnection"),
        ordinary: bool(p, "ClientOrdinaryApplication"), serverCall: bool(p, "ServerCall"), privileged: bool(p, "Privileged"),
      };
      const envs = [...(flags.client ? ["thin", "web", "thick"] : []), ...(flags.server ? ["server"] : []), ...(flags.ext ? ["ext"] : []), ...(flags.ordinary && !flags.client ? ["thick"] : [])];
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
  const form = { attributes: new Set(), main: null, mainKind: "none", events: new Map() };
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
      if (seen.has(key)) this.report(x.line, "duplicate-method", `${x.name} is already defined at line ${seen.get(key)}: the compiler rejects a second method of the same name`);
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
      if (this.formExtension?.methodList.length) sets.push([`a method of the form's extension for its main attribute ${form.main.name} (${form.main.type.replace(/^cfg:/, "")})`, this.formExtension.methodList]);
    } else if (this.objectContext) {
      sets.push([`a method of the module's object (${this.module.kind === "recordset" ? "РегистрСведенийНаборЗаписей" : "СправочникОбъект"})`, this.objectContext.methodList]);
    }
    for (const x of this.outline.methods) {
      for (const [what, list] of sets) {
        const hit = list.find(([ru, en]) => lower(ru) === lower(x.name) || lower(en) === lower(x.name));
        if (hit) this.report(x.line, "context-method-name", `${x.name} is ${what}: the compiler rejects the module's ${x.kind} as already defined — rename it (a command's handler can have any name)`);
      }
      // A form without an object as its main attribute has no Записать/Прочитать today; a method of that name
      // compiles, but breaks the moment the form gets such an attribute and reads as a call of the form's own
      // Записать() everywhere it is used. Reviewers count it as shadowing, so it is refused in every form.
      if (this.isForm && !this.formExtension?.methodList.length) {
        const reserved = ctx.formExtensions.object?.methodList.find(([ru, en]) => lower(ru) === lower(x.name) || lower(en) === lower(x.name));
        if (reserved) this.report(x.line, "context-method-name", `${x.name} is a method of the form extension for objects (Записать/Прочитать): in this form without an object attribute it compiles, but shadows the form's method once the form gets one — rename it`);
      }
    }
  }

  checkMethod(method) {
    const envs = this.methodEnvs(method);
    const directive = directiveOf(method);
    const noContext = this.isForm && (directive === "server-no-context" || directive === "client-server-no-context");
    const locals = localNames(method);
    const body = method.body;
    if (method.kind === "procedure") for (const r of valueReturns(body)) this.report(r.line, "return-value-in-procedure", `${method.name} is a procedure: Возврат with a value is allowed only in a function`);
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
          if (missing.length) this.report(t.line, "context", `${method.name} (${DIRECTIVE_NAMES[directive]}) uses module variable ${variable.name}, declared ${DIRECTIVE_NAMES[directiveOf(variable)]}: it does not exist on ${envList(missing)}`);
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
      this.report(t.line, "unknown-identifier", `${t.text}: no local ${what}, method of the module, ${this.isForm ? "form attribute or form property" : this.objectContext ? "attribute or method of the object" : "module variable"}, common module or global-context name of the platform has this name — the compiler rejects it ("${call ? "Процедура или функция с указанным именем не определена" : "Переменная не определена"}")`);
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
      this.report(t.line, "this-object", `${t.text} exists only in object, record set and form modules, not in ${this.module.kind === "common" ? "a common module" : "a manager module"}: pass the module's name (for ОписаниеОповещения, the common module itself) instead`);
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
      if (noContext) this.report(t.line, "no-context", `${method.name} is ${DIRECTIVE_NAMES[directive]}: it runs without the form, so the form's ${isAttribute ? "attribute" : isMethod ? "method" : "property"} ${t.text} does not exist there — pass the value as a parameter or use &НаСервере`);
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
      this.report(t.line, "own-method-call", `${t.text} is a ${target.kind} of the module, used without parentheses: the compiler reads it as an undefined variable`);
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
      this.report(t.line, "no-context", `${method.name} (${DIRECTIVE_NAMES[from]}) calls ${target.name} (${DIRECTIVE_NAMES[to]}), a form method with context: a method without context cannot call it`);
      return;
    }
    const missing = fromEnvs.filter((e) => !toEnvs.includes(e) && !(serverCall && CLIENT.includes(e)));
    if (missing.length) this.report(t.line, "context", `${method.name} (${DIRECTIVE_NAMES[from]}) calls ${target.name} (${DIRECTIVE_NAMES[to]}), which does not exist on ${envList(missing)}${from !== "client" && to === "client" ? ": server code cannot call a client method" : ""}`);
  }

  /** Arity and procedure-used-as-function for a call of a known method at body[j] (the name token). */
  checkCall(method, body, j, target, label) {
    const t = body[j];
    if (body[j + 1]?.text !== "(") return;
    const args = callArguments(body, j + 1).length;
    const max = target.params.length;
    const required = target.params.filter((p) => !p.optional).length;
    if (args > max) this.report(t.line, "arity", `${label} takes ${max} parameter${max === 1 ? "" : "s"}, called with ${args}: "Слишком много фактических параметров"`);
    else if (args < required) this.report(t.line, "arity", `${label} needs ${required} parameter${required === 1 ? "" : "s"} (${target.params.filter((p) => !p.optional).map((p) => p.name).join(", ")}), called with ${args}: "Недостаточно фактических параметров"`);
    if (target.kind === "procedure") {
      const start = body[j - 1]?.text === "." ? j - 2 : j;
      const close = closingBracket(body, j + 1);
      if (!(statementStart(body, start) && statementEnd(body, close + 1))) this.report(t.line, "procedure-as-function", `${label} is a procedure: its call has no value ("Использование процедуры как функции")`);
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
      this.report(nameToken.line, "common-module-call", `common module ${cm.name} has no method ${nameToken.text}${cm.outline ? "" : " (the module has no Ext/Module.bsl)"}`);
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
    this.report(t.line, "platform-context", `${t.text} (global ${entry.kind}) is not available on ${envList(missing)}, where ${where} runs; the platform has it on: ${envList(entry.on) || "no checked context"} [platform-context.json: ${entry.src}]`);
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
      this.report(t.line, "platform-context", `Новый ${t.text}: the type is not available on ${envList(missing)}, where ${method?.name ?? "the code"} runs; the platform has it on: ${envList(type.on) || "no checked context"} [platform-context.json: ${type.src}]`);
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
      this.report(nameToken.line, "metadata-reference", `${body[j].text}.${head === "метаданные" || head === "metadata" ? `${next.text}.` : ""}${nameToken.text}: the configuration declares no ${type} ${nameToken.text}`);
      return;
    }
    if (type === "Enum" && head !== "метаданные" && head !== "metadata") {
      const valueToken = body[j + 3]?.text === "." && body[j + 4]?.type === "ident" ? body[j + 4] : null;
      const values = new Set((obj.children ?? []).filter((r) => r.includes(".EnumValue.")).map((r) => lower(r.split(".").pop())));
      const managerMethods = ["пустаяссылка", "emptyref", "получитьформу", "getform", "получитьформусписка", "getlistform", "получитьформувыбора", "getchoiceform", "получитьмакет", "gettemplate", "индекс", "index"];
      if (valueToken && !values.has(valueToken.value) && !managerMethods.includes(valueToken.value)) this.report(valueToken.line, "metadata-reference", `Перечисления.${obj.name}.${valueToken.text}: the enumeration has no value ${valueToken.text}`);
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
    else if (type === "Enum" && !(obj.children ?? []).some((r) => r.includes(".EnumValue.") && lower(r.split(".").pop()) === lower(parts[2])) && !["пустаяссылка", "emptyref"].includes(lower(parts[2]))) {
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
      this.report(arg[0].line, "metadata-reference", `ОткрытьФорму("${arg[0].value}"): ${type} ${obj.name} has no form ${formName} (declared: ${(obj.forms ?? []).join(", ") || "none"}; generated: ${STANDARD_FORMS[type]?.filter((f) => /[А-я]/.test(f)).join(", ") ?? "none"})`);
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
      else if (!CLIENT.some((e) => (DIRECTIVE_ENVS[directiveOf(target)] ?? ["server"]).includes(e))) this.report(line, "notify-handler", `ОписаниеОповещения("${handler}", ${moduleArg[0].text}): ${handler} is ${DIRECTIVE_NAMES[directiveOf(target)]}; the platform calls the handler on the client`);
      return;
    }
    const cm = this.config.commonModules.get(mod);
    if (!cm) return;
    const target = cm.methods.get(lower(handler));
    if (!target) this.report(line, "notify-handler", `ОписаниеОповещения("${handler}", ${cm.name}): common module ${cm.name} has no procedure ${handler}`);
    else if (!target.exported) this.report(line, "notify-handler", `ОписаниеОповещения("${handler}", ${cm.name}): ${cm.name}.${handler} is not exported; the platform calls only exported procedures of a common module`);
    else if (!cm.flags.client) this.report(line, "notify-handler", `ОписаниеОповещения("${handler}", ${cm.name}): ${cm.name} is not a client module; the platform calls the handler on the client`);
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
      else if (target.kind !== "procedure") this.report(line, "idle-handler", `ПодключитьОбработчикОжидания("${name}"): ${name} is a function; an idle handler is a procedure`);
      else if (!(DIRECTIVE_ENVS[directiveOf(target)] ?? ["server"]).includes("thin")) this.report(line, "idle-handler", `ПодключитьОбработчикОжидания("${name}"): ${name} is ${DIRECTIVE_NAMES[directiveOf(target)]}; an idle handler runs on the client`);
      else if (target.params.some((p) => !p.optional)) this.report(line, "idle-handler", `ПодключитьОбработчикОжидания("${name}"): ${name} has parameters; the platform calls an idle handler without any`);
      return;
    }
    const gm = this.globalMethods.get(lower(name));
    if (!gm) this.report(line, "idle-handler", `ПодключитьОбработчикОжидания("${name}") in ${this.isCommon ? `common module ${this.module.common.name}` : "this module"}: outside a form the platform looks for an exported procedure of a global common module (or the application module); there is none named ${name}`);
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
          this.report(t.line, "object-in-on-read", `${form.main.name} used in ${m.name}${path.length > 1 ? `, which the OnReadAtServer handler reaches (${path.join(" → ")})` : ", the OnReadAtServer handler"}: the form's main attribute is filled only after ${handler.name} returns — read the object from its parameter ${handler.params[0]?.name ?? "ТекущийОбъект"}`);
        }
      });
    }
  }
}
