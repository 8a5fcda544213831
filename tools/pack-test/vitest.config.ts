import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/** Packing and two `npm install`s take a minute on a busy machine; one worker. */
export default mergeConfig(shared, {
  test: {
    testTimeout: 240_000,
    hookTimeout: 240_000,
    poolOptions: { forks: { maxForks: 1, minForks: 1 } }
  }
})
