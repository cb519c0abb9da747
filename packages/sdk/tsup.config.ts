import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // msw is an optional peer: only `mswHandlers()` of the fake cluster needs it.
  external: ["msw"],
  // testing/msw.ts loads msw lazily through import.meta; the shim keeps the CJS build quiet and working.
  shims: true,
});
