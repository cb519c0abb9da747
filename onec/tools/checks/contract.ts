/**
 * The contract between the 1C code and the bridge, checked structurally against the bridge's OpenAPI document
 * (`createOpenApiDocument()` of @sreda/bridge, the document `GET /openapi.json` serves):
 *   (a) the committed СредаСхемыМостаСервер is exactly what tools/generate-contract.ts makes of the document;
 *   (b) no other module holds a route literal ("METHOD /path") or calls СредаМостСервер.ВыполнитьЗапрос;
 *   (c) every call СредаСхемыМостаСервер.F(…) names an exported function of the generated module, with a number of
 *       arguments it accepts;
 *   (d) every property read or written on a value of a generated schema is a field of that schema, nested ones too
 *       (Ответ.Данные.operation.environment.phase). A value has a schema when it is a local variable assigned from
 *       СредаСхемыМостаСервер.Новый…/Прочитать…/Выполнить… (or from a typed property, or a local function whose
 *       doc's «Возвращаемое значение» says «см. СредаСхемыМостаСервер.…»), a loop variable over an array of such
 *       objects, or a parameter whose line in «Параметры:» says «см. СредаСхемыМостаСервер.…» («Массив из см. …» for
 *       an array). Objects passed, assigned or added where another schema is expected are reported too, and so are
 *       string literals compared with or assigned to an enum field that are not among its values;
 *   (e) a function whose parameter is documented «см. СредаСхемыМостаСервер.Значения…» maps that enum: its string
 *       literals (but НСтр texts) are exactly the enum's values — an unknown value and a missing one are reported.
 * The analysis reads the modules with tools/lib/bsl.mjs; it follows statements in order (no control flow), which is
 * what the mapping code needs.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  GENERATE_COMMAND,
  MODULE_FILE,
  MODULE_NAME,
  bridgeOpenApi,
  buildModel,
  constructorName,
  readerName,
  renderModule,
  type FieldType,
  type Model,
  type OpenApiDocument,
  type Operation,
} from "../generate-contract.js";

export type { OpenApiDocument };

// tools/lib/bsl.mjs is JavaScript without declarations: imported by a computed path, typed by what is used here.
interface Token {
  type: "ident" | "keyword" | "string" | "number" | "date" | "op" | "comment" | "preproc" | "directive";
  text: string;
  value: string;
  line: number;
}
interface BslMethod {
  name: string;
  params: { name: string; optional: boolean }[];
  exported: boolean;
  doc: string[];
  line: number;
  body: Token[];
}
interface BslReader {
  tokenize(source: string): Token[];
  parseModule(source: string): { methods: BslMethod[]; tokens: Token[] };
}
const BSL_READER = "../lib/bsl.mjs";
const bsl = (await import(new URL(BSL_READER, import.meta.url).href)) as BslReader;

const ROUTE = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*$/;
const GENERATED = MODULE_NAME.toLowerCase();

/** What the check knows about a value. */
type T =
  | { kind: "object"; name: string }
  | { kind: "array"; items: T }
  | { kind: "result"; op: Operation }
  | { kind: "enum"; fn: string; values: string[] }
  /** One of several schemas: the Данные of a route whose successes differ by status (200 dry run, 202 operation). */
  | { kind: "union"; variants: T[] }
  | { kind: "other" };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

function fromField(type: FieldType, model: Model): T {
  if (type.kind === "object") return { kind: "object", name: type.name };
  if (type.kind === "array") return { kind: "array", items: fromField(type.items, model) };
  if (type.kind === "scalar" && type.enumFn) return { kind: "enum", fn: type.enumFn, values: model.enums.get(type.enumFn)!.values };
  return { kind: "other" };
}

const describe = (t: T): string =>
  t.kind === "object"
    ? t.name
    : t.kind === "array"
      ? `Массив из ${describe(t.items)}`
      : t.kind === "result"
        ? `результат ${t.op.fn}`
        : t.kind === "enum"
          ? t.fn
          : t.kind === "union"
            ? t.variants.map(describe).join(" or ")
            : "значение";

