import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import * as Http from "@rosterkit/core/Http"
import * as Model from "@rosterkit/core/Model"
import * as Pager from "@rosterkit/core/Pager"
import { ResponseError } from "@rosterkit/core/RosterError"
import { IdSet, ListingIds } from "../src/internal/IdSet.js"

const context: Http.Context = { provider: "test", operation: "list users" }
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
/** The stream read with `Pager.FirstRound` n: as a whole listing, as `rosterkit users` reads it. */
const firstRound = (n: number) => <A, E>(stream: Stream.Stream<A, E>) => Stream.provideService(stream, Pager.FirstRound, n)

/**
 * An in-memory offset server. `clamp` is its silent maximum page size; `total` whether it
 * reports X-Total-Count (a number overrides the count); `data` may change between requests.
 */
const offsetServer = (options: {
  readonly data: (request: number) => ReadonlyArray<number>
  readonly clamp?: number
  readonly total?: boolean | number
  readonly latency?: (offset: number) => number
}) => {
  const requests: Array<{ offset: number; limit: number }> = []
  let inFlight = 0
  let maxInFlight = 0
  const fetch = (offset: number, limit: number): Effect.Effect<Pager.Page<number>> =>
    Effect.gen(function* () {
      const data = options.data(requests.length)
      requests.push({ offset, limit })
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      if (options.latency) yield* Effect.sleep(options.latency(offset))
      inFlight--
      const items = data.slice(offset, offset + Math.min(limit, options.clamp ?? Infinity))
      const total = options.total === true ? data.length : options.total === false ? undefined : options.total
      return { items, total }
    })
  return { fetch, requests, maxInFlight: () => maxInFlight }
}

describe("Pager.offsetPaged", () => {
  it.live("with a total: fetches the rest concurrently and keeps the order", () =>
    Effect.gen(function* () {
      const data = range(1050)
      // later pages answer first
      const fake = offsetServer({ data: () => data, total: true, latency: (offset) => Math.max(1, 12 - offset / 100) })
      const items = yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch: fake.fetch }))
      expect(items).toStrictEqual(data)
      expect(fake.requests).toHaveLength(11)
      expect(fake.maxInFlight()).toBe(4)
    })
  )

  it.effect("a server that clamps 1000 to 100 silently loses nothing", () =>
    Effect.gen(function* () {
      const data = range(1234)
      const fake = offsetServer({ data: () => data, total: true, clamp: 100 })
      const items = yield* collect(Pager.offsetPaged({ pageSize: 1000, concurrency: 3, context, fetch: fake.fetch }))
      expect(items).toStrictEqual(data)
      expect(fake.requests.map((r) => r.offset)).toStrictEqual(range(13).map((i) => i * 100))
    })
  )

  it.effect("a full last planned page means the roster grew: keeps paging", () =>
    Effect.gen(function* () {
      const data = range(250)
      const fake = offsetServer({ data: () => data, total: 200 })
      const items = yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 2, context, fetch: fake.fetch }))
      expect(items).toStrictEqual(data)
      expect(fake.requests.map((r) => r.offset)).toStrictEqual([0, 100, 200])
    })
  )

  it.effect("a short page that is not the last is an InconsistentSnapshot", () =>
    Effect.gen(function* () {
      // 500 records when counted; 260 by the time the later pages are read
      const fake = offsetServer({ data: (n) => range(n === 0 ? 500 : 260), total: 500 })
      const error = yield* Effect.flip(collect(Pager.offsetPaged({ pageSize: 100, concurrency: 1, context, fetch: fake.fetch })))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("offset 200")
    })
  )

  it.effect("without signals: stops at a short page, and does not trust a short first page", () =>
    Effect.gen(function* () {
      const plain = offsetServer({ data: () => range(250), total: false })
      expect(yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch: plain.fetch }))).toStrictEqual(range(250))
      expect(plain.requests.map((r) => r.offset)).toStrictEqual([0, 100, 200])

      const exact = offsetServer({ data: () => range(200), total: false })
      expect(yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch: exact.fetch }))).toStrictEqual(range(200))
      expect(exact.requests.map((r) => r.offset)).toStrictEqual([0, 100, 200])

      // asked for 1000, the server gives 100 at a time without saying so
      const clamped = offsetServer({ data: () => range(250), total: false, clamp: 100 })
      expect(yield* collect(Pager.offsetPaged({ pageSize: 1000, concurrency: 4, context, fetch: clamped.fetch }))).toStrictEqual(range(250))
      expect(clamped.requests.map((r) => r.offset)).toStrictEqual([0, 100, 200])

      // a first page shorter than asked that really is everything: one more request, empty
      const small = offsetServer({ data: () => range(30), total: false })
      expect(yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch: small.fetch }))).toStrictEqual(range(30))
      expect(small.requests.map((r) => r.offset)).toStrictEqual([0, 30])

      const empty = offsetServer({ data: () => [], total: false })
      expect(yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch: empty.fetch }))).toStrictEqual([])
      expect(empty.requests).toHaveLength(1)
    })
  )

  it.effect("is lazy: take(5) on a 100-per-page listing makes one request", () =>
    Effect.gen(function* () {
      for (const total of [true, false]) {
        const fake = offsetServer({ data: () => range(1000), total })
        const stream = Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch: fake.fetch })
        expect(fake.requests).toHaveLength(0)
        expect(yield* collect(Stream.take(stream, 5))).toStrictEqual([0, 1, 2, 3, 4])
        expect(fake.requests).toHaveLength(1)
      }
    })
  )

  it.effect("a repeated next URL fails instead of looping", () =>
    Effect.gen(function* () {
      const page = (next: string): Effect.Effect<Pager.Page<number>> => Effect.succeed({ items: [1, 2], next })
      const error = yield* Effect.flip(
        collect(
          Pager.offsetPaged({
            pageSize: 2,
            concurrency: 1,
            context,
            fetch: () => page("https://sis.example/users?offset=2"),
            fetchUrl: () => page("https://sis.example/users?offset=2")
          })
        )
      )
      expect(error._tag).toBe("InconsistentSnapshot")
    })
  )

  it.effect("a next link without fetchUrl falls back to offsets", () =>
    Effect.gen(function* () {
      const fake = offsetServer({ data: () => range(150), total: false })
      const fetch = (offset: number, limit: number) => Effect.map(fake.fetch(offset, limit), (page) => ({ ...page, next: "ignored" }))
      expect(yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 1, context, fetch }))).toStrictEqual(range(150))
    })
  )
})

