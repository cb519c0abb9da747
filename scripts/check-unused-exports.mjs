#!/usr/bin/env node
// Exports nobody imports: every name a module of packages/<pkg>/src exports must be imported by another file of the
// repository (source, tests, benchmarks, tools, examples) or re-exported by its package's entry point — the public
// surface, which is chosen there explicitly. An export only its own file uses should not be one.
// Not checked: generated code (**/generated/**). Usage: node scripts/check-unused-exports.mjs [packageDir]
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const rel = (path) => relative(root, path).split(sep).join("/");
const packageArg = process.argv.slice(2).find((a) => !a.startsWith("--"));
const onlyPackage = packageArg === undefined ? undefined : rel(resolve(process.cwd(), packageArg));

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!["node_modules", "dist", ".turbo", "generated"].includes(name)) yield* walk(path);
    } else if (/\.(ts|mts)$/.test(name) && !name.endsWith(".d.ts")) yield path;
  }
}

/** Package name → its entry points by export subpath (`@sreda/sdk/testing` → src/testing/index.ts). */
function packageEntries() {
  const entries = new Map();
  for (const base of ["packages", "tools"]) {
    for (const dir of readdirSync(join(root, base))) {
      const manifest = join(root, base, dir, "package.json");
      if (!existsSync(manifest)) continue;
      const { name, exports = {} } = JSON.parse(readFileSync(manifest, "utf8"));
      for (const [subpath, target] of Object.entries(typeof exports === "string" ? { ".": exports } : exports)) {
        const dist = typeof target === "string" ? target : (target.import?.default ?? target.import ?? target.default ?? target.types);
        if (typeof dist !== "string") continue;
        const source = join(root, base, dir, dist.replace(/^\.\/dist\//, "src/").replace(/\.(c|m)?js$/, ".ts"));
        if (existsSync(source)) entries.set(subpath === "." ? name : `${name}/${subpath.slice(2)}`, source);
      }
    }
  }
  return entries;
}

const entries = packageEntries();
const entryFiles = new Set(entries.values());

function resolveSpecifier(from, specifier) {
  if (entries.has(specifier)) return entries.get(specifier);
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
  return undefined;
}

/** Which names of which file are imported (or re-exported) by the others; "*" for all of them. */
const used = new Map();
const use = (file, name) => (used.get(file) ?? used.set(file, new Set()).get(file)).add(name);
const exported = new Map();

const scanned = [...["packages", "tools", "examples", "onec/tools", "scripts"].flatMap((d) => (existsSync(join(root, d)) ? [...walk(join(root, d))] : []))];
for (const file of scanned) {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const names = [];
  for (const node of sf.statements) {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : undefined;
    const target = specifier && resolveSpecifier(file, specifier);
    if (ts.isImportDeclaration(node) && target) {
      const clause = node.importClause;
      if (clause?.name) use(target, "default");
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) use(target, "*");
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) use(target, (el.propertyName ?? el.name).text);
    } else if (ts.isExportDeclaration(node)) {
      if (target && !node.exportClause) use(target, "*");
      else if (target && ts.isNamespaceExport(node.exportClause)) use(target, "*");
      else if (node.exportClause && ts.isNamedExports(node.exportClause)) {
        for (const el of node.exportClause.elements) {
          if (target) use(target, (el.propertyName ?? el.name).text);
          else names.push(el.name.text);
        }
      }
    } else if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(node)) for (const d of node.declarationList.declarations) names.push(d.name.getText(sf));
      else if (node.name) names.push(node.name.text);
    }
  }
  exported.set(file, names);
}

const findings = [];
for (const [file, names] of exported) {
  const path = rel(file);
  const pkg = /^packages\/[^/]+/.exec(path)?.[0];
  if (!pkg || !/^packages\/[^/]+\/src\//.test(path) || entryFiles.has(file)) continue;
  if (onlyPackage !== undefined && pkg !== onlyPackage) continue;
  const importers = used.get(file) ?? new Set();
  if (importers.has("*")) continue;
  for (const name of names) if (!importers.has(name)) findings.push(`${path}: ${name}`);
}

for (const f of findings) console.log(f);
if (findings.length > 0) {
  console.error(`unused exports: ${findings.length} export(s) nobody imports — drop the export, or export it from the package's entry point`);
  process.exit(1);
}
console.log(`unused exports: every export of ${onlyPackage ?? "packages/*"}/src is imported somewhere`);
