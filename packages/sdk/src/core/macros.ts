/**
 * The macro catalog: every macro the templates use, where its value comes from and whether it is secret.
 * It is data (1C shows it to template editors); `resolveMacroValues` is the one place that reads it.
 */
import { z } from "zod";
import { defaultMacroValues } from "@sreda/templates";
import { SredaValidationError, type Problem } from "./errors.js";
import type { ProvisioningInput } from "./models.js";
import { databaseEgressRule, externalEgressRule } from "./network-rules.js";

export const MacroSource = z.enum(["client", "environment", "databases", "secrets", "derived"]);
export type MacroSource = z.infer<typeof MacroSource>;

export const MacroDefinition = z.object({
  /** Name as written in templates: `{{client-id}}`. */
  name: z.string(),
  description: z.string(),
  /** Where the value comes from. `derived` values are computed from other input. */
  source: MacroSource,
  /** The input field that supplies it (`environment.publicDns`), when there is one. */
  inputPath: z.string().optional(),
  /** A secret value: masked in previews and logs, kept in Kubernetes Secrets only. */
  secret: z.boolean(),
  /**
   * How a string that is exactly `"{{macro}}"` renders: `integer` as a JSON number (replicas), `boolean` as
   * `true`/`false` (a template's `when`), `labels` (`a=1,b=2`) as an object of labels (`matchLabels`), `json` as
   * the structure the SDK worked out from the settings (a network policy's rule). Inside a longer string every
   * value is text; numbers the templates use inside strings (ports, TTLs in env values) are `string` macros.
   */
  type: z.enum(["string", "integer", "boolean", "labels", "json"]),
  /** True when `@sreda/templates` ships a default for some or all namespaces. */
  hasDefault: z.boolean(),
});
export type MacroDefinition = z.infer<typeof MacroDefinition>;

type Input = ProvisioningInput;
interface MacroSpec extends Omit<MacroDefinition, "hasDefault" | "secret" | "type"> {
  secret?: boolean;
  type?: MacroDefinition["type"];
  read: (input: Input) => string | number | boolean | undefined;
  /**
   * A value worked out from the input and the other macros' values (defaults applied), after them: a problem when
   * the settings do not say enough. `read` then gives nothing.
   */
  derive?: (input: Input, values: Readonly<Record<string, string>>) => string | Problem;
  /** What a derived value stands in for when the input is not all there (describing an environment by its id). */
  placeholder?: string;
  /** For a generated secret (source `secrets`) whose macro value is not the secret itself: the inverse of `read`. */
  unread?: (value: string) => string;
}

const str = (v: string | number | boolean | undefined) => (v === undefined ? undefined : String(v));
const list = (v: readonly (string | number)[] | undefined) => v?.join(",");
const none = () => undefined;

/** The platform's rules (TR-K8S-5, TR-K8S-7, disruption budgets): which objects a namespace gets, with what numbers. */
function platformRuleSpecs(): MacroSpec[] {
  return [...networkPolicySpecs(), ...scalingSpecs()];
}

