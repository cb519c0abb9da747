/** Writes src/generated/openapi.json and src/generated/api.d.ts. Usage: npm run generate:api-types */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderApiTypes, renderOpenApiJson } from "./api-types.js";

const dir = fileURLToPath(new URL("../src/generated/", import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}openapi.json`, renderOpenApiJson());
writeFileSync(`${dir}api.d.ts`, await renderApiTypes());
console.log(`written ${dir}openapi.json and ${dir}api.d.ts`);
