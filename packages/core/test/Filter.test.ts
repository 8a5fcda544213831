import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Filter from "@rosterkit/core/Filter"

describe("Filter", () => {
  it.effect("parses one and two predicates, with doubled quotes", () =>
    Effect.gen(function* () {
      const one = yield* Filter.parse("title='O''Brien''s Homeroom'")
      expect(one.predicates).toStrictEqual([{ field: "title", op: "=", value: "O'Brien's Homeroom" }])
      const two = yield* Filter.parse("role='student' or dateLastModified>='2020-01-01'")
      expect(two.join).toBe("OR")
      expect(two.predicates[1]).toStrictEqual({ field: "dateLastModified", op: ">=", value: "2020-01-01" })
      expect(Filter.format(one)).toBe("title='O''Brien''s Homeroom'")
    })
  )

  it.effect("rejects what OneRoster does not allow", () =>
    Effect.gen(function* () {
      for (const bad of ["title", "title=ELA", "a='1' AND b='2' AND c='3'", "a='1' XOR b='2'", "a=='1'"]) {
        const error = yield* Effect.flip(Filter.parse(bad))
        expect(error._tag).toBe("InvalidQuery")
        expect(error.field).toBe("filter")
      }
    })
  )

  it.effect("evaluates like a server: dotted fields, lists, contains", () =>
    Effect.gen(function* () {
      const cls = { sourcedId: "1", title: "ELA 6 (6A ELA)", course: { sourcedId: "c1", type: "course" }, grades: ["06", "07"] }
      const check = (expr: string) => Effect.map(Filter.parse(expr), (f) => Filter.evaluate(f, cls))
      expect(yield* check("course.sourcedId='c1'")).toBe(true)
      expect(yield* check("grades='07'")).toBe(true)
      expect(yield* check("grades!='07'")).toBe(false)
      expect(yield* check("title~'6a ela'")).toBe(true)
      expect(yield* check("title='ela 6 (6a ela)'")).toBe(false)
      expect(yield* check("location='302'")).toBe(false)
      expect(yield* check("location!='302'")).toBe(true)
      expect(yield* check("title~'ELA' AND sourcedId='2'")).toBe(false)
      expect(yield* check("title~'ELA' OR sourcedId='2'")).toBe(true)
    })
  )
})
