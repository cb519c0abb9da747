/**
 * The domain models. Each zod schema is both the validator and (via z.infer) the type of the same name.
 */
import { z } from "zod";
import { RequestTemplate } from "@sreda/templates";

const DNS1123_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
/** Kubernetes resource quantity as users write it (`250m`, `1`, `0.5`, `512Mi`, `1G`). */
const QUANTITY = /^(?:\d+(?:\.\d+)?|\.\d+)(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
/** Container image reference: [registry[:port]/]path[:tag][@digest], lowercase path. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** `C` followed by a positive integer without leading zeros: C42 yes; C0, C042, c42, C-1, C42x, 42 no. */
export const ClientId = z
  .string()
  .regex(/^C[1-9]\d{0,8}$/, "идентификатор клиента: C и номер без ведущих нулей, например C42");
export type ClientId = z.infer<typeof ClientId>;

/** Phone as people write it; normalized digits (with an optional leading +) must be 7–15 long (E.164). */
export const Phone = z
  .string()
  .trim()
  .regex(/^\+?[\d\s()-]+$/, "телефон: цифры, пробелы, скобки, дефисы и + в начале")
  .refine((v) => {
    const digits = v.replace(/\D/g, "");
    return digits.length >= 7 && digits.length <= 15;
  }, "телефон: от 7 до 15 цифр");
export type Phone = z.infer<typeof Phone>;

export const Email = z.email("адрес электронной почты указан неверно");
export type Email = z.infer<typeof Email>;

export const ContactPerson = z.strictObject({
  name: z.string().trim().min(1, "укажите имя контактного лица").max(200),
  position: z.string().trim().max(200).optional(),
  phones: z.array(Phone).default([]),
  emails: z.array(Email).default([]),
});
export type ContactPerson = z.infer<typeof ContactPerson>;

export const Client = z.strictObject({
  id: ClientId,
  organizationName: z.string().trim().min(1, "укажите наименование организации").max(500),
  contacts: z.array(ContactPerson).default([]),
});
export type Client = z.infer<typeof Client>;

export const Namespace = z
  .string()
  .regex(DNS1123_LABEL, "пространство имён: DNS-1123 label (строчные латинские буквы, цифры, дефис; до 63 символов)");

/** Host name (DNS-1123 subdomain) or IPv4 address. */
export const Host = z
  .string()
  .refine((v) => IPV4.test(v) || DNS1123_SUBDOMAIN.test(v), "имя хоста (DNS) или IPv4-адрес");

/** The cluster's API root URL, e.g. a Rancher proxy base `https://host/k8s/clusters/c-m4hlh/`. */
export const ApiRootUrl = z
  .url({ protocol: /^https?$/, error: "корневой URL API кластера: http(s)://…" })
  .refine((v) => {
    if (!URL.canParse(v)) return true; // reported by the url check
    const u = new URL(v);
    return !u.username && !u.password && !u.search && !u.hash;
  }, "корневой URL API кластера без логина, пароля, параметров и якоря");

export const Quantity = z.string().regex(QUANTITY, "количество ресурса Kubernetes, например 250m, 1, 512Mi");

export const ContainerResources = z
  .object({
    cpuRequest: Quantity,
    cpuLimit: Quantity,
    memoryRequest: Quantity,
    memoryLimit: Quantity,
  })
  .partial();
export type ContainerResources = z.infer<typeof ContainerResources>;

const Secret = z.string().min(1);

/**
 * Settings of one environment (a namespace of a cluster). Anything left out falls back to the namespace's
 * defaults from `@sreda/templates`; what has no default must be given.
 */
export const EnvironmentSettings = z.strictObject({
  namespace: Namespace,
  apiRootUrl: ApiRootUrl,
  publicDns: z.string().regex(DNS1123_SUBDOMAIN, "публичное DNS-имя сервиса").optional(),
  dockerImage: z.string().regex(IMAGE_REF, "ссылка на docker-образ: [реестр/]путь[:тег]").optional(),
  nfsServer: Host.optional(),
  nfsPath: z.string().regex(/^\/[^\0]*$/, "абсолютный путь").optional(),
  imagePullSecret: z.string().regex(DNS1123_SUBDOMAIN, "имя секрета Kubernetes").optional(),
  tlsSecret: z.string().regex(DNS1123_SUBDOMAIN, "имя секрета Kubernetes").optional(),
  ingressClass: z.string().regex(DNS1123_SUBDOMAIN, "имя IngressClass").optional(),
  replicas: z.number().int().min(0).max(100).optional(),
  keysTokenTtlHours: z.number().int().positive().max(8760).optional(),
  keysRsaPath: z.string().regex(/^\/etc\/lms\/[A-Za-z0-9._-]+$/, "путь к ключу внутри /etc/lms").optional(),
  sms4b: z
    .object({
      sender: z.string().trim().min(1).max(64).optional(),
      passcodeLifetimeSeconds: z.number().int().positive().max(86400).optional(),
      token: Secret.optional(),
    })
    .optional(),
  resources: ContainerResources.optional(),
  jobResources: ContainerResources.optional(),
  images: z
    .object({
      postgresClient: z.string().regex(IMAGE_REF).optional(),
      clickhouseClient: z.string().regex(IMAGE_REF).optional(),
    })
    .optional(),
});
export type EnvironmentSettings = z.infer<typeof EnvironmentSettings>;

const DatabaseServer = z.strictObject({
  host: Host,
  port: z.number().int().min(1).max(65535).optional(),
  adminUser: z.string().min(1).max(63).optional(),
  adminPassword: Secret,
});

/** System access to the database servers (the operator's settings; passwords are secrets). */
export const DatabaseAccess = z.strictObject({
  postgres: DatabaseServer,
  clickhouse: DatabaseServer,
});
export type DatabaseAccess = z.infer<typeof DatabaseAccess>;

/** Characters safe unquoted in URLs (RFC 3986 unreserved), shells and SQL literals. */
export const SAFE_PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const GeneratedPassword = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{16,128}$/, "пароль: 16–128 символов A-Z, a-z, 0-9, . _ ~ -");

