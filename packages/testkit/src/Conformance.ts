/**
 * The provider conformance suite. Every provider's tests call `suite` once with a way to build
 * that provider over a Dataset; the suite checks every query shape against the answer computed
 * directly from the dataset (plain code, independent of QueryEngine), the collections, filters,
 * delta reads, `get`, laziness, and (for HTTP providers) the fault cases.
 *
 *     Conformance.suite("oneroster", (dataset, faults) => buildOverFakeServer(dataset, faults), { faults: true })
 *
 * For HTTP providers `build` must: serve `dataset` from a fake server that applies `faults`
 * (testkit's FakeOneRoster / FakeClever do), use pages small enough that listing the students
 * takes at least 3 requests and at least 5 records per page, and use fast retries (a few
 * retries, millisecond delays) so fault cases finish quickly.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Filter from "@rosterkit/core/Filter"
import * as Matcher from "@rosterkit/core/Matcher"
import type * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import type * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Dataset from "./Dataset.js"
import { demoDistrict } from "./DemoDistrict.js"
import type * as Faults from "./Faults.js"

/** What `build` returns: the provider, and how many HTTP requests it has made so far. */
export interface Fixture {
  readonly provider: RosterProvider.Service
  readonly requestCount: () => number
}

export type Build = (dataset: Dataset.Dataset, faults: ReadonlyArray<Faults.FaultRule>) => Effect.Effect<Fixture, unknown, Scope.Scope>

/** The cases; any may be skipped with a reason. */
export const cases = [
  "entities",
  "records",
  "paging",
  "lazy",
  "queries",
  "location",
  "max",
  "noMatch",
  "nonTextMatch",
  "filter",
  "delta",
  "get",
  "demo",
  "dualRole",
  "auth",
  "rateLimitRecovers",
  "rateLimitExhausted",
  "serverError",
  "truncated",
  "decode"
] as const
export type Case = (typeof cases)[number]

const faultCases: ReadonlyArray<Case> = ["paging", "lazy", "auth", "rateLimitRecovers", "rateLimitExhausted", "serverError", "truncated", "decode"]

export interface SuiteOptions {
  /** Run the HTTP cases (paging, laziness and faults). */
  readonly faults: boolean
  /** Case name -> the reason it does not apply to this provider. */
  readonly skip?: Partial<Record<Case, string>>
  /** The generated district (default: seed 42, 3 schools, a few hundred users). */
  readonly dataset?: Dataset.Dataset
  /**
   * Per collection, the compared fields (`recordFields`) this provider cannot carry -> why.
   * Everything else is compared field by field with the dataset.
   */
  readonly lossy?: Partial<Record<Model.EntityKind, Readonly<Record<string, string>>>>
}

/**
 * The fields the `records` case compares, per collection (dotted paths: a reference's
 * sourcedId, every element of a list). Empty strings, nulls and empty lists count as absent.
 */
export const recordFields: Readonly<Record<Model.EntityKind, ReadonlyArray<string>>> = (() => {
  const users = ["sourcedId", "role", "givenName", "familyName", "username", "email", "identifier", "orgs.sourcedId", "grades"]
  const orgs = ["sourcedId", "name", "type", "identifier", "parent.sourcedId"]
  const sessions = ["sourcedId", "title", "type", "startDate", "endDate", "parent.sourcedId"]
  return {
    users,
    students: users,
    teachers: users,
    orgs,
    schools: orgs,
    classes: ["sourcedId", "title", "classCode", "classType", "location", "course.sourcedId", "school.sourcedId", "terms.sourcedId", "grades"],
    courses: ["sourcedId", "title", "courseCode", "org.sourcedId", "schoolYear.sourcedId", "grades"],
    enrollments: ["user.sourcedId", "class.sourcedId", "role"],
    academicSessions: sessions,
    terms: sessions,
    gradingPeriods: sessions,
    demographics: ["sourcedId", "birthDate", "sex"]
  }
})()

