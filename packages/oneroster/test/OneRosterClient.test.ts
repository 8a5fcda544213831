import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import * as Filter from "@rosterkit/core/Filter"
import * as OneRosterClient from "../src/OneRosterClient.js"
import { verify } from "./Rfc5849.js"
import { base, build, collect, fast, listHandler, oauth1, options, statusInfo, users } from "./support.js"

const server = setupServer()
let unhandled = 0
beforeAll(() =>
  server.listen({
    onUnhandledRequest: () => {
      unhandled++
    }
  })
)
afterEach(() => {
  server.resetHandlers()
  unhandled = 0
})
afterAll(() => server.close())

/** Answers 401 unless the OAuth 1.0a signature verifies with `secret`; records each verification. */
const signedList = (secret: string, records: ReadonlyArray<unknown>, seen: Array<ReturnType<typeof verify>>) =>
  listHandler("users", "users", records, {
    intercept: (request) => {
      const result = verify(request, secret)
      seen.push(result)
      return result.ok ? undefined : statusInfo(401, "signature invalid")
    }
  })

describe("configuration", () => {
  const cases: ReadonlyArray<readonly [string, Partial<OneRosterClient.Options>, string]> = [
    ["a baseUrl that is not a URL", { baseUrl: "sis.example/ims" }, "baseUrl"],
    ["a baseUrl that is not http", { baseUrl: "ftp://sis.example/" }, "baseUrl"],
    ["a baseUrl with credentials", { baseUrl: "https://user:pw@sis.example/" }, "baseUrl"],
    ["an empty secret", { auth: oauth1("") }, "auth.clientSecret"],
    ["a missing client id", { auth: { ...oauth1(), clientId: " " } }, "auth.clientId"],
    [
      "a bad signature method",
      { auth: { ...oauth1(), signatureMethod: "PLAINTEXT" as unknown as OneRosterClient.SignatureMethod } },
      "auth.signatureMethod"
    ],
    [
      "a bad token URL",
      { auth: { type: "oauth2", clientId: "id", clientSecret: Redacted.make("secret-value"), tokenUrl: "nope" } },
      "auth.tokenUrl"
    ],
    ["an empty bearer token", { auth: { type: "bearer", token: Redacted.make("") } }, "auth.token"],
    ["an unknown auth type", { auth: { type: "basic" } as unknown as OneRosterClient.AuthOptions }, "auth.type"],
    ["page size 0", { pageSize: 0 }, "pageSize"],
    ["a fractional concurrency", { concurrency: 1.5 }, "concurrency"],
    ["a zero timeout", { timeout: 0 }, "timeout"]
  ]
  for (const [title, overrides, setting] of cases) {
    it.live(`${title} fails before any request`, () =>
      Effect.gen(function* () {
        server.use(http.all("*", () => HttpResponse.json({})))
        const error = yield* Effect.flip(build(options(overrides)))
        expect(error).toMatchObject({ _tag: "ConfigurationError", setting })
        expect(error.message).toContain(setting)
        expect(error.message).not.toContain("s3cret-value")
        expect(unhandled).toBe(0)
      })
    )
  }

  it("validate fills in the defaults", () => {
    const settings = Either.getOrThrow(OneRosterClient.validate({ baseUrl: "https://SIS.example/ims/oneroster/v1p1", auth: oauth1() }))
    expect(settings).toMatchObject({ name: "oneroster", baseUrl: "https://sis.example/ims/oneroster/v1p1/", pageSize: 1000, concurrency: 4 })
    expect(settings.auth).toMatchObject({ type: "oauth1", signatureMethod: "HMAC-SHA256" })
  })

  for (const baseUrl of [`${base}`, `${base}/`, `${base}//`]) {
    it.live(`base URL ${baseUrl} reaches ${base}/users`, () =>
      Effect.gen(function* () {
        server.use(listHandler("users", "users", users(3)))
        const { provider } = yield* build(options({ baseUrl }))
        expect((yield* collect(provider.entities("users"))).length).toBe(3)
      })
    )
  }

  it.live("any base path works", () =>
    Effect.gen(function* () {
      server.use(
        http.get("https://api.example/district/42/roster/v1/classes", ({ request }) =>
          HttpResponse.json({ classes: new URL(request.url).searchParams.get("offset") === "0" ? [{ sourcedId: "c1" }] : [] })
        )
      )
      const { provider } = yield* build(options({ baseUrl: "https://api.example/district/42/roster/v1" }))
      expect((yield* collect(provider.entities("classes"))).map((c) => c.sourcedId)).toStrictEqual(["c1"])
    })
  )
})

