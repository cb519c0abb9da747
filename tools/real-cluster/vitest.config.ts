import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One shared control plane for the run (test/support/global-setup.ts); the files get it with inject("realCluster").
    globalSetup: ["test/support/global-setup.ts"],
    // The files mostly wait on the control plane (Job back-off, scheduling, rollouts): run them side by side even on
    // two cores, where vitest's default (cores - 1) would run them one after the other.
    maxWorkers: 6,
    // Starting and stopping a control plane takes seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
