/**
 * Generates the common module СредаСхемыМостаСервер — everything of the 1C code that names the bridge's wire — from
 * the bridge's OpenAPI document (`createOpenApiDocument()` of @sreda/bridge, the document `GET /openapi.json` serves):
 *   - Выполнить<OperationId>(<path parameters>, [Тело]) — one function per operation, with its route literal; on success
 *     it replaces the response's Данные (Соответствие) by what Прочитать<Schema> makes of it;
 *   - Новый<Schema>(<required fields>) — a request object: a Структура whose keys are exactly the schema's properties,
 *     optional ones Неопределено (СредаМостСервер does not send those); the limits of the document in the doc comment;
 *   - Прочитать<Schema>(Данные) — a response object: a Структура with exactly the schema's keys, values converted by type;
 *   - Значения<Schema><Field>() — the values of an enum field.
 * Inline object schemas are named after where they stand: EnvironmentSettings.sms4b → EnvironmentSettingsSms4b,
 * Customer.contacts[] → CustomerContactsItem. The output is deterministic: the same document gives the same bytes.
 *
 * Usage: npm run generate:contract --workspace @sreda/onec
 *        tsx tools/generate-contract.ts [--openapi <file.json>] [--src <dir with cf/>]
 * onec/tools/checks/contract.ts checks that the committed module is what this produces, and checks the hand-written
 * code against the same model (`buildModel`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type Schema = Record<string, any>;
export interface OpenApiDocument {
  info?: { title?: string; version?: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
}

export const MODULE_NAME = "СредаСхемыМостаСервер";
export const MODULE_FILE = `CommonModules/${MODULE_NAME}/Ext/Module.bsl`;
export const GENERATE_COMMAND = "npm run generate:contract --workspace @sreda/onec";

// ---------------------------------------------------------------------------------------------------------------
// The model: object schemas, their fields' types, enums and operations, with the BSL names of the functions.
// ---------------------------------------------------------------------------------------------------------------

export type Scalar = "string" | "integer" | "number" | "boolean";
export type FieldType =
  | { kind: "scalar"; scalar: Scalar; nullable: boolean; enumFn?: string; schema: Schema }
  | { kind: "object"; name: string; nullable: boolean; schema: Schema }
  | { kind: "array"; items: FieldType; nullable: boolean; schema: Schema }
  | { kind: "map"; nullable: boolean; schema: Schema }
  | { kind: "any"; nullable: boolean; schema: Schema };

export interface Field {
  name: string;
  required: boolean;
  type: FieldType;
}

export interface ObjectSchema {
  /** Component name, or the derived name of an inline schema. */
  name: string;
  /** Where it is in the document: "Client", "Client.contacts[]". */
  path: string;
  /** The component it belongs to (for ordering), or "" for schemas inline in an operation. */
  component: string;
  fields: Field[];
  description: string | undefined;
  /** Reachable from a request body: gets Новый<name>. */
  request: boolean;
  /** Reachable from a response: gets Прочитать<name>. */
  response: boolean;
}

export interface EnumValues {
  fn: string;
  path: string;
  owner: string;
  values: string[];
}

export interface Operation {
  fn: string;
  operationId: string;
  method: string;
  path: string;
  summary: string;
  pathParams: string[];
  body: FieldType | undefined;
  /** The type of the 2xx response body and its status, when it is JSON (the first, when there are several). */
  success: { status: string; type: FieldType } | undefined;
  /**
   * Every 2xx response with a JSON body, when they are of different object schemas (a dry run's 200 and a started
   * operation's 202 of one route): each is read by its status. Empty when one schema answers every success.
   */
  successesByStatus: { status: string; type: FieldType & { kind: "object" } }[];
  responses: FieldType[];
}

export interface Model {
  title: string;
  objects: Map<string, ObjectSchema>;
  enums: Map<string, EnumValues>;
  operations: Operation[];
}

