/**
 * The benchmarks' report: each benchmark writes its own section of docs/benchmarks.md, replacing the figures of its
 * previous run, with the machine it ran on; its goals as rows of figure, goal, peer, ratio and met/not met
 * (./goals.ts), measured against the peer in interleaved rounds of one run (./measure.ts).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FILE = fileURLToPath(new URL("../../../docs/benchmarks.md", import.meta.url));

export { interleave, timed, ratio, summarize, quantile } from "./measure.js";
export type { Subject, Measured, InterleaveOptions, TimedOptions } from "./measure.js";
export { goalTable, printGoals, meets, verdict, duration, times } from "./goals.js";
export type { GoalRow, RatioGoal } from "./goals.js";

/** "2 × <CPU model>, 24 GiB, Node v24…". */
export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** "load average 0.7 (1 min) at the start": what else the machine was doing. */
export function load(): string {
  return `load average ${os.loadavg()[0]!.toFixed(1)} (1 min) at the start`;
}

/** The version of package `name` as installed for the file at `fromUrl` (its nearest node_modules up the tree). */
export function installedVersion(name: string, fromUrl: string): string {
  for (let dir = dirname(fileURLToPath(fromUrl)); ; dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", name, "package.json");
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
    if (dirname(dir) === dir) return "(not found)";
  }
}

/** Writes one section of docs/benchmarks.md (between `<!-- bench:<id>:begin/end -->`), replacing the previous one. */
export function writeSection(id: string, markdown: string): void {
  const begin = `<!-- bench:${id}:begin -->`;
  const end = `<!-- bench:${id}:end -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let text = existsSync(FILE)
    ? readFileSync(FILE, "utf8")
    : "# Benchmarks\n\nFigures written by `npm run bench`; each section is replaced when its benchmark runs again. Each goal is " +
      "stated against a peer measured in the same run (interleaved rounds, medians).\n";
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  text = start >= 0 && stop > start ? text.slice(0, start) + block + text.slice(stop + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text.endsWith("\n") ? text : `${text}\n`);
  console.log(`docs/benchmarks.md: section "${id}" written`);
}
