#!/usr/bin/env node
// The API report of a published package: what its users import, entry by entry, as API Extractor sees the built
// declarations (dist/*.d.ts) — every exported name with its full type, and the types those refer to. The reports are
// committed in packages/<pkg>/api/<entry>.api.md; this check fails when the build's surface differs from them, so a
// change to the public API is a reviewed change. After a deliberate change: `npm run api:update` (builds, rewrites the
// reports) and commit the diff with the code.
//
// The reports are canonical: API Extractor reads a copy of the declarations in which the members of inline object
// types (all plain properties) and the members of unions are sorted. The bundler's declaration output orders them as
// TypeScript's internal type ids fall (e.g. `z.enum(LOG_LEVELS)` printed as `{ error: "error"; debug: "debug"; … }` in
// one build and `{ debug: "debug"; …; error: "error"; … }` in another of the same source, under load), and neither
// order means anything to a type, so a report differs only when the API does.
// Usage: node scripts/check-api.mjs [--update] [packageDir...]  (default: the current directory; needs `npm run build`)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const update = args.includes("--update");
const packageDirs = args.filter((a) => !a.startsWith("--")).map((d) => resolve(d));
if (packageDirs.length === 0) packageDirs.push(process.cwd());

/** `.` → index, `./testing` → testing; only entries with declarations (not package.json, not wildcards). */
function entriesOf(manifest) {
  const entries = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (subpath.includes("*") || typeof target !== "object") continue;
    const types = target.types ?? target.import?.types;
    if (typeof types === "string") entries.push({ name: subpath === "." ? "index" : subpath.slice(2).replaceAll("/", "-"), types });
  }
  return entries;
}

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
const byText = (a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);

/** The declaration file with inline object types of plain properties, and unions, in a canonical (sorted) order. */
function canonicalDeclarations(text, fileName) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const print = (node) => printer.printNode(ts.EmitHint.Unspecified, node, source);
  const transformer = (context) => (file) => {
    const visit = (node) => {
      const visited = ts.visitEachChild(node, visit, context);
      if (ts.isTypeLiteralNode(visited) && visited.members.length > 1 && visited.members.every((m) => ts.isPropertySignature(m))) {
        const members = visited.members.map((m) => ({ node: m, text: print(m.name) })).sort(byText);
        return context.factory.updateTypeLiteralNode(visited, context.factory.createNodeArray(members.map((m) => m.node)));
      }
      if (ts.isUnionTypeNode(visited)) {
        const types = visited.types.map((t) => ({ node: t, text: print(t) })).sort(byText);
        return context.factory.updateUnionTypeNode(visited, context.factory.createNodeArray(types.map((t) => t.node)));
      }
      return visited;
    };
    return ts.visitNode(file, visit);
  };
  const [result] = ts.transform(source, [transformer]).transformed;
  return printer.printFile(result);
}

/**
 * A canonical copy of the package's declarations in a temporary folder, laid out so that they resolve as dist's do:
 * <tmp>/pkg/{package.json, dist/…} with node_modules links to the package's and the repository's. (Not under
 * node_modules: API Extractor takes whatever resolves there for an external package.)
 */
function canonicalCopy(packageDir, tempFolder) {
  const copy = join(tempFolder, "pkg");
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.d\.c?ts$/.test(entry.name)) {
        const target = join(copy, relative(packageDir, path));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, canonicalDeclarations(readFileSync(path, "utf8"), path));
      }
    }
  };
  walk(join(packageDir, "dist"));
  copyFileSync(join(packageDir, "package.json"), join(copy, "package.json"));
  if (existsSync(join(packageDir, "node_modules"))) symlinkSync(join(packageDir, "node_modules"), join(copy, "node_modules"), "dir");
  symlinkSync(join(root, "node_modules"), join(tempFolder, "node_modules"), "dir");
  return copy;
}

// Messages that belong in the report rather than on the console: a type the entry uses but does not export
// (ae-forgotten-export) is part of what users see, so the report shows it and its change is reviewed with the rest.
// Release tags (@public/@beta) are not used in this project, and TSDoc syntax is not enforced on our comments.
const messages = {
  compilerMessageReporting: { default: { logLevel: "error" } },
  extractorMessageReporting: {
    default: { logLevel: "warning", addToApiReportFile: true },
    "ae-forgotten-export": { logLevel: "none", addToApiReportFile: true },
    "ae-missing-release-tag": { logLevel: "none", addToApiReportFile: false },
    "ae-undocumented": { logLevel: "none", addToApiReportFile: false },
  },
  tsdocMessageReporting: { default: { logLevel: "none", addToApiReportFile: false } },
};

