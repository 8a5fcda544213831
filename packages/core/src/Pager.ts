/**
 * Paged listings as lazy Streams. Pages stay internal: a provider supplies a function that
 * fetches one page, the pager decides which pages to fetch and checks that they form one
 * consistent listing (no record silently lost to a clamped limit, a short page, or a loop).
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Http from "./Http.js"
import * as FastCheck from "./internal/fastCheck.js"
import { IdSet, ListingIds } from "./internal/IdSet.js"
import * as InOrder from "./internal/InOrder.js"
import * as Verify from "./internal/verify.js"
import * as Resilience from "./Resilience.js"
import { DecodeError, InconsistentSnapshot, redactUrl, type RosterError } from "./RosterError.js"

/** One page of a listing with the paging signals the server sent. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  /** The size of the whole listing (OneRoster `X-Total-Count`), when sent. */
  readonly total?: number | undefined
  /** The URL of the next page (OneRoster `Link rel="next"`, Clever `links`), when sent. */
  readonly next?: string | undefined
  /** The roster's revision (ClassLink `X-Perm-Rev`), when sent: a change means the listing changed. */
  readonly revision?: string | undefined
}

/** Options of {@link offsetPaged}. */
export interface OffsetOptions<A> {
  /** The `limit` asked for; the server may silently return fewer per page. */
  readonly pageSize: number
  /** How many pages to fetch at once when the total is known (halved on each 429, for the rest of the listing). */
  readonly concurrency: number
  readonly context: Http.Context
  /** Fetches the page at `offset` of at most `limit` records. */
  readonly fetch: (offset: number, limit: number) => Effect.Effect<Page<A>, RosterError>
  /** Fetches a page by the URL of a `next` link. Without it, `next` links are ignored and offsets used. */
  readonly fetchUrl?: ((url: string) => Effect.Effect<Page<A>, RosterError>) | undefined
  /**
   * A record's id (OneRoster `sourcedId`). With it the listing is checked for change while it
   * is read and repaired (see {@link offsetPaged}); without it, only short pages and loops are
   * caught.
   */
  readonly id?: ((record: A) => string) | undefined
  /** How often a listing that changed while read is read again before failing. Default {@link defaultMaxRestarts}. */
  readonly maxRestarts?: number | undefined
  /**
   * Read the listing a second time once it has been output and compare the two readings (ids and
   * a digest of each record); any difference fails with `InconsistentSnapshot`. Doubles the
   * requests; catches the changes no page signal shows (see {@link offsetPaged}). Default false.
   */
  readonly verify?: boolean | undefined
}

/**
 * How many pages an offset-paged listing (checked by id) asks for together with its first: 1 by
 * default (the first page alone; the rest, `concurrency` at a time, once its total is known).
 * A caller reading a listing that is likely long (a district's users) provides its concurrency:
 * the first pages are then asked for at once, which saves the first page's round trip. The
 * price: a listing shorter than that costs up to `n - 1` requests that come back empty or are
 * cut off (never more than `concurrency` in flight), and so does a server that fails the first
 * page. Each early page gets one attempt (no retry); one that is needed and failed is asked for
 * again the usual way. They are used only when the first page comes back full (their offsets
 * assume the page size asked for) and the listing counts a total; otherwise they are
 * interrupted and paging goes on as without them.
 *
 * A listing paged one page at a time (by next links, as Clever's cursors, or by offset from a
 * server that counts no total) has no pages to ask for at once: with 2 or more, it asks for each
 * next page as soon as it knows which, while the page before is read (no request more, one at a
 * time still; when the stream ends early, the page asked for ahead is cut off).
 */
export class FirstRound extends Context.Reference<FirstRound>()("@rosterkit/core/Pager/FirstRound", { defaultValue: (): number => 1 }) {}

/** 2: a listing that changed while read is read again at most twice. */
export const defaultMaxRestarts = 2

const inconsistent = (context: Http.Context, detail: string) => new InconsistentSnapshot({ ...context, detail })

const repeatedNext = (context: Http.Context, url: string) =>
  inconsistent(context, `the server sent the next link ${redactUrl(url)} twice; stopping instead of looping`)

// ---------------------------------------------------------------------------------------------
// Without ids: the pages are trusted to form one listing (short pages and loops are caught)