/** TR-K8S-7's settings: on or off, and who the customer's pods may talk to. */
function networkPolicySpecs(): MacroSpec[] {
  const policies = (i: Input) => i.environment.networkPolicies;
  return [
    {
      name: "network-policies",
      description: "Сетевые политики среды клиента: запрещено всё, что не разрешено (TR-K8S-7)",
      source: "environment",
      inputPath: "environment.networkPolicies.enabled",
      type: "boolean",
      read: (i) => policies(i)?.enabled,
    },
    {
      name: "ingress-controller-namespace",
      description: "Пространство имён ingress-контроллера: единственный источник входящего трафика приложения",
      source: "environment",
      inputPath: "environment.networkPolicies.ingressControllerNamespace",
      read: (i) => policies(i)?.ingressControllerNamespace,
    },
    {
      name: "ingress-controller-pod-labels",
      description: "Метки подов ingress-контроллера (ключ=значение через запятую)",
      source: "environment",
      inputPath: "environment.networkPolicies.ingressControllerPodLabels",
      type: "labels",
      read: (i) => policies(i)?.ingressControllerPodLabels,
    },
    {
      name: "dns-namespace",
      description: "Пространство имён DNS кластера (CoreDNS)",
      source: "environment",
      inputPath: "environment.networkPolicies.dnsNamespace",
      read: (i) => policies(i)?.dnsNamespace,
    },
    {
      name: "dns-pod-labels",
      description: "Метки подов DNS кластера (ключ=значение через запятую)",
      source: "environment",
      inputPath: "environment.networkPolicies.dnsPodLabels",
      type: "labels",
      read: (i) => policies(i)?.dnsPodLabels,
    },
    {
      name: "external-ports",
      description: "Порты внешних сервисов (sms4b и т. п.), через запятую",
      source: "environment",
      inputPath: "environment.networkPolicies.externalPorts",
      read: (i) => list(policies(i)?.externalPorts),
    },
  ];
}

/** TR-K8S-5's autoscaler and the disruption budget: on or off, and their numbers. */
function scalingSpecs(): MacroSpec[] {
  const scaling = (i: Input) => i.environment.autoscaling;
  return [
    {
      name: "autoscaling",
      description: "Горизонтальное автомасштабирование приложения по CPU и памяти (TR-K8S-5)",
      source: "environment",
      inputPath: "environment.autoscaling.enabled",
      type: "boolean",
      read: (i) => scaling(i)?.enabled,
    },
    ...(["minReplicas", "maxReplicas", "cpuUtilization", "memoryUtilization"] as const).map((field): MacroSpec => ({
      name: `autoscaling-${AUTOSCALING_NAMES[field]}`,
      description: AUTOSCALING_WORDS[field],
      source: "environment",
      inputPath: `environment.autoscaling.${field}`,
      type: "integer",
      read: (i) => scaling(i)?.[field],
    })),
    {
      name: "disruption-budget",
      description: "Бюджет нарушений: обслуживание узлов не выводит все поды приложения сразу",
      source: "environment",
      inputPath: "environment.disruptionBudget.enabled",
      type: "boolean",
      read: (i) => i.environment.disruptionBudget?.enabled,
    },
    {
      name: "disruption-budget-max-unavailable",
      description: "Сколько подов приложения может быть недоступно при обслуживании узлов",
      source: "environment",
      inputPath: "environment.disruptionBudget.maxUnavailable",
      type: "integer",
      read: (i) => i.environment.disruptionBudget?.maxUnavailable,
    },
  ];
}

const AUTOSCALING_NAMES = {
  minReplicas: "min-replicas",
  maxReplicas: "max-replicas",
  cpuUtilization: "cpu-utilization",
  memoryUtilization: "memory-utilization",
};
const AUTOSCALING_WORDS = {
  minReplicas: "Наименьшее число экземпляров приложения при автомасштабировании",
  maxReplicas: "Наибольшее число экземпляров приложения при автомасштабировании",
  cpuUtilization: "Целевая средняя загрузка CPU, % от запроса",
  memoryUtilization: "Целевая средняя загрузка памяти, % от запроса",
};