describe("OAuth 1.0a", () => {
  const awkwardSecret = "sécret&key=+/ %ü東"
  const awkwardValue = "O'Brien & Sons + 50% / café 東京 #?=;"

  it.live("signs every query parameter (filter with apostrophes, spaces, non-ASCII) so an RFC 5849 verifier accepts it", () =>
    Effect.gen(function* () {
      const seen: Array<ReturnType<typeof verify>> = []
      server.use(signedList(awkwardSecret, users(5), seen))
      const { provider } = yield* build(options({ auth: oauth1(awkwardSecret) }))
      const filter = Filter.make([{ field: "familyName", op: "=", value: awkwardValue }])
      yield* collect(provider.entities("users", { filter }))
      expect(seen.length).toBe(1)
      expect(seen[0]!.ok).toBe(true)
      const query = Object.fromEntries(seen[0]!.query)
      expect(query["filter"]).toBe(`familyName='O''Brien & Sons + 50% / café 東京 #?=;'`)
      expect(query).toMatchObject({ limit: "1000", offset: "0" })
      expect(seen[0]!.params.get("oauth_signature_method")).toBe("HMAC-SHA256")
      expect(seen[0]!.params.get("oauth_consumer_key")).toBe("client-id")
      // the filter is part of what was signed
      expect(seen[0]!.baseString).toContain("filter%3DfamilyName%253D%2527O%2527%2527Brien%2520%2526%2520Sons")
    })
  )

  it.live("HMAC-SHA1 is allowed", () =>
    Effect.gen(function* () {
      const seen: Array<ReturnType<typeof verify>> = []
      server.use(signedList(awkwardSecret, users(2), seen))
      const { client } = yield* build(options({ auth: oauth1(awkwardSecret, "HMAC-SHA1") }))
      yield* collect(client.list("users", { params: { fields: "sourcedId,givenName", sort: "familyName" } }))
      expect(seen[0]!.ok).toBe(true)
      expect(seen[0]!.params.get("oauth_signature_method")).toBe("HMAC-SHA1")
      expect(Object.fromEntries(seen[0]!.query)).toMatchObject({ fields: "sourcedId,givenName", sort: "familyName" })
    })
  )

  it.live("a wrong secret is refused with an AuthError that does not contain the secret", () =>
    Effect.gen(function* () {
      server.use(signedList("the-server-secret", users(2), []))
      const { provider } = yield* build(options({ auth: oauth1("the-wrong-secret") }))
      const error = yield* Effect.flip(collect(provider.entities("users")))
      expect(error).toMatchObject({ _tag: "AuthError", status: 401 })
      expect(error.message).toContain("signature invalid")
      expect(JSON.stringify(error) + error.message + error.stack).not.toContain("the-wrong-secret")
    })
  )

  it.live("each retry is signed afresh (new nonce) and still verifies", () =>
    Effect.gen(function* () {
      const seen: Array<ReturnType<typeof verify>> = []
      server.use(
        listHandler("users", "users", users(3), {
          intercept: (request, i) => {
            seen.push(verify(request, "s3cret-value"))
            return i === 0 ? new HttpResponse(null, { status: 503 }) : undefined
          }
        })
      )
      const { provider } = yield* build(options())
      expect((yield* collect(provider.entities("users"))).length).toBe(3)
      expect(seen.map((s) => s.ok)).toStrictEqual([true, true])
      expect(seen[0]!.params.get("oauth_nonce")).not.toBe(seen[1]!.params.get("oauth_nonce"))
    })
  )

  it.live("a followed Link rel=next URL (with its own query) is signed correctly", () =>
    Effect.gen(function* () {
      const seen: Array<ReturnType<typeof verify>> = []
      server.use(
        listHandler("users", "users", users(25), {
          total: false,
          link: true,
          intercept: (request) => {
            const result = verify(request, "s3cret-value")
            seen.push(result)
            return result.ok ? undefined : statusInfo(401, "signature invalid")
          }
        })
      )
      const { provider } = yield* build(options({ pageSize: 10 }))
      expect((yield* collect(provider.entities("users"))).length).toBe(25)
      expect(seen.length).toBe(3)
      expect(seen.every((s) => s.ok)).toBe(true)
    })
  )
})