/**
 * Pages by offset from `start` until a page is empty or shorter than the largest page seen
 * (`largest` starts with what earlier pages showed).
 */
const sequential = <A>(options: OffsetOptions<A>, start: number, largest: number, limit: number): Stream.Stream<A, RosterError> =>
  Stream.paginateChunkEffect({ offset: start, largest }, (state) =>
    Effect.map(options.fetch(state.offset, limit), (page) => {
      const length = page.items.length
      const done = length === 0 || length < state.largest
      return [
        Chunk.fromIterable(page.items),
        done ? Option.none() : Option.some({ offset: state.offset + length, largest: Math.max(state.largest, length) })
      ] as const
    })
  )

/** For the fetch of a page, the effect that then gives that page (see {@link nextPage}). */
type Ask = <B, E>(fetch: Effect.Effect<B, E>) => Effect.Effect<Effect.Effect<B, E>>

/**
 * How a listing reads its next page once it knows which (a next link, or the offset after a
 * page that was full). Read whole ({@link FirstRound} of 2 or more), it asks for that page at
 * once, before the page that told it is handed on: the round trip overlaps the reading of that
 * page. Otherwise when its turn comes (lazy: `Stream.take` within a page makes no request more).
 * Either way one request at a time; a page asked for ahead is cut off when the stream ends.
 */
const nextPage = Effect.gen(function* () {
  const scope = yield* Effect.scope
  const whenItsTurnComes: Ask = Effect.succeed
  if ((yield* FirstRound) <= 1) return whenItsTurnComes
  // The fork runs when this fiber yields, and the request it makes leaves in a later turn of the
  // event loop (Node writes it to the socket on the next tick): one timer's turn (a zero sleep)
  // lets it go before the page that told it is read, which takes the thread a while.
  const atOnce: Ask = (fetch) => Effect.map(Effect.zipLeft(Effect.forkIn(fetch, scope), Effect.sleep(Duration.zero)), Fiber.join)
  return atOnce
})

/** Follows `next` links from `first` until absent, an empty page, or a repeat (see {@link nextPage}). */
const followNext = <A, E>(
  context: Http.Context,
  first: string,
  fetchUrl: (url: string) => Effect.Effect<Page<A>, E>,
  stopOnEmpty: boolean,
  accept: (page: Page<A>) => Effect.Effect<Chunk.Chunk<A>, E> = (page) => Effect.succeed(Chunk.fromIterable(page.items))
): Stream.Stream<A, E | InconsistentSnapshot> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const ask = yield* nextPage
      const seen = new Set<string>([first])
      return Stream.paginateChunkEffect(fetchUrl(first), (current) =>
        Effect.flatMap(current, (page) =>
          Effect.flatMap(accept(page), (items): Effect.Effect<readonly [Chunk.Chunk<A>, Option.Option<Effect.Effect<Page<A>, E>>], E | InconsistentSnapshot> => {
            const next = page.next
            if (next === undefined || (stopOnEmpty && page.items.length === 0)) {
              return Effect.succeed([items, Option.none()] as const)
            }
            if (seen.has(next)) return Effect.fail(repeatedNext(context, next))
            seen.add(next)
            return Effect.map(ask(fetchUrl(next)), (page) => [items, Option.some(page)] as const)
          })
        )
      )
    })
  )

