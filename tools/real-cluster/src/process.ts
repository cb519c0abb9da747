/**
 * The control plane's processes: started detached (their own session, output to a log file) so that they outlive
 * the command that started them, and stopped by PID — only when the PID still runs the binary we started.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";

export interface ProcessRecord {
  name: string;
  pid: number;
  /** Absolute path of the executable, as started (checked before any signal, against PID reuse). */
  binary: string;
  log: string;
}

/** Exit codes of processes this process started, as they arrive (a start fails fast when one dies). */
const exits = new Map<number, string>();

export function startProcess(name: string, binary: string, args: string[], options: { log: string; cwd: string }): ProcessRecord {
  const fd = fs.openSync(options.log, "a");
  try {
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${binary} ${args.join(" ")}\n`);
    const child = spawn(binary, args, { cwd: options.cwd, detached: true, stdio: ["ignore", fd, fd] });
    if (child.pid === undefined) throw new Error(`${name} did not start (${binary})`);
    const pid = child.pid;
    child.on("exit", (code, signal) => exits.set(pid, signal ? `killed by ${signal}` : `exited with code ${code}`));
    child.on("error", (error) => exits.set(pid, `failed: ${error.message}`));
    child.unref();
    return { name, pid, binary, log: options.log };
  } finally {
    fs.closeSync(fd);
  }
}

/** How a process this process started ended, if it did. */
export function exitOf(pid: number): string | undefined {
  return exits.get(pid);
}

/** The executable a PID runs and whether it is a zombie, or undefined when there is no such process. */
function inspect(pid: number): { argv0: string; zombie: boolean } | undefined {
  if (fs.existsSync("/proc/self/stat")) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
      return { argv0, zombie: state === "Z" || state === "X" };
    } catch {
      return undefined;
    }
  }
  // Not Linux: ps.
  const ps = spawnSync("ps", ["-o", "stat=,command=", "-p", String(pid)], { encoding: "utf8" });
  const line = ps.stdout.trim();
  if (ps.status !== 0 || !line) return undefined;
  const [state = "", ...command] = line.split(/\s+/);
  return { argv0: command[0] ?? "", zombie: state.startsWith("Z") };
}

/** Whether the PID is alive and still runs `binary` (a reused PID is not ours). */
export function isRunning(record: Pick<ProcessRecord, "pid" | "binary">): boolean {
  const info = inspect(record.pid);
  return info !== undefined && !info.zombie && info.argv0 === record.binary;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Returns what happened:
 * "not running" (nothing to do), "stopped" or "killed".
 */
export async function stopProcess(record: ProcessRecord, graceMs = 10_000): Promise<"not running" | "stopped" | "killed"> {
  if (!isRunning(record)) return "not running";
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(record.pid, sig);
    } catch {
      // Gone in between.
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(record)) return "stopped";
    await sleep(50);
  }
  signal("SIGKILL");
  for (let i = 0; i < 100 && isRunning(record); i++) await sleep(50);
  return "killed";
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    const text = fs.readFileSync(file, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
