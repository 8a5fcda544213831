import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as InOrder from "../src/internal/InOrder.js"

describe("InOrder.stream", () => {
  it.effect("runs `concurrency` inputs at once and hands their results on in input order", () =>
    Effect.gen(function* () {
      const gates = yield* Effect.forEach([0, 1, 2, 3, 4], () => Deferred.make<void>())
      const starts = yield* Effect.forEach([0, 1, 2, 3, 4], () => Deferred.make<void>())
      const started: Array<number> = []
      const stream = InOrder.stream(
        [0, 1, 2, 3, 4],
        3,
        (i) =>
          Effect.zipRight(
            Effect.zipRight(Effect.sync(() => started.push(i)), Deferred.succeed(starts[i]!, undefined)),
            Effect.as(Deferred.await(gates[i]!), i * 10)
          ),
        (i, result) => Effect.succeed(Chunk.make(`${i}:${result}`))
      )
      const fiber = yield* Effect.fork(Stream.runCollect(stream))
      for (const i of [0, 1, 2]) yield* Deferred.await(starts[i]!)
      // the fourth waits for the first result to be handed on, which waits for gate 0
      expect([...started].sort()).toEqual([0, 1, 2])
      // the later inputs finish first: the output still follows the inputs
      for (const i of [2, 1, 4, 3, 0]) yield* Deferred.succeed(gates[i]!, undefined)
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual(["0:0", "1:10", "2:20", "3:30", "4:40"])
      expect(started).toEqual([0, 1, 2, 3, 4])
    }))

  it.effect("interrupts the inputs still running when the stream ends early", () =>
    Effect.gen(function* () {
      const interrupted: Array<number> = []
      const stream = InOrder.stream(
        [0, 1, 2, 3],
        4,
        (i) => (i === 0 ? Effect.succeed(i) : Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted.push(i)))),
        (_, result) => Effect.succeed(Chunk.of(result))
      )
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(stream, 1)))).toEqual([0])
      expect(interrupted.sort()).toEqual([1, 2, 3])
    }))

  it.effect("fails with an input's failure when its turn comes, after the results before it", () =>
    Effect.gen(function* () {
      const out: Array<number> = []
      const stream = InOrder.stream(
        [0, 1, 2],
        3,
        (i) => (i === 1 ? Effect.fail("boom") : Effect.succeed(i)),
        (_, result) => Effect.succeed(Chunk.of(result))
      )
      const result = yield* Effect.either(Stream.runForEach(stream, (n) => Effect.sync(() => out.push(n))))
      expect(out).toEqual([0])
      expect(result._tag === "Left" && result.left).toBe("boom")
    }))
})

describe("InOrder.concatAhead", () => {
  it.effect("starts the second stream while the first is read, and keeps the order", () =>
    Effect.gen(function* () {
      const release = yield* Deferred.make<void>()
      const secondStarted = yield* Deferred.make<void>()
      const first = Stream.concat(Stream.make(1), Stream.fromEffect(Effect.as(Deferred.await(release), 2)))
      const second = Stream.concat(Stream.fromEffect(Effect.as(Deferred.succeed(secondStarted, undefined), 3)), Stream.make(4))
      const fiber = yield* Effect.fork(Stream.runCollect(InOrder.concatAhead(first, second)))
      // `first` cannot end before `release`: this only returns if `second` started meanwhile
      yield* Deferred.await(secondStarted)
      yield* Deferred.succeed(release, undefined)
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual([1, 2, 3, 4])
    }))

  it.effect("gives the second stream's failure after the whole first stream", () =>
    Effect.gen(function* () {
      const out: Array<number> = []
      const result = yield* Effect.either(
        Stream.runForEach(InOrder.concatAhead(Stream.make(1, 2), Stream.fail("boom")), (n) => Effect.sync(() => out.push(n)))
      )
      expect(out).toEqual([1, 2])
      expect(result._tag === "Left" && result.left).toBe("boom")
    }))

  it.effect("ends with the first stream when the second is empty", () =>
    Effect.gen(function* () {
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(InOrder.concatAhead(Stream.make(1), Stream.empty)))).toEqual([1])
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(InOrder.concatAhead(Stream.empty, Stream.make(2, 3))))).toEqual([2, 3])
    }))
})
