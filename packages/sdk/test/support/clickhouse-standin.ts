/**
 * A recording stand-in for `clickhouse-client`, for the ClickHouse Job scripts' tests: an executable in a fresh folder
 * (put it first on PATH) that appends its argv as one JSON line to `$STANDIN_LOG` and fails the call numbered
 * `$STANDIN_FAIL_ON_CALL` the way ClickHouse does (code 497, exit 77).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Creates the stand-in's folder; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export function createClickhouseStandin(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // The node running these tests, by absolute path: the stand-in does not depend on PATH's node.
  const standin = [
    `#!${process.execPath}`,
    `"use strict";`,
    `const fs = require("node:fs");`,
    `const log = process.env.STANDIN_LOG;`,
    `if (!log) { process.stderr.write("stand-in: STANDIN_LOG is not set\\n"); process.exit(99); }`,
    `fs.appendFileSync(log, JSON.stringify(process.argv.slice(2)) + "\\n");`,
    `const calls = fs.readFileSync(log, "utf8").split("\\n").filter(Boolean).length;`,
    `if (process.env.STANDIN_FAIL_ON_CALL === String(calls)) {`,
    `  process.stderr.write("Code: 497. DB::Exception: stand-in refuses call " + calls + "\\n");`,
    `  process.exit(77);`,
    `}`,
    ``,
  ].join("\n");
  fs.writeFileSync(path.join(dir, "clickhouse-client"), standin, { mode: 0o755 });
  return dir;
}
