/**
 * Goals next to their figures: each row says what was measured, our figure, the goal, the peer's figure from the
 * same run, the ratio the goal is stated in, and "met" or "not met". The same rows go to the console and into
 * docs/benchmarks.md.
 */

export interface GoalRow {
  /** What was measured: "a plan (render + strict validation)". */
  what: string;
  /** Our figure, formatted: "1.21 ms". */
  figure: string;
  /** The goal in words: "≤ 3× the naive text render". */
  goal: string;
  /** The peer and its figure from the same run: "naive text render 0.45 ms". */
  peer: string;
  /** The figure the goal is stated in: "2.7×". */
  ratio: string;
  met: boolean;
}

/** A goal on a ratio: at most or at least a limit. */
export interface RatioGoal {
  atMost?: number;
  atLeast?: number;
}

export function meets(value: number, goal: RatioGoal): boolean {
  if (!Number.isFinite(value)) return false;
  if (goal.atMost !== undefined && !(value <= goal.atMost)) return false;
  if (goal.atLeast !== undefined && !(value >= goal.atLeast)) return false;
  return true;
}

export function verdict(met: boolean): string {
  return met ? "met" : "**not met**";
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The Markdown table of goals. */
export function goalTable(rows: readonly GoalRow[]): string {
  const lines = ["| measured | figure | goal | peer, same run | ratio | |", "|---|---|---|---|---|---|"];
  for (const r of rows) lines.push(`| ${[r.what, r.figure, r.goal, r.peer, r.ratio, verdict(r.met)].map(cell).join(" | ")} |`);
  return lines.join("\n");
}

/** Prints the goals on the console, one line each: figure, goal, peer, ratio, met or not met. */
export function printGoals(title: string, rows: readonly GoalRow[]): void {
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(`  ${r.met ? "met    " : "NOT MET"}  ${r.what}: ${r.figure} — goal ${r.goal}; ${r.peer}; ratio ${r.ratio}`);
  }
  console.log("");
}

/** A duration in ms, with a unit that fits: 42.1 µs, 1.23 ms, 12.3 ms, 1.52 s. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

/** A ratio: 2.71×, 0.43×, 12.4×. */
export function times(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return `${x >= 100 ? x.toFixed(0) : x.toPrecision(3)}×`;
}
