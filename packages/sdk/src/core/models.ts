/**
 * The domain models. Each zod schema is both the validator and (via z.infer) the type of the same name.
 */
import { z } from "zod";
import { RequestTemplate } from "@sreda/templates";
import { LIMITS, bounded, boundedArray, multiLine, requiredLine, singleLine } from "./text.js";

const DNS1123_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const IPV4 = "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
/** Host name (DNS-1123 subdomain) or IPv4 address, as one pattern so the OpenAPI document states it. */
const HOST = new RegExp(`^(?:${IPV4}|(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)$`);
const PORT = "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
// A URL host: an IPv4 address, or a name whose last label starts with a letter (WHATWG URL reads a host that ends
// in a number as an IPv4 address and refuses `a.1` or `999.1.1.1`).
const HOST_NAME = `(?:${IPV4}|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?)`;
/** An API root URL: http(s), a host, an optional port, a path of unreserved, sub-delim and percent-encoded characters. */
const API_ROOT_URL = new RegExp(`^https?://${HOST_NAME}(?::${PORT})?(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?$`);
/** Kubernetes resource quantity as users write it (`250m`, `1`, `0.5`, `512Mi`, `1G`). */
const QUANTITY = /^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
/** Container image reference: [registry[:port]/]path[:tag][@digest], lowercase path. */
const IMAGE_REF =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** `C` followed by a positive integer without leading zeros: C42 yes; C0, C042, c42, C-1, C42x, 42 no. */
export const CustomerId = bounded(10).regex(/^C[1-9][0-9]{0,8}$/, "идентификатор клиента: C и номер без ведущих нулей, например C42");
export type CustomerId = z.infer<typeof CustomerId>;

/**
 * Phone as people write it: 7–15 digits (E.164) with spaces, brackets and hyphens between, an optional leading +;
 * one pattern (no refine), so the OpenAPI document states the whole rule. Surrounding spaces are trimmed.
 */
export const Phone = bounded(32)
  .regex(/^ *\+?[ ()-]*(?:[0-9][ ()-]*){7,15}$/, "телефон: от 7 до 15 цифр; пробелы, скобки, дефисы и + в начале")
  .trim();
export type Phone = z.infer<typeof Phone>;

// The e-mail pattern itself rules out control characters.
export const Email = z.email("адрес электронной почты указан неверно").max(254, { abort: true });
export type Email = z.infer<typeof Email>;

export const ContactPerson = z.strictObject({
  name: requiredLine(200, "укажите имя контактного лица"),
  position: singleLine(200).trim().optional(),
  phones: boundedArray(Phone, LIMITS.phonesPerContact, "телефонов у контактного лица").default([]),
  emails: boundedArray(Email, LIMITS.emailsPerContact, "адресов почты у контактного лица").default([]),
});
export type ContactPerson = z.infer<typeof ContactPerson>;

export const Customer = z.strictObject({
  id: CustomerId,
  organizationName: requiredLine(LIMITS.text, "укажите наименование организации"),
  contacts: boundedArray(ContactPerson, LIMITS.contacts, "контактных лиц").default([]),
});
export type Customer = z.infer<typeof Customer>;

export const Namespace = bounded(63).regex(DNS1123_LABEL, "пространство имён: DNS-1123 label (строчные латинские буквы, цифры, дефис; до 63 символов)");

/** Host name (DNS-1123 subdomain) or IPv4 address. */
export const Host = bounded(LIMITS.name).regex(HOST, "имя хоста (DNS) или IPv4-адрес");

/** The cluster's API root URL, e.g. a Rancher proxy base `https://host/k8s/clusters/c-m4hlh/`. */
export const ApiRootUrl = z
  .url({ protocol: /^https?$/, error: "корневой URL API кластера: http(s)://…" })
  .max(2048, { abort: true })
  // What the URL format leaves open, in one pattern every JSON Schema reader understands: a host name or IPv4
  // address, a port 1–65535, a path of URL characters — no login, no query, no fragment, nothing else.
  .regex(API_ROOT_URL, "корневой URL API кластера: http(s)://хост[:порт]/путь, без логина, пароля, параметров и якоря");

