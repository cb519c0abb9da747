import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    // The library entry: `runSreda`, for scripts and tests that run the CLI in-process.
    index: "src/index.ts",
    // The `sreda` bin (its shebang line is kept).
    main: "src/main.ts",
  },
  // ESM and CommonJS, as the SDK ships, so that `require("@sreda/cli")` works too; the bin is the ESM build (the
  // CommonJS copy of it is left out of the package: package.json's `files`). One config, not one per entry: tsup
  // builds the configs of an array at once, and one's `clean` would race the other's output.
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  // No source maps in the published build: they would point to src/, which is not published.
  sourcemap: false,
  target: "node22",
});
