import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { setupServer } from "msw/node"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Dataset from "@rosterkit/testkit/Dataset"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Faults from "@rosterkit/testkit/Faults"
import * as Msw from "@rosterkit/testkit/Msw"
import * as ClassLinkProvider from "../src/ClassLinkProvider.js"

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const host = "https://acme-ca-v2.oneroster.com"
const clientId = "classlink-client"
const clientSecret = "cl-sécret/+&="
const fast = { retries: 3, baseDelay: "1 millis", maxDelay: "5 millis" } as const

const provide = (options: ClassLinkProvider.Options) =>
  RosterProvider.RosterProvider.pipe(Effect.provide(ClassLinkProvider.layer(options).pipe(Layer.provide(FetchHttpClient.layer))))

const direct = (overrides: Partial<ClassLinkProvider.DirectOptions> = {}): ClassLinkProvider.DirectOptions => ({
  host,
  clientId,
  clientSecret: Redacted.make(clientSecret),
  retry: fast,
  ...overrides
})

const serve = (options: Partial<FakeOneRoster.Options> = {}) => {
  const fake = FakeOneRoster.make({
    dataset: demoDistrict,
    baseUrl: `${host}/ims/oneroster/v1p1`,
    auth: { type: "oauth1", clientId, clientSecret },
    ...options
  })
  server.resetHandlers(...Msw.handlers(fake))
  return fake
}

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
const studentIds = (data: Dataset.Dataset) => (Dataset.byKind(data, "students") as ReadonlyArray<{ sourcedId: string }>).map((u) => u.sourcedId)

describe("configuration", () => {
  it("a bare host gets https and the OneRoster path; a full URL is kept", () => {
    expect(Either.getOrThrow(ClassLinkProvider.baseUrlOf("acme-ca-v2.oneroster.com"))).toBe(`${host}/ims/oneroster/v1p1/`)
    expect(Either.getOrThrow(ClassLinkProvider.baseUrlOf(`${host}/`))).toBe(`${host}/ims/oneroster/v1p1/`)
    expect(Either.getOrThrow(ClassLinkProvider.baseUrlOf(`${host}/ims/oneroster/v1p1`))).toBe(`${host}/ims/oneroster/v1p1`)
    expect(Either.getOrThrow(ClassLinkProvider.baseUrlOf(`${host}/ims/oneroster/v1p1/`))).toBe(`${host}/ims/oneroster/v1p1/`)
    expect(Either.isLeft(ClassLinkProvider.baseUrlOf(""))).toBe(true)
    expect(Either.isLeft(ClassLinkProvider.baseUrlOf("ftp://x.example"))).toBe(true)
  })

  it("direct access: OAuth 1.0a HMAC-SHA256, 10000 per page, named classlink", () => {
    const options = Either.getOrThrow(ClassLinkProvider.oneRosterOptions(direct()))
    expect(options).toMatchObject({ name: "classlink", pageSize: 10_000, baseUrl: `${host}/ims/oneroster/v1p1/` })
    expect(options.auth).toMatchObject({ type: "oauth1", clientId, signatureMethod: "HMAC-SHA256" })
  })

  it("proxy mode: bearer token, application id in the proxy path", () => {
    const options = Either.getOrThrow(
      ClassLinkProvider.oneRosterOptions({ token: Redacted.make("proxy-token"), applicationId: "MoYPlyQWmG0%3D" })
    )
    expect(options.baseUrl).toBe("https://oneroster-proxy.classlink.io/MoYPlyQWmG0%3D/ims/oneroster/v1p1/")
    expect(options.auth).toMatchObject({ type: "bearer" })
    const raw = Either.getOrThrow(ClassLinkProvider.oneRosterOptions({ token: Redacted.make("t"), applicationId: "MoYPlyQWmG0=" }))
    expect(raw.baseUrl).toBe("https://oneroster-proxy.classlink.io/MoYPlyQWmG0%3D/ims/oneroster/v1p1/")
  })

  it.live("a missing host, secret or application id fails before any request, naming the setting", () =>
    Effect.gen(function* () {
      const fake = serve()
      const cases: ReadonlyArray<readonly [ClassLinkProvider.Options, string]> = [
        [direct({ host: "" }), "host"],
        [direct({ clientSecret: Redacted.make("") }), "clientSecret"],
        [direct({ clientId: "" }), "clientId"],
        [direct({ pageSize: -1 }), "pageSize"],
        [{ token: Redacted.make("t"), applicationId: "" }, "applicationId"],
        [{ token: Redacted.make(""), applicationId: "app" }, "token"]
      ]
      for (const [options, setting] of cases) {
        const error = yield* Effect.flip(provide(options))
        expect(error).toMatchObject({ _tag: "ConfigurationError", provider: "classlink", setting })
      }
      expect(fake.requests.length).toBe(0)
    })
  )
})