const unchecked = <A>(options: OffsetOptions<A>): Stream.Stream<A, RosterError> =>
  Stream.unwrap(
    Effect.map(options.fetch(0, options.pageSize), (first): Stream.Stream<A, RosterError> => {
      const length = first.items.length
      const items = Stream.fromChunk(Chunk.fromIterable(first.items))
      if (length === 0) return Stream.empty

      if (first.total !== undefined) {
        const total = first.total
        if (total <= length) {
          // one page holds the listing; a full one may mean the roster grew since it was counted
          return length >= options.pageSize ? Stream.concat(items, sequential(options, length, length, options.pageSize)) : items
        }
        // the server's effective page size: smaller than asked when it clamps `limit` silently
        const size = length
        const offsets: Array<number> = []
        for (let offset = size; offset < total; offset += size) offsets.push(offset)
        const lastOffset = offsets[offsets.length - 1]!
        let grewFrom: number | undefined
        const rest = InOrder.stream(offsets, options.concurrency, (offset) => options.fetch(offset, size), (offset, page) => {
          const got = page.items.length
          if (offset !== lastOffset && got < size) {
            return Effect.fail(
              inconsistent(
                options.context,
                `the page at offset ${offset} had ${got} records instead of ${size} (total ${total}): records moved while paging`
              )
            )
          }
          // a full last page: the roster may be larger than counted
          if (offset === lastOffset && got >= size) grewFrom = offset + got
          return Effect.succeed(Chunk.fromIterable(page.items))
        })
        const more = Stream.suspend(() => (grewFrom === undefined ? Stream.empty : sequential(options, grewFrom, size, size)))
        return Stream.concat(items, Stream.concat(rest, more))
      }

      if (first.next !== undefined && options.fetchUrl !== undefined) {
        return Stream.concat(items, followNext(options.context, first.next, options.fetchUrl, true))
      }

      return Stream.concat(items, sequential(options, length, length, options.pageSize))
    })
  )

// ---------------------------------------------------------------------------------------------
// With ids: change under the pull is detected and repaired

/** The listing changed under the pull (internal: turns into a restart or InconsistentSnapshot). */
class Moved {
  readonly _tag = "Moved"
  constructor(readonly detail: string) {}
}

/** What one reading ("run") of a listing checks and emits with. */
interface Run<A> {
  /** Checks a page's revision and total against the run's first page. */
  readonly check: (page: Page<A>, where: string) => Effect.Effect<void, Moved>
  /**
   * The records of `items` from index `from` that were not output yet, recording their ids;
   * an id listed twice within the run means the listing moved.
   */
  readonly keep: (items: ReadonlyArray<A>, from: number) => Effect.Effect<Chunk.Chunk<A>, Moved>
  /** 0 for the first reading, then 1, 2 … */
  readonly attempt: number
  /** Makes room for the ids of a listing of `total` records (the first page's count). */
  readonly expect: (total: number) => void
}

/**
 * The most ids a listing's announced total makes room for up front (~25 MB of table); a set
 * past it grows as it fills. A count is the server's word, so it is not trusted further.
 */
const maxReserved = 1 << 20

/**
 * Runs `read` (one reading of a listing) and repairs a listing that changed under it: on
 * `Moved`, reads the whole listing again (up to `maxRestarts` times), outputting only records
 * not output before, then checks that every record output earlier is still in the listing.
 *
 * A stream cannot take back what it has output, so the result is the roster *after* the change
 * (records output before it that still exist, plus every other record of the new listing),
 * or an InconsistentSnapshot naming the records output before the change that no longer exist.
 * Memory: the ids of the listing as hashes ({@link IdSet}, ~24 bytes an id; two sets while a
 * listing is read again), never the records.
 */
