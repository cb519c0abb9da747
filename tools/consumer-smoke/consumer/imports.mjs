// ESM: every public entry loads from the installed tarballs, and what it exports is what the docs promise.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as sdk from "@sreda/sdk";
import * as testing from "@sreda/sdk/testing";
import * as bridge from "@sreda/bridge";
import { createBridgeClient } from "@sreda/bridge/client";
import { templates } from "@sreda/templates";

for (const name of ["createProvisioningPlan", "createKubeClient", "applyPlan", "redactPlan", "generateCustomerSecrets", "followEnvironment"]) {
  assert.equal(typeof sdk[name], "function", `@sreda/sdk exports ${name}`);
}
assert.equal(typeof testing.createFakeCluster, "function");
assert.equal(typeof testing.createVirtualClock, "function");
assert.equal(typeof bridge.startBridge, "function");
assert.equal(typeof bridge.createApp, "function");
assert.equal(typeof createBridgeClient, "function");
assert.ok(templates.length >= 9, "the templates are data in @sreda/templates");

// The ESM build of the SDK and of its testing entry share one copy of the core: an error the fake throws is the SDK's.
const cluster = testing.createFakeCluster();
assert.throws(
  () => cluster.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_A_Name", namespace: "lms-dev" } }),
  (error) => error instanceof sdk.SredaError && error.code === "FAKE_CLUSTER_REJECTED",
);
cluster.close();

// Deep imports stay closed: only the entries in `exports` are public.
const require = createRequire(import.meta.url);
assert.throws(() => require.resolve("@sreda/sdk/dist/index.js"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });

console.log(`esm imports ok (node ${process.version})`);
