/**
 * The command line: which command, and its flags, with node's util.parseArgs (no dependency). Flags may come before
 * or after the command (`sreda -n lms-dev status --client C42`), as kubectl takes them; `--flag=value` and
 * `--flag value` both work; a boolean with a default of true takes `--no-<flag>`.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "./exit-codes.js";

export interface OptionSpec {
  name: string;
  short?: string;
  type: "string" | "boolean";
  /** Shown in the help (`--timeout=15m`); the empty string or false when absent. */
  default?: string | boolean;
  /** For the help: what the value is (`FILENAME`). */
  description: string;
}

/** The parsed flags of one command line, by long name. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** Flags every command takes: how to reach the cluster, as kubectl's global options. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: "kubeconfig", type: "string", description: "Path to the kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config)." },
  { name: "context", type: "string", description: "The name of the kubeconfig context to use (default: its current-context)." },
  {
    name: "namespace",
    short: "n",
    type: "string",
    description: "The customer's namespace; overrides the input's environment.namespace (without a file: default the context's namespace).",
  },
  {
    name: "server",
    short: "s",
    type: "string",
    description: "The address of the Kubernetes API server (or a Rancher proxy URL); overrides the kubeconfig's and the input's.",
  },
  { name: "token", type: "string", description: "Bearer token for authentication to the API server." },
  { name: "certificate-authority", type: "string", description: "Path to a PEM file of the certificate authority of the API server." },
  { name: "client-certificate", type: "string", description: "Path to a PEM client certificate file for TLS authentication." },
  { name: "client-key", type: "string", description: "Path to the PEM key file of the client certificate." },
  {
    name: "insecure-skip-tls-verify",
    type: "boolean",
    default: false,
    description: "Do not check the server's certificate for validity (insecure: for labs only).",
  },
];

export const HELP_OPTION: OptionSpec = { name: "help", short: "h", type: "boolean", default: false, description: "Help for the command." };

function parseArgsConfig(specs: readonly OptionSpec[]): ParseArgsOptionsConfig {
  const config: ParseArgsOptionsConfig = {};
  for (const spec of specs) config[spec.name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  return config;
}

/** Node's parse errors in kubectl's words. */
function usageErrorOf(error: unknown): UsageError {
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(text)?.[1] ?? text;
    return new UsageError(`unknown flag: ${flag}`);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /--[\w-]+/.exec(text)?.[0];
    if (flag && text.includes("argument missing")) return new UsageError(`flag needs an argument: ${flag}`);
    if (flag && text.includes("does not take an argument")) return new UsageError(`flag takes no value (use ${flag} or --no-${flag.slice(2)}): ${flag}`);
  }
  return new UsageError(text);
}

/** `--wait=false` → `--no-wait`, `--yes=true` → `--yes`: kubectl's way of writing booleans, for the boolean flags. */
function normalizeBooleans(argv: readonly string[], specs: readonly OptionSpec[]): string[] {
  const booleans = new Set(specs.filter((s) => s.type === "boolean").map((s) => s.name));
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === "--") return [...out, ...argv.slice(out.length)];
    const m = /^--([\w-]+)=(true|false)$/.exec(arg);
    out.push(m && booleans.has(m[1]!) ? (m[2] === "true" ? `--${m[1]}` : `--no-${m[1]}`) : arg);
  }
  return out;
}

/** The positional arguments of a command line whose flags are `specs` (the command name first). */
export function positionalsOf(argv: readonly string[], specs: readonly OptionSpec[]): string[] {
  try {
    return parseArgs({ args: normalizeBooleans(argv, specs), options: parseArgsConfig(specs), strict: false, allowPositionals: true, allowNegative: true })
      .positionals;
  } catch (error) {
    throw usageErrorOf(error);
  }
}

/** The flags of a command line, strictly: an unknown flag or a missing value is a usage error. */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[]): { values: OptionValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: normalizeBooleans(argv, specs),
      options: parseArgsConfig(specs),
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    throw usageErrorOf(error);
  }
}

/** A string flag's value, undefined when absent; an empty value is a usage error. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new UsageError(`flag needs a non-empty value: --${name}`);
  return value;
}

/** A boolean flag's value, with its default. */
export function booleanOption(values: OptionValues, name: string, fallback = false): boolean {
  const value = values[name];
  return typeof value === "boolean" ? value : fallback;
}

/** An integer flag's value within [min, max], `fallback` when absent. */
export function integerOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const text = stringOption(values, name);
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`invalid value for --${name}: "${text}" (a whole number from ${min} to ${max})`);
  return value;
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The longest timer Node keeps (about 24.8 days; a longer one fires at once): what "no limit" means here. */
const LONGEST_TIMER_MS = 2_147_483_647;

/** A duration in ms, as kubectl writes them: `90s`, `15m`, `1h30m`, `500ms`; `0` means no limit. */
export function parseDuration(text: string, flag: string): number {
  if (text === "0") return LONGEST_TIMER_MS;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new UsageError(`invalid duration for --${flag}: "${text}" (examples: 90s, 15m, 1h30m; 0 for no limit)`);
  }
  return Math.min(
    LONGEST_TIMER_MS,
    parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNITS_MS[unit!]!, 0),
  );
}