const repaired = <A>(
  context: Http.Context,
  idOf: (record: A) => string,
  maxRestarts: number,
  read: (run: Run<A>) => Stream.Stream<A, RosterError | Moved>
): Stream.Stream<A, RosterError> =>
  Stream.unwrap(Effect.map(ListingIds, (shared) => {
    // the ids output, in the caller's set when it handed one (see ListingIds)
    const emitted = shared !== undefined && shared.adopt() ? shared : new IdSet()

    const reading = (attempt: number): Stream.Stream<A, RosterError | Moved> =>
      Stream.suspend(() => {
        const seen = attempt === 0 ? emitted : new IdSet()
        let total: number | undefined
        let revision: string | undefined
        let first = true
        const run: Run<A> = {
          attempt,
          expect: (count) => seen.reserve(Math.min(count, maxReserved)),
          check: (page, where) =>
            Effect.suspend(() => {
              if (first) {
                first = false
                total = page.total
                revision = page.revision
                return Effect.void
              }
              if (page.revision !== undefined && revision !== undefined && page.revision !== revision) {
                return Effect.fail(new Moved(`the roster revision (X-Perm-Rev) changed from ${revision} to ${page.revision} at ${where}`))
              }
              if (page.total !== undefined && total !== undefined && page.total !== total) {
                return Effect.fail(new Moved(`the record count (X-Total-Count) changed from ${total} to ${page.total} at ${where}`))
              }
              return Effect.void
            }),
          keep: (items, from) =>
            Effect.suspend(() => {
              const out: Array<A> = []
              for (let i = from; i < items.length; i++) {
                const item = items[i]!
                const key = idOf(item)
                if (!seen.add(key)) return Effect.fail(new Moved(`record ${key} was listed twice`))
                // the first reading outputs all it sees (`seen` is `emitted`); a later one skips what was output
                if (attempt > 0 && !emitted.add(key)) continue
                out.push(item)
              }
              return Effect.succeed(Chunk.unsafeFromArray(out))
            })
        }
        const body = read(run)
        if (attempt === 0) return body
        // every record output by an earlier reading must still be in this one
        const verify = Effect.suspend(() => {
          const gone = emitted.missingFrom(seen)
          return gone === 0
            ? Effect.void
            : Effect.fail(
                inconsistent(
                  context,
                  `${gone} record${gone === 1 ? "" : "s"} already output ` +
                    `${gone === 1 ? "was" : "were"} removed from the listing while it was read; the output ` +
                    "would be neither the roster before the change nor the one after it — run again"
                )
              )
        })
        return Stream.concat(body, Stream.drain(Stream.fromEffect(verify)))
      })

    const attemptFrom = (attempt: number): Stream.Stream<A, RosterError> =>
      reading(attempt).pipe(
        Stream.catchAll((error): Stream.Stream<A, RosterError> => {
          if (!(error instanceof Moved)) return Stream.fail(error)
          if (attempt >= maxRestarts) {
            return Stream.fail(
              inconsistent(
                context,
                maxRestarts === 0
                  ? `the listing changed while it was read: ${error.detail}`
                  : `the listing kept changing while it was read (read ${attempt + 1} times): ${error.detail}; try again later`
              )
            )
          }
          return Stream.unwrap(
            Effect.as(
              Effect.logInfo(
                `${context.provider}: the listing changed while it was read during ${context.operation} (${error.detail}); ` +
                  `reading it again (${attempt + 1} of ${maxRestarts}) without repeating records already output`
              ),
              attemptFrom(attempt + 1)
            )
          )
        })
      )

    return attemptFrom(0)
  }))

/** Halves `concurrency` (down to 1) on each 429 of a fetch run through it. */
const adaptiveGate = (context: Http.Context, concurrency: number) => {
  let permits = Math.max(1, concurrency)
  const semaphore = Effect.unsafeMakeSemaphore(permits)
  const shrink = () =>
    Effect.suspend(() => {
      if (permits <= 1) return Effect.void
      permits = Math.max(1, Math.floor(permits / 2))
      return Effect.zipRight(
        semaphore.resize(permits),
        Effect.logInfo(`${context.provider}: rate limited during ${context.operation}; fetching at most ${permits} page${permits === 1 ? "" : "s"} at a time from now on`)
      )
    })
  return {
    run: <B, E, R>(self: Effect.Effect<B, E, R>) =>
      semaphore.withPermits(1)(self).pipe(Effect.locally(Resilience.onRateLimited, shrink)),
    permits: () => permits
  }
}

/** The pages of a listing after its first: where each starts, and how they overlap. */
interface Plan {
  readonly total: number
  readonly offsets: ReadonlyArray<number>
  readonly overlap: number
  readonly step: number
}

/**
 * The offsets of the pages after a first page of `size` records, of a listing of `total`: each
 * page starts at the last record of the one before (an overlap of one), when pages hold two or more.
 */
const plan = (size: number, total: number): Plan => {
  const overlap = size >= 2 ? 1 : 0
  const step = size - overlap
  const offsets: Array<number> = []
  for (let offset = step; offset + overlap < total; offset += step) offsets.push(offset)
  return { total, offsets, overlap, step }
}

