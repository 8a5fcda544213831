/**
 * Hazards a OneRoster server throws at a pull. Each one ends in the exact listing or in a clear
 * typed refusal — never a silently short, padded or garbled roster. Real TCP (Loopback).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Dataset from "@rosterkit/testkit/Dataset"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Loopback from "@rosterkit/testkit/Loopback"
import * as OneRosterClient from "../src/OneRosterClient.js"

const servers: Array<{ close: () => Promise<void> }> = []
afterAll(() => Promise.all(servers.map((s) => s.close())))

const record = (i: number, extra: Record<string, unknown> = {}) => ({
  sourcedId: `u${String(i).padStart(5, "0")}`,
  role: "student",
  givenName: `Given ${i}`,
  familyName: "Family",
  ...extra
})
const records = (n: number) => Array.from({ length: n }, (_, i) => record(i))

/** A handler answering `/users?limit&offset` from `answer`, counting requests. */
const serveUsers = async (answer: (offset: number, limit: number, n: number) => Response) => {
  let n = 0
  const server = await Loopback.serve(async (request) => {
    const params = new URL(request.url).searchParams
    return answer(Number(params.get("offset") ?? 0), Number(params.get("limit") ?? 100), n++)
  })
  servers.push(server)
  return { url: `${server.url}/ims/oneroster/v1p1`, requests: () => n }
}

