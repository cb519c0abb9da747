/**
 * The bridge's contract, once: these zod schemas validate every request body, describe every response, and are
 * turned into the OpenAPI document (./openapi.ts), from which openapi-typescript generates the TypeScript types
 * of the typed client (src/generated/api.d.ts). What the SDK produces or takes — the provisioning input, plans,
 * macros, status, secret sources — is the SDK's own schema, imported, and extended here only where the bridge adds
 * something (test/contract-types.test.ts holds the two together at compile time).
 */
import { z } from "zod";
import { BRIDGE_ERROR_CODES } from "./errors.js";
import {
  ApiRootUrl,
  Customer,
  CustomerDrift,
  EnvironmentPhase,
  fleetShape,
  Inventory,
  MAX_FLEET_CUSTOMERS,
  RolloutOutcome,
  CustomerSecrets,
  EnvironmentAssessment,
  EnvironmentSettings,
  LIMITS,
  MacroDefinition,
  ObjectDiff as SdkObjectDiff,
  ProvisioningInput,
  ProvisioningPlan,
  RequestTemplate,
  SecretSource as SdkSecretSource,
  SecretSources as SdkSecretSources,
  multiLine,
  singleLine,
} from "@sreda/sdk";

// The SDK's response schemas the document names (./openapi.ts) — here too, so `schemas` is the whole contract.
export { EnvironmentAssessment, MacroDefinition, PlanStep, ProvisioningPlan, RenderedRequest, StatusReason } from "@sreda/sdk";
export { CustomerDrift, EnvironmentPhase, FleetCustomer, InventoryEntry } from "@sreda/sdk";

// ---------------------------------------------------------------------------------------------------------------
// Requests

/**
 * How to reach the cluster. Sent with every call that needs it and never kept: the bridge holds no Kubernetes
 * credentials at rest. `apiRootUrl` defaults to `environment.apiRootUrl` (give it when the bridge must reach the
 * cluster by another address than the one the templates use).
 */
export const ClusterAccess = z
  .strictObject({
    apiRootUrl: ApiRootUrl.optional(),
    token: singleLine(LIMITS.secret).min(1, "укажите токен доступа к кластеру"),
    caCert: multiLine(LIMITS.pem)
      .regex(/-----BEGIN CERTIFICATE-----/, "сертификат CA в формате PEM")
      .optional(),
    insecureSkipTlsVerify: z.boolean().optional(),
  })
  .refine((c) => !(c.caCert !== undefined && c.insecureSkipTlsVerify), {
    message: "caCert и insecureSkipTlsVerify исключают друг друга",
    path: ["insecureSkipTlsVerify"],
  })
  // The same rule for the OpenAPI document (a refine has no JSON Schema of its own).
  .meta({ not: { required: ["caCert", "insecureSkipTlsVerify"], properties: { insecureSkipTlsVerify: { const: true } } } });
export type ClusterAccess = z.infer<typeof ClusterAccess>;

/** The customer's secrets as 1C keeps them; any of them may be missing (read back from the cluster or generated). */
export const KnownSecrets = CustomerSecrets.partial();

/** What 1C stores for one customer environment: the SDK's provisioning input, secrets optional, plus the cluster. */
export const ProvisioningRequest = z.strictObject({
  ...ProvisioningInput.shape,
  // Optional without the SDK's default `[]`: a default would make the field required in the generated client types.
  variables: ProvisioningInput.shape.variables.unwrap().optional(),
  /** Known secrets; when absent they are read back from the cluster, and what exists nowhere is generated. */
  secrets: KnownSecrets.optional(),
  cluster: ClusterAccess,
  /** A suspended customer stays suspended through a provisioning unless this is true. */
  resume: z.boolean().optional().describe("Возобновить приостановленную среду; без этого приостановленная среда после развёртывания остаётся приостановленной"),
});
export type ProvisioningRequest = z.infer<typeof ProvisioningRequest>;

/** A dry run: the same body, the cluster needed only for `diff`. */
export const PlanRequest = z.strictObject({
  ...ProvisioningRequest.shape,
  cluster: ClusterAccess.optional(),
  /** Also compare every object with the live cluster. */
  diff: z.boolean().optional().describe("Также сравнить каждый объект плана с кластером (нужен cluster)"),
});
export type PlanRequest = z.infer<typeof PlanRequest>;

