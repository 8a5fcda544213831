import { FetchHttpClient } from "@effect/platform"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import * as CleverClient from "../src/CleverClient.js"

const origin = "https://api.clever.test"
const host = `${origin}/v3.0/`
const token = "sekrit-district-token-0123456789"

/** Every request the fake server saw. */
const requests: Array<URL> = []
const authHeaders: Array<string | null> = []

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => {
  server.resetHandlers()
  requests.length = 0
  authHeaders.length = 0
})
afterAll(() => server.close())

const user = (i: number) => ({ id: `u${String(i).padStart(4, "0")}`, name: { first: `First${i}`, last: `Last${i}` }, roles: { student: { grade: "6" } } })

/**
 * Clever's paging: `limit` (413 above 10000), `starting_after` cursor, a relative `next` link
 * only when more records follow (as the real API does on a full page of a longer listing).
 */
const pagedUsers = (count: number, pathPrefix = "/v3.0") => {
  const all = Array.from({ length: count }, (_, i) => user(i + 1))
  return http.get(`${origin}${pathPrefix}/users`, ({ request }) => {
    const url = new URL(request.url)
    requests.push(url)
    authHeaders.push(request.headers.get("authorization"))
    const limit = Number(url.searchParams.get("limit") ?? "100")
    if (limit > 10_000) return HttpResponse.json({ message: "limit too large" }, { status: 413 })
    const after = url.searchParams.get("starting_after")
    const start = after === null ? 0 : all.findIndex((u) => u.id === after) + 1
    const page = all.slice(start, start + limit)
    const more = start + limit < all.length
    const role = url.searchParams.get("role")
    const links = [
      { rel: "self", uri: `/v3.0/users${url.search}` },
      ...(more
        ? [{ rel: "next", uri: `/v3.0/users?limit=${limit}${role === null ? "" : `&role=${role}`}&starting_after=${page.at(-1)!.id}` }]
        : [])
    ]
    return HttpResponse.json({ data: page.map((u) => ({ data: u, uri: `/v3.0/users/${u.id}` })), links })
  })
}

/** Answers the first `failures.length` requests with those responses, then delegates. */
const failing = (failures: ReadonlyArray<() => Response>, path = "/v3.0/users") => {
  let n = 0
  return http.get(`${origin}${path}`, ({ request }) => {
    const next = failures[n++]
    if (next === undefined) return undefined
    requests.push(new URL(request.url))
    return next()
  })
}

const fast = { retries: 3, baseDelay: "1 millis", maxDelay: "5 millis" } as const

const clientLayer = (options: Partial<CleverClient.Options> = {}) =>
  CleverClient.layer({ token: Redacted.make(token), host, retry: fast, ...options }).pipe(Layer.provide(FetchHttpClient.layer))

const usersOf = (options: Partial<CleverClient.Options> = {}, role?: CleverClient.UserRole) =>
  Effect.flatMap(CleverClient.CleverClient, (client) => Stream.runCollect(client.users(role))).pipe(
    Effect.map(Chunk.toReadonlyArray),
    Effect.provide(clientLayer(options))
  )