const json = (body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json", ...headers } })

const list = (baseUrl: string, overrides: Partial<OneRosterClient.Options> = {}) =>
  Effect.gen(function* () {
    const client = yield* OneRosterClient.OneRosterClient
    return Chunk.toReadonlyArray(yield* Stream.runCollect(client.list("users"))).map((u) => u.sourcedId)
  }).pipe(
    Effect.provide(
      OneRosterClient.layer({
        baseUrl,
        auth: { type: "bearer", token: Redacted.make("hazard-token") },
        pageSize: 100,
        retry: { retries: 2, baseDelay: "1 millis", maxDelay: "2 millis" },
        timeout: "20 seconds",
        ...overrides
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
  )

const ids = (list: ReadonlyArray<{ readonly sourcedId: string }>) => list.map((r) => r.sourcedId)

describe("hazards: oneroster", () => {
  it.live("X-Total-Count too high or too low: the exact listing", () =>
    Effect.gen(function* () {
      const data = records(250)
      for (const claimed of [400, 120]) {
        const server = yield* Effect.promise(() =>
          serveUsers((offset, limit) => json({ users: data.slice(offset, offset + limit) }, { "X-Total-Count": String(claimed) }))
        )
        expect(yield* list(server.url)).toStrictEqual(ids(data))
      }
    })
  )

  it.live("a server that ignores limit: the exact listing; one that ignores offset: InconsistentSnapshot", () =>
    Effect.gen(function* () {
      const data = records(250)
      const noLimit = yield* Effect.promise(() => serveUsers((offset) => json({ users: data.slice(offset) })))
      expect(yield* list(noLimit.url)).toStrictEqual(ids(data))
      const noOffset = yield* Effect.promise(() => serveUsers((_, limit) => json({ users: data.slice(0, limit) }, { "X-Total-Count": "250" })))
      const error = yield* Effect.flip(list(noOffset.url))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("ignores offset")
    })
  )

  it.live("a 200 without its envelope key, HTML instead of JSON, invalid UTF-8: DecodeError, not retried", () =>
    Effect.gen(function* () {
      const bodies: ReadonlyArray<readonly [string, () => Response, string]> = [
        ["envelope", () => json({ data: records(3) }), 'expected a JSON object with a "users" array'],
        ["html", () => new Response("<!doctype html><html><body>Sign in</body></html>", { headers: { "content-type": "text/html" } }), "expected JSON, got markup (text/html)"],
        [
          "utf-8",
          () => {
            const good = new TextEncoder().encode(JSON.stringify({ users: [record(1, { givenName: "José" })] }))
            const bad = new Uint8Array(good)
            bad[bad.indexOf(0xc3)] = 0xff // breaks the é
            return new Response(bad, { headers: { "content-type": "application/json" } })
          },
          "not valid UTF-8"
        ]
      ]
      for (const [name, body, message] of bodies) {
        const server = yield* Effect.promise(() => serveUsers(() => body()))
        const error = yield* Effect.flip(list(server.url))
        expect(error._tag, name).toBe("DecodeError")
        expect(error.message, name).toContain(message)
        expect(server.requests(), name).toBe(1)
      }
    })
  )

  it.live("a 50 MB page: read whole, exactly", () =>
    Effect.gen(function* () {
      // 100 records of ~500 KB each
      const big = Array.from({ length: 100 }, (_, i) => record(i, { metadata: { note: "x".repeat(500_000) } }))
      const body = JSON.stringify({ users: big })
      expect(body.length).toBeGreaterThan(50_000_000)
      const server = yield* Effect.promise(() =>
        serveUsers((offset) => (offset === 0 ? new Response(body, { headers: { "content-type": "application/json", "X-Total-Count": "100" } }) : json({ users: [] })))
      )
      expect(yield* list(server.url, { pageSize: 1000 })).toStrictEqual(ids(big))
    }),
    { timeout: 120_000 }
  )

  it.live("deletions and inserts mid-pull (FakeOneRoster): the roster after the change, or InconsistentSnapshot", () =>
    Effect.gen(function* () {
      const before = Dataset.generate({ seed: 11, schools: 2, studentsPerSchool: 300, teachersPerSchool: 10 })
      const users = Dataset.byKind(before, "users")
      // the change removes 5 records of the unread part and adds 3 records
      const added = [0, 1, 2].map((i) => ({ ...users[0]!, sourcedId: `new-${i}` }))
      const after: Dataset.Dataset = { ...before, users: [...users.slice(0, 400), ...added, ...users.slice(405)] }
      const server = yield* Effect.promise(() =>
        Loopback.serveFake((url) =>
          FakeOneRoster.make({ dataset: before, datasetAt: (n) => (n < 2 ? before : after), baseUrl: `${url}/ims/oneroster/v1p1` })
        )
      )
      servers.push(server)
      const got = yield* list(server.fake.baseUrl, { concurrency: 2 })
      expect(new Set(got).size).toBe(got.length)
      expect([...got].sort()).toStrictEqual(ids(after.users).sort())

      // records removed from the part already output: refused, counting them (the pager keeps ids as hashes)
      const early: Dataset.Dataset = { ...before, users: users.filter((_, i) => i !== 3) }
      const refusing = yield* Effect.promise(() =>
        Loopback.serveFake((url) =>
          FakeOneRoster.make({ dataset: before, datasetAt: (n) => (n < 2 ? before : early), baseUrl: `${url}/ims/oneroster/v1p1` })
        )
      )
      servers.push(refusing)
      const error = yield* Effect.flip(list(refusing.fake.baseUrl, { concurrency: 2 }))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("1 record already output was removed from the listing")
    })
  )

  it.live("a swap mid-pull that moves no boundary or count (FakeOneRoster): a mixed roster without verify, InconsistentSnapshot with it", () =>
    Effect.gen(function* () {
      const before = Dataset.generate({ seed: 12, schools: 2, studentsPerSchool: 300, teachersPerSchool: 10 })
      const users = Dataset.byKind(before, "users")
      // after the 2nd request: one record already read and one not read yet are replaced
      const swapped = new Map([
        [users[5]!.sourcedId, "swap-a"],
        [users[500]!.sourcedId, "swap-b"]
      ])
      const after: Dataset.Dataset = {
        ...before,
        users: before.users.map((u) => (swapped.has(u.sourcedId) ? { ...u, sourcedId: swapped.get(u.sourcedId)! } : u))
      }
      const serveChanging = () =>
        Effect.promise(() =>
          Loopback.serveFake((url) =>
            FakeOneRoster.make({ dataset: before, datasetAt: (n) => (n < 2 ? before : after), baseUrl: `${url}/ims/oneroster/v1p1` })
          )
        ).pipe(Effect.tap((server) => Effect.sync(() => servers.push(server))))

      const plain = yield* serveChanging()
      const mixed = yield* list(plain.fake.baseUrl, { concurrency: 1 })
      expect(mixed).toContain(users[5]!.sourcedId)
      expect(mixed).toContain("swap-b")
      expect([...mixed].sort()).not.toStrictEqual(ids(users).sort())
      expect([...mixed].sort()).not.toStrictEqual(ids(Dataset.byKind(after, "users")).sort())

      const verified = yield* serveChanging()
      const error = yield* Effect.flip(list(verified.fake.baseUrl, { concurrency: 1, verify: true }))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("1 record added (swap-a)")
      expect(error.message).toContain("1 removed, 0 changed")

      // unchanged: exact, at twice the requests
      const steady = yield* Effect.promise(() =>
        Loopback.serveFake((url) => FakeOneRoster.make({ dataset: before, baseUrl: `${url}/ims/oneroster/v1p1` }))
      )
      servers.push(steady)
      expect(yield* list(steady.fake.baseUrl, { verify: true })).toStrictEqual(ids(users))
      const once = steady.fake.requests.length / 2
      // (pages fetched concurrently arrive in any order)
      const urls = steady.fake.requests.map((r) => r.url)
      expect(urls.slice(once).sort()).toStrictEqual(urls.slice(0, once).sort())
    })
  )

  it("verify must be true or false: a ConfigurationError naming it", () => {
    const error = OneRosterClient.validate({
      baseUrl: "https://sis.example.org/ims/oneroster/v1p1/",
      auth: { type: "bearer", token: Redacted.make("t") },
      verify: "yes" as unknown as boolean
    })
    expect(error._tag === "Left" && error.left.setting).toBe("verify")
  })

  it.live("OAuth 1.0a against a server clock an hour ahead: AuthError saying so", () =>
    Effect.gen(function* () {
      const skew = 3_600_000
      const server = yield* Effect.promise(() =>
        Loopback.serveFake((url) =>
          FakeOneRoster.make({
            dataset: Dataset.generate({ seed: 1 }),
            baseUrl: `${url}/ims/oneroster/v1p1`,
            auth: { type: "oauth1", clientId: "id", clientSecret: "secret" },
            now: () => Date.now() + skew
          })
        )
      )
      servers.push(server)
      // the fake's clock is only in its OAuth check; its Date header is the real time, so this
      // names the server's own complaint
      const error = yield* Effect.flip(list(server.fake.baseUrl, { auth: { type: "oauth1", clientId: "id", clientSecret: Redacted.make("secret") } }))
      expect(error._tag).toBe("AuthError")
      expect(error.message).toContain("oauth_timestamp is not within 5 minutes")
    })
  )
})
