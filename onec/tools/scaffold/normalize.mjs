#!/usr/bin/env node
// Brings every .bsl and .xml under onec/src to the platform's own encoding: UTF-8 with BOM, CRLF line ends.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "../../src"));
const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
for (const f of walk(root).filter((f) => /\.(bsl|xml)$/.test(f))) {
  const text = readFileSync(f, "utf8")
    .replace(/^\ufeff/, "")
    .replace(/\r\n/g, "\n")
    .replace(/\n/g, "\r\n");
  writeFileSync(f, "\ufeff" + text);
}