describe("ClassLinkProvider", () => {
  it.live("reads a tenant with OAuth 1.0a (verified by the fake with oauth-sign)", () =>
    Effect.gen(function* () {
      const fake = serve()
      const provider = yield* provide(direct())
      expect((yield* collect(provider.users("students"))).map((u) => u.sourcedId)).toStrictEqual(studentIds(demoDistrict))
      expect(new URL(fake.requests[0]!.url).searchParams.get("limit")).toBe("10000")
    })
  )

  it.live("proxy mode sends the bearer token to the proxy path", () =>
    Effect.gen(function* () {
      const fake = serve({
        baseUrl: "https://oneroster-proxy.classlink.io/app-57/ims/oneroster/v1p1",
        auth: { type: "bearer", token: "proxy-token-123" }
      })
      const provider = yield* provide({ token: Redacted.make("proxy-token-123"), applicationId: "app-57", retry: fast })
      expect((yield* collect(provider.users("teachers"))).length).toBeGreaterThan(0)
      expect(fake.requests[0]!.url).toMatch(/^https:\/\/oneroster-proxy\.classlink\.io\/app-57\/ims\/oneroster\/v1p1\/teachers\?/)
      const bad = yield* provide({ token: Redacted.make("revoked-token-456"), applicationId: "app-57", retry: fast })
      const error = yield* Effect.flip(collect(bad.users("teachers")))
      expect(error._tag).toBe("AuthError")
      expect(JSON.stringify(error) + error.message).not.toContain("revoked-token-456")
    })
  )

  it.live("X-Perm-Rev changing once during a pull: the pull restarts and nothing is lost or repeated", () =>
    Effect.gen(function* () {
      // pages 0 and 1 of the first run are revision 41; everything after is 42
      const fake = serve({ permRev: (i) => (i < 2 ? "41" : "42") })
      const provider = yield* provide(direct({ pageSize: 25, concurrency: 1 }))
      const got = (yield* collect(provider.users("students"))).map((u) => u.sourcedId)
      expect(got.length).toBe(new Set(got).size)
      expect([...got].sort()).toStrictEqual([...studentIds(demoDistrict)].sort())
      // 3 requests of the first run (the third saw the change), then the whole listing again
      expect(fake.requests.length).toBe(3 + Math.ceil(studentIds(demoDistrict).length / 25))
    })
  )

  it.live("X-Perm-Rev changing again after the restart fails with InconsistentSnapshot", () =>
    Effect.gen(function* () {
      serve({ permRev: (i) => `rev-${i}` })
      const provider = yield* provide(direct({ pageSize: 25, concurrency: 1 }))
      const error = yield* Effect.flip(collect(provider.users("students")))
      expect(error).toMatchObject({ _tag: "InconsistentSnapshot", provider: "classlink" })
      expect(error.message).toContain("X-Perm-Rev")
      expect(error.message).toContain("again")
    })
  )

  it.live("a steady X-Perm-Rev changes nothing", () =>
    Effect.gen(function* () {
      const fake = serve({ permRev: () => "7" })
      const provider = yield* provide(direct({ pageSize: 25 }))
      expect((yield* collect(provider.users("students"))).length).toBe(studentIds(demoDistrict).length)
      expect(fake.requests.length).toBe(Math.ceil(studentIds(demoDistrict).length / 25))
    })
  )

  it.live("verify: a swap that keeps X-Perm-Rev, counts and page boundaries is mixed without it, refused with it", () =>
    Effect.gen(function* () {
      const students = studentIds(demoDistrict)
      // after the 3rd request: a student already read and one not read yet replaced by new ones
      const replaced = new Map([
        [students[2]!, "swap-in-1"],
        [students[120]!, "swap-in-2"]
      ])
      const after: Dataset.Dataset = {
        ...demoDistrict,
        users: demoDistrict.users.map((u) => (replaced.has(u.sourcedId) ? { ...u, sourcedId: replaced.get(u.sourcedId)! } : u))
      }
      const datasetAt = (i: number) => (i < 3 ? demoDistrict : after)
      serve({ datasetAt, permRev: () => "7" })
      const plain = yield* provide(direct({ pageSize: 25, concurrency: 1 }))
      const mixed = (yield* collect(plain.users("students"))).map((u) => u.sourcedId)
      expect(mixed).toContain(students[2])
      expect(mixed).toContain("swap-in-2")

      const fake = serve({ datasetAt, permRev: () => "7" })
      const verified = yield* provide(direct({ pageSize: 25, concurrency: 1, verify: true }))
      const error = yield* Effect.flip(collect(verified.users("students")))
      expect(error).toMatchObject({ _tag: "InconsistentSnapshot", provider: "classlink" })
      expect(error.message).toContain("1 record added (swap-in-1)")
      expect(error.message).toContain("1 removed, 0 changed")
      // both readings made every request
      expect(fake.requests.length).toBe(2 * (Math.ceil((students.length - 25) / 24) + 1))
    })
  )

  it.live("verify on an unchanged roster: the same students, every page read twice", () =>
    Effect.gen(function* () {
      const fake = serve({ permRev: () => "7" })
      const provider = yield* provide(direct({ pageSize: 25, verify: true }))
      expect((yield* collect(provider.users("students"))).map((u) => u.sourcedId)).toStrictEqual(studentIds(demoDistrict))
      const urls = fake.requests.map((r) => r.url)
      expect(urls.slice(urls.length / 2)).toStrictEqual(urls.slice(0, urls.length / 2))
    })
  )

  it.live("a 429 is retried no sooner than Retry-After, with jittered backoff", () =>
    Effect.gen(function* () {
      serve({ faults: [{ fault: Faults.rateLimited({ retryAfterSeconds: 1 }), path: /students/, after: 1 }] })
      const delays: Array<number> = []
      const logger = Logger.make(({ annotations }) => {
        for (const [key, value] of annotations) if (key === "delayMillis") delays.push(Number(value))
      })
      const provider = yield* provide(direct({ pageSize: 25 }))
      const students = yield* collect(provider.users("students")).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      expect(students.map((u) => u.sourcedId).sort()).toStrictEqual([...studentIds(demoDistrict)].sort())
      expect(delays.length).toBe(1)
      expect(delays[0]).toBeGreaterThanOrEqual(1000)
    })
  )
})

describe("layerConfig", () => {
  it.live("reads host, client id and secret from Config", () =>
    Effect.gen(function* () {
      serve()
      const layer = ClassLinkProvider.layerConfig({
        host: Config.string("ROSTERKIT_CLASSLINK_HOST"),
        clientId: Config.string("ROSTERKIT_CLASSLINK_CLIENT_ID"),
        clientSecret: Config.redacted("ROSTERKIT_CLASSLINK_CLIENT_SECRET")
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([
              ["ROSTERKIT_CLASSLINK_HOST", host],
              ["ROSTERKIT_CLASSLINK_CLIENT_ID", clientId],
              ["ROSTERKIT_CLASSLINK_CLIENT_SECRET", clientSecret]
            ])
          )
        )
      )
      expect(provider.name).toBe("classlink")
      expect((yield* collect(provider.users("students"))).length).toBe(139)
    })
  )
})
