/**
 * The bridge's configuration: a JSON file named by `SREDA_CONFIG` (optional), overridden by `SREDA_*` variables.
 *
 * Development mode is the default when no token is configured: the bridge then accepts the well-known
 * development token and refuses to listen anywhere but on the loopback interface. `SREDA_MODE=production`
 * without a token refuses to start.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { normalizeClusterUrl } from "./allowed-clusters.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";
import { defaultPlanWorkers } from "./plan-workers.js";

/** The token the bridge accepts in development mode (printed at start; never valid in production mode). */
export const DEVELOPMENT_TOKEN = "sreda-bridge-dev-token";
export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = "127.0.0.1";

export interface BridgeConfig {
  host: string;
  port: number;
  /** Bearer token callers must present. In development mode without one: `DEVELOPMENT_TOKEN`. */
  token: string;
  development: boolean;
  /** JSON-lines journal of operations (no secrets); none = memory only. */
  journalPath: string | undefined;
  logLevel: LogLevel;
  /** Largest request body accepted, bytes (default 1 MiB; more → 413). */
  bodyLimitBytes: number;
  /** Finished operations kept in memory and in the compacted journal (default 200). */
  historyLimit: number;
  /** How long a shutdown waits for running provisionings before recording them as interrupted (default 30 s). */
  shutdownGraceMs: number;
  /** How long a provisioning waits for the environment to become Ready after the last request (default 15 min). */
  readyTimeoutMs: number;
  /**
   * The clusters the bridge may talk to: normalized API root URL prefixes (`SREDA_ALLOWED_CLUSTERS`, comma-separated,
   * or `allowedClusters` in the file). Undefined: every cluster (production warns at start). In development mode the
   * embedded cluster is always added.
   */
  allowedClusters: string[] | undefined;
  /**
   * Worker threads that build dry runs (`POST /v1/plans`), so the bridge uses more than one core (default: one per
   * core beyond the first, at most 4). Undefined or 0: in the request's thread.
   */
  planWorkers?: number | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export const ConfigFile = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  token: z.string().min(16, "токен моста: не короче 16 символов").optional(),
  mode: z.enum(["development", "production"]).optional(),
  journal: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .optional(),
  historyLimit: z.number().int().min(1).max(100_000).optional(),
  shutdownGraceMs: z.number().int().min(0).max(3_600_000).optional(),
  readyTimeoutMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3_600_000)
    .optional(),
  allowedClusters: z.array(z.string().min(1)).max(1000).optional(),
  planWorkers: z.number().int().min(0).max(16).optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name}: ожидалось целое число, получено «${value}»`);
  return Number(value);
}

/** Reads the configuration from `env` (default `process.env`) and the file it names. Throws `ConfigError`. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): BridgeConfig {
  let file: ConfigFile = {};
  if (env["SREDA_CONFIG"]) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFile(env["SREDA_CONFIG"]).replace(/^\uFEFF/, ""));
    } catch (error) {
      throw new ConfigError(`SREDA_CONFIG: не удалось прочитать ${env["SREDA_CONFIG"]}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = ConfigFile.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(`SREDA_CONFIG: ${parsed.error.issues.map((i) => `${i.path.join(".") || "$"}: ${i.message}`).join("; ")}`);
    }
    file = parsed.data;
  }
  const logLevel = (env["SREDA_LOG_LEVEL"] || file.logLevel || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`SREDA_LOG_LEVEL: одно из ${LOG_LEVELS.join(", ")}`);
  const mode = env["SREDA_MODE"] || file.mode;
  if (mode !== undefined && mode !== "development" && mode !== "production") throw new ConfigError("SREDA_MODE: development или production");
  const configuredToken = env["SREDA_TOKEN"] || file.token;
  const development = mode ? mode === "development" : configuredToken === undefined;
  if (!development && configuredToken === undefined) {
    throw new ConfigError("Не задан токен моста: укажите SREDA_TOKEN (или token в файле SREDA_CONFIG); без токена мост запускается только в режиме разработки");
  }
  if (!development && configuredToken === DEVELOPMENT_TOKEN) throw new ConfigError("Токен разработки нельзя использовать в рабочем режиме");
  if (configuredToken !== undefined && configuredToken.length < 16) throw new ConfigError("SREDA_TOKEN: не короче 16 символов");
  const host = env["SREDA_HOST"] || file.host || DEFAULT_HOST;
  if (development && configuredToken === undefined && !LOOPBACK.has(host)) {
    throw new ConfigError(`В режиме разработки (без SREDA_TOKEN) мост слушает только 127.0.0.1, а не ${host}: токен разработки известен всем`);
  }
  const port = int("SREDA_PORT", env["SREDA_PORT"]) ?? file.port ?? DEFAULT_PORT;
  const allowedClusters = clusterList(env["SREDA_ALLOWED_CLUSTERS"], file.allowedClusters);
  if (port > 65535) throw new ConfigError("SREDA_PORT: от 0 до 65535");
  const planWorkers = int("SREDA_PLAN_WORKERS", env["SREDA_PLAN_WORKERS"]) ?? file.planWorkers ?? defaultPlanWorkers();
  if (planWorkers > 16) throw new ConfigError("SREDA_PLAN_WORKERS: от 0 до 16");
  return {
    host,
    port,
    token: configuredToken ?? DEVELOPMENT_TOKEN,
    development,
    journalPath: env["SREDA_JOURNAL"] || file.journal || undefined,
    logLevel,
    bodyLimitBytes: file.bodyLimitBytes ?? 1024 * 1024,
    historyLimit: file.historyLimit ?? 200,
    shutdownGraceMs: int("SREDA_SHUTDOWN_GRACE_MS", env["SREDA_SHUTDOWN_GRACE_MS"]) ?? file.shutdownGraceMs ?? 30_000,
    readyTimeoutMs: file.readyTimeoutMs ?? 15 * 60_000,
    allowedClusters,
    planWorkers,
  };
}

/** The allow-list from the variable (comma-separated) or the file, each entry a normalized http(s) URL prefix. */
function clusterList(variable: string | undefined, fromFile: string[] | undefined): string[] | undefined {
  const entries =
    variable !== undefined && variable.trim() !== ""
      ? variable
          .split(",")
          .map((e) => e.trim())
          .filter(Boolean)
      : fromFile;
  if (entries === undefined) return undefined;
  return entries.map((entry) => {
    const url = normalizeClusterUrl(entry);
    const parts = url === undefined ? undefined : new URL(entry);
    if (url === undefined || !parts || parts.username || parts.password || parts.search || parts.hash) {
      throw new ConfigError(`SREDA_ALLOWED_CLUSTERS: «${entry}» — не корневой URL API кластера вида https://host/путь/ (без логина, параметров и якоря)`);
    }
    return url;
  });
}
