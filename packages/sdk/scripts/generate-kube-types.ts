/**
 * Regenerates src/generated/kube-api.d.ts — the typed `paths`/`components` that openapi-fetch uses for the
 * Kubernetes client — from the official Kubernetes 1.35 OpenAPI v3 documents.
 * Usage: npm run generate:kube-types --workspace @sreda/sdk  (KUBE_OPENAPI_DIR overrides the input folder)
 *
 * Steps: merge the four documents → keep only the paths Sreda calls → add the authorization API by hand (it is
 * not in these four documents) → drop description texts, defaults, extensions and the media types we never send
 * (yaml, protobuf, cbor, watch streams) → keep only the schemas reachable from what is left → openapi-typescript.
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { collectionPath, KINDS } from "../src/core/kinds.js";
import { KUBE_OPENAPI_FILES, KUBE_RELEASE, defaultOpenApiDir } from "./kube-schema-generator.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const scriptDir = path.dirname(fileURLToPath(import.meta.url));
export const TYPES_PATH = path.resolve(scriptDir, "..", "src", "generated", "kube-api.d.ts");

const SCHEMA_REF = "#/components/schemas/";

/** The namespaced collections of the kinds table; each keeps its collection path and its item path `…/{name}`. */
const NAMESPACED_COLLECTIONS = KINDS.filter((k) => k.namespaced).map((k) => collectionPath(k));

export const KEPT_PATHS: readonly string[] = [
  ...NAMESPACED_COLLECTIONS.flatMap((collection) => [collection, `${collection}/{name}`]),
  "/api/v1/namespaces/{namespace}/pods/{name}/log",
  "/api/v1/namespaces/{name}",
];

/** Media types kept; every other one (yaml, protobuf, cbor, json;stream=watch) is dropped. */
const KEPT_MEDIA_TYPES = new Set([
  "application/json",
  "text/plain", // pods/{name}/log
  "application/apply-patch+yaml", // server-side apply; the body may be JSON, which is YAML
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/json-patch+json",
]);

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Minimal authorization.k8s.io/v1 schemas (field names as upstream, kubernetes/api authorization/v1/types.go);
 * the review objects are create-only, so only POST paths exist.
 */
function authorizationApi(): { schemas: Record<string, JsonObject>; paths: Record<string, JsonObject> } {
  const ref = (name: string): JsonObject => ({ $ref: SCHEMA_REF + name });
  const meta = ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  const str = { type: "string" };
  const strings = { type: "array", items: str };
  const schemas: Record<string, JsonObject> = {
    "io.k8s.api.authorization.v1.ResourceAttributes": {
      type: "object",
      properties: { group: str, name: str, namespace: str, resource: str, subresource: str, verb: str, version: str },
    },
    "io.k8s.api.authorization.v1.NonResourceAttributes": { type: "object", properties: { path: str, verb: str } },
    "io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec": {
      type: "object",
      properties: {
        nonResourceAttributes: ref("io.k8s.api.authorization.v1.NonResourceAttributes"),
        resourceAttributes: ref("io.k8s.api.authorization.v1.ResourceAttributes"),
      },
    },
    "io.k8s.api.authorization.v1.SubjectAccessReviewStatus": {
      type: "object",
      required: ["allowed"],
      properties: { allowed: { type: "boolean" }, denied: { type: "boolean" }, evaluationError: str, reason: str },
    },
    "io.k8s.api.authorization.v1.SelfSubjectAccessReview": {
      type: "object",
      required: ["spec"],
      properties: {
        apiVersion: str,
        kind: str,
        metadata: meta,
        spec: ref("io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec"),
        status: ref("io.k8s.api.authorization.v1.SubjectAccessReviewStatus"),
      },
    },
    "io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec": { type: "object", properties: { namespace: str } },
    "io.k8s.api.authorization.v1.ResourceRule": {
      type: "object",
      required: ["verbs"],
      properties: { apiGroups: strings, resourceNames: strings, resources: strings, verbs: strings },
    },
    "io.k8s.api.authorization.v1.NonResourceRule": {
      type: "object",
      required: ["verbs"],
      properties: { nonResourceURLs: strings, verbs: strings },
    },
    "io.k8s.api.authorization.v1.SubjectRulesReviewStatus": {
      type: "object",
      required: ["resourceRules", "nonResourceRules", "incomplete"],
      properties: {
        evaluationError: str,
        incomplete: { type: "boolean" },
        nonResourceRules: { type: "array", items: ref("io.k8s.api.authorization.v1.NonResourceRule") },
        resourceRules: { type: "array", items: ref("io.k8s.api.authorization.v1.ResourceRule") },
      },
    },
    "io.k8s.api.authorization.v1.SelfSubjectRulesReview": {
      type: "object",
      required: ["spec"],
      properties: {
        apiVersion: str,
        kind: str,
        metadata: meta,
        spec: ref("io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec"),
        status: ref("io.k8s.api.authorization.v1.SubjectRulesReviewStatus"),
      },
    },
  };
  const createPath = (kind: string, operationId: string): JsonObject => {
    const body = { content: { "application/json": { schema: ref(`io.k8s.api.authorization.v1.${kind}`) } } };
    const query = (name: string): JsonObject => ({ in: "query", name, schema: { type: "string" } });
    return {
      post: {
        operationId,
        parameters: [query("dryRun"), query("fieldManager"), query("fieldValidation"), query("pretty")],
        requestBody: { ...body, required: true },
        responses: {
          "200": { description: "OK", ...body },
          "201": { description: "Created", ...body },
          "202": { description: "Accepted", ...body },
          "401": { description: "Unauthorized" },
        },
      },
    };
  };
  return {
    schemas,
    paths: {
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews": createPath("SelfSubjectAccessReview", "createAuthorizationV1SelfSubjectAccessReview"),
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews": createPath("SelfSubjectRulesReview", "createAuthorizationV1SelfSubjectRulesReview"),
    },
  };
}

