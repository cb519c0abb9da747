/**
 * `--help` as kubectl writes it: what the command does, Examples (a comment, then the command line), Options with
 * their defaults (`--wait=true:` then the description on its own indented line), Usage, and where to look next.
 */
import { GLOBAL_OPTIONS, HELP_OPTION, type OptionSpec } from "./args.js";
import type { Command } from "./command.js";
import { EXIT_CODE_HELP } from "./exit-codes.js";

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** `    -f, --filename='':` then the description, indented by a tab, as kubectl prints its flags. */
function optionLines(specs: readonly OptionSpec[]): string[] {
  const lines: string[] = [];
  for (const spec of specs) {
    const value = spec.type === "boolean" ? String(spec.default ?? false) : spec.default ? String(spec.default) : "''";
    lines.push(`    ${spec.short ? `-${spec.short}, ` : ""}--${spec.name}=${value}:`);
    for (const line of wrap(spec.description, 100)) lines.push(`\t${line}`);
    lines.push("");
  }
  return lines;
}

const FOOTER_OPTIONS = 'Use "sreda options" for a list of global command-line options (applies to all commands).';

export function commandHelp(command: Command): string {
  const lines = [command.description, "", "Examples:"];
  command.examples.forEach(([comment, line], i) => {
    if (i > 0) lines.push("");
    lines.push(`  # ${comment}`, `  ${line}`);
  });
  lines.push("", "Options:", ...optionLines([...command.options, HELP_OPTION]));
  lines.push("Usage:", `  ${command.usage}`, "", FOOTER_OPTIONS, "");
  return lines.join("\n");
}

export function rootHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  const group = (title: string, g: Command["group"]) => [
    `${title}:`,
    ...commands.filter((c) => c.group === g).map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
  ];
  return [
    "sreda provisions customer environments of Sreda on Kubernetes from a JSON input file (a ProvisioningInput),",
    "reaching the cluster through your kubeconfig as kubectl does, and controls them afterwards; the fleet commands",
    "do it for every customer of a namespace at once (a FleetInput: the shared settings once, then the customers).",
    "",
    " Find more information at: https://github.com/sreda/sreda/tree/main/packages/cli",
    "",
    ...group("Basic Commands", "basic"),
    ...group("Lifecycle Commands", "lifecycle"),
    ...group("Fleet Commands", "fleet"),
    ...group("Other Commands", "other"),
    "Exit codes:",
    ...EXIT_CODE_HELP.map(([code, text]) => `  ${code}   ${text}`),
    "",
    "Output:",
    "  On a terminal: live progress for people (colours unless NO_COLOR is set). Piped, or with -o json: JSON lines,",
    '  one object per event, then one {"type":"result", …}. Secrets are never printed.',
    "",
    "Usage:",
    "  sreda <command> [flags] [options]",
    "",
    'Use "sreda <command> --help" for more information about a given command.',
    FOOTER_OPTIONS,
    "",
  ].join("\n");
}

export function optionsHelp(): string {
  return ["The following options can be passed to any command:", "", ...optionLines(GLOBAL_OPTIONS)].join("\n");
}
