import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import * as Dataset from "@rosterkit/testkit/Dataset"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeClever from "@rosterkit/testkit/FakeClever"
import type * as Faults from "@rosterkit/testkit/Faults"
import * as Msw from "@rosterkit/testkit/Msw"
import * as CleverClient from "../src/CleverClient.js"
import * as CleverProvider from "../src/CleverProvider.js"

const fastRetry = { retries: 3, baseDelay: "1 millis", maxDelay: "2 millis" } as const

/** A FakeClever over `dataset` behind msw, and a Clever provider talking to it. */
const serve = (dataset: Dataset.Dataset, faults: ReadonlyArray<Faults.FaultRule> = [], pageSize = 20) =>
  Effect.gen(function* () {
    const fake = FakeClever.make({ dataset, faults, token: "conformance-district-token" })
    yield* Effect.acquireRelease(
      Effect.sync(() => Msw.serve(fake)),
      (server) => Effect.sync(() => server.close())
    )
    const context = yield* Layer.build(
      CleverProvider.layer({ token: Redacted.make(fake.token), host: fake.baseUrl, pageSize, retry: fastRetry }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    )
    return { fake, provider: yield* Effect.provide(RosterProvider.RosterProvider, context) }
  })

Conformance.suite(
  "clever",
  (dataset, faults) =>
    Effect.map(serve(dataset, faults), ({ fake, provider }) => ({ provider, requestCount: () => fake.requests.length })),
  {
    faults: true,
    skip: { location: "Clever v3.0 sections have no room field, so classes have no location" },
    lossy: {
      classes: {
        location: "Clever v3.0 sections have no room field",
        grades: "a Clever section has one grade, not a list",
        "terms.sourcedId": "a Clever section has one term, not a list"
      },
      courses: {
        grades: "Clever v3.0 courses have no grades",
        "org.sourcedId": "a Clever course belongs to the district, not a school",
        "schoolYear.sourcedId": "Clever has terms only, no school years"
      },
      terms: { "parent.sourcedId": "Clever has terms only, no school years" }
    }
  }
)

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const run = (provider: RosterProvider.Service, input: Query.QueryInput) =>
  Effect.gen(function* () {
    const engine = yield* QueryEngine.make(provider)
    return yield* engine.run(yield* Query.make(input))
  })

describe("exact semantics on Clever", () => {
  // Billy Flores (18125) is also a teacher: one Clever user with roles.student and roles.teacher.
  const billy = demoDistrict.users.find((u) => u.sourcedId === "18125")!
  const dual: Dataset.Dataset = { ...demoDistrict, users: [...demoDistrict.users, { ...billy, role: "teacher" }] }

  it.scoped("--role users lists a student-and-teacher once", () =>
    Effect.gen(function* () {
      const { provider } = yield* serve(dual)
      const students = yield* collect(provider.users("students"))
      const teachers = yield* collect(provider.users("teachers"))
      expect(teachers.some((t) => t.sourcedId === "18125")).toBe(true)
      const users = (yield* run(provider, { role: "users" })).users.map((u) => u.sourcedId)
      expect(users.length).toBe(students.length + teachers.length - 1)
      expect(users.length).toBe(139 + 12)
      expect(new Set(users).size).toBe(users.length)
      expect(users.filter((id) => id === "18125")).toStrictEqual(["18125"])
    })
  )

  it.scoped("a delta keeps the collections Clever does not date (courses, terms, districts)", () =>
    Effect.gen(function* () {
      const { provider } = yield* serve(demoDistrict)
      const since = "2030-01-01"
      expect(yield* collect(provider.entities("users", { since }))).toStrictEqual([])
      expect((yield* collect(provider.entities("courses", { since }))).length).toBe(demoDistrict.courses.length)
      expect((yield* collect(provider.entities("terms", { since }))).length).toBe(Dataset.byKind(demoDistrict, "terms").length)
      const orgs = yield* collect(provider.entities("orgs", { since }))
      expect(orgs.map((o) => o.type)).toStrictEqual(["district"])
    })
  )

  it.scoped("matches on Clever extension fields kept under metadata.clever", () =>
    Effect.gen(function* () {
      const { provider } = yield* serve(demoDistrict)
      const section = (yield* collect(provider.groups("classes")))[0]!
      const clever = (section.metadata as { readonly clever: Record<string, unknown> }).clever
      const sisId = clever["sis_id"] as string
      expect(typeof sisId).toBe("string")
      const result = yield* run(provider, { group: "classes", name: sisId, matchOn: "metadata.clever.sis_id" })
      expect(result.groups.map((g) => g.sourcedId)).toStrictEqual([section.sourcedId])
    })
  )
})

describe("Clever provider over the demo district", () => {
  it.scoped("`ELA 6 (6A ELA)` on classes gives its 7 students through the query engine", () =>
    Effect.gen(function* () {
      const { fake, provider } = yield* serve(demoDistrict)
      const result = yield* run(provider, { group: "classes", name: "ELA 6 (6A ELA)" })
      expect(result.users.length).toBe(7)
      expect(result.users.every((u) => u.role === "student")).toBe(true)
      // one listing of the sections, then each matched section's students
      expect(fake.requests.map((r) => new URL(r.url).pathname).filter((p) => p.endsWith("/users")).length).toBeGreaterThan(0)
      expect(fake.requests.every((r) => !new URL(r.url).pathname.endsWith("/v3.0/users"))).toBe(true)
    })
  )

  it.scoped("groups match on Clever's own field names (section_number, sis_id)", () =>
    Effect.gen(function* () {
      const { provider } = yield* serve(demoDistrict)
      const sections = yield* collect(provider.entities("classes"))
      const withNumber = sections.find((c) => typeof c.section_number === "string")
      expect(withNumber).toBeDefined()
      const bySectionNumber = yield* run(provider, {
        role: "users",
        group: "classes",
        name: withNumber!.section_number as string,
        matchOn: "section_number"
      })
      const expected = Conformance.expectedIds(demoDistrict, {
        role: "users",
        group: { kind: "classes", name: withNumber!.classCode!, matchOn: ["classCode"] }
      })
      expect(bySectionNumber.users.map((u) => u.sourcedId).sort()).toStrictEqual(expected)
      const bySisId = yield* run(provider, { group: "classes", name: withNumber!.sourcedId, matchOn: "sis_id" })
      expect(bySisId.groups.map((g) => g.sourcedId)).toStrictEqual([withNumber!.sourcedId])
    })
  )
})

describe("Clever provider mapping over a generated district", () => {
  const dataset = Conformance.defaultDataset()

  it.scoped("users keep the Clever record under metadata.clever and map names, orgs, grades", () =>
    Effect.gen(function* () {
      const { provider } = yield* serve(dataset)
      const students = yield* collect(provider.users("students"))
      const expected = Dataset.byKind(dataset, "students")
      expect(students.length).toBe(expected.length)
      for (const [i, student] of students.entries()) {
        const original = expected[i]!
        expect(student.sourcedId).toBe(original.sourcedId)
        expect(student.role).toBe("student")
        expect(student.givenName).toBe(original.givenName)
        expect(student.familyName).toBe(original.familyName)
        expect(student.email).toBe(original.email)
        expect(student.username).toBe(original.username)
        expect(student.enabledUser).toBe("true")
        expect(student.metadata?.clever).toStrictEqual(FakeClever.toCleverUser(dataset, original))
        const schools = new Set(Dataset.byKind(dataset, "schools").map((s) => s.sourcedId))
        expect(student.orgs?.map((o) => o.sourcedId)).toStrictEqual([
          ...new Set((original.orgs ?? []).map((o) => o.sourcedId).filter((id) => schools.has(id)))
        ])
      }
    })
  )

  it.scoped("classes, courses, schools and terms map to their OneRoster fields", () =>
    Effect.gen(function* () {
      const { provider } = yield* serve(dataset)
      const classes = yield* collect(provider.entities("classes"))
      for (const [i, cls] of classes.entries()) {
        const original = dataset.classes[i]!
        expect(cls.sourcedId).toBe(original.sourcedId)
        expect(cls.title).toBe(original.title)
        expect(cls.course?.sourcedId).toBe(original.course?.sourcedId)
        expect(cls.school?.sourcedId).toBe(original.school?.sourcedId)
        expect(cls.terms?.map((t) => t.sourcedId)).toStrictEqual(original.terms?.slice(0, 1).map((t) => t.sourcedId))
        expect(cls.location).toBeUndefined()
        expect(cls.name).toBe(original.title)
      }
      const courses = yield* collect(provider.entities("courses"))
      expect(courses.map((c) => [c.sourcedId, c.title, c.courseCode])).toStrictEqual(
        dataset.courses.map((c) => [c.sourcedId, c.title, c.courseCode ?? undefined])
      )
      const schools = yield* collect(provider.entities("schools"))
      expect(schools.map((s) => [s.sourcedId, s.name, s.type])).toStrictEqual(
        Dataset.byKind(dataset, "schools").map((s) => [s.sourcedId, s.name, "school"])
      )
      const terms = yield* collect(provider.entities("terms"))
      expect(terms.map((t) => [t.sourcedId, t.title, t.type])).toStrictEqual(
        Dataset.byKind(dataset, "terms").map((t) => [t.sourcedId, t.title, "term"])
      )
    })
  )

  it.scoped("enrollments derived from the sections are the dataset's (user, class, role) triples", () =>
    Effect.gen(function* () {
      const { provider } = yield* serve(dataset)
      const key = (e: Model.Enrollment) => `${e.user.sourcedId} ${e.class.sourcedId} ${e.role}`
      const derived = yield* collect(provider.entities("enrollments"))
      expect(derived.map(key).sort()).toStrictEqual([...new Set(dataset.enrollments.map(key))].sort())
      const one = derived[0]!
      expect((yield* provider.get("enrollments", one.sourcedId)).sourcedId).toBe(one.sourcedId)
    })
  )

  it.scoped("get and group: by id in one request; unknown ids are NotFound / None", () =>
    Effect.gen(function* () {
      const { fake, provider } = yield* serve(dataset)
      const cls = dataset.classes[2]!
      const before = fake.requests.length
      const found = yield* provider.group("classes", cls.sourcedId)
      expect(Option.map(found, (g) => g.sourcedId)).toStrictEqual(Option.some(cls.sourcedId))
      expect(fake.requests.length - before).toBe(1)
      expect(yield* provider.group("schools", "no-such-school")).toStrictEqual(Option.none())
      const teacher = Dataset.byKind(dataset, "teachers")[0]!
      expect((yield* provider.get("teachers", teacher.sourcedId)).role).toBe("teacher")
      expect(yield* Effect.flip(provider.get("students", teacher.sourcedId))).toMatchObject({ _tag: "NotFound" })
      const district = dataset.orgs.find((o) => o.type === "district")!
      expect((yield* provider.get("orgs", district.sourcedId)).type).toBe("district")
      expect(yield* Effect.flip(provider.get("terms", "no-such-term"))).toMatchObject({ _tag: "NotFound" })
      expect(yield* Effect.flip(collect(provider.entities("demographics")))).toMatchObject({ _tag: "Unsupported" })
    })
  )

  it.scoped("a course query expands through /courses/{id}/sections", () =>
    Effect.gen(function* () {
      const { fake, provider } = yield* serve(dataset)
      const course = dataset.courses[0]!
      const result = yield* run(provider, { group: "courses", name: course.sourcedId, matchOn: "sourcedId" })
      expect(result.users.map((u) => u.sourcedId).sort()).toStrictEqual(
        Conformance.expectedIds(dataset, { role: "students", group: { kind: "courses", name: course.sourcedId, matchOn: ["sourcedId"] } })
      )
      expect(fake.requests.some((r) => new URL(r.url).pathname.endsWith(`/courses/${course.sourcedId}/sections`))).toBe(true)
    })
  )

  it.effect("a page size above 10000 fails the layer with ConfigurationError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(CleverProvider.layer({ token: Redacted.make("t0ken-abc"), pageSize: 20_000 }).pipe(Layer.provide(FetchHttpClient.layer)))
      ).pipe(Effect.scoped)
      expect(error).toMatchObject({ _tag: "ConfigurationError", setting: "pageSize" })
      expect(CleverClient.maxPageSize).toBe(10_000)
    })
  )

  it.scoped("layerConfig reads the token and host from Config", () =>
    Effect.gen(function* () {
      const fake = FakeClever.make({ dataset, token: "config-token-123" })
      yield* Effect.acquireRelease(
        Effect.sync(() => Msw.serve(fake)),
        (server) => Effect.sync(() => server.close())
      )
      const layer = CleverProvider.layerConfig({
        token: Config.redacted("ROSTERKIT_CLEVER_TOKEN"),
        host: Config.string("ROSTERKIT_CLEVER_HOST")
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const context = yield* Layer.build(layer).pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["ROSTERKIT_CLEVER_TOKEN", "config-token-123"], ["ROSTERKIT_CLEVER_HOST", fake.baseUrl]]))
        )
      )
      const provider = yield* Effect.provide(RosterProvider.RosterProvider, context)
      const schools = yield* collect(provider.entities("schools"))
      expect(schools.length).toBe(Dataset.byKind(dataset, "schools").length)
    })
  )
})

