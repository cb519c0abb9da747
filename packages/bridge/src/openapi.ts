/**
 * The OpenAPI 3.1 document, derived from the zod schemas in ./schemas.ts with zod's built-in `z.toJSONSchema`
 * (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect, so no adapter library is needed). Request schemas are
 * converted as zod *inputs* (fields with defaults are optional), responses as *outputs*.
 *
 * `API_ROUTES` is the one list of operations: the document's `paths` come from it, and a test checks that the
 * router serves exactly these routes.
 */
import { z } from "zod";
import { Customer, CustomerSecrets, DatabaseAccess, EnvironmentSettings, EnvironmentVariable, RequestTemplate } from "@sreda/sdk";
import * as s from "./schemas.js";

const requestRegistry = z.registry<{ id: string }>();
const responseRegistry = z.registry<{ id: string }>();

export const requestSchemas: Record<string, z.ZodType> = {
  ProvisioningRequest: s.ProvisioningRequest,
  PlanRequest: s.PlanRequest,
  EnvironmentStatusRequest: s.EnvironmentStatusRequest,
  EnvironmentRef: s.EnvironmentRef,
  DeprovisionRequest: s.DeprovisionRequest,
  InventoryRequest: s.InventoryRequest,
  FleetRequest: s.FleetRequest,
  RolloutRequest: s.RolloutRequest,
  FleetCustomer: s.FleetCustomer,
  ClusterAccess: s.ClusterAccess,
  KnownSecrets: s.KnownSecrets,
  Customer,
  EnvironmentSettings,
  DatabaseAccess,
  EnvironmentVariable,
  RequestTemplate,
};
export const responseSchemas: Record<string, z.ZodType> = {
  Error: s.ErrorResponse,
  Problem: s.Problem,
  Health: s.Health,
  Readiness: s.Readiness,
  TemplatesResponse: s.TemplatesResponse,
  Template: RequestTemplate,
  MacrosResponse: s.MacrosResponse,
  MacroDefinition: s.MacroDefinition,
  PlanResponse: s.PlanResponse,
  ProvisioningPlan: s.ProvisioningPlan,
  PlanStep: s.PlanStep,
  RenderedRequest: s.RenderedRequest,
  ObjectDiff: s.ObjectDiff,
  SecretSources: s.SecretSources,
  ProvisioningAccepted: s.ProvisioningAccepted,
  OperationResponse: s.OperationResponse,
  Operation: s.Operation,
  OperationStep: s.OperationStep,
  OperationEvent: s.OperationEvent,
  OperationError: s.OperationError,
  CustomerSecrets,
  EnvironmentAssessment: s.EnvironmentAssessment,
  StatusReason: s.StatusReason,
  EnvironmentStatusResponse: s.EnvironmentStatusResponse,
  EnvironmentStatusItem: s.EnvironmentStatusItem,
  DeprovisionPreview: s.DeprovisionPreview,
  InventoryResponse: s.InventoryResponse,
  InventoryEntry: s.InventoryEntry,
  DriftResponse: s.DriftResponse,
  CustomerDrift: s.CustomerDrift,
  RolloutProgress: s.RolloutProgress,
  RolloutCustomer: s.RolloutCustomer,
  RolloutSummary: s.RolloutSummary,
};
for (const [id, schema] of Object.entries(requestSchemas)) requestRegistry.add(schema, { id });
for (const [id, schema] of Object.entries(responseSchemas)) responseRegistry.add(schema, { id });

export interface ApiRoute {
  method: "get" | "post";
  /** OpenAPI path template (`/v1/provisionings/{id}`). */
  path: string;
  operationId: string;
  summary: string;
  /** Unauthenticated (health checks and the contract itself). */
  public?: boolean;
  request?: keyof typeof requestSchemas;
  /** Success status and schema id. */
  success: { status: number; schema?: keyof typeof responseSchemas; headers?: Record<string, string>; raw?: boolean };
  /** Another success answer of the same operation (a deprovisioning's dry run: 200 instead of 202). */
  alsoSuccess?: { status: number; schema: keyof typeof responseSchemas; description: string };
  /** Error statuses this operation may answer with (all `Error`). */
  errors: number[];
}

// Statuses by cause, so each route lists every status it can answer (a test sends each one).
const AUTH = [401];
/** A POST body is read and parsed whatever the route: not JSON, too large, wrong type or charset. */
const BODY = [400, 413, 415];
/** A body checked against the route's request schema. */
const INPUT = [...BODY, 422];
/** The bridge's own fault. */
const INTERNAL = [500];