/** Strips a schema node: no description/default/examples/x-kubernetes-* hints; `allOf: [{$ref}]` → `$ref`. */
function cleanSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(cleanSchema);
  if (!isObject(node)) return node;
  const allOf = node.allOf;
  // Upstream wraps a ref as `allOf: [{$ref}]` only to attach a description/default to it.
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === "string") {
    return { $ref: allOf[0].$ref };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "description" || key === "default" || key === "example" || key.startsWith("x-")) continue;
    if (key === "properties" && isObject(value)) {
      // Property names are data here, not keywords: a property called "description" must survive.
      const props: JsonObject = {};
      for (const [name, schema] of Object.entries(value)) props[name] = cleanSchema(schema);
      out[key] = props;
    } else {
      out[key] = cleanSchema(value);
    }
  }
  return out;
}

function cleanContent(content: Json): JsonObject {
  const out: JsonObject = {};
  if (!isObject(content)) return out;
  for (const [media, value] of Object.entries(content)) {
    if (KEPT_MEDIA_TYPES.has(media) && isObject(value)) out[media] = { schema: cleanSchema(value.schema ?? {}) };
  }
  return out;
}

function cleanParameters(parameters: Json): Json[] {
  if (!Array.isArray(parameters)) return [];
  return parameters.filter(isObject).map((p) => {
    const out: JsonObject = { in: p.in ?? "query", name: p.name ?? "" };
    if (p.required === true) out.required = true;
    out.schema = cleanSchema(p.schema ?? { type: "string" });
    return out;
  });
}

/** Every upstream error body is a Status; a `default` response lets openapi-fetch type `error` as one. */
const STATUS_DEFAULT_RESPONSE: JsonObject = {
  description: "Status",
  content: { "application/json": { schema: { $ref: `${SCHEMA_REF}io.k8s.apimachinery.pkg.apis.meta.v1.Status` } } },
};

function cleanOperation(op: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (typeof op.operationId === "string") out.operationId = op.operationId;
  const parameters = cleanParameters(op.parameters ?? []);
  if (parameters.length > 0) out.parameters = parameters;
  if (isObject(op.requestBody)) {
    out.requestBody = { content: cleanContent(op.requestBody.content ?? {}), required: op.requestBody.required === true };
  }
  const responses: JsonObject = {};
  for (const [code, response] of Object.entries(isObject(op.responses) ? op.responses : {})) {
    if (!isObject(response)) continue;
    const cleaned: JsonObject = { description: typeof response.description === "string" ? response.description : "" };
    if (isObject(response.content)) cleaned.content = cleanContent(response.content);
    responses[code] = cleaned;
  }
  responses.default ??= STATUS_DEFAULT_RESPONSE;
  out.responses = responses;
  return out;
}