/** The comparable value of a field: text, sorted for lists; undefined when empty. */
const fieldValue = (record: unknown, field: string): string | undefined => {
  const values = Matcher.valuesAt(record, field)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .map((v) => (typeof v === "string" ? v : typeof v === "boolean" || typeof v === "number" ? String(v) : JSON.stringify(v)))
    .filter((v) => v !== "")
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : JSON.stringify([...values].sort())
}

/** The district every provider is checked on unless told otherwise. */
export const defaultDataset = (): Dataset.Dataset =>
  Dataset.generate({ seed: 42, schools: 3, studentsPerSchool: 40, teachersPerSchool: 4, classesPerTeacher: 3, studentsPerClass: 12 })

// ---------------------------------------------------------------------------------------------
// The expected answers, straight from the dataset.

const textMatch = (record: unknown, matchOn: ReadonlyArray<string>, name: string) =>
  matchOn.some((field) => {
    const value = (record as Record<string, unknown>)[field]
    return typeof value === "string" && Matcher.normalize(value) === Matcher.normalize(name)
  })

/** The sorted, distinct sourcedIds a query must return on `dataset` (ignoring `max`). */
export const expectedIds = (dataset: Dataset.Dataset, query: Query.Query): ReadonlyArray<string> => {
  const roles: ReadonlyArray<"students" | "teachers"> = query.role === "users" ? ["students", "teachers"] : [query.role]
  const ids = new Set<string>()
  if (query.group === undefined) {
    for (const role of roles) for (const u of Dataset.byKind(dataset, role) as ReadonlyArray<Model.User>) ids.add(u.sourcedId)
  } else {
    const { kind, matchOn, name } = query.group
    const groups = (Dataset.byKind(dataset, kind) as ReadonlyArray<{ readonly sourcedId: string }>).filter((g) => textMatch(g, matchOn, name))
    const sources =
      kind === "courses"
        ? groups.flatMap((course) => Dataset.classesOfCourse(dataset, course.sourcedId).map((c) => ({ kind: "classes" as const, id: c.sourcedId })))
        : groups.map((g) => ({ kind, id: g.sourcedId }))
    for (const source of sources) {
      for (const role of roles) for (const u of Dataset.membersOf(dataset, source.kind, source.id, role)) ids.add(u.sourcedId)
    }
  }
  return [...ids].sort()
}

const sortedIds = (records: Iterable<{ readonly sourcedId: string }>) => [...records].map((r) => r.sourcedId).sort()

const enrollmentKeys = (records: ReadonlyArray<Model.Enrollment>) =>
  records.map((e) => `${e.user.sourcedId}|${e.class.sourcedId}|${e.role}`).sort()

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** The most common class title shared by several sections (the "ELA 6" case). */
const sharedTitle = (dataset: Dataset.Dataset): string => {
  const counts = new Map<string, number>()
  for (const c of dataset.classes) if (c.title !== undefined) counts.set(c.title, (counts.get(c.title) ?? 0) + 1)
  const [title] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!
  return title
}

/**
 * The dataset with its first student listed a second time as a teacher (same sourcedId): one
 * person with both roles, as Clever has them. Kept out of the shared datasets so that their
 * counts (the demo's 139/7/3/38/54/13) stay those of the seed README.
 */
export const withDualRole = (dataset: Dataset.Dataset): Dataset.Dataset => {
  const student = dataset.users.find((u) => u.role === "student")!
  // A second record of the same person as a teacher (1.1's way); a 1.2 record's roles follow.
  const teacher = student.roles === undefined ? { ...student, role: "teacher" as const } : { ...student, role: "teacher" as const, roles: student.roles.map((r) => ({ ...r, role: "teacher" as const })) }
  return { ...dataset, users: [...dataset.users, teacher] }
}

// ---------------------------------------------------------------------------------------------

