/**
 * Fault soak: 20 full pulls of a 5,000-user district from a real loopback server that fails
 * about 15% of requests (429 with Retry-After and with X-RateLimit-Reset, 500, 502, 503,
 * connection resets, bodies cut short, one response slower than the timeout). Every pull must
 * return exactly the district's users; with retries exhausted, a typed error, never a partial
 * list. Seeded: the same requests get the same faults on every run.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Dataset from "@rosterkit/testkit/Dataset"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Faults from "@rosterkit/testkit/Faults"
import * as Loopback from "@rosterkit/testkit/Loopback"
import * as OneRosterClient from "@rosterkit/oneroster/OneRosterClient"
import * as ClassLinkProvider from "../src/ClassLinkProvider.js"

const district = Dataset.generate({ seed: 5000, schools: 10, studentsPerSchool: 450, teachersPerSchool: 50 })
const expected = Dataset.byKind(district, "users").map((u) => u.sourcedId).sort()

const faultMix = (seed: number): ReadonlyArray<Faults.FaultRule> => [
  // one response slower than the 300 ms timeout, on the 4th request
  { fault: Faults.delay(600), after: 3, times: 1 },
  ...Faults.randomly({
    rate: 0.15,
    seed,
    faults: [
      Faults.rateLimited({ retryAfterSeconds: 0 }),
      Faults.rateLimited({ resetEpochSeconds: 0 }),
      Faults.serverError(500),
      Faults.serverError(502),
      Faults.serverError(503),
      Faults.reset(),
      Faults.truncate()
    ]
  })
]

const servers: Array<{ close: () => Promise<void> }> = []
afterAll(() => Promise.all(servers.map((s) => s.close())))

const serve = async (rules: ReadonlyArray<Faults.FaultRule>) => {
  const server = await Loopback.serveFake((url) =>
    FakeOneRoster.make({
      dataset: district,
      baseUrl: `${url}/ims/oneroster/v1p1`,
      auth: { type: "oauth1", clientId: "soak-id", clientSecret: "soak-secret" },
      permRev: () => "1187",
      faults: rules
    })
  )
  servers.push(server)
  return server
}

const pull = (baseUrl: string, retries: number) =>
  Effect.gen(function* () {
    const client = yield* OneRosterClient.OneRosterClient
    return Chunk.toReadonlyArray(yield* Stream.runCollect(client.list("users")))
  }).pipe(
    Effect.provide(
      ClassLinkProvider.layer({
        host: baseUrl,
        clientId: "soak-id",
        clientSecret: Redacted.make("soak-secret"),
        pageSize: 250,
        concurrency: 4,
        timeout: "300 millis",
        retry: { retries, baseDelay: "1 millis", maxDelay: "4 millis" }
      }).pipe(Layer.provide(FetchHttpClient.layer))
    )
  )

/** The faults a plan of `rules` gave the recorded requests (plans are deterministic). */
const injected = (rules: ReadonlyArray<Faults.FaultRule>, requests: ReadonlyArray<{ readonly url: string }>) => {
  const plan = Faults.make(rules)
  return requests.filter((r) => plan.next(new URL(r.url)) !== undefined).length
}

describe("fault soak: classlink", () => {
  beforeAll(() => {
    expect(expected).toHaveLength(5000)
  })

  it.live("20 pulls of 5,000 users through ~15% failed requests: exactly the district's users every time", () =>
    Effect.gen(function* () {
      const totals = { pulls: 0, requests: 0, faults: 0 }
      for (let seed = 1; seed <= Number(process.env["SOAK_PULLS"] ?? 20); seed++) {
        const t0 = Date.now()
        const rules = faultMix(seed)
        const server = yield* Effect.promise(() => serve(rules))
        const users = yield* pull(server.fake.baseUrl, 10)
        const ids = users.map((u) => u.sourcedId)
        expect(new Set(ids).size, `pull ${seed}: an id twice`).toBe(ids.length)
        expect(ids.sort(), `pull ${seed}`).toStrictEqual(expected)
        totals.pulls++
        totals.requests += server.fake.requests.length
        totals.faults += injected(rules, server.fake.requests)
        if (process.env["SOAK_DEBUG"]) console.info(`pull ${seed}: ${Date.now() - t0} ms, ${server.fake.requests.length} requests`)
      }
      expect(totals.faults).toBeGreaterThan(totals.requests * 0.1)
      // figures for docs/RELIABILITY.md
      console.info(`soak classlink: ${JSON.stringify({ ...totals, retries: totals.faults })}`)
    }),
    { timeout: 180_000 }
  )

  it.live("with retries exhausted: a typed error, never a partial list", () =>
    Effect.gen(function* () {
      const rules = Faults.randomly({ rate: 0.5, seed: 99, faults: [Faults.serverError(503), Faults.reset(), Faults.truncate()] })
      const server = yield* Effect.promise(() => serve(rules))
      const result = yield* Effect.either(pull(server.fake.baseUrl, 1))
      expect(result._tag).toBe("Left")
      if (result._tag === "Left") expect(["ResponseError", "TransportError"]).toContain(result.left._tag)
    })
  )
})
