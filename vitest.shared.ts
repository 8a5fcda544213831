import { defineConfig } from "vitest/config"

/** Shared vitest settings: workspace packages resolve to their TypeScript sources. */
export default defineConfig({
  resolve: { conditions: ["@rosterkit/source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["@rosterkit/source", "module", "node", "import", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } }
  }
})