export const constructorName = (schema: string) => `Новый${schema}`;
export const readerName = (schema: string) => `Прочитать${schema}`;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** BSL keywords (both languages): none may be a field or a parameter name. */
const BSL_KEYWORDS = new Set(
  (
    "процедура procedure функция function конецпроцедуры endprocedure конецфункции endfunction экспорт export знач val " +
    "перем var если if тогда then иначеесли elsif иначе else конецесли endif для for каждого each из in по to пока " +
    "while цикл do конеццикла enddo попытка try исключение except конецпопытки endtry вызватьисключение raise возврат " +
    "return продолжить continue прервать break новый new и and или or не not истина true ложь false неопределено " +
    "undefined null перейти goto добавитьобработчик addhandler удалитьобработчик removehandler асинх async ждать await"
  ).split(" "),
);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function identifier(name: string, where: string): string {
  if (!IDENTIFIER.test(name) || BSL_KEYWORDS.has(name.toLowerCase())) {
    throw new Error(`${where}: "${name}" cannot be a key of a 1C Структура (a Latin identifier, not a keyword); the generator needs a rule for it`);
  }
  return name;
}

const REF = "#/components/schemas/";
const MAX_SAFE = 9007199254740991;

export function buildModel(doc: OpenApiDocument): Model {
  const components = doc.components?.schemas ?? {};
  const objects = new Map<string, ObjectSchema>();
  const enums = new Map<string, EnumValues>();
  const byComponent = new Map<string, FieldType>();
  const functionNames = new Map<string, string>();
  const claim = (fn: string, what: string) => {
    const key = fn.toLowerCase();
    if (functionNames.has(key)) throw new Error(`${what}: the function name ${fn} is taken by ${functionNames.get(key)}`);
    functionNames.set(key, what);
  };

  const resolve = (s: Schema): Schema => {
    let cur = s;
    for (let guard = 0; cur?.$ref && guard < 50; guard++) cur = components[String(cur.$ref).replace(REF, "")] ?? {};
    return cur;
  };

  function componentType(name: string): FieldType {
    const known = byComponent.get(name);
    if (known) return known;
    const schema = components[name];
    if (!schema) throw new Error(`$ref to a missing schema ${name}`);
    if (isObjectWithProperties(schema)) {
      // Registered before its fields, so that recursive references end here.
      const type: FieldType = { kind: "object", name: identifier(name, "components.schemas"), nullable: false, schema };
      byComponent.set(name, type);
      registerObject(name, name, name, schema);
      return type;
    }
    const type = typeOf(schema, name, name, name);
    byComponent.set(name, type);
    return type;
  }

  const isObjectWithProperties = (s: Schema) => (s.type === "object" || (!s.type && s.properties)) && s.properties && Object.keys(s.properties).length > 0;

  function registerObject(name: string, path: string, component: string, schema: Schema) {
    if (objects.has(name)) throw new Error(`${path}: the schema name ${name} is taken by ${objects.get(name)!.path}`);
    const object: ObjectSchema = { name, path, component, fields: [], description: schema.description, request: false, response: false };
    objects.set(name, object);
    const required = new Set<string>(schema.required ?? []);
    const seen = new Map<string, string>();
    for (const [prop, propSchema] of Object.entries<Schema>(schema.properties ?? {})) {
      identifier(prop, path);
      const lower = prop.toLowerCase();
      if (seen.has(lower)) throw new Error(`${path}: fields ${seen.get(lower)} and ${prop} differ only in case (keys of a Структура do not)`);
      seen.set(lower, prop);
      object.fields.push({ name: prop, required: required.has(prop), type: typeOf(propSchema, name + capital(prop), `${path}.${prop}`, component) });
    }
  }

  /** The type of a schema; `hint` names an inline object or an enum standing here. */
  function typeOf(schema: Schema, hint: string, path: string, component: string): FieldType {
    if (schema.$ref) {
      const target = componentType(String(schema.$ref).replace(REF, ""));
      return schema.description ? { ...target, schema: { ...target.schema, description: schema.description } } : target;
    }
    const variants: Schema[] | undefined = schema.anyOf ?? schema.oneOf ?? (schema.allOf?.length === 1 ? schema.allOf : undefined);
    if (variants) {
      const nonNull = variants.filter((v) => v.type !== "null");
      const nullable = nonNull.length < variants.length;
      if (nonNull.length === 1) {
        const inner = typeOf(nonNull[0]!, hint, path, component);
        return { ...inner, nullable: inner.nullable || nullable, schema: { ...inner.schema, ...pick(schema, ["description", "default"]) } } as FieldType;
      }
      return { kind: "any", nullable, schema };
    }
    let type = schema.type;
    let nullable = false;
    if (Array.isArray(type)) {
      nullable = type.includes("null");
      const rest = type.filter((t: string) => t !== "null");
      type = rest.length === 1 ? rest[0] : undefined;
      if (rest.length > 1) return { kind: "any", nullable, schema };
    }
    if (type === "object" || (!type && schema.properties)) {
      if (isObjectWithProperties(schema)) {
        registerObject(identifier(hint, path), path, component, schema);
        return { kind: "object", name: hint, nullable, schema };
      }
      return { kind: "map", nullable, schema };
    }
    if (type === "array") return { kind: "array", items: typeOf(schema.items ?? {}, `${hint}Item`, `${path}[]`, component), nullable, schema };
    if (type === "string" || type === "integer" || type === "number" || type === "boolean" || (!type && schema.enum)) {
      const scalar: FieldType = { kind: "scalar", scalar: (type ?? "string") as Scalar, nullable, schema };
      if (Array.isArray(schema.enum) && schema.enum.length && schema.enum.every((v: unknown) => typeof v === "string")) {
        const fn = `Значения${identifier(hint, path)}`;
        claim(fn, `enum ${path}`);
        enums.set(fn, { fn, path, owner: component, values: [...schema.enum] });
        scalar.enumFn = fn;
      }
      return scalar;
    }
    return { kind: "any", nullable, schema };
  }

  for (const name of Object.keys(components)) componentType(name);

  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!["get", "post", "put", "patch", "delete", "head", "options"].includes(method)) continue;
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path}: no operationId to name its function after`);
      const id = identifier(String(op.operationId), `${method.toUpperCase()} ${path}`);
      const fn = `Выполнить${capital(id)}`;
      claim(fn, `${method.toUpperCase()} ${path}`);
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => identifier(m[1]!, `${method.toUpperCase()} ${path}`));
      const json = (content: any) => content?.["application/json"]?.schema as Schema | undefined;
      const bodySchema = json(op.requestBody?.content);
      const body = bodySchema ? typeOf(bodySchema, `${capital(id)}Request`, `${id}.requestBody`, "") : undefined;
      const responses: FieldType[] = [];
      const successes: { status: string; type: FieldType }[] = [];
      for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
        const schema = json(response?.content);
        if (!schema) continue;
        const type = typeOf(schema, `${capital(id)}Response${/^2/.test(status) ? "" : capital(status)}`, `${id}.responses.${status}`, "");
        responses.push(type);
        if (/^2\d\d$/.test(status)) successes.push({ status, type });
      }
      const distinct = new Set(successes.map((s) => (s.type.kind === "object" ? s.type.name : s.type.kind)));
      // Different schemas by status (a dry run's 200, a started operation's 202) are read by the status; only
      // objects can be told apart that way in what the code reads.
      if (distinct.size > 1 && successes.some((s) => s.type.kind !== "object"))
        throw new Error(
          `${method.toUpperCase()} ${path}: 2xx responses of different schemas, not all of them objects; the generator reads objects by status only`,
        );
      const successesByStatus = distinct.size > 1 ? successes.map((s) => ({ status: s.status, type: s.type as FieldType & { kind: "object" } })) : [];
      operations.push({
        fn,
        operationId: id,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? op.description ?? "",
        pathParams,
        body,
        success: successes[0],
        successesByStatus,
        responses,
      });
    }
  }

  // Which objects are built (request bodies) and which are read (responses).
  const mark = (type: FieldType | undefined, side: "request" | "response") => {
    if (!type) return;
    if (type.kind === "array") return mark(type.items, side);
    if (type.kind !== "object") return;
    const object = objects.get(type.name)!;
    if (object[side]) return;
    object[side] = true;
    for (const field of object.fields) mark(field.type, side);
  };
  for (const op of operations) {
    mark(op.body, "request");
    for (const r of op.responses) mark(r, "response");
  }
  for (const object of objects.values()) {
    if (object.request) claim(constructorName(object.name), `the constructor of ${object.path}`);
    if (object.response) claim(readerName(object.name), `the reader of ${object.path}`);
  }
  for (const [fn, e] of enums) {
    const owner = [...objects.values()].find((o) => e.path === o.path || e.path.startsWith(`${o.path}.`));
    if (!owner || (!owner.request && !owner.response)) enums.delete(fn);
  }
  // Objects in the order of the document's components, inline ones right after their component.
  const order = new Map(Object.keys(components).map((n, i) => [n, i]));
  const sorted = [...objects.values()]
    .map((o, i) => ({ o, i }))
    .sort((a, b) => (order.get(a.o.component) ?? 1e9) - (order.get(b.o.component) ?? 1e9) || a.i - b.i)
    .map(({ o }) => o);
  const enumsSorted = [...enums.values()]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (order.get(a.e.owner) ?? 1e9) - (order.get(b.e.owner) ?? 1e9) || a.i - b.i)
    .map(({ e }) => e);
  return {
    title: [doc.info?.title, doc.info?.version].filter(Boolean).join(" "),
    objects: new Map(sorted.map((o) => [o.name, o])),
    enums: new Map(enumsSorted.map((e) => [e.fn, e])),
    operations,
  };
}

function pick(s: Schema, keys: string[]): Schema {
  return Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
}

// ---------------------------------------------------------------------------------------------------------------
// The BSL text.
// ---------------------------------------------------------------------------------------------------------------

const WIDTH = 140;
const SEPARATOR = "/".repeat(115);

/**
 * Comment lines: `first` then `text` wrapped to WIDTH, continuation lines starting with `indent`. Dashes and
 * non-breaking spaces of the document become plain ones (BSL LS: InvalidCharacterInFile).
 */
function comment(first: string, text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = first;
  const empty = () => line === first || line === indent;
  const plain = text
    .replace(/[\u2012-\u2015\u2212]/g, "-")
    .replace(/[\u00a0\u2007\u202f]/g, " ")
    .replace(/[\u00ad\u200b]/g, "");
  for (let word of plain.split(/\s+/).filter(Boolean)) {
    for (;;) {
      const sep = line.endsWith(" ") ? "" : " ";
      if ((line + sep + word).length <= WIDTH) {
        line += sep + word;
        break;
      }
      if (!empty() || word.length <= WIDTH - indent.length - 1) {
        lines.push(line);
        line = indent;
        continue;
      }
      // Longer than a line (a pattern): cut it where the line ends.
      // A comment line that starts with @ is a service tag to BSL LS (UsingServiceTag).
      let cut = WIDTH - (line + sep).length;
      while (cut > 1 && word[cut] === "@") cut--;
      lines.push(line + sep + word.slice(0, cut));
      word = word.slice(cut);
      line = indent;
    }
  }
  lines.push(line);
  return lines.map((l) => l.replace(/\s+$/, ""));
}

const number = (n: number) => String(n);

/** The limits and notes the document states for a value: length, range, pattern, format, items, default. */
function limits(schema: Schema, type: FieldType): string[] {
  const out: string[] = [];
  const s = schema;
  if (type.kind === "scalar" && type.scalar === "integer") out.push("целое");
  if (s.minLength !== undefined && s.maxLength !== undefined) out.push(`длина от ${s.minLength} до ${s.maxLength}`);
  else if (s.minLength !== undefined) out.push(`длина не меньше ${s.minLength}`);
  else if (s.maxLength !== undefined) out.push(`длина не больше ${s.maxLength}`);
  const low =
    s.exclusiveMinimum !== undefined
      ? `больше ${number(s.exclusiveMinimum)}`
      : s.minimum !== undefined && s.minimum !== -MAX_SAFE
        ? `не меньше ${number(s.minimum)}`
        : "";
  const high =
    s.exclusiveMaximum !== undefined
      ? `меньше ${number(s.exclusiveMaximum)}`
      : s.maximum !== undefined && s.maximum !== MAX_SAFE
        ? `не больше ${number(s.maximum)}`
        : "";
  if (low || high) out.push([low, high].filter(Boolean).join(" и "));
  if (s.minItems !== undefined && s.maxItems !== undefined) out.push(`элементов от ${s.minItems} до ${s.maxItems}`);
  else if (s.minItems !== undefined) out.push(`элементов не меньше ${s.minItems}`);
  else if (s.maxItems !== undefined) out.push(`элементов не больше ${s.maxItems}`);
  if (s.uniqueItems) out.push("элементы не повторяются");
  if (s.format && s.format !== "starts_with") out.push(`формат ${s.format}`);
  if (type.kind === "scalar" && type.enumFn) out.push(`одно из: ${(s.enum as string[]).join(", ")} (см. ${type.enumFn})`);
  if (s.default !== undefined) out.push(`по умолчанию ${JSON.stringify(s.default)}`);
  if (s.pattern) out.push(`шаблон \`${s.pattern}\``);
  if (type.kind === "array") {
    const inner = type.items.kind === "object" ? [] : limits(type.items.schema, type.items);
    if (inner.length) out.push(`каждый элемент: ${inner.join("; ")}`);
  }
  return out;
}