describe("CleverClient paging", () => {
  it.live("follows relative next links with the bearer token, asking for pageSize records", () =>
    Effect.gen(function* () {
      server.use(pagedUsers(12))
      const users = yield* usersOf({ pageSize: 5 }, "student")
      expect(users.map((u) => u.id)).toStrictEqual(Array.from({ length: 12 }, (_, i) => user(i + 1).id))
      expect(requests.map((u) => `${u.pathname}?${u.searchParams.toString()}`)).toStrictEqual([
        "/v3.0/users?limit=5&role=student",
        "/v3.0/users?limit=5&role=student&starting_after=u0005",
        "/v3.0/users?limit=5&role=student&starting_after=u0010"
      ])
      expect(authHeaders).toStrictEqual([`Bearer ${token}`, `Bearer ${token}`, `Bearer ${token}`])
    })
  )

  it.live("makes no request after the last page (even when it is full)", () =>
    Effect.gen(function* () {
      server.use(pagedUsers(10))
      const users = yield* usersOf({ pageSize: 5 })
      expect(users.length).toBe(10)
      expect(requests.length).toBe(2)
    })
  )

  it.live("asks for 10000 by default and never more (Clever answers 413 above)", () =>
    Effect.gen(function* () {
      server.use(pagedUsers(3))
      expect((yield* usersOf()).length).toBe(3)
      expect(requests.map((u) => u.searchParams.get("limit"))).toStrictEqual(["10000"])
    })
  )

  it.effect("a page size above 10000 is a ConfigurationError, before any request", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(usersOf({ pageSize: 20_000 }))
      expect(error).toMatchObject({ _tag: "ConfigurationError", setting: "pageSize" })
      expect(error.message).toContain("413")
      expect(requests.length).toBe(0)
      expect(Either.isLeft(CleverClient.validate({ token: Redacted.make(token), pageSize: 0 }))).toBe(true)
      expect(Either.isLeft(CleverClient.validate({ token: Redacted.make(" ") }))).toBe(true)
      expect(Either.isLeft(CleverClient.validate({ token: Redacted.make(token), host: "not a url" }))).toBe(true)
      expect(Either.isLeft(CleverClient.validate({ token: Redacted.make(token), verify: "yes" as unknown as boolean }))).toBe(true)
      expect(CleverClient.validate({ token: Redacted.make(token) })).toStrictEqual(
        Either.right({ host: "https://api.clever.com/v3.0/", pageSize: 10_000, concurrency: 4, requestsPerMinute: 1200, verify: false })
      )
    })
  )

  it.live("keeps a proxy's path prefix when following Clever's /v3.0/ next links", () =>
    Effect.gen(function* () {
      server.use(pagedUsers(7, "/clever/v3.0"))
      const users = yield* usersOf({ pageSize: 5, host: `${origin}/clever/v3.0` })
      expect(users.length).toBe(7)
      expect(requests.map((u) => u.pathname)).toStrictEqual(["/clever/v3.0/users", "/clever/v3.0/users"])
    })
  )

  it.live("a next link to another origin is refused (the token would go with it)", () =>
    Effect.gen(function* () {
      server.use(
        http.get(`${origin}/v3.0/users`, () =>
          HttpResponse.json({ data: [{ data: user(1) }], links: [{ rel: "next", uri: "https://evil.test/v3.0/users?starting_after=u0001" }] })
        )
      )
      const error = yield* Effect.flip(usersOf())
      expect(error).toMatchObject({ _tag: "DecodeError" })
      expect(error.message).toContain("outside https://api.clever.test")
    })
  )

  it.live("a record of the wrong shape is a DecodeError naming its id and field", () =>
    Effect.gen(function* () {
      server.use(
        http.get(`${origin}/v3.0/users`, () =>
          HttpResponse.json({ data: [{ data: user(1) }, { data: { id: "bad1", name: { first: 42 } } }], links: [] })
        )
      )
      const error = yield* Effect.flip(usersOf())
      expect(error).toMatchObject({ _tag: "DecodeError", record: "bad1" })
      expect(error.message).toContain("name.first")
    })
  )

  it.live("a body without data is a DecodeError, not an empty listing", () =>
    Effect.gen(function* () {
      server.use(http.get(`${origin}/v3.0/users`, () => HttpResponse.json({ users: [] })))
      expect(yield* Effect.flip(usersOf())).toMatchObject({ _tag: "DecodeError" })
    })
  )

  it.live("Stream.take(3) makes one request", () =>
    Effect.gen(function* () {
      server.use(pagedUsers(12))
      const three = yield* Effect.flatMap(CleverClient.CleverClient, (client) =>
        Stream.runCollect(Stream.take(client.users(), 3))
      ).pipe(Effect.provide(clientLayer({ pageSize: 5 })))
      expect(three.length).toBe(3)
      expect(requests.length).toBe(1)
    })
  )
})