export const API_ROUTES: readonly ApiRoute[] = [
  { method: "get", path: "/healthz", operationId: "health", summary: "Процесс жив", public: true, success: { status: 200, schema: "Health" }, errors: [] },
  {
    method: "get",
    path: "/readyz",
    operationId: "readiness",
    summary: "Мост готов принимать запросы (503 во время остановки)",
    public: true,
    success: { status: 200, schema: "Readiness" },
    errors: [503],
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "Этот документ OpenAPI 3.1",
    public: true,
    success: { status: 200, raw: true },
    errors: [],
  },
  {
    method: "get",
    path: "/v1/templates",
    operationId: "listTemplates",
    summary: "Поставляемые шаблоны запросов",
    success: { status: 200, schema: "TemplatesResponse" },
    errors: [...AUTH, ...INTERNAL],
  },
  {
    method: "get",
    path: "/v1/macros",
    operationId: "listMacros",
    summary: "Каталог макросов шаблонов",
    success: { status: 200, schema: "MacrosResponse" },
    errors: [...AUTH, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/plans",
    operationId: "createPlan",
    summary: "Пробный прогон: план запросов с замаскированными секретами; с diff — сравнение с кластером",
    request: "PlanRequest",
    success: { status: 200, schema: "PlanResponse" },
    errors: [...AUTH, ...INPUT, 403, 502, 503, 504, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/provisionings",
    operationId: "startProvisioning",
    summary: "Запуск развёртывания среды клиента (202, операция в Location)",
    request: "ProvisioningRequest",
    success: { status: 202, schema: "ProvisioningAccepted", headers: { Location: "Адрес операции: /v1/provisionings/{id}" } },
    errors: [...AUTH, ...INPUT, 403, 409, 503, ...INTERNAL],
  },
  {
    method: "get",
    path: "/v1/provisionings/{id}",
    operationId: "getProvisioning",
    summary: "Ход развёртывания (и любой другой операции, как /v1/operations/{id}): шаги, события, состояние среды; один раз — созданные секреты",
    success: { status: 200, schema: "OperationResponse" },
    errors: [...AUTH, 404, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/provisionings/{id}/cancel",
    operationId: "cancelProvisioning",
    summary: "Отмена развёртывания (и любой другой операции, как /v1/operations/{id}/cancel)",
    success: { status: 202, schema: "OperationResponse" },
    errors: [...AUTH, ...BODY, 404, 409, ...INTERNAL],
  },
  {
    method: "get",
    path: "/v1/operations/{id}",
    operationId: "getOperation",
    summary: "Ход операции любого вида (развёртывание, приостановка, возобновление, удаление среды): шаги, события, состояние среды",
    success: { status: 200, schema: "OperationResponse" },
    errors: [...AUTH, 404, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/operations/{id}/cancel",
    operationId: "cancelOperation",
    summary: "Отмена операции любого вида",
    success: { status: 202, schema: "OperationResponse" },
    errors: [...AUTH, ...BODY, 404, 409, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/environments/status",
    operationId: "environmentStatus",
    summary: "Текущее состояние одной или нескольких сред клиентов",
    request: "EnvironmentStatusRequest",
    success: { status: 200, schema: "EnvironmentStatusResponse" },
    errors: [...AUTH, ...INPUT, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/environments/suspend",
    operationId: "suspendEnvironment",
    summary: "Приостановка среды клиента: приложение остановлено, данные и объекты сохранены (202, операция в Location)",
    request: "EnvironmentRef",
    success: { status: 202, schema: "OperationResponse", headers: { Location: "Адрес операции: /v1/operations/{id}" } },
    errors: [...AUTH, ...INPUT, 403, 409, 503, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/environments/resume",
    operationId: "resumeEnvironment",
    summary: "Возобновление приостановленной среды клиента (202, операция в Location)",
    request: "EnvironmentRef",
    success: { status: 202, schema: "OperationResponse", headers: { Location: "Адрес операции: /v1/operations/{id}" } },
    errors: [...AUTH, ...INPUT, 403, 409, 503, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/environments/deprovision",
    operationId: "deprovisionEnvironment",
    summary:
      "Удаление среды клиента: все его объекты, с dropData и confirmClientId — и базы данных (202, операция в Location); с dryRun — только список того, что будет удалено (200)",
    request: "DeprovisionRequest",
    success: { status: 202, schema: "OperationResponse", headers: { Location: "Адрес операции: /v1/operations/{id}" } },
    alsoSuccess: { status: 200, schema: "DeprovisionPreview", description: "dryRun: что будет удалено; ничего не изменено" },
    errors: [...AUTH, ...INPUT, 403, 409, 502, 503, 504, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/operations/{id}/pause",
    operationId: "pauseOperation",
    summary: "Пауза раскатки: начатые клиенты завершатся, новые не начнутся (409 у других видов операций и у завершённых)",
    success: { status: 202, schema: "OperationResponse" },
    errors: [...AUTH, ...BODY, 404, 409, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/operations/{id}/resume",
    operationId: "resumeOperation",
    summary: "Продолжение приостановленной раскатки",
    success: { status: 202, schema: "OperationResponse" },
    errors: [...AUTH, ...BODY, 404, 409, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/fleet/inventory",
    operationId: "fleetInventory",
    summary:
      "Все среды клиентов пространства имён по данным кластера (по спискам, не по запросу на клиента): образ, реплики, фаза, возраст, хэш конфигурации; сироты и отсутствующие",
    request: "InventoryRequest",
    success: { status: 200, schema: "InventoryResponse" },
    errors: [...AUTH, ...INPUT, 403, 502, 503, 504, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/fleet/drift",
    operationId: "fleetDrift",
    summary: "Расхождения сред клиентов с тем, что хранит 1С: изменённые пути каждого объекта, как у сравнения одного клиента",
    request: "FleetRequest",
    success: { status: 200, schema: "DriftResponse" },
    errors: [...AUTH, ...INPUT, 403, 502, 503, 504, ...INTERNAL],
  },
  {
    method: "post",
    path: "/v1/fleet/rollouts",
    operationId: "startRollout",
    summary: "Раскатка изменения на многих клиентов: первая волна, одновременность, предел неудач; ход по клиентам в операции (202, операция в Location)",
    request: "RolloutRequest",
    success: { status: 202, schema: "OperationResponse", headers: { Location: "Адрес операции: /v1/operations/{id}" } },
    errors: [...AUTH, ...INPUT, 403, 409, 503, ...INTERNAL],
  },
];

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Тело запроса — не JSON (code BAD_JSON) или не читается в указанной кодировке",
  401: "Нет токена моста или он неверен (UNAUTHORIZED)",
  403: "Кластер не входит в список разрешённых мосту (CLUSTER_NOT_ALLOWED): мост к нему не обращается",
  404: "Нет такой операции (OPERATION_NOT_FOUND)",
  409: "Для клиента уже выполняется операция: этого моста (PROVISIONING_IN_PROGRESS, details.operationId, details.kind) или другого процесса по его блокировке в кластере (OPERATION_IN_PROGRESS, details.holder, details.operation, details.since); у раскатки — в пространстве имён уже идёт раскатка (PROVISIONING_IN_PROGRESS); у отмены и паузы — операция уже завершена (OPERATION_FINISHED); у паузы — операция не раскатка (OPERATION_NOT_PAUSABLE)",
  413: "Тело запроса больше допустимого (PAYLOAD_TOO_LARGE)",
  415: "Тип или кодировка тела не поддерживаются (UNSUPPORTED_MEDIA_TYPE)",
  422: "Входные данные не прошли проверку (INVALID_INPUT, details.problems[] с путями — не больше 100, остальные сосчитаны в details.moreProblems)",
  500: "Сбой моста (INTERNAL_ERROR); подробности — в журнале сервиса по details.requestId",
  502: "Кластер недоступен или отклонил запрос (CLUSTER_UNREACHABLE, CLUSTER_UNAUTHORIZED, CLUSTER_FORBIDDEN, CLUSTER_ERROR)",
  503: "Мост останавливается (SHUTTING_DOWN) или кластер перегружен (CLUSTER_UNAVAILABLE)",
  504: "Кластер не ответил вовремя (CLUSTER_TIMEOUT)",
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Drops what JSON Schema puts at a document's root but OpenAPI components do not need. */
function componentSchemas(schemas: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
      return [id, rest];
    }),
  );
}

function convert(registry: typeof requestRegistry, io: "input" | "output"): Record<string, unknown> {
  const result = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, unknown> };
  return componentSchemas(result.schemas);
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of the bridge (built once; callers must not mutate it). */
export function createOpenApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const responses: Record<string, unknown> = {
      [String(route.success.status)]: {
        description: route.summary,
        ...(route.success.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(route.success.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]),
              ),
            }
          : {}),
        content: { "application/json": { schema: route.success.raw ? { type: "object" } : ref(route.success.schema!) } },
      },
    };
    if (route.alsoSuccess) {
      const { status, schema, description } = route.alsoSuccess;
      responses[String(status)] = { description, content: { "application/json": { schema: ref(schema) } } };
    }
    for (const status of route.errors) {
      responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? "Ошибка", content: { "application/json": { schema: ref("Error") } } };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.public ? { security: [] } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(route.request ? { requestBody: { required: true, content: { "application/json": { schema: ref(route.request) } } } } : {}),
      responses,
    };
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Sreda bridge",
      version: "0.1.0",
      description:
        "HTTP API моста Sreda для 1С:Предприятия. JSON в UTF-8 (BOM допускается), аутентификация: заголовок Authorization: Bearer <токен моста>. " +
        "Ошибки: { code, message, details }, message — по-русски, details.problems — пути к неверным полям. Заголовок X-Request-Id передаётся и возвращается. " +
        "Каждая операция перечисляет свои ответы; любой адрес вне операций отвечает 404, а метод, которого у адреса нет (в том числе TRACE), — 405 с заголовком Allow (components.responses).",
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      // What any address answers outside its operations (the router's answers, the same error body).
      responses: {
        NotFound: { description: "404 NOT_FOUND: нет такого адреса", content: { "application/json": { schema: ref("Error") } } },
        MethodNotAllowed: {
          description: "405 METHOD_NOT_ALLOWED: у адреса нет такого метода, какой бы он ни был (заголовок Allow перечисляет допустимые)",
          content: { "application/json": { schema: ref("Error") } },
        },
      },
      schemas: { ...convert(responseRegistry, "output"), ...convert(requestRegistry, "input") },
    },
  };
  return cached;
}