describe("Pager.FirstRound: a listing's first pages asked for at once", () => {
  const id = (record: number) => String(record)
  const sorted = (requests: ReadonlyArray<{ readonly offset: number }>) => requests.map((r) => r.offset).sort((a, b) => a - b)
  /** A checked pull of pages of `pageSize` with the first `round` pages asked for at once. */
  const pull = (
    fetch: Pager.OffsetOptions<number>["fetch"],
    options: { readonly concurrency: number; readonly round: number; readonly pageSize?: number }
  ) => collect(Pager.offsetPaged({ pageSize: options.pageSize ?? 100, concurrency: options.concurrency, context, fetch, id }).pipe(firstRound(options.round)))

  it.live("a long listing: the first pages go out together with the first, and none is asked for twice", () =>
    Effect.gen(function* () {
      const data = range(350)
      const fake = offsetServer({ data: () => data, total: true, latency: () => 5 })
      const items = yield* pull(fake.fetch, { concurrency: 4, round: 4 })
      expect(items).toStrictEqual(data)
      // pages overlap by one record; all four were in flight before the first came back
      expect(sorted(fake.requests)).toStrictEqual([0, 99, 198, 297])
      expect(fake.maxInFlight()).toBe(4)

      // without FirstRound: the first page alone, then the other three
      const plain = offsetServer({ data: () => data, total: true, latency: () => 5 })
      expect(yield* collect(Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch: plain.fetch, id }))).toStrictEqual(data)
      expect(plain.maxInFlight()).toBe(3)
    })
  )

  it.live("no total: after the first round, the next page is asked for while the page before is read", () =>
    Effect.gen(function* () {
      const data = range(250)
      const asked = yield* Deferred.make<void>()
      const fake = offsetServer({ data: () => data, total: false, latency: () => 2 })
      let firstRoundDone = false
      const fetch = (offset: number, limit: number) =>
        Effect.zipRight(
          firstRoundDone && offset > 99 ? Deferred.succeed(asked, undefined) : Effect.void,
          Effect.tap(fake.fetch(offset, limit), () => Effect.sync(() => (firstRoundDone ||= offset === 0)))
        )
      // the reader of record 100 (the second page) waits until the third has been asked for
      const read = Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch, id }).pipe(
        Stream.tap((record) => (record === 100 ? Deferred.await(asked) : Effect.void)),
        firstRound(4)
      )
      expect(yield* collect(read).pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "no read ahead" }))).toStrictEqual(data)
      // the early pages (no total: cut off), then one page at a time, overlapping by one, up to
      // the short page that ends the listing: no request more than without the read ahead
      expect(fake.requests.map((r) => r.offset)).toStrictEqual([0, 99, 198, 297, 99, 198])
    })
  )

  it.live("never more in flight than the concurrency, and the rest planned as usual", () =>
    Effect.gen(function* () {
      const data = range(1000)
      const fake = offsetServer({ data: () => data, total: true, latency: () => 2 })
      const items = yield* pull(fake.fetch, { concurrency: 2, round: 8 })
      expect(items).toStrictEqual(data)
      expect(fake.maxInFlight()).toBe(2)
      expect(sorted(fake.requests)).toStrictEqual(range(11).map((i) => i * 99))
    })
  )

  it.live("a listing shorter than the first round: the pages past its end are cut off or ignored, even when they fail", () =>
    Effect.gen(function* () {
      const data = range(150)
      const fake = offsetServer({ data: () => data, total: true, latency: (offset) => (offset === 0 ? 1 : 30) })
      // a server that answers offsets past the end with an error
      const fetch = (offset: number, limit: number) =>
        offset >= data.length
          ? Effect.zipRight(fake.fetch(offset, limit), Effect.fail(new ResponseError({ ...context, url: "https://sis.example/users", status: 400, bodyExcerpt: "offset out of range" })))
          : fake.fetch(offset, limit)
      const items = yield* pull(fetch, { concurrency: 4, round: 4 })
      expect(items).toStrictEqual(data)
      // the page at 99 was asked for early and used; 198 and 297 were asked for and not needed
      expect(sorted(fake.requests)).toStrictEqual([0, 99, 198, 297])
    })
  )

  it.live("a server that clamps the page size: the early pages are dropped and the listing paged by what it returns", () =>
    Effect.gen(function* () {
      const data = range(1234)
      const fake = offsetServer({ data: () => data, total: true, clamp: 100, latency: () => 1 })
      const items = yield* pull(fake.fetch, { concurrency: 3, round: 3, pageSize: 1000 })
      expect(items).toStrictEqual(data)
      // 0, the early 999 and 1998, then 99, 198, … by the 100 records a page it gives
      expect(sorted(fake.requests)).toStrictEqual([...range(13).map((i) => i * 99), 999, 1998].sort((a, b) => a - b))
    })
  )

  it.live("a needed early page that failed is asked for again (it had one attempt, no retry)", () =>
    Effect.gen(function* () {
      const data = range(350)
      const fake = offsetServer({ data: () => data, total: true, latency: () => 1 })
      let failed = false
      const fetch = (offset: number, limit: number) => {
        if (offset !== 198 || failed) return fake.fetch(offset, limit)
        failed = true
        return Effect.zipRight(fake.fetch(offset, limit), Effect.fail(new ResponseError({ ...context, url: "https://sis.example/users", status: 503, bodyExcerpt: "" })))
      }
      const items = yield* pull(fetch, { concurrency: 4, round: 4 })
      expect(items).toStrictEqual(data)
      expect(sorted(fake.requests)).toStrictEqual([0, 99, 198, 198, 297])
    })
  )

  it.effect("a needed early page that fails fails the listing", () =>
    Effect.gen(function* () {
      const data = range(350)
      const fake = offsetServer({ data: () => data, total: true })
      const failure = new ResponseError({ ...context, url: "https://sis.example/users", status: 500, bodyExcerpt: "" })
      const fetch = (offset: number, limit: number) => (offset === 198 ? Effect.fail(failure) : fake.fetch(offset, limit))
      const error = yield* Effect.flip(pull(fetch, { concurrency: 4, round: 4 }))
      expect(error).toBe(failure)
    })
  )
})