/** The 1C type of a value of this field, as doc comments write it. */
function bslType(type: FieldType, side: "request" | "response"): string {
  const base = (t: FieldType): string => {
    switch (t.kind) {
      case "scalar":
        return t.scalar === "string" ? "Строка" : t.scalar === "boolean" ? "Булево" : "Число";
      case "object":
        return "Структура";
      case "array":
        return `Массив из ${t.items.kind === "array" ? "Массив" : base(t.items)}`;
      case "map":
        return "Соответствие";
      case "any":
        return "Произвольный";
    }
  };
  return base(type) + (type.nullable ? (side === "request" ? ", Null" : ", Неопределено") : "");
}

function fieldNote(field: Field, side: "request" | "response"): string {
  const t = field.type;
  const parts: string[] = [];
  if (side === "request") parts.push(field.required ? "обязательное" : "необязательное");
  else parts.push(field.required ? "есть всегда" : "может отсутствовать");
  if (t.kind === "object") parts.push(`см. ${side === "request" ? constructorName(t.name) : readerName(t.name)}`);
  if (t.kind === "array" && t.items.kind === "object")
    parts.push(`элементы - см. ${side === "request" ? constructorName(t.items.name) : readerName(t.items.name)}`);
  if (t.schema.description) parts.push(String(t.schema.description).replace(/\s+/g, " ").replace(/\.$/, ""));
  // Limits matter to what 1C sends; of what it reads, only the enum values.
  if (side === "request") parts.push(...limits(t.schema, t));
  else if (t.kind === "scalar" && t.enumFn) parts.push(`одно из: ${(t.schema.enum as string[]).join(", ")} (см. ${t.enumFn})`);
  return parts.join("; ") + ".";
}