/**
 * One environment: what identifies it, and how to reach its cluster — an item of a status request, and the body of
 * a suspend or a resume. Extra fields are ignored (1C may send the whole provisioning request).
 */
export const EnvironmentRef = z.object({
  client: z.object({ id: Customer.shape.id }),
  environment: z.object({ namespace: EnvironmentSettings.shape.namespace, apiRootUrl: EnvironmentSettings.shape.apiRootUrl }),
  cluster: ClusterAccess,
  templates: ProvisioningInput.shape.templates,
});
export type EnvironmentRef = z.infer<typeof EnvironmentRef>;

/**
 * Deprovisioning one customer: what a provisioning request carries (the databases needed only to drop data), plus
 * what to do. Dropping the databases needs the customer's id repeated in `confirmClientId`; `dryRun` only lists
 * what would be deleted.
 */
export const DeprovisionRequest = z.strictObject({
  ...ProvisioningRequest.omit({ resume: true }).shape,
  databases: ProvisioningInput.shape.databases.optional().describe("Доступ к базам данных; нужен только с dropData"),
  dropData: z.boolean().optional().describe("Также удалить базы данных и пользователей клиента в PostgreSQL и ClickHouse (нужны databases и confirmClientId)"),
  confirmClientId: Customer.shape.id.optional().describe("Идентификатор клиента ещё раз: подтверждение удаления данных (с dropData)"),
  dryRun: z.boolean().optional().describe("Только показать, что будет удалено: ничего не менять"),
});
export type DeprovisionRequest = z.infer<typeof DeprovisionRequest>;

// ---------------------------------------------------------------------------------------------------------------
// The fleet: many customers of one namespace

/**
 * Customers of one namespace as 1C holds them: the namespace's shared settings once, then each customer — so a
 * thousand customers fit in a request without repeating the settings. The body of a drift check. Each customer once
 * (../fleet.ts checks it: a rule of the request, not of its shape).
 */
export const FleetRequest = z.strictObject({ ...fleetShape, cluster: ClusterAccess });
export type FleetRequest = z.infer<typeof FleetRequest>;

/**
 * A rollout: the customers, and how carefully to go. Optional without zod defaults (a default would make the field
 * required in the generated client types); ../rollout.ts fills them in (ROLLOUT_DEFAULTS).
 */
export const RolloutRequest = z.strictObject({
  ...fleetShape,
  cluster: ClusterAccess,
  canary: z
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe("Клиентов в первой волне (канарейке): все они должны стать готовыми, прежде чем начнутся остальные; по умолчанию 1"),
  concurrency: z.number().int().min(1).max(50).optional().describe("Клиентов одновременно после первой волны; по умолчанию 4"),
  maxFailures: z.number().int().min(1).max(MAX_FLEET_CUSTOMERS).optional().describe("После стольких неудач новые клиенты не начинаются; по умолчанию 1"),
  skipUpToDate: z.boolean().optional().describe("Пропускать клиентов, чьи среды уже совпадают с планом; по умолчанию да"),
});
export type RolloutRequest = z.infer<typeof RolloutRequest>;

/** The namespace whose environments to list, and which customers 1C knows there (to name orphans and missing ones). */
export const InventoryRequest = z.strictObject({
  environment: z.strictObject({ namespace: EnvironmentSettings.shape.namespace, apiRootUrl: EnvironmentSettings.shape.apiRootUrl }),
  cluster: ClusterAccess,
  clientIds: z
    .array(Customer.shape.id)
    .max(MAX_FLEET_CUSTOMERS * 5, { abort: true, error: `не больше ${MAX_FLEET_CUSTOMERS * 5} клиентов` })
    .optional()
    .describe("Клиенты пространства имён по данным 1С: без них сироты и отсутствующие не определяются"),
});
export type InventoryRequest = z.infer<typeof InventoryRequest>;

export const EnvironmentStatusRequest = z.strictObject({
  environments: z.array(EnvironmentRef).max(100, { abort: true, error: "не больше 100 сред за один запрос" }).min(1, "укажите хотя бы одну среду"),
});
export type EnvironmentStatusRequest = z.infer<typeof EnvironmentStatusRequest>;

// ---------------------------------------------------------------------------------------------------------------
// Responses

export const Problem = z.object({ path: z.string(), message: z.string(), code: z.string().optional() });

