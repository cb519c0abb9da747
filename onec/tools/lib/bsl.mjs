// A reader of 1C:Enterprise modules (BSL) for the checks: tokens with lines, and a module's outline — its methods
// with directive, parameters, export flag, doc comment and body tokens, and its module variables. It reads what the
// platform's compiler reads at this level (strings with "" and |-continued lines, dates, preprocessor and directive
// lines, comments), so a check never mistakes text in a string or a comment for code.

/** Keywords in both languages, lower case; everything else made of letters is an identifier. */
const KEYWORDS = new Map(
  Object.entries({
    процедура: "procedure",
    procedure: "procedure",
    функция: "function",
    function: "function",
    конецпроцедуры: "endprocedure",
    endprocedure: "endprocedure",
    конецфункции: "endfunction",
    endfunction: "endfunction",
    экспорт: "export",
    export: "export",
    знач: "val",
    val: "val",
    перем: "var",
    var: "var",
    если: "if",
    if: "if",
    тогда: "then",
    then: "then",
    иначеесли: "elsif",
    elsif: "elsif",
    иначе: "else",
    else: "else",
    конецесли: "endif",
    endif: "endif",
    для: "for",
    for: "for",
    каждого: "each",
    each: "each",
    из: "in",
    in: "in",
    по: "to",
    to: "to",
    пока: "while",
    while: "while",
    цикл: "do",
    do: "do",
    конеццикла: "enddo",
    enddo: "enddo",
    попытка: "try",
    try: "try",
    исключение: "except",
    except: "except",
    конецпопытки: "endtry",
    endtry: "endtry",
    вызватьисключение: "raise",
    raise: "raise",
    возврат: "return",
    return: "return",
    продолжить: "continue",
    continue: "continue",
    прервать: "break",
    break: "break",
    новый: "new",
    new: "new",
    и: "and",
    and: "and",
    или: "or",
    or: "or",
    не: "not",
    not: "not",
    истина: "true",
    true: "true",
    ложь: "false",
    false: "false",
    неопределено: "undefined",
    undefined: "undefined",
    null: "null",
    перейти: "goto",
    goto: "goto",
    добавитьобработчик: "addhandler",
    addhandler: "addhandler",
    удалитьобработчик: "removehandler",
    removehandler: "removehandler",
    асинх: "async",
    async: "async",
    ждать: "await",
    await: "await",
  }),
);

const LETTER = /[\p{L}_]/u;
const WORD = /[\p{L}\p{N}_]/u;

/**
 * @typedef {{ type: "ident" | "keyword" | "string" | "number" | "date" | "op" | "comment" | "preproc" | "directive",
 *   text: string, value: string, line: number, col: number }} Token
 * `value` is the keyword's canonical (English) name, a string's content, an identifier in lower case.
 * parseModule adds `pp`: the preprocessor conditions the token is compiled under (see compiledIn).
 */