/** Two types that cannot stand for one another (both known, and different schemas). */
function mismatch(expected: T | undefined, actual: T | undefined): boolean {
  if (!expected || !actual) return false;
  // A value of one of several schemas stands for any of them (the code reads it by the status).
  if (actual.kind === "union") return actual.variants.every((v) => mismatch(expected, v));
  if (expected.kind === "union") return expected.variants.every((v) => mismatch(v, actual));
  if (expected.kind === "object" && actual.kind === "object") return expected.name !== actual.name;
  if (expected.kind === "array" && actual.kind === "array") return mismatch(expected.items, actual.items);
  if ((expected.kind === "object" || expected.kind === "array") && (actual.kind === "object" || actual.kind === "array")) return true;
  return false;
}

interface GeneratedFunction {
  name: string;
  min: number;
  max: number;
  params: (T | undefined)[];
  returns: T | undefined;
}

/** The exported functions of the generated module (as it parses) with the types the model gives them. */
function generatedFunctions(text: string, model: Model): Map<string, GeneratedFunction> {
  const byName = new Map<string, { returns: T; params: (T | undefined)[] }>();
  for (const o of model.objects.values()) {
    const object: T = { kind: "object", name: o.name };
    if (o.request)
      byName.set(constructorName(o.name).toLowerCase(), { returns: object, params: o.fields.filter((f) => f.required).map((f) => fromField(f.type, model)) });
    if (o.response) byName.set(readerName(o.name).toLowerCase(), { returns: object, params: [undefined] });
  }
  for (const e of model.enums.values())
    byName.set(e.fn.toLowerCase(), { returns: { kind: "array", items: { kind: "enum", fn: e.fn, values: e.values } }, params: [] });
  for (const op of model.operations) {
    byName.set(op.fn.toLowerCase(), {
      returns: { kind: "result", op },
      params: [...op.pathParams.map(() => undefined), ...(op.body ? [fromField(op.body, model)] : [])],
    });
  }
  const out = new Map<string, GeneratedFunction>();
  for (const m of bsl.parseModule(text).methods) {
    if (!m.exported) continue;
    const known = byName.get(m.name.toLowerCase());
    out.set(m.name.toLowerCase(), {
      name: m.name,
      min: m.params.filter((p) => !p.optional).length,
      max: m.params.length,
      params: known?.params ?? [],
      returns: known?.returns,
    });
  }
  return out;
}

/** The keys of СредаМостСервер.НовыйРезультатЗапроса (what Выполнить… returns), when that module reads. */
function resultKeys(src: string): Set<string> | undefined {
  try {
    const text = readFileSync(join(src, "cf", "CommonModules", "СредаМостСервер", "Ext", "Module.bsl"), "utf8");
    const method = bsl.parseModule(text).methods.find((m) => m.name.toLowerCase() === "новыйрезультатзапроса");
    if (!method) return undefined;
    const keys = new Set<string>();
    const b = method.body;
    for (let i = 0; i + 3 < b.length; i++) {
      if (b[i]!.text === "." && b[i + 1]!.value === "вставить" && b[i + 2]!.text === "(" && b[i + 3]!.type === "string")
        keys.add(b[i + 3]!.value.toLowerCase());
    }
    return keys.size ? keys : undefined;
  } catch {
    return undefined;
  }
}

interface Signature {
  params: (T | undefined)[];
  returns: T | undefined;
  enumParams: { index: number; fn: string }[];
}

const SEE = /см\.\s*СредаСхемыМостаСервер\.([\p{L}\p{N}_]+)/iu;

