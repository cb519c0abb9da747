/**
 * Structured logs: one JSON object per line (`{"time":…,"level":"info","msg":"request",…}`), the shape log
 * shippers read without configuration. Every entry passes through a `Redactor` — known secret values and values
 * under secret-looking keys are replaced — before it is written.
 */
import { Redactor } from "./redact.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The same sink with extra fields on every entry. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stdout). Tests collect them. */
  write?: (line: string) => void;
  /** Secrets known for the whole process (the bridge's own token). */
  redactor?: Redactor;
  now?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = "info", write = (line: string) => void process.stdout.write(`${line}\n`), redactor = new Redactor(), now = Date.now } = options;
  const threshold = RANK[level];
  const make = (base: LogFields): Logger => {
    const log = (entryLevel: Exclude<LogLevel, "silent">, msg: string, fields: LogFields = {}) => {
      if (RANK[entryLevel] < threshold) return;
      const entry = redactor.scrubDeep({ time: new Date(now()).toISOString(), level: entryLevel, msg, ...base, ...fields }, { byKey: true });
      write(JSON.stringify(entry));
    };
    return {
      debug: (msg, fields) => log("debug", msg, fields),
      info: (msg, fields) => log("info", msg, fields),
      warn: (msg, fields) => log("warn", msg, fields),
      error: (msg, fields) => log("error", msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({});
}

/** Error → loggable fields (message and stack, no own enumerable properties that might hold a request). */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: { name: error.name, message: error.message, ...(typeof code === "string" ? { code } : {}), stack: error.stack } };
  }
  return { error: { message: String(error) } };
}