export const Quantity = bounded(64).regex(QUANTITY, "количество ресурса Kubernetes, например 250m, 1, 512Mi");

export const ContainerResources = z
  .object({
    cpuRequest: Quantity,
    cpuLimit: Quantity,
    memoryRequest: Quantity,
    memoryLimit: Quantity,
  })
  .partial();
export type ContainerResources = z.infer<typeof ContainerResources>;

const Secret = multiLine(LIMITS.secret).min(1);

/** `key=value` pairs joined by commas, as `kubectl -l` writes equality selectors; keys and values as labels allow. */
const LABEL_PAIR =
  "(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?/)?[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?=(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?";
export const PodLabels = bounded(1024).regex(
  new RegExp(`^${LABEL_PAIR}(?:,${LABEL_PAIR})*$`),
  "метки подов: ключ=значение через запятую, например app.kubernetes.io/name=ingress-nginx",
);

const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
/** An IPv4 address block: `10.66.0.0/16`, `192.0.2.10/32`. */
export const Cidr = bounded(18).regex(new RegExp(`^(?:${OCTET}\\.){3}${OCTET}/(?:3[0-2]|[12]?[0-9])$`), "адресный блок IPv4, например 10.66.0.0/16");

/**
 * Where a database is, for the network policies: address blocks (a server outside the cluster), or a namespace and
 * optionally its pods' labels (a server in the cluster). Neither: worked out from the host (an IPv4 address is its
 * own /32; `name`, `name.ns.svc[.cluster.local]` is a Service of that namespace); an external name must be given.
 */
export const NetworkPeerSettings = z.strictObject({
  cidrs: boundedArray(Cidr, 20, "адресных блоков").optional(),
  namespace: Namespace.optional(),
  podLabels: PodLabels.optional(),
});
export type NetworkPeerSettings = z.infer<typeof NetworkPeerSettings>;

/** TR-K8S-7: the customer's pods get only the traffic they need ("deny everything that is not allowed"). */
export const NetworkPolicySettings = z.strictObject({
  enabled: z.boolean().optional(),
  /** The ingress controller's namespace and pod labels: the only source of traffic to the application. */
  ingressControllerNamespace: Namespace.optional(),
  ingressControllerPodLabels: PodLabels.optional(),
  /** The cluster DNS (CoreDNS): every pod must resolve names. */
  dnsNamespace: Namespace.optional(),
  dnsPodLabels: PodLabels.optional(),
  postgres: NetworkPeerSettings.optional(),
  clickhouse: NetworkPeerSettings.optional(),
  /** Hosts outside the cluster the application calls (sms4b and the like), as address blocks, and their ports. */
  externalCidrs: boundedArray(Cidr, 50, "адресных блоков").optional(),
  externalPorts: boundedArray(z.number().int().min(1).max(65535), 10, "портов").optional(),
});
export type NetworkPolicySettings = z.infer<typeof NetworkPolicySettings>;

/** TR-K8S-5: the application scales horizontally on CPU and memory (autoscaling/v2). */
export const AutoscalingSettings = z.strictObject({
  enabled: z.boolean().optional(),
  minReplicas: z.number().int().min(1).max(100).optional(),
  maxReplicas: z.number().int().min(1).max(100).optional(),
  /** Target average utilization, percent of the request. */
  cpuUtilization: z.number().int().min(1).max(1000).optional(),
  memoryUtilization: z.number().int().min(1).max(1000).optional(),
});
export type AutoscalingSettings = z.infer<typeof AutoscalingSettings>;

/** A node drain never takes all of a customer's pods at once. */
export const DisruptionBudgetSettings = z.strictObject({
  enabled: z.boolean().optional(),
  maxUnavailable: z.number().int().min(1).max(100).optional(),
});
export type DisruptionBudgetSettings = z.infer<typeof DisruptionBudgetSettings>;

/**
 * Settings of one environment (a namespace of a cluster). Anything left out falls back to the namespace's
 * defaults from `@sreda/templates`; what has no default must be given.
 */