/** @returns {Token[]} every token of the module, comments included, with 1-based lines. */
export function tokenize(source) {
  const text = source.replace(/^\ufeff/, "");
  const tokens = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (type, start, value) => tokens.push({ type, text: text.slice(start, i), value, line: tokenLine, col: start - tokenLineStart + 1 });
  let tokenLine = 1;
  let tokenLineStart = 0;
  const atLineStart = (pos) => /^[ \t]*$/.test(text.slice(lineStart, pos));
  while (i < text.length) {
    const c = text[i];
    tokenLine = line;
    tokenLineStart = lineStart;
    const start = i;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\u00a0") {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      push("comment", start, text.slice(start + 2, i).replace(/\r$/, ""));
    } else if ((c === "#" || c === "&") && atLineStart(i)) {
      while (i < text.length && text[i] !== "\n") i++;
      push(c === "#" ? "preproc" : "directive", start, text.slice(start + 1, i).trim());
    } else if (c === '"') {
      // A string runs to its closing quote; "" is a quote inside it; a line break continues it on a line that
      // starts with | (whitespace and comments before the | allowed, as the platform reads them).
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new BslSyntaxError("unterminated string", tokenLine);
        const ch = text[i];
        if (ch === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === "\n") {
          // Skip to the | that continues the string: blank lines and comment lines may stand between.
          value += "\n";
          for (;;) {
            i++;
            line++;
            lineStart = i;
            while (text[i] === " " || text[i] === "\t" || text[i] === "\r") i++;
            if (text[i] === "|") break;
            if (text[i] === "/" && text[i + 1] === "/") while (i < text.length && text[i] !== "\n") i++;
            if (text[i] !== "\n") throw new BslSyntaxError("a string continued on a line that does not start with |", line);
          }
          i++;
          continue;
        }
        if (ch !== "\r") value += ch;
        i++;
      }
      push("string", start, value);
    } else if (c === "'") {
      i++;
      while (i < text.length && text[i] !== "'" && text[i] !== "\n") i++;
      if (text[i] !== "'") throw new BslSyntaxError("unterminated date literal", tokenLine);
      i++;
      push("date", start, text.slice(start + 1, i - 1));
    } else if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9.]/.test(text[i])) i++;
      push("number", start, text.slice(start, i));
    } else if (LETTER.test(c)) {
      while (i < text.length && WORD.test(text[i])) i++;
      const word = text.slice(start, i);
      const lower = word.toLowerCase();
      if (KEYWORDS.has(lower)) push("keyword", start, KEYWORDS.get(lower));
      else push("ident", start, lower);
    } else if (c === "<" && (text[i + 1] === ">" || text[i + 1] === "=")) {
      i += 2;
      push("op", start, text.slice(start, i));
    } else if (c === ">" && text[i + 1] === "=") {
      i += 2;
      push("op", start, ">=");
    } else if ("+-*/%=<>()[].,;?~:".includes(c)) {
      i++;
      push("op", start, c);
    } else {
      throw new BslSyntaxError(`unexpected character ${JSON.stringify(c)}`, line);
    }
  }
  return tokens;
}

const NO_CONDITIONS = Object.freeze([]);

