/**
 * Smoke test of the `startup` benchmark at 2 runs: the CLI packs, installs and answers from
 * the installed bin, and the result is well formed. Never asserts a time. (The workspace-script
 * row is left out: it runs apps/cli/dist, which the CLI's own build may be rewriting meanwhile.)
 */
import { describe, expect, it } from "vitest"
import * as Startup from "../src/Startup.js"

describe("startup", () => {
  it("installs the packed CLI and runs --version and the demo query from it", async () => {
    const result = await Startup.run({ size: 2, pnpmRuns: 0 })
    expect(result.name).toBe("startup")
    expect(result.rows.map((row) => row["what"])).toEqual([
      "installed: npm install --omit=dev (1 package)",
      "rosterkit --version",
      "rosterkit users --count"
    ])
    expect(result.rows.every((row) => row["correct"] === true)).toBe(true)
    expect(result.rows[0]!["MiB"]).toBeGreaterThan(0.1)
    expect(result.rows[1]!["runs"]).toBe(2)
    expect(typeof result.rows[2]!["median ms"]).toBe("number")
  })
})
