/**
 * The gateway's upstream cache: one entry per district and query, kept for a TTL, with single
 * flight — while a pull is running, every identical request waits for that one pull instead of
 * starting its own. A failed pull is forgotten at once (the next request tries again), and a
 * request that goes away does not cancel a pull other requests wait for.
 *
 * Two kinds of entries:
 *
 * - `through(key, effect)`: the effect's result, once it is there;
 * - `streamed(key, pull)`: a stream's items as they arrive. The entry holds the chunks received
 *   so far and a `Deferred` that the next chunk (or the end) completes; each request replays
 *   what arrived, then follows the live pull (a chain of Deferreds, one per chunk). So the first
 *   request's first bytes go out as soon as the first upstream page is decoded, and a request
 *   that arrives mid-pull neither waits for the end nor starts a second pull. A pull that fails
 *   fails every follower with its error, at the point each one has reached, and is not kept.
 *
 * It is the only state the gateway keeps besides OAuth 1.0a nonces (both per instance).
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"

export interface Options {
  /** How long a result is reused; zero turns caching off (single flight still applies). */
  readonly ttl: Duration.DurationInput
  /** Entries kept at most (the oldest go first); default 1000. */
  readonly capacity?: number
  /** The clock in epoch milliseconds (default Date.now). */
  readonly now?: () => number
}

/** What a streamed pull gives: a head known before the first item (e.g. the groups a query matched), then the items. */
export interface Streamed<H, A, E> {
  readonly head: H
  readonly items: Stream.Stream<A, E>
}

/** A request's view of a streamed entry. */
export interface Following<H, A, E> extends Streamed<H, A, E> {
  /** Every item, once the pull has ended (the same array for every request once it has). */
  readonly all: Effect.Effect<ReadonlyArray<A>, E>
  /** Succeeds once the first items are there (or the pull ended without any); fails if the pull fails before. */
  readonly ready: Effect.Effect<void, E>
}

export interface PullCache {
  /** `pull` once per `key` and TTL; concurrent callers with the same key share one pull. */
  readonly through: <A, E>(key: string, pull: Effect.Effect<A, E>) => Effect.Effect<A, E>
  /**
   * `pull` once per `key` and TTL, its items shared as they arrive: succeeds with the head as
   * soon as the pull has it (fails if the pull fails before), then `items` replays and follows.
   */
  readonly streamed: <H, A, E>(key: string, pull: Effect.Effect<Streamed<H, A, E>, E>) => Effect.Effect<Following<H, A, E>, E>
  /** How many pulls have started (for tests and stats). */
  readonly pulls: () => number
  readonly size: () => number
}

interface Entry {
  readonly expires: number
  /** `through`: the pull. `streamed`: the fiber filling `live`. */
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  readonly live?: Live<unknown, unknown, unknown>
  done: boolean
}

/** A streamed pull as far as it got. */
class Live<H, A, E> {
  readonly head = Deferred.unsafeMake<H, E>(FiberId.none)
  readonly chunks: Array<Chunk.Chunk<A>> = []
  /** Completed (and replaced) when a chunk arrives or the pull ends. */
  next = Deferred.unsafeMake<void>(FiberId.none)
  exit: Exit.Exit<void, E> | undefined = undefined
  all: ReadonlyArray<A> | undefined = undefined

  private wake() {
    const woken = this.next
    this.next = Deferred.unsafeMake<void>(FiberId.none)
    Deferred.unsafeDone(woken, Exit.void)
  }

  push(chunk: Chunk.Chunk<A>) {
    if (Chunk.isEmpty(chunk)) return
    this.chunks.push(chunk)
    this.wake()
  }

  finish(exit: Exit.Exit<unknown, E>) {
    this.exit = Exit.asVoid(exit)
    // A pull that fails (or is interrupted) before its head fails the requests waiting for it.
    if (Exit.isFailure(exit)) Deferred.unsafeDone(this.head, exit as Exit.Exit<never, E>)
    this.wake()
  }

