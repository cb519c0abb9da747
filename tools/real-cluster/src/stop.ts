/**
 * npm run real-cluster:stop [-- --wipe] [-- --state DIR]
 *
 * Stops the processes the start recorded in state.json, by PID (SIGTERM, SIGKILL after 10 s), in reverse order.
 * Stopping a stopped control plane does nothing. --wipe deletes the state folder too (certificates, tokens, data).
 */
import { parseArgs } from "node:util";
import { defaultStateDir, readState, stopRealCluster } from "./cluster.js";

const { values } = parseArgs({
  options: {
    state: { type: "string" },
    wipe: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log("usage: npm run real-cluster:stop -- [--wipe] [--state DIR]");
  process.exit(0);
}

try {
  const stateDir = values.state ?? defaultStateDir();
  const hadState = readState(stateDir) !== undefined;
  const { stopped, seconds } = await stopRealCluster({ stateDir, wipe: values.wipe, log: (line) => console.log(line) });
  const count = stopped.filter((s) => s.result !== "not running").length;
  if (!hadState) console.log(`real-cluster: nothing to stop (no state in ${stateDir})`);
  else
    console.log(
      `real-cluster: ${count > 0 ? `stopped ${count} processes in ${seconds} s` : "nothing was running"}${values.wipe ? `; deleted ${stateDir}` : ""}`,
    );
} catch (error) {
  console.error(`real-cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