/** Registers the conformance cases for one provider. */
export const suite = (name: string, build: Build, options: SuiteOptions): void => {
  const dataset = options.dataset ?? defaultDataset()
  const skip = options.skip ?? {}

  const test = (
    caseName: Case,
    title: string,
    body: (fixture: Fixture, data: Dataset.Dataset) => Effect.Effect<void, unknown>,
    setup: { readonly data?: Dataset.Dataset; readonly faults?: ReadonlyArray<Faults.FaultRule> } = {}
  ) => {
    const reason = skip[caseName] ?? (faultCases.includes(caseName) && !options.faults ? "not an HTTP provider" : undefined)
    if (reason !== undefined) {
      it.skip(`${caseName}: ${title} (skipped: ${reason})`, () => {})
      return
    }
    // Live clock: retries really wait (milliseconds, with the fast retries `build` configures).
    it.scopedLive(`${caseName}: ${title}`, () => {
      const data = setup.data ?? dataset
      return Effect.flatMap(build(data, setup.faults ?? []), (fixture) => body(fixture, data))
    })
  }

  const runQuery = (provider: RosterProvider.Service, input: Query.QueryInput) =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(provider)
      const query = yield* Query.make(input)
      return { query, result: yield* engine.run(query) }
    })

  const checkQuery = (provider: RosterProvider.Service, data: Dataset.Dataset, input: Query.QueryInput) =>
    Effect.gen(function* () {
      const { query, result } = yield* runQuery(provider, input)
      const got = sortedIds(result.users)
      expect(got, `no duplicates for ${Query.describe(query)}`).toStrictEqual([...new Set(got)].sort())
      expect(got, Query.describe(query)).toStrictEqual(expectedIds(data, query))
      return got.length
    })

  describe(`${name} conformance`, () => {
    test("entities", "every collection returns the whole dataset", ({ provider }, data) =>
      Effect.gen(function* () {
        for (const kind of provider.capabilities.entities) {
          const expected = Dataset.byKind(data, kind) as ReadonlyArray<{ sourcedId: string }>
          const got = yield* collect(provider.entities(kind))
          // Enrollments are compared by what they say (user, class, role): a provider that derives
          // them from rosters (Clever) cannot know the SIS's enrollment ids.
          const key = kind === "enrollments" ? enrollmentKeys : sortedIds
          expect(key(got as ReadonlyArray<never>), `entities(${kind})`).toStrictEqual(key(expected as ReadonlyArray<never>))
        }
      })
    )

    test("records", "every record carries the dataset's values, field by field", ({ provider }, data) =>
      Effect.gen(function* () {
        for (const kind of provider.capabilities.entities) {
          const lost = options.lossy?.[kind] ?? {}
          const fields = recordFields[kind].filter((f) => lost[f] === undefined)
          const keyOf = (r: unknown) =>
            kind === "enrollments" ? enrollmentKeys([r as Model.Enrollment])[0]! : (r as { readonly sourcedId: string }).sourcedId
          const got = new Map((yield* collect(provider.entities(kind))).map((r) => [keyOf(r), r] as const))
          for (const expected of Dataset.byKind(data, kind)) {
            const record = got.get(keyOf(expected))
            expect(record, `${kind} ${keyOf(expected)}`).toBeDefined()
            const view = (r: unknown) => Object.fromEntries(fields.map((f) => [f, fieldValue(r, f)]))
            expect(view(record), `${kind} ${keyOf(expected)}`).toStrictEqual(view(expected))
          }
        }
      })
    )

    test("paging", "a listing spans at least 3 pages and loses nothing", ({ provider, requestCount }, data) =>
      Effect.gen(function* () {
        const before = requestCount()
        const students = yield* collect(provider.users("students"))
        expect(sortedIds(students)).toStrictEqual(sortedIds(Dataset.byKind(data, "students") as ReadonlyArray<Model.User>))
        expect(requestCount() - before).toBeGreaterThanOrEqual(3)
      })
    )

    test("lazy", "take(5) fetches exactly one page", ({ provider, requestCount }) =>
      Effect.gen(function* () {
        const before = requestCount()
        const five = yield* collect(Stream.take(provider.users("students"), 5))
        expect(five.length).toBe(5)
        expect(requestCount() - before).toBe(1)
      })
    )

    test("queries", "every query shape gives the dataset's answer", ({ provider }, data) =>
      Effect.gen(function* () {
        const cls = data.classes[0]!
        const school = Dataset.byKind(data, "schools")[0] as Model.Org
        const course = data.courses[0]!
        const title = sharedTitle(data)
        expect(yield* checkQuery(provider, data, {})).toBeGreaterThan(0)
        expect(yield* checkQuery(provider, data, { role: "teachers" })).toBeGreaterThan(0)
        yield* checkQuery(provider, data, { role: "users" })
        expect(yield* checkQuery(provider, data, { group: "classes", name: title })).toBeGreaterThan(0)
        yield* checkQuery(provider, data, { group: "classes", name: `  ${title.toUpperCase()} ` })
        yield* checkQuery(provider, data, { group: "classes", name: cls.sourcedId })
        yield* checkQuery(provider, data, { group: "classes", name: cls.sourcedId, matchOn: "sourcedId" })
        yield* checkQuery(provider, data, { role: "users", group: "classes", name: cls.sourcedId })
        yield* checkQuery(provider, data, { role: "teachers", group: "classes", name: title })
        expect(yield* checkQuery(provider, data, { group: "courses", name: course.title! })).toBeGreaterThan(0)
        expect(yield* checkQuery(provider, data, { group: "schools", name: school.name! })).toBeGreaterThan(0)
        yield* checkQuery(provider, data, { role: "teachers", group: "schools", name: school.sourcedId })
        for (const awkward of data.classes.filter((c) => /[/'()]/.test(c.title ?? "")).slice(0, 3)) {
          yield* checkQuery(provider, data, { role: "users", group: "classes", name: awkward.title! })
        }
      })
    )

    test("location", "matchOn other text fields (location)", ({ provider }, data) =>
      Effect.gen(function* () {
        const location = data.classes.find((c) => typeof c.location === "string")?.location
        expect(location).toBeDefined()
        expect(yield* checkQuery(provider, data, { group: "classes", name: location!, matchOn: "location" })).toBeGreaterThan(0)
      })
    )

    test("max", "max stops the query at that many users, and at one page", ({ provider, requestCount }, data) =>
      Effect.gen(function* () {
        const before = requestCount()
        const five = yield* runQuery(provider, { max: 5 })
        expect(five.result.users.length).toBe(5)
        // A page holds at least 5 records: max 5 costs one request (none for a file provider).
        expect(requestCount() - before).toBe(options.faults ? 1 : 0)
        const { result } = yield* runQuery(provider, { max: 7 })
        expect(result.users.length).toBe(7)
        const all = new Set(expectedIds(data, { role: "students" }))
        for (const u of result.users) expect(all.has(u.sourcedId)).toBe(true)
        const title = sharedTitle(data)
        const grouped = yield* runQuery(provider, { role: "users", group: "classes", name: title, max: 2 })
        expect(grouped.result.users.length).toBe(2)
      })
    )

    test("noMatch", "a name that matches nothing is empty, with suggestions", ({ provider }, data) =>
      Effect.gen(function* () {
        const title = sharedTitle(data)
        const { result } = yield* runQuery(provider, { group: "classes", name: `${title} zz` })
        expect(result.users).toStrictEqual([])
        expect(result.groups).toStrictEqual([])
        expect(result.suggestions).toContain(title)
      })
    )

    test("nonTextMatch", "matching on a list field is a clear error", ({ provider }) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(runQuery(provider, { group: "classes", name: "06", matchOn: "grades" }))
        expect(error).toMatchObject({ _tag: "InvalidQuery", field: "matchOn" })
      })
    )

    test("filter", "a filter gives the answer written out by hand", ({ provider }, data) =>
      Effect.gen(function* () {
        // Each expression with the same selection written as plain code (not core's Filter).
        const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : "")
        const title = sharedTitle(data)
        const school = (Dataset.byKind(data, "schools")[0] as Model.Org).sourcedId
        const checks: ReadonlyArray<readonly [Model.EntityKind, string, (r: Record<string, unknown>) => boolean]> = [
          ["users", "role='teacher'", (r) => r["role"] === "teacher"],
          ["classes", `title='${title.replace(/'/g, "''")}'`, (r) => r["title"] === title],
          ["users", "givenName~'a' AND role='student'", (r) => lower(r["givenName"]).includes("a") && r["role"] === "student"],
          ["users", "givenName~'A' OR familyName~'Z'", (r) => lower(r["givenName"]).includes("a") || lower(r["familyName"]).includes("z")],
          ["users", "role!='student'", (r) => r["role"] !== "student"],
          ["classes", `school.sourcedId='${school}'`, (r) => (r["school"] as { readonly sourcedId?: unknown } | undefined)?.sourcedId === school],
          ["users", `orgs.sourcedId='${school}'`, (r) => ((r["orgs"] ?? []) as ReadonlyArray<{ readonly sourcedId: string }>).some((o) => o.sourcedId === school)]
        ]
        for (const [kind, expression, selects] of checks) {
          if (!provider.capabilities.entities.includes(kind)) continue
          const filter = yield* Filter.parse(expression)
          const expected = sortedIds((Dataset.byKind(data, kind) as ReadonlyArray<Record<string, unknown> & { sourcedId: string }>).filter(selects))
          expect(expected.length, expression).toBeGreaterThan(0)
          expect(sortedIds(yield* collect(provider.entities(kind, { filter }))), expression).toStrictEqual(expected)
        }
      })
    )

    test("delta", "since is an instant, whatever its form; undated records are kept", ({ provider }, data) =>
      Effect.gen(function* () {
        const dates = data.users.map((u) => u.dateLastModified).filter((d): d is string => d !== undefined).sort()
        const middle = new Date(Date.parse(dates[Math.floor(dates.length / 2)]!))
        // The same instant (midnight UTC of the middle record's day) written four ways, by hand.
        const day = middle.toISOString().slice(0, 10)
        const cutoff = Date.parse(`${day}T00:00:00Z`)
        const plusTwo = new Date(cutoff + 2 * 3600_000).toISOString().slice(0, 19)
        const forms = [day, `${day} 00:00`, `${day}T00:00:00Z`, `${plusTwo}+02:00`]
        const expected = sortedIds(data.users.filter((u) => u.dateLastModified === undefined || Date.parse(u.dateLastModified) > cutoff))
        expect(expected.length).toBeGreaterThan(0)
        expect(expected.length).toBeLessThan(data.users.length)
        for (const since of forms) {
          expect(sortedIds(yield* collect(provider.entities("users", { since }))), since).toStrictEqual(expected)
        }
        const bad = yield* Effect.flip(collect(provider.entities("users", { since: "yesterday" })))
        expect(bad).toMatchObject({ _tag: "ConfigurationError" })
      })
    )

    test("get", "get finds a record and fails with NotFound for an unknown id", ({ provider }, data) =>
      Effect.gen(function* () {
        const user = data.users[3]!
        expect((yield* provider.get("users", user.sourcedId)).sourcedId).toBe(user.sourcedId)
        const missing = yield* Effect.flip(provider.get("classes", "no-such-class-id"))
        expect(missing._tag).toBe("NotFound")
      })
    )

    test(
      "demo",
      "the demo district gives the seed README's numbers",
      ({ provider }, data) =>
        Effect.gen(function* () {
          const all = yield* runQuery(provider, {})
          expect(all.result.users.length).toBe(139)
          expect(all.result.users[0]?.sourcedId).toBe("18125")
          expect(all.result.users[0]?.givenName).toBe("BILLY")
          expect(yield* checkQuery(provider, data, { group: "classes", name: "ELA 6 (6A ELA)" })).toBe(7)
          expect(yield* checkQuery(provider, data, { group: "classes", name: "31763" })).toBe(3)
          expect(yield* checkQuery(provider, data, { group: "schools", name: "Classlink HS" })).toBe(38)
          expect(yield* checkQuery(provider, data, { group: "schools", name: "7" })).toBe(54)
          if (skip.location === undefined) {
            expect(yield* checkQuery(provider, data, { group: "classes", name: "302", matchOn: "location" })).toBe(13)
          }
        }),
      { data: demoDistrict }
    )

    test(
      "dualRole",
      "a user who is both student and teacher comes out once",
      ({ provider }, data) =>
        Effect.gen(function* () {
          const dual = data.users.find((u) => u.role === "teacher" && data.users.some((s) => s.role === "student" && s.sourcedId === u.sourcedId))!
          expect(dual).toBeDefined()
          const school = dual.orgs?.[0]?.sourcedId
          expect(yield* checkQuery(provider, data, { role: "users" })).toBe(new Set(data.users.filter((u) => u.role === "student" || u.role === "teacher").map((u) => u.sourcedId)).size)
          if (school !== undefined) yield* checkQuery(provider, data, { role: "users", group: "schools", name: school })
        }),
      { data: withDualRole(dataset) }
    )

    const studentsPath = /users|students/

    test(
      "auth",
      "a 401 becomes AuthError",
      ({ provider }) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(collect(provider.users("students")))
          expect(error).toMatchObject({ _tag: "AuthError" })
        }),
      { faults: [{ fault: { type: "status", status: 401, body: '{"message":"unauthorized"}' }, times: 1000 }] }
    )

    test(
      "rateLimitRecovers",
      "429s in the middle of a pull are retried: nothing lost, nothing twice",
      ({ provider }, data) =>
        Effect.gen(function* () {
          const students = yield* collect(provider.users("students"))
          expect(students.map((s) => s.sourcedId).sort()).toStrictEqual(expectedIds(data, { role: "students" }))
        }),
      {
        faults: [
          { fault: { type: "status", status: 429, headers: { "Retry-After": "0" } }, path: studentsPath, after: 1, times: 2 }
        ]
      }
    )

    test(
      "rateLimitExhausted",
      "a 429 that never ends becomes RateLimited",
      ({ provider }) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(collect(provider.users("students")))
          expect(error).toMatchObject({ _tag: "RateLimited" })
        }),
      { faults: [{ fault: { type: "status", status: 429, headers: { "Retry-After": "0" } }, path: studentsPath, times: 1000 }] }
    )

    test(
      "serverError",
      "a 503 in the middle of a pull is retried",
      ({ provider }, data) =>
        Effect.gen(function* () {
          const students = yield* collect(provider.users("students"))
          expect(students.map((s) => s.sourcedId).sort()).toStrictEqual(expectedIds(data, { role: "students" }))
        }),
      { faults: [{ fault: { type: "status", status: 503 }, path: studentsPath, after: 1 }] }
    )

    test(
      "truncated",
      "a body cut short is retried",
      ({ provider }, data) =>
        Effect.gen(function* () {
          const students = yield* collect(provider.users("students"))
          expect(students.map((s) => s.sourcedId).sort()).toStrictEqual(expectedIds(data, { role: "students" }))
        }),
      { faults: [{ fault: { type: "truncate" }, path: studentsPath, after: 1 }] }
    )

    test(
      "decode",
      "a body of the wrong shape becomes DecodeError",
      ({ provider }) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(collect(provider.users("students")))
          expect(error).toMatchObject({ _tag: "DecodeError" })
        }),
      {
        faults: [
          {
            fault: {
              type: "status",
              status: 200,
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ users: [{ sourcedId: "x", role: "pupil" }], data: [{ data: { name: 42 }, uri: "/x" }], links: [] })
            },
            path: studentsPath,
            times: 1000
          }
        ]
      }
    )
  })
}