const checkedOffsets = <A>(options: OffsetOptions<A>, idOf: (record: A) => string): Stream.Stream<A, RosterError> =>
  Stream.suspend(() => {
    const { context, pageSize } = options
    const gate = adaptiveGate(context, options.concurrency)
    const fetch = (offset: number, limit: number) => gate.run(options.fetch(offset, limit))

    return repaired(context, idOf, options.maxRestarts ?? defaultMaxRestarts, (run) => {
      /** The page at `offset` must start with `expected` (the previous page's last record). */
      const lineUp = (page: Page<A>, offset: number, expected: string | undefined): Effect.Effect<void, Moved> => {
        if (expected === undefined) return Effect.void
        const head = page.items[0]
        if (head === undefined) {
          return Effect.fail(new Moved(`the page at offset ${offset} was empty where record ${expected} was expected: records were removed before it`))
        }
        const got = idOf(head)
        return got === expected
          ? Effect.void
          : Effect.fail(
              new Moved(
                `the page at offset ${offset} starts with record ${got} instead of ${expected} (the last record of the page before): ` +
                  "records were added or removed before it"
              )
            )
      }
      const lastId = (page: Page<A>, fallback: string | undefined) =>
        page.items.length === 0 ? fallback : idOf(page.items[page.items.length - 1]!)

      /**
       * Pages one at a time from `offset`, each overlapping the one before by its first record,
       * until a page is shorter than the largest seen; read whole, the next is asked for while
       * this one is read (see nextPage), which costs no request more: a full page has a next.
       */
      const oneByOne = (start: { readonly offset: number; readonly largest: number; readonly expected: string | undefined; readonly limit: number }) =>
        Stream.unwrapScoped(
          Effect.map(nextPage, (ask) =>
            Stream.paginateChunkEffect({ ...start, page: fetch(start.offset, start.limit) }, (state) =>
              Effect.gen(function* () {
                const page = yield* state.page
                yield* run.check(page, `offset ${state.offset}`)
                yield* lineUp(page, state.offset, state.expected)
                const overlap = state.expected === undefined ? 0 : 1
                const items = yield* run.keep(page.items, overlap)
                const got = page.items.length
                const largest = Math.max(state.largest, got)
                if (got < state.largest || got - overlap === 0) return [items, Option.none()] as const
                const next = largest >= 2
                  ? { offset: state.offset + got - 1, largest, expected: lastId(page, state.expected), limit: state.limit }
                  : { offset: state.offset + got, largest, expected: undefined, limit: state.limit }
                return [items, Option.some({ ...next, page: yield* ask(fetch(next.offset, next.limit)) })] as const
              })
            )
          )
        )

      /**
       * With a total: the remaining pages, `concurrency` at a time, in order, overlapping by one
       * record; `early` holds the pages of the first offsets already asked for (see FirstRound).
       */
      const planned = (first: Page<A>, { offsets, overlap, step, total }: Plan, early: ReadonlyArray<Fiber.Fiber<Page<A>, RosterError>>) => {
        const size = first.items.length
        const lastOffset = offsets[offsets.length - 1]!
        let expected = overlap === 1 ? lastId(first, undefined) : undefined
        let grew = false
        const pages = InOrder.stream<number, Page<A>, A, RosterError | Moved>(offsets, options.concurrency, (offset) => {
          const asked = offset / step - 1
          return asked < early.length ? Effect.orElse(Fiber.join(early[asked]!), () => fetch(offset, size)) : fetch(offset, size)
        }, (offset, page) =>
          Effect.gen(function* () {
            yield* run.check(page, `offset ${offset}`)
            yield* lineUp(page, offset, expected)
            const got = page.items.length
            if (offset !== lastOffset && got < size) {
              return yield* Effect.fail(
                new Moved(`the page at offset ${offset} had ${got} records instead of ${size} (total ${total}): records were removed`)
              )
            }
            if (offset === lastOffset && got < Math.min(size, total - offset)) {
              return yield* Effect.fail(
                new Moved(`the last page (offset ${offset}) had ${got} records; ${total} were counted: records were removed`)
              )
            }
            const items = yield* run.keep(page.items, overlap)
            expected = overlap === 1 ? lastId(page, expected) : undefined
            // a full last page: the roster may be larger than counted
            grew = offset === lastOffset && got >= size
            return items
          })
        )
        return Stream.concat(
          pages,
          Stream.suspend(() => (grew ? oneByOne({ offset: lastOffset + step, largest: size, expected, limit: size }) : Stream.empty))
        )
      }

      return Stream.unwrapScoped(
        Effect.gen(function* () {
          // the pages asked for with the first (FirstRound), at the offsets a full first page gives
          const speculative = run.attempt === 0 && pageSize >= 2 ? Math.min(yield* FirstRound, options.concurrency) - 1 : 0
          const early: Array<Fiber.RuntimeFiber<Page<A>, RosterError>> = []
          // one attempt each: a page that is needed and failed is asked for again, with retries
          for (let k = 1; k <= speculative; k++) {
            early.push(yield* Effect.forkScoped(Effect.locally(fetch(k * (pageSize - 1), pageSize), Resilience.retrying, false)))
          }
          /** Interrupts the early pages from `used` on (not needed: their requests are cut off). */
          const release = (used: number) => (early.length > used ? Fiber.interruptAll(early.slice(used)) : Effect.void)
          const first = yield* fetch(0, pageSize)
          yield* run.check(first, "offset 0")
          if (first.total !== undefined && first.total > first.items.length) run.expect(first.total)
          const head = Stream.fromChunk(yield* run.keep(first.items, 0))
          const length = first.items.length
          const total = first.total
          // a reading after a change trusts the pages, not the count (it may be what moved, or a lie)
          if (total !== undefined && total > length && run.attempt === 0) {
            const rest = plan(length, total)
            // the early pages line up with the plan when the first page is full
            const used = length === pageSize ? rest.offsets.length : 0
            yield* release(used)
            return Stream.concat(head, planned(first, rest, early.slice(0, used)))
          }
          yield* release(0)
          if (length === 0) return head
          const after = length >= 2
            ? { offset: length - 1, largest: length, expected: lastId(first, undefined), limit: pageSize }
            : { offset: length, largest: length, expected: undefined, limit: pageSize }
          if (total !== undefined) {
            if (total <= length) return length >= pageSize ? Stream.concat(head, oneByOne(after)) : head
            return Stream.concat(head, oneByOne(after))
          }
          if (first.next !== undefined && options.fetchUrl !== undefined) {
            const fetchUrl = options.fetchUrl
            return Stream.concat(
              head,
              followNext<A, RosterError | Moved>(context, first.next, (url) => gate.run(fetchUrl(url)), true, (page) =>
                Effect.zipRight(run.check(page, redactUrl(first.next ?? "")), run.keep(page.items, 0))
              )
            )
          }
          return Stream.concat(head, oneByOne(after))
        })
      )
    })
  })