describe("OAuth 2 client credentials", () => {
  const tokenUrl = "https://auth.example/oauth/token"
  const auth = { type: "oauth2", clientId: "app id", clientSecret: Redacted.make("client-secret-value"), tokenUrl, scope: "roster-core.readonly" } as const

  /** A token endpoint issuing tok-1, tok-2 …; a resource server accepting only `valid()` tokens. */
  const oauthServer = (valid: (token: string) => boolean, expiresIn = 60) => {
    const issued: Array<{ readonly basic: string | null; readonly body: string }> = []
    server.use(
      http.post(tokenUrl, async ({ request }) => {
        issued.push({ basic: request.headers.get("authorization"), body: await request.text() })
        return HttpResponse.json({ access_token: `tok-${issued.length}`, token_type: "bearer", expires_in: expiresIn })
      }),
      listHandler("users", "users", users(3), {
        intercept: (request) => {
          const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? ""
          return valid(token) ? undefined : statusInfo(401, `token ${token} is not valid`)
        }
      })
    )
    return issued
  }

  it.effect("the token is fetched once, cached until it expires, then renewed", () =>
    Effect.gen(function* () {
      const issued = oauthServer(() => true, 60)
      const { provider } = yield* build(options({ auth }))
      yield* collect(provider.entities("users"))
      yield* collect(provider.entities("users"))
      expect(issued.length).toBe(1)
      expect(issued[0]!.basic).toBe(`Basic ${Buffer.from("app+id:client-secret-value").toString("base64")}`)
      expect(new URLSearchParams(issued[0]!.body).get("grant_type")).toBe("client_credentials")
      expect(new URLSearchParams(issued[0]!.body).get("scope")).toBe("roster-core.readonly")
      yield* TestClock.adjust("61 seconds")
      yield* collect(provider.entities("users"))
      expect(issued.length).toBe(2)
    })
  )

  it.effect("a 401 refreshes the token once and succeeds", () =>
    Effect.gen(function* () {
      const issued = oauthServer((token) => token !== "tok-1", 3600)
      const { provider } = yield* build(options({ auth }))
      expect((yield* collect(provider.entities("users"))).length).toBe(3)
      expect(issued.length).toBe(2)
    })
  )

  it.effect("a second 401 is an AuthError without the secret or the token", () =>
    Effect.gen(function* () {
      const issued = oauthServer(() => false, 3600)
      const { provider } = yield* build(options({ auth }))
      const error = yield* Effect.flip(collect(provider.entities("users")))
      expect(error).toMatchObject({ _tag: "AuthError", status: 401 })
      expect(issued.length).toBe(2)
      const text = JSON.stringify(error) + error.message + error.stack
      expect(text).not.toContain("client-secret-value")
      expect(text).not.toContain("tok-2")
      expect(text).not.toContain("tok-1")
    })
  )

  it.effect("a token endpoint that refuses the credentials is an AuthError", () =>
    Effect.gen(function* () {
      server.use(http.post(tokenUrl, () => HttpResponse.json({ error: "invalid_client" }, { status: 400 })))
      const { provider } = yield* build(options({ auth }))
      const error = yield* Effect.flip(collect(provider.entities("users")))
      expect(error).toMatchObject({ _tag: "AuthError", status: 400 })
      expect(error.message).toContain("invalid_client")
      expect(error.message).not.toContain("client-secret-value")
    })
  )

  it.live("a token endpoint that fails (5xx) is the server failing, not the credentials", () =>
    Effect.gen(function* () {
      server.use(http.post(tokenUrl, () => HttpResponse.json({ error: "server_error" }, { status: 500 })))
      const { provider } = yield* build(options({ auth }))
      const error = yield* Effect.flip(collect(provider.entities("users")))
      expect(error).toMatchObject({ _tag: "ResponseError", status: 500 })
      expect(error.message).not.toContain("client-secret-value")
    })
  )
})

