/**
 * Template rendering, JSON-safe by construction: the template text is parsed as JSON first and macros are
 * substituted inside string values of the parsed tree, so no value — quotes, backslashes, newlines, `{{`,
 * `</script>` — can change the structure. Handlebars parses the macros (its `strict` rule: a macro without a
 * value is an error, never an empty string); only plain `{{name}}` is allowed, no helpers, blocks or partials.
 */
import Handlebars from "handlebars";
import { z } from "zod";
import { RequestTemplate } from "@sreda/templates";
import { SredaError } from "./errors.js";
import { joinPath } from "./json-path.js";
import { getMacro, type MacroDefinition } from "./macros.js";
import { parseLabels } from "./network-rules.js";
import { TextCache } from "./text-cache.js";

export type MacroValues = Readonly<Record<string, string | number | boolean>>;

export const RenderedRequest = z.object({
  method: RequestTemplate.shape.method,
  /** Path below the API root URL; macro values are percent-encoded. */
  path: z.string(),
  /** The manifest, or null for a GET. */
  body: z.record(z.string(), z.unknown()).nullable(),
});
export type RenderedRequest = z.infer<typeof RenderedRequest>;

export interface RenderResult extends RenderedRequest {
  /** JSON paths (`$.stringData.LMS_STORAGE_POSTGRES_DSN`) of strings that received a secret macro's value. */
  sensitivePaths: string[];
  /**
   * The secret macros that are a whole string, by JSON path (`$.data.rsa_key` → `rsa-content`): where a secret's
   * value can be read back from the object as it is.
   */
  secretMacroPaths: Record<string, string>;
}

type MacroType = MacroDefinition["type"];

type Part = { text: string } | { macro: string; line: number; column: number };

/** A string split into literal text and macro references; cached, as templates are rendered many times. */
const partsCache = new TextCache<Part[]>();

function parseParts(source: string, where: () => string): Part[] {
  const cached = partsCache.get(source);
  if (cached) return cached;
  let parts: Part[];
  if (!source.includes("{{")) {
    parts = [{ text: source }];
  } else {
    let program: hbs.AST.Program;
    try {
      program = Handlebars.parse(source);
    } catch (cause) {
      throw new SredaError("TEMPLATE_INVALID", `${where()}: неверная запись макроса: ${firstLine(cause)}`, {}, { cause });
    }
    parts = program.body.map((statement): Part => {
      if (statement.type === "ContentStatement") return { text: (statement as hbs.AST.ContentStatement).value };
      const loc = statement.loc.start;
      if (statement.type === "MustacheStatement") {
        const m = statement as hbs.AST.MustacheStatement;
        const path = m.path as hbs.AST.PathExpression;
        const simple =
          m.path.type === "PathExpression" &&
          path.parts.length === 1 &&
          path.depth === 0 &&
          !path.data &&
          path.original === path.parts[0] &&
          m.params.length === 0 &&
          (!m.hash || m.hash.pairs.length === 0) &&
          !m.strip.open &&
          !m.strip.close &&
          m.escaped !== false;
        if (simple) return { macro: path.parts[0]!, line: loc.line, column: loc.column + 1 };
      }
      throw new SredaError(
        "TEMPLATE_INVALID",
        `${where()}: допускаются только макросы вида {{имя}}, без хелперов, блоков и комментариев (строка ${loc.line}, позиция ${loc.column + 1})`,
        { line: loc.line, column: loc.column + 1 },
      );
    });
  }
  partsCache.set(source, parts);
  return parts;
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0] ?? "";
}

/** Parses template JSON text; a syntax error names the template, line and column. */
export function parseTemplateJson(text: string, templateId: string): unknown {
  const depth = nestingDepth(text);
  if (depth > MAX_TEMPLATE_DEPTH) {
    // Rendering, hashing and copying walk the body recursively: a body nested deeper than any manifest would be is
    // refused here, as bad input, before anything overflows the stack.
    throw new SredaError("TEMPLATE_INVALID", `Шаблон ${templateId}: JSON вложен глубже ${MAX_TEMPLATE_DEPTH} уровней (${depth})`, { templateId, depth });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = firstLine(cause);
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.length;
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    throw new SredaError(
      "TEMPLATE_INVALID_JSON",
      `Шаблон ${templateId}: текст не является корректным JSON (строка ${line}, позиция ${column}): ${message.replace(/ in JSON at position \d+.*$/, "")}`,
      { templateId, line, column },
      { cause },
    );
  }
}

