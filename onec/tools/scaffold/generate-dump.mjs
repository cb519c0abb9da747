#!/usr/bin/env node
// Writes the metadata XML of onec/src/cf (Designer dump, format 2.16) from the model below. It was run once to
// scaffold the dump; the committed files are the source (after the first load into the platform, a Designer dump
// replaces them). Re-running rewrites only XML — the BSL modules are hand-written and never touched.
//   node onec/tools/scaffold/generate-dump.mjs [outDir]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPATIBILITY_MODE, FORMAT_VERSION, T, esc, fieldObject, fileText, generatedTypes, mdDocument, ml, typeLines, uuidFor } from "./xml.mjs";
import { button, field, formXml, group, page, pages, table } from "./forms.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "../../src/cf"));
const templatesDir = resolve(here, "../../../packages/templates/templates");

const write = (rel, text) => {
  const path = join(out, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

const CONFIG = "Среда";
const attr = (name, title, type, opts = {}) => ({ name, title, type, ...opts });
const REF = {
  client: "CatalogRef.Клиенты",
  cluster: "CatalogRef.КластерыKubernetes",
  namespace: "CatalogRef.ПространстваИмен",
  dbServer: "CatalogRef.СерверыБазДанных",
  operation: "CatalogRef.ОперацииСред",
  template: "CatalogRef.ШаблоныЗапросов",
  phase: "EnumRef.ФазыСреды",
  opState: "EnumRef.СостоянияОпераций",
  opKind: "EnumRef.ВидыОперацийСреды",
};

// ---------------------------------------------------------------------------------------------------------------
// The model

const shippedTemplates = readdirSync(templatesDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(templatesDir, f), "utf8")))
  .sort((a, b) => a.order - b.order);
const PREDEFINED_TEMPLATE_NAMES = {
  "db-setup-secret": "СекретНастройкиБаз",
  "clickhouse-setup-job": "ЗаданиеСозданияБазыClickHouse",
  "postgres-setup-job": "ЗаданиеСозданияБазыPostgreSQL",
  "lms-config": "КонфигурацияLMS",
  "lms-secrets": "СекретыLMS",
  "rsa-secret": "СекретКлючаRSA",
  "lms-service": "СервисLMS",
  "lms-ingress": "ЗаписьIngressLMS",
  "lms-deployment": "РазвертываниеLMS",
  "pod-monitoring": "МониторингПодов",
};

const catalogs = [
  {
    name: "Клиенты",
    title: "Клиенты",
    objectTitle: "Клиент",
    code: { type: "String", length: 10, unique: true, autonumber: true },
    descriptionLength: 150,
    objectModule: true,
    attributes: [attr("Комментарий", "Комментарий", T.str(0), { multiLine: true })],
    tabularSections: [
      {
        name: "КонтактныеЛица",
        title: "Контактные лица",
        attributes: [
          attr("КлючСвязи", "Ключ связи", T.num(10)),
          attr("ФИО", "ФИО", T.str(200)),
          attr("Должность", "Должность", T.str(200)),
        ],
      },
      { name: "Телефоны", title: "Телефоны", attributes: [attr("КлючСвязи", "Ключ связи", T.num(10)), attr("Телефон", "Телефон", T.str(30))] },
      {
        name: "АдресаЭлектроннойПочты",
        title: "Адреса электронной почты",
        attributes: [attr("КлючСвязи", "Ключ связи", T.num(10)), attr("Адрес", "Адрес", T.str(254))],
      },
    ],
    forms: ["ФормаЭлемента"],
    defaultObjectForm: "ФормаЭлемента",
  },
  {
    name: "КластерыKubernetes",
    title: "Кластеры Kubernetes",
    objectTitle: "Кластер Kubernetes",
    descriptionLength: 100,
    objectModule: true,
    attributes: [
      attr("АдресAPI", "Корневой URL API", T.str(500), { required: true, tooltip: "Например, https://rancher.example.ru/k8s/clusters/c-m4hlh/" }),
      attr("СертификатCA", "Сертификат CA (PEM)", T.str(0), { multiLine: true }),
      attr("НеПроверятьСертификат", "Не проверять сертификат сервера", T.bool()),
      attr("Комментарий", "Комментарий", T.str(0), { multiLine: true }),
    ],
    forms: ["ФормаЭлемента"],
    defaultObjectForm: "ФормаЭлемента",
  },
  {
    name: "СерверыБазДанных",
    title: "Серверы баз данных",
    objectTitle: "Серверы баз данных",
    descriptionLength: 100,
    attributes: [
      attr("ХостPostgreSQL", "Хост PostgreSQL", T.str(253), { required: true }),
      attr("ПортPostgreSQL", "Порт PostgreSQL", T.num(5)),
      attr("АдминистраторPostgreSQL", "Администратор PostgreSQL", T.str(63)),
      attr("ХостClickHouse", "Хост ClickHouse", T.str(253), { required: true }),
      attr("ПортClickHouse", "Порт ClickHouse", T.num(5)),
      attr("АдминистраторClickHouse", "Администратор ClickHouse", T.str(63)),
    ],
    forms: ["ФормаЭлемента"],
    defaultObjectForm: "ФормаЭлемента",
  },
  {
    name: "ПространстваИмен",
    title: "Пространства имён Kubernetes",
    objectTitle: "Пространство имён",
    owners: ["Catalog.КластерыKubernetes"],
    descriptionLength: 63,
    objectModule: true,
    attributes: [
      attr("СерверБазДанных", "Серверы баз данных", T.ref(REF.dbServer), { required: true }),
      attr("ПубличноеDNS", "Публичное DNS-имя", T.str(253)),
      attr("ОбразDocker", "Docker-образ приложения", T.str(500)),
      attr("СерверNFS", "Сервер NFS", T.str(253)),
      attr("ПутьNFS", "Путь NFS", T.str(500)),
      attr("СекретРеестраОбразов", "Секрет доступа к реестру образов", T.str(253)),
      attr("СекретTLS", "Секрет TLS", T.str(253)),
      attr("КлассIngress", "Класс Ingress", T.str(253)),
      attr("Реплики", "Количество реплик", T.num(3)),
      attr("ЗапросCPU", "CPU: запрос", T.str(20)),
      attr("ЛимитCPU", "CPU: лимит", T.str(20)),
      attr("ЗапросПамяти", "Память: запрос", T.str(20)),
      attr("ЛимитПамяти", "Память: лимит", T.str(20)),
      attr("ВремяЖизниТокенаЧасов", "Время жизни токена, ч", T.num(4)),
      attr("ОтправительSMS", "Отправитель SMS", T.str(64)),
      attr("ВремяЖизниКодаSMSСекунд", "Время жизни кода SMS, с", T.num(5)),
    ],
    tabularSections: [
      {
        name: "ПеременныеОкружения",
        title: "Переменные окружения",
        attributes: [
          attr("Имя", "Имя", T.str(253)),
          attr("Значение", "Значение", T.str(0), { tooltip: "Значение секретной переменной хранится отдельно и здесь не показывается" }),
          attr("Секретная", "Секретная", T.bool()),
        ],
      },
    ],
    forms: ["ФормаЭлемента"],
    defaultObjectForm: "ФормаЭлемента",
  },
  {
    name: "ШаблоныЗапросов",
    title: "Шаблоны запросов",
    objectTitle: "Шаблон запроса",
    code: { type: "String", length: 63, unique: true, autonumber: false },
    descriptionLength: 150,
    objectModule: true,
    attributes: [
      attr("Порядок", "Порядок", T.num(5)),
      attr("Метод", "Метод", T.str(6), { required: true }),
      attr("Путь", "Путь", T.str(1000), { required: true }),
      attr("ВерсияAPI", "apiVersion", T.str(100), { required: true }),
      attr("Вид", "kind", T.str(100), { required: true }),
      attr("ИмяОбъекта", "Имя объекта", T.str(253)),
      attr("Зависимости", "Зависит от", T.str(1000), { tooltip: "Идентификаторы шаблонов через запятую" }),
      attr("Описание", "Описание", T.str(0), { multiLine: true }),
      attr("Тело", "Тело (JSON с макросами)", T.str(0), { multiLine: true }),
      attr("ИзмененПользователем", "Изменён вручную", T.bool()),
      attr("ДатаОбновления", "Обновлён из моста", T.dateTime()),
    ],
    predefined: shippedTemplates.map((t) => ({ name: PREDEFINED_TEMPLATE_NAMES[t.id], code: t.id, description: t.title })),
    forms: ["ФормаЭлемента", "ФормаСписка"],
    defaultObjectForm: "ФормаЭлемента",
    defaultListForm: "ФормаСписка",
  },
  {
    name: "ОперацииСред",
    title: "Операции со средами",
    objectTitle: "Операция со средой",
    code: { type: "Number", length: 9, unique: true, autonumber: true },
    descriptionLength: 150,
    attributes: [
      attr("Клиент", "Клиент", T.ref(REF.client), { index: true }),
      attr("ПространствоИмен", "Пространство имён", T.ref(REF.namespace), { index: true }),
      attr("ВидОперации", "Вид операции", T.ref(REF.opKind)),
      attr("Автор", "Автор", T.str(100)),
      attr("Начало", "Начало", T.dateTime()),
      attr("Окончание", "Окончание", T.dateTime()),
      attr("ИдентификаторОперации", "Идентификатор операции моста", T.str(100), { index: true }),
      attr("Состояние", "Состояние", T.ref(REF.opState)),
      attr("Этап", "Этап", T.str(50)),
      attr("Фаза", "Фаза среды", T.ref(REF.phase)),
      attr("СводкаСреды", "Состояние среды", T.str(0), { multiLine: true }),
      attr("КодОшибки", "Код ошибки", T.str(100)),
      attr("ТекстОшибки", "Причина сбоя", T.str(0), { multiLine: true }),
    ],
    tabularSections: [
      {
        name: "Шаги",
        title: "Шаги",
        attributes: [
          attr("Идентификатор", "Идентификатор", T.str(100)),
          attr("Заголовок", "Шаг", T.str(200)),
          attr("ВидОбъекта", "Вид объекта", T.str(100)),
          attr("ИмяОбъекта", "Объект", T.str(253)),
          attr("Состояние", "Состояние", T.str(20)),
          attr("Сообщение", "Сообщение", T.str(0)),
          attr("Причина", "Причина", T.str(200)),
          attr("Попытки", "Попыток", T.num(5)),
        ],
      },
      {
        name: "Журнал",
        title: "Журнал",
        attributes: [
          attr("Момент", "Момент", T.str(40)),
          attr("Тип", "Событие", T.str(50)),
          attr("ИдентификаторШага", "Шаг", T.str(100)),
          attr("Сообщение", "Сообщение", T.str(0)),
        ],
      },
      {
        name: "ЖурналШагов",
        title: "Строки журналов шагов",
        attributes: [attr("ИдентификаторШага", "Шаг", T.str(253)), attr("Строка", "Строка журнала", T.str(0))],
      },
      {
        name: "ПричиныСостояния",
        title: "Причины состояния среды",
        attributes: [
          attr("ВидОбъекта", "Вид объекта", T.str(100)),
          attr("ИмяОбъекта", "Объект", T.str(253)),
          attr("Фаза", "Фаза", T.str(20)),
          attr("Причина", "Причина", T.str(200)),
          attr("Сообщение", "Сообщение", T.str(0)),
        ],
      },
    ],
    forms: ["ФормаЭлемента"],
    defaultObjectForm: "ФормаЭлемента",
  },
];