describe("Pager and ListingIds: the caller's set for the ids a listing outputs", () => {
  it.effect("the pager keeps the listing's ids in the set it is handed, once, and a verified pull's second reading keeps its own", () =>
    Effect.gen(function* () {
      for (const verify of [false, true]) {
        const data = range(250)
        const fake = offsetServer({ data: () => data, total: true })
        const ids = new IdSet()
        const items = yield* collect(
          Stream.provideService(Pager.offsetPaged({ pageSize: 100, concurrency: 2, context, fetch: fake.fetch, id: String, verify }), ListingIds, ids)
        )
        expect(items).toStrictEqual(data)
        expect(ids.adopted).toBe(true)
        expect(ids.size).toBe(250)
        expect(ids.has("249")).toBe(true)
      }
    }))

  it.effect("a set that is not empty is not adopted", () =>
    Effect.gen(function* () {
      const ids = new IdSet()
      ids.add("elsewhere")
      const fake = offsetServer({ data: () => range(30), total: true })
      expect(yield* collect(Stream.provideService(Pager.offsetPaged({ pageSize: 100, concurrency: 2, context, fetch: fake.fetch, id: String }), ListingIds, ids))).toStrictEqual(range(30))
      expect(ids.adopted).toBe(false)
      expect(ids.size).toBe(1)
    }))
})