describe("Clever verify: a second reading of every listing", () => {
  const before = Dataset.generate({ seed: 21, schools: 2, studentsPerSchool: 60, teachersPerSchool: 4 })
  const users = Dataset.byKind(before, "users")
  // the change: one user behind the cursor and one ahead of it replaced at their places (the
  // page-ending ids, which the cursor names, stay)
  const swapped = new Map([
    [users[3]!.sourcedId, "swap-a"],
    [users[100]!.sourcedId, "swap-b"]
  ])
  const after: Dataset.Dataset = {
    ...before,
    users: before.users.map((u) => (swapped.has(u.sourcedId) ? { ...u, sourcedId: swapped.get(u.sourcedId)! } : u))
  }

  /** FakeClever over `before` for the first `changeAt` requests, over `after` from then on, behind msw. */
  const serveChanging = (changeAt: number, verify: boolean) =>
    Effect.gen(function* () {
      const token = "verify-district-token"
      const fakes = [FakeClever.make({ dataset: before, token }), FakeClever.make({ dataset: after, token })] as const
      let requests = 0
      const fake = { baseUrl: fakes[0].baseUrl, handle: (request: Request) => fakes[requests++ < changeAt ? 0 : 1].handle(request) }
      yield* Effect.acquireRelease(
        Effect.sync(() => Msw.serve(fake)),
        (server) => Effect.sync(() => server.close())
      )
      const context = yield* Layer.build(
        CleverProvider.layer({ token: Redacted.make(token), host: fake.baseUrl, pageSize: 20, retry: fastRetry, verify }).pipe(
          Layer.provide(FetchHttpClient.layer)
        )
      )
      return { provider: yield* Effect.provide(RosterProvider.RosterProvider, context), requests: () => requests }
    })

  const ids = (list: ReadonlyArray<{ readonly sourcedId: string }>) => list.map((u) => u.sourcedId)

  it.scoped("a change behind and ahead of the cursor: a mixed roster without verify, InconsistentSnapshot with it", () =>
    Effect.gen(function* () {
      const mixed = yield* Effect.scoped(
        Effect.flatMap(serveChanging(2, false), ({ provider }) => Effect.map(collect(provider.entities("users")), ids))
      )
      expect(mixed).toContain(users[3]!.sourcedId)
      expect(mixed).toContain("swap-b")

      const error = yield* Effect.scoped(
        Effect.flatMap(serveChanging(2, true), ({ provider }) => Effect.flip(collect(provider.entities("users"))))
      )
      expect(error).toMatchObject({ _tag: "InconsistentSnapshot", provider: "clever" })
      expect(error.message).toContain("1 record added (swap-a)")
      expect(error.message).toContain("1 removed, 0 changed")
    })
  )

  it.scoped("an unchanged roster: the same users, every page read twice", () =>
    Effect.gen(function* () {
      // one msw server at a time (each closes with its scope)
      const pull = (verify: boolean) =>
        Effect.scoped(
          Effect.flatMap(serveChanging(Infinity, verify), ({ provider, requests }) =>
            Effect.map(collect(provider.entities("users")), (list) => ({ list: ids(list), requests: requests() }))
          )
        )
      const once = yield* pull(false)
      const twice = yield* pull(true)
      expect(twice.list).toStrictEqual(once.list)
      expect(once.list).toHaveLength(users.length)
      expect(twice.requests).toBe(2 * once.requests)
    })
  )
})