export class BslSyntaxError extends Error {
  constructor(message, line) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

/**
 * @typedef {{ name: string, byVal: boolean, optional: boolean }} Parameter
 * @typedef {{ name: string, kind: "procedure" | "function", params: Parameter[], exported: boolean, async: boolean,
 *   directives: string[], doc: string[], line: number, endLine: number, body: Token[], region: string[],
 *   pp: PpCondition[] }} Method
 * @typedef {{ expr: string, negate: boolean }} PpCondition  one #Если branch condition (negated for a later branch)
 * @typedef {{ name: string, exported: boolean, directives: string[], line: number }} ModuleVariable
 * @typedef {{ methods: Method[], variables: ModuleVariable[], tokens: Token[], statements: Token[] }} ModuleOutline
 */

/**
 * The module's methods and variables. `doc` is the block of comment lines right above a method (its directive
 * lines aside); `body` holds the method's tokens without comments; `region` the #Область names it sits in.
 * `statements` are the tokens outside any method (the module's main program), comments excluded.
 * @returns {ModuleOutline}
 */
export function parseModule(source) {
  const tokens = tokenize(source);
  const methods = [];
  const variables = [];
  const statements = [];
  const regions = [];
  let pendingDirectives = [];
  let k = 0;
  // #Если / #ИначеЕсли / #Иначе / #КонецЕсли: every token gets `pp`, the conditions under which it is compiled
  // (see compiledIn); tokens outside any #Если share one empty list.
  const ppStack = [];
  let ppActive = NO_CONDITIONS;
  const ppRecompute = () => {
    ppActive = ppStack.length ? Object.freeze(ppStack.flatMap((f) => f.active)) : NO_CONDITIONS;
  };
  for (const t of tokens) {
    if (t.type === "preproc") {
      const m = t.value.match(/^(если|if|иначеесли|elsif)\s+(.*?)\s+(тогда|then)\s*$/i);
      const word = t.value.toLowerCase().split(/\s+/)[0];
      if (m && (word === "если" || word === "if")) ppStack.push({ seen: [m[2]], active: [{ expr: m[2], negate: false }] });
      else if (m && ppStack.length) {
        const f = ppStack[ppStack.length - 1];
        f.active = [...f.seen.map((e) => ({ expr: e, negate: true })), { expr: m[2], negate: false }];
        f.seen.push(m[2]);
      } else if ((word === "иначе" || word === "else") && ppStack.length) {
        const f = ppStack[ppStack.length - 1];
        f.active = f.seen.map((e) => ({ expr: e, negate: true }));
      } else if ((word === "конецесли" || word === "endif") && ppStack.length) ppStack.pop();
      ppRecompute();
    }
    t.pp = ppActive;
  }
  const docAbove = (line, pos) => {
    const doc = [];
    let expected = line - 1;
    for (let j = pos - 1; j >= 0; j--) {
      const t = tokens[j];
      if (t.type === "directive" && t.line === expected) {
        expected--;
        continue;
      }
      if (t.type !== "comment" || t.line !== expected) break;
      doc.unshift(t.value);
      expected--;
    }
    return doc;
  };
  while (k < tokens.length) {
    const t = tokens[k];
    if (t.type === "preproc") {
      const m = t.value.match(/^(область|region)\s+(\S+)/i);
      if (m) regions.push(m[2]);
      else if (/^(конецобласти|endregion)(?![\p{L}\p{N}_])/iu.test(t.value)) regions.pop();
      k++;
      continue;
    }
    if (t.type === "directive") {
      pendingDirectives.push(t.value);
      k++;
      continue;
    }
    if (t.type === "comment") {
      k++;
      continue;
    }
    const isAsync = t.type === "keyword" && t.value === "async";
    const head = isAsync ? tokens[k + 1] : t;
    if (head?.type === "keyword" && (head.value === "procedure" || head.value === "function")) {
      const startIndex = k;
      k += isAsync ? 2 : 1;
      const nameToken = tokens[k++];
      if (nameToken?.type !== "ident") throw new BslSyntaxError("a method without a name", head.line);
      if (tokens[k]?.text !== "(") throw new BslSyntaxError(`${nameToken.text}: no parameter list`, head.line);
      k++;
      const params = [];
      while (tokens[k] && tokens[k].text !== ")") {
        let byVal = false;
        if (tokens[k].type === "keyword" && tokens[k].value === "val") {
          byVal = true;
          k++;
        }
        const p = tokens[k++];
        if (p?.type !== "ident") throw new BslSyntaxError(`${nameToken.text}: bad parameter list`, head.line);
        let optional = false;
        if (tokens[k]?.text === "=") {
          optional = true;
          k++;
          // A default value: a literal, possibly negative.
          if (tokens[k]?.text === "-") k++;
          k++;
        }
        params.push({ name: p.text, byVal, optional });
        if (tokens[k]?.text === ",") k++;
      }
      if (!tokens[k]) throw new BslSyntaxError(`${nameToken.text}: unterminated parameter list`, head.line);
      k++;
      let exported = false;
      if (tokens[k]?.type === "keyword" && tokens[k].value === "export") {
        exported = true;
        k++;
      }
      const end = head.value === "procedure" ? "endprocedure" : "endfunction";
      const body = [];
      while (k < tokens.length && !(tokens[k].type === "keyword" && tokens[k].value === end)) {
        if (tokens[k].type === "keyword" && (tokens[k].value === "procedure" || tokens[k].value === "function")) {
          throw new BslSyntaxError(`${nameToken.text}: ${tokens[k].text} before ${end === "endprocedure" ? "КонецПроцедуры" : "КонецФункции"}`, tokens[k].line);
        }
        if (tokens[k].type !== "comment") body.push(tokens[k]);
        k++;
      }
      if (k >= tokens.length) throw new BslSyntaxError(`${nameToken.text}: no ${end === "endprocedure" ? "КонецПроцедуры" : "КонецФункции"}`, head.line);
      methods.push({
        name: nameToken.text,
        kind: head.value,
        params,
        exported,
        async: isAsync,
        directives: pendingDirectives,
        doc: docAbove(tokens[firstDirectiveIndex(tokens, startIndex)].line, firstDirectiveIndex(tokens, startIndex)),
        line: head.line,
        endLine: tokens[k].line,
        body,
        region: [...regions],
        pp: head.pp,
      });
      pendingDirectives = [];
      k++;
      continue;
    }
    if (t.type === "keyword" && t.value === "var" && methods.length === 0) {
      k++;
      while (tokens[k] && tokens[k].text !== ";") {
        if (tokens[k].type === "ident") {
          const exported = tokens[k + 1]?.type === "keyword" && tokens[k + 1].value === "export";
          variables.push({ name: tokens[k].text, exported, directives: pendingDirectives, line: tokens[k].line });
          if (exported) k++;
        }
        k++;
      }
      pendingDirectives = [];
      k++;
      continue;
    }
    statements.push(t);
    k++;
  }
  return { methods, variables, tokens, statements };
}

function firstDirectiveIndex(tokens, index) {
  let j = index;
  while (j > 0 && tokens[j - 1].type === "directive") j--;
  return j;
}

/** The compilation directive of a form method (&НаКлиенте …), canonical: "client", "server", … or "" if none. */
export function directiveOf(method) {
  for (const d of method.directives) {
    const key = d.toLowerCase().replace(/\s+/g, "");
    if (DIRECTIVES[key]) return DIRECTIVES[key];
  }
  return "";
}

const DIRECTIVES = {
  наклиенте: "client",
  atclient: "client",
  насервере: "server",
  atserver: "server",
  насерверебезконтекста: "server-no-context",
  atservernocontext: "server-no-context",
  наклиентенасерверебезконтекста: "client-server-no-context",
  atclientatservernocontext: "client-server-no-context",
  наклиентенасервере: "client-server",
  atclientatserver: "client-server",
};

/**
 * Calls and member accesses of a body: `A.B(…)` → { object: "a", member: "B", call: true, args: n }, and
 * `F(…)` → { object: "", member: "F", call: true, args: n }. Argument counts are at the call's top level
 * (an empty argument list counts 0; `F(, x)` counts 2).
 */
export function references(body) {
  const refs = [];
  for (let j = 0; j < body.length; j++) {
    const t = body[j];
    if (t.type !== "ident" && !(t.type === "keyword" && t.value === "new")) continue;
    const prev = body[j - 1];
    const afterDot = prev?.text === ".";
    if (t.type === "keyword") continue;
    const object = afterDot && body[j - 2]?.type === "ident" && body[j - 3]?.text !== "." ? body[j - 2].text : afterDot ? null : "";
    if (object === null) continue;
    const isNew = !afterDot && prev?.type === "keyword" && prev.value === "new";
    const call = body[j + 1]?.text === "(";
    refs.push({ object, member: t.text, call, args: call ? countArgs(body, j + 1) : 0, line: t.line, isNew, index: j });
  }
  return refs;
}

function countArgs(body, open) {
  let depth = 0;
  let count = 0;
  let any = false;
  for (let j = open; j < body.length; j++) {
    const x = body[j].text;
    if (x === "(" || x === "[") {
      depth++;
      if (depth === 1) continue;
    } else if (x === ")" || x === "]") {
      depth--;
      if (depth === 0) return any || count > 0 ? count + 1 : 0;
    } else if (x === "," && depth === 1) {
      count++;
      continue;
    }
    if (depth >= 1) any = true;
  }
  return count + 1;
}

/**
 * Whether code under the preprocessor conditions `pp` (a token's `pp`) is compiled in `env`: "thin", "web",
 * "thick" (client applications), "server", "ext" (external connection). Unknown instruction names and the mobile
 * ones count as false. Throws on an expression it cannot read.
 */
export function compiledIn(pp, env) {
  return pp.every(({ expr, negate }) => evalCondition(expr, env) !== negate);
}

const PP_SYMBOLS = {
  сервер: ["server"],
  server: ["server"],
  насервере: ["server"],
  atserver: ["server"],
  клиент: ["thin", "web", "thick"],
  client: ["thin", "web", "thick"],
  наклиенте: ["thin", "web", "thick"],
  atclient: ["thin", "web", "thick"],
  тонкийклиент: ["thin"],
  thinclient: ["thin"],
  вебклиент: ["web"],
  webclient: ["web"],
  толстыйклиентобычноеприложение: ["thick"],
  thickclientordinaryapplication: ["thick"],
  толстыйклиентуправляемоеприложение: ["thick"],
  thickclientmanagedapplication: ["thick"],
  внешнеесоединение: ["ext"],
  externalconnection: ["ext"],
};

function evalCondition(expr, env) {
  const words = expr.match(/[\p{L}_][\p{L}\p{N}_]*|[()]/gu) ?? [];
  let i = 0;
  const or = () => {
    let v = and();
    while (/^(или|or)$/i.test(words[i] ?? "")) {
      i++;
      v = and() || v;
    }
    return v;
  };
  const and = () => {
    let v = not();
    while (/^(и|and)$/i.test(words[i] ?? "")) {
      i++;
      v = not() && v;
    }
    return v;
  };
  const not = () => {
    if (/^(не|not)$/i.test(words[i] ?? "")) {
      i++;
      return !not();
    }
    if (words[i] === "(") {
      i++;
      const v = or();
      if (words[i++] !== ")") throw new Error(`preprocessor condition "${expr}": no closing parenthesis`);
      return v;
    }
    const w = words[i++];
    if (w === undefined) throw new Error(`preprocessor condition "${expr}" ends too early`);
    return (PP_SYMBOLS[w.toLowerCase()] ?? []).includes(env);
  };
  const v = or();
  if (i !== words.length) throw new Error(`preprocessor condition "${expr}": unexpected "${words[i]}"`);
  return v;
}

const STATEMENT_OPENERS = new Set(["then", "else", "do", "try", "except"]);
const STATEMENT_CLOSERS = new Set(["endif", "enddo", "endtry", "else", "elsif", "except"]);

/** Whether body[j] starts a statement (first token, after `;`, after Тогда/Иначе/Цикл/Попытка/Исключение or a label). */
export function statementStart(body, j) {
  const prev = body[j - 1];
  if (!prev) return true;
  if (prev.text === ";") return true;
  if (prev.type === "keyword" && STATEMENT_OPENERS.has(prev.value)) return true;
  return prev.text === ":" && body[j - 3]?.text === "~";
}

/** Whether body[j] (just after an expression) ends a statement: `;`, the body's end, or КонецЕсли/Иначе/… */
export function statementEnd(body, j) {
  const t = body[j];
  return !t || t.text === ";" || (t.type === "keyword" && STATEMENT_CLOSERS.has(t.value));
}

/** Index of the `)` (or `]`) that closes the bracket at body[open]; body.length when unbalanced. */
export function closingBracket(body, open) {
  let depth = 0;
  for (let j = open; j < body.length; j++) {
    const x = body[j].text;
    if (x === "(" || x === "[") depth++;
    else if ((x === ")" || x === "]") && --depth === 0) return j;
  }
  return body.length;
}

/**
 * The names a method declares for itself, lower case: its parameters, `Перем` inside it, the targets of
 * assignments (`X = …` at a statement's start) and the variables of `Для X = …` / `Для Каждого X Из …`.
 * The platform's compiler declares a local variable by its first assignment anywhere in the method.
 */
export function localNames(method) {
  const names = new Set(method.params.map((p) => p.name.toLowerCase()));
  const b = method.body;
  for (let j = 0; j < b.length; j++) {
    const t = b[j];
    if (t.type === "keyword" && t.value === "var") {
      for (j++; j < b.length && b[j].text !== ";"; j++) if (b[j].type === "ident") names.add(b[j].value);
    } else if (t.type === "keyword" && t.value === "for") {
      const v = b[j + 1]?.type === "keyword" && b[j + 1].value === "each" ? b[j + 2] : b[j + 1];
      if (v?.type === "ident") names.add(v.value);
    } else if (t.type === "ident" && b[j + 1]?.text === "=" && statementStart(b, j)) names.add(t.value);
  }
  return names;
}

/** The `Возврат` statements of a body that return a value: [{ line }]. */
export function valueReturns(body) {
  const out = [];
  for (let j = 0; j < body.length; j++) {
    if (body[j].type === "keyword" && body[j].value === "return" && !statementEnd(body, j + 1)) out.push({ line: body[j].line });
  }
  return out;
}

/**
 * The top-level arguments of the call whose `(` is body[open]: each as its tokens (an empty argument is []).
 */
export function callArguments(body, open) {
  const close = closingBracket(body, open);
  const args = [];
  let current = [];
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const x = body[j].text;
    if (x === "(" || x === "[") depth++;
    else if (x === ")" || x === "]") depth--;
    if (x === "," && depth === 0) {
      args.push(current);
      current = [];
    } else current.push(body[j]);
  }
  if (close > open + 1) args.push(current);
  return args;
}

