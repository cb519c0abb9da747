import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    client: "src/client.ts",
    main: "src/main.ts",
    // The development stack (bridge + embedded fake cluster) lives under src/testing/: production code never
    // imports @sreda/sdk/testing (scripts/check-boundaries.mjs), and this entry is only for `npm start`.
    "testing/dev": "src/testing/dev.ts",
  },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts", client: "src/client.ts" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["msw"],
});
