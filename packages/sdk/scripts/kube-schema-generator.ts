/**
 * Core of the kube-schema generator: prunes the official Kubernetes OpenAPI v3 documents down to
 * the definitions the manifest validator needs. Kept apart from the CLI so tests can regenerate
 * in memory and compare with the committed artifact.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KINDS, openApiFileOf } from "../src/core/kinds.js";

export const KUBE_RELEASE = "1.35";

/** The official documents of the kinds' group versions (src/core/kinds.ts), core first. */
export const KUBE_OPENAPI_FILES: readonly string[] = [...new Set(KINDS.map(openApiFileOf))];

/** Root kinds of the kinds table (and their List kinds); everything they reference is pulled in transitively. */
export const ROOT_DEFINITIONS: readonly string[] = [
  ...KINDS.flatMap((k) => [k.definition, `${k.definition}List`]),
  "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
];

const UPSTREAM_REF_PREFIX = "#/components/schemas/";
export const ARTIFACT_REF_PREFIX = "#/definitions/";

/** Schema keywords copied as-is; everything else (descriptions, defaults, patch/list hints) is dropped. */
const COPIED_KEYWORDS = new Set(["type", "format", "required", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"]);

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface KubeSchemaArtifact {
  source: string;
  generatedBy: string;
  documents: string[];
  definitions: Record<string, Record<string, unknown>>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refName(ref: string): string {
  if (!ref.startsWith(UPSTREAM_REF_PREFIX)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(UPSTREAM_REF_PREFIX.length);
}

/** Prunes one schema node, reporting each referenced definition name through `onRef`. */
function pruneSchema(node: JsonObject, onRef: (name: string) => void): JsonObject {
  const out: JsonObject = {};
  const ref = node.$ref;
  const allOf = node.allOf;
  // OpenAPI v3 wraps refs as `allOf: [{$ref}]` to attach description/default; only the ref matters.
  if (typeof ref === "string" || (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === "string")) {
    const target = typeof ref === "string" ? ref : ((allOf as JsonObject[])[0]!.$ref as string);
    const name = refName(target);
    onRef(name);
    return { $ref: ARTIFACT_REF_PREFIX + name };
  }
  if (Array.isArray(allOf)) throw new Error(`unsupported allOf with ${allOf.length} members`);

  for (const [key, value] of Object.entries(node)) {
    if (COPIED_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (key === "properties" && isObject(value)) {
      const props: JsonObject = {};
      for (const [prop, schema] of Object.entries(value)) {
        if (isObject(schema)) props[prop] = pruneSchema(schema, onRef);
      }
      out.properties = props;
    } else if ((key === "items" || key === "additionalProperties") && isObject(value)) {
      out[key] = pruneSchema(value, onRef);
    } else if (key === "additionalProperties" && typeof value === "boolean") {
      out[key] = value;
    } else if ((key === "oneOf" || key === "anyOf") && Array.isArray(value)) {
      out[key] = value.filter(isObject).map((member) => pruneSchema(member, onRef));
    }
  }
  return out;
}

/** Builds the pruned artifact from the parsed upstream documents (order-independent). */
export function buildKubeSchema(documents: readonly unknown[], documentNames: readonly string[] = KUBE_OPENAPI_FILES): KubeSchemaArtifact {
  const upstream = new Map<string, JsonObject>();
  for (const doc of documents) {
    const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined;
    if (!isObject(schemas)) throw new Error("document has no components.schemas");
    for (const [name, schema] of Object.entries(schemas)) {
      if (isObject(schema)) upstream.set(name, schema);
    }
  }

  const roots = new Set<string>(ROOT_DEFINITIONS);
  const definitions: Record<string, JsonObject> = {};
  const queue: string[] = [...ROOT_DEFINITIONS];
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const name = queue.shift()!;
    const schema = upstream.get(name);
    if (!schema) throw new Error(`definition ${name} not found in the OpenAPI documents`);
    const pruned = pruneSchema(schema, (ref) => {
      if (!seen.has(ref)) {
        seen.add(ref);
        queue.push(ref);
      }
    });
    const gvks = schema["x-kubernetes-group-version-kind"];
    if (roots.has(name) && Array.isArray(gvks)) {
      pruned["x-kubernetes-group-version-kind"] = gvks
        .filter(isObject)
        .map((gvk) => ({ group: gvk.group ?? "", kind: gvk.kind ?? "", version: gvk.version ?? "" }));
    }
    definitions[name] = pruned;
  }

  return {
    source: `Kubernetes ${KUBE_RELEASE} OpenAPI v3 (kubernetes/kubernetes branch release-${KUBE_RELEASE}, api/openapi-spec/v3)`,
    generatedBy: "packages/sdk/scripts/generate-kube-schema.ts",
    documents: [...documentNames],
    definitions,
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}

/** Deterministic text: sorted keys, one definition per line (compact yet diff-friendly). */
export function serializeKubeSchema(artifact: KubeSchemaArtifact): string {
  const lines: string[] = ["{"];
  lines.push(`  "source": ${JSON.stringify(artifact.source)},`);
  lines.push(`  "generatedBy": ${JSON.stringify(artifact.generatedBy)},`);
  lines.push(`  "documents": ${JSON.stringify(artifact.documents)},`);
  lines.push('  "definitions": {');
  const names = Object.keys(artifact.definitions).sort();
  names.forEach((name, i) => {
    const comma = i < names.length - 1 ? "," : "";
    lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(sortKeys(artifact.definitions[name]))}${comma}`);
  });
  lines.push("  }");
  lines.push("}");
  return lines.join("\n") + "\n";
}

const scriptDir = path.dirname(fileURLToPath(import.meta.url));

/** packages/sdk/scripts → repo root. */
export const REPO_ROOT = path.resolve(scriptDir, "..", "..", "..");
export const ARTIFACT_PATH = path.resolve(scriptDir, "..", "src", "generated", "kube-schema.json");

export function defaultOpenApiDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.KUBE_OPENAPI_DIR;
  return override ? path.resolve(override) : path.resolve(REPO_ROOT, "..", "shared", "k8s-openapi");
}

/** Reads the four documents from `dir` and returns the serialized artifact text. */
export async function generateKubeSchemaText(dir: string = defaultOpenApiDir()): Promise<string> {
  const documents = await Promise.all(KUBE_OPENAPI_FILES.map(async (file) => JSON.parse(await readFile(path.join(dir, file), "utf8")) as unknown));
  return serializeKubeSchema(buildKubeSchema(documents));
}
