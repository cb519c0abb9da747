import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Starting and stopping a control plane takes seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