/**
 * @typedef {{ kind: "call" | "notify" | "idle", module: string, name: string, line: number, index: number }} CallSite
 * `module` is the text before the dot ("" for an unqualified call; for "notify", the module argument), `name` the
 * method's name as written (for "notify"/"idle", the handler's name from the string), `index` the name token's
 * position in the body (for "notify"/"idle", the `Новый`'s or the method's).
 */

/**
 * The calls a method's body makes, as a call graph needs them: `F(…)` and `М.Ф(…)` (a call of a method of a value
 * deeper than one dot — `А.Б.Ф(…)` — is not one: no module has it); `Новый ОписаниеОповещения("Ф", М, …)` — the
 * handler the platform will call, as "notify"; `ПодключитьОбработчикОжидания("Ф", …)` — as "idle" (besides the
 * call of the platform's method itself). A method named in any other string (`ФоновыеЗадания.Выполнить("М.Ф")`) is
 * not a call: the string runs in another session.
 * @returns {CallSite[]}
 */
export function callSites(method) {
  const body = method.body;
  const sites = [];
  for (let j = 0; j < body.length; j++) {
    const t = body[j];
    if (t.type !== "ident") continue;
    const prev = body[j - 1];
    if (prev?.text === "." || prev?.text === "~") continue;
    if (prev?.type === "keyword" && prev.value === "new") {
      if ((t.value === "описаниеоповещения" || t.value === "notifydescription") && body[j + 1]?.text === "(") {
        const [name, module] = callArguments(body, j + 1);
        if (name?.length === 1 && name[0].type === "string" && module?.length === 1 && module[0].type === "ident") {
          sites.push({ kind: "notify", module: module[0].text, name: name[0].value, line: name[0].line, index: j - 1 });
        }
      }
      continue;
    }
    if (body[j + 1]?.text === "(") {
      sites.push({ kind: "call", module: "", name: t.text, line: t.line, index: j });
      if (t.value === "подключитьобработчикожидания" || t.value === "attachidlehandler") {
        const [name] = callArguments(body, j + 1);
        if (name?.length === 1 && name[0].type === "string") sites.push({ kind: "idle", module: "", name: name[0].value, line: name[0].line, index: j });
      }
    } else if (body[j + 1]?.text === "." && body[j + 2]?.type === "ident" && body[j + 3]?.text === "(") {
      sites.push({ kind: "call", module: t.text, name: body[j + 2].text, line: body[j + 2].line, index: j + 2 });
    }
  }
  return sites;
}