/** Parameter and return types a method's doc comment gives by «см. СредаСхемыМостаСервер.…». */
function signature(method: BslMethod, functions: Map<string, GeneratedFunction>, model: Model, report: (line: number, message: string) => void): Signature {
  const sig: Signature = { params: method.params.map(() => undefined), returns: undefined, enumParams: [] };
  let section = "";
  let current = -1;
  const typeOf = (text: string): T | undefined => {
    const m = text.match(SEE);
    if (!m) return undefined;
    const fn = functions.get(m[1]!.toLowerCase());
    if (!fn) {
      report(method.line, `${method.name}: its doc comment refers to ${MODULE_NAME}.${m[1]}, which the generated module does not have`);
      return undefined;
    }
    const enumValues = model.enums.get(fn.name);
    if (enumValues) return { kind: "enum", fn: enumValues.fn, values: enumValues.values };
    if (!fn.returns) return undefined;
    return /Массив\s+из(\s|$)/i.test(text.slice(0, m.index)) && fn.returns.kind === "object" ? { kind: "array", items: fn.returns } : fn.returns;
  };
  for (const raw of method.doc) {
    const line = raw.trim();
    if (/^Параметры:?$/i.test(line)) {
      section = "params";
      continue;
    }
    if (/^Возвращаемое значение:?$/i.test(line)) {
      section = "returns";
      continue;
    }
    if (section === "params") {
      const m = line.match(/^([\p{L}\p{N}_]+)\s+-\s+(.*)$/u);
      const index = m ? method.params.findIndex((p) => p.name.toLowerCase() === m[1]!.toLowerCase()) : -1;
      if (index >= 0) current = index;
      if (current >= 0 && !sig.params[current]) {
        const t = typeOf(m && index >= 0 ? m[2]! : line);
        if (t?.kind === "enum") sig.enumParams.push({ index: current, fn: t.fn });
        sig.params[current] = t;
      }
    } else if (section === "returns" && !sig.returns) {
      sig.returns = typeOf(line);
    }
  }
  return sig;
}

interface Chain {
  start: number;
  end: number;
  root: Token;
  rootArgs: [number, number][] | undefined;
  steps: { name: string; lower: string; token: Token; args: [number, number][] | undefined }[];
}

const BLOCK_END = new Set(["endif", "else", "elsif", "enddo", "endtry", "except", "endprocedure", "endfunction", "then", "do"]);
const STATEMENT_BEFORE = new Set(["then", "else", "do", "try", "except"]);

class MethodAnalysis {
  private env = new Map<string, T>();
  private pending: { at: number; name: string; type: T | undefined }[] = [];

  constructor(
    private body: Token[],
    private ctx: {
      functions: Map<string, GeneratedFunction>;
      local: Map<string, Signature>;
      model: Model;
      resultKeys: Set<string> | undefined;
      report: (line: number, message: string) => void;
      counters: { calls: number; accesses: number };
    },
    private methodName: string,
    sig: Signature,
    params: { name: string }[],
  ) {
    params.forEach((p, i) => {
      const t = sig.params[i];
      // An enum parameter marks a mapping function, checked as a whole (checkEnumMapping).
      if (t && t.kind !== "enum") this.env.set(p.name.toLowerCase(), t);
    });
  }

  /** Index of the ")" or "]" closing the bracket at `open`, and the argument ranges inside. */
  private args(open: number): { close: number; ranges: [number, number][] } {
    const b = this.body;
    const ranges: [number, number][] = [];
    let depth = 0;
    let from = open + 1;
    for (let i = open; i < b.length; i++) {
      const x = b[i]!.text;
      if (b[i]!.type === "op" && (x === "(" || x === "[")) depth++;
      else if (b[i]!.type === "op" && (x === ")" || x === "]")) {
        depth--;
        if (depth === 0) {
          if (i > from || ranges.length) ranges.push([from, i]);
          return { close: i, ranges };
        }
      } else if (b[i]!.type === "op" && x === "," && depth === 1) {
        ranges.push([from, i]);
        from = i + 1;
      }
    }
    return { close: b.length - 1, ranges };
  }

