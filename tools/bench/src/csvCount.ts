/**
 * Child process of the CSV benchmark: streams the users of a OneRoster CSV set through the CSV
 * provider (`entities("users")`, `Stream.runCount`) and prints one JSON line
 * `{ "count": n, "streamMs": t }` (t: the stream alone, without process startup).
 *
 *     node --conditions=@rosterkit/source --import tsx tools/bench/src/csvCount.ts <dir|zip>
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as CsvProvider from "@rosterkit/csv/CsvProvider"

const setPath = process.argv[2]
if (setPath === undefined) throw new Error("usage: csvCount.ts <dir|zip>")

const program = Effect.gen(function* () {
  const provider = yield* RosterProvider.RosterProvider
  const started = performance.now()
  const count = yield* Stream.runCount(provider.entities("users"))
  return { count, streamMs: performance.now() - started }
}).pipe(Effect.provide(CsvProvider.layer({ path: setPath })))

Effect.runPromise(program).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`csvCount: ${String(error)}\n`)
    process.exitCode = 1
  }
)