describe("CleverClient rate limits and errors", () => {
  const rateLimited = (headers: Record<string, string>) => () =>
    HttpResponse.json({ message: "Too Many Requests" }, { status: 429, headers })

  /** Lets the forked pull run until its retry sleep is registered with the TestClock. */
  const untilSleepAtLeast = (millis: number) =>
    Effect.gen(function* () {
      for (let i = 0; i < 500; i++) {
        const sleeps = yield* TestClock.sleeps()
        if (Chunk.some(sleeps, (at) => at >= millis)) return
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
      }
      throw new Error(`no sleep until ${millis} was registered`)
    })

  it.scoped("429 with X-RateLimit-Reset (epoch seconds) waits until the reset, then retries", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      server.use(failing([rateLimited({ "X-RateLimit-Reset": "1700000004" })]), pagedUsers(3))
      const fiber = yield* Effect.fork(usersOf({ retry: { retries: 3, baseDelay: "1 millis", maxDelay: "1 millis" } }))
      yield* untilSleepAtLeast(1_700_000_004_000)
      yield* TestClock.adjust("3999 millis")
      expect(requests.length).toBe(1)
      yield* TestClock.adjust("1 millis")
      const users = yield* Fiber.join(fiber)
      expect(users.length).toBe(3)
      expect(requests.length).toBe(2)
    })
  )

  it.scoped("429 with Retry-After waits that long, then retries", () =>
    Effect.gen(function* () {
      server.use(failing([rateLimited({ "Retry-After": "2" })]), pagedUsers(3))
      const fiber = yield* Effect.fork(usersOf({ retry: { retries: 3, baseDelay: "1 millis", maxDelay: "1 millis" } }))
      yield* untilSleepAtLeast(2000)
      expect(requests.length).toBe(1)
      yield* TestClock.adjust("2 seconds")
      expect((yield* Fiber.join(fiber)).length).toBe(3)
      expect(requests.length).toBe(2)
    })
  )

  it.live("429 that never ends becomes RateLimited after the retries", () =>
    Effect.gen(function* () {
      server.use(failing(Array.from({ length: 10 }, () => rateLimited({ "Retry-After": "0" }))))
      const error = yield* Effect.flip(usersOf())
      expect(error).toMatchObject({ _tag: "RateLimited" })
      expect(requests.length).toBe(fast.retries + 1)
    })
  )

  for (const status of [500, 502, 503]) {
    it.live(`${status} is retried`, () =>
      Effect.gen(function* () {
        server.use(failing([() => HttpResponse.json({ message: "oops" }, { status })]), pagedUsers(4))
        expect((yield* usersOf()).length).toBe(4)
        expect(requests.length).toBe(2)
      })
    )
  }

  it.live("400 is not retried; the error carries Clever's message and never the token", () =>
    Effect.gen(function* () {
      server.use(
        failing([() => HttpResponse.json({ message: `bad request with Bearer ${token}` }, { status: 400 })]),
        pagedUsers(4)
      )
      const error = yield* Effect.flip(usersOf())
      expect(error).toMatchObject({ _tag: "ResponseError", status: 400 })
      expect(error.message).toContain("bad request")
      expect(requests.length).toBe(1)
      expect(JSON.stringify(error)).not.toContain(token)
      expect(error.message).not.toContain(token)
    })
  )

  it.live("401 is not retried and becomes AuthError without the token", () =>
    Effect.gen(function* () {
      server.use(failing([() => HttpResponse.json({ message: `invalid token ${token}` }, { status: 401 })]), pagedUsers(4))
      const error = yield* Effect.flip(usersOf())
      expect(error).toMatchObject({ _tag: "AuthError", status: 401 })
      expect(requests.length).toBe(1)
      expect(JSON.stringify(error)).not.toContain(token)
      expect(error.message).not.toContain(token)
    })
  )

  it.live("404 on a nested listing is NotFound naming the group; 404 on a record is None", () =>
    Effect.gen(function* () {
      server.use(
        http.get(`${origin}/v3.0/sections/:id/users`, () => HttpResponse.json({ message: "Resource not found" }, { status: 404 })),
        http.get(`${origin}/v3.0/sections/:id`, () => HttpResponse.json({ message: "Resource not found" }, { status: 404 }))
      )
      const client = yield* CleverClient.CleverClient
      const error = yield* Effect.flip(Stream.runCollect(client.sectionUsers("s404", "student")))
      expect(error).toMatchObject({ _tag: "NotFound", entity: "section", id: "s404" })
      expect(yield* client.section("s404")).toStrictEqual(Option.none())
    }).pipe(Effect.provide(clientLayer()))
  )

  it.live("a layer with a bad host fails with ConfigurationError", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(usersOf({ host: "ftp://example.test/" }))
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("ConfigurationError")
    })
  )
})