  private chainAt(start: number): Chain {
    const b = this.body;
    let k = start + 1;
    let rootArgs: [number, number][] | undefined;
    if (b[k]?.text === "(" && b[k]!.type === "op") {
      const a = this.args(k);
      rootArgs = a.ranges;
      k = a.close + 1;
    }
    const steps: Chain["steps"] = [];
    while (b[k]?.text === "." && (b[k + 1]?.type === "ident" || b[k + 1]?.type === "keyword")) {
      const token = b[k + 1]!;
      k += 2;
      let args: [number, number][] | undefined;
      if (b[k]?.text === "(" && b[k]!.type === "op") {
        const a = this.args(k);
        args = a.ranges;
        k = a.close + 1;
      }
      steps.push({ name: token.text, lower: token.text.toLowerCase(), token, args });
    }
    return { start, end: k, root: b[start]!, rootArgs, steps };
  }

  private statementEnd(from: number): number {
    const b = this.body;
    let depth = 0;
    for (let i = from; i < b.length; i++) {
      const t = b[i]!;
      if (t.type === "op" && (t.text === "(" || t.text === "[")) depth++;
      else if (t.type === "op" && (t.text === ")" || t.text === "]")) depth--;
      else if (depth === 0 && ((t.type === "op" && t.text === ";") || (t.type === "keyword" && BLOCK_END.has(t.value)))) return i;
    }
    return b.length;
  }

  private isStatementStart(i: number): boolean {
    const prev = this.body[i - 1];
    return !prev || (prev.type === "op" && prev.text === ";") || (prev.type === "keyword" && STATEMENT_BEFORE.has(prev.value)) || prev.type === "preproc";
  }

  /** The type of the expression body[from, to), when it is one chain; reports nothing. */
  private typeOfRange(from: number, to: number): T | undefined {
    const t = this.body[from];
    if (!t || t.type !== "ident") return undefined;
    const chain = this.chainAt(from);
    if (chain.end !== to) return undefined;
    return this.typeOfChain(chain, false);
  }

  private rootType(chain: Chain, report: boolean): { type: T | undefined; from: number } {
    const root = chain.root.value;
    if (root === GENERATED) {
      const first = chain.steps[0];
      if (!first) return { type: undefined, from: 0 };
      const fn = this.ctx.functions.get(first.lower);
      if (report) {
        this.ctx.counters.calls++;
        if (!fn) this.ctx.report(first.token.line, `${this.methodName}: ${MODULE_NAME}.${first.name} is not an exported function of the generated module`);
        else if (!first.args) this.ctx.report(first.token.line, `${this.methodName}: ${MODULE_NAME}.${first.name} is used without a call`);
        else if (first.args.length < fn.min || first.args.length > fn.max) {
          this.ctx.report(
            first.token.line,
            `${this.methodName}: ${MODULE_NAME}.${fn.name} takes ${fn.min === fn.max ? fn.min : `${fn.min}…${fn.max}`} arguments, given ${first.args.length}`,
          );
        }
        if (fn && first.args) this.checkArgs(first.args, fn.params, `${MODULE_NAME}.${fn.name}`, first.token.line);
      }
      return { type: fn && first.args ? fn.returns : undefined, from: 1 };
    }
    if (chain.rootArgs) {
      const sig = this.ctx.local.get(root);
      if (report && sig) this.checkArgs(chain.rootArgs, sig.params, chain.root.text, chain.root.line);
      return { type: sig?.returns, from: 0 };
    }
    return { type: this.env.get(root), from: 0 };
  }

  private checkArgs(ranges: [number, number][], params: (T | undefined)[], fn: string, line: number) {
    ranges.forEach(([a, b], i) => {
      const expected = params[i];
      const actual = a < b ? this.typeOfRange(a, b) : undefined;
      if (mismatch(expected, actual))
        this.ctx.report(line, `${this.methodName}: argument ${i + 1} of ${fn} is ${describe(actual!)}, where ${describe(expected!)} is expected`);
    });
  }