function cleanPathItem(item: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === "parameters") out.parameters = cleanParameters(value);
    // Delete-collection is dropped: Sreda deletes objects one by one; the generic client can still send it.
    else if (HTTP_METHODS.has(key) && isObject(value) && !/^delete\w*Collection/.test(String(value.operationId))) {
      out[key] = cleanOperation(value);
    }
  }
  return out;
}

function collectRefs(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, into));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        if (!value.startsWith(SCHEMA_REF)) throw new Error(`unsupported $ref ${value}`);
        into.add(value.slice(SCHEMA_REF.length));
      } else collectRefs(value, into);
    }
  }
}

/** Builds the merged, pruned OpenAPI 3.0 document from the parsed upstream documents. */
export function buildKubeApiDocument(documents: readonly unknown[]): JsonObject {
  const upstreamSchemas = new Map<string, Json>();
  const upstreamPaths = new Map<string, JsonObject>();
  for (const doc of documents) {
    if (!isObject(doc) || !isObject(doc.components) || !isObject(doc.components.schemas) || !isObject(doc.paths)) {
      throw new Error("not an OpenAPI v3 document with components.schemas and paths");
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) upstreamSchemas.set(name, schema);
    for (const [p, item] of Object.entries(doc.paths)) if (isObject(item)) upstreamPaths.set(p, item);
  }
  const auth = authorizationApi();
  for (const [name, schema] of Object.entries(auth.schemas)) upstreamSchemas.set(name, schema);

  const paths: JsonObject = {};
  for (const p of KEPT_PATHS) {
    const item = upstreamPaths.get(p);
    if (!item) throw new Error(`path ${p} not found in the OpenAPI documents`);
    paths[p] = cleanPathItem(item);
  }
  for (const [p, item] of Object.entries(auth.paths)) paths[p] = cleanPathItem(item);

  // Keep only schemas reachable from the kept paths.
  const schemas: JsonObject = {};
  const queue = new Set<string>();
  collectRefs(paths, queue);
  for (const name of queue) {
    const schema = upstreamSchemas.get(name);
    if (schema === undefined) throw new Error(`schema ${name} not found in the OpenAPI documents`);
    const cleaned = cleanSchema(schema);
    schemas[name] = cleaned;
    collectRefs(cleaned, queue); // a Set iterates over members added during iteration
  }
  const sortedSchemas: JsonObject = {};
  for (const name of Object.keys(schemas).sort()) sortedSchemas[name] = schemas[name]!;

  return {
    openapi: "3.0.0",
    info: { title: `Kubernetes ${KUBE_RELEASE} (pruned for Sreda)`, version: `release-${KUBE_RELEASE}` },
    paths,
    components: { schemas: sortedSchemas },
  };
}

const HEADER = `/**
 * generated by scripts/generate-kube-types.ts — do not edit.
 * Source: official Kubernetes ${KUBE_RELEASE} OpenAPI v3 (${KUBE_OPENAPI_FILES.join(", ")}), pruned to the paths
 * Sreda calls, plus a hand-written minimal authorization.k8s.io/v1 (self subject access/rules reviews).
 * Regenerate: npm run generate:kube-types --workspace @sreda/sdk
 */
`;

export async function generateKubeTypesText(dir: string = defaultOpenApiDir()): Promise<string> {
  const documents = await Promise.all(KUBE_OPENAPI_FILES.map(async (file) => JSON.parse(await readFile(path.join(dir, file), "utf8")) as unknown));
  const document = buildKubeApiDocument(documents);
  const ast = await openapiTS(document as never, {
    // Upstream `default`s describe what the server fills in, not what a client must send.
    defaultNonNullable: false,
    alphabetize: true,
    silent: true,
  });
  return HEADER + astToString(ast);
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const text = await generateKubeTypesText();
  await mkdir(path.dirname(TYPES_PATH), { recursive: true });
  await writeFile(TYPES_PATH, text);
  console.log(`wrote ${path.relative(process.cwd(), TYPES_PATH)}: ${text.length} bytes`);
}