/** A customer's generated secrets: created once, kept in 1C, never rotated by accident. */
export const ClientSecrets = z.strictObject({
  rsaPrivateKeyPem: z
    .string()
    .regex(
      /^-----BEGIN (?:RSA )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (?:RSA )?PRIVATE KEY-----\s*$/,
      "закрытый ключ RSA в формате PEM",
    ),
  keysSecretSeed: z.string().regex(/^[0-9a-f]{128}$/, "64 байта в шестнадцатеричной записи (128 символов)"),
  postgresPassword: GeneratedPassword,
  clickhousePassword: GeneratedPassword,
});
export type ClientSecrets = z.infer<typeof ClientSecrets>;

/** One environment variable kept in 1C: adds to or overrides the application's LMS_* variables. */
export const EnvironmentVariable = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "имя переменной окружения: латиница, цифры, _; не с цифры").max(253),
  value: z.string().max(1024 * 1024),
  /** A secret variable goes to the Secret, not the ConfigMap. */
  secret: z.boolean().default(false),
});
export type EnvironmentVariable = z.infer<typeof EnvironmentVariable>;

export const ProvisioningInput = z.strictObject({
  client: Client,
  environment: EnvironmentSettings,
  databases: DatabaseAccess,
  variables: z.array(EnvironmentVariable).default([]),
  secrets: ClientSecrets,
  /** Template overrides (by id) or additions; the shipped ones are used otherwise. */
  templates: z.array(RequestTemplate).optional(),
});
export type ProvisioningInput = z.infer<typeof ProvisioningInput>;
/** What callers may pass (before defaults are applied). */
export type ProvisioningInputData = z.input<typeof ProvisioningInput>;
