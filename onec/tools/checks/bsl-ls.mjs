// BSL Language Server over all of onec/: no error, no warning; information and hints too must be fixed or switched
// off in onec/.bsl-language-server.json — and every switched-off diagnostic needs a reason in its "_reasons".
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { bslLanguageServerJar, java } from "../lib/tools.mjs";

/**
 * BSL LS is a Spring Boot application whose bundled application.properties sets server.port=8025, and `analyze`
 * starts that web server too: with 8025 taken it dies ("Port 8025 was already in use"). A Java system property
 * outranks application.properties, so port 0 lets the server take any free port.
 */
export const BSL_LS_JVM_OPTIONS = ["-Dserver.port=0"];
const BSL_LS_DEFAULT_PORT = 8025;

/** @param onecDir a folder with src/cf and .bsl-language-server.json */
export function checkBslLs(onecDir) {
  const configPath = join(onecDir, ".bsl-language-server.json");
  const problems = [];
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  for (const [code, value] of Object.entries(config.diagnostics?.parameters ?? {})) {
    if (value === false && !config._reasons?.[code]) problems.push(`.bsl-language-server.json switches ${code} off without a reason in "_reasons"`);
  }
  const out = mkdtempSync(join(tmpdir(), "onec-bsl-"));
  // Resolved first: a missing JDK or Maven is ToolUnavailable (skipped outside CI), not a failed run.
  const javaPath = java();
  const jar = bslLanguageServerJar();
  // The proof that the port option works, on every run: 8025 (the jar's default) is held here while BSL LS runs,
  // so a BSL LS that still took it would die. listen() without a host binds synchronously (before execFileSync
  // blocks this thread); if something else already holds 8025, that is the same test.
  const guard = createServer();
  guard.on("error", () => {});
  guard.listen(BSL_LS_DEFAULT_PORT);
  // A JVM that dies without a word (seen once on a loaded 2-core machine: exit code, empty stderr) is tried once
  // more; a second failure is reported with its exit code and the tail of both streams.
  let failure;
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        execFileSync(
          javaPath,
          [...BSL_LS_JVM_OPTIONS, "-jar", jar, "-c", configPath, "analyze", "-s", join(onecDir, "src"), "-w", onecDir, "-r", "json", "-o", out, "-q"],
          {
            // The configuration root in the settings is relative to the working directory.
            cwd: onecDir,
            stdio: ["ignore", "pipe", "pipe"],
            maxBuffer: 64 * 1024 * 1024,
          },
        );
        failure = undefined;
        break;
      } catch (e) {
        const tail = (text) =>
          String(text ?? "")
            .split("\n")
            .filter((l) => l.trim() && !l.startsWith("WARNING"))
            .slice(-5)
            .join(" | ");
        failure = `exit ${e.status ?? e.signal ?? "?"}; stderr: ${tail(e.stderr) || "(empty)"}; stdout: ${tail(e.stdout) || "(empty)"}`;
      }
    }
  } finally {
    guard.close();
  }
  if (failure) return [...problems, `BSL Language Server failed: ${failure}`];
  const report = join(out, "bsl-json.json");
  if (!existsSync(report)) return [...problems, "BSL Language Server wrote no report"];
  const { fileinfos } = JSON.parse(readFileSync(report, "utf8"));
  if (!fileinfos?.length) problems.push("BSL Language Server analysed no module");
  for (const f of fileinfos ?? []) {
    for (const d of f.diagnostics) {
      const file = relative(onecDir, decodeURIComponent(f.path.replace(/^file:\/\//, "")));
      problems.push(`${file}:${d.range.start.line + 1}: ${d.severity} ${d.code}: ${d.message}`);
    }
  }
  return problems;
}