const enums = [
  {
    name: "ФазыСреды",
    title: "Фазы среды",
    values: [
      ["Ожидание", "Ожидание (Pending)"],
      ["Развертывается", "Развёртывается (Progressing)"],
      ["Готова", "Готова (Ready)"],
      ["Нарушена", "Работает с нарушениями (Degraded)"],
      ["Сбой", "Сбой (Failed)"],
      ["Неизвестна", "Неизвестна"],
    ],
  },
  {
    name: "СостоянияОпераций",
    title: "Состояния операций",
    values: [
      ["ВОчереди", "В очереди"],
      ["Выполняется", "Выполняется"],
      ["Успешно", "Успешно"],
      ["Ошибка", "Ошибка"],
      ["Отменена", "Отменена"],
      ["Прервана", "Прервана"],
    ],
  },
  { name: "ВидыОперацийСреды", title: "Виды операций со средой", values: [["Развертывание", "Развёртывание"], ["ПроверкаСостояния", "Проверка состояния"]] },
];

const registers = [
  {
    name: "СекретыСреды",
    title: "Секреты среды",
    comment: "Только для привилегированного серверного кода (общий модуль СредаСекретыПолныеПрава); ни у одной роли нет прав",
    standardCommands: false,
    dimensions: [
      attr("Владелец", "Владелец", T.ref(REF.client, REF.cluster, REF.dbServer, REF.namespace), { secret: true }),
      attr("ВидСекрета", "Вид секрета", T.str(150), { secret: true }),
    ],
    resources: [attr("Значение", "Значение", T.str(0), { secret: true }), attr("ДатаИзменения", "Дата изменения", T.dateTime(), { secret: true })],
  },
  {
    name: "СредыКлиентов",
    title: "Среды клиентов",
    standardCommands: true,
    dimensions: [
      attr("Клиент", "Клиент", T.ref(REF.client), { denyIncomplete: true }),
      attr("ПространствоИмен", "Пространство имён", T.ref(REF.namespace), { denyIncomplete: true }),
    ],
    resources: [
      attr("Фаза", "Фаза", T.ref(REF.phase)),
      attr("Сводка", "Состояние", T.str(0)),
      attr("ДатаПроверки", "Проверено", T.dateTime()),
      attr("ПоследняяОперация", "Последняя операция", T.ref(REF.operation)),
      attr("ТекущаяОперацияМоста", "Выполняющаяся операция моста", T.str(100)),
    ],
    forms: ["ФормаСписка"],
    defaultListForm: "ФормаСписка",
  },
];

const constants = [
  attr("АдресМоста", "Адрес моста Среды", T.str(500)),
  attr("ТаймаутМостаСекунд", "Таймаут запросов к мосту, с", T.num(4)),
  attr("ИнтервалОбновленияХодаСекунд", "Интервал обновления хода развёртывания, с", T.num(3)),
];

const commonModules = [
  // name, flags (v8std #469 by the name's suffix): s = Server, c = ClientManagedApplication, o = ClientOrdinaryApplication,
  // e = ExternalConnection, x = ServerCall, p = Privileged
  ["СредаМостСервер", "seo", "HTTP-клиент моста Среды"],
  ["СредаКонтрактМостаСервер", "seo", "Запросы к мосту и разбор ответов (контракт API моста)"],
  ["СредаРазвертываниеСервер", "seo", "Сервис развёртывания сред клиентов"],
  ["СредаРазвертываниеВызовСервера", "sx", "Развёртывание и состояние сред: вызовы с клиента"],
  ["СредаРазвертываниеКлиент", "co", "Развёртывание сред: клиентская часть"],
  ["СредаСостояниеСредСервер", "seo", "Обновление состояния сред клиентов"],
  ["СредаШаблоныСервер", "seo", "Шаблоны запросов и макросы"],
  ["СредаШаблоныВызовСервера", "sx", "Шаблоны запросов: вызовы с клиента"],
  ["СредаНастройкиВызовСервера", "sx", "Настройки Среды и секреты: вызовы администратора"],
  ["СредаСекретыПолныеПрава", "speo", "Хранилище секретов (привилегированный)"],
  ["СредаИсторияПолныеПрава", "speo", "Журнал операций и состояние сред (привилегированный)"],
  ["СредаКлиентыКлиентСервер", "sceo", "Проверки данных клиентов"],
];

const commonForms = [
  { name: "ХодРазвертывания", title: "Ход развёртывания среды" },
  { name: "НастройкиСреды", title: "Настройки Среды" },
];

const roles = [
  { name: "АдминистраторСреды", title: "Администратор Среды" },
  { name: "ОператорСреды", title: "Оператор Среды" },
];

