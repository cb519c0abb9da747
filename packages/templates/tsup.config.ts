import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  // No source maps in the published build: they would point to src/, which is not published (shipping it too would
  // double the package for little gain: the bundles are not minified, names and lines read as they are).
  sourcemap: false,
  target: "node20",
});
