import { defineConfig } from "vitest/config";

// Forks, not threads: Pulumi's closure serialization and runtime settings are process-global,
// and the program must be imported after setMocks in a fresh process (pulumi-offline.md §3.1).
export default defineConfig({
  test: {
    pool: "forks",
    globalSetup: ["test/setup/actionlint.ts"],
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
