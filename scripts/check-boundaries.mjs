#!/usr/bin/env node
// The dependency rules between the packages and layers, checked rather than trusted:
//   pure core (sdk/src/core) ← kube edge (sdk/src/kube) ← bridge; testing → core; production never → testing;
//   the core does no I/O and reads no clock or randomness of its own.
// Usage: node scripts/check-boundaries.mjs <package-dir>
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

const root = resolve(process.argv[2] ?? ".");
const packageName = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).name;

const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|readline)$/;
const rules = [
  {
    applies: (file) => packageName === "@sreda/sdk" && file.startsWith(`src${sep}core${sep}`),
    check(file, source, specifiers) {
      const problems = [];
      for (const s of specifiers) {
        if (/(^|\/)(kube|testing)(\/|$)/.test(s) && s.startsWith(".")) problems.push(`the pure core imports the edge: ${s}`);
        if (IO_MODULES.test(s)) problems.push(`the pure core imports an I/O module: ${s}`);
        if (s.startsWith("@sreda/bridge")) problems.push(`the SDK imports the bridge: ${s}`);
      }
      const code = stripComments(source);
      for (const [pattern, what] of [
        [/\bDate\.now\s*\(/, "reads the clock (Date.now)"],
        [/\bnew Date\s*\(\s*\)/, "reads the clock (new Date())"],
        [/\bMath\.random\s*\(/, "uses Math.random (inject a random source)"],
        [/(^|[^.\w])fetch\s*\(/, "does network I/O (fetch)"],
        [/\bprocess\.env\b/, "reads the environment"],
      ]) {
        if (pattern.test(code)) problems.push(`the pure core ${what}`);
      }
      return problems;
    },
  },
  {
    applies: (file) => file.startsWith(`src${sep}`) && !file.startsWith(`src${sep}testing${sep}`),
    check: (_file, _source, specifiers) =>
      specifiers
        .filter((s) => /(^|\/)testing(\/|$)/.test(s) || s === "@sreda/sdk/testing" || /^(vitest|msw)/.test(s))
        .map((s) => `production code imports test code: ${s}`),
  },
  {
    applies: (file) => packageName === "@sreda/templates" && file.startsWith(`src${sep}`),
    check: (_file, _source, specifiers) =>
      specifiers.filter((s) => s.startsWith("@sreda/")).map((s) => `templates are data and depend on no other package: ${s}`),
  },
  {
    applies: (file) => packageName === "@sreda/sdk" && file.startsWith(`src${sep}`),
    check: (_file, _source, specifiers) => specifiers.filter((s) => s.startsWith("@sreda/bridge")).map((s) => `the SDK imports the bridge: ${s}`),
  },
];

function stripComments(source) {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

function importSpecifiers(source) {
  const out = [];
  const re =
    /\b(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s*["']([^"']+)["']|\brequire\s*\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return out;
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules" && name !== "generated") yield* walk(path);
    } else if (/\.(ts|mts|cts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) yield path;
  }
}

let failures = 0;
let files = 0;
try {
  statSync(join(root, "src"));
} catch {
  process.exit(0);
}
for (const path of walk(join(root, "src"))) {
  const file = relative(root, path);
  const source = readFileSync(path, "utf8");
  const specifiers = importSpecifiers(source);
  files++;
  for (const rule of rules) {
    if (!rule.applies(file)) continue;
    for (const problem of rule.check(file, source, specifiers)) {
      console.error(`${packageName}/${file}: ${problem}`);
      failures++;
    }
  }
}
if (failures > 0) {
  console.error(`boundaries: ${failures} violation(s)`);
  process.exit(1);
}
console.log(`boundaries: ${files} files of ${packageName} respect the dependency rules`);