const parameterName = (field: string) => capital(field);

class Writer {
  lines: string[] = [];
  push(...lines: string[]) {
    this.lines.push(...lines);
  }
  blank() {
    this.lines.push("");
  }
}

function where(object: ObjectSchema): string {
  return object.component === object.path ? `components/schemas/${object.path}` : object.path;
}

function writeConstructor(w: Writer, object: ObjectSchema) {
  const required = object.fields.filter((f) => f.required);
  w.push(...comment("//", `Тело запроса ${object.name} (${where(object)})${object.description ? `: ${object.description.replace(/\.$/, "")}` : ""}.`, "//"));
  w.push("//");
  if (required.length) {
    w.push("// Параметры:");
    for (const f of required)
      w.push(...comment(`//   ${parameterName(f.name)} - ${bslType(f.type, "request")} -`, `${f.name}: ${fieldNote(f, "request")}`, "//     "));
    w.push("//");
  }
  w.push("// Возвращаемое значение:", "//   Структура:");
  for (const f of object.fields) {
    w.push(...comment(`//   * ${f.name} - ${bslType(f.type, "request")}${f.required ? "" : ", Неопределено"} -`, fieldNote(f, "request"), "//     "));
  }
  w.push("//");
  const params = required.map((f) => parameterName(f.name)).join(", ");
  // More required fields than BSL LS allows parameters (7): they are the schema's, so they stay parameters.
  const header = `Функция ${constructorName(object.name)}(${params}) Экспорт`;
  w.push(required.length > 7 ? `${header} // BSLLS:NumberOfParams-off` : header);
  w.push("\t", "\tТело = Новый Структура;");
  for (const f of object.fields) w.push(`\tТело.Вставить("${f.name}", ${f.required ? parameterName(f.name) : "Неопределено"});`);
  w.push("\tВозврат Тело;", "\t", "КонецФункции");
  w.blank();
}

