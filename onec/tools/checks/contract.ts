/**
 * The contract between the 1C code and the bridge: every route the BSL calls and every JSON field it sends or reads
 * must exist in the bridge's OpenAPI document (`createOpenApiDocument()` of @sreda/bridge, the same document
 * `GET /openapi.json` serves). The convention it relies on is written at the top of СредаКонтрактМостаСервер:
 *   - a route is a string literal "METHOD /path" (the only place: СредаКонтрактМостаСервер, passed to
 *     СредаМостСервер.ВыполнитьЗапрос, which nobody else calls);
 *   - a function that builds or reads one JSON object carries «Контракт моста: запрос|ответ <Schema[.prop|[]]…>» in
 *     its comment; its fields are the literals of Вставить("f", …) and ДобавитьЗаполненное(Тело, "f", …) and
 *     Новый Структура("f1, f2") (requests) or Получить("f") (responses); a request must also send every required field;
 *   - «Контракт моста: значения <Schema.prop>»: every string literal of the function (but НСтр texts) is an enum value.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

type Schema = Record<string, any>;
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema> };
}

const CONTRACT_MODULE = "СредаКонтрактМостаСервер";
const ROUTE = /"(GET|POST|PUT|PATCH|DELETE) (\/[^"\s]*)"/g;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

interface Method {
  name: string;
  comment: string[];
  body: string;
}

/** Functions and procedures of a module with the comment lines right above each. */
export function methods(text: string): Method[] {
  const lines = text.replace(/^\ufeff/, "").split(/\r?\n/);
  const out: Method[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i]!.match(/^\s*(?:&\S+\s*)?(?:Функция|Процедура)\s+([\wА-Яа-яЁё]+)\s*\(/);
    if (!m) continue;
    const comment: string[] = [];
    for (let j = i - 1; j >= 0 && /^\s*\/\//.test(lines[j]!); j--) comment.unshift(lines[j]!.replace(/^\s*\/\/\s?/, ""));
    let k = i + 1;
    while (k < lines.length && !/^\s*Конец(Функции|Процедуры)/.test(lines[k]!)) k++;
    out.push({ name: m[1]!, comment, body: lines.slice(i, k + 1).join("\n") });
  }
  return out;
}

function resolveRef(doc: OpenApiDocument, s: Schema | undefined): Schema | undefined {
  let cur = s;
  for (let guard = 0; cur?.$ref && guard < 20; guard++) cur = doc.components.schemas[String(cur.$ref).replace("#/components/schemas/", "")];
  return cur;
}

/** The object schemas a schema stands for (through $ref, anyOf/oneOf without null, allOf). */
function objectVariants(doc: OpenApiDocument, s: Schema | undefined): Schema[] {
  const r = resolveRef(doc, s);
  if (!r) return [];
  const alts = [...(r.anyOf ?? []), ...(r.oneOf ?? []), ...(r.allOf ?? [])].filter((a: Schema) => a.type !== "null");
  if (alts.length) return alts.flatMap((a: Schema) => objectVariants(doc, a));
  return [r];
}

/** Schema path `Component(.prop|[])*` → the schemas it names; undefined when any step does not exist. */
export function schemaAt(doc: OpenApiDocument, path: string): Schema[] | undefined {
  const [head, ...rest] = path.split(/(?=\.|\[\])/);
  let current = doc.components.schemas[head!] ? objectVariants(doc, doc.components.schemas[head!]) : undefined;
  for (const step of rest) {
    if (!current?.length) return undefined;
    if (step === "[]") current = current.flatMap((s) => objectVariants(doc, s.items));
    else {
      const prop = step.slice(1);
      const found = current.map((s) => s.properties?.[prop]).filter(Boolean);
      current = found.length ? found.flatMap((s) => objectVariants(doc, s)) : undefined;
    }
  }
  return current?.length ? current : undefined;
}

function literals(re: RegExp, text: string): string[] {
  return [...text.matchAll(re)].map((m) => m[1]!);
}

export function checkContract(src: string, doc: OpenApiDocument): { problems: string[]; routes: number; functions: number } {
  const problems: string[] = [];
  const files = walk(src).filter((f) => f.endsWith(".bsl"));
  let routes = 0;
  let functions = 0;
  for (const file of files) {
    const rel = relative(src, file);
    const text = readFileSync(file, "utf8");
    const isContract = rel.includes(`CommonModules/${CONTRACT_MODULE}/`);
    const code = text.replace(/^\s*\/\/.*$/gm, "");
    for (const m of code.matchAll(ROUTE)) {
      routes++;
      if (!isContract) problems.push(`${rel}: route "${m[1]} ${m[2]}" outside ${CONTRACT_MODULE}`);
      if (!doc.paths[m[2]!]?.[m[1]!.toLowerCase()]) problems.push(`${rel}: route ${m[1]} ${m[2]} is not in the bridge's OpenAPI document`);
    }
    if (!isContract && !rel.includes("CommonModules/СредаМостСервер/") && /СредаМостСервер\.ВыполнитьЗапрос\s*\(/.test(code)) {
      problems.push(`${rel}: calls СредаМостСервер.ВыполнитьЗапрос; only ${CONTRACT_MODULE} talks to the bridge`);
    }
    if (!isContract) continue;
    for (const method of methods(text)) {
      const marker = method.comment.map((c) => c.match(/^Контракт моста:\s*(запрос|ответ|значения)\s+(\S+)/)).find(Boolean);
      const body = method.body;
      if (!marker) {
        if (/Получить\("[a-z][A-Za-z0-9]*"\)|Тело\.Вставить\("|ДобавитьЗаполненное\(Тело,\s*"/.test(body)) {
          problems.push(`${rel}: ${method.name} handles JSON fields but carries no «Контракт моста: …» marker`);
        }
        continue;
      }
      functions++;
      const [, kind, path] = marker as RegExpMatchArray;
      if (kind === "значения") {
        const dot = path!.lastIndexOf(".");
        const owner = schemaAt(doc, path!.slice(0, dot));
        const prop = owner?.map((s) => resolveRef(doc, s.properties?.[path!.slice(dot + 1)])).find(Boolean);
        const allowed = new Set<string>(prop?.enum ?? []);
        if (!allowed.size) {
          problems.push(`${rel}: ${method.name}: ${path} is not an enum of the bridge's OpenAPI document`);
          continue;
        }
        const code = body.replace(/НСтр\("(?:[^"]|"")*"\)/g, "");
        for (const v of literals(/"((?:[^"]|"")*)"/g, code)) if (!allowed.has(v)) problems.push(`${rel}: ${method.name}: "${v}" is not a value of ${path} (${[...allowed].join(", ")})`);
        continue;
      }
      const schemas = schemaAt(doc, path!);
      if (!schemas) {
        problems.push(`${rel}: ${method.name}: schema ${path} is not in the bridge's OpenAPI document`);
        continue;
      }
      const known = new Set(schemas.flatMap((s) => Object.keys(s.properties ?? {})));
      const fields =
        kind === "запрос"
          ? [
              ...literals(/\.Вставить\(\s*"([^"]+)"/g, body),
              ...literals(/ДобавитьЗаполненное\(\s*Тело\s*,\s*"([^"]+)"/g, body),
              ...literals(/Новый Структура\(\s*"([^"]+)"/g, body).flatMap((s) => s.split(",").map((x) => x.trim())),
            ]
          : literals(/\.Получить\(\s*"([^"]+)"\s*\)/g, body);
      if (!fields.length) problems.push(`${rel}: ${method.name}: marked ${kind} ${path} but uses no field`);
      for (const f of fields) if (!known.has(f)) problems.push(`${rel}: ${method.name}: field "${f}" is not in ${path} (bridge has: ${[...known].join(", ")})`);
      if (kind === "запрос") {
        const required = new Set(schemas.flatMap((s) => s.required ?? []));
        for (const r of required) if (!fields.includes(r)) problems.push(`${rel}: ${method.name}: required field "${r}" of ${path} is never sent`);
      }
    }
  }
  if (routes === 0) problems.push("no bridge route found in the BSL code");
  if (functions === 0) problems.push("no «Контракт моста» function found in the BSL code");
  return { problems, routes, functions };
}

/** The bridge's OpenAPI document, built the way `GET /openapi.json` builds it. */
export async function bridgeOpenApi(): Promise<OpenApiDocument> {
  const bridge = (await import("@sreda/bridge")) as { createOpenApiDocument: () => unknown };
  return bridge.createOpenApiDocument() as OpenApiDocument;
}

// CLI: tsx tools/checks/contract.ts <src dir> [--openapi <file.json>]   → problems, exit 1 when there are any
//      tsx tools/checks/contract.ts --write-openapi <file.json>          → writes the bridge's document (for tests)
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const args = process.argv.slice(2);
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const writeTo = option("--write-openapi");
  if (writeTo) {
    writeFileSync(writeTo, JSON.stringify(await bridgeOpenApi(), null, 2));
    process.exit(0);
  }
  const fromFile = option("--openapi");
  const doc = fromFile ? (JSON.parse(readFileSync(fromFile, "utf8")) as OpenApiDocument) : await bridgeOpenApi();
  const src = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--")) ?? join(import.meta.dirname, "../../src");
  const result = checkContract(src, doc);
  for (const p of result.problems) console.log(p);
  console.log(`contract: ${result.routes} route literals, ${result.functions} marked functions, ${result.problems.length} problems`);
  process.exit(result.problems.length ? 1 : 0);
}