/** Every error answer: `code` for programs, `message` (Russian) for people, `details.problems` for bad input. */
export const ErrorResponse = z.object({
  code: z.enum(BRIDGE_ERROR_CODES).describe("Код ошибки (таблица ошибок в README моста); BRIDGE_UNREACHABLE - ответа моста нет вовсе (типизированный клиент)"),
  message: z.string(),
  details: z
    .object({
      problems: z.array(Problem).optional(),
      moreProblems: z.number().int().optional().describe("Сколько ещё проблем не перечислено"),
      requestId: z.string().optional().describe("Идентификатор запроса в журнале моста (у INTERNAL_ERROR)"),
    })
    .catchall(z.unknown()),
});

export const Health = z.object({ status: z.enum(["ok"]) });
export const Readiness = z.object({
  status: z.enum(["ready", "shutting-down"]),
  development: z.boolean(),
  operations: z.object({ running: z.number().int(), kept: z.number().int() }),
});

export const TemplatesResponse = z.object({ templates: z.array(RequestTemplate) });

export const MacrosResponse = z.object({ macros: z.array(MacroDefinition) });

/** One object compared with the cluster: created, changed (which fields), or already as wanted. */
/** The SDK's: one object of a plan compared with the cluster. */
export const ObjectDiff = SdkObjectDiff;

/** The SDK's secret sources, plus the bridge's `placeholder` (a dry run without the cluster, see PlanResponse). */
export const SecretSource = z.enum([...SdkSecretSource.options, "placeholder"]);
export const SecretSources = SdkSecretSources.extend({
  rsaPrivateKeyPem: SecretSource,
  keysSecretSeed: SecretSource,
  postgresUserPassword: SecretSource,
  clickhouseUserPassword: SecretSource,
} satisfies Record<keyof SdkSecretSources, unknown>);

export const PlanResponse = z.object({
  /** The plan with every secret value replaced by `<redacted>`. */
  plan: ProvisioningPlan,
  /**
   * Where each secret of the plan came from. `placeholder`: not supplied and no cluster to read it from — the
   * plan shows where it goes, masked; a provisioning reads it back from the cluster or generates it.
   */
  secretSources: SecretSources,
  /** With `diff: true`: one entry per step, in plan order. */
  diff: z.array(ObjectDiff).optional(),
});

/** What a deprovisioning would delete, before anything is (`dryRun: true`). */
export const DeprovisionPreview = z.object({
  /** The databases would be dropped first (`teardown`). */
  dropData: z.boolean(),
  /** Every object of the customer in the namespace, in the order they would be deleted. */
  objects: z.array(z.object({ kind: z.string(), name: z.string() })).describe("Объекты клиента, которые будут удалены, в порядке удаления"),
  /** With `dropData`: the Secret and Jobs that drop the databases, run before the objects are deleted. */
  teardown: z
    .array(z.object({ id: z.string(), kind: z.string(), name: z.string() }))
    .describe("С dropData: секрет и задания удаления баз данных, выполняются до удаления объектов"),
});

export const OperationStatus = z.enum(["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]);
export const OperationStage = z.enum(["queued", "secrets", "preflight", "applying", "waiting", "done"]);
export const StepStatus = z.enum(["pending", "running", "created", "updated", "unchanged", "deleted", "failed", "skipped", "cancelled"]);

/** What an operation does: provisioning, suspend, resume, deprovision or a rollout (one model: 202, progress, cancel, journal). */
export const OperationKind = z.enum(["provisioning", "suspend", "resume", "deprovision", "rollout"]);
export type OperationKind = z.infer<typeof OperationKind>;

export const OperationStep = z.object({
  id: z.string(),
  title: z.string(),
  kind: z.string(),
  name: z.string(),
  status: StepStatus,
  message: z.string(),
  reason: z.string().optional(),
  attempts: z.number().int(),
  logs: z.array(z.string()).optional(),
});

/** A customer's object the plan no longer produces, and what pruning did with it (name empty: a kind not listed). */
export const PrunedObject = z.object({
  kind: z.string(),
  name: z.string(),
  outcome: z.enum(["deleted", "failed"]),
  message: z.string(),
  reason: z.string().optional(),
});

export const OperationEvent = z.object({
  at: z.string(),
  type: z.string(),
  stepId: z.string().optional(),
  message: z.string(),
});

/** A customer of a rollout: waiting, running, or what became of it (the SDK's outcomes). */
export const RolloutCustomerState = z.enum(["pending", "running", ...RolloutOutcome.options]);

export const RolloutCustomer = z.object({
  clientId: z.string(),
  state: RolloutCustomerState,
  /** In the first wave. */
  canary: z.boolean(),
  /** The environment's phase when its provisioning ended. */
  phase: EnvironmentPhase.optional(),
  message: z.string(),
});

export const RolloutSummary = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  upToDate: z.number().int(),
  notStarted: z.number().int(),
  cancelled: z.number().int(),
});

