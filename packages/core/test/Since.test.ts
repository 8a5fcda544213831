import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Since from "@rosterkit/core/Since"

describe("Since", () => {
  it("normalises a since to one UTC instant", () => {
    // Expected values written out by hand.
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["2024-06-01", "2024-06-01T00:00:00.000Z"],
      [" 2024-06-01 ", "2024-06-01T00:00:00.000Z"],
      ["2024-06-01 10:00", "2024-06-01T10:00:00.000Z"],
      ["2024-06-01T10:00", "2024-06-01T10:00:00.000Z"],
      ["2024-06-01T10:00:00+02:00", "2024-06-01T08:00:00.000Z"],
      ["2024-06-01T10:00:00+0200", "2024-06-01T08:00:00.000Z"],
      ["2024-06-01T10:00:00-05", "2024-06-01T15:00:00.000Z"],
      ["2024-05-31T23:30:00-02:30", "2024-06-01T02:00:00.000Z"],
      ["2024-06-01T08:00:00.25Z", "2024-06-01T08:00:00.250Z"],
      ["2024-06-01t08:00:00z", "2024-06-01T08:00:00.000Z"],
      ["2024-02-29", "2024-02-29T00:00:00.000Z"]
    ]
    for (const [input, canonical] of cases) expect(Since.parse(input), input).toStrictEqual(Either.right(canonical))
  })

  it("refuses anything else with a ConfigurationError naming the setting", () => {
    for (const bad of ["", "yesterday", "2024-6-1", "2024-13-01", "2023-02-29", "2024-06-31", "2024-06-01T25:00", "2024-06-01T10:61", "06/01/2024", "2024-06-01T10:00+25:00", "1717200000"]) {
      const result = Since.parse(bad, "--since")
      expect(Either.isLeft(result), bad).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("ConfigurationError")
        expect(result.left.setting).toBe("--since")
        expect(result.left.message).toContain("is not an ISO 8601 date or timestamp")
      }
    }
  })

  it("compares records as instants and keeps undated ones", () => {
    const since = Since.toMillis("2024-06-01T00:00:00Z")!
    expect(Since.keeps(since, { dateLastModified: "2024-06-01T00:00:00.000Z" })).toBe(false) // equal is not after
    expect(Since.keeps(since, { dateLastModified: "2024-06-01T00:00:00.001Z" })).toBe(true)
    expect(Since.keeps(since, { dateLastModified: "2024-06-01T01:00:00+02:00" })).toBe(false) // 23:00Z the day before
    expect(Since.keeps(since, { dateLastModified: "2024-05-31T23:00:00-02:00" })).toBe(true) // 01:00Z
    expect(Since.keeps(since, { dateLastModified: "2024-06-02" })).toBe(true)
    expect(Since.keeps(since, {})).toBe(true)
    expect(Since.keeps(since, { dateLastModified: "" })).toBe(true)
    expect(Since.keeps(since, { dateLastModified: "last week" })).toBe(true)
    expect(Since.isUndated({ dateLastModified: "" })).toBe(true)
    expect(Since.isUndated({ dateLastModified: "2024-06-02" })).toBe(false)
  })
})