const subsystems = [
  {
    name: "СредыКлиентов",
    title: "Среды клиентов",
    content: ["Catalog.Клиенты", "InformationRegister.СредыКлиентов", "Catalog.ОперацииСред", "CommonForm.ХодРазвертывания"],
  },
  {
    name: "НастройкиСред",
    title: "Настройки сред",
    content: [
      "Catalog.КластерыKubernetes",
      "Catalog.ПространстваИмен",
      "Catalog.СерверыБазДанных",
      "Catalog.ШаблоныЗапросов",
      "CommonForm.НастройкиСреды",
      "Constant.АдресМоста",
      "Constant.ТаймаутМостаСекунд",
      "Constant.ИнтервалОбновленияХодаСекунд",
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Emitters

function catalogXml(c) {
  const key = `Catalog.${c.name}`;
  const code = c.code ?? { type: "String", length: 0, unique: false, autonumber: false };
  const lines = [
    `\t<Catalog uuid="${uuidFor(key)}">`,
    ...generatedTypes(
      [
        [`CatalogObject.${c.name}`, "Object", `${key}.Object`],
        [`CatalogRef.${c.name}`, "Ref", `${key}.Ref`],
        [`CatalogSelection.${c.name}`, "Selection", `${key}.Selection`],
        [`CatalogList.${c.name}`, "List", `${key}.List`],
        [`CatalogManager.${c.name}`, "Manager", `${key}.Manager`],
      ],
      2,
    ),
    "\t\t<Properties>",
    `\t\t\t<Name>${c.name}</Name>`,
    ...ml("Synonym", c.title, 3),
    "\t\t\t<Comment/>",
    "\t\t\t<Hierarchical>false</Hierarchical>",
    "\t\t\t<HierarchyType>HierarchyFoldersAndItems</HierarchyType>",
    "\t\t\t<LimitLevelCount>false</LimitLevelCount>",
    "\t\t\t<LevelCount>2</LevelCount>",
    "\t\t\t<FoldersOnTop>true</FoldersOnTop>",
    "\t\t\t<UseStandardCommands>true</UseStandardCommands>",
  ];
  if (c.owners?.length) lines.push("\t\t\t<Owners>", ...c.owners.map((o) => `\t\t\t\t<xr:Item xsi:type="xr:MDObjectRef">${o}</xr:Item>`), "\t\t\t</Owners>");
  else lines.push("\t\t\t<Owners/>");
  lines.push(
    "\t\t\t<SubordinationUse>ToItems</SubordinationUse>",
    `\t\t\t<CodeLength>${code.length}</CodeLength>`,
    `\t\t\t<DescriptionLength>${c.descriptionLength}</DescriptionLength>`,
    `\t\t\t<CodeType>${code.type}</CodeType>`,
    "\t\t\t<CodeAllowedLength>Variable</CodeAllowedLength>",
    "\t\t\t<CodeSeries>WholeCatalog</CodeSeries>",
    `\t\t\t<CheckUnique>${code.unique ? "true" : "false"}</CheckUnique>`,
    `\t\t\t<Autonumbering>${code.autonumber ? "true" : "false"}</Autonumbering>`,
    "\t\t\t<DefaultPresentation>AsDescription</DefaultPresentation>",
    "\t\t\t<Characteristics/>",
    "\t\t\t<PredefinedDataUpdate>Auto</PredefinedDataUpdate>",
    "\t\t\t<EditType>InDialog</EditType>",
    "\t\t\t<QuickChoice>false</QuickChoice>",
    "\t\t\t<ChoiceMode>BothWays</ChoiceMode>",
    "\t\t\t<InputByString>",
    `\t\t\t\t<xr:Field>${key}.StandardAttribute.Description</xr:Field>`,
  );
  if (code.length > 0) lines.push(`\t\t\t\t<xr:Field>${key}.StandardAttribute.Code</xr:Field>`);
  lines.push(
    "\t\t\t</InputByString>",
    "\t\t\t<SearchStringModeOnInputByString>Begin</SearchStringModeOnInputByString>",
    "\t\t\t<FullTextSearchOnInputByString>DontUse</FullTextSearchOnInputByString>",
    "\t\t\t<ChoiceDataGetModeOnInputByString>Directly</ChoiceDataGetModeOnInputByString>",
    c.defaultObjectForm ? `\t\t\t<DefaultObjectForm>${key}.Form.${c.defaultObjectForm}</DefaultObjectForm>` : "\t\t\t<DefaultObjectForm/>",
    "\t\t\t<DefaultFolderForm/>",
    c.defaultListForm ? `\t\t\t<DefaultListForm>${key}.Form.${c.defaultListForm}</DefaultListForm>` : "\t\t\t<DefaultListForm/>",
    "\t\t\t<DefaultChoiceForm/>",
    "\t\t\t<DefaultFolderChoiceForm/>",
    "\t\t\t<AuxiliaryObjectForm/>",
    "\t\t\t<AuxiliaryFolderForm/>",
    "\t\t\t<AuxiliaryListForm/>",
    "\t\t\t<AuxiliaryChoiceForm/>",
    "\t\t\t<AuxiliaryFolderChoiceForm/>",
    "\t\t\t<IncludeHelpInContents>false</IncludeHelpInContents>",
    "\t\t\t<BasedOn/>",
    "\t\t\t<DataLockFields/>",
    "\t\t\t<DataLockControlMode>Managed</DataLockControlMode>",
    "\t\t\t<FullTextSearch>Use</FullTextSearch>",
    ...ml("ObjectPresentation", c.objectTitle, 3),
    "\t\t\t<ExtendedObjectPresentation/>",
    ...ml("ListPresentation", c.title, 3),
    "\t\t\t<ExtendedListPresentation/>",
    "\t\t\t<Explanation/>",
    "\t\t\t<CreateOnInput>DontUse</CreateOnInput>",
    "\t\t\t<ChoiceHistoryOnInput>Auto</ChoiceHistoryOnInput>",
    "\t\t\t<DataHistory>DontUse</DataHistory>",
    "\t\t\t<UpdateDataHistoryImmediatelyAfterWrite>false</UpdateDataHistoryImmediatelyAfterWrite>",
    "\t\t\t<ExecuteAfterWriteDataHistoryVersionProcessing>false</ExecuteAfterWriteDataHistoryVersionProcessing>",
    "\t\t</Properties>",
    "\t\t<ChildObjects>",
  );
  for (const a of c.attributes ?? []) lines.push(...fieldObject("Attribute", "attribute", `${key}.Attribute.${a.name}`, a, 3));
  for (const ts of c.tabularSections ?? []) {
    const tsKey = `${key}.TabularSection.${ts.name}`;
    lines.push(
      `\t\t\t<TabularSection uuid="${uuidFor(tsKey)}">`,
      ...generatedTypes(
        [
          [`CatalogTabularSection.${c.name}.${ts.name}`, "TabularSection", `${tsKey}.TabularSection`],
          [`CatalogTabularSectionRow.${c.name}.${ts.name}`, "TabularSectionRow", `${tsKey}.Row`],
        ],
        4,
      ),
      "\t\t\t\t<Properties>",
      `\t\t\t\t\t<Name>${ts.name}</Name>`,
      ...ml("Synonym", ts.title, 5),
      "\t\t\t\t\t<Comment/>",
      "\t\t\t\t\t<ToolTip/>",
      "\t\t\t\t\t<FillChecking>DontCheck</FillChecking>",
      "\t\t\t\t\t<Use>ForItem</Use>",
      "\t\t\t\t\t<LineNumberLength>5</LineNumberLength>",
      "\t\t\t\t</Properties>",
      "\t\t\t\t<ChildObjects>",
      ...ts.attributes.flatMap((a) => fieldObject("Attribute", "tsAttribute", `${tsKey}.Attribute.${a.name}`, a, 5)),
      "\t\t\t\t</ChildObjects>",
      "\t\t\t</TabularSection>",
    );
  }
  for (const f of c.forms ?? []) lines.push(`\t\t\t<Form>${f}</Form>`);
  lines.push("\t\t</ChildObjects>", "\t</Catalog>");
  return mdDocument(lines.join("\r\n"));
}

function predefinedXml(c) {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<PredefinedData xmlns="http://v8.1c.ru/8.3/xcf/predef" xmlns:v8="http://v8.1c.ru/8.1/data/core" xmlns:xr="http://v8.1c.ru/8.3/xcf/readable" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CatalogPredefinedItems" version="${FORMAT_VERSION}">`,
  ];
  for (const p of c.predefined) {
    lines.push(
      `\t<Item id="${uuidFor(`Catalog.${c.name}.Predefined.${p.name}`)}">`,
      `\t\t<Name>${p.name}</Name>`,
      `\t\t<Code>${esc(p.code)}</Code>`,
      `\t\t<Description>${esc(p.description)}</Description>`,
      "\t\t<IsFolder>false</IsFolder>",
      "\t</Item>",
    );
  }
  lines.push("</PredefinedData>");
  return fileText(lines);
}

function formObjectXml(ownerKey, name, title) {
  return mdDocument(
    [
      `\t<Form uuid="${uuidFor(`${ownerKey}.Form.${name}`)}">`,
      "\t\t<Properties>",
      `\t\t\t<Name>${name}</Name>`,
      ...ml("Synonym", title, 3),
      "\t\t\t<Comment/>",
      "\t\t\t<FormType>Managed</FormType>",
      "\t\t\t<IncludeHelpInContents>false</IncludeHelpInContents>",
      "\t\t\t<UsePurposes>",
      '\t\t\t\t<v8:Value xsi:type="app:ApplicationUsePurpose">PlatformApplication</v8:Value>',
      "\t\t\t</UsePurposes>",
      "\t\t</Properties>",
      "\t</Form>",
    ].join("\r\n"),
  );
}

function enumXml(e) {
  const key = `Enum.${e.name}`;
  const lines = [
    `\t<Enum uuid="${uuidFor(key)}">`,
    ...generatedTypes(
      [
        [`EnumRef.${e.name}`, "Ref", `${key}.Ref`],
        [`EnumManager.${e.name}`, "Manager", `${key}.Manager`],
        [`EnumList.${e.name}`, "List", `${key}.List`],
      ],
      2,
    ),
    "\t\t<Properties>",
    `\t\t\t<Name>${e.name}</Name>`,
    ...ml("Synonym", e.title, 3),
    "\t\t\t<Comment/>",
    "\t\t\t<UseStandardCommands>false</UseStandardCommands>",
    "\t\t\t<Characteristics/>",
    "\t\t\t<QuickChoice>true</QuickChoice>",
    "\t\t\t<ChoiceMode>BothWays</ChoiceMode>",
    "\t\t\t<DefaultListForm/>",
    "\t\t\t<DefaultChoiceForm/>",
    "\t\t\t<AuxiliaryListForm/>",
    "\t\t\t<AuxiliaryChoiceForm/>",
    "\t\t\t<ListPresentation/>",
    "\t\t\t<ExtendedListPresentation/>",
    "\t\t\t<Explanation/>",
    "\t\t\t<ChoiceHistoryOnInput>Auto</ChoiceHistoryOnInput>",
    "\t\t</Properties>",
    "\t\t<ChildObjects>",
  ];
  for (const [name, title] of e.values) {
    lines.push(`\t\t\t<EnumValue uuid="${uuidFor(`${key}.EnumValue.${name}`)}">`, "\t\t\t\t<Properties>", `\t\t\t\t\t<Name>${name}</Name>`, ...ml("Synonym", title, 5), "\t\t\t\t\t<Comment/>", "\t\t\t\t</Properties>", "\t\t\t</EnumValue>");
  }
  lines.push("\t\t</ChildObjects>", "\t</Enum>");
  return mdDocument(lines.join("\r\n"));
}

function registerXml(r) {
  const key = `InformationRegister.${r.name}`;
  const lines = [
    `\t<InformationRegister uuid="${uuidFor(key)}">`,
    ...generatedTypes(
      [
        [`InformationRegisterRecord.${r.name}`, "Record", `${key}.Record`],
        [`InformationRegisterManager.${r.name}`, "Manager", `${key}.Manager`],
        [`InformationRegisterSelection.${r.name}`, "Selection", `${key}.Selection`],
        [`InformationRegisterList.${r.name}`, "List", `${key}.List`],
        [`InformationRegisterRecordSet.${r.name}`, "RecordSet", `${key}.RecordSet`],
        [`InformationRegisterRecordKey.${r.name}`, "RecordKey", `${key}.RecordKey`],
        [`InformationRegisterRecordManager.${r.name}`, "RecordManager", `${key}.RecordManager`],
      ],
      2,
    ),
    "\t\t<Properties>",
    `\t\t\t<Name>${r.name}</Name>`,
    ...ml("Synonym", r.title, 3),
    r.comment ? `\t\t\t<Comment>${esc(r.comment)}</Comment>` : "\t\t\t<Comment/>",
    `\t\t\t<UseStandardCommands>${r.standardCommands ? "true" : "false"}</UseStandardCommands>`,
    "\t\t\t<EditType>InDialog</EditType>",
    "\t\t\t<DefaultRecordForm/>",
    r.defaultListForm ? `\t\t\t<DefaultListForm>${key}.Form.${r.defaultListForm}</DefaultListForm>` : "\t\t\t<DefaultListForm/>",
    "\t\t\t<AuxiliaryRecordForm/>",
    "\t\t\t<AuxiliaryListForm/>",
    "\t\t\t<InformationRegisterPeriodicity>Nonperiodical</InformationRegisterPeriodicity>",
    "\t\t\t<WriteMode>Independent</WriteMode>",
    "\t\t\t<MainFilterOnPeriod>false</MainFilterOnPeriod>",
    "\t\t\t<IncludeHelpInContents>false</IncludeHelpInContents>",
    "\t\t\t<DataLockControlMode>Managed</DataLockControlMode>",
    "\t\t\t<FullTextSearch>DontUse</FullTextSearch>",
    "\t\t\t<EnableTotalsSliceFirst>false</EnableTotalsSliceFirst>",
    "\t\t\t<EnableTotalsSliceLast>false</EnableTotalsSliceLast>",
    "\t\t\t<RecordPresentation/>",
    "\t\t\t<ExtendedRecordPresentation/>",
    ...ml("ListPresentation", r.title, 3),
    "\t\t\t<ExtendedListPresentation/>",
    "\t\t\t<Explanation/>",
    "\t\t\t<DataHistory>DontUse</DataHistory>",
    "\t\t\t<UpdateDataHistoryImmediatelyAfterWrite>false</UpdateDataHistoryImmediatelyAfterWrite>",
    "\t\t\t<ExecuteAfterWriteDataHistoryVersionProcessing>false</ExecuteAfterWriteDataHistoryVersionProcessing>",
    "\t\t</Properties>",
    "\t\t<ChildObjects>",
  ];
  for (const a of r.resources) lines.push(...fieldObject("Resource", "resource", `${key}.Resource.${a.name}`, a, 3));
  for (const a of r.dimensions) lines.push(...fieldObject("Dimension", "dimension", `${key}.Dimension.${a.name}`, a, 3));
  for (const f of r.forms ?? []) lines.push(`\t\t\t<Form>${f}</Form>`);
  lines.push("\t\t</ChildObjects>", "\t</InformationRegister>");
  return mdDocument(lines.join("\r\n"));
}

function constantXml(c) {
  const key = `Constant.${c.name}`;
  return mdDocument(
    [
      `\t<Constant uuid="${uuidFor(key)}">`,
      ...generatedTypes(
        [
          [`ConstantManager.${c.name}`, "Manager", `${key}.Manager`],
          [`ConstantValueManager.${c.name}`, "ValueManager", `${key}.ValueManager`],
          [`ConstantValueKey.${c.name}`, "ValueKey", `${key}.ValueKey`],
        ],
        2,
      ),
      "\t\t<Properties>",
      `\t\t\t<Name>${c.name}</Name>`,
      ...ml("Synonym", c.title, 3),
      "\t\t\t<Comment/>",
      "\t\t\t<Type>",
      ...typeLines(c.type, 4),
      "\t\t\t</Type>",
      "\t\t\t<UseStandardCommands>true</UseStandardCommands>",
      "\t\t\t<DefaultForm/>",
      "\t\t\t<ExtendedPresentation/>",
      "\t\t\t<Explanation/>",
      "\t\t\t<PasswordMode>false</PasswordMode>",
      "\t\t\t<Format/>",
      "\t\t\t<EditFormat/>",
      "\t\t\t<ToolTip/>",
      "\t\t\t<MarkNegatives>false</MarkNegatives>",
      "\t\t\t<Mask/>",
      "\t\t\t<MultiLine>false</MultiLine>",
      "\t\t\t<ExtendedEdit>false</ExtendedEdit>",
      '\t\t\t<MinValue xsi:nil="true"/>',
      '\t\t\t<MaxValue xsi:nil="true"/>',
      "\t\t\t<FillChecking>DontCheck</FillChecking>",
      "\t\t\t<ChoiceFoldersAndItems>Items</ChoiceFoldersAndItems>",
      "\t\t\t<ChoiceParameterLinks/>",
      "\t\t\t<ChoiceParameters/>",
      "\t\t\t<QuickChoice>Auto</QuickChoice>",
      "\t\t\t<ChoiceForm/>",
      "\t\t\t<LinkByType/>",
      "\t\t\t<ChoiceHistoryOnInput>Auto</ChoiceHistoryOnInput>",
      "\t\t\t<DataLockControlMode>Managed</DataLockControlMode>",
      "\t\t\t<DataHistory>DontUse</DataHistory>",
      "\t\t\t<UpdateDataHistoryImmediatelyAfterWrite>false</UpdateDataHistoryImmediatelyAfterWrite>",
      "\t\t\t<ExecuteAfterWriteDataHistoryVersionProcessing>false</ExecuteAfterWriteDataHistoryVersionProcessing>",
      "\t\t</Properties>",
      "\t</Constant>",
    ].join("\r\n"),
  );
}

function commonModuleXml([name, flags, title]) {
  const b = (f) => (flags.includes(f) ? "true" : "false");
  return mdDocument(
    [
      `\t<CommonModule uuid="${uuidFor(`CommonModule.${name}`)}">`,
      "\t\t<Properties>",
      `\t\t\t<Name>${name}</Name>`,
      ...ml("Synonym", title, 3),
      "\t\t\t<Comment/>",
      "\t\t\t<Global>false</Global>",
      `\t\t\t<ClientManagedApplication>${b("c")}</ClientManagedApplication>`,
      `\t\t\t<Server>${b("s")}</Server>`,
      `\t\t\t<ExternalConnection>${b("e")}</ExternalConnection>`,
      `\t\t\t<ClientOrdinaryApplication>${b("o")}</ClientOrdinaryApplication>`,
      `\t\t\t<ServerCall>${b("x")}</ServerCall>`,
      `\t\t\t<Privileged>${b("p")}</Privileged>`,
      "\t\t\t<ReturnValuesReuse>DontUse</ReturnValuesReuse>",
      "\t\t</Properties>",
      "\t</CommonModule>",
    ].join("\r\n"),
  );
}

function commonFormXml(f) {
  return mdDocument(
    [
      `\t<CommonForm uuid="${uuidFor(`CommonForm.${f.name}`)}">`,
      "\t\t<Properties>",
      `\t\t\t<Name>${f.name}</Name>`,
      ...ml("Synonym", f.title, 3),
      "\t\t\t<Comment/>",
      "\t\t\t<FormType>Managed</FormType>",
      "\t\t\t<IncludeHelpInContents>false</IncludeHelpInContents>",
      "\t\t\t<UsePurposes>",
      '\t\t\t\t<v8:Value xsi:type="app:ApplicationUsePurpose">PlatformApplication</v8:Value>',
      "\t\t\t</UsePurposes>",
      "\t\t\t<UseStandardCommands>true</UseStandardCommands>",
      "\t\t\t<ExtendedPresentation/>",
      "\t\t\t<Explanation/>",
      "\t\t</Properties>",
      "\t</CommonForm>",
    ].join("\r\n"),
  );
}

function roleXml(r) {
  return mdDocument(
    [`\t<Role uuid="${uuidFor(`Role.${r.name}`)}">`, "\t\t<Properties>", `\t\t\t<Name>${r.name}</Name>`, ...ml("Synonym", r.title, 3), "\t\t\t<Comment/>", "\t\t</Properties>", "\t</Role>"].join("\r\n"),
  );
}

const RIGHTS = {
  catalogAll: ["Read", "Insert", "Update", "Delete", "View", "InteractiveInsert", "Edit", "InteractiveDelete", "InteractiveSetDeletionMark", "InteractiveClearDeletionMark", "InteractiveDeleteMarked", "InputByString", "InteractiveDeletePredefinedData", "InteractiveSetDeletionMarkPredefinedData", "InteractiveClearDeletionMarkPredefinedData", "InteractiveDeleteMarkedPredefinedData"],
  catalogEdit: ["Read", "Insert", "Update", "View", "InteractiveInsert", "Edit", "InteractiveSetDeletionMark", "InteractiveClearDeletionMark", "InputByString"],
  catalogRead: ["Read", "View", "InputByString"],
  registerAll: ["Read", "Update", "View", "Edit"],
  registerRead: ["Read", "View"],
  constantAll: ["Read", "Update", "View", "Edit"],
  constantRead: ["Read"],
  view: ["View"],
  configAdmin: ["Administration", "DataAdministration", "UpdateDataBaseConfiguration", "ExclusiveMode", "ActiveUsers", "EventLog", "ThinClient", "WebClient", "ThickClient", "ExternalConnection", "Automation", "AllFunctionsMode", "SaveUserData", "ConfigurationExtensionsAdministration", "InteractiveOpenExtDataProcessors", "InteractiveOpenExtReports", "Output"],
  configOperator: ["ThinClient", "WebClient", "SaveUserData", "Output"],
};

function rightsXml(objects) {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Rights xmlns="http://v8.1c.ru/8.2/roles" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Rights" version="${FORMAT_VERSION}">`,
    "\t<setForNewObjects>false</setForNewObjects>",
    "\t<setForAttributesByDefault>true</setForAttributesByDefault>",
    "\t<independentRightsOfChildObjects>false</independentRightsOfChildObjects>",
  ];
  for (const [name, rights] of objects) {
    lines.push("\t<object>", `\t\t<name>${name}</name>`);
    for (const r of rights) lines.push("\t\t<right>", `\t\t\t<name>${r}</name>`, "\t\t\t<value>true</value>", "\t\t</right>");
    lines.push("\t</object>");
  }
  lines.push("</Rights>");
  return fileText(lines);
}

// The secrets register is absent from both lists on purpose: only privileged server code touches it.
const adminRights = [
  [`Configuration.${CONFIG}`, RIGHTS.configAdmin],
  ...catalogs.map((c) => [`Catalog.${c.name}`, c.name === "ОперацииСред" ? ["Read", "View", "InputByString"] : RIGHTS.catalogAll]),
  ["InformationRegister.СредыКлиентов", RIGHTS.registerRead],
  ...constants.map((c) => [`Constant.${c.name}`, RIGHTS.constantAll]),
  ...commonForms.map((f) => [`CommonForm.${f.name}`, RIGHTS.view]),
  ...subsystems.map((s) => [`Subsystem.${s.name}`, RIGHTS.view]),
];
const operatorRights = [
  [`Configuration.${CONFIG}`, RIGHTS.configOperator],
  ["Catalog.Клиенты", RIGHTS.catalogEdit],
  ["Catalog.КластерыKubernetes", RIGHTS.catalogRead],
  ["Catalog.ПространстваИмен", RIGHTS.catalogRead],
  ["Catalog.СерверыБазДанных", RIGHTS.catalogRead],
  ["Catalog.ШаблоныЗапросов", RIGHTS.catalogRead],
  ["Catalog.ОперацииСред", RIGHTS.catalogRead],
  ["InformationRegister.СредыКлиентов", RIGHTS.registerRead],
  ...constants.map((c) => [`Constant.${c.name}`, RIGHTS.constantRead]),
  ["CommonForm.ХодРазвертывания", RIGHTS.view],
  ["Subsystem.СредыКлиентов", RIGHTS.view],
];

function subsystemXml(s) {
  return mdDocument(
    [
      `\t<Subsystem uuid="${uuidFor(`Subsystem.${s.name}`)}">`,
      "\t\t<Properties>",
      `\t\t\t<Name>${s.name}</Name>`,
      ...ml("Synonym", s.title, 3),
      "\t\t\t<Comment/>",
      "\t\t\t<IncludeHelpInContents>true</IncludeHelpInContents>",
      "\t\t\t<IncludeInCommandInterface>true</IncludeInCommandInterface>",
      "\t\t\t<UseOneCommand>false</UseOneCommand>",
      "\t\t\t<Explanation/>",
      "\t\t\t<Picture/>",
      "\t\t\t<Content>",
      ...s.content.map((c) => `\t\t\t\t<xr:Item xsi:type="xr:MDObjectRef">${c}</xr:Item>`),
      "\t\t\t</Content>",
      "\t\t</Properties>",
      "\t\t<ChildObjects/>",
      "\t</Subsystem>",
    ].join("\r\n"),
  );
}

function languageXml() {
  return mdDocument(
    [`\t<Language uuid="${uuidFor("Language.Русский")}">`, "\t\t<Properties>", "\t\t\t<Name>Русский</Name>", ...ml("Synonym", "Русский", 3), "\t\t\t<Comment/>", "\t\t\t<LanguageCode>ru</LanguageCode>", "\t\t</Properties>", "\t</Language>"].join(
      "\r\n",
    ),
  );
}

// Mobile functionalities known to format 2.16 (its managed-application-core schema); newer platforms add more.
const FUNCTIONALITIES = "Biometrics Location BackgroundLocation BluetoothPrinters WiFiPrinters Contacts Calendars PushNotifications LocalNotifications InAppPurchases PersonalComputerFileExchange Ads NumberDialing CallProcessing CallLog AutoSendSMS ReceiveSMS SMSLog Camera Microphone MusicLibrary PictureAndVideoLibraries AudioPlaybackAndVibration BackgroundAudioPlaybackAndVibration InstallPackages OSBackup ApplicationUsageStatistics BarcodeScanning BackgroundAudioRecording AllFilesAccess Videoconferences NFC DocumentScanning".split(" ");

function configurationXml() {
  const contained = [
    "9cd510cd-abfc-11d4-9434-004095e12fc7",
    "9fcd25a0-4822-11d4-9414-008048da11f9",
    "e3687481-0a87-462c-a166-9f34594f9bba",
    "9de14907-ec23-4a07-96f0-85521cb6b53b",
    "51f2d5d8-ea4d-4064-8892-82951750031e",
    "e68182ea-4237-4383-967f-90c1e3370bc7",
    "fb282519-d103-4dd3-bc12-cb271d631dfc",
  ];
  const lines = [`\t<Configuration uuid="${uuidFor("Configuration")}">`, "\t\t<InternalInfo>"];
  // ClassIds are the platform's fixed class identifiers (the same in every configuration); ObjectIds are ours.
  contained.forEach((classId, i) =>
    lines.push("\t\t\t<xr:ContainedObject>", `\t\t\t\t<xr:ClassId>${classId}</xr:ClassId>`, `\t\t\t\t<xr:ObjectId>${uuidFor(`Configuration.Contained.${i}`)}</xr:ObjectId>`, "\t\t\t</xr:ContainedObject>"),
  );
  lines.push(
    "\t\t</InternalInfo>",
    "\t\t<Properties>",
    `\t\t\t<Name>${CONFIG}</Name>`,
    ...ml("Synonym", "Среда: среды клиентов", 3),
    "\t\t\t<Comment/>",
    "\t\t\t<NamePrefix/>",
    `\t\t\t<ConfigurationExtensionCompatibilityMode>${COMPATIBILITY_MODE}</ConfigurationExtensionCompatibilityMode>`,
    "\t\t\t<DefaultRunMode>ManagedApplication</DefaultRunMode>",
    "\t\t\t<UsePurposes>",
    '\t\t\t\t<v8:Value xsi:type="app:ApplicationUsePurpose">PlatformApplication</v8:Value>',
    "\t\t\t</UsePurposes>",
    "\t\t\t<ScriptVariant>Russian</ScriptVariant>",
    "\t\t\t<DefaultRoles/>",
    "\t\t\t<Vendor>Sreda</Vendor>",
    "\t\t\t<Version>0.1.0</Version>",
    "\t\t\t<UpdateCatalogAddress/>",
    "\t\t\t<IncludeHelpInContents>false</IncludeHelpInContents>",
    "\t\t\t<UseManagedFormInOrdinaryApplication>false</UseManagedFormInOrdinaryApplication>",
    "\t\t\t<UseOrdinaryFormInManagedApplication>false</UseOrdinaryFormInManagedApplication>",
    "\t\t\t<AdditionalFullTextSearchDictionaries/>",
    "\t\t\t<CommonSettingsStorage/>",
    "\t\t\t<ReportsUserSettingsStorage/>",
    "\t\t\t<ReportsVariantsStorage/>",
    "\t\t\t<FormDataSettingsStorage/>",
    "\t\t\t<DynamicListsUserSettingsStorage/>",
    "\t\t\t<URLExternalDataStorage/>",
    "\t\t\t<Content/>",
    "\t\t\t<DefaultReportForm/>",
    "\t\t\t<DefaultReportVariantForm/>",
    "\t\t\t<DefaultReportSettingsForm/>",
    "\t\t\t<DefaultReportAppearanceTemplate/>",
    "\t\t\t<DefaultDynamicListSettingsForm/>",
    "\t\t\t<DefaultSearchForm/>",
    "\t\t\t<DefaultDataHistoryChangeHistoryForm/>",
    "\t\t\t<DefaultDataHistoryVersionDataForm/>",
    "\t\t\t<DefaultDataHistoryVersionDifferencesForm/>",
    "\t\t\t<DefaultCollaborationSystemUsersChoiceForm/>",
    "\t\t\t<RequiredMobileApplicationPermissions/>",
    "\t\t\t<UsedMobileApplicationFunctionalities>",
  );
  for (const f of FUNCTIONALITIES) {
    const use = f === "Biometrics" || f === "OSBackup";
    lines.push("\t\t\t\t<app:functionality>", `\t\t\t\t\t<app:functionality>${f}</app:functionality>`, `\t\t\t\t\t<app:use>${use}</app:use>`, "\t\t\t\t</app:functionality>");
  }
  lines.push(
    "\t\t\t</UsedMobileApplicationFunctionalities>",
    "\t\t\t<StandaloneConfigurationRestrictionRoles/>",
    "\t\t\t<MobileApplicationURLs/>",
    "\t\t\t<AllowedIncomingShareRequestTypes/>",
    "\t\t\t<MainClientApplicationWindowMode>Normal</MainClientApplicationWindowMode>",
    "\t\t\t<DefaultInterface/>",
    "\t\t\t<DefaultStyle/>",
    "\t\t\t<DefaultLanguage>Language.Русский</DefaultLanguage>",
    ...ml("BriefInformation", "Клиенты, настройки и развёртывание сред клиентов в Kubernetes через мост Среды", 3),
    "\t\t\t<DetailedInformation/>",
    "\t\t\t<Copyright/>",
    "\t\t\t<VendorInformationAddress/>",
    "\t\t\t<ConfigurationInformationAddress/>",
    "\t\t\t<DataLockControlMode>Managed</DataLockControlMode>",
    "\t\t\t<ObjectAutonumerationMode>NotAutoFree</ObjectAutonumerationMode>",
    "\t\t\t<ModalityUseMode>DontUse</ModalityUseMode>",
    "\t\t\t<SynchronousPlatformExtensionAndAddInCallUseMode>DontUse</SynchronousPlatformExtensionAndAddInCallUseMode>",
    "\t\t\t<InterfaceCompatibilityMode>Taxi</InterfaceCompatibilityMode>",
    "\t\t\t<DatabaseTablespacesUseMode>DontUse</DatabaseTablespacesUseMode>",
    `\t\t\t<CompatibilityMode>${COMPATIBILITY_MODE}</CompatibilityMode>`,
    "\t\t\t<DefaultConstantsForm/>",
    "\t\t</Properties>",
    "\t\t<ChildObjects>",
    "\t\t\t<Language>Русский</Language>",
    ...subsystems.map((s) => `\t\t\t<Subsystem>${s.name}</Subsystem>`),
    ...roles.map((r) => `\t\t\t<Role>${r.name}</Role>`),
    ...commonModules.map(([n]) => `\t\t\t<CommonModule>${n}</CommonModule>`),
    ...constants.map((c) => `\t\t\t<Constant>${c.name}</Constant>`),
    ...commonForms.map((f) => `\t\t\t<CommonForm>${f.name}</CommonForm>`),
    ...catalogs.map((c) => `\t\t\t<Catalog>${c.name}</Catalog>`),
    ...enums.map((e) => `\t\t\t<Enum>${e.name}</Enum>`),
    ...registers.map((r) => `\t\t\t<InformationRegister>${r.name}</InformationRegister>`),
    "\t\t</ChildObjects>",
    "\t</Configuration>",
  );
  return mdDocument(lines.join("\r\n"));
}

// ---------------------------------------------------------------------------------------------------------------
// Forms

const S = T.str;
const dl = (key) => [0, 1, 2, 3].map((i) => uuidFor(`${key}.ListSettings.${i}`));
const obj = (path) => `Объект.${path}`;

const forms = {
  "Catalogs/Клиенты/Forms/ФормаЭлемента": {
    title: null,
    objectForm: true,
    events: { OnCreateAtServer: "ПриСозданииНаСервере", OnReadAtServer: "ПриЧтенииНаСервере", AfterWrite: "ПослеЗаписи" },
    commandBar: [button("ФормаРазвернутьСреду", "Form.Command.РазвернутьСреду")],
    items: [
      group("ГруппаШапка", "Шапка", { direction: "Horizontal", representation: "None" }, [
        field("Код", obj("Code"), { readOnly: true, title: "Код клиента" }),
        field("Наименование", obj("Description"), { title: "Организация" }),
      ]),
      pages("Страницы", [
        page("СтраницаКонтакты", "Контактные лица", [
          table("КонтактныеЛица", obj("КонтактныеЛица"), { events: { OnActivateRow: "КонтактныеЛицаПриАктивизацииСтроки", OnStartEdit: "КонтактныеЛицаПриНачалеРедактирования", BeforeDeleteRow: "КонтактныеЛицаПередУдалением" } }, [
            field("КонтактныеЛицаФИО", obj("КонтактныеЛица.ФИО")),
            field("КонтактныеЛицаДолжность", obj("КонтактныеЛица.Должность")),
          ]),
          group("ГруппаСвязь", "Телефоны и почта выбранного лица", { direction: "Horizontal", showTitle: true }, [
            table("Телефоны", obj("Телефоны"), { events: { OnStartEdit: "ТелефоныПриНачалеРедактирования" } }, [field("ТелефоныТелефон", obj("Телефоны.Телефон"))]),
            table("АдресаЭлектроннойПочты", obj("АдресаЭлектроннойПочты"), { events: { OnStartEdit: "АдресаЭлектроннойПочтыПриНачалеРедактирования" } }, [
              field("АдресаЭлектроннойПочтыАдрес", obj("АдресаЭлектроннойПочты.Адрес")),
            ]),
          ]),
        ]),
        page("СтраницаСреды", "Среды", [
          table("СредыКлиента", "СредыКлиента", { readOnly: true, buttons: [button("СредыКлиентаОбновитьСостояние", "Form.Command.ОбновитьСостояниеСред")], events: { Selection: "СредыКлиентаВыбор" } }, [
            field("СредыКлиентаПространствоИмен", "СредыКлиента.ПространствоИмен", { kind: "label" }),
            field("СредыКлиентаФаза", "СредыКлиента.Фаза", { kind: "label" }),
            field("СредыКлиентаСводка", "СредыКлиента.Сводка", { kind: "label" }),
            field("СредыКлиентаДатаПроверки", "СредыКлиента.ДатаПроверки", { kind: "label" }),
            field("СредыКлиентаПоследняяОперация", "СредыКлиента.ПоследняяОперация", { kind: "label" }),
          ]),
        ]),
        page("СтраницаКомментарий", "Комментарий", [field("Комментарий", obj("Комментарий"), { titleLocation: "None", multiLine: true, height: 4 })]),
      ]),
    ],
    attributes: [
      { name: "Объект", type: T.ref("CatalogObject.Клиенты"), main: true, saved: true },
      {
        name: "СредыКлиента",
        title: "Среды клиента",
        type: { kinds: ["v8:ValueTable"] },
        columns: [
          { name: "ПространствоИмен", title: "Пространство имён", type: T.ref(REF.namespace) },
          { name: "Фаза", title: "Фаза", type: T.ref(REF.phase) },
          { name: "Сводка", title: "Состояние", type: S(0) },
          { name: "ДатаПроверки", title: "Проверено", type: T.dateTime() },
          { name: "ПоследняяОперация", title: "Последняя операция", type: T.ref(REF.operation) },
        ],
      },
    ],
    commands: [
      { name: "РазвернутьСреду", title: "Развернуть среду", tooltip: "Развернуть или обновить среду клиента в выбранном пространстве имён" },
      { name: "ОбновитьСостояниеСред", title: "Обновить состояние", tooltip: "Запросить у моста текущее состояние сред клиента" },
    ],
  },
  "Catalogs/КластерыKubernetes/Forms/ФормаЭлемента": {
    objectForm: true,
    events: { OnCreateAtServer: "ПриСозданииНаСервере", OnWriteAtServer: "ПриЗаписиНаСервере" },
    items: [
      field("Наименование", obj("Description")),
      field("АдресAPI", obj("АдресAPI")),
      field("ТокенДоступа", "ТокенДоступа", { password: true, hint: "Оставьте пустым, чтобы не менять" }),
      field("СостояниеТокена", "СостояниеТокена", { kind: "label", title: " " }),
      field("СертификатCA", obj("СертификатCA"), { multiLine: true, height: 5 }),
      field("НеПроверятьСертификат", obj("НеПроверятьСертификат"), { kind: "check" }),
      field("Комментарий", obj("Комментарий"), { multiLine: true, height: 2 }),
    ],
    attributes: [
      { name: "Объект", type: T.ref("CatalogObject.КластерыKubernetes"), main: true, saved: true },
      { name: "ТокенДоступа", title: "Токен доступа к кластеру", type: S(0) },
      { name: "СостояниеТокена", title: "Состояние токена", type: S(0) },
    ],
  },
  "Catalogs/СерверыБазДанных/Forms/ФормаЭлемента": {
    objectForm: true,
    events: { OnCreateAtServer: "ПриСозданииНаСервере", OnWriteAtServer: "ПриЗаписиНаСервере" },
    items: [
      field("Наименование", obj("Description")),
      group("ГруппаPostgreSQL", "PostgreSQL", { showTitle: true }, [
        field("ХостPostgreSQL", obj("ХостPostgreSQL")),
        field("ПортPostgreSQL", obj("ПортPostgreSQL"), { hint: "5432" }),
        field("АдминистраторPostgreSQL", obj("АдминистраторPostgreSQL"), { hint: "postgres" }),
        field("ПарольPostgreSQL", "ПарольPostgreSQL", { password: true, hint: "Оставьте пустым, чтобы не менять" }),
      ]),
      group("ГруппаClickHouse", "ClickHouse", { showTitle: true }, [
        field("ХостClickHouse", obj("ХостClickHouse")),
        field("ПортClickHouse", obj("ПортClickHouse"), { hint: "9000" }),
        field("АдминистраторClickHouse", obj("АдминистраторClickHouse"), { hint: "default" }),
        field("ПарольClickHouse", "ПарольClickHouse", { password: true, hint: "Оставьте пустым, чтобы не менять" }),
      ]),
      field("СостояниеПаролей", "СостояниеПаролей", { kind: "label", title: " " }),
    ],
    attributes: [
      { name: "Объект", type: T.ref("CatalogObject.СерверыБазДанных"), main: true, saved: true },
      { name: "ПарольPostgreSQL", title: "Пароль администратора PostgreSQL", type: S(0) },
      { name: "ПарольClickHouse", title: "Пароль администратора ClickHouse", type: S(0) },
      { name: "СостояниеПаролей", title: "Пароли", type: S(0) },
    ],
  },
  "Catalogs/ПространстваИмен/Forms/ФормаЭлемента": {
    objectForm: true,
    events: { OnCreateAtServer: "ПриСозданииНаСервере" },
    items: [
      group("ГруппаОсновное", "Основное", { direction: "Horizontal", representation: "None" }, [
        field("Владелец", obj("Owner"), { title: "Кластер" }),
        field("Наименование", obj("Description"), { title: "Идентификатор (namespace)" }),
      ]),
      field("СерверБазДанных", obj("СерверБазДанных")),
      pages("Страницы", [
        page("СтраницаПриложение", "Приложение", [
          field("ПубличноеDNS", obj("ПубличноеDNS")),
          field("ОбразDocker", obj("ОбразDocker")),
          field("Реплики", obj("Реплики"), { hint: "1" }),
          field("СекретРеестраОбразов", obj("СекретРеестраОбразов"), { hint: "repository-token" }),
          field("СекретTLS", obj("СекретTLS"), { hint: "tls" }),
          field("КлассIngress", obj("КлассIngress"), { hint: "nginx" }),
          field("ВремяЖизниТокенаЧасов", obj("ВремяЖизниТокенаЧасов"), { hint: "8" }),
          field("ОтправительSMS", obj("ОтправительSMS")),
          field("ВремяЖизниКодаSMSСекунд", obj("ВремяЖизниКодаSMSСекунд")),
        ]),
        page("СтраницаРесурсы", "Ресурсы и NFS", [
          field("СерверNFS", obj("СерверNFS")),
          field("ПутьNFS", obj("ПутьNFS"), { hint: "/mnt/nfs" }),
          field("ЗапросCPU", obj("ЗапросCPU"), { hint: "250m" }),
          field("ЛимитCPU", obj("ЛимитCPU"), { hint: "1" }),
          field("ЗапросПамяти", obj("ЗапросПамяти"), { hint: "256Mi" }),
          field("ЛимитПамяти", obj("ЛимитПамяти"), { hint: "512Mi" }),
        ]),
        page("СтраницаПеременные", "Переменные окружения", [
          table("ПеременныеОкружения", obj("ПеременныеОкружения"), {}, [
            field("ПеременныеОкруженияИмя", obj("ПеременныеОкружения.Имя")),
            field("ПеременныеОкруженияЗначение", obj("ПеременныеОкружения.Значение")),
            field("ПеременныеОкруженияСекретная", obj("ПеременныеОкружения.Секретная"), { kind: "check" }),
          ]),
        ]),
      ]),
    ],
    attributes: [{ name: "Объект", type: T.ref("CatalogObject.ПространстваИмен"), main: true, saved: true }],
  },
  "Catalogs/ШаблоныЗапросов/Forms/ФормаЭлемента": {
    objectForm: true,
    events: { OnCreateAtServer: "ПриСозданииНаСервере" },
    items: [
      group("ГруппаЗаголовок", "Заголовок", { direction: "Horizontal", representation: "None" }, [
        field("Код", obj("Code"), { title: "Идентификатор" }),
        field("Наименование", obj("Description"), { title: "Название" }),
        field("Порядок", obj("Порядок")),
      ]),
      group("ГруппаЗапрос", "Запрос", { direction: "Horizontal", representation: "None" }, [field("Метод", obj("Метод")), field("Путь", obj("Путь"))]),
      group("ГруппаОбъект", "Объект", { direction: "Horizontal", representation: "None" }, [
        field("ВерсияAPI", obj("ВерсияAPI")),
        field("Вид", obj("Вид")),
        field("ИмяОбъекта", obj("ИмяОбъекта")),
      ]),
      field("Зависимости", obj("Зависимости")),
      field("ИзмененПользователем", obj("ИзмененПользователем"), { kind: "check", readOnly: true }),
      pages("Страницы", [
        page("СтраницаТело", "Тело", [field("Тело", obj("Тело"), { titleLocation: "None", multiLine: true, height: 20 })]),
        page("СтраницаМакросы", "Макросы", [
          table("Макросы", "Макросы", { readOnly: true, buttons: [button("МакросыОбновить", "Form.Command.ОбновитьМакросы")] }, [
            field("МакросыИмя", "Макросы.Имя", { kind: "label" }),
            field("МакросыОписание", "Макросы.Описание", { kind: "label" }),
            field("МакросыИсточник", "Макросы.Источник", { kind: "label" }),
            field("МакросыТип", "Макросы.Тип", { kind: "label" }),
            field("МакросыСекретный", "Макросы.Секретный", { kind: "check" }),
            field("МакросыЕстьЗначениеПоУмолчанию", "Макросы.ЕстьЗначениеПоУмолчанию", { kind: "check" }),
          ]),
        ]),
        page("СтраницаПроверка", "Проверка", [
          group("ГруппаПараметрыПроверки", "Параметры проверки", { direction: "Horizontal", representation: "None" }, [
            field("ПроверкаКлиент", "ПроверкаКлиент"),
            field("ПроверкаПространствоИмен", "ПроверкаПространствоИмен"),
            button("КнопкаПроверить", "Form.Command.Проверить", { defaultButton: true }),
          ]),
          field("РезультатПроверки", "РезультатПроверки", { readOnly: true, titleLocation: "None", multiLine: true, height: 20 }),
        ]),
        page("СтраницаОписание", "Описание", [field("Описание", obj("Описание"), { titleLocation: "None", multiLine: true, height: 5 })]),
      ]),
    ],
    attributes: [
      { name: "Объект", type: T.ref("CatalogObject.ШаблоныЗапросов"), main: true, saved: true },
      {
        name: "Макросы",
        title: "Макросы",
        type: { kinds: ["v8:ValueTable"] },
        columns: [
          { name: "Имя", title: "Макрос", type: S(100) },
          { name: "Описание", title: "Описание", type: S(0) },
          { name: "Источник", title: "Источник", type: S(30) },
          { name: "Тип", title: "Тип", type: S(20) },
          { name: "Секретный", title: "Секрет", type: T.bool() },
          { name: "ЕстьЗначениеПоУмолчанию", title: "Есть значение по умолчанию", type: T.bool() },
        ],
      },
      { name: "ПроверкаКлиент", title: "Клиент", type: T.ref(REF.client) },
      { name: "ПроверкаПространствоИмен", title: "Пространство имён", type: T.ref(REF.namespace) },
      { name: "РезультатПроверки", title: "Результат проверки", type: S(0) },
    ],
    commands: [
      { name: "Проверить", title: "Проверить", tooltip: "Построить план запросов на мосту (POST /v1/plans) и показать этот запрос с замаскированными секретами" },
      { name: "ОбновитьМакросы", title: "Обновить список макросов", tooltip: "Получить каталог макросов у моста" },
    ],
  },
  "Catalogs/ШаблоныЗапросов/Forms/ФормаСписка": {
    commandBar: [button("ФормаОбновитьИзМоста", "Form.Command.ОбновитьИзМоста")],
    items: [
      table("Список", "Список", { dynamic: true, readOnly: false }, [
        field("Код", "Список.Code", { kind: "label", title: "Идентификатор" }),
        field("Наименование", "Список.Description", { kind: "label" }),
        field("Порядок", "Список.Порядок", { kind: "label" }),
        field("Метод", "Список.Метод", { kind: "label" }),
        field("ИзмененПользователем", "Список.ИзмененПользователем", { kind: "check" }),
        field("ДатаОбновления", "Список.ДатаОбновления", { kind: "label" }),
      ]),
    ],
    attributes: [{ name: "Список", type: { kinds: ["cfg:DynamicList"] }, main: true, dynamicList: { mainTable: "Catalog.ШаблоныЗапросов", ids: dl("ШаблоныЗапросов.ФормаСписка") } }],
    commands: [{ name: "ОбновитьИзМоста", title: "Обновить из моста", tooltip: "Загрузить поставляемые шаблоны (GET /v1/templates); изменённые вручную не перезаписываются" }],
  },
  "Catalogs/ОперацииСред/Forms/ФормаЭлемента": {
    objectForm: true,
    events: { OnCreateAtServer: "ПриСозданииНаСервере" },
    commandBar: [button("ФормаОткрытьХод", "Form.Command.ОткрытьХод")],
    items: [
      group("ГруппаШапка", "Операция", { direction: "Horizontal", representation: "None" }, [
        field("Код", obj("Code"), { kind: "label", title: "Номер" }),
        field("ВидОперации", obj("ВидОперации"), { kind: "label" }),
        field("Клиент", obj("Клиент"), { kind: "label" }),
        field("ПространствоИмен", obj("ПространствоИмен"), { kind: "label" }),
      ]),
      group("ГруппаВремя", "Время", { direction: "Horizontal", representation: "None" }, [
        field("Автор", obj("Автор"), { kind: "label" }),
        field("Начало", obj("Начало"), { kind: "label" }),
        field("Окончание", obj("Окончание"), { kind: "label" }),
        field("ИдентификаторОперации", obj("ИдентификаторОперации"), { kind: "label" }),
      ]),
      group("ГруппаРезультат", "Результат", { direction: "Horizontal", representation: "None" }, [
        field("Состояние", obj("Состояние"), { kind: "label" }),
        field("Этап", obj("Этап"), { kind: "label" }),
        field("Фаза", obj("Фаза"), { kind: "label" }),
      ]),
      field("ТекстОшибки", obj("ТекстОшибки"), { readOnly: true, multiLine: true, height: 3 }),
      pages("Страницы", [
        page("СтраницаШаги", "Шаги", [
          table("Шаги", obj("Шаги"), { readOnly: true }, [
            field("ШагиЗаголовок", obj("Шаги.Заголовок"), { kind: "label" }),
            field("ШагиСостояние", obj("Шаги.Состояние"), { kind: "label" }),
            field("ШагиСообщение", obj("Шаги.Сообщение"), { kind: "label" }),
            field("ШагиПричина", obj("Шаги.Причина"), { kind: "label" }),
            field("ШагиПопытки", obj("Шаги.Попытки"), { kind: "label" }),
          ]),
        ]),
        page("СтраницаЖурнал", "Журнал", [
          table("Журнал", obj("Журнал"), { readOnly: true }, [
            field("ЖурналМомент", obj("Журнал.Момент"), { kind: "label" }),
            field("ЖурналТип", obj("Журнал.Тип"), { kind: "label" }),
            field("ЖурналИдентификаторШага", obj("Журнал.ИдентификаторШага"), { kind: "label" }),
            field("ЖурналСообщение", obj("Журнал.Сообщение"), { kind: "label" }),
          ]),
        ]),
        page("СтраницаЖурналыШагов", "Журналы контейнеров", [
          table("ЖурналШагов", obj("ЖурналШагов"), { readOnly: true }, [
            field("ЖурналШаговИдентификаторШага", obj("ЖурналШагов.ИдентификаторШага"), { kind: "label" }),
            field("ЖурналШаговСтрока", obj("ЖурналШагов.Строка"), { kind: "label" }),
          ]),
        ]),
        page("СтраницаСреда", "Состояние среды", [
          field("СводкаСреды", obj("СводкаСреды"), { readOnly: true, multiLine: true, height: 2 }),
          table("ПричиныСостояния", obj("ПричиныСостояния"), { readOnly: true }, [
            field("ПричиныСостоянияВидОбъекта", obj("ПричиныСостояния.ВидОбъекта"), { kind: "label" }),
            field("ПричиныСостоянияИмяОбъекта", obj("ПричиныСостояния.ИмяОбъекта"), { kind: "label" }),
            field("ПричиныСостоянияФаза", obj("ПричиныСостояния.Фаза"), { kind: "label" }),
            field("ПричиныСостоянияПричина", obj("ПричиныСостояния.Причина"), { kind: "label" }),
            field("ПричиныСостоянияСообщение", obj("ПричиныСостояния.Сообщение"), { kind: "label" }),
          ]),
        ]),
      ]),
    ],
    attributes: [{ name: "Объект", type: T.ref("CatalogObject.ОперацииСред"), main: true, saved: true }],
    commands: [{ name: "ОткрытьХод", title: "Ход операции", tooltip: "Открыть окно хода операции с обновлением" }],
  },
  "InformationRegisters/СредыКлиентов/Forms/ФормаСписка": {
    commandBar: [button("ФормаОбновитьВыбранные", "Form.Command.ОбновитьСостояние"), button("ФормаОбновитьВсе", "Form.Command.ОбновитьВсе"), button("ФормаОткрытьХод", "Form.Command.ОткрытьХод")],
    items: [
      table("Список", "Список", { dynamic: true, readOnly: true, events: { Selection: "СписокВыбор" } }, [
        field("Клиент", "Список.Клиент", { kind: "label" }),
        field("ПространствоИмен", "Список.ПространствоИмен", { kind: "label" }),
        field("Фаза", "Список.Фаза", { kind: "label" }),
        field("Сводка", "Список.Сводка", { kind: "label" }),
        field("ДатаПроверки", "Список.ДатаПроверки", { kind: "label" }),
        field("ПоследняяОперация", "Список.ПоследняяОперация", { kind: "label" }),
      ]),
    ],
    attributes: [{ name: "Список", type: { kinds: ["cfg:DynamicList"] }, main: true, dynamicList: { mainTable: "InformationRegister.СредыКлиентов", ids: dl("СредыКлиентов.ФормаСписка") } }],
    commands: [
      { name: "ОбновитьСостояние", title: "Обновить выбранные", tooltip: "Запросить у моста состояние выбранных сред" },
      { name: "ОбновитьВсе", title: "Обновить все", tooltip: "Запросить у моста состояние всех сред" },
      { name: "ОткрытьХод", title: "Ход последней операции", tooltip: "Открыть ход последней операции выбранной среды" },
    ],
  },
  "CommonForms/ХодРазвертывания": {
    title: "Ход развёртывания среды",
    events: { OnCreateAtServer: "ПриСозданииНаСервере", OnOpen: "ПриОткрытии", OnClose: "ПриЗакрытии" },
    commandBar: [button("ФормаОбновить", "Form.Command.Обновить"), button("ФормаОтменить", "Form.Command.ОтменитьРазвертывание")],
    items: [
      group("ГруппаШапка", "Операция", { direction: "Horizontal", representation: "None" }, [
        field("Клиент", "Клиент", { kind: "label" }),
        field("ПространствоИмен", "ПространствоИмен", { kind: "label" }),
        field("Операция", "Операция", { kind: "label", title: "Запись журнала" }),
      ]),
      group("ГруппаСостояние", "Состояние", { direction: "Horizontal", representation: "None" }, [
        field("Состояние", "Состояние", { kind: "label" }),
        field("Этап", "Этап", { kind: "label" }),
        field("Фаза", "Фаза", { kind: "label", title: "Фаза среды" }),
      ]),
      field("Сводка", "Сводка", { kind: "label", title: "Среда" }),
      group("ГруппаОшибка", "Причина сбоя", { showTitle: true }, [field("ТекстОшибки", "ТекстОшибки", { readOnly: true, titleLocation: "None", multiLine: true, height: 3 })]),
      table("Шаги", "Шаги", { readOnly: true, title: "Шаги" }, [
        field("ШагиЗаголовок", "Шаги.Заголовок", { kind: "label" }),
        field("ШагиСостояние", "Шаги.Состояние", { kind: "label" }),
        field("ШагиСообщение", "Шаги.Сообщение", { kind: "label" }),
        field("ШагиПопытки", "Шаги.Попытки", { kind: "label" }),
      ]),
      pages("Страницы", [
        page("СтраницаСобытия", "События", [
          table("Журнал", "Журнал", { readOnly: true }, [
            field("ЖурналМомент", "Журнал.Момент", { kind: "label" }),
            field("ЖурналШаг", "Журнал.Шаг", { kind: "label" }),
            field("ЖурналСообщение", "Журнал.Сообщение", { kind: "label" }),
          ]),
        ]),
        page("СтраницаЖурналы", "Журналы контейнеров и причины", [field("СтрокиЖурнала", "СтрокиЖурнала", { readOnly: true, titleLocation: "None", multiLine: true, height: 10 })]),
      ]),
    ],
    attributes: [
      { name: "Операция", title: "Операция", type: T.ref(REF.operation) },
      { name: "Клиент", title: "Клиент", type: T.ref(REF.client) },
      { name: "ПространствоИмен", title: "Пространство имён", type: T.ref(REF.namespace) },
      { name: "Состояние", title: "Состояние", type: S(50) },
      { name: "Этап", title: "Этап", type: S(50) },
      { name: "Фаза", title: "Фаза", type: S(50) },
      { name: "Сводка", title: "Сводка", type: S(0) },
      { name: "ТекстОшибки", title: "Причина сбоя", type: S(0) },
      {
        name: "Шаги",
        title: "Шаги",
        type: { kinds: ["v8:ValueTable"] },
        columns: [
          { name: "Заголовок", title: "Шаг", type: S(200) },
          { name: "Состояние", title: "Состояние", type: S(50) },
          { name: "Сообщение", title: "Сообщение", type: S(0) },
          { name: "Попытки", title: "Попыток", type: T.num(5) },
        ],
      },
      {
        name: "Журнал",
        title: "События",
        type: { kinds: ["v8:ValueTable"] },
        columns: [
          { name: "Момент", title: "Момент", type: S(40) },
          { name: "Шаг", title: "Шаг", type: S(100) },
          { name: "Сообщение", title: "Сообщение", type: S(0) },
        ],
      },
      { name: "СтрокиЖурнала", title: "Журналы", type: S(0) },
      { name: "Завершена", title: "Завершена", type: T.bool() },
      { name: "ИнтервалОбновления", title: "Интервал обновления", type: T.num(3) },
    ],
    commands: [
      { name: "Обновить", title: "Обновить", tooltip: "Запросить ход операции сейчас" },
      { name: "ОтменитьРазвертывание", title: "Отменить", tooltip: "Попросить мост остановить развёртывание" },
    ],
    parameters: [{ name: "Операция", type: T.ref(REF.operation), key: true }],
  },
  "CommonForms/НастройкиСреды": {
    title: "Настройки Среды",
    events: { OnCreateAtServer: "ПриСозданииНаСервере" },
    commandBar: [button("ФормаЗаписать", "Form.Command.Записать"), button("ФормаПроверитьСоединение", "Form.Command.ПроверитьСоединение"), button("ФормаОбновитьШаблоны", "Form.Command.ОбновитьШаблоны")],
    items: [
      group("ГруппаМост", "Мост Среды", { showTitle: true }, [
        field("АдресМоста", "АдресМоста", { hint: "https://sreda-bridge.example.ru" }),
        field("ТаймаутМостаСекунд", "ТаймаутМостаСекунд", { hint: "30" }),
        field("ИнтервалОбновленияХодаСекунд", "ИнтервалОбновленияХодаСекунд", { hint: "3" }),
        field("ТокенМоста", "ТокенМоста", { password: true, hint: "Оставьте пустым, чтобы не менять" }),
        field("СостояниеТокена", "СостояниеТокена", { kind: "label", title: " " }),
      ]),
      field("РезультатПроверки", "РезультатПроверки", { readOnly: true, titleLocation: "None", multiLine: true, height: 4 }),
    ],
    attributes: [
      { name: "АдресМоста", title: "Адрес моста", type: S(500) },
      { name: "ТаймаутМостаСекунд", title: "Таймаут, с", type: T.num(4) },
      { name: "ИнтервалОбновленияХодаСекунд", title: "Интервал обновления хода, с", type: T.num(3) },
      { name: "ТокенМоста", title: "Токен моста", type: S(0) },
      { name: "СостояниеТокена", title: "Состояние токена", type: S(0) },
      { name: "РезультатПроверки", title: "Результат проверки", type: S(0) },
    ],
    commands: [
      { name: "Записать", title: "Записать", tooltip: "Сохранить настройки" },
      { name: "ПроверитьСоединение", title: "Проверить соединение", tooltip: "Запросить у моста /readyz и список шаблонов" },
      { name: "ОбновитьШаблоны", title: "Загрузить шаблоны", tooltip: "Заполнить и обновить шаблоны запросов из моста" },
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Write

write("Configuration.xml", configurationXml());
write("Languages/Русский.xml", languageXml());
for (const s of subsystems) write(`Subsystems/${s.name}.xml`, subsystemXml(s));
for (const r of roles) write(`Roles/${r.name}.xml`, roleXml(r));
write("Roles/АдминистраторСреды/Ext/Rights.xml", rightsXml(adminRights));
write("Roles/ОператорСреды/Ext/Rights.xml", rightsXml(operatorRights));
for (const m of commonModules) write(`CommonModules/${m[0]}.xml`, commonModuleXml(m));
for (const c of constants) write(`Constants/${c.name}.xml`, constantXml(c));
for (const f of commonForms) write(`CommonForms/${f.name}.xml`, commonFormXml(f));
for (const c of catalogs) {
  write(`Catalogs/${c.name}.xml`, catalogXml(c));
  if (c.predefined) write(`Catalogs/${c.name}/Ext/Predefined.xml`, predefinedXml(c));
  for (const f of c.forms ?? []) write(`Catalogs/${c.name}/Forms/${f}.xml`, formObjectXml(`Catalog.${c.name}`, f, f === "ФормаСписка" ? "Форма списка" : "Форма элемента"));
}
for (const e of enums) write(`Enums/${e.name}.xml`, enumXml(e));
for (const r of registers) {
  write(`InformationRegisters/${r.name}.xml`, registerXml(r));
  for (const f of r.forms ?? []) write(`InformationRegisters/${r.name}/Forms/${f}.xml`, formObjectXml(`InformationRegister.${r.name}`, f, "Форма списка"));
}
for (const [path, spec] of Object.entries(forms)) write(`${path}/Ext/Form.xml`, formXml(spec));
console.log(`wrote the dump (format ${FORMAT_VERSION}) to ${out}`);
