import { defineConfig } from "vitest/config";

// End-to-end tests drive the real Pulumi CLI (built offline by scripts/ensure-pulumi.sh): one file at a
// time, in order, with generous timeouts (the first run may build the CLI).
export default defineConfig({
  test: {
    pool: "forks",
    include: ["test/e2e/**/*.e2e.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 1_800_000,
    sequence: { concurrent: false },
  },
});