/**
 * A call graph over modules. `modules` are { id, outline } (id: any unique string); `resolve(module, method, site)`
 * returns the key of the method a call site reaches (see nodeKey) or null (a platform method, a method of a value).
 * @returns {{ nodes: Map<string, { key: string, module: object, method: object }>,
 *   edges: Map<string, { to: string, site: CallSite }[]>, callers: Map<string, { from: string, site: CallSite }[]> }}
 */
export function callGraph(modules, resolve) {
  const nodes = new Map();
  for (const module of modules) {
    for (const method of module.outline?.methods ?? []) {
      const key = nodeKey(module.id, method.name);
      if (!nodes.has(key)) nodes.set(key, { key, module, method });
    }
  }
  const edges = new Map();
  const callers = new Map([...nodes.keys()].map((k) => [k, []]));
  for (const node of nodes.values()) {
    const out = [];
    for (const site of callSites(node.method)) {
      const to = resolve(node.module, node.method, site);
      if (!to || !nodes.has(to)) continue;
      out.push({ to, site });
      callers.get(to).push({ from: node.key, site });
    }
    edges.set(node.key, out);
  }
  return { nodes, edges, callers };
}

/** The key of a method in a callGraph: module id and the method's name in lower case. */
export const nodeKey = (moduleId, methodName) => `${moduleId}\u0000${methodName.toLowerCase()}`;