/**
 * A OneRoster-style listing paged by `offset`/`limit`. Lazy: nothing is fetched until the
 * stream is pulled, and `Stream.take(5)` on a 100-per-page listing makes one request.
 *
 * After the first page:
 * - `total` known: the remaining offsets (stepping by the page size the server actually
 *   returned, so a silently clamped `limit` loses nothing) are fetched `concurrency` at a time,
 *   in order. A full last page means the roster grew, so paging continues.
 * - else `next` present (and `fetchUrl` given): follows the links; a repeated link fails.
 * - else: pages by offset until a page is empty or shorter than the largest seen (a short first
 *   page is not trusted as the end).
 *
 * With `id` (the providers always give it), the listing is checked for change while it is read:
 * each page after the first starts one record early and must start with the previous page's
 * last record (a page boundary that no longer lines up), `X-Total-Count` and the revision
 * (`X-Perm-Rev`) must not move, no record may be listed twice, and no page but the last may be
 * short. A change is repaired by reading the listing again, up to `maxRestarts` times, without
 * repeating records already output; the result is the roster after the change, or an
 * `InconsistentSnapshot` naming what moved — how many records already output were removed, or the
 * last change seen when the listing kept changing. Each 429 halves the concurrency for the
 * rest of the listing.
 *
 * Without `id`, a short page that is not the last fails with `InconsistentSnapshot`.
 *
 * What these checks cannot see: without a revision header, a change that removes and adds as
 * many records inside the pages already read (or edits a record there) while the unread part
 * changes too moves no boundary and no count, and the output can mix both rosters. `verify`
 * closes that hole: once the listing has been output it is read again (one reading, no repair)
 * and the two readings must agree on every id and on a digest of every record (a 64-bit hash of
 * its JSON; memory: ~48 bytes an id, ids kept as hashes as the repair keeps them); else
 * `InconsistentSnapshot` says how many records were added, removed and changed, naming a few of
 * those added and changed. A pull that succeeds with `verify` has output
 * exactly what a second, complete reading found. Without `id`, records are keyed by their digest.
 */