/** Deeper than any Kubernetes manifest (a Deployment is about 12 levels deep). */
const MAX_TEMPLATE_DEPTH = 64;

/** The deepest nesting of objects and arrays in JSON text, strings skipped: one linear pass, no parsing. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

interface Context {
  templateId: string;
  values: MacroValues;
  sensitive: string[];
  wholeSecrets: Record<string, string>;
  isSecret: (macro: string) => boolean;
}

function lookup(ctx: Context, macro: string, where: string): string | number | boolean {
  const value = Object.hasOwn(ctx.values, macro) ? ctx.values[macro] : undefined;
  if (value !== undefined && value !== null) return value;
  if (!getMacro(macro)) {
    throw new SredaError("UNKNOWN_MACRO", `Шаблон ${ctx.templateId}: неизвестный макрос {{${macro}}} (${where})`, {
      templateId: ctx.templateId,
      macro,
      where,
    });
  }
  throw new SredaError("MISSING_MACRO_VALUE", `Шаблон ${ctx.templateId}: нет значения макроса {{${macro}}} (${where})`, {
    templateId: ctx.templateId,
    macro,
    where,
  });
}

function renderString(ctx: Context, source: string, jsonPath: string): unknown {
  return renderParts(
    ctx,
    parseParts(source, () => `Шаблон ${ctx.templateId}, ${jsonPath}`),
    jsonPath,
  );
}

function renderParts(ctx: Context, parts: readonly Part[], jsonPath: string): unknown {
  if (parts.length === 1 && "text" in parts[0]!) return parts[0].text;
  // A string that is exactly one integer macro becomes a JSON number (replicas, ports).
  if (parts.length === 1 && "macro" in parts[0]!) return renderWholeMacro(ctx, parts[0].macro, jsonPath);
  let out = "";
  let secret = false;
  for (const part of parts) {
    if ("text" in part) out += part.text;
    else {
      out += String(lookup(ctx, part.macro, jsonPath));
      secret ||= ctx.isSecret(part.macro);
    }
  }
  if (secret) ctx.sensitive.push(jsonPath);
  return out;
}

function renderWholeMacro(ctx: Context, macro: string, jsonPath: string): unknown {
  const value = lookup(ctx, macro, jsonPath);
  if (ctx.isSecret(macro)) {
    ctx.sensitive.push(jsonPath);
    ctx.wholeSecrets[jsonPath] = macro;
  }
  const type = getMacro(macro)?.type ?? "string";
  const text = String(value);
  const typed = type === "string" ? text : TYPED_VALUES[type](text);
  if (typed === undefined) {
    throw new SredaError("INVALID_MACRO_VALUE", `Шаблон ${ctx.templateId}: макрос {{${macro}}} должен быть ${TYPE_WORDS[type]} (${jsonPath})`, {
      templateId: ctx.templateId,
      macro,
    });
  }
  return typed;
}

/** A whole-string macro's value as its type reads it; undefined when it cannot be read so. */
const TYPED_VALUES: Record<Exclude<MacroType, "string">, (text: string) => unknown> = {
  integer: (text) => (/^-?\d+$/.test(text) ? Number(text) : undefined),
  boolean: (text) => (text === "true" ? true : text === "false" ? false : undefined),
  labels: (text) => (/^[^=,]+=[^=,]*(?:,[^=,]+=[^=,]*)*$/.test(text) ? parseLabels(text) : undefined),
  json: (text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  },
};

const TYPE_WORDS: Record<MacroType, string> = {
  string: "строкой",
  integer: "целым числом",
  boolean: "true или false",
  labels: "метками вида ключ=значение через запятую",
  json: "JSON",
};

/** A compiled piece of a template body: renders its value for one context. */
type Program = (ctx: Context) => unknown;

/**
 * A body node compiled once: JSON paths, literal text and the shape are worked out here, so rendering only looks
 * up macro values and builds the objects. A node that cannot compile renders by the interpreter, which throws the
 * same error at the same point of the walk as before.
 */
function compileNode(node: unknown, jsonPath: string): Program {
  if (typeof node === "string") return compileString(node, jsonPath);
  if (Array.isArray(node)) {
    const items = node.map((item, index) => compileNode(item, `${jsonPath}[${index}]`));
    return (ctx) => items.map((item) => item(ctx));
  }
  if (node !== null && typeof node === "object") return compileObject(node as Record<string, unknown>, jsonPath);
  return () => node;
}

