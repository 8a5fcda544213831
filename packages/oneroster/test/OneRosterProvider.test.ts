import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { setupServer } from "msw/node"
import * as Filter from "@rosterkit/core/Filter"
import type * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import type * as Dataset from "@rosterkit/testkit/Dataset"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import * as OneRosterProvider from "../src/OneRosterProvider.js"
import { build, collect, options } from "./support.js"

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

/** The demo district behind FakeOneRoster (OAuth 1.0a), and the provider over it. */
const setup = (fakeOptions: Partial<FakeOneRoster.Options> = {}, clientOptions: Parameters<typeof options>[0] = {}) =>
  Effect.gen(function* () {
    const fake = FakeOneRoster.make({
      dataset: demoDistrict,
      auth: { type: "oauth1", clientId: "client-id", clientSecret: "s3cret-value" },
      ...fakeOptions
    })
    server.resetHandlers(...Msw.handlers(fake))
    const { client, provider } = yield* build(options({ baseUrl: fake.baseUrl, pageSize: 50, ...clientOptions }))
    /** The requests so far, as path + decoded query. */
    const requests = () =>
      fake.requests.map((r) => {
        const url = new URL(r.url)
        return { path: url.pathname.replace(new URL(fake.baseUrl).pathname, ""), params: Object.fromEntries(url.searchParams) }
      })
    return { fake, client, provider, requests }
  })

const run = (provider: Parameters<typeof QueryEngine.make>[0], input: Query.QueryInput) =>
  Effect.gen(function* () {
    const engine = yield* QueryEngine.make(provider)
    return yield* engine.run(yield* Query.make(input))
  })

describe("groupFilter (what may be pushed down)", () => {
  it("uses the kind's text fields with contains, OR-joined", () => {
    const filter = OneRosterProvider.groupFilter("classes", { fields: ["sourcedId", "name", "title"], value: "ELA 6 (6A ELA)", needle: "6 (6" })
    expect(filter && Filter.format(filter)).toBe("sourcedId~'6 (6' OR title~'6 (6'")
    const school = OneRosterProvider.groupFilter("schools", { fields: ["sourcedId", "name", "title"], value: "P.S. 12-B", needle: "12-B" })
    expect(school && Filter.format(school)).toBe("sourcedId~'12-B' OR name~'12-B'")
  })

  it("does not push down when it could lose a match", () => {
    // a list field of the kind, more than two fields, or nothing left to filter on
    expect(OneRosterProvider.groupFilter("classes", { fields: ["grades"], value: "06", needle: "06" })).toBeUndefined()
    expect(OneRosterProvider.groupFilter("classes", { fields: ["sourcedId", "title", "location"], value: "x1", needle: "x1" })).toBeUndefined()
    expect(OneRosterProvider.groupFilter("classes", { fields: ["name"], value: "x1", needle: "x1" })).toBeUndefined()
    expect(OneRosterProvider.groupFilter("courses", { fields: ["course.sourcedId"], value: "x1", needle: "x1" })).toBeUndefined()
  })

  it("since joins a one-predicate filter with AND, and is applied locally next to two", () => {
    const one = Filter.make([{ field: "role", op: "=", value: "teacher" }])
    const two = Filter.make([one.predicates[0], { field: "givenName", op: "~", value: "a" }], "OR")
    const since = "2024-01-01T00:00:00Z"
    // Sent 14 hours early (a superset even on a server comparing dates with offsets as text),
    // then re-checked locally as an instant.
    const widened = "2023-12-31T10:00:00.000Z"
    const a = OneRosterProvider.entityFilter({ filter: one, since })
    expect(a.server && Filter.format(a.server)).toBe(`role='teacher' AND dateLastModified>'${widened}'`)
    expect(a.local).toStrictEqual({ since })
    const b = OneRosterProvider.entityFilter({ filter: two, since })
    expect(b.server).toBe(two)
    expect(b.local).toStrictEqual({ since })
    expect(Filter.format(OneRosterProvider.entityFilter({ since }).server!)).toBe(`dateLastModified>'${widened}'`)
  })
})

