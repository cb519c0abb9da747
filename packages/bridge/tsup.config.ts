import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    client: "src/client.ts",
    main: "src/main.ts",
    // Started by PlanWorkers as a worker thread (src/plan-workers.ts finds it beside itself).
    "plan-worker": "src/plan-worker.ts",
    // The development stack (bridge + embedded fake cluster) lives under src/testing/: production code never
    // imports @sreda/sdk/testing (scripts/check-boundaries.mjs), and this entry is only for `npm start` (it is not
    // published: package.json's `files` leaves dist/testing out).
    "testing/dev": "src/testing/dev.ts",
  },
  // ESM only: the bin, `npm start` and every importer in the repository are ESM, and CommonJS callers on Node
  // >= 20.19 can require() it (no top-level await). A CJS build would be a second copy nobody used.
  format: ["esm"],
  dts: { entry: { index: "src/index.ts", client: "src/client.ts" } },
  clean: true,
  // No source maps in the published build: they would point to src/, which is not published.
  sourcemap: false,
  target: "node20",
  external: ["msw"],
});
