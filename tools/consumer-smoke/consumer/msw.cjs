// CommonJS with msw (Node >= 22.12): the CJS build of @sreda/sdk/testing/msw requires msw 3, which is ESM only,
// through require(esm) — the same msw instance as `require("msw/node")` here, so its handlers intercept.
const assert = require("node:assert/strict");
const { setupServer } = require("msw/node");
const { createFakeCluster } = require("@sreda/sdk/testing");
const { mswHandlers } = require("@sreda/sdk/testing/msw");

async function main() {
  const cluster = createFakeCluster();
  const server = setupServer(...mswHandlers(cluster, "https://cluster.example/"));
  server.listen({ onUnhandledFrame: "error" });
  try {
    const response = await fetch("https://cluster.example/api/v1/namespaces/lms-dev", { headers: { Authorization: "Bearer sreda-dev-token" } });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).metadata.name, "lms-dev");
  } finally {
    server.close();
    cluster.close();
  }
  console.log(`msw from CommonJS ok (node ${process.version})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
