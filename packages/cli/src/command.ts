/**
 * What a command is (its help and its run), and the flags and helpers several commands share.
 */
import { hostname, userInfo } from "node:os";
import { describeEnvironment, type EnvironmentDescription } from "@sreda/sdk";
import { booleanOption, stringOption, type OptionSpec, type OptionValues } from "./args.js";
import { UsageError } from "./exit-codes.js";
import { connect, type Connection } from "./connect.js";
import { loadInput, type LoadedInput } from "./input.js";
import type { Output, SredaIo } from "./output.js";

export interface CommandContext {
  values: OptionValues;
  io: SredaIo;
  output: Output;
  signal: AbortSignal;
}

export interface Command {
  name: string;
  group: "basic" | "lifecycle" | "fleet" | "other";
  /** One line, for `sreda --help`. */
  summary: string;
  /** The paragraph at the top of the command's help. */
  description: string;
  /** `sreda apply -f FILENAME [options]`. */
  usage: string;
  /** `[comment, command line]`, as kubectl's help shows them. */
  examples: readonly (readonly [string, string])[];
  /** The command's own flags (the global ones are listed by `sreda options`). */
  options: readonly OptionSpec[];
  /** Resolves with the exit code; throws for errors (./exit-codes.ts maps them). */
  run(ctx: CommandContext): Promise<number>;
}

export const FILENAME_OPTION: OptionSpec = {
  name: "filename",
  short: "f",
  type: "string",
  description: 'The ProvisioningInput JSON file ("-" reads standard input); its secrets may be left out.',
};

export const FLEET_FILENAME_OPTION: OptionSpec = {
  name: "filename",
  short: "f",
  type: "string",
  description:
    'The FleetInput JSON file: the namespace\'s shared settings once (environment, databases, variables, templates), then the customers, whose secrets may be left out ("-" reads standard input).',
};

export const OUTPUT_OPTION: OptionSpec = {
  name: "output",
  short: "o",
  type: "string",
  description: "Output format: text or json. Default: text on a terminal, json when the output is piped.",
};

export const CLIENT_OPTION: OptionSpec = {
  name: "client",
  type: "string",
  description: "The customer id (C42), instead of -f: the namespace comes from -n or the context's namespace.",
};

export const WAIT_FOR_LOCK_OPTION: OptionSpec = {
  name: "wait-for-lock",
  type: "boolean",
  default: false,
  description: "When another operation is running for the customer, wait for it instead of failing with exit code 4.",
};

/** The input file of `-f`; a usage error when it is missing. */
export async function requiredInput(ctx: CommandContext): Promise<LoadedInput> {
  const file = stringOption(ctx.values, "filename");
  if (file === undefined) throw new UsageError("must specify the input file with -f FILENAME (see --help)");
  return loadInput(file, ctx.io, stringOption(ctx.values, "namespace"));
}

/**
 * The environment of `-f FILE`, or of `--client C42 [-n lms-dev]` (the namespace then falls back to the kubeconfig
 * context's), and the client to reach it.
 */
export async function environmentOf(ctx: CommandContext): Promise<{ environment: EnvironmentDescription; connection: Connection; input?: LoadedInput }> {
  const client = stringOption(ctx.values, "client");
  const file = stringOption(ctx.values, "filename");
  if (client !== undefined && file !== undefined) throw new UsageError("give either -f FILENAME or --client ID, not both");
  if (file !== undefined) {
    const input = await loadInput(file, ctx.io, stringOption(ctx.values, "namespace"));
    const connection = await connect(ctx.values, ctx.io, input.apiRootUrl);
    return { environment: describeEnvironment(input.data), connection, input };
  }
  if (client === undefined) throw new UsageError("must specify -f FILENAME, or --client ID with -n NAMESPACE");
  if (!/^C[1-9][0-9]{0,8}$/.test(client)) throw new UsageError(`--client ${client}: a customer id is C and a number without leading zeros (C42)`);
  const connection = await connect(ctx.values, ctx.io);
  const namespace = stringOption(ctx.values, "namespace") ?? connection.target.namespace;
  if (namespace === undefined) throw new UsageError("--client needs a namespace: -n NAMESPACE (or a kubeconfig context with one)");
  return { environment: describeEnvironment({ client: { id: client }, environment: { namespace } }), connection };
}

/**
 * Who runs the operation, for the customer's lock: a second caller is told who holds it. One per process — the SDK
 * takes a lease held under the caller's own identity as the caller's, so two CLIs must never share one.
 */
export function operatorIdentity(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container): the host alone.
  }
  return `sreda-cli ${user}@${hostname()} pid ${process.pid}`;
}

/** What to do when the customer's lock is held: fail (exit code 4) unless --wait-for-lock. */
export function lockMode(values: OptionValues): "wait" | "fail" {
  return booleanOption(values, "wait-for-lock") ? "wait" : "fail";
}
