import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(shared, {
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    poolOptions: { forks: { maxForks: 1, minForks: 1 } }
  }
})
