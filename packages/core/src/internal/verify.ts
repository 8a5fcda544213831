/**
 * The verified pull (`Pager` option `verify`): a listing is read, then read again, and the two
 * readings must agree record for record — same ids, same content — or the pull fails with
 * `InconsistentSnapshot` naming what moved.
 *
 * Memory: one map of id -> 53-bit digest of the record's JSON, built as the first reading is
 * output and emptied as the second is read; never two copies of the records.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Http from "../Http.js"
import { InconsistentSnapshot, type RosterError } from "../RosterError.js"

/**
 * cyrb53 (public domain): a 53-bit hash of a string, as a number. A record that changes keeps its
 * digest with a probability of about 2^-53.
 */
const cyrb53 = (text: string): number => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

/** A record's digest: a hash of its JSON (dateLastModified and every other field included). */
export const digest = (record: unknown): number => cyrb53(JSON.stringify(record) ?? "undefined")

const sample = (ids: ReadonlyArray<string>, count: number) =>
  ids.length === 0 ? "" : ` (${ids.join(", ")}${count > ids.length ? `, and ${count - ids.length} more` : ""})`

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * Outputs `first` (one reading of a listing) while recording each record's id and digest, then
 * reads `second` (a fresh reading of the same listing, run only once `first` is complete) and
 * compares: a record added, removed or changed between the two readings fails the stream with
 * `InconsistentSnapshot` ("n added, n removed, n changed", up to 5 ids of each). A change
 * detected inside the second reading fails it too, saying so. Records already output cannot be
 * taken back: the failure is the answer.
 */
export const twice = <A>(
  context: Http.Context,
  idOf: (record: A) => string,
  first: Stream.Stream<A, RosterError>,
  second: Stream.Stream<A, RosterError>
): Stream.Stream<A, RosterError> =>
  Stream.suspend(() => {
    const output = new Map<string, number>()
    const recorded = Stream.mapChunks(first, (chunk) => {
      for (const record of chunk) output.set(idOf(record), digest(record))
      return chunk
    })

    const check = Effect.suspend(() => {
      const max = 5
      const added: Array<string> = []
      const changed: Array<string> = []
      let addedCount = 0
      let changedCount = 0
      const compare = (chunk: Chunk.Chunk<A>) =>
        Effect.sync(() => {
          for (const record of chunk) {
            const key = idOf(record)
            const before = output.get(key)
            if (before === undefined) {
              if (addedCount++ < max) added.push(key)
              continue
            }
            output.delete(key)
            if (before !== digest(record) && changedCount++ < max) changed.push(key)
          }
        })
      return Stream.runForEachChunk(second, compare).pipe(
        Effect.catchTag("InconsistentSnapshot", (error) =>
          Effect.fail(
            new InconsistentSnapshot({
              ...context,
              detail: `the listing changed while it was read a second time to verify it (${error.detail}); the output is not known to be one roster — run again`
            })
          )
        ),
        Effect.flatMap(() => {
          const removedCount = output.size
          if (addedCount === 0 && removedCount === 0 && changedCount === 0) return Effect.void
          const removed: Array<string> = []
          for (const key of output.keys()) {
            if (removed.length >= max) break
            removed.push(key)
          }
          output.clear()
          return Effect.fail(
            new InconsistentSnapshot({
              ...context,
              detail:
                "the listing changed between the reading output and a second reading made to verify it: " +
                `${plural(addedCount, "record", "records")} added${sample(added, addedCount)}, ` +
                `${removedCount} removed${sample(removed, removedCount)}, ` +
                `${changedCount} changed${sample(changed, changedCount)}; ` +
                "the output may be neither the roster before the change nor the one after it — run again"
            })
          )
        })
      )
    })

    return Stream.concat(recorded, Stream.drain(Stream.fromEffect(check)))
  })