export const offsetPaged = <A>(options: OffsetOptions<A>): Stream.Stream<A, RosterError> => {
  const id = options.id
  if (options.verify === true) {
    // the second reading repairs nothing: a change seen inside it fails the pull
    return id === undefined
      ? Verify.twice(options.context, (record) => String(Verify.digest(record)), unchecked(options), unchecked(options))
      : Verify.twice(options.context, id, checkedOffsets(options, id), checkedOffsets({ ...options, maxRestarts: 0 }, id))
  }
  return id === undefined ? unchecked(options) : checkedOffsets(options, id)
}

/**
 * A cursor listing (Clever's `links rel=next`): fetches `first`, then each `next` until a page
 * has none — no request after the last page. A repeated `next` fails with
 * `InconsistentSnapshot` instead of looping. With `id`, a record listed twice means the listing
 * moved under the cursor: it is read again as {@link offsetPaged} does.
 *
 * A cursor is not shifted by deletions and inserts, but it does not see them either: a record
 * inserted behind the cursor is missed, one deleted ahead of it is never read, so one change can
 * leave an output of neither roster. With `verify`, the listing is followed again from `first`
 * once it has been output and the two readings compared, as {@link offsetPaged} does.
 */
export const linkPaged = <A>(options: {
  readonly first: string
  readonly context: Http.Context
  readonly fetch: (url: string) => Effect.Effect<Page<A>, RosterError>
  readonly id?: ((record: A) => string) | undefined
  readonly maxRestarts?: number | undefined
  /** Read the listing again once output and compare, as {@link offsetPaged} does. Default false. */
  readonly verify?: boolean | undefined
}): Stream.Stream<A, RosterError> => {
  const id = options.id
  const read = (maxRestarts: number) =>
    id === undefined
      ? followNext(options.context, options.first, options.fetch, false)
      : repaired(options.context, id, maxRestarts, (run) =>
          followNext<A, RosterError | Moved>(options.context, options.first, options.fetch, false, (page) =>
            Effect.zipRight(run.check(page, "a next page"), run.keep(page.items, 0))
          )
        )
  const maxRestarts = options.maxRestarts ?? defaultMaxRestarts
  if (options.verify !== true) return read(maxRestarts)
  return Verify.twice(options.context, id ?? ((record) => String(Verify.digest(record))), read(maxRestarts), read(0))
}

/** Splits `text` on `separator` outside double-quoted strings and `<…>`. */
const splitOutside = (text: string, separator: string): Array<string> => {
  const parts: Array<string> = []
  let current = ""
  let quoted = false
  let bracketed = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted && c === "\\" && i + 1 < text.length) {
      current += c + text[++i]
      continue
    }
    if (c === '"' && !bracketed) quoted = !quoted
    else if (c === "<" && !quoted) bracketed = true
    else if (c === ">" && !quoted) bracketed = false
    if (c === separator && !quoted && !bracketed) {
      parts.push(current)
      current = ""
    } else {
      current += c
    }
  }
  parts.push(current)
  return parts
}

/**
 * The `rel="next"` target of an RFC 8288 `Link` header (several links, quoted or bare rel
 * values, several relation types per rel), resolved against `requestUrl`.
 */
export const parseLinkNext = (header: string | undefined, requestUrl: string): string | undefined => {
  if (header === undefined) return undefined
  for (const link of splitOutside(header, ",")) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(link)
    if (match === null) continue
    const isNext = splitOutside(match[2]!, ";").some((param) => {
      const eq = param.indexOf("=")
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "rel") return false
      const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/s, "$1")
      return value.toLowerCase().split(/\s+/).includes("next")
    })
    if (!isNext) continue
    try {
      return new URL(match[1]!.trim(), requestUrl).toString()
    } catch {
      return undefined
    }
  }
  return undefined
}

/** Where decoded data came from, for errors: the call's context plus a URL or file. */
export type DecodeContext = Http.Context & { readonly source: string }

const decodeError = (context: DecodeContext, detail: string, record?: string) =>
  new DecodeError({
    provider: context.provider,
    operation: context.operation,
    source: redactUrl(context.source),
    ...(record === undefined ? {} : { record }),
    detail
  })