/** An expression converting one JSON value (`source`) to the 1C value of `type`, or undefined for statements. */
function convert(type: FieldType, source: string): string {
  switch (type.kind) {
    case "scalar": {
      const fn = type.scalar === "string" ? "КакСтрока" : type.scalar === "boolean" ? "КакБулево" : "КакЧисло";
      return type.nullable ? `${fn}(${source}, Неопределено)` : `${fn}(${source})`;
    }
    case "object":
      return `${readerName(type.name)}(${source})`;
    case "map":
      return `КакОбъект(${source})`;
    case "array":
      return `КакМассив(${source})`;
    case "any":
      return source;
  }
}

function writeReader(w: Writer, object: ObjectSchema) {
  w.push(
    ...comment(
      "//",
      `Читает объект ${object.name} (${where(object)}) из ответа моста${object.description ? `: ${object.description.replace(/\.$/, "")}` : ""}.`,
      "//",
    ),
  );
  w.push("//");
  w.push("// Параметры:");
  w.push("//   Данные - Соответствие, Неопределено - объект JSON, как его читает СредаМостСервер.ПрочитатьJSONИзСтроки.");
  w.push("//");
  w.push("// Возвращаемое значение:", "//   Структура:");
  for (const f of object.fields)
    w.push(
      ...comment(
        `//   * ${f.name} - ${bslType(f.type, "response")}${!f.required && f.type.kind === "object" && !f.type.nullable ? ", Неопределено" : ""} -`,
        fieldNote(f, "response"),
        "//     ",
      ),
    );
  w.push("//");
  w.push(`Функция ${readerName(object.name)}(Данные) Экспорт`, "\t", "\tРезультат = Новый Структура;");
  for (const f of object.fields) {
    const value = `ПолеДанных(Данные, "${f.name}")`;
    const t = f.type;
    if (t.kind === "array" && (t.items.kind === "object" || t.items.kind === "scalar" || t.items.kind === "map")) {
      w.push(`\tРезультат.Вставить("${f.name}", Новый Массив);`);
      w.push(`\tДля Каждого Элемент Из КакМассив(${value}) Цикл`);
      w.push(`\t\tРезультат.${f.name}.Добавить(${convert(t.items, "Элемент")});`);
      w.push("\tКонецЦикла;");
    } else if (t.kind === "object" && (t.nullable || !f.required)) {
      w.push(`\tРезультат.Вставить("${f.name}", КакОбъект(${value}));`);
      w.push(`\tЕсли Результат.${f.name} <> Неопределено Тогда`);
      w.push(`\t\tРезультат.${f.name} = ${readerName(t.name)}(Результат.${f.name});`);
      w.push("\tКонецЕсли;");
    } else {
      w.push(`\tРезультат.Вставить("${f.name}", ${convert(t, value)});`);
    }
  }
  w.push("\tВозврат Результат;", "\t", "КонецФункции");
  w.blank();
}