describe("bearer", () => {
  it.live("sends the token and extra headers; a 401 echoing the token does not leak it", () =>
    Effect.gen(function* () {
      const seen: Array<Headers> = []
      server.use(
        listHandler("users", "users", users(2), {
          intercept: (request) => {
            seen.push(request.headers)
            return request.headers.get("authorization") === "Bearer good-token-123"
              ? undefined
              : statusInfo(401, `unknown token ${request.headers.get("authorization")}`)
          }
        })
      )
      const good = yield* build(options({ auth: { type: "bearer", token: Redacted.make("good-token-123"), headers: { "X-Tenant": "42" } } }))
      expect((yield* collect(good.provider.entities("users"))).length).toBe(2)
      expect(seen[0]!.get("x-tenant")).toBe("42")
      const bad = yield* build(options({ auth: { type: "bearer", token: Redacted.make("bad-token-456") } }))
      const error = yield* Effect.flip(collect(bad.provider.entities("users")))
      expect(error._tag).toBe("AuthError")
      expect(JSON.stringify(error) + error.message + error.stack).not.toContain("bad-token-456")
    })
  )
})

describe("errors", () => {
  it.live("a 404 on /{kind}/{id} is NotFound with the server's imsx_description", () =>
    Effect.gen(function* () {
      server.use(http.get(`${base}/classes/:id`, () => statusInfo(404, "Class 999 does not exist")))
      const { client, provider } = yield* build(options())
      const error = yield* Effect.flip(client.get("classes", "999"))
      expect(error).toMatchObject({ _tag: "NotFound", entity: "classes", id: "999", detail: "Class 999 does not exist" })
      expect(error.message).toBe("oneroster: classes '999' not found: Class 999 does not exist")
      expect(error.message).not.toContain("s3cret-value")
      expect(Option.isNone(yield* provider.group("classes", "999"))).toBe(true)
    })
  )

  it.live("a 404 on a nested listing names the missing group", () =>
    Effect.gen(function* () {
      server.use(http.get(`${base}/classes/:id/students`, () => statusInfo(404, "unknown class")))
      const { provider } = yield* build(options())
      const error = yield* Effect.flip(collect(provider.members("classes", "c/1", "students")))
      expect(error).toMatchObject({ _tag: "NotFound", entity: "classes", id: "c/1" })
    })
  )

  it.live("other statusInfoSet bodies carry the imsx description", () =>
    Effect.gen(function* () {
      server.use(http.get(`${base}/users`, () => statusInfo(422, "limit must be at most 500")))
      const { provider } = yield* build(options())
      const error = yield* Effect.flip(collect(provider.entities("users")))
      expect(error).toMatchObject({ _tag: "ResponseError", status: 422, description: "limit must be at most 500" })
    })
  )

  it("describeError falls back to the codes", () => {
    expect(
      OneRosterClient.describeError({
        statusInfoSet: [
          {
            imsx_codeMajor: "failure",
            imsx_severity: "error",
            imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: "x", imsx_codeMinorFieldValue: "invalid_filter_field" }] }
          }
        ]
      })
    ).toBe("failure: invalid_filter_field")
    expect(OneRosterClient.describeError({ nothing: true })).toBeUndefined()
  })

  it.live("a truncated body is retried", () =>
    Effect.gen(function* () {
      server.use(
        listHandler("users", "users", users(5), {
          intercept: (_, i) =>
            i === 0 ? new HttpResponse('{"users":[{"sourcedId":"u1","ro', { headers: { "Content-Type": "application/json" } }) : undefined
        })
      )
      const { provider } = yield* build(options())
      expect((yield* collect(provider.entities("users"))).length).toBe(5)
    })
  )

  it.live("a 429 and a 503 in the middle of a pull lose and duplicate nothing", () =>
    Effect.gen(function* () {
      const records = users(95)
      server.use(
        listHandler("users", "users", records, {
          intercept: (_, i) =>
            i === 2
              ? new HttpResponse(null, { status: 429, headers: { "Retry-After": "0" } })
              : i === 5
                ? new HttpResponse(null, { status: 503 })
                : undefined
        })
      )
      const { provider } = yield* build(options({ pageSize: 10 }))
      const got = (yield* collect(provider.entities("users"))).map((u) => u.sourcedId)
      expect(got).toStrictEqual(records.map((r) => r.sourcedId))
    })
  )

  it.live("a 429 that never ends becomes RateLimited", () =>
    Effect.gen(function* () {
      server.use(http.get(`${base}/users`, () => new HttpResponse(null, { status: 429, headers: { "Retry-After": "0" } })))
      const { provider } = yield* build(options({ retry: { ...fast, retries: 2 } }))
      expect(yield* Effect.flip(collect(provider.entities("users")))).toMatchObject({ _tag: "RateLimited" })
    })
  )

  it.live("a Link header to another host is not followed with our credentials", () =>
    Effect.gen(function* () {
      server.use(
        http.get(`${base}/users`, () =>
          HttpResponse.json({ users: users(2) }, { headers: { Link: '<https://evil.example/steal?offset=2>; rel="next"' } })
        )
      )
      const { provider } = yield* build(options({ pageSize: 2 }))
      const error = yield* Effect.flip(collect(provider.entities("users")))
      expect(error._tag).toBe("DecodeError")
      expect(error.message).toContain("another host")
    })
  )
})

