/**
 * One run of `sreda`: the command line parsed, the command run, its errors reported (for people on stderr, and as
 * the last JSON line in JSON mode) and turned into the exit code (./exit-codes.ts).
 */
import { GLOBAL_OPTIONS, HELP_OPTION, parseOptions, positionalsOf, stringOption, type OptionSpec } from "./args.js";
import type { Command } from "./command.js";
import { applyCommand } from "./commands/apply.js";
import { diffCommand } from "./commands/diff.js";
import { driftCommand } from "./commands/drift.js";
import { inventoryCommand } from "./commands/inventory.js";
import { deprovisionCommand, resumeCommand, suspendCommand } from "./commands/lifecycle.js";
import { planCommand } from "./commands/plan.js";
import { rolloutCommand } from "./commands/rollout.js";
import { statusCommand } from "./commands/status.js";
import { EXIT_CODES, exitCodeOf, UsageError } from "./exit-codes.js";
import { commandHelp, optionsHelp, rootHelp } from "./help.js";
import { createOutput, reportError, type Output, type SredaIo } from "./output.js";
import { CLI_VERSION } from "./version.js";

const optionsCommand: Command = {
  name: "options",
  group: "other",
  summary: "Print the list of flags inherited by all commands",
  description: "Print the list of flags inherited by all commands.",
  usage: "sreda options",
  examples: [["Print flags inherited by all commands", "sreda options"]],
  options: [],
  async run({ io }) {
    io.stdout.write(optionsHelp());
    return EXIT_CODES.succeeded;
  },
};

const versionCommand: Command = {
  name: "version",
  group: "other",
  summary: "Print the version of sreda",
  description: "Print the version of sreda.",
  usage: "sreda version [options]",
  examples: [["Print the version", "sreda version"]],
  options: [{ name: "output", short: "o", type: "string", description: "Output format: text or json." }],
  async run({ output }) {
    output.line(`sreda version ${CLI_VERSION}`);
    output.document({ cli: CLI_VERSION });
    return EXIT_CODES.succeeded;
  },
};

const COMMANDS: readonly Command[] = [
  planCommand,
  diffCommand,
  applyCommand,
  statusCommand,
  suspendCommand,
  resumeCommand,
  deprovisionCommand,
  inventoryCommand,
  driftCommand,
  rolloutCommand,
  optionsCommand,
  versionCommand,
];

/** Every flag of every command, each once: enough to find the command among the arguments. */
const ALL_OPTIONS: readonly OptionSpec[] = [
  ...new Map([...GLOBAL_OPTIONS, HELP_OPTION, ...COMMANDS.flatMap((c) => c.options)].map((o) => [o.name, o])).values(),
];

function unknownCommand(name: string): UsageError {
  const close = COMMANDS.filter((c) => c.name.startsWith(name.slice(0, 2)) || name.startsWith(c.name)).map((c) => c.name);
  const hint = close.length > 0 ? `\n\nDid you mean this?\n\t${close.join("\n\t")}` : "";
  return new UsageError(`unknown command "${name}" for "sreda"${hint}\nRun 'sreda --help' for usage.`);
}

/** kubectl's pointer to the help after a flag it did not understand. */
function withHelpHint<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}\nSee 'sreda ${name} -h' for help and examples.`);
    throw error;
  }
}

/** The process's streams and environment, with whatever the caller replaces. */
function processIo(io: Partial<SredaIo>): SredaIo {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    signal: io.signal ?? new AbortController().signal,
  };
}

async function dispatch(argv: readonly string[], io: SredaIo, setOutput: (output: Output) => void): Promise<number> {
  const [name, ...extra] = positionalsOf(argv, ALL_OPTIONS);
  if (name === undefined || name === "help") {
    const command = COMMANDS.find((c) => c.name === extra[0]);
    if (name === undefined) parseOptions(argv, [...GLOBAL_OPTIONS, HELP_OPTION]);
    else if (extra[0] !== undefined && !command) throw unknownCommand(extra[0]);
    io.stdout.write(command ? commandHelp(command) : rootHelp(COMMANDS));
    return EXIT_CODES.succeeded;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw unknownCommand(name);
  const { values, positionals } = withHelpHint(name, () => parseOptions(argv, [...GLOBAL_OPTIONS, ...command.options, HELP_OPTION]));
  if (values["help"] === true) {
    io.stdout.write(commandHelp(command));
    return EXIT_CODES.succeeded;
  }
  if (positionals.length > 1)
    throw new UsageError(`unexpected argument "${positionals[1]}" for "sreda ${name}"\nSee 'sreda ${name} -h' for help and examples.`);
  const output = createOutput(io, stringOption(values, "output"));
  setOutput(output);
  return command.run({ values, io, output, signal: io.signal });
}

/**
 * Runs `sreda` with these arguments (without the program name) and resolves with its exit code. The bin passes the
 * process's streams and a signal aborted on SIGINT/SIGTERM; a caller may pass its own (tests, scripts).
 */
export async function runSreda(argv: readonly string[], io: Partial<SredaIo> = {}): Promise<number> {
  const full = processIo(io);
  let output: Output | undefined;
  try {
    return await dispatch(argv, full, (o) => (output = o));
  } catch (error) {
    const code = exitCodeOf(error, full.signal);
    // An error before the output format was known (a flag, the command): for people, and JSON when piped.
    const out = output ?? createOutput(full, undefined);
    reportError(out, code === EXIT_CODES.cancelled ? new Error("cancelled") : error, code);
    return code;
  }
}
