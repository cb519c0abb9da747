/**
 * Regenerates src/generated/kube-schema.json from the official Kubernetes OpenAPI v3 documents.
 * Usage: npx tsx scripts/generate-kube-schema.ts  (KUBE_OPENAPI_DIR overrides the input folder)
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ARTIFACT_PATH, defaultOpenApiDir, generateKubeSchemaText } from "./kube-schema-generator.js";

const dir = defaultOpenApiDir();
const text = await generateKubeSchemaText(dir);
await mkdir(path.dirname(ARTIFACT_PATH), { recursive: true });
await writeFile(ARTIFACT_PATH, text);
const definitions = Object.keys((JSON.parse(text) as { definitions: object }).definitions).length;
console.log(`wrote ${path.relative(process.cwd(), ARTIFACT_PATH)}: ${definitions} definitions, ${text.length} bytes`);