describe("paging", () => {
  it.live("X-Total-Count: concurrent offsets, in order, each page overlapping the one before by one record", () =>
    Effect.gen(function* () {
      const log: Array<Request> = []
      const records = users(95)
      server.use(listHandler("users", "users", records, { log }))
      const { provider } = yield* build(options({ pageSize: 10, concurrency: 4 }))
      const got = (yield* collect(provider.entities("users"))).map((u) => u.sourcedId)
      expect(got).toStrictEqual(records.map((r) => r.sourcedId))
      // offsets 0, 9, 18 … 90: the first record of each page re-reads the last of the page before
      expect(log.map((r) => new URL(r.url).searchParams.get("offset"))).toStrictEqual(["0", "9", "18", "27", "36", "45", "54", "63", "72", "81", "90"])
    })
  )

  it.live("a server that clamps limit silently loses nothing (with and without X-Total-Count)", () =>
    Effect.gen(function* () {
      const records = users(53)
      for (const total of [true, false]) {
        server.resetHandlers(listHandler("users", "users", records, { clamp: 7, total }))
        const { provider } = yield* build(options({ pageSize: 20 }))
        const got = (yield* collect(provider.entities("users"))).map((u) => u.sourcedId)
        expect(got, `total ${total}`).toStrictEqual(records.map((r) => r.sourcedId))
      }
    })
  )

  it.live("Link rel=next is followed when there is no X-Total-Count", () =>
    Effect.gen(function* () {
      const log: Array<Request> = []
      const records = users(42)
      server.use(listHandler("users", "users", records, { total: false, link: true, log }))
      const { provider } = yield* build(options({ pageSize: 10 }))
      expect((yield* collect(provider.entities("users"))).length).toBe(42)
      expect(log.length).toBe(5)
    })
  )

  it.live("a server that ignores offset fails clearly instead of looping", () =>
    Effect.gen(function* () {
      server.use(http.get(`${base}/users`, () => HttpResponse.json({ users: users(5) })))
      const { provider } = yield* build(options({ pageSize: 10 }))
      const error = yield* Effect.flip(collect(provider.entities("users")))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("ignores offset")
    })
  )

  it.live("take(5) fetches one page", () =>
    Effect.gen(function* () {
      const log: Array<Request> = []
      server.use(listHandler("users", "users", users(100), { log }))
      const { provider } = yield* build(options({ pageSize: 10 }))
      expect((yield* collect(Stream.take(provider.entities("users"), 5))).length).toBe(5)
      expect(log.length).toBe(1)
    })
  )
})