  /** Follows a chain's steps; with `report`, reports the ones its schema does not have. */
  private typeOfChain(chain: Chain, report: boolean): T | undefined {
    const root = this.rootType(chain, report);
    let cur = root.type;
    const shown = [chain.root.text];
    for (const step of chain.steps.slice(root.from)) {
      shown.push(step.name);
      if (!cur) return undefined;
      if (cur.kind === "object") {
        const schema = this.ctx.model.objects.get(cur.name)!;
        if (step.args) {
          if (report && /^(вставить|insert|удалить|delete)$/.test(step.lower)) {
            this.ctx.report(step.token.line, `${this.methodName}: ${shown.join(".")}(…) changes the keys of ${cur.name}; its keys are the schema's fields`);
          }
          return undefined;
        }
        if (report) this.ctx.counters.accesses++;
        const field = schema.fields.find((f) => f.name.toLowerCase() === step.lower);
        if (!field) {
          if (report) {
            this.ctx.report(
              step.token.line,
              `${this.methodName}: ${shown.join(".")} - ${cur.name}${schema.path === cur.name ? "" : ` (${schema.path})`} has no field "${step.name}"; it has ${schema.fields.map((f) => f.name).join(", ")}`,
            );
          }
          return undefined;
        }
        cur = fromField(field.type, this.ctx.model);
      } else if (cur.kind === "result") {
        if (step.args) return undefined;
        if (step.lower === "данные") {
          const byStatus = cur.op.successesByStatus;
          const success = cur.op.success?.type;
          cur = byStatus.length
            ? { kind: "union", variants: byStatus.map((s) => fromField(s.type, this.ctx.model)) }
            : success
              ? fromField(success, this.ctx.model)
              : undefined;
        } else {
          if (report && this.ctx.resultKeys && !this.ctx.resultKeys.has(step.lower)) {
            this.ctx.report(
              step.token.line,
              `${this.methodName}: ${shown.join(".")} - the result of ${cur.op.fn} (СредаМостСервер.НовыйРезультатЗапроса) has no key "${step.name}"`,
            );
          }
          cur = undefined;
        }
      } else if (cur.kind === "union") {
        // A field of one of the schemas: it must be a field of at least one of them; its type is theirs.
        if (step.args) return undefined;
        if (report) this.ctx.counters.accesses++;
        const found: T[] = [];
        for (const v of cur.variants) {
          if (v.kind !== "object") continue;
          const field = this.ctx.model.objects.get(v.name)!.fields.find((f) => f.name.toLowerCase() === step.lower);
          if (field) found.push(fromField(field.type, this.ctx.model));
        }
        if (!found.length) {
          if (report) this.ctx.report(step.token.line, `${this.methodName}: ${shown.join(".")} - none of ${describe(cur)} has a field "${step.name}"`);
          return undefined;
        }
        const distinct = [...new Map(found.map((f) => [describe(f), f])).values()];
        cur = distinct.length === 1 ? distinct[0] : { kind: "union", variants: distinct };
      } else if (cur.kind === "array") {
        if (report && step.args && /^(добавить|add|вставить|insert)$/.test(step.lower) && step.args.length) {
          const last = step.args[step.args.length - 1]!;
          const actual = this.typeOfRange(last[0], last[1]);
          if (mismatch(cur.items, actual))
            this.ctx.report(step.token.line, `${this.methodName}: ${shown.join(".")}(…) adds ${describe(actual!)} to ${describe(cur)}`);
        }
        return undefined;
      } else {
        return undefined;
      }
    }
    return cur;
  }

  private checkLiteral(type: T | undefined, token: Token | undefined, what: string) {
    if (type?.kind !== "enum" || token?.type !== "string") return;
    if (!type.values.includes(token.value)) {
      this.ctx.report(token.line, `${this.methodName}: "${token.value}" is not a value of ${what} (${type.values.join(", ")})`);
    }
  }

