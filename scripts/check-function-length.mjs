#!/usr/bin/env node
// Functions that grew too long to work in: every function, method, accessor, constructor, function
// expression and arrow function in packages/*/src/**/*.ts longer than the limit (80 lines by default), from its
// first token to its last, comments before it not counted. Nested functions are measured on their own too.
// Not measured: generated code (**/generated/**) and the fake cluster (packages/sdk/src/testing/**).
// Usage: node scripts/check-function-length.mjs [--max=80] [packageDir]   — prints `file:line name length`, exits 1
// if any; with a package folder (a package's lint: `node ../../scripts/check-function-length.mjs .`) only its src.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const maxArg = process.argv.slice(2).find((a) => a.startsWith("--max="));
const packageArg = process.argv.slice(2).find((a) => !a.startsWith("--"));
const onlyPackage = packageArg === undefined ? undefined : relative(join(root, "packages"), join(process.cwd(), packageArg)).split(sep)[0];
const MAX_LINES = maxArg ? Number(maxArg.slice("--max=".length)) : 80;
if (!Number.isInteger(MAX_LINES) || MAX_LINES < 1) {
  console.error(`check-function-length: --max must be a positive integer, got ${maxArg}`);
  process.exit(2);
}

const EXCLUDED = [/(^|\/)generated\//, /^packages\/sdk\/src\/testing\//];

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules") yield* walk(path);
    } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) yield path;
  }
}

function sourceFiles() {
  const files = [];
  const packages = join(root, "packages");
  for (const pkg of readdirSync(packages).sort()) {
    if (onlyPackage !== undefined && pkg !== onlyPackage) continue;
    const src = join(packages, pkg, "src");
    try {
      if (!statSync(src).isDirectory()) continue;
    } catch {
      continue;
    }
    for (const path of walk(src)) {
      const file = relative(root, path).split(sep).join("/");
      if (!EXCLUDED.some((pattern) => pattern.test(file))) files.push(file);
    }
  }
  return files;
}

const isFunction = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node);

function nameText(name, sf) {
  return name ? name.getText(sf) : undefined;
}

/** The name a reader would look for: its own, else what it is assigned to, else what it is passed to. */
function functionName(node, sf) {
  if (ts.isConstructorDeclaration(node)) return `${nameText(node.parent.name, sf) ?? "class"}.constructor`;
  const own = nameText(node.name, sf);
  const owner = ts.isClassLike(node.parent) ? nameText(node.parent.name, sf) : undefined;
  if (own) {
    const prefix = ts.isGetAccessorDeclaration(node) ? "get " : ts.isSetAccessorDeclaration(node) ? "set " : "";
    return `${prefix}${owner ? `${owner}.` : ""}${own}`;
  }
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === node) {
    return nameText(parent.name, sf);
  }
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const callee = parent.expression.getText(sf).replace(/\s+/g, " ");
    return `<${ts.isArrowFunction(node) ? "arrow" : "function"} passed to ${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee}>`;
  }
  return `<${ts.isArrowFunction(node) ? "arrow" : "function"}>`;
}

const findings = [];
for (const file of sourceFiles()) {
  const text = readFileSync(join(root, file), "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node) => {
    if (isFunction(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const length = last - first + 1;
      if (length > MAX_LINES) findings.push({ file, line: first, name: functionName(node, sf), length });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

for (const f of findings) console.log(`${f.file}:${f.line} ${f.name} ${f.length}`);
if (findings.length > 0) {
  console.error(`function length: ${findings.length} function(s) longer than ${MAX_LINES} lines`);
  process.exit(1);
}
console.log(`function length: no function in ${onlyPackage ? `packages/${onlyPackage}` : "packages/*"}/src is longer than ${MAX_LINES} lines`);
