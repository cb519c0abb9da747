#!/usr/bin/env node
// All checks of onec/ in one command (npm test in this folder): each check on the real dump, then on a broken copy
// of it, which the check must reject. Prints one line per test and a closing "N passed, N failed[, N skipped]".
// Without a JDK 21+ or Maven the Java checks are skipped with the reason, except under CI=true, where they fail.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkBslLs } from "./checks/bsl-ls.mjs";
import { checkMdclasses } from "./checks/mdclasses.mjs";
import { checkXml } from "./checks/xml.mjs";
import { ToolUnavailable } from "./lib/tools.mjs";

const onec = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);

function tsx() {
  for (let dir = onec; dir !== dirname(dir); dir = dirname(dir)) {
    const bin = join(dir, "node_modules", ".bin", "tsx");
    if (existsSync(bin)) return bin;
  }
  throw new ToolUnavailable("tsx is not installed (npm install at the repository root)");
}

function checkContract(src, openapi) {
  try {
    execFileSync(tsx(), [join(onec, "tools", "checks", "contract.ts"), src, ...(openapi ? ["--openapi", openapi] : [])], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return [];
  } catch (e) {
    if (e instanceof ToolUnavailable) throw e;
    return String(e.stdout || e.stderr || e.message)
      .trim()
      .split("\n");
  }
}

const file = (dir, rel) => join(dir, "src", "cf", rel);
const edit = (dir, rel, fn) => writeFileSync(file(dir, rel), fn(readFileSync(file(dir, rel), "utf8")));
const CONTRACT = "CommonModules/СредаКонтрактМостаСервер/Ext/Module.bsl";

const checks = [
  {
    name: "xml",
    run: (dir) => checkXml(join(dir, "src")),
    breaks: {
      "a uuid used twice": (dir) =>
        edit(dir, "Catalogs/ОперацииСред.xml", (t) =>
          t.replace(/<Catalog uuid="[^"]+"/, `<Catalog uuid="${readFileSync(file(dir, "Catalogs/Клиенты.xml"), "utf8").match(/<Catalog uuid="([^"]+)"/)[1]}"`),
        ),
      "a declared form's Form.xml deleted": (dir) => rmSync(file(dir, "Catalogs/Клиенты/Forms/ФормаЭлемента/Ext/Form.xml")),
      "an undeclared module file": (dir) => writeFileSync(file(dir, "CommonModules/Лишний.bsl"), "\ufeff"),
      "another format version in one file": (dir) => edit(dir, "Enums/ФазыСреды.xml", (t) => t.replace('version="2.16"', 'version="2.20"')),
      "a form handler renamed in the module only": (dir) =>
        edit(dir, "Catalogs/Клиенты/Forms/ФормаЭлемента/Ext/Form/Module.bsl", (t) => t.replace("Процедура ПослеЗаписи(", "Процедура ПослеЗаписиКлиента(")),
      "a file without BOM": (dir) => edit(dir, "Languages/Русский.xml", (t) => t.replace(/^\ufeff/, "")),
      "a scheduled job pointing at a missing procedure": (dir) =>
        edit(dir, "ScheduledJobs/ОбновлениеХодаРазвертываний.xml", (t) => t.replace(".ОбновитьНезавершенныеОперации<", ".ОбновитьВсеОперации<")),
      "a field property after its ExtendedTooltip": (dir) =>
        edit(dir, "Catalogs/КластерыKubernetes/Forms/ФормаЭлемента/Ext/Form.xml", (t) => {
          const next = t.replace(/(\t*<PasswordMode>true<\/PasswordMode>\r\n)([\s\S]*?)(\t*<ExtendedTooltip [^>]*\/>\r\n)/, "$2$3$1");
          if (next === t) throw new Error("the sample PasswordMode is gone");
          return next;
        }),
    },
  },
  {
    name: "element-order",
    // Only child elements the platform writes, in its order (tables learned from real dumps: tools/form-schema.json,
    // tools/metadata-schema.json). Imported in place, so that this entry is one self-contained block of the file.
    ...((m) => ({
      run: (dir) => m.checkElementOrder(join(dir, "src")),
      expect: {
        "<DefaultItem> moved after <DataPath> in a Table": /Table\[[^\]]*\]: <DefaultItem> after <DataPath>/,
        "an InputField's <EditMode> moved after its <ClearButton>": /InputField\[[^\]]*\]: <EditMode> after <ClearButton>/,
        "an element the platform does not write in a form item (<TitleColor> in an InputField)":
          /<TitleColor> is not an element the platform writes inside <InputField>/,
        "a catalog's <Hierarchical> moved after <CodeLength> in its Properties": /Catalog\[[^\]]*\]\/Properties: <Hierarchical> after/,
        "a dynamic list's <ManualQuery> moved after <MainTable>": /Settings: <ManualQuery> after/,
      },
      breaks: {
        "<DefaultItem> moved after <DataPath> in a Table": (dir) => m.breakOrder(join(dir, "src"), "Table", "DefaultItem", "DataPath"),
        "an InputField's <EditMode> moved after its <ClearButton>": (dir) => m.breakOrder(join(dir, "src"), "InputField", "EditMode", "ClearButton"),
        "an element the platform does not write in a form item (<TitleColor> in an InputField)": (dir) =>
          m.breakInsert(join(dir, "src"), "InputField", "<TitleColor>style:ButtonTextColor</TitleColor>"),
        "a catalog's <Hierarchical> moved after <CodeLength> in its Properties": (dir) =>
          m.breakOrder(join(dir, "src"), "Properties", "Hierarchical", "CodeLength", (f) => /[\\/]Catalogs[\\/][^\\/]+\.xml$/.test(f)),
        "a dynamic list's <ManualQuery> moved after <MainTable>": (dir) => m.breakOrder(join(dir, "src"), "Settings", "ManualQuery", "MainTable"),
      },
    }))(await import("./checks/element-order.mjs")),
  },
  {
    name: "format-version",
    // Imported in place, so that this entry is one self-contained block of the file.
    run: (
      (check) => (dir) =>
        check(join(dir, "src"))
    )((await import("./checks/format-version.mjs")).checkFormatVersion),
    // What each broken copy must be rejected for.
    expect: {
      "a LineNumberLength added to a tabular section (format 2.20)": /TabularSection\[.*LineNumberLength.* appeared in format 2\.20/,
      "a TypeReductionMode added to a register dimension (format 2.18)": /Dimension\[.*TypeReductionMode.* appeared in format 2\.18/,
      "an unknown element (a misspelled FullTextSearh)": /FullTextSearh.* is not in format-versions\.json/,
      "a privileged module flagged for external connection": /privileged common module СредаСекретыПолныеПрава has ExternalConnection=true/,
      "CompatibilityMode newer than the format (Version8_3_24 in a 2.16 dump)": /CompatibilityMode Version8_3_24 needs platform 8\.3\.24, newer than 8\.3\.23/,
      "a mobile functionality of format 2.18 (TextToSpeech)": /value TextToSpeech .* appeared in format 2\.18/,
      "a form property first seen in format 2.21 (InputField AutoEditMode)": /InputField\[.*AutoEditMode.* appeared in format 2\.21/,
    },
    breaks: (() => {
      // Inserts a line into the first match of `within` = (head)(indent)(tail): after head, indented one level deeper
      // than tail (before an object's </Properties>) or as deep as the next line (tail empty).
      const insert = (rel, within, line) => (dir) =>
        edit(dir, rel, (t) => {
          const next = t.replace(within, (m, head, indent, tail) => `${head}${indent}${line}\r\n${indent}${tail}`);
          if (next === t) throw new Error(`${rel}: nothing to insert ${line} into`);
          return next;
        });
      const properties = (tag) => new RegExp(`(<${tag} uuid="[^"]+">[\\s\\S]*?<Properties>\\r\\n[\\s\\S]*?\\r\\n)(\\t*)(<\\/Properties>)`);
      const replace = (rel, from, to) => (dir) =>
        edit(dir, rel, (t) => {
          const next = t.replace(from, to);
          if (next === t) throw new Error(`${rel}: ${from} not found`);
          return next;
        });
      return {
        "a LineNumberLength added to a tabular section (format 2.20)": insert(
          "Catalogs/ОперацииСред.xml",
          properties("TabularSection"),
          "\t<LineNumberLength>5</LineNumberLength>",
        ),
        "a TypeReductionMode added to a register dimension (format 2.18)": insert(
          "InformationRegisters/СредыКлиентов.xml",
          properties("Dimension"),
          "\t<TypeReductionMode>TransformValues</TypeReductionMode>",
        ),
        "an unknown element (a misspelled FullTextSearh)": insert(
          "Catalogs/КластерыKubernetes.xml",
          properties("Catalog"),
          "\t<FullTextSearh>Use</FullTextSearh>",
        ),
        "a privileged module flagged for external connection": replace(
          "CommonModules/СредаСекретыПолныеПрава.xml",
          "<ExternalConnection>false<",
          "<ExternalConnection>true<",
        ),
        "CompatibilityMode newer than the format (Version8_3_24 in a 2.16 dump)": replace(
          "Configuration.xml",
          /<CompatibilityMode>[^<]*</,
          "<CompatibilityMode>Version8_3_24<",
        ),
        "a mobile functionality of format 2.18 (TextToSpeech)": replace(
          "Configuration.xml",
          "<app:functionality>DocumentScanning<",
          "<app:functionality>TextToSpeech<",
        ),
        "a form property first seen in format 2.21 (InputField AutoEditMode)": insert(
          "Catalogs/КластерыKubernetes/Forms/ФормаЭлемента/Ext/Form.xml",
          /(<InputField name="[^"]+" id="\d+">\r\n)(\t*)()/,
          "<AutoEditMode>Auto</AutoEditMode>",
        ),
      };
    })(),
  },
  {
    name: "contract",
    run: (dir) => checkContract(join(dir, "src"), existsSync(join(dir, "openapi.json")) ? join(dir, "openapi.json") : undefined),
    // What each broken copy must be rejected for (the generated module is stale in every "the bridge …" copy too).
    expect: {
      "the bridge renames a response field (Operation.stage → phase)": /ОперацияИзДанных: Операция\.stage - Operation has no field "stage"/,
      "the bridge drops a route (GET /v1/macros)": /ВыполнитьListMacros is not an exported function/,
      "the bridge renames a request field (EnvironmentSettings.publicDns → publicHost)": /Тело\.publicDns - EnvironmentSettings has no field "publicDns"/,
      "the bridge adds a required request field (EnvironmentSettings.region)": /НовыйEnvironmentSettings takes 3 arguments, given 2/,
      "the bridge adds an enum value (Operation.status: paused)": /maps no "paused"/,
      "the generated module edited by hand": /СредаСхемыМостаСервер\/Ext\/Module\.bsl: stale/,
      "a route literal outside the generated module": /СредаШаблоныСервер.*route literal "GET \/v1\/templates" outside/,
      "a response field misspelled in the BSL (finishedAt → finishedOn)": /no field "finishedOn"/,
      "a field of a route answering two schemas misspelled (dry run objects → objectz)":
        /ПроверитьУдаление: Ответ\.Данные\.objectz - none of DeprovisionPreview or OperationResponse has a field "objectz"/,
      "a phase value unknown to the bridge": /"Broken" is not a value of EnvironmentAssessment\.phase/,
      "a request object of another schema (client ↔ environment)": /argument 1 of СредаСхемыМостаСервер\.НовыйProvisioningRequest is EnvironmentSettings/,
    },
    breaks: (() => {
      // The bridge's document is written once (tsx + the bridge: about a second); each copy gets it, changed or not,
      // so that no copy imports the bridge again.
      let document;
      const bridge = (dir, change) => {
        const path = join(dir, "openapi.json");
        if (document === undefined) {
          execFileSync(tsx(), [join(onec, "tools", "checks", "contract.ts"), "--write-openapi", path]);
          document = readFileSync(path, "utf8");
        }
        const doc = JSON.parse(document);
        change(doc.components.schemas, doc);
        writeFileSync(path, JSON.stringify(doc));
      };
      const renameField = (schema, from, to) => {
        schema.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k === from ? to : k, v]));
        if (schema.required) schema.required = schema.required.map((r) => (r === from ? to : r));
      };
      const CONTRACT_MODULE = "CommonModules/СредаКонтрактМостаСервер/Ext/Module.bsl";
      const bsl = (dir, rel, fn) => {
        bridge(dir, () => {});
        edit(dir, rel, (t) => {
          const next = fn(t);
          if (next === t) throw new Error(`the sample text in ${rel} is gone`);
          return next;
        });
      };
      return {
        "the bridge renames a response field (Operation.stage → phase)": (dir) => bridge(dir, (s) => renameField(s.Operation, "stage", "phase")),
        "the bridge drops a route (GET /v1/macros)": (dir) => bridge(dir, (s, doc) => delete doc.paths["/v1/macros"]),
        "the bridge renames a request field (EnvironmentSettings.publicDns → publicHost)": (dir) =>
          bridge(dir, (s) => renameField(s.EnvironmentSettings, "publicDns", "publicHost")),
        "the bridge adds a required request field (EnvironmentSettings.region)": (dir) =>
          bridge(dir, (s) => {
            s.EnvironmentSettings.properties.region = { type: "string", minLength: 1 };
            s.EnvironmentSettings.required.push("region");
          }),
        "the bridge adds an enum value (Operation.status: paused)": (dir) => bridge(dir, (s) => s.Operation.properties.status.enum.push("paused")),
        "the generated module edited by hand": (dir) =>
          bsl(dir, "CommonModules/СредаСхемыМостаСервер/Ext/Module.bsl", (t) =>
            t.replace('Тело.Вставить("organizationName"', 'Тело.Вставить("organisationName"'),
          ),
        "a route literal outside the generated module": (dir) =>
          bsl(dir, "CommonModules/СредаШаблоныСервер/Ext/Module.bsl", (t) =>
            t.replace("СредаКонтрактМостаСервер.ПолучитьШаблоны()", 'СредаМостСервер.ВыполнитьЗапрос("GET /v1/templates")'),
          ),
        "a response field misspelled in the BSL (finishedAt → finishedOn)": (dir) =>
          bsl(dir, CONTRACT_MODULE, (t) => t.replace("Операция.finishedAt", "Операция.finishedOn")),
        "a field of a route answering two schemas misspelled (dry run objects → objectz)": (dir) =>
          bsl(dir, CONTRACT_MODULE, (t) => t.replace("Ответ.Данные.objects", "Ответ.Данные.objectz")),
        "a phase value unknown to the bridge": (dir) => bsl(dir, CONTRACT_MODULE, (t) => t.replace('"Degraded"', '"Broken"')),
        "a request object of another schema (client ↔ environment)": (dir) =>
          bsl(dir, CONTRACT_MODULE, (t) =>
            t.replace(
              "НовыйProvisioningRequest(ТелоКлиента(Данные.Клиент), ТелоСреды(Данные.Среда)",
              "НовыйProvisioningRequest(ТелоСреды(Данные.Среда), ТелоКлиента(Данные.Клиент)",
            ),
          ),
      };
    })(),
  },
  {
    name: "mdclasses",
    java: true,
    expect: {
      "a catalog's XML cut short": /Catalog\.Клиенты/,
      "a form's Form.xml emptied": /CommonForm\.ХодРазвертывания/,
      "a module moved away from its object": /Потерянный/,
      "a role's Rights.xml cut short": /Role\.ОператорСреды/,
    },
    run: (dir) => checkMdclasses(join(dir, "src")),
    breaks: {
      "a role's Rights.xml cut short": (dir) => edit(dir, "Roles/ОператорСреды/Ext/Rights.xml", (t) => t.slice(0, t.indexOf("</object>") + "</object>".length)),
      "a catalog's XML cut short": (dir) => edit(dir, "Catalogs/Клиенты.xml", (t) => t.slice(0, Math.floor(t.length / 2))),
      "a form's Form.xml emptied": (dir) => edit(dir, "CommonForms/ХодРазвертывания/Ext/Form.xml", (t) => t.replace(/<ChildItems>[\s\S]*<\/Attributes>/, "")),
      "a module moved away from its object": (dir) => cpSync(file(dir, CONTRACT), file(dir, "CommonModules/Потерянный/Ext/Module.bsl")),
    },
  },
  {
    name: "bsl-ls",
    java: true,
    expect: { "a syntax error (КонецФункции removed)": /СредаКлиентыКлиентСервер.*Error/ },
    run: (dir) => checkBslLs(dir),
    breaks: {
      "a syntax error (КонецФункции removed)": (dir) =>
        edit(dir, "CommonModules/СредаКлиентыКлиентСервер/Ext/Module.bsl", (t) => t.replace("КонецФункции", "")),
    },
  },
  {
    // The platform's compiler, without a platform: context, calls and names the BSL LS does not check
    // (tools/checks/compile.mjs, its table tools/platform-context.json), plus the BSL reader's self-tests.
    name: "compile",
    run: ((checkCompile, bslSelfTest) => (dir) => [...bslSelfTest(), ...checkCompile(join(dir, "src"))])(
      (await import("./checks/compile.mjs")).checkCompile,
      (await import("./lib/bsl.test.mjs")).bslSelfTest,
    ),
    expect: {
      "ЭтотОбъект in a common module": /this-object/,
      "Объект.Ссылка read in a method the OnReadAtServer handler calls": /object-in-on-read.*ПроверкаЧтения/,
      "a client-only method (ПоказатьПредупреждение) in a server common module": /platform-context: ПоказатьПредупреждение/,
      "a server-only type (Новый Запрос) in a &НаКлиенте form method": /platform-context: Новый Запрос/,
      "a server-only method (ЗаписьЖурналаРегистрации) in a client common module": /platform-context: ЗаписьЖурналаРегистрации/,
      "a call to a method the common module lacks": /common-module-call: common module СредаРазвертываниеВызовСервера has no method НетТакогоМетода/,
      "a call to a common module's method without Экспорт": /common-module-call: .*ПроверкаНеЭкспортная is not exported/,
      "too many arguments for a common module's function": /arity: СредаКлиентыКлиентСервер\.ПроверкаАрности takes 2/,
      "too few arguments for the module's own procedure": /arity: ПроверкаДвухПараметров needs 2/,
      "a client module calling a server module without ServerCall": /common-module-context: .*СредаМостСервер\.ПроверкаСервернойПроцедуры/,
      "a common form's procedure named like a form method (Закрыть)": /context-method-name: Закрыть is a method of the form itself/,
      "an object form's command handler named Записать": /context-method-name: Записать is a method of the form's extension/,
      "a common form's command handler named Записать (the settings form's old defect)":
        /context-method-name: Записать is a method of the form extension for objects/,
      "a &НаСервере form method calling a &НаКлиенте one": /context: ПроверкаСервер .* calls ПроверкаКлиент/,
      "a &НаСервереБезКонтекста method reading the form's Объект": /no-context: ПроверкаБезКонтекста/,
      "Возврат with a value in a procedure": /return-value-in-procedure: ПроверкаВозврата/,
      "a procedure used as a function": /procedure-as-function: ПроверкаПроцедуры/,
      "an unknown global identifier": /unknown-identifier: НетТакойФункции/,
      "two methods of the same name": /duplicate-method: ПроверкаДубля/,
      "an idle handler the form module lacks": /idle-handler: .*НетТакогоОбработчика/,
      "ОписаниеОповещения naming a handler the common module lacks": /notify-handler: .*НетТакогоОбработчика/,
      "a catalog the configuration does not declare": /metadata-reference: Справочники\.НетТакогоСправочника/,
      "a client method waiting for the bridge through a server call (СредаКонтрактМостаСервер.ПолучитьМакросы)":
        /client-waits-for-bridge: ПроверкаМакросовНаКлиенте .*→ СредаШаблоныВызовСервера\.ПроверкаМакросов → СредаКонтрактМостаСервер\.ПолучитьМакросы → .*СредаМостСервер\.ВыполнитьЗапрос/,
      "an object read and written back without a lock": /unlocked-write: ПроверкаЗаписи reads Объект \(Операция\.ПолучитьОбъект\(\)/,
      "Оповестить with an event no form's ОбработкаОповещения compares": /notify-without-receiver: ПроверкаСобытия: Оповестить\("НикемНеПринятое"\)/,
      "a common form that cancels without its parameter put in a subsystem (ХодРазвертывания)":
        /CommonForms\/ХодРазвертывания\/.*form-opened-empty: CommonForm\.ХодРазвертывания is in the Content of subsystem СредыКлиентов/,
    },
    breaks: (() => {
      // Each break appends code to a module of the copy (the modules change; appended code does not depend on them).
      const append = (dir, rel, text) => edit(dir, rel, (t) => `${t}\r\n${text.replace(/\r?\n/g, "\r\n")}\r\n`);
      const CLIENT_MODULE = "CommonModules/СредаРазвертываниеКлиент/Ext/Module.bsl";
      const SERVER_MODULE = "CommonModules/СредаМостСервер/Ext/Module.bsl";
      const CLIENT_SERVER_MODULE = "CommonModules/СредаКлиентыКлиентСервер/Ext/Module.bsl";
      const OBJECT_FORM = "Catalogs/Клиенты/Forms/ФормаЭлемента/Ext/Form/Module.bsl";
      const COMMON_FORM = "CommonForms/НастройкиСреды/Ext/Form/Module.bsl";
      return {
        "ЭтотОбъект in a common module": (dir) =>
          append(
            dir,
            CLIENT_MODULE,
            'Процедура ПроверкаЭтотОбъект() Экспорт\n\tОповещение = Новый ОписаниеОповещения("ПроверкаЭтотОбъект", ЭтотОбъект);\nКонецПроцедуры',
          ),
        "Объект.Ссылка read in a method the OnReadAtServer handler calls": (dir) => {
          edit(dir, OBJECT_FORM, (t) => {
            const next = t.replace(/(Процедура ПриЧтенииНаСервере\(ТекущийОбъект\)\r?\n)/, "$1\tПроверкаЧтения();\r\n");
            if (next === t) throw new Error("the form has no ПриЧтенииНаСервере(ТекущийОбъект) to break");
            return next;
          });
          append(dir, OBJECT_FORM, "&НаСервере\nПроцедура ПроверкаЧтения()\n\tСсылка = Объект.Ссылка;\nКонецПроцедуры");
        },
        "a client-only method (ПоказатьПредупреждение) in a server common module": (dir) =>
          append(dir, SERVER_MODULE, 'Процедура ПроверкаКонтекста() Экспорт\n\tПоказатьПредупреждение(, "Проверка");\nКонецПроцедуры'),
        "a server-only type (Новый Запрос) in a &НаКлиенте form method": (dir) =>
          append(dir, OBJECT_FORM, "&НаКлиенте\nПроцедура ПроверкаЗапроса()\n\tЗапрос = Новый Запрос;\nКонецПроцедуры"),
        "a server-only method (ЗаписьЖурналаРегистрации) in a client common module": (dir) =>
          append(dir, CLIENT_MODULE, 'Процедура ПроверкаЖурнала() Экспорт\n\tЗаписьЖурналаРегистрации("Проверка");\nКонецПроцедуры'),
        "a call to a method the common module lacks": (dir) =>
          append(dir, CLIENT_MODULE, "Процедура ПроверкаВызова() Экспорт\n\tСредаРазвертываниеВызовСервера.НетТакогоМетода();\nКонецПроцедуры"),
        "a call to a common module's method without Экспорт": (dir) => {
          append(dir, CLIENT_SERVER_MODULE, "Процедура ПроверкаНеЭкспортная()\nКонецПроцедуры");
          append(dir, CLIENT_MODULE, "Процедура ПроверкаВызоваНеЭкспортной() Экспорт\n\tСредаКлиентыКлиентСервер.ПроверкаНеЭкспортная();\nКонецПроцедуры");
        },
        "too many arguments for a common module's function": (dir) => {
          append(dir, CLIENT_SERVER_MODULE, "Функция ПроверкаАрности(А, Б = 1) Экспорт\n\tВозврат А;\nКонецФункции");
          append(dir, CLIENT_MODULE, "Процедура ПроверкаВызоваАрности() Экспорт\n\tХ = СредаКлиентыКлиентСервер.ПроверкаАрности(1, 2, 3);\nКонецПроцедуры");
        },
        "too few arguments for the module's own procedure": (dir) =>
          append(
            dir,
            SERVER_MODULE,
            "Процедура ПроверкаДвухПараметров(А, Б)\nКонецПроцедуры\nПроцедура ПроверкаВызоваСвоей() Экспорт\n\tПроверкаДвухПараметров(1);\nКонецПроцедуры",
          ),
        "a client module calling a server module without ServerCall": (dir) => {
          append(dir, SERVER_MODULE, "Процедура ПроверкаСервернойПроцедуры() Экспорт\nКонецПроцедуры");
          append(dir, CLIENT_MODULE, "Процедура ПроверкаСервера() Экспорт\n\tСредаМостСервер.ПроверкаСервернойПроцедуры();\nКонецПроцедуры");
        },
        "a common form's procedure named like a form method (Закрыть)": (dir) =>
          append(dir, COMMON_FORM, "&НаКлиенте\nПроцедура Закрыть(Команда)\nКонецПроцедуры"),
        "an object form's command handler named Записать": (dir) => append(dir, OBJECT_FORM, "&НаКлиенте\nПроцедура Записать(Команда)\nКонецПроцедуры"),
        "a common form's command handler named Записать (the settings form's old defect)": (dir) =>
          append(dir, COMMON_FORM, "&НаКлиенте\nПроцедура Записать(Команда)\nКонецПроцедуры"),
        "a &НаСервере form method calling a &НаКлиенте one": (dir) =>
          append(
            dir,
            OBJECT_FORM,
            "&НаКлиенте\nПроцедура ПроверкаКлиент()\nКонецПроцедуры\n&НаСервере\nПроцедура ПроверкаСервер()\n\tПроверкаКлиент();\nКонецПроцедуры",
          ),
        "a &НаСервереБезКонтекста method reading the form's Объект": (dir) =>
          append(dir, OBJECT_FORM, "&НаСервереБезКонтекста\nФункция ПроверкаБезКонтекста()\n\tВозврат Объект.Ссылка;\nКонецФункции"),
        "Возврат with a value in a procedure": (dir) => append(dir, SERVER_MODULE, "Процедура ПроверкаВозврата() Экспорт\n\tВозврат 1;\nКонецПроцедуры"),
        "a procedure used as a function": (dir) =>
          append(
            dir,
            SERVER_MODULE,
            "Процедура ПроверкаПроцедуры()\nКонецПроцедуры\nФункция ПроверкаФункции() Экспорт\n\tВозврат ПроверкаПроцедуры();\nКонецФункции",
          ),
        "an unknown global identifier": (dir) => append(dir, SERVER_MODULE, "Процедура ПроверкаИмени() Экспорт\n\tНетТакойФункции(1);\nКонецПроцедуры"),
        "two methods of the same name": (dir) =>
          append(dir, SERVER_MODULE, "Процедура ПроверкаДубля()\nКонецПроцедуры\nПроцедура ПроверкаДубля()\nКонецПроцедуры"),
        "an idle handler the form module lacks": (dir) =>
          append(
            dir,
            OBJECT_FORM,
            '&НаКлиенте\nПроцедура ПроверкаОжидания()\n\tПодключитьОбработчикОжидания("НетТакогоОбработчика", 1, Истина);\nКонецПроцедуры',
          ),
        "ОписаниеОповещения naming a handler the common module lacks": (dir) =>
          append(
            dir,
            CLIENT_MODULE,
            'Процедура ПроверкаОповещения() Экспорт\n\tОповещение = Новый ОписаниеОповещения("НетТакогоОбработчика", СредаРазвертываниеКлиент);\nКонецПроцедуры',
          ),
        "a catalog the configuration does not declare": (dir) =>
          append(dir, SERVER_MODULE, "Функция ПроверкаСправочника() Экспорт\n\tВозврат Справочники.НетТакогоСправочника.ПустаяСсылка();\nКонецФункции"),
        "a client method waiting for the bridge through a server call (СредаКонтрактМостаСервер.ПолучитьМакросы)": (dir) => {
          append(
            dir,
            "CommonModules/СредаШаблоныВызовСервера/Ext/Module.bsl",
            "Функция ПроверкаМакросов() Экспорт\n\tВозврат СредаКонтрактМостаСервер.ПолучитьМакросы();\nКонецФункции",
          );
          append(
            dir,
            "Catalogs/ШаблоныЗапросов/Forms/ФормаЭлемента/Ext/Form/Module.bsl",
            "&НаКлиенте\nПроцедура ПроверкаМакросовНаКлиенте()\n\tОтвет = СредаШаблоныВызовСервера.ПроверкаМакросов();\nКонецПроцедуры",
          );
        },
        "an object read and written back without a lock": (dir) =>
          append(
            dir,
            "CommonModules/СредаРазвертываниеСервер/Ext/Module.bsl",
            "Процедура ПроверкаЗаписи(Операция) Экспорт\n\tОбъект = Операция.ПолучитьОбъект();\n\tОбъект.Записать();\nКонецПроцедуры",
          ),
        "Оповестить with an event no form's ОбработкаОповещения compares": (dir) =>
          append(dir, CLIENT_MODULE, 'Процедура ПроверкаСобытия() Экспорт\n\tОповестить("НикемНеПринятое");\nКонецПроцедуры'),
        "a common form that cancels without its parameter put in a subsystem (ХодРазвертывания)": (dir) =>
          edit(dir, "Subsystems/СредыКлиентов.xml", (t) => {
            const item = '<xr:Item xsi:type="xr:MDObjectRef">Catalog.ОперацииСред</xr:Item>';
            if (!t.includes(item)) throw new Error("the subsystem no longer lists Catalog.ОперацииСред");
            return t.replace(item, `${item}\r\n\t\t\t\t<xr:Item xsi:type="xr:MDObjectRef">CommonForm.ХодРазвертывания</xr:Item>`);
          }),
      };
    })(),
  },
];

