import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/**
 * The CLI tests spawn the CLI as processes, several at once; on a crowded machine (CI shares its
 * cores) one process can take many seconds, so a test gets two minutes rather than 30 s.
 * This is a time limit for hangs, not an assertion on speed.
 */
export default mergeConfig(shared, {
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000
  }
})