describe("Pager.offsetPaged over HTTP with Link headers only", () => {
  const base = "https://sis.example/ims/oneroster/v1p1"
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())

  /** 250 users, 100 per page, a Link header (no X-Total-Count) written by `link`. */
  const serveUsers = (link: (offset: number, limit: number) => string) => {
    let count = 0
    server.use(
      http.get(`${base}/users`, ({ request }) => {
        count++
        const params = new URL(request.url).searchParams
        const offset = Number(params.get("offset") ?? 0)
        const limit = Math.min(Number(params.get("limit") ?? 100), 100)
        const users = range(250).slice(offset, offset + limit).map((i) => ({ sourcedId: String(i) }))
        const headers: Record<string, string> = {}
        if (offset + limit < 250) headers["Link"] = `${link(offset + limit, limit)}, <${base}/users?offset=0>; rel="first"`
        return HttpResponse.json({ users }, { headers })
      })
    )
    return () => count
  }

  const fetchUrl = (url: string) =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const response = yield* Http.getJson(client, HttpClientRequest.get(url), context, Http.defaultOptions)
      const items = yield* Pager.envelope(response.body, "users", { ...context, source: response.url })
      return { items, next: Pager.parseLinkNext(response.headers["link"], response.url) }
    }).pipe(Effect.provide(FetchHttpClient.layer))

  const users = (pageSize: number) =>
    Pager.offsetPaged({
      pageSize,
      concurrency: 4,
      context,
      fetch: (offset, limit) => fetchUrl(`${base}/users?offset=${offset}&limit=${limit}`),
      fetchUrl
    }).pipe(Stream.map((user) => (user as { sourcedId: string }).sourcedId))

  for (const [name, link] of [
    ["absolute", (offset: number, limit: number) => `<${base}/users?offset=${offset}&limit=${limit}>; rel="next"`],
    ["relative", (offset: number, limit: number) => `<users?offset=${offset}&limit=${limit}>; rel=next`],
    ["root-relative", (offset: number, limit: number) => `</ims/oneroster/v1p1/users?offset=${offset}&limit=${limit}>; rel="next"`]
  ] as const) {
    it.live(`follows ${name} next links to the end`, () =>
      Effect.gen(function* () {
        const requests = serveUsers(link)
        expect(yield* collect(users(1000))).toStrictEqual(range(250).map(String))
        expect(requests()).toBe(3)
      })
    )
  }

  it.live("is lazy: take(5) makes one request", () =>
    Effect.gen(function* () {
      const requests = serveUsers((offset, limit) => `<users?offset=${offset}&limit=${limit}>; rel="next"`)
      expect(yield* collect(Stream.take(users(100), 5))).toStrictEqual(["0", "1", "2", "3", "4"])
      expect(requests()).toBe(1)
    })
  )
})

