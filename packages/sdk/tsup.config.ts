import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts", "testing/msw": "src/testing/msw.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  // No source maps in the published build: they would point to src/, which is not published (shipping it too would
  // double the package for little gain: the bundles are not minified, names and lines read as they are).
  sourcemap: false,
  target: "node20",
  // Shared code in chunks for the CommonJS build too (esbuild splits only ESM; tsup's experimental CJS splitting
  // does the rest): without it dist/testing/index.cjs carried a second copy of the core (~70 kB, and its own
  // module-level state), as the ESM build never did.
  splitting: true,
  // msw is an optional peer, imported only by the `@sreda/sdk/testing/msw` entry.
  external: ["msw"],
});
