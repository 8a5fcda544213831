/**
 * What every data command does around its own work: resolve the settings, pick the provider,
 * build it over the HTTP client with the progress display and the stderr logger, and release
 * it all (the demo server, the progress line) when the command ends. Data written to `Stdout`
 * inside goes through the progress display (`Progress.data`), so the line is erased before data
 * reaches a terminal.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type { ConfigurationError, RosterError } from "@rosterkit/core/RosterError"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Flags from "./Flags.js"
import * as HttpClient from "./HttpClient.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Providers from "@rosterkit/config/Providers"
import * as Settings from "@rosterkit/config/Settings"

export interface Session {
  readonly provider: RosterProvider.Service
  readonly settings: Settings.Settings
  readonly selection: Providers.Selection
  readonly progress: Progress.Service
}

export interface Options {
  readonly connection: Flags.Connection
  readonly diagnostics: Flags.Diagnostics
  /** What records are called on the progress line. */
  readonly unit: string
}

/** Reports what a CSV set is (delta, ignored files, …) before reading it. */
const describeCsv = (path: string, progress: Progress.Service) =>
  Effect.gen(function* () {
    const CsvProvider = yield* Effect.promise(() => import("@rosterkit/csv/CsvProvider"))
    const description = yield* CsvProvider.describe(path)
    if (description.delta) {
      yield* progress.warn(`csv: ${path} is a delta set (changes since a previous export), not a full roster`)
    }
    for (const note of description.notes) yield* progress.note(`csv: ${note}`)
  })

/** Runs `body` with the configured provider. */
export const run = <A, E, R>(
  options: Options,
  body: (session: Session) => Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | ConfigurationError | RosterError,
  Exclude<R, Progress.Progress | RosterProvider.RosterProvider> | FileSystem.FileSystem | Path.Path | Output.Stdout
> =>
  Effect.gen(function* () {
    const settings = yield* Settings.resolve(Flags.toSettings(options.connection))
    const selection = yield* Providers.select(settings)
    const stdout = yield* Output.Stdout
    const progressLayer = Progress.layer({
      quiet: options.diagnostics.quiet,
      verbose: options.diagnostics.verbose,
      unit: options.unit,
      sharesScreen: stdout.isTTY
    })
    const program = Effect.gen(function* () {
      const progress = yield* Progress.Progress
      // Always, --quiet included: a script with a missing variable must not read sample data unnoticed.
      if (selection.implicitDemo) yield* progress.line(`rosterkit: ${Providers.demoNote}`)
      if (selection.name === "csv" && settings.values.path !== undefined) yield* describeCsv(settings.values.path, progress)
      const provider = yield* RosterProvider.RosterProvider
      return yield* body({ provider, settings, selection, progress }).pipe(
        Effect.provideService(Output.Stdout, {
          isTTY: stdout.isTTY,
          write: (text) => progress.data(stdout.write(text)),
          send: (bytes) => progress.data(stdout.send(bytes)),
          flush: stdout.flush
        })
      )
    })
    const services = Layer.merge(selection.layer.pipe(Layer.provide(HttpClient.layer)), Progress.layerLogger).pipe(
      Layer.provideMerge(progressLayer)
    )
    return yield* Effect.provide(program, services)
  })