/** The network policies' rules, worked out from the settings and the databases' hosts (./network-rules.ts). */
function networkRuleSpecs(): MacroSpec[] {
  const policiesOn = (values: Readonly<Record<string, string>>) => values["network-policies"] === "true";
  const databaseRule = (database: "postgres" | "clickhouse"): MacroSpec => ({
    name: `${database}-egress-rule`,
    description: `Правило сетевой политики к серверу ${database === "postgres" ? "PostgreSQL" : "ClickHouse"}: адресные блоки или пространство имён, порт`,
    source: "derived",
    inputPath: `environment.networkPolicies.${database}`,
    type: "json",
    read: none,
    derive: (i, values) => (policiesOn(values) ? databaseEgressRule(i, database, values[`${database}-port`] ?? "") : "null"),
    placeholder: "null",
  });
  return [
    databaseRule("postgres"),
    databaseRule("clickhouse"),
    {
      name: "external-egress",
      description: "Есть ли внешние сервисы, к которым обращается приложение (заданы адресные блоки)",
      source: "derived",
      inputPath: "environment.networkPolicies.externalCidrs",
      type: "boolean",
      read: none,
      derive: (i, values) => String(policiesOn(values) && (i.environment.networkPolicies?.externalCidrs?.length ?? 0) > 0),
      placeholder: "false",
    },
    {
      name: "external-egress-rule",
      description: "Правило сетевой политики к внешним сервисам: адресные блоки и порты",
      source: "derived",
      inputPath: "environment.networkPolicies.externalCidrs",
      type: "json",
      read: none,
      derive: (i, values) => externalEgressRule(i, values["external-ports"] ?? ""),
      placeholder: "null",
    },
  ];
}

