// Self-tests of the BSL reader (lib/bsl.mjs): run by the compile check (tools/run-checks.mjs compile) and on their
// own with `node tools/lib/bsl.test.mjs`. Each returns nothing or throws; bslSelfTest() collects the failures.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  BslSyntaxError,
  callArguments,
  callGraph,
  callSites,
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
  tokenize,
  valueReturns,
} from "./bsl.mjs";

const tests = {
  "strings: doubled quotes, |-continued lines with a comment between": () => {
    const t = tokenize('А = "a ""b""\n  // comment\n  |c";').filter((x) => x.type === "string");
    assert.equal(t.length, 1);
    assert.equal(t[0].value, 'a "b"\nc');
  },
  "a comment or a string never yields identifiers": () => {
    const idents = tokenize('// ЭтотОбъект\nА = "ЭтотОбъект";')
      .filter((x) => x.type === "ident")
      .map((x) => x.value);
    assert.deepEqual(idents, ["а"]);
  },
  "keywords in both languages, identifiers in lower case": () => {
    const t = tokenize("Если ЭтотОбъект Then КонецЕсли; Новый Запрос");
    assert.deepEqual(
      t.map((x) => x.value),
      ["if", "этотобъект", "then", "endif", ";", "new", "запрос"],
    );
  },
  "an unterminated string is a syntax error with its line": () => {
    assert.throws(
      () => tokenize('А = 1;\nБ = "abc'),
      (e) => e instanceof BslSyntaxError && e.line === 2,
    );
  },
  "methods: kind, parameters with Знач and defaults, export, directives, doc, region": () => {
    const { methods } = parseModule(`#Область Служебные
// Делает.
&НаСервере
Функция Ф(Знач А, Б = -1, В = "x") Экспорт
  Возврат А;
КонецФункции
#КонецОбласти`);
    assert.equal(methods.length, 1);
    const [m] = methods;
    assert.equal(m.kind, "function");
    assert.deepEqual(
      m.params.map((p) => [p.name, p.byVal, p.optional]),
      [
        ["А", true, false],
        ["Б", false, true],
        ["В", false, true],
      ],
    );
    assert.equal(m.exported, true);
    assert.equal(directiveOf(m), "server");
    assert.deepEqual(m.doc, [" Делает."]);
    assert.deepEqual(m.region, ["Служебные"]);
  },
  "directives: all five, both languages": () => {
    const src = ["&НаКлиенте", "&AtServer", "&НаСервереБезКонтекста", "&НаКлиентеНаСервереБезКонтекста", "&AtClientAtServer"]
      .map((d, i) => `${d}\nПроцедура П${i}()\nКонецПроцедуры`)
      .join("\n");
    assert.deepEqual(parseModule(src).methods.map(directiveOf), ["client", "server", "server-no-context", "client-server-no-context", "client-server"]);
  },
  "module variables with Экспорт and directives": () => {
    const { variables } = parseModule("&НаКлиенте\nПерем А Экспорт, Б;\nПроцедура П()\nКонецПроцедуры");
    assert.deepEqual(
      variables.map((v) => [v.name, v.exported, v.directives[0]]),
      [
        ["А", true, "НаКлиенте"],
        ["Б", false, "НаКлиенте"],
      ],
    );
  },
  "a method without its end is a syntax error": () => {
    assert.throws(() => parseModule("Процедура П()\n  А = 1;\n"), BslSyntaxError);
    assert.throws(() => parseModule("Процедура П()\nФункция Ф()\nКонецФункции"), BslSyntaxError);
  },
  "references: calls with argument counts, member accesses, Новый": () => {
    const [m] = parseModule('Процедура П()\n  М.Ф(1, Г(2, 3));\n  Х = Новый Структура("А", 1);\n  Н(, 2);\n  Н();\nКонецПроцедуры').methods;
    const refs = references(m.body).map((r) => `${r.object}|${r.member}|${r.call}|${r.args}|${r.isNew}`);
    assert.deepEqual(refs, [
      "|М|false|0|false",
      "М|Ф|true|2|false",
      "|Г|true|2|false",
      "|Х|false|0|false",
      "|Структура|true|2|true",
      "|Н|true|2|false",
      "|Н|true|0|false",
    ]);
  },
  "callArguments: top-level arguments, empty ones kept": () => {
    const body = tokenize('Ф(, А(1, 2), "x")');
    const args = callArguments(body, 1);
    assert.equal(args.length, 3);
    assert.deepEqual(args[0], []);
    assert.equal(args[2][0].value, "x");
    assert.equal(callArguments(tokenize("Ф()"), 1).length, 0);
  },
  "localNames: parameters, assignments at a statement's start, loop variables, Перем": () => {
    const [m] = parseModule(`Процедура П(Пар)
  Перем Л;
  А = 1;
  Если Б = 2 Тогда В = 3; КонецЕсли;
  Для Каждого Г Из А Цикл КонецЦикла;
  Для Д = 1 По 2 Цикл КонецЦикла;
КонецПроцедуры`).methods;
    assert.deepEqual([...localNames(m)].sort(), ["а", "в", "г", "д", "л", "пар"]);
  },
  "statementStart / statementEnd": () => {
    const body = tokenize("Если А Тогда Ф(); КонецЕсли; Х = Г()");
    const f = body.findIndex((t) => t.value === "ф");
    const g = body.findIndex((t) => t.value === "г");
    assert.equal(statementStart(body, f), true);
    assert.equal(statementEnd(body, f + 3), true);
    assert.equal(statementStart(body, g), false);
    assert.equal(statementEnd(body, g + 3), true);
  },
  "valueReturns: Возврат with a value, not a bare one": () => {
    const [m] = parseModule("Процедура П()\n  Если 1 Тогда Возврат; КонецЕсли;\n  Возврат 5;\nКонецПроцедуры").methods;
    assert.deepEqual(
      valueReturns(m.body).map((r) => r.line),
      [3],
    );
  },
  "preprocessor: #Если / #ИначеЕсли / #Иначе conditions per token": () => {
    const { methods } = parseModule(`#Если Сервер Или ВнешнееСоединение Тогда
Процедура А()
КонецПроцедуры
#ИначеЕсли ТонкийКлиент Тогда
Процедура Б()
КонецПроцедуры
#Иначе
Процедура В()
КонецПроцедуры
#КонецЕсли
Процедура Г()
КонецПроцедуры`);
    const at = (name) => ["thin", "web", "server", "thick", "ext"].filter((e) => compiledIn(methods.find((x) => x.name === name).pp, e));
    assert.deepEqual(at("А"), ["server", "ext"]);
    assert.deepEqual(at("Б"), ["thin"]);
    assert.deepEqual(at("В"), ["web", "thick"]);
    assert.deepEqual(at("Г"), ["thin", "web", "server", "thick", "ext"]);
  },
  "preprocessor: НЕ, И and parentheses": () => {
    const { tokens } = parseModule("#Если НЕ (Клиент И ВебКлиент) Тогда\nА = 1;\n#КонецЕсли");
    const a = tokens.find((t) => t.value === "а");
    assert.deepEqual(
      ["thin", "web", "server", "thick", "ext"].filter((e) => compiledIn(a.pp, e)),
      ["thin", "server", "thick", "ext"],
    );
  },
  "callSites: calls, module calls, ОписаниеОповещения and idle handlers; a method in a string is not a call": () => {
    const [m] = parseModule(`Процедура П()
  Ф(1);
  М.Г(Х.Д.Е());
  О = Новый ОписаниеОповещения("Обработчик", М, 1);
  ПодключитьОбработчикОжидания("Таймер", 1);
  ФоновыеЗадания.Выполнить("М.ВФоне", Параметры);
КонецПроцедуры`).methods;
    const sites = callSites(m).map((s) => `${s.kind}|${s.module}|${s.name}|${s.line}`);
    assert.deepEqual(sites, [
      "call||Ф|2",
      "call|М|Г|3",
      "notify|М|Обработчик|4",
      "call||ПодключитьОбработчикОжидания|5",
      "idle||Таймер|5",
      "call|ФоновыеЗадания|Выполнить|6",
    ]);
  },
  "callGraph and findPath: edges by resolve, the shortest path to a sink, only through followed edges": () => {
    const client = { id: "К", outline: parseModule("Процедура А() Экспорт\n  С.Б();\n  В();\nКонецПроцедуры\nПроцедура В()\n  С.Мост();\nКонецПроцедуры") };
    const server = {
      id: "С",
      outline: parseModule("Процедура Б() Экспорт\n  Г();\nКонецПроцедуры\nПроцедура Г()\n  Мост();\nКонецПроцедуры\nПроцедура Мост() Экспорт\nКонецПроцедуры"),
    };
    const modules = { к: client, с: server };
    const graph = callGraph([client, server], (module, method, site) =>
      site.module ? nodeKey(modules[site.module.toLowerCase()].id, site.name) : nodeKey(module.id, site.name),
    );
    assert.deepEqual(
      graph.edges.get(nodeKey("К", "А")).map((e) => [e.to, e.site.line]),
      [
        [nodeKey("С", "Б"), 2],
        [nodeKey("К", "В"), 3],
      ],
    );
    assert.deepEqual(
      graph.callers.get(nodeKey("С", "Мост")).map((c) => c.from),
      [nodeKey("К", "В"), nodeKey("С", "Г")],
    );
    const sink = (key) => key === nodeKey("С", "Мост");
    // А → В → С.Мост is shorter than А → С.Б → Г → Мост.
    assert.deepEqual(
      findPath(graph, nodeKey("К", "А"), sink).map((p) => [p.key, p.site?.line ?? null]),
      [
        [nodeKey("К", "А"), null],
        [nodeKey("К", "В"), 3],
        [nodeKey("С", "Мост"), 6],
      ],
    );
    // Following only calls into module С: А → С.Б → С.Г → С.Мост.
    const path = findPath(graph, nodeKey("К", "А"), sink, (edge) => edge.to.startsWith("С"));
    assert.deepEqual(
      path.map((p) => p.key),
      ["А", "Б", "Г", "Мост"].map((n, i) => nodeKey(i ? "С" : "К", n)),
    );
    assert.equal(
      findPath(graph, nodeKey("С", "Б"), (key) => key === nodeKey("К", "А")),
      null,
    );
  },
  "returnedLiteral: a function that only returns a string": () => {
    const methods = parseModule(
      'Функция А()\n  Возврат "Событие.Имя";\nКонецФункции\nФункция Б()\n  Возврат "x" + "y";\nКонецФункции\nПроцедура В()\nКонецПроцедуры',
    ).methods;
    assert.deepEqual(methods.map(returnedLiteral), ["Событие.Имя", null, null]);
  },
  "enclosingConditions: the conditions of the branches around a token, earlier branches included": () => {
    const [m] = parseModule(`Процедура П(Отказ)
  Если А Тогда
    Х = 1;
  ИначеЕсли Б Тогда
    Если В Тогда КонецЕсли;
    Отказ = Истина;
  Иначе
    У = 2;
  КонецЕсли;
  Я = 3;
КонецПроцедуры`).methods;
    const at = (name) =>
      enclosingConditions(
        m.body,
        m.body.findIndex((t) => t.value === name),
      ).map((c) => c.map((t) => t.text).join(" "));
    assert.deepEqual(at("х"), ["А"]);
    assert.deepEqual(at("отказ"), ["А", "Б"]);
    assert.deepEqual(at("у"), ["А", "Б"]);
    assert.deepEqual(at("я"), []);
  },
};

/** @returns {string[]} the failed self-tests with their messages (empty when all pass). */
export function bslSelfTest() {
  const failures = [];
  for (const [name, fn] of Object.entries(tests)) {
    try {
      fn();
    } catch (e) {
      failures.push(`tools/lib/bsl.mjs self-test "${name}": ${String(e.message).split("\n").slice(0, 6).join(" ")}`);
    }
  }
  return failures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const failures = bslSelfTest();
  for (const f of failures) console.log(`FAIL ${f}`);
  const total = Object.keys(tests).length;
  console.log(`${total - failures.length} passed, ${failures.length} failed`);
  process.exit(failures.length ? 1 : 0);
}
