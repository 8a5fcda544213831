import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Query from "@rosterkit/core/Query"

const fails = (input: Query.QueryInput) => Effect.flip(Query.make(input))

describe("Query", () => {
  it.effect("defaults to all students", () =>
    Effect.gen(function* () {
      expect(yield* Query.make({})).toStrictEqual({ role: "students" })
    })
  )

  it.effect("fills in the default matchOn and trims", () =>
    Effect.gen(function* () {
      const q = yield* Query.make({ role: "teachers", group: " classes ", name: " ELA 6 ", max: 5 })
      expect(q).toStrictEqual({ role: "teachers", max: 5, group: { kind: "classes", name: "ELA 6", matchOn: ["sourcedId", "name", "title"] } })
    })
  )

  it.effect("splits matchOn lists", () =>
    Effect.gen(function* () {
      const q = yield* Query.make({ group: "classes", name: "302", matchOn: ["location", "title,classCode"] })
      expect(q.group?.matchOn).toStrictEqual(["location", "title", "classCode"])
    })
  )

  it.effect("names the wrong part and what is allowed", () =>
    Effect.gen(function* () {
      const role = yield* fails({ role: "pupils" })
      expect(role._tag).toBe("InvalidQuery")
      expect(role.field).toBe("role")
      expect(role.message).toBe("invalid role: 'pupils' is not a role; use one of students, teachers, users")
      expect((yield* fails({ group: "classes" })).message).toContain("needs the name or id of a class")
      expect((yield* fails({ group: "sections", name: "x" })).message).toContain("use one of classes, courses, schools")
      expect((yield* fails({ name: "ELA" })).field).toBe("group")
      expect((yield* fails({ max: 0 })).field).toBe("max")
      expect((yield* fails({ max: 1.5 })).field).toBe("max")
      expect((yield* fails({ group: "classes", name: "x", matchOn: " , " })).field).toBe("matchOn")
      expect((yield* fails({ group: "classes", name: "x", matchOn: "title;drop" })).message).toContain("'title;drop' is not a field name")
      expect((yield* fails({ matchOn: "title" })).field).toBe("matchOn")
    })
  )

  it("describes a query", () => {
    expect(Query.describe({ role: "students" })).toBe("all students")
    expect(Query.describe({ role: "users", group: { kind: "schools", name: "7", matchOn: ["sourcedId"] } })).toBe(
      'users of schools matching "7" on sourcedId'
    )
  })
})