// Order: as an editor reads them — customer, environment, resources, databases, generated secrets.
const specs: MacroSpec[] = [
  { name: "client-id", description: "Идентификатор клиента (C42)", source: "client", inputPath: "client.id", read: (i) => i.client.id },
  {
    name: "client-slug",
    description: "Идентификатор клиента строчными буквами (c42) для имён объектов Kubernetes: имена должны быть в нижнем регистре",
    source: "derived",
    inputPath: "client.id",
    read: (i) => i.client.id.toLowerCase(),
  },
  {
    name: "namespace-id",
    description: "Пространство имён кластера (lms-dev, lms-prod, …)",
    source: "environment",
    inputPath: "environment.namespace",
    read: (i) => i.environment.namespace,
  },
  {
    name: "api-root-url",
    description: "Корневой URL API кластера k8s",
    source: "environment",
    inputPath: "environment.apiRootUrl",
    read: (i) => i.environment.apiRootUrl,
  },
  { name: "public-dns", description: "Публичное имя сервиса", source: "environment", inputPath: "environment.publicDns", read: (i) => i.environment.publicDns },
  {
    name: "docker-image",
    description: "Docker-образ приложения LMS",
    source: "environment",
    inputPath: "environment.dockerImage",
    read: (i) => i.environment.dockerImage,
  },
  {
    name: "nfs-server",
    description: "Сервер сетевой файловой системы (NFS)",
    source: "environment",
    inputPath: "environment.nfsServer",
    read: (i) => i.environment.nfsServer,
  },
  {
    name: "nfs-path",
    description: "Экспортируемый путь на NFS-сервере",
    source: "environment",
    inputPath: "environment.nfsPath",
    read: (i) => i.environment.nfsPath,
  },
  {
    name: "image-pull-secret",
    description: "Секрет для загрузки образов из реестра (должен уже быть в пространстве имён)",
    source: "environment",
    inputPath: "environment.imagePullSecret",
    read: (i) => i.environment.imagePullSecret,
  },
  {
    name: "tls-secret",
    description: "TLS-секрет публичного имени (должен уже быть в пространстве имён)",
    source: "environment",
    inputPath: "environment.tlsSecret",
    read: (i) => i.environment.tlsSecret,
  },
  {
    name: "ingress-class",
    description: "Класс Ingress (ingress-nginx)",
    source: "environment",
    inputPath: "environment.ingressClass",
    read: (i) => i.environment.ingressClass,
  },
  {
    name: "replicas",
    description: "Число экземпляров приложения",
    source: "environment",
    inputPath: "environment.replicas",
    type: "integer",
    read: (i) => i.environment.replicas,
  },
  {
    name: "keys-token-ttl-hours",
    description: "Время жизни токена доступа пользователя, часов",
    source: "environment",
    inputPath: "environment.keysTokenTtlHours",
    read: (i) => i.environment.keysTokenTtlHours,
  },
  {
    name: "keys-rsa-path",
    description: "Путь к файлу закрытого ключа среды клиента",
    source: "environment",
    inputPath: "environment.keysRsaPath",
    read: (i) => i.environment.keysRsaPath,
  },
  {
    name: "sms4b-passcode-lifetime-seconds",
    description: "Время жизни кода подтверждения телефона, секунд",
    source: "environment",
    inputPath: "environment.sms4b.passcodeLifetimeSeconds",
    read: (i) => i.environment.sms4b?.passcodeLifetimeSeconds,
  },
  {
    name: "sms4b-sender",
    description: "Отправитель сервисных смс-сообщений",
    source: "environment",
    inputPath: "environment.sms4b.sender",
    read: (i) => i.environment.sms4b?.sender,
  },
  {
    name: "sms4b-token",
    description: "Токен доступа к API sms4b (из личного кабинета sms4b)",
    source: "environment",
    inputPath: "environment.sms4b.token",
    secret: true,
    read: (i) => i.environment.sms4b?.token,
  },
  {
    name: "lms-cpu-request",
    description: "Запрос CPU контейнера приложения",
    source: "environment",
    inputPath: "environment.resources.cpuRequest",
    read: (i) => i.environment.resources?.cpuRequest,
  },
  {
    name: "lms-cpu-limit",
    description: "Предел CPU контейнера приложения",
    source: "environment",
    inputPath: "environment.resources.cpuLimit",
    read: (i) => i.environment.resources?.cpuLimit,
  },
  {
    name: "lms-memory-request",
    description: "Запрос памяти контейнера приложения",
    source: "environment",
    inputPath: "environment.resources.memoryRequest",
    read: (i) => i.environment.resources?.memoryRequest,
  },
  {
    name: "lms-memory-limit",
    description: "Предел памяти контейнера приложения",
    source: "environment",
    inputPath: "environment.resources.memoryLimit",
    read: (i) => i.environment.resources?.memoryLimit,
  },
  {
    name: "job-cpu-request",
    description: "Запрос CPU заданий создания баз",
    source: "environment",
    inputPath: "environment.jobResources.cpuRequest",
    read: (i) => i.environment.jobResources?.cpuRequest,
  },
  {
    name: "job-cpu-limit",
    description: "Предел CPU заданий создания баз",
    source: "environment",
    inputPath: "environment.jobResources.cpuLimit",
    read: (i) => i.environment.jobResources?.cpuLimit,
  },
  {
    name: "job-memory-request",
    description: "Запрос памяти заданий создания баз",
    source: "environment",
    inputPath: "environment.jobResources.memoryRequest",
    read: (i) => i.environment.jobResources?.memoryRequest,
  },
  {
    name: "job-memory-limit",
    description: "Предел памяти заданий создания баз",
    source: "environment",
    inputPath: "environment.jobResources.memoryLimit",
    read: (i) => i.environment.jobResources?.memoryLimit,
  },
  {
    name: "postgres-client-image",
    description: "Образ с psql для задания создания базы PostgreSQL",
    source: "environment",
    inputPath: "environment.images.postgresClient",
    read: (i) => i.environment.images?.postgresClient,
  },
  {
    name: "clickhouse-client-image",
    description: "Образ с clickhouse-client для задания создания базы ClickHouse",
    source: "environment",
    inputPath: "environment.images.clickhouseClient",
    read: (i) => i.environment.images?.clickhouseClient,
  },
  ...platformRuleSpecs(),
  {
    name: "postgres-host",
    description: "Сервер PostgreSQL",
    source: "databases",
    inputPath: "databases.postgres.host",
    read: (i) => i.databases.postgres.host,
  },
  { name: "postgres-port", description: "Порт PostgreSQL", source: "databases", inputPath: "databases.postgres.port", read: (i) => i.databases.postgres.port },
  {
    name: "postgres-admin-user",
    description: "Администратор PostgreSQL",
    source: "databases",
    inputPath: "databases.postgres.adminUser",
    read: (i) => i.databases.postgres.adminUser,
  },
  {
    name: "postgres-admin-password",
    description: "Пароль администратора PostgreSQL",
    source: "databases",
    inputPath: "databases.postgres.adminPassword",
    secret: true,
    read: (i) => i.databases.postgres.adminPassword,
  },
  {
    name: "clickhouse-host",
    description: "Сервер ClickHouse",
    source: "databases",
    inputPath: "databases.clickhouse.host",
    read: (i) => i.databases.clickhouse.host,
  },
  {
    name: "clickhouse-port",
    description: "Порт ClickHouse (нативный протокол)",
    source: "databases",
    inputPath: "databases.clickhouse.port",
    read: (i) => i.databases.clickhouse.port,
  },
  {
    name: "clickhouse-admin-user",
    description: "Администратор ClickHouse",
    source: "databases",
    inputPath: "databases.clickhouse.adminUser",
    read: (i) => i.databases.clickhouse.adminUser,
  },
  {
    name: "clickhouse-admin-password",
    description: "Пароль администратора ClickHouse",
    source: "databases",
    inputPath: "databases.clickhouse.adminPassword",
    secret: true,
    read: (i) => i.databases.clickhouse.adminPassword,
  },
  {
    name: "postgres-user-password",
    description: "Пароль пользователя базы клиента в PostgreSQL (генерируется системой)",
    source: "secrets",
    inputPath: "secrets.postgresUserPassword",
    secret: true,
    read: (i) => i.secrets.postgresUserPassword,
  },
  {
    name: "clickhouse-user-password",
    description: "Пароль пользователя базы клиента в ClickHouse (генерируется системой)",
    source: "secrets",
    inputPath: "secrets.clickhouseUserPassword",
    secret: true,
    read: (i) => i.secrets.clickhouseUserPassword,
  },
  {
    name: "keys-secret-seed",
    description: "Ключ подписи токенов авторизации: 64 случайных байта в шестнадцатеричной записи (генерируется системой)",
    source: "secrets",
    inputPath: "secrets.keysSecretSeed",
    secret: true,
    read: (i) => i.secrets.keysSecretSeed,
  },
  {
    name: "rsa-content",
    description: "Закрытый RSA-ключ (2048 бит) среды клиента в PEM, закодированный в base64 (генерируется системой)",
    source: "secrets",
    inputPath: "secrets.rsaPrivateKeyPem",
    secret: true,
    read: (i) => Buffer.from(i.secrets.rsaPrivateKeyPem, "utf8").toString("base64"),
    unread: (value) => Buffer.from(value, "base64").toString("utf8"),
  },
  ...networkRuleSpecs(),
];

