#!/usr/bin/env node
/**
 * `sreda-bridge`: the bridge as configured by SREDA_* (see README). Production entry point: it never starts a
 * fake cluster — `npm start` runs ./testing/dev.ts, which does in development mode.
 */
import { runCli } from "./cli.js";

runCli().catch((error: unknown) => {
  process.stderr.write(`sreda-bridge: не удалось запустить: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
