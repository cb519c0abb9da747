/**
 * A yes/no question on the terminal (stderr), answered on stdin; Ctrl+C while it waits cancels like anywhere else.
 */
import { createInterface } from "node:readline/promises";
import type { SredaIo } from "./output.js";

/** Whether the user answers yes (`y` or `yes`, any case). */
export async function confirm(io: SredaIo, question: string): Promise<boolean> {
  // Not in raw mode: the terminal echoes and edits the line, and Ctrl+C stays the process's SIGINT (which cancels).
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    const answer = await rl.question(question, { signal: io.signal });
    return /^\s*(y|yes)\s*$/i.test(answer);
  } catch (error) {
    if (io.signal.aborted) return false;
    throw error;
  } finally {
    rl.close();
  }
}