describe("Pager.linkPaged", () => {
  const pages: Record<string, Pager.Page<string>> = {
    "/users": { items: ["a", "b"], next: "/users?starting_after=b" },
    "/users?starting_after=b": { items: ["c", "d"], next: "/users?starting_after=d" },
    "/users?starting_after=d": { items: ["e"] }
  }

  it.effect("follows next until absent, with no request after the last page", () =>
    Effect.gen(function* () {
      const requested: Array<string> = []
      const fetch = (url: string) => Effect.sync(() => (requested.push(url), pages[url]!))
      expect(yield* collect(Pager.linkPaged({ first: "/users", context, fetch }))).toStrictEqual(["a", "b", "c", "d", "e"])
      expect(requested).toStrictEqual(["/users", "/users?starting_after=b", "/users?starting_after=d"])

      requested.length = 0
      expect(yield* collect(Stream.take(Pager.linkPaged({ first: "/users", context, fetch }), 2))).toStrictEqual(["a", "b"])
      expect(requested).toStrictEqual(["/users"])
    })
  )

  it.live("read whole (FirstRound): the next page is asked for before the page that linked it is handed on", () =>
    Effect.gen(function* () {
      // the reader of "a" waits until the page after it has been asked for: without the read
      // ahead it would wait forever (cut off by the timeout below)
      const asked = yield* Deferred.make<void>()
      const requested: Array<string> = []
      let inFlight = 0
      let maxInFlight = 0
      const fetch = (url: string) =>
        Effect.gen(function* () {
          requested.push(url)
          if (url !== "/users") yield* Deferred.succeed(asked, undefined)
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          yield* Effect.sleep("2 millis")
          inFlight--
          return pages[url]!
        })
      const read = Pager.linkPaged({ first: "/users", context, fetch }).pipe(
        Stream.tap((item) => (item === "a" ? Deferred.await(asked) : Effect.void)),
        firstRound(4)
      )
      expect(yield* collect(read).pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "no read ahead" }))).toStrictEqual([
        "a",
        "b",
        "c",
        "d",
        "e"
      ])
      expect(requested).toStrictEqual(["/users", "/users?starting_after=b", "/users?starting_after=d"])
      expect(maxInFlight).toBe(1)
    })
  )

  it.live("read whole: a failure of the page read ahead surfaces after the pages before it, and an early end cuts it off", () =>
    Effect.gen(function* () {
      const failing = (url: string): Effect.Effect<Pager.Page<string>, ResponseError> =>
        url === "/users?starting_after=d"
          ? Effect.fail(new ResponseError({ ...context, url, status: 500, bodyExcerpt: "" }))
          : Effect.succeed(pages[url]!)
      const seen: Array<string> = []
      const error = yield* Effect.flip(collect(Pager.linkPaged({ first: "/users", context, fetch: failing }).pipe(Stream.tap((x) => Effect.sync(() => seen.push(x))), firstRound(4))))
      expect(error._tag).toBe("ResponseError")
      expect(seen).toStrictEqual(["a", "b", "c", "d"])

      let finished = 0
      let interrupted = 0
      const slow = (url: string) =>
        Effect.sleep(url === "/users" ? "1 millis" : "200 millis").pipe(
          Effect.as(pages[url]!),
          Effect.onExit((exit) => Effect.sync(() => (exit._tag === "Success" ? finished++ : interrupted++)))
        )
      expect(yield* collect(Stream.take(Pager.linkPaged({ first: "/users", context, fetch: slow }).pipe(firstRound(4)), 2))).toStrictEqual(["a", "b"])
      expect({ finished, interrupted }).toStrictEqual({ finished: 1, interrupted: 1 })
    })
  )

  it.effect("a repeated next is an InconsistentSnapshot", () =>
    Effect.gen(function* () {
      const fetch = (url: string): Effect.Effect<Pager.Page<string>> =>
        Effect.succeed(url === "/users" ? { items: ["a"], next: "/users?starting_after=a" } : { items: ["b"], next: "/users" })
      const error = yield* Effect.flip(collect(Pager.linkPaged({ first: "/users", context, fetch })))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("/users")
    })
  )
})

describe("Pager.parseLinkNext", () => {
  const request = "https://sis.example/ims/oneroster/v1p1/users?offset=0&limit=100"

  it("finds rel=next among several links and resolves relative targets", () => {
    expect(Pager.parseLinkNext(undefined, request)).toBeUndefined()
    expect(Pager.parseLinkNext("", request)).toBeUndefined()
    expect(
      Pager.parseLinkNext(
        '<https://sis.example/ims/oneroster/v1p1/users?offset=0>; rel="first", <https://sis.example/ims/oneroster/v1p1/users?offset=100&limit=100>; rel="next"',
        request
      )
    ).toBe("https://sis.example/ims/oneroster/v1p1/users?offset=100&limit=100")
    expect(Pager.parseLinkNext('<users?offset=100>; rel="next"', request)).toBe("https://sis.example/ims/oneroster/v1p1/users?offset=100")
    expect(Pager.parseLinkNext("</v3.0/users?starting_after=9>;rel=next", request)).toBe("https://sis.example/v3.0/users?starting_after=9")
    expect(Pager.parseLinkNext('<?offset=200&limit=100>; title="a, b; c"; REL="last next"', request)).toBe(
      "https://sis.example/ims/oneroster/v1p1/users?offset=200&limit=100"
    )
    expect(Pager.parseLinkNext('<https://x.example/a,b>; rel="prev", <https://x.example/c>; rel="next"', request)).toBe(
      "https://x.example/c"
    )
    expect(Pager.parseLinkNext('<https://x.example/a>; rel="prev", <https://x.example/b>; rel="nextish"', request)).toBeUndefined()
  })
})

