#!/usr/bin/env node
// What a registry would get: packs the package (npm pack, as `npm publish` would) into a temporary folder and checks
// the tarball — publint (package.json against the files: exports, types, main, bin, formats) and Are the Types Wrong
// (attw: every entry's types under node10, node16 from CJS and ESM, and bundler resolution), plus this project's own
// rules: a LICENSE, no source maps, the package.json fields a registry page and an installer read, and sibling
// @sreda/* dependencies as ranges that resolve from a registry. Usage: node scripts/check-package.mjs [packageDir]
// (needs `npm run build`; turbo runs it as each published package's check:package task, after its build).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const packageDir = resolve(process.argv[2] ?? ".");
const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));

// attw rules this project turns off, per package, each for a reason (nothing else is ignored):
const ATTW_IGNORED_RULES = {
  // The bridge is ESM only by choice (its tsup.config.ts): CommonJS code reaches it with import(), or with require()
  // on Node >= 20.19 (require(esm)), which TypeScript >= 5.8 models under module NodeNext. attw's TypeScript (5.6)
  // models node16 from CJS without require(esm), so it reports every entry as "ESM (dynamic import only)".
  "@sreda/bridge": ["cjs-resolves-to-esm"],
};

/** The workspace packages by name (for the sibling ranges). */
function workspaceVersions() {
  const versions = new Map();
  for (const base of ["packages", "tools"]) {
    for (const dir of readdirSync(join(root, base))) {
      const path = join(root, base, dir, "package.json");
      if (!existsSync(path)) continue;
      const { name, version } = JSON.parse(readFileSync(path, "utf8"));
      versions.set(name, version);
    }
  }
  return versions;
}

/** Whether `version` is in the caret range `^a.b.c` (0.x: same minor; 0.0.x: same patch) — the only form allowed here. */
function inCaretRange(range, version) {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m || !v) return false;
  const [a, b, c] = m.slice(1).map(Number);
  const [x, y, z] = v.slice(1).map(Number);
  if (x !== a) return false;
  if (a > 0) return y > b || (y === b && z >= c);
  if (b > 0) return y === b && z >= c;
  return y === 0 && z === c;
}

function manifestProblems(files) {
  const problems = [];
  const here = relative(root, packageDir).split(sep).join("/");
  if (!files.includes("LICENSE")) problems.push("no LICENSE in the tarball");
  if (!files.includes("README.md")) problems.push("no README.md in the tarball");
  const maps = files.filter((f) => f.endsWith(".map"));
  if (maps.length > 0) problems.push(`source maps are published (${maps.join(", ")}): their sources are not`);
  const stray = files.filter((f) => /^(src|test|bench|scripts)\//.test(f) || /(^|\/)(tsconfig|vitest\.config|tsup\.config)\./.test(f));
  if (stray.length > 0) problems.push(`development files are published: ${stray.join(", ")}`);
  if (!manifest.license) problems.push("no license");
  if (manifest.repository?.directory !== here) problems.push(`repository.directory should be "${here}"`);
  if (!manifest.engines?.node) problems.push("no engines.node");
  if (manifest.sideEffects === undefined) problems.push("no sideEffects");
  if (!Array.isArray(manifest.files)) problems.push("no files list");
  if (manifest.name.startsWith("@") && manifest.publishConfig?.access !== "public") problems.push('a scoped package needs publishConfig.access "public"');
  const versions = workspaceVersions();
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!versions.has(name)) continue;
      if (!inCaretRange(range, versions.get(name)))
        problems.push(`${field}.${name} is "${range}": use a caret range that holds ${versions.get(name)} (^x.y.z)`);
    }
  }
  return problems;
}

function run(label, command, args) {
  const result = spawnSync(command, args, { cwd: packageDir, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  return { ok: result.status === 0, text: `${label}:\n${output}` };
}

const dest = mkdtempSync(join(tmpdir(), "sreda-pack-"));
let failed = false;
try {
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", dest], { cwd: packageDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
  );
  const tarball = join(dest, packed.filename);
  const files = packed.files.map((f) => f.path);

  const problems = manifestProblems(files);
  if (problems.length > 0) {
    failed = true;
    console.error(`check-package: ${manifest.name}:\n  ${problems.join("\n  ")}`);
  }

  const publint = run("publint", bin("publint"), ["run", tarball, "--strict"]);
  const ignored = ATTW_IGNORED_RULES[manifest.name] ?? [];
  const attw = run("attw", bin("attw"), [tarball, "--format", "table-flipped", "--no-emoji", ...(ignored.length > 0 ? ["--ignore-rules", ...ignored] : [])]);
  for (const check of [publint, attw]) {
    if (!check.ok) {
      failed = true;
      console.error(`check-package: ${manifest.name}: ${check.text}`);
    }
  }
  if (!failed) {
    const kb = (n) => `${(n / 1024).toFixed(0)} kB`;
    console.log(
      `check-package: ${manifest.name}: ${files.length} files, ${kb(packed.size)} packed, ${kb(packed.unpackedSize)} unpacked; publint clean; attw clean` +
        (ignored.length > 0 ? ` (ignoring ${ignored.join(", ")})` : ""),
    );
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