export const EnvironmentSettings = z.strictObject({
  namespace: Namespace,
  apiRootUrl: ApiRootUrl,
  publicDns: bounded(LIMITS.name).regex(DNS1123_SUBDOMAIN, "публичное DNS-имя сервиса").optional(),
  dockerImage: bounded(512).regex(IMAGE_REF, "ссылка на docker-образ: [реестр/]путь[:тег]").optional(),
  nfsServer: Host.optional(),
  nfsPath: bounded(4096)
    .regex(/^\/[^\u0000-\u001f\u007f]*$/, "абсолютный путь без управляющих символов")
    .optional(),
  imagePullSecret: bounded(LIMITS.name).regex(DNS1123_SUBDOMAIN, "имя секрета Kubernetes").optional(),
  tlsSecret: bounded(LIMITS.name).regex(DNS1123_SUBDOMAIN, "имя секрета Kubernetes").optional(),
  ingressClass: bounded(LIMITS.name).regex(DNS1123_SUBDOMAIN, "имя IngressClass").optional(),
  replicas: z.number().int().min(0).max(100).optional(),
  keysTokenTtlHours: z.number().int().positive().max(8760).optional(),
  keysRsaPath: bounded(LIMITS.name)
    .regex(/^\/etc\/lms\/[A-Za-z0-9._-]+$/, "путь к ключу внутри /etc/lms")
    .optional(),
  sms4b: z
    .object({
      sender: requiredLine(64, "укажите отправителя SMS").optional(),
      passcodeLifetimeSeconds: z.number().int().positive().max(86400).optional(),
      token: Secret.optional(),
    })
    .optional(),
  resources: ContainerResources.optional(),
  jobResources: ContainerResources.optional(),
  images: z
    .object({
      postgresClient: bounded(512).regex(IMAGE_REF).optional(),
      clickhouseClient: bounded(512).regex(IMAGE_REF).optional(),
    })
    .optional(),
  networkPolicies: NetworkPolicySettings.optional(),
  autoscaling: AutoscalingSettings.optional(),
  disruptionBudget: DisruptionBudgetSettings.optional(),
});
export type EnvironmentSettings = z.infer<typeof EnvironmentSettings>;

const DatabaseServer = z.strictObject({
  host: Host,
  port: z.number().int().min(1).max(65535).optional(),
  adminUser: singleLine(63).min(1).optional(),
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
const GeneratedPassword = bounded(128).regex(/^[A-Za-z0-9._~-]{16,128}$/, "пароль: 16–128 символов A-Z, a-z, 0-9, . _ ~ -");

/** A customer's generated secrets: created once, kept in 1C, never rotated by accident. */
export const CustomerSecrets = z.strictObject({
  rsaPrivateKeyPem: bounded(LIMITS.secret).regex(
    /^-----BEGIN (?:RSA )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (?:RSA )?PRIVATE KEY-----\s*$/,
    "закрытый ключ RSA в формате PEM",
  ),
  keysSecretSeed: bounded(128).regex(/^[0-9a-f]{128}$/, "64 байта в шестнадцатеричной записи (128 символов)"),
  postgresUserPassword: GeneratedPassword,
  clickhouseUserPassword: GeneratedPassword,
});
export type CustomerSecrets = z.infer<typeof CustomerSecrets>;

/** One environment variable kept in 1C: adds to or overrides the application's LMS_* variables. */
export const EnvironmentVariable = z.strictObject({
  name: bounded(LIMITS.name).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "имя переменной окружения: латиница, цифры, _; не с цифры"),
  value: multiLine(LIMITS.variableValue),
  /** A secret variable goes to the Secret, not the ConfigMap. */
  secret: z.boolean().default(false),
});
export type EnvironmentVariable = z.infer<typeof EnvironmentVariable>;

export const ProvisioningInput = z.strictObject({
  client: Customer,
  environment: EnvironmentSettings,
  databases: DatabaseAccess,
  variables: boundedArray(EnvironmentVariable, LIMITS.variables, "переменных окружения").default([]),
  secrets: CustomerSecrets,
  /** Template overrides (by id) or additions; the shipped ones are used otherwise. */
  templates: boundedArray(RequestTemplate, LIMITS.templates, "шаблонов").optional(),
});
export type ProvisioningInput = z.infer<typeof ProvisioningInput>;
/** What callers may pass (before defaults are applied). */
export type ProvisioningInputData = z.input<typeof ProvisioningInput>;