const shapeOf = (body: unknown): string => {
  if (body === null) return "null"
  if (Array.isArray(body)) return "an array"
  if (typeof body !== "object") return typeof body
  const keys = Object.keys(body)
  return keys.length === 0 ? "an empty object" : `an object with keys ${keys.slice(0, 10).join(", ")}`
}

/**
 * The records array under `key` of a list body (`{"users": […]}`). A body without that key,
 * or with a non-array under it, is a `DecodeError` — never an empty page.
 */
export const envelope = (body: unknown, key: string, context: DecodeContext): Effect.Effect<ReadonlyArray<unknown>, DecodeError> => {
  const value = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined
  return Array.isArray(value)
    ? Effect.succeed(value)
    : Effect.fail(
        decodeError(
          context,
          value === undefined
            ? `expected a JSON object with a "${key}" array, got ${shapeOf(body)}`
            : `expected "${key}" to be an array, got ${shapeOf(value)}`
        )
      )
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    ""
  )

const expected = /^Expected (.*), actual (.*)$/s

/**
 * One line per field: `path: message`. A union's failures at one path ("Expected "a", actual
 * "x"", "Expected "b", actual "x"") are merged into `Expected "a" | "b", actual "x"`.
 */
const describeIssues = (issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>): Array<string> => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of issues) {
    const path = formatPath(issue.path)
    byPath.set(path, [...(byPath.get(path) ?? []), issue.message])
  }
  return [...byPath].map(([path, messages]) => {
    const parsed = messages.map((message) => expected.exec(message))
    const actual = parsed[0]?.[2]
    const message =
      messages.length > 1 && parsed.every((match) => match !== null && match[2] === actual)
        ? `Expected ${parsed.map((match) => match![1]).join(" | ")}, actual ${actual}`
        : messages.join("; ")
    return path === "" ? message : `${path}: ${message}`
  })
}

/**
 * Decodes each record with `schema`. The first failure is a `DecodeError` naming the record
 * (its `sourcedId`, else `#index`) and the field path; its message reads e.g.
 * `… (record 18125) during list users: role: Expected "administrator" | …, actual "pupil"`.
 *
 * Fast path: when decoding `schema` changes nothing (core's Model: strict on sourcedId, role and
 * references, every other field kept as sent), each record is only checked against it — one
 * pass, no copy — and a page whose records all pass is returned as it is. A record that fails
 * the check is decoded by the Schema, for the error message. Same answers, same errors.
 *
 * `reuse`: the records are the caller's to change (just parsed from a response): a record the
 * schema maps (a OneRoster 1.2 user, given `role` and `orgs` from `roles[]`) is completed in
 * place instead of copied. Default false: `items` are left as they were.
 */
export const decodeItems = <A, I>(
  schema: Schema.Schema<A, I>,
  items: ReadonlyArray<unknown>,
  context: DecodeContext,
  options?: { readonly reuse?: boolean | undefined }
): Effect.Effect<ReadonlyArray<A>, DecodeError> =>
  Effect.suspend(() => {
    const check = FastCheck.of(schema.ast)
    if (check !== undefined) {
      let index = 0
      while (index < items.length && check(items[index])) index++
      // Every record checked: decoding would give equal records.
      if (index === items.length) return Effect.succeed(items as ReadonlyArray<A>)
    }
    const decode = Schema.decodeUnknownEither(schema, { errors: "all" })
    const fast = FastCheck.decoderOf(schema.ast)
    const out: Array<A> = []
    for (let index = 0; index < items.length; index++) {
      const item = items[index]
      if (check !== undefined && check(item)) {
        out.push(item as A)
        continue
      }
      const mapped = fast?.(item, options?.reuse === true)
      if (mapped !== undefined) {
        out.push(mapped as A)
        continue
      }
      const result = decode(item)
      if (result._tag === "Right") {
        out.push(result.right)
        continue
      }
      const id = typeof item === "object" && item !== null ? (item as { sourcedId?: unknown }).sourcedId : undefined
      const record = typeof id === "string" && id !== "" ? id : `#${index}`
      const issues = describeIssues(ParseResult.ArrayFormatter.formatErrorSync(result.left))
      const detail = issues.slice(0, 5).join("; ")
      return Effect.fail(
        decodeError(context, issues.length > 5 ? `${detail}; and ${issues.length - 5} more` : detail, record)
      )
    }
    return Effect.succeed(out)
  })
