import { defineConfig } from "vitest/config"

/**
 * Shared vitest settings: workspace packages resolve to their TypeScript sources.
 * No "import" condition: vitest hands these to Node as --conditions, which also applies them to
 * require(), and CommonJS packages (yazl -> buffer-crc32) would then load their ESM builds.
 */
export default defineConfig({
  resolve: { conditions: ["@rosterkit/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@rosterkit/source", "module", "node", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } }
  }
})
