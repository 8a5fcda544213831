/**
 * The verified pull (`Pager` option `verify`): a listing is read, then read again, and the two
 * readings must agree record for record — same ids, same content — or the pull fails with
 * `InconsistentSnapshot` naming what moved.
 *
 * Memory: per id of the listing, a 96-bit hash of the id and a 64-bit digest of the record's
 * JSON (~48 bytes, outside the JS heap); never a copy of the records.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Http from "../Http.js"
import { InconsistentSnapshot, type RosterError } from "../RosterError.js"
import { hash3, IdTable } from "./IdSet.js"

/**
 * cyrb53's two 32-bit lanes (public domain) of a string, written into `out[0]`, `out[1]`: a
 * record that changes keeps its 64-bit digest with a probability of about 2^-64.
 */
const cyrb = (text: string, out: Uint32Array): void => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  out[0] = h1 >>> 0
  out[1] = h2 >>> 0
}

const lanes = new Uint32Array(2)

/** A record's digest as one number (53 of its 64 bits): a hash of its JSON, every field included. */
export const digest = (record: unknown): number => {
  cyrb(JSON.stringify(record) ?? "undefined", lanes)
  return 4294967296 * (2097151 & lanes[1]!) + lanes[0]!
}

/**
 * Id -> digest of the records of one reading, in an {@link IdTable}: a 96-bit hash of the id,
 * the record's 64-bit digest and a lane marking the ids the second reading has met (24 bytes a
 * slot, at most half the slots used). Ids are not kept as strings, so the records missing from
 * the second reading are counted, not named.
 */
class Digests {
  readonly #table = new IdTable(3)
  #metCount = 0
  readonly #id = new Uint32Array(3)
  readonly #digest = new Uint32Array(2)

  /** Ids recorded and not met since. */
  get unmet(): number {
    return this.#table.size - this.#metCount
  }

  /** Records `record` (id `id`) of the first reading. */
  record(id: string, record: unknown): void {
    hash3(id, this.#id)
    cyrb(JSON.stringify(record) ?? "undefined", this.#digest)
    const at = this.#table.insert(this.#id)
    this.#table.lanes.set(this.#digest, (at >= 0 ? at : ~at) + 3)
  }

  /** Meets `record` of the second reading: "added" (never recorded, or met already), "changed" or "same". */
  meet(id: string, record: unknown): "added" | "changed" | "same" {
    hash3(id, this.#id)
    const at = this.#table.find(this.#id)
    const lanes = this.#table.lanes
    if (at < 0 || lanes[at + 5] === 1) return "added"
    lanes[at + 5] = 1
    this.#metCount++
    cyrb(JSON.stringify(record) ?? "undefined", this.#digest)
    return lanes[at + 3] === this.#digest[0] && lanes[at + 4] === this.#digest[1] ? "same" : "changed"
  }
}

const sample = (ids: ReadonlyArray<string>, count: number) =>
  ids.length === 0 ? "" : ` (${ids.join(", ")}${count > ids.length ? `, and ${count - ids.length} more` : ""})`

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * Outputs `first` (one reading of a listing) while recording each record's id and digest, then
 * reads `second` (a fresh reading of the same listing, run only once `first` is complete) and
 * compares: a record added, removed or changed between the two readings fails the stream with
 * `InconsistentSnapshot` ("n added, n removed, n changed", up to 5 ids of those added and of
 * those changed; the removed are counted: their ids are kept only as hashes). A change
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
    const output = new Digests()
    const recorded = Stream.mapChunks(first, (chunk) => {
      for (const record of chunk) output.record(idOf(record), record)
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
            const met = output.meet(key, record)
            if (met === "added" && addedCount++ < max) added.push(key)
            else if (met === "changed" && changedCount++ < max) changed.push(key)
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
          const removedCount = output.unmet
          if (addedCount === 0 && removedCount === 0 && changedCount === 0) return Effect.void
          return Effect.fail(
            new InconsistentSnapshot({
              ...context,
              detail:
                "the listing changed between the reading output and a second reading made to verify it: " +
                `${plural(addedCount, "record", "records")} added${sample(added, addedCount)}, ` +
                `${removedCount} removed, ` +
                `${changedCount} changed${sample(changed, changedCount)}; ` +
                "the output may be neither the roster before the change nor the one after it — run again"
            })
          )
        })
      )
    })

    return Stream.concat(recorded, Stream.drain(Stream.fromEffect(check)))
  })