describe("OneRosterProvider", () => {
  it.live("a group name is narrowed on the server with filter=, then matched exactly", () =>
    Effect.gen(function* () {
      const { provider, requests } = yield* setup()
      const result = yield* run(provider, { group: "classes", name: "ELA 6 (6A ELA)" })
      expect(result.users.length).toBe(7)
      const listing = requests().find((r) => r.path === "/classes")
      expect(listing?.params["filter"]).toBe("sourcedId~'6 (6' OR title~'6 (6'")
      // members through the nested endpoint of each matched section
      expect(requests().filter((r) => /^\/classes\/[^/]+\/students$/.test(r.path)).length).toBe(3)
    })
  )

  it.live("a group matched by sourcedId is fetched directly, in one request", () =>
    Effect.gen(function* () {
      const { provider, requests } = yield* setup()
      const result = yield* run(provider, { group: "classes", name: "31763", matchOn: "sourcedId" })
      expect(result.users.length).toBe(3)
      expect(requests().map((r) => r.path)).toStrictEqual(["/classes/31763", "/classes/31763/students"])
      expect(Option.isNone(yield* provider.group("schools", "no-such-school"))).toBe(true)
    })
  )

  it.live("a server that refuses filter= (400) gets full listings, and no filter again", () =>
    Effect.gen(function* () {
      const { provider, requests } = yield* setup({ filter: false })
      expect((yield* run(provider, { group: "schools", name: "Classlink HS" })).users.length).toBe(38)
      expect((yield* run(provider, { group: "classes", name: "ELA 6 (6A ELA)" })).users.length).toBe(7)
      const filtered = requests().filter((r) => r.params["filter"] !== undefined)
      // "Classlink HS" has no letter-free piece to narrow with; "ELA 6 (6A ELA)" has "6 (6"
      expect(filtered.map((r) => r.path)).toStrictEqual(["/classes"])
      const filter = yield* Filter.parse("role='teacher'")
      const teachers = yield* collect(provider.entities("users", { filter }))
      expect(teachers.length).toBeGreaterThan(0)
      expect(teachers.every((u) => u.role === "teacher")).toBe(true)
      expect(requests().filter((r) => r.params["filter"] !== undefined).length).toBe(1)
    })
  )

  it.live("filterPushdown: false never sends a filter", () =>
    Effect.gen(function* () {
      const { provider, requests } = yield* setup({}, { filterPushdown: false })
      expect(provider.capabilities.groupFilter).toBe(false)
      expect((yield* run(provider, { group: "classes", name: "302", matchOn: "location" })).users.length).toBe(13)
      const since = "2019-06-01T00:00:00.000Z"
      const recent = yield* collect(provider.entities("users", { since }))
      expect(recent.every((u) => (u.dateLastModified ?? "") > since)).toBe(true)
      expect(requests().some((r) => r.params["filter"] !== undefined)).toBe(false)
    })
  )

  it.live("delta reads send dateLastModified>'…'", () =>
    Effect.gen(function* () {
      const { provider, requests } = yield* setup()
      const since = "2019-03-01T00:00:00.000Z"
      const expected = demoDistrict.users.filter((u) => (u.dateLastModified ?? "") > since).map((u) => u.sourcedId).sort()
      const got = (yield* collect(provider.entities("users", { since }))).map((u) => u.sourcedId).sort()
      expect(got).toStrictEqual(expected)
      expect(requests()[0]?.params["filter"]).toBe("dateLastModified>'2019-02-28T10:00:00.000Z'")
    })
  )

  it.live("members, users and classes of a course use the nested endpoints", () =>
    Effect.gen(function* () {
      const { provider, requests } = yield* setup()
      const course = demoDistrict.courses[0]!
      const classes = yield* collect(provider.classesOfCourse(course.sourcedId))
      expect(classes.every((c) => c.course?.sourcedId === course.sourcedId)).toBe(true)
      yield* collect(provider.members("schools", "7", "teachers"))
      const teachers: ReadonlyArray<Model.User> = yield* collect(provider.users("teachers"))
      expect(teachers.every((t) => t.role === "teacher")).toBe(true)
      expect(requests().map((r) => r.path)).toStrictEqual([`/courses/${course.sourcedId}/classes`, "/schools/7/teachers", "/teachers"])
    })
  )

  it.live("get reads the single envelope; an unknown id is NotFound", () =>
    Effect.gen(function* () {
      const { provider } = yield* setup()
      expect((yield* provider.get("users", "18125")).givenName).toBe("BILLY")
      expect((yield* provider.get("schools", "7")).sourcedId).toBe("7")
      expect(yield* Effect.flip(provider.get("users", "nobody"))).toMatchObject({ _tag: "NotFound", entity: "users", id: "nobody" })
    })
  )
})

