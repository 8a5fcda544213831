import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Matcher from "@rosterkit/core/Matcher"

const cls = { sourcedId: "31763", title: "  ELA 6 (6A ELA) ", location: "302", grades: ["06"], periods: 3 }

describe("Matcher", () => {
  it("matches exactly, trimmed and case-insensitive", () => {
    expect(Matcher.matches(cls, ["sourcedId", "name", "title"], "ela 6 (6a ela)")).toStrictEqual(Either.right(true))
    expect(Matcher.matches(cls, ["sourcedId", "name", "title"], " 31763 ")).toStrictEqual(Either.right(true))
    expect(Matcher.matches(cls, ["sourcedId", "name", "title"], "ELA 6")).toStrictEqual(Either.right(false))
    expect(Matcher.matches(cls, ["location"], "302")).toStrictEqual(Either.right(true))
    expect(Matcher.matches(cls, ["missing"], "302")).toStrictEqual(Either.right(false))
  })

  it("refuses non-text fields with a clear error", () => {
    const list = Matcher.matches(cls, ["grades"], "06", "classes")
    expect(Either.isLeft(list) && list.left.message).toBe(
      "invalid matchOn: 'grades' is a list on classes 31763; only text fields can be matched"
    )
    const number = Matcher.matches(cls, ["periods"], "3", "classes")
    expect(Either.isLeft(number) && number.left.message).toContain("'periods' is a number")
  })

  it("suggests the closest names", () => {
    const names = ["ELA 6 (6A ELA)", "ELA 7 (7B ELA)", "Math 6", "Art / Design", "Science 8"]
    expect(Matcher.closest("ELA 6", names).slice(0, 2)).toStrictEqual(["ELA 6 (6A ELA)", "ELA 7 (7B ELA)"])
    expect(Matcher.closest("Mth 6", names)[0]).toBe("Math 6")
    expect(Matcher.closest("x", [], 3)).toStrictEqual([])
  })

  it("measures edit distance", () => {
    expect(Matcher.distance("kitten", "sitting")).toBe(3)
    expect(Matcher.distance("", "abc")).toBe(3)
    expect(Matcher.distance("same", "same")).toBe(0)
  })

  it("names the nearest candidate within a distance, or none", () => {
    const columns = ["givenName", "familyName", "preferredGivenName", "role"]
    expect(Matcher.nearest("familyname", columns)).toStrictEqual(Option.some("familyName"))
    expect(Matcher.nearest("famliyName", columns)).toStrictEqual(Option.some("familyName"))
    expect(Matcher.nearest("roel", columns, 2)).toStrictEqual(Option.some("role"))
    expect(Matcher.nearest("surname", columns)).toStrictEqual(Option.none())
    // ties go to the earlier candidate
    expect(Matcher.nearest("ab", ["ax", "xb"], 1)).toStrictEqual(Option.some("ax"))
  })
})
