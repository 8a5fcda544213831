/**
 * PullCache.streamed on its own: a pull whose pages the test releases one by one (a Queue), so
 * what each follower sees at each step is asserted exactly.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as PullCache from "../src/PullCache.js"

/** A pull of pages the test offers: `Some(page)` a page, `None` the end, a string an error. */
const pagedPull = (queue: Queue.Queue<Option.Option<ReadonlyArray<number>> | string>) =>
  Stream.repeatEffectChunkOption(
    Effect.flatMap(Queue.take(queue), (next) =>
      typeof next === "string" ? Effect.fail(Option.some(next)) : Option.isNone(next) ? Effect.fail(Option.none()) : Effect.succeed(Chunk.fromIterable(next.value))
    )
  )

const collectAll = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe("PullCache.streamed", () => {
  it.effect("one pull: the first follower reads a page as soon as it is there, a later one replays it and follows", () =>
    Effect.gen(function* () {
      const cache = yield* PullCache.make({ ttl: "1 minute" })
      const pages = yield* Queue.unbounded<Option.Option<ReadonlyArray<number>> | string>()
      const pull = Effect.succeed({ head: "groups", items: pagedPull(pages) })
      const first = yield* cache.streamed("k", pull)
      expect(first.head).toBe("groups")
      yield* Queue.offer(pages, Option.some([1, 2]))
      // The first page is there before the pull has ended.
      expect(yield* collectAll(Stream.take(first.items, 2))).toStrictEqual([1, 2])
      yield* first.ready
      const second = yield* cache.streamed("k", pull)
      const reading = yield* Effect.fork(collectAll(second.items))
      const whole = yield* Effect.fork(second.all)
      yield* Queue.offer(pages, Option.some([3]))
      yield* Queue.offer(pages, Option.none())
      expect(yield* Fiber.join(reading)).toStrictEqual([1, 2, 3])
      expect(yield* Fiber.join(whole)).toStrictEqual([1, 2, 3])
      expect(yield* collectAll(first.items)).toStrictEqual([1, 2, 3])
      expect(cache.pulls()).toBe(1)
      // Done: answered from the cache, the same array each time.
      const third = yield* cache.streamed("k", pull)
      expect(yield* third.all).toBe(yield* second.all)
      expect(cache.pulls()).toBe(1)
    })
  )

  it.effect("a failed pull fails every follower where it stands and is not kept", () =>
    Effect.gen(function* () {
      const cache = yield* PullCache.make({ ttl: "1 minute" })
      const pages = yield* Queue.unbounded<Option.Option<ReadonlyArray<number>> | string>()
      const pull = Effect.succeed({ head: undefined, items: pagedPull(pages) })
      const a = yield* cache.streamed("k", pull)
      const b = yield* cache.streamed("k", pull)
      yield* Queue.offer(pages, Option.some([1]))
      yield* Queue.offer(pages, "upstream down")
      for (const follower of [a, b]) {
        const exit = yield* Effect.exit(Stream.runCollect(follower.items))
        expect(exit).toStrictEqual(Exit.fail("upstream down"))
        expect(yield* Effect.exit(follower.all)).toStrictEqual(Exit.fail("upstream down"))
      }
      // The failure is not cached: the next request pulls again.
      yield* Queue.offer(pages, Option.some([7]))
      yield* Queue.offer(pages, Option.none())
      expect(yield* (yield* cache.streamed("k", pull)).all).toStrictEqual([7])
      expect(cache.pulls()).toBe(2)
    })
  )

  it.effect("a pull that fails before its head fails the request; ready fails when it fails before the first items", () =>
    Effect.gen(function* () {
      const cache = yield* PullCache.make({ ttl: "1 minute" })
      expect(yield* Effect.exit(cache.streamed("h", Effect.fail("no groups")))).toStrictEqual(Exit.fail("no groups"))
      const failing = yield* cache.streamed("r", Effect.succeed({ head: 0, items: Stream.fail("at once") }))
      expect(yield* Effect.exit(failing.ready)).toStrictEqual(Exit.fail("at once"))
      const empty = yield* cache.streamed("e", Effect.succeed({ head: 0, items: Stream.empty }))
      yield* empty.ready
      expect(yield* empty.all).toStrictEqual([])
    })
  )
})