/** The demo district with one "ELA 6 (6A ELA)" section retitled in lower case. */
const mixedCase: Dataset.Dataset = (() => {
  const first = demoDistrict.classes.findIndex((c) => c.title === "ELA 6 (6A ELA)")
  return { ...demoDistrict, classes: demoDistrict.classes.map((c, i) => (i === first ? { ...c, title: "ela 6 (6a ela)" } : c)) }
})()

/** The demo district with four users' dateLastModified set around 2024-06-01, in several forms. */
const deltaUsers = ["d-midnight", "d-0930z", "d-1030+02", "d-2300-02"] as const
const dated: Dataset.Dataset = (() => {
  const stamps = ["2024-06-01T00:00:00.000Z", "2024-06-01T09:30:00Z", "2024-06-01T10:30:00+02:00", "2024-05-31T23:00:00-02:00"]
  const users = demoDistrict.users.map((u, i) => (i < 4 ? { ...u, sourcedId: deltaUsers[i]!, dateLastModified: stamps[i]! } : u))
  return { ...demoDistrict, users }
})()

describe("exact semantics on an odd server", () => {
  it.live("a server whose ~ is case-sensitive gives the same answer whatever the query order", () =>
    Effect.gen(function* () {
      const query = { group: "classes", name: "ELA 6 (6A ELA)" } as const
      const expected = Conformance.expectedIds(mixedCase, yield* Query.make(query))
      // first query of its kind (narrowed on the server)
      const first = yield* setup({ dataset: mixedCase, caseSensitiveContains: true })
      const a = (yield* run(first.provider, query)).users.map((u) => u.sourcedId).sort()
      expect(a).toStrictEqual(expected)
      // after another query of the kind (the cached full listing)
      const second = yield* setup({ dataset: mixedCase, caseSensitiveContains: true })
      const engine = yield* QueryEngine.make(second.provider)
      yield* engine.run(yield* Query.make({ group: "classes", name: "Math 6" }))
      const b = (yield* engine.run(yield* Query.make(query))).users.map((u) => u.sourcedId).sort()
      expect(b).toStrictEqual(expected)
      expect(mixedCase.classes.filter((c) => c.title === "ela 6 (6a ela)").length).toBe(1)
      expect(new Set(a).size).toBe(7)
    })
  )

  it.live("since is an instant: date-only is midnight UTC, no offset is UTC, offsets are honoured", () =>
    Effect.gen(function* () {
      const { provider } = yield* setup({ dataset: dated })
      const ids = (since: string) =>
        collect(provider.entities("users", { since })).pipe(
          Effect.map((users) => users.map((u) => u.sourcedId).filter((id) => id.startsWith("d-")).sort())
        )
      // Written out by hand: 00:00Z, 09:30Z, 08:30Z (10:30+02:00), 01:00Z on June 1st (23:00-02:00 on May 31st).
      expect(yield* ids("2024-06-01")).toStrictEqual(["d-0930z", "d-1030+02", "d-2300-02"])
      expect(yield* ids("2024-06-01 09:00")).toStrictEqual(["d-0930z"])
      expect(yield* ids("2024-06-01T10:00:00+02:00")).toStrictEqual(["d-0930z", "d-1030+02"])
      expect(yield* ids("2024-05-31T20:00:00-05:00")).toStrictEqual(["d-0930z", "d-1030+02"])
      const bad = yield* Effect.flip(collect(provider.entities("users", { since: "June 1st" })))
      expect(bad).toMatchObject({ _tag: "ConfigurationError", setting: "since" })
    })
  )
})

describe("layerConfig", () => {
  it.live("reads the options from Config (e.g. environment variables)", () =>
    Effect.gen(function* () {
      const fake = FakeOneRoster.make({ dataset: demoDistrict, auth: { type: "oauth1", clientId: "env-client", clientSecret: "env-secret" } })
      server.resetHandlers(...Msw.handlers(fake))
      const layer = OneRosterProvider.layerConfig({
        baseUrl: Config.string("ONEROSTER_BASE_URL"),
        auth: Config.all({
          type: Config.succeed("oauth1" as const),
          clientId: Config.string("ONEROSTER_CLIENT_ID"),
          clientSecret: Config.redacted("ONEROSTER_CLIENT_SECRET")
        }),
        pageSize: Config.integer("ONEROSTER_PAGE_SIZE").pipe(Config.withDefault(1000))
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([
              ["ONEROSTER_BASE_URL", fake.baseUrl],
              ["ONEROSTER_CLIENT_ID", "env-client"],
              ["ONEROSTER_CLIENT_SECRET", "env-secret"]
            ])
          )
        )
      )
      expect((yield* collect(provider.users("students"))).length).toBe(139)
    })
  )
})