describe("Pager.envelope and decodeItems", () => {
  const source = "https://sis.example/ims/oneroster/v1p1/users?access_token=secret123&offset=0"

  it.effect("a body without its envelope key is a DecodeError, not an empty page", () =>
    Effect.gen(function* () {
      expect(yield* Pager.envelope({ users: [{ sourcedId: "1" }] }, "users", { ...context, source })).toStrictEqual([{ sourcedId: "1" }])
      expect(yield* Pager.envelope({ users: [] }, "users", { ...context, source })).toStrictEqual([])
      const missing = yield* Effect.flip(Pager.envelope({ orgs: [] }, "users", { ...context, source }))
      expect(missing._tag).toBe("DecodeError")
      expect(missing.detail).toContain('"users"')
      expect(missing.detail).toContain("orgs")
      expect(missing.source).not.toContain("secret123")
      const notArray = yield* Effect.flip(Pager.envelope({ users: { sourcedId: "1" } }, "users", { ...context, source }))
      expect(notArray.detail).toContain("to be an array")
      expect((yield* Effect.flip(Pager.envelope(null, "users", { ...context, source })))._tag).toBe("DecodeError")
    })
  )

  it.effect("decodeItems names the record and the field path", () =>
    Effect.gen(function* () {
      const ok = { sourcedId: "18124", status: "active", dateLastModified: "2019-03-01T18:14:45.000Z", username: "a", enabledUser: "true", givenName: "A", familyName: "B", role: "student", orgs: [] }
      const bad = { ...ok, sourcedId: "18125", role: "pupil" }
      const error = yield* Effect.flip(Pager.decodeItems(Model.User, [ok, bad], { ...context, source }))
      expect(error._tag).toBe("DecodeError")
      expect(error.record).toBe("18125")
      expect(error.detail).toMatch(/^role: Expected .*"student".*, actual "pupil"$/)
      expect(error.message).toContain("(record 18125)")

      const Row = Schema.Struct({ id: Schema.Number, orgs: Schema.Array(Schema.Struct({ sourcedId: Schema.String })) })
      const nested = yield* Effect.flip(
        Pager.decodeItems(Row, [{ id: 1, orgs: [] }, { id: 2, orgs: [{ sourcedId: "x" }, { sourcedId: 7 }] }], { ...context, source })
      )
      expect(nested.record).toBe("#1")
      expect(nested.detail).toContain("orgs[1].sourcedId: Expected string, actual 7")
      expect(yield* Pager.decodeItems(Row, [{ id: 1, orgs: [] }], { ...context, source })).toStrictEqual([{ id: 1, orgs: [] }])
    })
  )

  it.effect("decodeItems with reuse completes a 1.2 user in place; without, leaves the records as they were", () =>
    Effect.gen(function* () {
      const org = { href: "/orgs/2", sourcedId: "2", type: "org" }
      const wire = () => [
        { sourcedId: "1", status: "active", dateLastModified: "2019-03-01T18:14:45.000Z", username: "a", enabledUser: "true", givenName: "A", familyName: "B", roles: [{ roleType: "primary", role: "student", org }] }
      ]
      const mapped = { ...wire()[0]!, role: "student", orgs: [org] }
      const kept = wire()
      const copied = yield* Pager.decodeItems(Model.UserV1p2, kept, { ...context, source })
      expect(copied).toStrictEqual([mapped])
      expect(kept).toStrictEqual(wire())
      expect(copied[0]).not.toBe(kept[0])
      const own = wire()
      const reused = yield* Pager.decodeItems(Model.UserV1p2, own, { ...context, source }, { reuse: true })
      expect(reused).toStrictEqual([mapped])
      expect(reused[0]).toBe(own[0])
    })
  )
})