const everyDefault = new Set(Object.keys(defaultMacroValues("")));
const someDefault = new Set(["lms-dev", "lms-prod"].flatMap((ns) => Object.keys(defaultMacroValues(ns))));

/** Every macro the shipped templates may use. Frozen data: safe to serialize and show. */
export const macroCatalog: readonly MacroDefinition[] = Object.freeze(
  specs.map(({ read: _read, unread: _unread, derive: _derive, placeholder: _placeholder, ...spec }) =>
    Object.freeze({
      ...spec,
      secret: spec.secret ?? false,
      type: spec.type ?? "string",
      hasDefault: everyDefault.has(spec.name) || someDefault.has(spec.name),
    }),
  ),
);

/** The catalog entry for a macro name, if it exists. */
export function getMacro(name: string): MacroDefinition | undefined {
  return macrosByName.get(name);
}

const macrosByName: ReadonlyMap<string, MacroDefinition> = new Map(macroCatalog.map((m) => [m.name, m]));

/** Names of the secret macros. */
export const secretMacroNames: ReadonlySet<string> = new Set(macroCatalog.filter((m) => m.secret).map((m) => m.name));

/** A secret the system generates for a customer (`postgresUserPassword`), as a macro carries it. */
export interface GeneratedSecretMacro {
  /** The field of CustomerSecrets: `rsaPrivateKeyPem`. */
  field: keyof ProvisioningInput["secrets"];
  /** The macro: `rsa-content`. */
  macro: string;
  /** The secret from the macro's value (the PEM from its base64). */
  fromMacroValue: (value: string) => string;
}