function checkEntry(packageDir, copy, manifest, entry, tempFolder) {
  const configObject = {
    // The canonical copy stands in for the package folder: messages name dist/… as they would.
    projectFolder: copy,
    mainEntryPointFilePath: join(copy, entry.types),
    bundledPackages: [],
    compiler: {
      // The declarations only, as a consumer's compiler reads them (API Extractor brings its own TypeScript).
      overrideTsconfig: {
        compilerOptions: {
          target: "ES2023",
          lib: ["ES2023", "DOM", "DOM.Iterable"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files: [join(copy, entry.types)],
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: entry.name,
      reportFolder: join(packageDir, "api"),
      reportTempFolder: tempFolder,
      includeForgottenExports: true,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    newlineKind: "lf",
    messages,
  };
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: undefined, packageJsonFullPath: join(copy, "package.json") });
  const problems = [];
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (message) => {
      // console-* messages are API Extractor's own remarks about the report file, handled below.
      const remark = String(message.messageId).startsWith("console-");
      if (!remark && (message.logLevel === "error" || message.logLevel === "warning")) problems.push(message.formatMessageWithLocation(copy));
      message.handled = true;
    },
  });
  const report = relative(process.cwd(), join(packageDir, "api", `${entry.name}.api.md`));
  if (problems.length > 0) return `${manifest.name} (${entry.types}):\n  ${problems.join("\n  ")}`;
  if (result.apiReportChanged) {
    if (update) {
      console.log(`check-api: ${report} updated`);
      return undefined;
    }
    const built = join(tempFolder, `${entry.name}.api.md`);
    const committed = join(packageDir, "api", `${entry.name}.api.md`);
    const diff = existsSync(committed) ? spawnSync("diff", ["-u", committed, built], { encoding: "utf8" }).stdout.split("\n") : [];
    return (
      `${manifest.name}: the public API of ${entry.types} differs from ${report}` +
      (existsSync(committed) ? "" : " (no report yet)") +
      `.\n  If the change is intended: npm run api:update, review the diff of ${report}, and commit it with the change.\n` +
      (diff.length > 0
        ? `${diff.slice(0, 60).join("\n")}${diff.length > 60 ? `\n… ${diff.length - 60} more lines: diff -u ${report} ${built}` : ""}`
        : `  The build's report: ${built}`)
    );
  }
  // Every type a public signature names must be importable: a forgotten export in the report is a failure.
  const committedReport = join(packageDir, "api", `${entry.name}.api.md`);
  const forgotten = existsSync(committedReport)
    ? [...readFileSync(committedReport, "utf8").matchAll(/symbol "([^"]+)" needs to be exported/g)].map((m) => m[1])
    : [];
  if (forgotten.length > 0) return `${manifest.name} (${entry.types}): types used by public signatures but not exported: ${[...new Set(forgotten)].join(", ")}`;
  return undefined;
}

let failures = 0;
for (const packageDir of packageDirs) {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const entries = entriesOf(manifest);
  const missing = entries.filter((entry) => !existsSync(join(packageDir, entry.types)));
  for (const entry of missing) console.error(`check-api: ${manifest.name}: ${entry.types} is missing — run npm run build first`);
  failures += missing.length;
  if (missing.length > 0) continue;
  if (update) mkdirSync(join(packageDir, "api"), { recursive: true });
  // The build's reports (in <tmp>/reports) stay for a failed check, to diff against; a clean run removes them.
  const tempFolder = mkdtempSync(join(tmpdir(), `sreda-api-${manifest.name.replace(/\W+/g, "-")}-`));
  const copy = canonicalCopy(packageDir, tempFolder);
  const reports = join(tempFolder, "reports");
  const problems = entries.map((entry) => checkEntry(packageDir, copy, manifest, entry, reports)).filter((p) => p !== undefined);
  for (const problem of problems) console.error(`check-api: ${problem}`);
  failures += problems.length;
  if (problems.length === 0) {
    rmSync(tempFolder, { recursive: true, force: true });
    if (!update) console.log(`check-api: ${manifest.name}: ${entries.map((e) => e.name).join(", ")} match api/`);
  }
}
process.exit(failures > 0 ? 1 : 0);
