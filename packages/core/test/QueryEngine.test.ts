import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Model from "@rosterkit/core/Model"
import * as Pager from "@rosterkit/core/Pager"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import { ListingIds } from "../src/internal/IdSet.js"

const ref = (sourcedId: string, type: string) => ({ sourcedId, type })
const user = (id: string, role: "student" | "teacher", orgs: ReadonlyArray<string>): Model.User => ({
  sourcedId: id,
  role,
  givenName: `G${id}`,
  familyName: `F${id}`,
  orgs: orgs.map((o) => ref(o, "org"))
})
const cls = (id: string, title: string, course: string, school: string, location?: string): Model.Class => ({
  sourcedId: id,
  title,
  course: ref(course, "course"),
  school: ref(school, "org"),
  ...(location === undefined ? {} : { location }),
  grades: ["06"]
})
const enroll = (userId: string, classId: string, role: string): Model.Enrollment => ({
  sourcedId: `${userId}-${classId}`,
  user: ref(userId, "user"),
  class: ref(classId, "class"),
  role
})

const data = {
  orgs: [
    { sourcedId: "1", name: "District", type: "district" },
    { sourcedId: "2", name: "Classlink HS", type: "school" },
    { sourcedId: "7", name: "Classlink MS", type: "school" }
  ] satisfies ReadonlyArray<Model.Org>,
  users: [
    user("s1", "student", ["2"]),
    user("s2", "student", ["2"]),
    user("s3", "student", ["7"]),
    user("s4", "student", ["7", "2"]),
    user("t1", "teacher", ["2"]),
    user("t2", "teacher", ["7"])
  ],
  courses: [
    { sourcedId: "c1", title: "ELA 6" },
    { sourcedId: "c2", title: "Math" }
  ] satisfies ReadonlyArray<Model.Course>,
  classes: [
    cls("k1", "ELA 6 (6A ELA)", "c1", "7", "302"),
    cls("k2", "ela 6 (6a ela) ", "c1", "7"),
    cls("k3", "Math 6", "c2", "2", "302"),
    cls("k4", "Art / Design", "c2", "2")
  ],
  enrollments: [
    enroll("s1", "k1", "student"),
    enroll("s2", "k1", "student"),
    enroll("s2", "k2", "student"),
    enroll("s3", "k2", "student"),
    enroll("t1", "k1", "teacher"),
    enroll("s4", "k3", "student"),
    enroll("t2", "k3", "teacher")
  ]
}

const byKind = (kind: Model.EntityKind): ReadonlyArray<unknown> => {
  switch (kind) {
    case "users":
      return data.users
    case "students":
      return data.users.filter((u) => u.role === "student")
    case "teachers":
      return data.users.filter((u) => u.role === "teacher")
    case "orgs":
      return data.orgs
    case "schools":
      return data.orgs.filter((o) => o.type === "school")
    case "classes":
      return data.classes
    case "courses":
      return data.courses
    case "enrollments":
      return data.enrollments
    default:
      return []
  }
}

/** An in-memory provider that counts its calls; options switch on server-side abilities. */
const makeProvider = (options: { groupFilter?: boolean; groupById?: boolean } = {}) => {
  const calls: Array<string> = []
  let inFlight = 0
  let maxInFlight = 0
  let coursesInFlight = 0
  let maxCoursesInFlight = 0
  let maxTotalInFlight = 0
  const base = RosterProvider.make({
    name: "memory",
    capabilities: { entities: ["users", "students", "teachers", "orgs", "schools", "classes", "courses", "enrollments"] },
    entities: (kind) => Stream.fromIterable(byKind(kind) as ReadonlyArray<Model.EntityOf<typeof kind>>)
  })
  const provider: RosterProvider.Service = {
    ...base,
    capabilities: { ...base.capabilities, groupFilter: options.groupFilter ?? false, groupById: options.groupById ?? false },
    groups: (kind, hint) => {
      calls.push(hint === undefined ? `groups ${kind}` : `groups ${kind} ~${hint.value}`)
      const all = base.groups(kind)
      // A server-side "contains" narrowing: a superset of the exact matches.
      return hint === undefined
        ? all
        : Stream.filter(all, (g) =>
            hint.fields.some((f) => String((g as Record<string, unknown>)[f] ?? "").toLowerCase().includes(hint.value.toLowerCase()))
          )
    },
    group: (kind, id) => {
      calls.push(`group ${kind} ${id}`)
      return base.group(kind, id)
    },
    members: (kind, id, role) =>
      Stream.unwrapScoped(
        Effect.acquireRelease(
          Effect.sync(() => {
            calls.push(`members ${kind} ${id} ${role}`)
            inFlight++
            maxInFlight = Math.max(maxInFlight, inFlight)
            maxTotalInFlight = Math.max(maxTotalInFlight, inFlight + coursesInFlight)
          }),
          () => Effect.sync(() => inFlight--)
        ).pipe(Effect.zipRight(Effect.yieldNow()), Effect.as(base.members(kind, id, role)))
      ),
    users: (role) => {
      calls.push(`users ${role}`)
      return base.users(role)
    },
    classesOfCourse: (id) =>
      Stream.unwrapScoped(
        Effect.acquireRelease(
          Effect.sync(() => {
            calls.push(`classesOfCourse ${id}`)
            coursesInFlight++
            maxCoursesInFlight = Math.max(maxCoursesInFlight, coursesInFlight)
            maxTotalInFlight = Math.max(maxTotalInFlight, inFlight + coursesInFlight)
          }),
          () => Effect.sync(() => coursesInFlight--)
        ).pipe(Effect.zipRight(Effect.repeatN(Effect.yieldNow(), 3)), Effect.as(base.classesOfCourse(id)))
      )
  }
  return {
    provider,
    calls,
    maxInFlight: () => maxInFlight,
    maxCoursesInFlight: () => maxCoursesInFlight,
    maxTotalInFlight: () => maxTotalInFlight
  }
}

