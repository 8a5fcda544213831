/**
 * Listings that change while they are paged: detected (a page boundary that no longer lines up,
 * X-Total-Count or X-Perm-Rev moving, a record listed twice, a short page) and repaired by
 * reading again without repeating output, or refused with InconsistentSnapshot.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Http from "@rosterkit/core/Http"
import * as Pager from "@rosterkit/core/Pager"
import * as Resilience from "@rosterkit/core/Resilience"
import { RateLimited, type RosterError } from "@rosterkit/core/RosterError"

const context: Http.Context = { provider: "test", operation: "list users" }
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${String(from + i).padStart(5, "0")}`)
const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
const sorted = (list: ReadonlyArray<string>) => [...list].sort()

interface ServerOptions {
  /** The listing as of the n-th request. */
  readonly data: (request: number) => ReadonlyArray<string>
  readonly clamp?: number | undefined
  /** true: the real count; a number: that count (a lie); false: none. */
  readonly total?: boolean | number
  readonly revision?: (request: number) => string | undefined
  /** A failure for the n-th request instead of a page. */
  readonly fail?: (request: number) => RosterError | undefined
  readonly latency?: number
}

/** An in-memory offset server of ids. */
const server = (options: ServerOptions) => {
  const requests: Array<{ offset: number; limit: number }> = []
  let inFlight = 0
  const inFlightAtStart: Array<number> = []
  const fetch = (offset: number, limit: number): Effect.Effect<Pager.Page<string>, RosterError> =>
    Effect.gen(function* () {
      const n = requests.length
      requests.push({ offset, limit })
      inFlight++
      inFlightAtStart.push(inFlight)
      if (options.latency !== undefined) yield* Effect.sleep(options.latency)
      inFlight--
      const failure = options.fail?.(n)
      if (failure !== undefined) return yield* Effect.fail(failure)
      const data = options.data(n)
      const items = data.slice(offset, offset + Math.min(limit, options.clamp ?? Infinity))
      const total = options.total === false ? undefined : typeof options.total === "number" ? options.total : data.length
      return { items, total, revision: options.revision?.(n) }
    })
  return { fetch, requests, inFlightAtStart }
}

const paged = (fetch: (offset: number, limit: number) => Effect.Effect<Pager.Page<string>, RosterError>, extra: Partial<Pager.OffsetOptions<string>> = {}) =>
  Pager.offsetPaged({ pageSize: 100, concurrency: 4, context, fetch, id: (id) => id, ...extra })

