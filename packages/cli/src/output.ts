/**
 * Where and how a command speaks. On a terminal: text for people (colours unless NO_COLOR is set or TERM=dumb);
 * piped, or with `-o json`: JSON — one object per line for commands that report progress, then a final result
 * object. Notes for people (warnings, what was written where) go to stderr in both modes, never into the JSON.
 */
import type { Problem } from "@sreda/sdk";
import { UsageError } from "./exit-codes.js";

/** The streams and environment a run of the CLI uses (the process's, or a test's). */
export interface SredaIo {
  /** Results and progress; a terminal (`isTTY`) gets text for people, anything else JSON lines. */
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Errors and notes for people. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The input file with `-f -`, and the answer to deprovision's question (asked only when it is a terminal). */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** KUBECONFIG, HOME, NO_COLOR, TERM are read from it. */
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (input file, kubeconfig, --secrets-out) are resolved from here. */
  cwd: string;
  /** Aborting it cancels the command (the bin aborts it on SIGINT and SIGTERM). */
  signal: AbortSignal;
}

type OutputFormat = "text" | "json";

export interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export interface Output {
  readonly format: OutputFormat;
  /** stdout is a terminal (live progress, pretty JSON documents). */
  readonly tty: boolean;
  readonly paint: Paint;
  /** Terminal width (120 when unknown). */
  readonly columns: number;
  /** A line for people on stdout (text mode only). */
  line(text?: string): void;
  /** One JSON object on one line of stdout (JSON mode only). */
  json(value: unknown): void;
  /** A whole JSON document (JSON mode only): indented on a terminal, one line when piped. */
  document(value: unknown): void;
  /** A note for people on stderr, in both modes. */
  note(text: string): void;
}

const ANSI = { green: 32, red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;

function paintFor(color: boolean): Paint {
  const style = (code: number) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    green: style(ANSI.green),
    red: style(ANSI.red),
    yellow: style(ANSI.yellow),
    cyan: style(ANSI.cyan),
    dim: style(ANSI.dim),
    bold: style(ANSI.bold),
  };
}

/** Colours only on a terminal, and not when NO_COLOR is set (https://no-color.org) or TERM is dumb. */
function wantsColor(io: SredaIo, tty: boolean): boolean {
  const noColor = io.env["NO_COLOR"];
  return tty && (noColor === undefined || noColor === "") && io.env["TERM"] !== "dumb";
}

/** The output of a command: `-o json|text`, else text on a terminal and JSON when piped. */
export function createOutput(io: SredaIo, requested: string | undefined): Output {
  if (requested !== undefined && requested !== "json" && requested !== "text") {
    throw new UsageError(`unable to match a printer suitable for the output format "${requested}", allowed formats are: json,text`);
  }
  const tty = io.stdout.isTTY === true;
  const format: OutputFormat = requested ?? (tty ? "text" : "json");
  const paint = paintFor(wantsColor(io, tty));
  const errPaint = paintFor(wantsColor(io, io.stderr.isTTY === true));
  return {
    format,
    tty,
    paint: format === "text" ? paint : errPaint,
    columns: io.stdout.columns && io.stdout.columns > 40 ? io.stdout.columns : 120,
    line: (text = "") => {
      if (format === "text") io.stdout.write(`${text}\n`);
    },
    json: (value) => {
      if (format === "json") io.stdout.write(`${JSON.stringify(value)}\n`);
    },
    document: (value) => {
      if (format === "json") io.stdout.write(`${JSON.stringify(value, null, tty ? 2 : undefined)}\n`);
    },
    note: (text) => {
      io.stderr.write(`${text}\n`);
    },
  };
}

/** An error for people (stderr) and, in JSON mode, as the last JSON line: `{"type":"error", …}`. */
export function reportError(output: Output, error: unknown, exitCode: number): void {
  const message = error instanceof Error ? error.message : String(error);
  const problems = problemsOf(error);
  const code = (error as { code?: unknown }).code;
  output.json({
    type: "error",
    exitCode,
    ...(typeof code === "string" ? { code } : {}),
    message,
    ...(problems.length > 0 ? { problems } : {}),
  });
  const paint = output.paint;
  const lines = [`${paint.red("error:")} ${message}`];
  for (const p of problems) lines.push(`  ${paint.bold(p.path)}: ${p.message}`);
  output.note(lines.join("\n"));
}

function problemsOf(error: unknown): readonly Problem[] {
  if (error instanceof UsageError) return error.problems;
  const problems = (error as { problems?: unknown }).problems;
  return Array.isArray(problems) ? (problems as Problem[]) : [];
}
