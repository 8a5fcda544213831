/**
 * Exact query semantics whatever the provider does: de-duplicated `users`, dotted match fields,
 * server narrowing that cannot depend on the server's case rules or on query order.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as Matcher from "@rosterkit/core/Matcher"
import type * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as RosterProvider from "@rosterkit/core/RosterProvider"

const user = (sourcedId: string, role: "student" | "teacher"): Model.User => ({ sourcedId, role, givenName: sourcedId })
const ref = (sourcedId: string, type: string) => ({ sourcedId, type })

// "both" is a student and a teacher: Clever lists such a user under role=student and role=teacher.
const students = [user("s1", "student"), user("both", "student"), user("s2", "student")]
const teachers = [user("t1", "teacher"), user("both", "teacher")]
const classes: ReadonlyArray<Model.Class> = [
  { sourcedId: "k1", title: "ELA 6 (6A ELA)", course: ref("c1", "course"), metadata: { clever: { ext: { period_code: "P1" } } } },
  { sourcedId: "k2", title: "ela 6 (6a ela)", course: ref("c1", "course"), terms: [ref("t-fall", "academicSession")] },
  { sourcedId: "k3", title: "Math 6", course: ref("c2", "course"), metadata: { room: "302" } }
]
const enrollments: ReadonlyArray<Model.Enrollment> = [
  { sourcedId: "e1", user: ref("s1", "user"), class: ref("k1", "class"), role: "student" },
  { sourcedId: "e2", user: ref("both", "user"), class: ref("k2", "class"), role: "student" },
  { sourcedId: "e3", user: ref("s2", "user"), class: ref("k3", "class"), role: "student" }
]

/** A provider whose server-side `~` narrowing is case-sensitive (like some SQL LIKEs). */
const provider = (() => {
  const base = RosterProvider.make({
    name: "memory",
    capabilities: { entities: ["students", "teachers", "classes", "enrollments"] },
    entities: (kind) => {
      const all: ReadonlyArray<unknown> =
        kind === "students" ? students : kind === "teachers" ? teachers : kind === "classes" ? classes : kind === "enrollments" ? enrollments : []
      return Stream.fromIterable(all as ReadonlyArray<Model.EntityOf<typeof kind>>)
    }
  })
  const hints: Array<RosterProvider.GroupHint> = []
  const service: RosterProvider.Service = {
    ...base,
    capabilities: { ...base.capabilities, groupFilter: true },
    groups: (kind, hint) => {
      if (hint === undefined) return base.groups(kind)
      hints.push(hint)
      return Stream.filter(base.groups(kind), (g) => hint.fields.some((f) => String((g as Record<string, unknown>)[f] ?? "").includes(hint.needle)))
    }
  }
  return { service, hints }
})()

const run = (engine: QueryEngine.Engine, input: Query.QueryInput) =>
  Effect.flatMap(Query.make(input), engine.run).pipe(Effect.map((r) => r.users.map((u) => u.sourcedId)))

describe("exact semantics", () => {
  it.effect("--role users without a group lists a student-and-teacher once", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(provider.service)
      expect(yield* run(engine, { role: "users" })).toStrictEqual(["s1", "both", "s2", "t1"])
      expect(yield* run(engine, { role: "users", max: 4 })).toStrictEqual(["s1", "both", "s2", "t1"])
      expect(yield* run(engine, { role: "teachers" })).toStrictEqual(["t1", "both"])
    })
  )

  it.effect("a case-sensitive server narrowing gives the same answer in any query order", () =>
    Effect.gen(function* () {
      const first = yield* QueryEngine.make(provider.service)
      const narrowed = yield* run(first, { group: "classes", name: "ELA 6 (6A ELA)" })
      const second = yield* QueryEngine.make(provider.service)
      yield* run(second, { group: "classes", name: "Math 6" })
      const listed = yield* run(second, { group: "classes", name: "ELA 6 (6A ELA)" })
      expect(narrowed).toStrictEqual(["s1", "both"])
      expect(listed).toStrictEqual(narrowed)
      expect(provider.hints.map((h) => h.needle)).toContain("6 (6")
    })
  )

  it("narrows only with a letter-free piece of the name", () => {
    expect(Matcher.caseSafeNeedle("ELA 6 (6A ELA)")).toBe("6 (6")
    expect(Matcher.caseSafeNeedle("  31763 ")).toBe("31763")
    expect(Matcher.caseSafeNeedle("Algebra I")).toBeUndefined()
    expect(Matcher.caseSafeNeedle("7")).toBeUndefined()
    expect(Matcher.caseSafeNeedle("Room 12'B")).toBe("12") // quotes are left out
    expect(Matcher.caseSafeNeedle("Élan 2024-25")).toBe("2024-25")
  })

  it.effect("dotted match fields read references, metadata and lists", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(provider.service)
      expect(yield* run(engine, { group: "classes", name: "c1", matchOn: "course.sourcedId" })).toStrictEqual(["s1", "both"])
      expect(yield* run(engine, { group: "classes", name: "302", matchOn: "metadata.room" })).toStrictEqual(["s2"])
      expect(yield* run(engine, { group: "classes", name: "p1", matchOn: "metadata.clever.ext.period_code" })).toStrictEqual(["s1"])
      expect(yield* run(engine, { group: "classes", name: "t-fall", matchOn: "terms.sourcedId" })).toStrictEqual(["both"])
      const none = yield* Effect.flatMap(Query.make({ group: "classes", name: "c9", matchOn: "course.sourcedId" }), engine.run)
      expect(none.groups).toStrictEqual([])
      const object = yield* Effect.flip(run(engine, { group: "classes", name: "x", matchOn: "course" }))
      expect(object.message).toContain("'course' is an object")
      const list = yield* Effect.flip(run(engine, { group: "classes", name: "x", matchOn: "terms" }))
      expect(list.message).toContain("'terms' is a list")
    })
  )

  it("refuses malformed dotted paths", () => {
    for (const bad of ["course.", ".sourcedId", "a..b", "course sourcedId"]) {
      const result = Effect.runSync(Effect.either(Query.make({ group: "classes", name: "x", matchOn: bad })))
      expect(Either.isLeft(result) && result.left.message, bad).toContain("is not a field name or dotted path")
    }
  })
})