function compileString(source: string, jsonPath: string): Program {
  let parts: Part[];
  try {
    parts = parseParts(source, () => jsonPath);
  } catch {
    return (ctx) => renderString(ctx, source, jsonPath);
  }
  if (parts.length === 1 && "text" in parts[0]!) {
    const text = parts[0].text;
    return () => text;
  }
  if (parts.length === 1) {
    const macro = (parts[0] as { macro: string }).macro;
    return (ctx) => renderWholeMacro(ctx, macro, jsonPath);
  }
  return (ctx) => renderParts(ctx, parts, jsonPath);
}

function compileObject(node: Record<string, unknown>, jsonPath: string): Program {
  const entries = Object.entries(node).map(([key, value]) => {
    const path = joinPath(jsonPath, key);
    if (key.includes("{{")) {
      const fail: Program = (ctx) => {
        throw new SredaError("TEMPLATE_INVALID", `Шаблон ${ctx.templateId}: макросы допускаются только в строковых значениях, не в ключах (${path})`, {
          templateId: ctx.templateId,
          where: path,
        });
      };
      return { key, program: fail, plain: true };
    }
    // A key like "__proto__" must stay plain data: it is set with defineProperty.
    return { key, program: compileNode(value, path), plain: key !== "__proto__" };
  });
  return (ctx) => {
    const out: Record<string, unknown> = {};
    for (const { key, program, plain } of entries) {
      if (plain) out[key] = program(ctx);
      else Object.defineProperty(out, key, { value: program(ctx), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
}

function renderPath(ctx: Context, source: string): string {
  const parts = parseParts(source, () => `Шаблон ${ctx.templateId}, path`);
  let out = "";
  for (const part of parts) {
    if ("text" in part) out += part.text;
    else {
      if (ctx.isSecret(part.macro)) {
        throw new SredaError("TEMPLATE_INVALID", `Шаблон ${ctx.templateId}: секретный макрос {{${part.macro}}} нельзя использовать в пути запроса`, {
          templateId: ctx.templateId,
          macro: part.macro,
        });
      }
      // Percent-encoding keeps a value from adding path segments or query parameters.
      out += encodeURIComponent(String(lookup(ctx, part.macro, "path")));
    }
  }
  return out;
}

/** Renders a plain string with macros (an object name, a title) the same way as string values in a body. */
export function renderText(templateId: string, source: string, values: MacroValues): string {
  const ctx: Context = { templateId, values, sensitive: [], wholeSecrets: {}, isSecret: (macro) => getMacro(macro)?.secret ?? false };
  const text = String(renderString(ctx, source, "name"));
  // Names end up in URLs, events and logs: a secret must never become part of one.
  if (ctx.sensitive.length > 0) {
    throw new SredaError("TEMPLATE_INVALID", `Шаблон ${templateId}: секретный макрос нельзя использовать в имени объекта`, { templateId, where: "name" });
  }
  return text;
}

/**
 * Renders one template with macro values. Unknown macros and missing values are errors naming the macro and
 * the template; a body that is not JSON is rejected with line and column.
 */
export function renderTemplate(
  template: Pick<RequestTemplate, "id" | "method" | "path" | "body">,
  values: MacroValues,
  options: { isSecret?: (macro: string) => boolean } = {},
): RenderResult {
  const ctx: Context = {
    templateId: template.id,
    values,
    sensitive: [],
    wholeSecrets: {},
    isSecret: options.isSecret ?? ((macro) => getMacro(macro)?.secret ?? false),
  };
  const path = renderPath(ctx, template.path);
  const body = compiledBody(template.body)(ctx) as Record<string, unknown> | null;
  return { method: template.method, path, body, sensitivePaths: ctx.sensitive, secretMacroPaths: ctx.wholeSecrets };
}

/** Compiled bodies by their text: a template is parsed and compiled once per version, overrides included. */
const bodyCache = new TextCache<Program>();

function compiledBody(body: string | null): Program {
  const text = body ?? "";
  let program = bodyCache.get(text);
  if (!program) {
    program = compileBody(body);
    bodyCache.set(text, program);
  }
  return program;
}

function compileBody(body: string | null): Program {
  if (body === null || body.trim() === "") return () => null;
  let parsed: unknown;
  try {
    parsed = parseTemplateJson(body, "");
  } catch {
    // Thrown again at render time (a fresh error naming the template, after the path's errors).
    return (ctx) => parseTemplateJson(body, ctx.templateId);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return (ctx) => {
      throw new SredaError("TEMPLATE_INVALID", `Шаблон ${ctx.templateId}: тело запроса должно быть JSON-объектом`, { templateId: ctx.templateId });
    };
  }
  return compileNode(parsed, "$");
}