function writeEnum(w: Writer, e: EnumValues) {
  w.push(`// Значения перечисления ${e.path}.`, "//", "// Возвращаемое значение:", "//   Массив из Строка - значения в порядке документа OpenAPI.", "//");
  w.push(`Функция ${e.fn}() Экспорт`, "\t", "\tЗначения = Новый Массив;");
  for (const v of e.values) w.push(`\tЗначения.Добавить("${v.replace(/"/g, '""')}");`);
  w.push("\tВозврат Значения;", "\t", "КонецФункции");
  w.blank();
}

function writeOperation(w: Writer, op: Operation) {
  const route = `${op.method} ${op.path}`;
  w.push(...comment("//", `${op.summary ? `${op.summary.replace(/\.$/, "")}: ` : ""}${route} (${op.operationId}).`, "//"));
  const params = [...op.pathParams.map((p) => parameterName(p)), ...(op.body ? ["Тело"] : [])];
  if (params.length) {
    w.push("//", "// Параметры:");
    for (const p of op.pathParams) w.push(`//   ${parameterName(p)} - Строка - параметр пути {${p}}.`);
    if (op.body) {
      w.push(`//   Тело - ${op.body.kind === "object" ? `см. ${constructorName(op.body.name)}` : `${bslType(op.body, "request")} - тело запроса.`}`);
    }
  }
  const read = op.success?.type.kind === "object" ? op.success.type.name : undefined;
  const byStatus = op.successesByStatus;
  w.push("//", "// Возвращаемое значение:");
  w.push(
    ...comment(
      "//   Структура -",
      `см. СредаМостСервер.НовыйРезультатЗапроса; ${
        byStatus.length
          ? `при успехе Данные - по коду состояния: ${byStatus.map((s) => `${s.status} - см. ${readerName(s.type.name)}`).join(", ")}.`
          : read
            ? `при успехе (${op.success!.status}) Данные - см. ${readerName(read)}.`
            : "Данные - как их прочитал СредаМостСервер."
      }`,
      "//               ",
    ),
  );
  w.push("//");
  w.push(`Функция ${op.fn}(${params.join(", ")}) Экспорт`, "\t");
  const args = [`"${route}"`];
  if (op.body || op.pathParams.length) args.push(op.body ? "Тело" : "");
  if (op.pathParams.length) args.push(`Новый Структура("${op.pathParams.join(", ")}", ${op.pathParams.map(parameterName).join(", ")})`);
  const call = `СредаМостСервер.ВыполнитьЗапрос(${args.join(", ")})`;
  if (byStatus.length) {
    w.push(`\tОтвет = ${call};`);
    byStatus.forEach((s, i) => {
      w.push(`\t${i === 0 ? "Если" : "ИначеЕсли"} Ответ.Успех И Ответ.КодСостояния = ${Number(s.status)} Тогда`);
      w.push(`\t\tОтвет.Данные = ${readerName(s.type.name)}(Ответ.Данные);`);
    });
    w.push("\tКонецЕсли;", "\tВозврат Ответ;");
  } else if (read) {
    w.push(`\tОтвет = ${call};`, "\tЕсли Ответ.Успех Тогда", `\t\tОтвет.Данные = ${readerName(read)}(Ответ.Данные);`, "\tКонецЕсли;", "\tВозврат Ответ;");
  } else {
    w.push(`\tВозврат ${call};`);
  }
  w.push("\t", "КонецФункции");
  w.blank();
}