/** The generated secrets' macros, read from the catalog (source `secrets`, input path `secrets.<field>`). */
export const generatedSecretMacros: readonly GeneratedSecretMacro[] = Object.freeze(
  specs
    .filter((spec) => spec.source === "secrets" && spec.inputPath?.startsWith("secrets."))
    .map((spec) => ({
      field: spec.inputPath!.slice("secrets.".length) as GeneratedSecretMacro["field"],
      macro: spec.name,
      fromMacroValue: spec.unread ?? ((value: string) => value),
    })),
);

/**
 * Every macro's value as far as `known` tells it, for describing an environment without a full input (its status
 * asked with a customer id and a namespace): the input's field when it can be read, then the namespace's defaults,
 * then a placeholder (`1` for integers) that no object name or selector should depend on.
 */
export function knownMacroValues(known: { environment: { namespace: string } }): Record<string, string> {
  const defaults = defaultMacroValues(known.environment.namespace);
  const values: Record<string, string> = {};
  for (const spec of specs) {
    if (spec.derive) continue;
    let value: string | undefined;
    try {
      value = str(spec.read(known as Input));
    } catch {
      // A part of the input that was not given (databases, secrets).
    }
    values[spec.name] = value ?? defaults[spec.name] ?? (spec.type === "integer" ? "1" : `unknown-${spec.name}`);
  }
  for (const spec of specs) {
    if (!spec.derive) continue;
    let value: string | Problem | undefined;
    try {
      value = spec.derive(known as Input, values);
    } catch {
      // Worked out from a part of the input that was not given.
    }
    values[spec.name] = typeof value === "string" ? value : (spec.placeholder ?? `unknown-${spec.name}`);
  }
  return values;
}

/**
 * Every macro's value for one input: the input's own field first, then the namespace's defaults, then the derived
 * values from those. A macro with no value is reported with the input path an operator should fill.
 */
export function resolveMacroValues(input: ProvisioningInput): Record<string, string> {
  const defaults = defaultMacroValues(input.environment.namespace);
  const values: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const spec of specs) {
    if (spec.derive) continue;
    const value = str(spec.read(input)) ?? defaults[spec.name];
    if (value === undefined) {
      problems.push({
        path: spec.inputPath ?? spec.name,
        message: `не задано значение макроса {{${spec.name}}} (${spec.description}); для пространства имён ${input.environment.namespace} нет значения по умолчанию`,
        code: "missing-macro-value",
      });
    } else {
      values[spec.name] = value;
    }
  }
  if (problems.length > 0) throw new SredaValidationError("INVALID_INPUT", "Не хватает настроек среды", problems);
  for (const spec of specs) {
    const value = spec.derive?.(input, values);
    if (typeof value === "string") values[spec.name] = value;
    else if (value) problems.push(value);
  }
  problems.push(...settingProblems(values));
  if (problems.length > 0) throw new SredaValidationError("INVALID_INPUT", "Настройки среды противоречат друг другу", problems);
  return values;
}

/** Settings that are valid one by one but not together. */
function settingProblems(values: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  if (values["autoscaling"] === "true" && Number(values["autoscaling-min-replicas"]) > Number(values["autoscaling-max-replicas"])) {
    problems.push({
      path: "environment.autoscaling.maxReplicas",
      message: `наибольшее число экземпляров (${values["autoscaling-max-replicas"]}) меньше наименьшего (${values["autoscaling-min-replicas"]})`,
      code: "autoscaling-range",
    });
  }
  return problems;
}