function copyOnec() {
  const dir = mkdtempSync(join(tmpdir(), "onec-broken-"));
  cpSync(join(onec, "src"), join(dir, "src"), { recursive: true });
  cpSync(join(onec, ".bsl-language-server.json"), join(dir, ".bsl-language-server.json"));
  return dir;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const ci = process.env.CI === "true";
for (const check of checks.filter((c) => !only.length || only.includes(c.name))) {
  const tests = [["the dump passes", null], ...Object.entries(check.breaks)];
  for (const [title, breakIt] of tests) {
    const label = `${check.name}: ${breakIt ? `rejects a broken copy — ${title}` : title}`;
    const started = Date.now();
    let dir = onec;
    try {
      if (breakIt) {
        dir = copyOnec();
        breakIt(dir);
      }
      const problems = check.run(dir);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const expected = breakIt && check.expect?.[title];
      const ok = breakIt ? problems.some((p) => !expected || expected.test(p)) : problems.length === 0;
      if (ok) {
        passed++;
        const shown = breakIt ? problems.find((p) => !expected || expected.test(p)) : "";
        console.log(`ok   ${label} (${seconds} s)${breakIt ? ` → ${shown}` : ""}`);
      } else {
        failed++;
        console.log(`FAIL ${label} (${seconds} s)`);
        for (const p of breakIt ? ["the check found nothing wrong"] : problems.slice(0, 50)) console.log(`       ${p}`);
      }
    } catch (e) {
      if (e instanceof ToolUnavailable && !ci) {
        skipped++;
        console.log(`skip ${label}: ${e.message}`);
      } else {
        failed++;
        console.log(`FAIL ${label}: ${e.stack ?? e}`);
      }
    } finally {
      if (dir !== onec) rmSync(dir, { recursive: true, force: true });
    }
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