const HELPERS = `#Область СлужебныеПроцедурыИФункции

Функция ПолеДанных(Данные, Поле)
	
	Если ТипЗнч(Данные) = Тип("Соответствие") Тогда
		Возврат Данные.Получить(Поле);
	КонецЕсли;
	Возврат Неопределено;
	
КонецФункции

Функция КакСтрока(Значение, ПоУмолчанию = "")
	
	Если ТипЗнч(Значение) = Тип("Строка") Тогда
		Возврат Значение;
	КонецЕсли;
	Возврат ПоУмолчанию;
	
КонецФункции

Функция КакЧисло(Значение, ПоУмолчанию = 0)
	
	Если ТипЗнч(Значение) = Тип("Число") Тогда
		Возврат Значение;
	КонецЕсли;
	Возврат ПоУмолчанию;
	
КонецФункции

Функция КакБулево(Значение, ПоУмолчанию = Ложь)
	
	Если ТипЗнч(Значение) = Тип("Булево") Тогда
		Возврат Значение;
	КонецЕсли;
	Возврат ПоУмолчанию;
	
КонецФункции

Функция КакОбъект(Значение)
	
	Если ТипЗнч(Значение) = Тип("Соответствие") Тогда
		Возврат Значение;
	КонецЕсли;
	Возврат Неопределено;
	
КонецФункции

Функция КакМассив(Значение)
	
	Если ТипЗнч(Значение) = Тип("Массив") Тогда
		Возврат Значение;
	КонецЕсли;
	Возврат Новый Массив;
	
КонецФункции

#КонецОбласти`;

