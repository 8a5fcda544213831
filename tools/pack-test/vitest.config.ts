import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/** Packing and two `npm install`s take a minute, several on a crowded machine; one worker. */
export default mergeConfig(shared, {
  test: {
    testTimeout: 300_000,
    hookTimeout: 480_000,
    poolOptions: { forks: { maxForks: 1, minForks: 1 } }
  }
})