/**
 * The shortest path in a callGraph from `start` to a node `isSink` accepts, following only the edges `follow`
 * accepts (`follow(edge, fromKey)`). Returns [{ key, site }] — each node with the call site that led to it (null
 * for the start) — or null when no sink is reached.
 */
export function findPath(graph, start, isSink, follow = () => true) {
  const via = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const key = queue.shift();
    if (isSink(key)) {
      const path = [];
      for (let k = key; k !== undefined; k = via.get(k)?.from) path.unshift({ key: k, site: via.get(k)?.site ?? null });
      return path;
    }
    for (const edge of graph.edges.get(key) ?? []) {
      if (via.has(edge.to) || !follow(edge, key)) continue;
      via.set(edge.to, { from: key, site: edge.site });
      queue.push(edge.to);
    }
  }
  return null;
}

/** The string a function returns when its whole body is `Возврат "…";` (an event name, a kind of secret), else null. */
export function returnedLiteral(method) {
  const b = method.body;
  if (method.kind !== "function" || b.length < 2 || b.length > 3) return null;
  if (b[0].type !== "keyword" || b[0].value !== "return" || b[1].type !== "string") return null;
  if (b.length === 3 && b[2].text !== ";") return null;
  return b[1].value;
}

/**
 * The conditions body[j] is under: for each `Если` block around it, the conditions of its branches up to the one
 * holding body[j] (in an `ИначеЕсли` or `Иначе` branch the earlier conditions decided too). Outermost first; each
 * condition is its tokens between `Если`/`ИначеЕсли` and `Тогда`.
 * @returns {Token[][]}
 */
export function enclosingConditions(body, j) {
  const stack = [];
  for (let k = 0; k < j; k++) {
    const t = body[k];
    if (t.type !== "keyword") continue;
    if (t.value === "if" || t.value === "elsif") {
      let end = k + 1;
      while (end < body.length && !(body[end].type === "keyword" && body[end].value === "then")) end++;
      const condition = body.slice(k + 1, end);
      if (t.value === "if") stack.push([condition]);
      else stack[stack.length - 1]?.push(condition);
      k = end;
    } else if (t.value === "endif") stack.pop();
  }
  return stack.flat();
}