/** The module's text: UTF-8 with BOM, CRLF line ends, as the Designer dump has it. */
export function renderModule(model: Model): string {
  const w = new Writer();
  w.push(SEPARATOR);
  w.push(
    ...comment(
      "//",
      `СОЗДАН АВТОМАТИЧЕСКИ onec/tools/generate-contract.ts по документу OpenAPI моста (${model.title || "bridge"}: createOpenApiDocument() из packages/bridge, его же отдаёт GET /openapi.json). Не править вручную: после изменения схем моста выполнить`,
      "//",
    ),
  );
  w.push(`//   ${GENERATE_COMMAND}`);
  w.push("// Проверка onec/tools/checks/contract.ts сверяет модуль с документом и код 1С - с его функциями.");
  w.push("//");
  w.push(
    ...comment(
      "//",
      'Здесь всё, что называет провод: маршруты (Выполнить<operationId>), тела запросов (Новый<Схема>), чтение ответов (Прочитать<Схема>) и значения перечислений (Значения<Схема><Поле>). Ключи структур - имена полей JSON. Тело запроса: обязательные поля - параметры конструктора, необязательные - Неопределено, и такие не отправляются (СредаМостСервер.ВыполнитьЗапрос). Прочитанный ответ: чего в нём нет, то строка "", число 0, булево Ложь, пустой массив, а необязательный объект или null - Неопределено. Схема, вложенная в другую, названа по месту: EnvironmentSettings.sms4b - EnvironmentSettingsSms4b, Customer.contacts[] - CustomerContactsItem.',
      "//",
    ),
  );
  w.push(SEPARATOR, "");
  w.push("#Область ПрограммныйИнтерфейс", "");
  const objects = [...model.objects.values()];
  const sections: [string, (w: Writer) => void][] = [
    ["Операции", (w) => model.operations.forEach((op) => writeOperation(w, op))],
    ["ТелаЗапросов", (w) => objects.filter((o) => o.request).forEach((o) => writeConstructor(w, o))],
    ["ЧтениеОтветов", (w) => objects.filter((o) => o.response).forEach((o) => writeReader(w, o))],
    ["ЗначенияПеречислений", (w) => [...model.enums.values()].forEach((e) => writeEnum(w, e))],
  ];
  for (const [region, write] of sections) {
    const inner = new Writer();
    write(inner);
    if (!inner.lines.length) continue;
    w.push(`#Область ${region}`, "", ...inner.lines, "#КонецОбласти", "");
  }
  w.push("#КонецОбласти", "", ...HELPERS.split("\n"));
  return "\ufeff" + w.lines.join("\r\n") + "\r\n";
}

/** The bridge's OpenAPI document, built the way `GET /openapi.json` builds it. */
export async function bridgeOpenApi(): Promise<OpenApiDocument> {
  const bridge = (await import("@sreda/bridge")) as { createOpenApiDocument: () => unknown };
  return bridge.createOpenApiDocument() as OpenApiDocument;
}

export function generate(doc: OpenApiDocument): string {
  return renderModule(buildModel(doc));
}

// CLI: tsx tools/generate-contract.ts [--openapi <file.json>] [--src <dir>]   → writes src/cf/<MODULE_FILE>
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const fromFile = option("--openapi");
  const doc = fromFile ? (JSON.parse(readFileSync(fromFile, "utf8")) as OpenApiDocument) : await bridgeOpenApi();
  const target = join(option("--src") ?? join(import.meta.dirname, "../src"), "cf", MODULE_FILE);
  const text = generate(doc);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`${target}: ${text.split("\r\n").length - 1} lines, ${Buffer.byteLength(text)} bytes`);
}