  run() {
    const b = this.body;
    for (let j = 0; j < b.length; j++) {
      for (const p of this.pending.filter((x) => x.at === j)) {
        if (p.type) this.env.set(p.name, p.type);
        else this.env.delete(p.name);
      }
      this.pending = this.pending.filter((x) => x.at !== j);
      const t = b[j]!;
      if (t.type === "ident" && b[j + 1]?.text === "=" && b[j + 1]!.type === "op" && this.isStatementStart(j)) {
        const end = this.statementEnd(j + 2);
        this.pending.push({ at: end, name: t.value, type: this.typeOfRange(j + 2, end) });
        continue;
      }
      if (t.type === "keyword" && t.value === "for" && b[j + 1]?.value === "each" && b[j + 2]?.type === "ident" && b[j + 3]?.value === "in") {
        const end = this.statementEnd(j + 4);
        const over = this.typeOfRange(j + 4, end);
        this.pending.push({ at: end, name: b[j + 2]!.value, type: over?.kind === "array" ? over.items : undefined });
        j += 3;
        continue;
      }
      if (t.type !== "ident" || b[j - 1]?.text === ".") continue;
      const chain = this.chainAt(j);
      const type = this.typeOfChain(chain, true);
      const shown = [chain.root.text, ...chain.steps.map((s) => s.name)].join(".");
      // A literal compared with or assigned to an enum field: "x" = Chain, Chain = "x", Chain <> "x".
      const after = b[chain.end];
      if (after?.type === "op" && (after.text === "=" || after.text === "<>")) this.checkLiteral(type, b[chain.end + 1], shown);
      const before = b[j - 1];
      if (before?.type === "op" && (before.text === "=" || before.text === "<>")) this.checkLiteral(type, b[j - 2], shown);
      // An object assigned to a field of another schema: Тело.client = <EnvironmentSettings>.
      if (chain.steps.length && after?.text === "=" && this.isStatementStart(j)) {
        const end = this.statementEnd(chain.end + 1);
        const value = this.typeOfRange(chain.end + 1, end);
        if (mismatch(type, value)) this.ctx.report(chain.root.line, `${this.methodName}: ${shown} is ${describe(type!)}, assigned ${describe(value!)}`);
      }
    }
  }
}

/** (e): the string literals of an enum-mapping method (but НСтр texts) against the enum's values. */
function checkEnumMapping(method: BslMethod, fn: string, model: Model, report: (line: number, message: string) => void) {
  const e = model.enums.get(fn);
  if (!e) return;
  const literals: Token[] = [];
  const b = method.body;
  for (let i = 0; i < b.length; i++) {
    const t = b[i]!;
    if (t.type === "ident" && (t.value === "нстр" || t.value === "nstr") && b[i + 1]?.text === "(") {
      let depth = 0;
      for (i++; i < b.length; i++) {
        if (b[i]!.text === "(") depth++;
        else if (b[i]!.text === ")" && --depth === 0) break;
      }
      continue;
    }
    if (t.type === "string") literals.push(t);
  }
  const seen = new Set(literals.map((l) => l.value));
  for (const l of literals)
    if (!e.values.includes(l.value)) report(l.line, `${method.name}: "${l.value}" is not a value of ${e.path} (${e.values.join(", ")})`);
  for (const v of e.values)
    if (!seen.has(v)) report(method.line, `${method.name}: maps no "${v}" - a value of ${e.path} (${MODULE_NAME}.${e.fn}) without a mapping`);
}

/** The first line where two texts differ, with the differing part of it (around the first differing character). */
function firstDifference(a: string, b: string): { line: number; committed: string; generated: string } {
  const x = a.split("\n");
  const y = b.split("\n");
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  const p = (x[i] ?? "").trimEnd();
  const q = (y[i] ?? "").trimEnd();
  let c = 0;
  while (c < p.length && c < q.length && p[c] === q[c]) c++;
  const from = Math.max(0, c - 40);
  const cut = (s: string, whole: string | undefined) => (whole === undefined ? "<end of file>" : (from ? "…" : "") + s.slice(from, from + 90));
  return { line: i + 1, committed: cut(p, x[i]), generated: cut(q, y[i]) };
}

export interface ContractResult {
  problems: string[];
  modules: number;
  calls: number;
  accesses: number;
  mappings: number;
}