  /** The items from the first: replayed, then followed until the pull ends. */
  follow(): Stream.Stream<A, E> {
    return Stream.suspend(() => {
      if (this.all !== undefined) return Stream.fromIterable(this.all)
      let index = 0
      const step: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> = Effect.suspend(() => {
        if (index < this.chunks.length) return Effect.succeed(this.chunks[index++]!)
        const exit = this.exit
        if (exit !== undefined) return Exit.isSuccess(exit) ? Effect.fail(Option.none()) : Effect.failCause(Cause.map(exit.cause, Option.some))
        return Effect.zipRight(Deferred.await(this.next), step)
      })
      return Stream.repeatEffectChunkOption(step)
    })
  }

  /** Once the first chunk is there, or the pull has ended without one. */
  ready(): Effect.Effect<void, E> {
    const step: Effect.Effect<void, E> = Effect.suspend(() => {
      if (this.chunks.length > 0) return Effect.void
      const exit = this.exit
      if (exit !== undefined) return exit
      return Effect.zipRight(Deferred.await(this.next), step)
    })
    return step
  }

  /** Every item, once the pull has ended. */
  collect(): Effect.Effect<ReadonlyArray<A>, E> {
    return Effect.suspend(() => {
      if (this.all !== undefined) return Effect.succeed(this.all)
      return Effect.map(Stream.runCollect(this.follow()), (items) => {
        const array = Chunk.toReadonlyArray(items)
        if (this.exit !== undefined && Exit.isSuccess(this.exit)) this.all ??= array
        return this.all ?? array
      })
    })
  }
}

export const make = (options: Options): Effect.Effect<PullCache> =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const ttl = Duration.toMillis(Duration.decode(options.ttl))
    const capacity = options.capacity ?? 1000
    const now = options.now ?? Date.now
    const entries = new Map<string, Entry>()
    let pulls = 0

    const evict = (at: number) => {
      for (const [key, entry] of entries) if (entry.done && entry.expires <= at) entries.delete(key)
      while (entries.size >= capacity) {
        const oldest = entries.keys().next()
        if (oldest.done) break
        entries.delete(oldest.value)
      }
    }

    const through = <A, E>(key: string, pull: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        const at = now()
        let entry = entries.get(key)
        // A running pull is joined even past its TTL; a finished one only within it.
        if (entry === undefined || (entry.done && entry.expires <= at)) {
          evict(at)
          pulls++
          const fiber = Runtime.runFork(runtime)(pull) as Fiber.RuntimeFiber<unknown, unknown>
          const created: Entry = { expires: at + ttl, fiber, done: false }
          entry = created
          entries.set(key, created)
          fiber.addObserver((exit) => {
            created.done = true
            if ((Exit.isFailure(exit) || ttl <= 0) && entries.get(key) === created) entries.delete(key)
          })
        }
        return Fiber.join(entry.fiber) as Effect.Effect<A, E>
      })

    const streamed = <H, A, E>(key: string, pull: Effect.Effect<Streamed<H, A, E>, E>): Effect.Effect<Following<H, A, E>, E> =>
      Effect.suspend(() => {
        const at = now()
        const mapKey = `streamed\u0000${key}`
        let entry = entries.get(mapKey)
        if (entry === undefined || (entry.done && entry.expires <= at)) {
          evict(at)
          pulls++
          const live = new Live<H, A, E>()
          const fill = Effect.flatMap(pull, ({ head, items }) => {
            Deferred.unsafeDone(live.head, Exit.succeed(head))
            return Stream.runForEachChunk(items, (chunk) => Effect.sync(() => live.push(chunk)))
          })
          const fiber = Runtime.runFork(runtime)(fill) as Fiber.RuntimeFiber<unknown, unknown>
          const created: Entry = { expires: at + ttl, fiber, live: live as Live<unknown, unknown, unknown>, done: false }
          entry = created
          entries.set(mapKey, created)
          fiber.addObserver((exit) => {
            live.finish(exit as Exit.Exit<unknown, E>)
            created.done = true
            if ((Exit.isFailure(exit) || ttl <= 0) && entries.get(mapKey) === created) entries.delete(mapKey)
          })
        }
        const live = entry.live as Live<H, A, E>
        return Effect.map(Deferred.await(live.head), (head) => ({ head, items: live.follow(), all: live.collect(), ready: live.ready() }))
      })

    return { through, streamed, pulls: () => pulls, size: () => entries.size }
  })
