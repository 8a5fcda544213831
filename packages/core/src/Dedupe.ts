/**
 * De-duplication of record streams by `sourcedId`: the one place rosterkit drops repeats
 * (the query engine's members of overlapping groups, Clever's users who are both student and
 * teacher, a ClassLink listing restarted after its roster revision changed).
 */
import * as Stream from "effect/Stream"
import { IdSet } from "./internal/IdSet.js"

/**
 * Keeps the first record of each `sourcedId`, in stream order. The set of ids seen is made
 * fresh for every run of the returned stream (so it can be run again) and holds one entry per
 * distinct id (a 96-bit hash, ~24 bytes: see IdSet), so it serves listings of millions.
 */
export const bySourcedId = <A extends { readonly sourcedId: string }, E, R>(
  stream: Stream.Stream<A, E, R>
): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    const seen = new IdSet()
    return Stream.filter(stream, (record) => seen.add(record.sourcedId))
  })
