/**
 * The benchmarks' report: each benchmark writes its own section of docs/benchmarks.md, replacing the figures of its
 * previous run, with the machine it ran on.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(new URL("../../../docs/benchmarks.md", import.meta.url));

/** "2 × <CPU model>, 24 GiB, Node v24…". */
export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Writes one section of docs/benchmarks.md (between `<!-- bench:<id>:begin/end -->`), replacing the previous one. */
export function writeSection(id: string, markdown: string): void {
  const begin = `<!-- bench:${id}:begin -->`;
  const end = `<!-- bench:${id}:end -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let text = existsSync(FILE)
    ? readFileSync(FILE, "utf8")
    : "# Benchmarks\n\nFigures written by `npm run bench`; each section is replaced when its benchmark runs again.\n";
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  text = start >= 0 && stop > start ? text.slice(0, start) + block + text.slice(stop + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text.endsWith("\n") ? text : `${text}\n`);
  console.log(`docs/benchmarks.md: section "${id}" written`);
}

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns the time per call. */
export function measure(fn: () => unknown, ms = 1000): { perCallUs: number; calls: number } {
  for (let i = 0; i < 20; i++) fn();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    calls++;
  }
  return { perCallUs: ((performance.now() - start) * 1000) / calls, calls };
}