const ids = (users: ReadonlyArray<Model.User>) => users.map((u) => u.sourcedId)

const run = (engine: QueryEngine.Engine, input: Query.QueryInput) => Effect.flatMap(Query.make(input), engine.run)

describe("QueryEngine", () => {
  it.effect("lists all students, teachers, and users (= students then teachers)", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(makeProvider().provider)
      expect(ids((yield* run(engine, {})).users)).toStrictEqual(["s1", "s2", "s3", "s4"])
      expect(ids((yield* run(engine, { role: "teachers" })).users)).toStrictEqual(["t1", "t2"])
      expect(ids((yield* run(engine, { role: "users" })).users)).toStrictEqual(["s1", "s2", "s3", "s4", "t1", "t2"])
    })
  )

  it.effect("with firstRound, a district listing without max asks for its first pages at once (Pager.FirstRound): the first role only", () =>
    Effect.gen(function* () {
      const { provider } = makeProvider()
      const seen: Array<string> = []
      // each role's listing notes the FirstRound it runs with
      const noting: RosterProvider.Service = {
        ...provider,
        users: (role) => Stream.unwrap(Effect.map(Pager.FirstRound, (n) => (seen.push(`${role} ${n}`), provider.users(role))))
      }
      const engine = yield* QueryEngine.make(noting, { concurrency: 6, firstRound: true })
      expect(ids((yield* run(engine, { role: "users" })).users)).toStrictEqual(["s1", "s2", "s3", "s4", "t1", "t2"])
      expect(seen).toStrictEqual(["students 6", "teachers 1"])
      seen.length = 0
      // without it (the default): the fewest requests
      yield* run(yield* QueryEngine.make(noting, { concurrency: 6 }), { role: "users" })
      expect(seen).toStrictEqual(["students 1", "teachers 1"])
      seen.length = 0
      // with max, one page may be all that is needed; group members are small listings
      yield* run(engine, { role: "users", max: 5 })
      yield* run(engine, { group: "classes", name: "Math 6", role: "users" })
      expect(seen).toStrictEqual(["students 1", "teachers 1"])
    })
  )

  it.effect("users of both roles come out once, with the first role; the first role's pager keeps the ids once", () =>
    Effect.gen(function* () {
      // both roles paged by the pager (checked by id), as the REST providers do; x is a student and a teacher
      const lists = { students: ["s1", "s2", "x", "s3"], teachers: ["t1", "x", "t2"] }
      const paged = (role: "students" | "teachers") =>
        Pager.offsetPaged<Model.User>({
          pageSize: 2,
          concurrency: 2,
          context: { provider: "memory", operation: `list ${role}` },
          id: (u) => u.sourcedId,
          fetch: (offset, limit) =>
            Effect.succeed({
              items: lists[role].slice(offset, offset + limit).map((id) => user(id, role === "students" ? "student" : "teacher", ["2"])),
              total: lists[role].length
            })
        })
      const { provider } = makeProvider()
      const adopted: Array<boolean> = []
      const pagedProvider: RosterProvider.Service = {
        ...provider,
        users: (role) =>
          Stream.unwrap(Effect.map(ListingIds, (ids) => (adopted.push(ids !== undefined), paged(role))))
      }
      for (const firstRound of [false, true]) {
        const engine = yield* QueryEngine.make(pagedProvider, { firstRound })
        expect(ids((yield* run(engine, { role: "users" })).users)).toStrictEqual(["s1", "s2", "x", "s3", "t1", "t2"])
        expect(ids((yield* run(engine, { role: "users", max: 5 })).users)).toStrictEqual(["s1", "s2", "x", "s3", "t1"])
      }
      // the first role is handed the set, the second is not
      expect(adopted).toStrictEqual([true, false, true, false, true, false, true, false])
    })
  )

  it.effect("matches every section sharing a title, de-duplicating members", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(makeProvider().provider)
      const result = yield* run(engine, { group: "classes", name: "ELA 6 (6A ELA)" })
      expect(result.groups.map((g) => g.sourcedId)).toStrictEqual(["k1", "k2"])
      expect(ids(result.users)).toStrictEqual(["s1", "s2", "s3"])
      expect(result.suggestions).toStrictEqual([])
      const both = yield* run(engine, { role: "users", group: "classes", name: "k1" })
      expect(ids(both.users)).toStrictEqual(["s1", "s2", "t1"])
    })
  )

  it.effect("expands courses to classes and reads schools", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(makeProvider().provider)
      expect(ids((yield* run(engine, { group: "courses", name: "ela 6" })).users)).toStrictEqual(["s1", "s2", "s3"])
      expect(ids((yield* run(engine, { group: "schools", name: "Classlink HS" })).users)).toStrictEqual(["s1", "s2", "s4"])
      expect(ids((yield* run(engine, { group: "schools", name: "7" })).users)).toStrictEqual(["s3", "s4"])
      expect(ids((yield* run(engine, { role: "teachers", group: "schools", name: "7" })).users)).toStrictEqual(["t2"])
    })
  )

  it.effect("matches on other fields and refuses list fields", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(makeProvider().provider)
      const room = yield* run(engine, { group: "classes", name: "302", matchOn: "location" })
      expect(ids(room.users)).toStrictEqual(["s1", "s2", "s4"])
      const error = yield* Effect.flip(run(engine, { group: "classes", name: "06", matchOn: "grades" }))
      expect(error._tag).toBe("InvalidQuery")
      expect(error.message).toContain("'grades' is a list on classes k1")
    })
  )

  it.effect("says when nothing matched, with the closest names", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(makeProvider().provider)
      const result = yield* run(engine, { group: "classes", name: "ELA 6" })
      expect(result.users).toStrictEqual([])
      expect(result.groups).toStrictEqual([])
      expect(result.suggestions[0]).toBe("ELA 6 (6A ELA)")
    })
  )

  it.effect("lists each group kind once per engine (no N+1)", () =>
    Effect.gen(function* () {
      const { provider, calls } = makeProvider()
      const engine = yield* QueryEngine.make(provider)
      for (const name of ["ELA 6 (6A ELA)", "Math 6", "k4", "nothing"]) yield* run(engine, { group: "classes", name })
      yield* run(engine, { group: "schools", name: "7" })
      yield* run(engine, { group: "schools", name: "2" })
      expect(calls.filter((c) => c.startsWith("groups"))).toStrictEqual(["groups classes", "groups schools"])
    })
  )

  it.effect("narrows on the server for the first query of a kind, then lists the kind once", () =>
    Effect.gen(function* () {
      const { provider, calls } = makeProvider({ groupFilter: true })
      const engine = yield* QueryEngine.make(provider)
      const result = yield* run(engine, { group: "classes", name: "ELA 6 (6A ELA)" })
      expect(ids(result.users)).toStrictEqual(["s1", "s2", "s3"])
      expect(calls.filter((c) => c.startsWith("groups"))).toStrictEqual(["groups classes ~ELA 6 (6A ELA)"])
      // The second query of the kind lists it once; the third reuses that listing.
      expect(yield* run(engine, { group: "classes", name: "Math 6" }).pipe(Effect.map((r) => ids(r.users)))).toStrictEqual(["s4"])
      yield* run(engine, { group: "classes", name: "Art / Design" })
      expect(calls.filter((c) => c.startsWith("groups"))).toStrictEqual(["groups classes ~ELA 6 (6A ELA)", "groups classes"])
    })
  )

  it.effect("checks an empty narrowed answer against the full listing", () =>
    Effect.gen(function* () {
      const { provider, calls } = makeProvider({ groupFilter: true })
      const engine = yield* QueryEngine.make(provider)
      const none = yield* run(engine, { group: "classes", name: "Latin 101" })
      expect(none.users).toStrictEqual([])
      expect(none.suggestions.length).toBeGreaterThan(0)
      expect(calls.filter((c) => c.startsWith("groups"))).toStrictEqual(["groups classes ~Latin 101", "groups classes"])
    })
  )

  it.effect("fetches a group directly when matching on sourcedId only", () =>
    Effect.gen(function* () {
      const { provider, calls } = makeProvider({ groupById: true })
      const engine = yield* QueryEngine.make(provider)
      const result = yield* run(engine, { group: "classes", name: "k3", matchOn: "sourcedId" })
      expect(ids(result.users)).toStrictEqual(["s4"])
      expect(calls.filter((c) => c.startsWith("group"))).toStrictEqual(["group classes k3"])
    })
  )

  it.effect("stops at max without fetching further groups", () =>
    Effect.gen(function* () {
      const { provider, calls } = makeProvider()
      const engine = yield* QueryEngine.make(provider, { concurrency: 1 })
      const result = yield* run(engine, { role: "users", group: "schools", name: "Classlink HS", max: 2 })
      expect(ids(result.users)).toStrictEqual(["s1", "s2"])
      expect(calls.filter((c) => c.startsWith("members"))).toStrictEqual(["members schools 2 students"])
    })
  )

  it.effect("fetches members with bounded concurrency, in group order", () =>
    Effect.gen(function* () {
      const { provider, maxInFlight } = makeProvider()
      const engine = yield* QueryEngine.make(provider, { concurrency: 2 })
      const result = yield* run(engine, { role: "users", group: "courses", name: "Math" })
      expect(ids(result.users)).toStrictEqual(["s4", "t2"])
      expect(maxInFlight()).toBeLessThanOrEqual(2)
    })
  )

  it.effect("fetches every matched course's classes at once and their members at once, within the bound", () =>
    Effect.gen(function* () {
      const made = makeProvider()
      // Both courses share a title, so one query matches both.
      const provider: RosterProvider.Service = {
        ...made.provider,
        groups: (kind, hint) =>
          kind === "courses"
            ? (Stream.fromIterable([
                { sourcedId: "c1", title: "Shared" },
                { sourcedId: "c2", title: "Shared" }
              ]) as Stream.Stream<RosterProvider.GroupOf<typeof kind>>)
            : made.provider.groups(kind, hint)
      }
      const engine = yield* QueryEngine.make(provider, { concurrency: 8 })
      const result = yield* run(engine, { role: "users", group: "courses", name: "Shared" })
      expect(ids(result.users)).toStrictEqual(["s1", "s2", "t1", "s3", "s4", "t2"])
      expect(made.maxCoursesInFlight()).toBe(2)
      expect(made.maxInFlight()).toBeGreaterThan(2)
      expect(made.maxTotalInFlight()).toBeLessThanOrEqual(8)

      // The bound holds across both steps.
      const small = makeProvider()
      const bounded = yield* QueryEngine.make({ ...provider, classesOfCourse: small.provider.classesOfCourse, members: small.provider.members }, { concurrency: 2 })
      const again = yield* run(bounded, { role: "users", group: "courses", name: "Shared" })
      expect(ids(again.users)).toStrictEqual(ids(result.users))
      expect(small.maxTotalInFlight()).toBeLessThanOrEqual(2)
      expect(small.maxTotalInFlight()).toBe(2)
    })
  )

  it.effect("streams lazily and exposes the resolution", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(makeProvider().provider)
      const query = yield* Query.make({ group: "classes", name: "Art / Design" })
      const streamed = yield* engine.stream(query)
      expect(streamed.groups.map((g) => g.sourcedId)).toStrictEqual(["k4"])
      expect(yield* Stream.runCollect(streamed.users).pipe(Effect.map((c) => c.length))).toBe(0)
      const resolution = yield* engine.resolve({ kind: "schools", name: "classlink ms", matchOn: Query.defaultMatchOn })
      expect(resolution.groups.map((g) => g.sourcedId)).toStrictEqual(["7"])
    })
  )
})

describe("RosterProvider.make defaults", () => {
  const { provider } = makeProvider()
  it.effect("derives members, classes of a course, get and filters from entities", () =>
    Effect.gen(function* () {
      const members = yield* Stream.runCollect(provider.members("classes", "k2", "students"))
      expect(ids([...members])).toStrictEqual(["s2", "s3"])
      const classes = yield* Stream.runCollect(provider.classesOfCourse("c2"))
      expect([...classes].map((c) => c.sourcedId)).toStrictEqual(["k3", "k4"])
      expect((yield* provider.get("users", "t2")).role).toBe("teacher")
      const missing = yield* Effect.flip(provider.get("classes", "nope"))
      expect(missing._tag).toBe("NotFound")
      expect(Option.isNone(yield* provider.group("schools", "99"))).toBe(true)
    })
  )
})
