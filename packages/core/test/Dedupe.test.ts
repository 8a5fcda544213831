import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Dedupe from "@rosterkit/core/Dedupe"

const records = [
  { sourcedId: "a", n: 1 },
  { sourcedId: "b", n: 2 },
  { sourcedId: "a", n: 3 },
  { sourcedId: "c", n: 4 },
  { sourcedId: "b", n: 5 }
]

describe("Dedupe.bySourcedId", () => {
  it.effect("keeps the first record of each id, in order", () =>
    Effect.gen(function* () {
      const out = yield* Stream.runCollect(Dedupe.bySourcedId(Stream.fromIterable(records)))
      expect(Chunk.toReadonlyArray(out).map((r) => r.n)).toEqual([1, 2, 4])
    }))

  it.effect("starts with an empty id set on every run", () =>
    Effect.gen(function* () {
      const stream = Dedupe.bySourcedId(Stream.fromIterable(records))
      const first = yield* Stream.runCollect(stream)
      const second = yield* Stream.runCollect(stream)
      expect(Chunk.size(second)).toBe(3)
      expect(Chunk.toReadonlyArray(second)).toEqual(Chunk.toReadonlyArray(first))
    }))

  it.effect("spans chunks and keeps the stream lazy", () =>
    Effect.gen(function* () {
      let pulled = 0
      const stream = Stream.fromIterable(records).pipe(
        Stream.rechunk(1),
        Stream.tap(() => Effect.sync(() => pulled++))
      )
      const out = yield* Stream.runCollect(Stream.take(Dedupe.bySourcedId(stream), 2))
      expect(Chunk.toReadonlyArray(out).map((r) => r.sourcedId)).toEqual(["a", "b"])
      expect(pulled).toBe(2)
    }))
})