describe("Pager.offsetPaged with ids", () => {
  it.effect("an unchanged listing: each page starts on the last record of the one before; every id once", () =>
    Effect.gen(function* () {
      const data = ids(1000)
      const fake = server({ data: () => data })
      expect(yield* collect(paged(fake.fetch))).toStrictEqual(data)
      expect(fake.requests.map((r) => r.offset)).toStrictEqual([0, 99, 198, 297, 396, 495, 594, 693, 792, 891, 990])
      const clamped = server({ data: () => data, clamp: 40 })
      expect(yield* collect(paged(clamped.fetch, { pageSize: 1000 }))).toStrictEqual(data)
      const plain = server({ data: () => data, total: false, clamp: 100 })
      expect(yield* collect(paged(plain.fetch))).toStrictEqual(data)
      expect(plain.requests.map((r) => r.offset)).toStrictEqual([0, 99, 198, 297, 396, 495, 594, 693, 792, 891, 990])
    })
  )

  it.effect("records deleted after the first page shift later pages: detected and read again; none lost", () =>
    Effect.gen(function* () {
      const before = ids(1000)
      // after the first request, 30 records of the unread part disappear
      const after = before.filter((_, i) => !(i >= 500 && i < 530))
      for (const total of [true, false] as const) {
        const fake = server({ data: (n) => (n === 0 ? before : after), total })
        const out = yield* collect(paged(fake.fetch, { concurrency: total ? 4 : 1 }))
        expect(out).toHaveLength(new Set(out).size)
        expect(sorted(out)).toStrictEqual(sorted(after))
      }
    })
  )

  it.effect("a record deleted after it was output cannot be taken back: InconsistentSnapshot naming it", () =>
    Effect.gen(function* () {
      const before = ids(1000)
      const after = before.filter((id) => id !== "u00010")
      const fake = server({ data: (n) => (n < 2 ? before : after), total: false })
      const error = yield* Effect.flip(collect(paged(fake.fetch)))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("1 record already output was removed")
      expect(error.message).toContain("removed from the listing while it was read")
    })
  )

  it.effect("records inserted mid-pull (duplicates at page boundaries before): every record once, the new ones included", () =>
    Effect.gen(function* () {
      const before = ids(1000)
      const after = [...before.slice(0, 50), ...ids(7, 5000), ...before.slice(50)]
      for (const total of [true, false] as const) {
        const fake = server({ data: (n) => (n < 2 ? before : after), total })
        const out = yield* collect(paged(fake.fetch, { concurrency: 1 }))
        expect(out).toHaveLength(after.length)
        expect(sorted(out)).toStrictEqual(sorted(after))
      }
    })
  )

  it.effect("a change that keeps the count (one out before a boundary, one in after it) is caught by the overlap", () =>
    Effect.gen(function* () {
      const before = ids(1000)
      const after = [...before.slice(0, 10), ...before.slice(11, 150), "u09999", ...before.slice(150)]
      // the count never moves; only the boundary at offset 99 shows it
      const fake = server({ data: (n) => (n === 0 ? before : after) })
      const error = yield* Effect.flip(collect(paged(fake.fetch, { concurrency: 1 })))
      // u00010 was output with the first page and is gone: refused, not a mixed roster
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("1 record already output was removed")
    })
  )

  it.effect("X-Perm-Rev changing mid-pull: read again; the result is the new revision's roster", () =>
    Effect.gen(function* () {
      const before = ids(500)
      const after = [...before, ...ids(3, 7000)]
      const fake = server({ data: (n) => (n < 3 ? before : after), total: 500, revision: (n) => (n < 3 ? "r1" : "r2") })
      const out = yield* collect(paged(fake.fetch, { concurrency: 1 }))
      expect(sorted(out)).toStrictEqual(sorted(after))
    })
  )

  it.effect("X-Total-Count that lies (too high, too low) still gives exactly the listing", () =>
    Effect.gen(function* () {
      const data = ids(250)
      for (const total of [400, 120, 1]) {
        const fake = server({ data: () => data, total })
        expect(yield* collect(paged(fake.fetch))).toStrictEqual(data)
      }
    })
  )

  it.effect("a listing that keeps changing fails after maxRestarts readings, naming the last change", () =>
    Effect.gen(function* () {
      // one more record on every request
      const fake = server({ data: (n) => ids(300 + n) })
      const error = yield* Effect.flip(collect(paged(fake.fetch, { concurrency: 1, maxRestarts: 2 })))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("kept changing")
      expect(error.message).toContain("read 3 times")
    })
  )

  it.live("a 429 halves the pages fetched at once for the rest of the listing", () =>
    Effect.gen(function* () {
      const data = ids(2000)
      const limited = new RateLimited({ ...context, url: "https://sis.example/users", retryAfterMillis: 1 })
      const fake = server({ data: () => data, latency: 2, fail: (n) => (n === 3 ? limited : undefined) })
      const retried = (offset: number, limit: number) =>
        Resilience.retry({ retries: 3, baseDelay: "1 millis", maxDelay: "1 millis" })(fake.fetch(offset, limit))
      expect(yield* collect(paged(retried, { concurrency: 8 }))).toStrictEqual(data)
      // before the 429: up to 8 in flight; once it has been seen, at most 4
      expect(Math.max(...fake.inFlightAtStart.slice(0, 9))).toBe(8)
      expect(Math.max(...fake.inFlightAtStart.slice(-8))).toBeLessThanOrEqual(4)
    })
  )

  it.effect("is lazy: take(5) makes one request", () =>
    Effect.gen(function* () {
      const fake = server({ data: () => ids(1000) })
      expect(yield* collect(Stream.take(paged(fake.fetch), 5))).toStrictEqual(ids(5))
      expect(fake.requests).toHaveLength(1)
    })
  )
})

/** mulberry32: a seeded PRNG (the tests never use Math.random). */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("property: a listing changed once mid-pull", () => {
  it.effect("success implies the output is exactly the roster before or the roster after the change", () =>
    Effect.gen(function* () {
      const outcomes = { before: 0, after: 0, refused: 0 }
      for (let seed = 1; seed <= 300; seed++) {
        const random = prng(seed)
        const size = 200 + Math.floor(random() * 800)
        const before = ids(size)
        const after = [...before]
        // deletions or inserts at random positions, as one change (a change that removes and
        // adds as many records inside the pages already read, while the unread part changes too,
        // leaves no trace without a revision header: see docs/RELIABILITY.md)
        const deleting = random() < 0.5
        const count = 1 + Math.floor(random() * 6)
        const deletions = deleting ? count : 0
        const inserts = deleting ? 0 : count
        for (let i = 0; i < deletions; i++) after.splice(Math.floor(random() * after.length), 1)
        for (let i = 0; i < inserts; i++) after.splice(Math.floor(random() * (after.length + 1)), 0, `n${seed}-${i}`)
        const changeAt = Math.floor(random() * 8)
        const fake = server({
          data: (n) => (n < changeAt ? before : after),
          total: random() < 0.7,
          clamp: random() < 0.3 ? 60 : undefined
        })
        const result = yield* Effect.either(collect(paged(fake.fetch, { concurrency: 1 + Math.floor(random() * 4) })))
        if (result._tag === "Left") {
          expect(result.left._tag).toBe("InconsistentSnapshot")
          outcomes.refused++
          continue
        }
        const out = result.right
        expect(new Set(out).size, `seed ${seed}: an id output twice`).toBe(out.length)
        const got = sorted(out).join()
        const isBefore = got === sorted(before).join()
        const isAfter = got === sorted(after).join()
        expect(isBefore || isAfter, `seed ${seed}: neither the roster before nor after`).toBe(true)
        if (isAfter) outcomes.after++
        else outcomes.before++
      }
      console.info(`property: ${JSON.stringify(outcomes)}`)
      // the run covers the outcomes
      expect(outcomes.after).toBeGreaterThan(0)
      expect(outcomes.refused).toBeGreaterThan(0)
    })
  )
})