/** A rollout's progress: its settings, whether it is paused or waiting for room, and every customer's state. */
export const RolloutProgress = z.object({
  canary: z.number().int(),
  concurrency: z.number().int(),
  maxFailures: z.number().int(),
  paused: z.boolean(),
  /** While pods wait for room: the scheduler's message (no new customer starts meanwhile). */
  waitingForRoom: z.string().optional().describe("Пока поды ждут места в кластере: сообщение планировщика (новые клиенты не начинаются)"),
  /** Why no new customer starts any more (the failure limit, a failed canary). */
  stopReason: z.string().optional(),
  summary: RolloutSummary,
  customers: z.array(RolloutCustomer),
});

export const OperationError = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });

export const Operation = z.object({
  id: z.string(),
  kind: OperationKind,
  status: OperationStatus,
  stage: OperationStage.describe(
    "развёртывание: queued → secrets → preflight → applying → waiting → done; приостановка и возобновление: queued → applying → waiting → done; удаление: queued → applying → done",
  ),
  clientId: z.string(),
  namespace: z.string(),
  /** The cluster's API root (no credentials). */
  cluster: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  /** A deprovisioning's steps are found while it runs (one per object deleted): the list grows. */
  steps: z.array(OperationStep).describe("Шаги; у удаления среды они появляются по ходу выполнения (по одному на удаляемый объект)"),
  /** The customer's objects the plan no longer produces, deleted after every step succeeded. */
  pruned: z.array(PrunedObject).describe("Удалённые объекты клиента, которых больше нет в плане"),
  /** The latest events, oldest first (bounded). */
  events: z.array(OperationEvent),
  /** The environment's phase and reasons, once the requests are applied (a deprovisioning has none). */
  environment: EnvironmentAssessment.nullable(),
  error: OperationError.optional(),
  /** Where each secret came from, once resolved. */
  secretSources: SecretSources.optional(),
  /**
   * The secrets read back from the cluster or generated, for 1C to keep: present in exactly one answer — the first
   * GET of this operation after they are known — then wiped from memory; never journaled.
   */
  secrets: CustomerSecrets.optional(),
  /** True once `secrets` has been handed out. */
  secretsDelivered: z.boolean().describe("Секреты уже выданы (поле secrets было в одном из ответов)"),
  /** A rollout's progress (only a rollout has it; its clientId is empty). */
  rollout: RolloutProgress.optional().describe("Ход раскатки по клиентам (только у раскатки; clientId у неё пустой)"),
});
export type OperationView = z.infer<typeof Operation>;

export const ProvisioningAccepted = z.object({ operation: Operation });
export const OperationResponse = z.object({ operation: Operation });

export const EnvironmentStatusItem = z.object({
  clientId: z.string(),
  namespace: z.string(),
  /** Absent when the environment could not be read; then `error` says why. */
  status: EnvironmentAssessment.optional(),
  error: OperationError.optional(),
  /** The running provisioning of this environment, if any. */
  operationId: z.string().optional(),
});
export const EnvironmentStatusResponse = z.object({ environments: z.array(EnvironmentStatusItem) });

/** Every environment of a namespace, read from the cluster (the SDK's inventory). */
export const InventoryResponse = Inventory;

export const DriftResponse = z.object({
  namespace: z.string(),
  /** How many customers differ from their plan. */
  drifted: z.number().int(),
  /** One entry per customer compared, in the request's order. */
  customers: z.array(CustomerDrift),
  /** Customers not compared, and why (their plan does not build, a secret stored in the cluster fails validation). */
  notChecked: z
    .array(z.object({ clientId: z.string(), message: z.string() }))
    .describe("Клиенты, которых не удалось сравнить, и почему (план не строится, секрет в кластере не проходит проверку)"),
});
