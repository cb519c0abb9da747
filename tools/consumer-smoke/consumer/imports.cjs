// CommonJS: the SDK's CJS build (require), and the bridge's client, which is ESM only: require(esm), Node >= 20.19.
const assert = require("node:assert/strict");
const sdk = require("@sreda/sdk");
const testing = require("@sreda/sdk/testing");
const { templates } = require("@sreda/templates");
const { createBridgeClient } = require("@sreda/bridge/client");

for (const name of ["createProvisioningPlan", "createKubeClient", "applyPlan", "redactPlan", "generateCustomerSecrets", "followEnvironment"]) {
  assert.equal(typeof sdk[name], "function", `@sreda/sdk exports ${name}`);
}
assert.equal(typeof testing.createFakeCluster, "function");
assert.equal(typeof createBridgeClient, "function");
assert.ok(templates.length >= 9);
// The CJS builds resolve to .cjs files, not to the ESM ones.
assert.match(require.resolve("@sreda/sdk"), /index\.cjs$/);
assert.match(require.resolve("@sreda/sdk/testing"), /testing[\\/]index\.cjs$/);

// One copy of the core inside the CJS build too: the fake's SredaError is require("@sreda/sdk").SredaError.
const cluster = testing.createFakeCluster();
assert.throws(
  () => cluster.putObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_A_Name", namespace: "lms-dev" } }),
  (error) => error instanceof sdk.SredaError && error.code === "FAKE_CLUSTER_REJECTED",
);
cluster.close();

console.log(`cjs requires ok (node ${process.version})`);