export function checkContract(src: string, doc: OpenApiDocument): ContractResult {
  const problems: string[] = [];
  const result: ContractResult = { problems, modules: 0, calls: 0, accesses: 0, mappings: 0 };
  let model: Model;
  let expected: string;
  try {
    model = buildModel(doc);
    expected = renderModule(model);
  } catch (e) {
    problems.push(`tools/generate-contract.ts cannot generate ${MODULE_NAME} from the bridge's OpenAPI document: ${(e as Error).message}`);
    return result;
  }
  const generatedPath = join(src, "cf", MODULE_FILE);
  const generatedRel = relative(src, generatedPath);
  let committed: string | undefined;
  try {
    committed = readFileSync(generatedPath, "utf8");
  } catch {
    problems.push(`${generatedRel}: missing; run ${GENERATE_COMMAND}`);
  }
  if (committed !== undefined && committed !== expected) {
    const d = firstDifference(committed, expected);
    problems.push(
      `${generatedRel}: stale - not what tools/generate-contract.ts makes of the bridge's OpenAPI document (line ${d.line}: ` +
        `${JSON.stringify(d.committed)}, expected ${JSON.stringify(d.generated)}); run ${GENERATE_COMMAND}`,
    );
  }
  // The code is checked against the module as the document makes it, so a change in the bridge shows where it breaks.
  const functions = generatedFunctions(expected, model);
  const keys = resultKeys(src);
  const counters = { calls: 0, accesses: 0 };

  for (const file of walk(src).filter((f) => f.endsWith(".bsl"))) {
    const rel = relative(src, file);
    if (file === generatedPath) continue;
    result.modules++;
    const text = readFileSync(file, "utf8");
    const report = (line: number, message: string) => problems.push(`${rel}:${line}: ${message}`);
    let parsed: ReturnType<BslReader["parseModule"]>;
    try {
      parsed = bsl.parseModule(text);
    } catch (e) {
      problems.push(`${rel}: cannot be read: ${(e as Error).message}`);
      continue;
    }
    // (b) routes and ВыполнитьЗапрос only in the generated module.
    for (const t of parsed.tokens) {
      if (t.type === "string" && ROUTE.test(t.value)) report(t.line, `route literal "${t.value}" outside ${MODULE_NAME}; call its Выполнить… function`);
    }
    const all = parsed.tokens.filter((t) => t.type !== "comment");
    for (let i = 0; i + 2 < all.length; i++) {
      if (all[i]!.value === "средамостсервер" && all[i + 1]!.text === "." && all[i + 2]!.value === "выполнитьзапрос" && all[i - 1]?.text !== ".") {
        report(all[i]!.line, `calls СредаМостСервер.ВыполнитьЗапрос; only ${MODULE_NAME} talks to the bridge`);
      }
    }
    if (!/средасхемымостасервер/i.test(text)) continue;
    // (c), (d), (e)
    const local = new Map<string, Signature>();
    for (const m of parsed.methods) local.set(m.name.toLowerCase(), signature(m, functions, model, report));
    for (const m of parsed.methods) {
      const sig = local.get(m.name.toLowerCase())!;
      for (const { fn } of sig.enumParams) {
        result.mappings++;
        checkEnumMapping(m, fn, model, report);
      }
      new MethodAnalysis(m.body, { functions, local, model, resultKeys: keys, report, counters }, m.name, sig, m.params).run();
    }
  }
  result.calls = counters.calls;
  result.accesses = counters.accesses;
  if (result.calls === 0) problems.push(`no call to ${MODULE_NAME} found in the BSL code`);
  return result;
}

// CLI: tsx tools/checks/contract.ts <src dir> [--openapi <file.json>]   → problems, exit 1 when there are any
//      tsx tools/checks/contract.ts --write-openapi <file.json>          → writes the bridge's document (for tests)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
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
  console.log(
    `contract: ${result.modules} modules, ${result.calls} calls to ${MODULE_NAME}, ${result.accesses} schema field accesses, ` +
      `${result.mappings} enum mappings, ${result.problems.length} problems (${Date.now() - started} ms)`,
  );
  process.exit(result.problems.length ? 1 : 0);
}
