/**
 * Smoke test of the `failfast` benchmark at 1 run per case: each case ends with the expected
 * exit code and error line after at most 2 attempts, and the result is well formed. Never
 * asserts a time (the benchmark itself reports the wall times against the 2 s bound).
 */
import { describe, expect, it } from "vitest"
import * as FailFast from "../src/FailFast.js"

describe("failfast", () => {
  it("a refused port, an unknown host, a TLS failure and a bad URL each end with the expected exit code", async () => {
    const result = await FailFast.run({ size: 1 })
    expect(result.name).toBe("failfast")
    expect(result.rows.map((row) => [row["case"], row["exit codes"], row["correct"]])).toEqual([
      ["connection refused", "5", true],
      ["unknown host", "5", true],
      ["TLS failure (https to a plain-http port)", "5", true],
      ["bad URL", "3", true]
    ])
    expect(result.rows.map((row) => row["attempts"])).toEqual([2, 2, 2, 1])
    expect(result.rows.every((row) => typeof row["median ms"] === "number")).toBe(true)
  }, 120_000)
})
