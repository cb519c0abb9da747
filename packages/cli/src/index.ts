/**
 * @sreda/cli — the `sreda` command (see README.md), and `runSreda` to run it in-process: from a script or a test,
 * with its own streams, environment and cancellation signal.
 */
export { runSreda } from "./run.js";
export { EXIT_CODES } from "./exit-codes.js";
export type { SredaIo } from "./output.js";
