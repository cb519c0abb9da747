#!/usr/bin/env node
/**
 * The `sreda` bin: runs the command line with the process's streams. The first Ctrl+C (SIGINT) or SIGTERM cancels
 * the command cleanly through its AbortSignal — the run stops where it is, the customer's lock is released, and
 * the exit code is 5; a second Ctrl+C exits at once (130).
 */
import { runSreda } from "./run.js";

const controller = new AbortController();
let interrupts = 0;
const cancel = (signal: NodeJS.Signals) => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write(`\n${signal === "SIGINT" ? "interrupted" : "terminated"}: cancelling (Ctrl+C again to quit at once)…\n`);
  controller.abort(new Error(`cancelled by ${signal}`));
};
process.on("SIGINT", cancel);
process.on("SIGTERM", cancel);

runSreda(process.argv.slice(2), { signal: controller.signal }).then(
  (code) => {
    // Keep-alive connections and timers of the client must not keep the process: exit once stdout is flushed.
    process.stdout.write("", () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`sreda: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
