import { defineConfig } from "vitest/config";

// End-to-end tests drive the real Pulumi CLI: globalSetup gets it (scripts/ensure-pulumi.sh, which builds it
// offline on a fresh machine) in the main process before any file runs; then one file at a time, in order.
export default defineConfig({
  test: {
    pool: "forks",
    include: ["test/e2e/**/*.e2e.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    sequence: { concurrent: false },
  },
});
