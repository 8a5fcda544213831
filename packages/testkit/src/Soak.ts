/**
 * The fault soak: full pulls of a 5,000-user district from a real loopback server that fails
 * about 15% of requests (429 with Retry-After and with X-RateLimit-Reset, 500, 502, 503,
 * connection resets, bodies cut short, one response slower than the timeout). Every pull must
 * return exactly the district's users; with retries exhausted, a typed error, never a partial
 * list. Seeded: the same requests get the same faults on every run.
 *
 *     Soak.suite("oneroster", {
 *       serve: (url, faults) => FakeOneRoster.make({ dataset: Soak.district, baseUrl: `${url}/ims/oneroster/v1p1`, faults }),
 *       pull: (fake, retries) => usersOf(fake.baseUrl, { timeout: Soak.timeout, retry: Soak.retry(retries) })
 *     })
 *
 * A provider gives how to serve the district (any fake applying `faults`) and one full pull of
 * its users over that server (with `retries` retries and the soak's timeout); the suite does the
 * rest. `SOAK_PULLS` changes the number of pulls; `SOAK_DEBUG` logs each pull's time.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { RosterError } from "@rosterkit/core/RosterError"
import * as Dataset from "./Dataset.js"
import type * as FakeServer from "./FakeServer.js"
import * as Faults from "./Faults.js"
import * as Loopback from "./Loopback.js"

/** The soaked district: 10 schools, 5,000 users. */
export const district: Dataset.Dataset = Dataset.generate({ seed: 5000, schools: 10, studentsPerSchool: 450, teachersPerSchool: 50 })

/** The per-attempt timeout a pull must use: the fault mix holds one response longer than it. */
export const timeout = "300 millis"

/** The retry policy a pull must use: `retries` retries, millisecond waits. */
export const retry = (retries: number) => ({ retries, baseDelay: "1 millis", maxDelay: "4 millis" }) as const

/** One response held past the timeout (the 4th request), then `rate` of the requests failed at random. */
export const faultMix = (seed: number, rate = 0.15): ReadonlyArray<Faults.FaultRule> => [
  { fault: Faults.delay(600), after: 3, times: 1 },
  ...Faults.randomly({
    rate,
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

/** The faults a plan of `rules` gave the recorded requests (plans are deterministic). */
export const injected = (rules: ReadonlyArray<Faults.FaultRule>, requests: ReadonlyArray<{ readonly url: string }>): number => {
  const plan = Faults.make(rules)
  return requests.filter((r) => plan.next(new URL(r.url)) !== undefined).length
}

export interface Options<F extends FakeServer.FakeServer> {
  /** A fake serving {@link district} at `url` (the loopback server's origin) and applying `faults`. */
  readonly serve: (url: string, faults: ReadonlyArray<Faults.FaultRule>) => F
  /** One full pull of every user from `fake` with `retries` retries: their sourcedIds. */
  readonly pull: (fake: F, retries: number) => Effect.Effect<ReadonlyArray<string>, RosterError>
}

export interface RunOptions<F extends FakeServer.FakeServer> extends Options<F> {
  /** Pulls (default `SOAK_PULLS` or 20), seeded 1, 2 … from `seed`. */
  readonly pulls?: number
  /** The share of requests failed at random (default 0.15). */
  readonly faultRate?: number
  /** The first pull's seed (default 1). */
  readonly seed?: number
}

export interface Totals {
  readonly pulls: number
  readonly requests: number
  /** Faults injected; each one is a retry of the pull that met it. */
  readonly faults: number
}

/** Starts a loopback server for `fake` for the scope. */
const served = <F extends FakeServer.FakeServer>(make: (url: string) => F) =>
  Effect.acquireRelease(Effect.promise(() => Loopback.serveFake(make)), (server) => Effect.promise(() => server.close()))

/**
 * Runs the pulls: each against a fresh loopback server with its seed's faults, each asserted to
 * be exactly the district's users (every id once). Fails the test on the first pull that is not.
 */
export const run = <F extends FakeServer.FakeServer>(options: RunOptions<F>): Effect.Effect<Totals, RosterError> =>
  Effect.gen(function* () {
    const expected = Dataset.byKind(district, "users").map((u) => u.sourcedId).sort()
    const pulls = options.pulls ?? Number(process.env["SOAK_PULLS"] ?? 20)
    const first = options.seed ?? 1
    let requests = 0
    let faults = 0
    for (let seed = first; seed < first + pulls; seed++) {
      const t0 = Date.now()
      const rules = faultMix(seed, options.faultRate)
      const counted = yield* Effect.scoped(
        Effect.gen(function* () {
          const server = yield* served((url) => options.serve(url, rules))
          const ids = [...(yield* options.pull(server.fake, 10))]
          expect(new Set(ids).size, `pull ${seed}: an id twice`).toBe(ids.length)
          expect(ids.sort(), `pull ${seed}`).toStrictEqual(expected)
          return { requests: server.fake.requests.length, faults: injected(rules, server.fake.requests) }
        })
      )
      requests += counted.requests
      faults += counted.faults
      if (process.env["SOAK_DEBUG"]) console.info(`pull ${seed}: ${Date.now() - t0} ms, ${counted.requests} requests`)
    }
    return { pulls, requests, faults }
  })

/**
 * The soak as a test suite: `run` (20 pulls; at least 10% of the requests faulted; the totals
 * logged for docs/RELIABILITY.md), and one pull through 50% faults with a single retry, which
 * must fail with a typed error (`ResponseError` / `TransportError`), never return a partial list.
 */
export const suite = <F extends FakeServer.FakeServer>(name: string, options: Options<F>): void => {
  describe(`fault soak: ${name}`, () => {
    it("the district has 5,000 users", () => {
      expect(Dataset.byKind(district, "users")).toHaveLength(5000)
    })

    it.live(
      "20 pulls of 5,000 users through ~15% failed requests: exactly the district's users every time",
      () =>
        Effect.gen(function* () {
          const totals = yield* run(options)
          expect(totals.faults).toBeGreaterThan(totals.requests * 0.1)
          // figures for docs/RELIABILITY.md
          console.info(`soak ${name}: ${JSON.stringify({ ...totals, retries: totals.faults })}`)
        }),
      { timeout: 180_000 }
    )

    it.live("with retries exhausted: a typed error, never a partial list", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const rules = Faults.randomly({ rate: 0.5, seed: 99, faults: [Faults.serverError(503), Faults.reset(), Faults.truncate()] })
          const server = yield* served((url) => options.serve(url, rules))
          const result = yield* Effect.either(options.pull(server.fake, 1))
          expect(result._tag).toBe("Left")
          if (result._tag === "Left") expect(["ResponseError", "TransportError"]).toContain(result.left._tag)
        })
      )
    )
  })
}
