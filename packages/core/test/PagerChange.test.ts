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

/** `size` records and one change: what the change does, drawn by `kind`. */
type ChangeKind = "delete" | "insert" | "swap" | "mix"

/**
 * The roster after one change of `kind` to `before`: deletions, inserts, swaps (a record
 * replaced by a new one at its place: the count and every offset stay the same, the change that
 * leaves no trace in page signals) or a mix of the three.
 */
const change = (random: () => number, seed: number, before: ReadonlyArray<string>, kind: ChangeKind) => {
  const after = [...before]
  const count = () => 1 + Math.floor(random() * 6)
  const deletions = kind === "delete" ? count() : kind === "mix" ? Math.floor(random() * 4) : 0
  const inserts = kind === "insert" ? count() : kind === "mix" ? Math.floor(random() * 4) : 0
  const swaps = kind === "swap" ? 2 + Math.floor(random() * 8) : kind === "mix" ? Math.floor(random() * 6) : 0
  let fresh = 0
  for (let i = 0; i < swaps; i++) after[Math.floor(random() * after.length)] = `n${seed}-${fresh++}`
  for (let i = 0; i < deletions; i++) after.splice(Math.floor(random() * after.length), 1)
  for (let i = 0; i < inserts; i++) after.splice(Math.floor(random() * (after.length + 1)), 0, `n${seed}-${fresh++}`)
  return after
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

describe("property: swaps, and the verified pull", () => {
  const kinds: ReadonlyArray<ChangeKind> = ["delete", "insert", "swap", "mix"]

  /** One seeded pull with one change at a random request; the outcome, or "mixed". */
  const pull = (seed: number, kindOf: (random: () => number) => ChangeKind, verify: boolean) =>
    Effect.gen(function* () {
      const random = prng(seed)
      const size = 200 + Math.floor(random() * 800)
      const before = ids(size)
      const after = change(random, seed, before, kindOf(random))
      const total = random() < 0.7
      const clamp = random() < 0.3 ? 60 : undefined
      const pages = Math.ceil(size / ((clamp ?? 100) - 1)) + 1
      // with verify, the change lands anywhere in either reading (or after both)
      const changeAt = verify ? Math.floor(random() * (2 * pages + 2)) : 1 + Math.floor(random() * (pages - 1))
      const fake = server({ data: (n) => (n < changeAt ? before : after), total, clamp })
      const result = yield* Effect.either(collect(paged(fake.fetch, { concurrency: 1 + Math.floor(random() * 4), verify })))
      if (result._tag === "Left") {
        expect(result.left._tag, `seed ${seed}`).toBe("InconsistentSnapshot")
        return { outcome: "refused" as const, requests: fake.requests.length }
      }
      const out = result.right
      expect(new Set(out).size, `seed ${seed}: an id output twice`).toBe(out.length)
      const got = sorted(out).join()
      const outcome = got === sorted(before).join() ? "before" : got === sorted(after).join() ? "after" : "mixed"
      return { outcome, requests: fake.requests.length } as const
    })

  it.effect("without verify, a swap inside the pages already read can end in a mixed roster (exit 0)", () =>
    Effect.gen(function* () {
      const outcomes = { before: 0, after: 0, refused: 0, mixed: 0 }
      for (let seed = 1; seed <= 300; seed++) outcomes[(yield* pull(seed, () => "swap", false)).outcome]++
      console.info(`swaps without verify: ${JSON.stringify(outcomes)}`)
      // the hole verify closes: page signals alone let such pulls succeed with neither roster
      expect(outcomes.mixed).toBeGreaterThan(0)
    })
  )

  it.effect("with verify, every kind of change (deletions, inserts, swaps, mixes): exit 0 only with the roster before or after", () =>
    Effect.gen(function* () {
      const outcomes = { before: 0, after: 0, refused: 0, mixed: 0 }
      const byKind: Record<string, number> = {}
      for (let seed = 1; seed <= 400; seed++) {
        const kind = kinds[seed % kinds.length]!
        const { outcome } = yield* pull(seed, () => kind, true)
        expect(outcome, `seed ${seed} (${kind}): neither the roster before nor after`).not.toBe("mixed")
        outcomes[outcome]++
        if (outcome !== "refused") byKind[kind] = (byKind[kind] ?? 0) + 1
      }
      console.info(`verify: ${JSON.stringify(outcomes)}, succeeded by kind ${JSON.stringify(byKind)}`)
      expect(outcomes.mixed).toBe(0)
      // the run covers the outcomes
      expect(outcomes.before).toBeGreaterThan(0)
      expect(outcomes.after).toBeGreaterThan(0)
      expect(outcomes.refused).toBeGreaterThan(0)
    })
  )

  it.effect("the same seeds with verify: each swap pull that ended mixed without it is refused", () =>
    Effect.gen(function* () {
      let mixed = 0
      for (let seed = 1; seed <= 300; seed++) {
        if ((yield* pull(seed, () => "swap", false)).outcome !== "mixed") continue
        mixed++
        // the same change, the same moment (the first reading is the pull without verify), verified
        const random = prng(seed)
        const size = 200 + Math.floor(random() * 800)
        const before = ids(size)
        const after = change(random, seed, before, "swap")
        const total = random() < 0.7
        const clamp = random() < 0.3 ? 60 : undefined
        const pages = Math.ceil(size / ((clamp ?? 100) - 1)) + 1
        const changeAt = 1 + Math.floor(random() * (pages - 1))
        const fake = server({ data: (n) => (n < changeAt ? before : after), total, clamp })
        const error = yield* Effect.flip(collect(paged(fake.fetch, { concurrency: 1 + Math.floor(random() * 4), verify: true })))
        expect(error._tag).toBe("InconsistentSnapshot")
        expect(error.message).toMatch(/\d+ records? added \(n\d+-\d+/)
      }
      expect(mixed).toBeGreaterThan(0)
    })
  )
})

describe("Pager verify", () => {
  it.effect("an unchanged listing: the same records, each page read twice", () =>
    Effect.gen(function* () {
      const data = ids(1000)
      for (const total of [true, false] as const) {
        const fake = server({ data: () => data, total })
        expect(yield* collect(paged(fake.fetch, { verify: true }))).toStrictEqual(data)
        const offsets = fake.requests.map((r) => r.offset)
        expect(offsets).toStrictEqual([...offsets.slice(0, offsets.length / 2), ...offsets.slice(0, offsets.length / 2)])
        expect(offsets.slice(0, 11)).toStrictEqual([0, 99, 198, 297, 396, 495, 594, 693, 792, 891, 990])
      }
    })
  )

  it.effect("a swap in the read pages while the unread part changes too: mixed without verify, refused with it, naming what moved", () =>
    Effect.gen(function* () {
      const before = ids(500)
      // after the second request: u00010 replaced by n1 (read), u00400 by n2 (not read yet)
      const after = before.map((id) => (id === "u00010" ? "n1" : id === "u00400" ? "n2" : id))
      const plain = server({ data: (n) => (n < 2 ? before : after) })
      const out = yield* collect(paged(plain.fetch, { concurrency: 1 }))
      expect(out).toContain("u00010")
      expect(out).toContain("n2")
      expect(sorted(out)).not.toStrictEqual(sorted(before))
      expect(sorted(out)).not.toStrictEqual(sorted(after))

      const fake = server({ data: (n) => (n < 2 ? before : after) })
      const error = yield* Effect.flip(collect(paged(fake.fetch, { concurrency: 1, verify: true })))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("1 record added (n1)")
      expect(error.message).toContain("1 removed, 0 changed")
      expect(error.message).toContain("0 changed")
    })
  )

  it.effect("a record edited between the readings (same id, new content) is named as changed", () =>
    Effect.gen(function* () {
      interface Rec { readonly sourcedId: string; readonly dateLastModified: string }
      const before: ReadonlyArray<Rec> = ids(250).map((sourcedId) => ({ sourcedId, dateLastModified: "2024-01-01T00:00:00Z" }))
      const after = before.map((r) => (r.sourcedId === "u00007" ? { ...r, dateLastModified: "2024-06-01T00:00:00Z" } : r))
      let requests = 0
      const fetch = (offset: number, limit: number) =>
        Effect.sync((): Pager.Page<Rec> => {
          const data = requests++ < 3 ? before : after
          return { items: data.slice(offset, offset + limit), total: data.length }
        })
      const verified = Pager.offsetPaged({ pageSize: 100, concurrency: 1, context, fetch, id: (r) => r.sourcedId, verify: true })
      const error = yield* Effect.flip(collect(verified))
      expect(error.message).toContain("0 records added, 0 removed, 1 changed (u00007)")
      // without verify the edit goes by unseen
      requests = 0
      const plain = Pager.offsetPaged({ pageSize: 100, concurrency: 1, context, fetch, id: (r) => r.sourcedId })
      expect(yield* collect(plain)).toHaveLength(250)
    })
  )

  it.effect("20,000 records (the digest table grows many times): the counts of what moved are exact", () =>
    Effect.gen(function* () {
      interface Rec { readonly sourcedId: string; readonly v: number }
      const before: ReadonlyArray<Rec> = ids(20_000).map((sourcedId) => ({ sourcedId, v: 0 }))
      // between the readings: 3 removed, 2 added, 4 edited, at places spread over the listing
      const removed = new Set(["u00003", "u07000", "u19999"])
      const edited = new Set(["u00100", "u05000", "u12345", "u19000"])
      const after = [
        ...before.filter((r) => !removed.has(r.sourcedId)).map((r) => (edited.has(r.sourcedId) ? { ...r, v: 1 } : r)),
        { sourcedId: "n1", v: 0 },
        { sourcedId: "n2", v: 0 }
      ]
      // the second reading starts at offset 0 again
      let readings = 0
      const fetch = (offset: number, limit: number) =>
        Effect.sync((): Pager.Page<Rec> => {
          if (offset === 0) readings++
          const data = readings < 2 ? before : after
          return { items: data.slice(offset, offset + limit) }
        })
      const error = yield* Effect.flip(
        collect(Pager.offsetPaged({ pageSize: 1000, concurrency: 1, context, fetch, id: (r) => r.sourcedId, verify: true }))
      )
      expect(error.message).toContain("2 records added (n1, n2), 3 removed, 4 changed (u00100, u05000, u12345, u19000)")
    })
  )

  it.effect("a change seen inside the second reading fails the pull, saying so", () =>
    Effect.gen(function* () {
      const before = ids(500)
      const after = before.filter((id) => id !== "u00050")
      // the first reading is 6 requests; the change lands in the second
      const fake = server({ data: (n) => (n < 8 ? before : after), total: false })
      const error = yield* Effect.flip(collect(paged(fake.fetch, { concurrency: 1, verify: true })))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("while it was read a second time to verify it")
    })
  )

  it.effect("is lazy: take(5) makes one request and no second reading", () =>
    Effect.gen(function* () {
      const fake = server({ data: () => ids(1000) })
      expect(yield* collect(Stream.take(paged(fake.fetch, { verify: true }), 5))).toStrictEqual(ids(5))
      expect(fake.requests).toHaveLength(1)
    })
  )

  it.effect("without ids, records are compared by their digest", () =>
    Effect.gen(function* () {
      const before = ids(300)
      const after = before.map((id) => (id === "u00250" ? "n1" : id))
      const fake = server({ data: (n) => (n < 3 ? before : after), total: false })
      const error = yield* Effect.flip(collect(Pager.offsetPaged({ pageSize: 100, concurrency: 1, context, fetch: fake.fetch, verify: true })))
      expect(error.message).toContain("1 record added")
      expect(error.message).toContain("1 removed")
    })
  )
})

describe("Pager.linkPaged verify", () => {
  /** A cursor listing over `data(n)` (the n-th request): `?after=<id>` pages of 100. */
  const cursorServer = (data: (request: number) => ReadonlyArray<string>) => {
    let requests = 0
    const fetch = (url: string) =>
      Effect.sync((): Pager.Page<string> => {
        const list = data(requests++)
        const after = new URL(url, "https://clever.test").searchParams.get("after")
        // ids sort as strings; the cursor is the first id past `after`
        const start = after === null ? 0 : list.findIndex((id) => id > after)
        const items = start < 0 ? [] : list.slice(start, start + 100)
        const last = items.at(-1)
        return { items, next: items.length < 100 || last === undefined ? undefined : `/users?after=${last}` }
      })
    return { fetch, requests: () => requests }
  }

  it.effect("an insert behind the cursor and a deletion ahead of it: mixed without verify, refused with it", () =>
    Effect.gen(function* () {
      const before = ids(300)
      const after = [...before.filter((id) => id !== "u00250"), "u00010x"].sort()
      const plain = cursorServer((n) => (n < 1 ? before : after))
      const out = yield* collect(Pager.linkPaged({ first: "/users", context, fetch: plain.fetch, id: (id) => id }))
      expect(out).not.toContain("u00250")
      expect(out).not.toContain("u00010x")

      const fake = cursorServer((n) => (n < 1 ? before : after))
      const error = yield* Effect.flip(collect(Pager.linkPaged({ first: "/users", context, fetch: fake.fetch, id: (id) => id, verify: true })))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("1 record added (u00010x)")
      expect(error.message).toContain("0 removed")
      // the first reading: 3 pages (the last one short); the second: 3 full pages and an empty one
      expect(fake.requests()).toBe(7)
    })
  )

  it.effect("an unchanged cursor listing: the same records, read twice", () =>
    Effect.gen(function* () {
      const fake = cursorServer(() => ids(250))
      expect(yield* collect(Pager.linkPaged({ first: "/users", context, fetch: fake.fetch, id: (id) => id, verify: true }))).toStrictEqual(ids(250))
      expect(fake.requests()).toBe(6)
    })
  )
})
