#!/usr/bin/env node
// All checks of onec/ in one command (npm test in this folder): each check on the real dump, then on a broken copy
// of it, which the check must reject. Prints one line per test and a closing "N passed, N failed[, N skipped]".
// Without a JDK 21+ or Maven the Java checks are skipped with the reason, except under CI=true, where they fail.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkBslLs } from "./checks/bsl-ls.mjs";
import { checkMdclasses } from "./checks/mdclasses.mjs";
import { checkXml } from "./checks/xml.mjs";
import { ToolUnavailable } from "./lib/tools.mjs";

const onec = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);

function tsx() {
  for (let dir = onec; dir !== dirname(dir); dir = dirname(dir)) {
    const bin = join(dir, "node_modules", ".bin", "tsx");
    if (existsSync(bin)) return bin;
  }
  throw new ToolUnavailable("tsx is not installed (npm install at the repository root)");
}

function checkContract(src, openapi) {
  try {
    execFileSync(tsx(), [join(onec, "tools", "checks", "contract.ts"), src, ...(openapi ? ["--openapi", openapi] : [])], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return [];
  } catch (e) {
    if (e instanceof ToolUnavailable) throw e;
    return String(e.stdout || e.stderr || e.message).trim().split("\n");
  }
}

const file = (dir, rel) => join(dir, "src", "cf", rel);
const edit = (dir, rel, fn) => writeFileSync(file(dir, rel), fn(readFileSync(file(dir, rel), "utf8")));
const CONTRACT = "CommonModules/СредаКонтрактМостаСервер/Ext/Module.bsl";

const checks = [
  {
    name: "xml",
    run: (dir) => checkXml(join(dir, "src")),
    breaks: {
      "a uuid used twice": (dir) => edit(dir, "Catalogs/ОперацииСред.xml", (t) => t.replace(/<Catalog uuid="[^"]+"/, `<Catalog uuid="${readFileSync(file(dir, "Catalogs/Клиенты.xml"), "utf8").match(/<Catalog uuid="([^"]+)"/)[1]}"`)),
      "a declared form's Form.xml deleted": (dir) => rmSync(file(dir, "Catalogs/Клиенты/Forms/ФормаЭлемента/Ext/Form.xml")),
      "an undeclared module file": (dir) => writeFileSync(file(dir, "CommonModules/Лишний.bsl"), "\ufeff"),
      "another format version in one file": (dir) => edit(dir, "Enums/ФазыСреды.xml", (t) => t.replace('version="2.16"', 'version="2.20"')),
      "a form handler renamed in the module only": (dir) =>
        edit(dir, "Catalogs/Клиенты/Forms/ФормаЭлемента/Ext/Form/Module.bsl", (t) => t.replace("Процедура ПослеЗаписи(", "Процедура ПослеЗаписиКлиента(")),
      "a file without BOM": (dir) => edit(dir, "Languages/Русский.xml", (t) => t.replace(/^\ufeff/, "")),
      "a scheduled job pointing at a missing procedure": (dir) =>
        edit(dir, "ScheduledJobs/ОбновлениеХодаРазвертываний.xml", (t) => t.replace(".ОбновитьНезавершенныеОперации<", ".ОбновитьВсеОперации<")),
      "a field property after its ExtendedTooltip": (dir) =>
        edit(dir, "Catalogs/КластерыKubernetes/Forms/ФормаЭлемента/Ext/Form.xml", (t) => {
          const next = t.replace(/(\t*<PasswordMode>true<\/PasswordMode>\r\n)([\s\S]*?)(\t*<ExtendedTooltip [^>]*\/>\r\n)/, "$2$3$1");
          if (next === t) throw new Error("the sample PasswordMode is gone");
          return next;
        }),
    },
  },
  {
    name: "contract",
    run: (dir) => checkContract(join(dir, "src"), existsSync(join(dir, "openapi.json")) ? join(dir, "openapi.json") : undefined),
    breaks: {
      "the bridge renames a field (Operation.stage → Operation.phase)": (dir) => {
        const path = join(dir, "openapi.json");
        execFileSync(tsx(), [join(onec, "tools", "checks", "contract.ts"), "--write-openapi", path]);
        const doc = JSON.parse(readFileSync(path, "utf8"));
        const operation = doc.components.schemas.Operation;
        operation.properties.phase = operation.properties.stage;
        delete operation.properties.stage;
        operation.required = operation.required.map((r) => (r === "stage" ? "phase" : r));
        writeFileSync(path, JSON.stringify(doc));
      },
      "the bridge drops a route (GET /v1/macros)": (dir) => {
        const path = join(dir, "openapi.json");
        execFileSync(tsx(), [join(onec, "tools", "checks", "contract.ts"), "--write-openapi", path]);
        const doc = JSON.parse(readFileSync(path, "utf8"));
        delete doc.paths["/v1/macros"];
        writeFileSync(path, JSON.stringify(doc));
      },
      "a JSON field renamed (organizationName → organisationName)": (dir) => edit(dir, CONTRACT, (t) => t.replace('"organizationName"', '"organisationName"')),
      "a route renamed (/v1/plans → /v1/plan)": (dir) => edit(dir, CONTRACT, (t) => t.replace('"POST /v1/plans"', '"POST /v1/plan"')),
      "a response field misspelled in the BSL (finishedAt → finishedOn)": (dir) => edit(dir, CONTRACT, (t) => t.replace('Получить("finishedAt")', 'Получить("finishedOn")')),
      "a phase value unknown to the bridge": (dir) => edit(dir, CONTRACT, (t) => t.replace('"Degraded"', '"Broken"')),
    },
  },
  {
    name: "mdclasses",
    java: true,
    run: (dir) => checkMdclasses(join(dir, "src")),
    breaks: {
      "a catalog's XML cut short": (dir) => edit(dir, "Catalogs/Клиенты.xml", (t) => t.slice(0, Math.floor(t.length / 2))),
      "a form's Form.xml emptied": (dir) => edit(dir, "CommonForms/ХодРазвертывания/Ext/Form.xml", (t) => t.replace(/<ChildItems>[\s\S]*<\/Attributes>/, "")),
      "a module moved away from its object": (dir) => cpSync(file(dir, CONTRACT), file(dir, "CommonModules/Потерянный/Ext/Module.bsl")),
    },
  },
  {
    name: "bsl-ls",
    java: true,
    expect: { "a syntax error (КонецФункции removed)": /СредаКлиентыКлиентСервер.*Error/ },
    run: (dir) => checkBslLs(dir),
    breaks: {
      "a syntax error (КонецФункции removed)": (dir) => edit(dir, "CommonModules/СредаКлиентыКлиентСервер/Ext/Module.bsl", (t) => t.replace("КонецФункции", "")),
    },
  },
];

function copyOnec() {
  const dir = mkdtempSync(join(tmpdir(), "onec-broken-"));
  cpSync(join(onec, "src"), join(dir, "src"), { recursive: true });
  cpSync(join(onec, ".bsl-language-server.json"), join(dir, ".bsl-language-server.json"));
  return dir;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const ci = process.env.CI === "true";
for (const check of checks.filter((c) => !only.length || only.includes(c.name))) {
  const tests = [["the dump passes", null], ...Object.entries(check.breaks)];
  for (const [title, breakIt] of tests) {
    const label = `${check.name}: ${breakIt ? `rejects a broken copy — ${title}` : title}`;
    const started = Date.now();
    let dir = onec;
    try {
      if (breakIt) {
        dir = copyOnec();
        breakIt(dir);
      }
      const problems = check.run(dir);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const expected = breakIt && check.expect?.[title];
      const ok = breakIt ? problems.some((p) => !expected || expected.test(p)) : problems.length === 0;
      if (ok) {
        passed++;
        const shown = breakIt ? problems.find((p) => !expected || expected.test(p)) : "";
        console.log(`ok   ${label} (${seconds} s)${breakIt ? ` → ${shown}` : ""}`);
      } else {
        failed++;
        console.log(`FAIL ${label} (${seconds} s)`);
        for (const p of breakIt ? ["the check found nothing wrong"] : problems.slice(0, 50)) console.log(`       ${p}`);
      }
    } catch (e) {
      if (e instanceof ToolUnavailable && !ci) {
        skipped++;
        console.log(`skip ${label}: ${e.message}`);
      } else {
        failed++;
        console.log(`FAIL ${label}: ${e.stack ?? e}`);
      }
    } finally {
      if (dir !== onec) rmSync(dir, { recursive: true, force: true });
    }
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
