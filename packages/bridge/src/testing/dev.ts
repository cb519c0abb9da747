/**
 * `npm start`: the bridge, and in development mode (no SREDA_TOKEN) an embedded fake cluster on localhost — so a
 * newcomer can provision C42 within a minute. It lives under src/testing/ because it imports `@sreda/sdk/testing`,
 * which production code never does (scripts/check-boundaries.mjs); the production entry is ../main.ts.
 *
 * The fake cluster listens on SREDA_DEV_CLUSTER_PORT (default 8788); SREDA_DEV_CLUSTER=real uses the real control plane
 * of tools/real-cluster instead, when it runs.
 */
import { runCli } from "../cli.js";
import { DEV_CLUSTER_PORT, startDevCluster } from "./dev-cluster.js";
import { realClusterAvailable, useRealDevCluster } from "./real-dev-cluster.js";

// SREDA_DEV_CLUSTER=real: the real control plane of tools/real-cluster (npm run real-cluster:start) instead of the fake.
const real = process.env["SREDA_DEV_CLUSTER"] === "real";
runCli({
  devCluster: () => (real ? useRealDevCluster() : startDevCluster({ port: Number(process.env["SREDA_DEV_CLUSTER_PORT"] || DEV_CLUSTER_PORT) })),
  ...(!real && realClusterAvailable()
    ? { hint: "Есть собранный настоящий кластер Kubernetes: npm run real-cluster:start, затем SREDA_DEV_CLUSTER=real npm start." }
    : {}),
}).catch((error: unknown) => {
  process.stderr.write(`sreda-bridge: не удалось запустить: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
