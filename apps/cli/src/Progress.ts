/**
 * Everything the CLI tells a person while it works, on stderr only:
 *
 * - a one-line progress display (`rosterkit: 12 pages · 11,000 users · 3.2s · rate limited,
 *   waiting 2s (retry 1 of 5)`), redrawn in place with `\r`, only when stderr is a terminal and
 *   `--quiet` is not given, cleared when the command ends. When stdout is the same terminal,
 *   every data write goes through `data`: the line is erased first and redrawn after, so data
 *   never lands on the line's tail. Pages count responses as they arrive, records count what
 *   was handed to the output; a redraw is at most `interval` ms late (a ticker catches up on
 *   throttled changes and keeps the elapsed time moving);
 * - notes and warnings (`rosterkit: warning: …`), printed above the progress line;
 * - with `--verbose`, every request (URLs without credentials) and every retry.
 *
 * The line is drawn by hand rather than with cli-progress: there is no total to draw a bar
 * against, only counters, and notes must interleave with it cleanly.
 *
 * Diagnostics arrive as Effect logs: core's Resilience logs each retry at debug level with a
 * `delayMillis` annotation, the CLI's HTTP client logs each request at debug level. `logger`
 * routes them: retries to the progress line, everything to stderr with `--verbose`,
 * warnings and errors always.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"

/** The part of a Node WriteStream the display needs (tests pass a fake). */
export interface Output {
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
  write(text: string): boolean
}

export interface Options {
  /** Where to draw (default `process.stderr`). */
  readonly stream?: Output | undefined
  /** `--quiet`: no progress line, no informational notes. */
  readonly quiet?: boolean | undefined
  /** `--verbose`: print requests and retries. */
  readonly verbose?: boolean | undefined
  /** What the records are called on the line ("users", "classes" …). */
  readonly unit?: string | undefined
  /** Minimum milliseconds between redraws (default 100). */
  readonly interval?: number | undefined
  /** The clock (default `Date.now`). */
  readonly now?: (() => number) | undefined
  /** stdout is the same terminal (data writes then erase the line first, see `data`). */
  readonly sharesScreen?: boolean | undefined
}

export interface Service {
  /** True when the progress line is drawn (stderr is a terminal, not --quiet). */
  readonly active: boolean
  /** True with --verbose: `debug` prints (callers may skip building what only it would show). */
  readonly verbose: boolean
  /** A response (a page) arrived. */
  readonly page: Effect.Effect<void>
  /** `n` more records were written. */
  readonly records: (n: number) => Effect.Effect<void>
  /** A retry is waiting (rate limit, 5xx, network fault); shown until the next page. */
  readonly waiting: (message: string) => Effect.Effect<void>
  /** Prints a whole line on stderr, above the progress line. */
  readonly line: (text: string) => Effect.Effect<void>
  /** An informational note (`rosterkit: …`), hidden by --quiet. */
  readonly note: (text: string) => Effect.Effect<void>
  /** A warning (`rosterkit: warning: …`), always shown. */
  readonly warn: (text: string) => Effect.Effect<void>
  /** A diagnostic shown only with --verbose. */
  readonly debug: (text: string) => Effect.Effect<void>
  /**
   * Runs a write of data to stdout: when stdout shares the terminal, the line is erased before
   * and redrawn (with the current counts) after.
   */
  readonly data: <A, E, R>(write: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export class Progress extends Context.Tag("@rosterkit/cli/Progress")<Progress, Service>() {}

const clearLine = "\r\x1b[2K"

const formatCount = (n: number) => n.toLocaleString("en-US")

const formatSeconds = (millis: number) => `${(millis / 1000).toFixed(1)}s`

/** The progress display; its finalizer clears the line (and stops the ticker). */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const stream: Output = options.stream ?? process.stderr
    const quiet = options.quiet ?? false
    const verbose = options.verbose ?? false
    const active = stream.isTTY === true && !quiet
    const unit = options.unit ?? "records"
    const interval = options.interval ?? 100
    const now = options.now ?? Date.now
    const sharesScreen = active && options.sharesScreen === true
    const started = now()

    let pages = 0
    let records = 0
    let wait: string | undefined
    let drawn = false
    let lastDraw = Number.NEGATIVE_INFINITY
    /** The text on screen (or last drawn), to skip redraws that change nothing. */
    let shown = ""

    const text = () => {
      const parts = [`${formatCount(pages)} ${pages === 1 ? "page" : "pages"}`, `${formatCount(records)} ${unit}`, formatSeconds(now() - started)]
      if (wait !== undefined) parts.push(wait)
      const line = `rosterkit: ${parts.join(" · ")}`
      const width = stream.columns !== undefined && stream.columns > 1 ? stream.columns - 1 : 200
      return line.length > width ? `${line.slice(0, width - 1)}…` : line
    }

    const draw = (force: boolean) => {
      if (!active) return
      const t = now()
      if (!force && t - lastDraw < interval) return
      lastDraw = t
      shown = text()
      stream.write(`${clearLine}${shown}`)
      drawn = true
    }

    /** The ticker: draws what a throttled update left undrawn, and the elapsed time. */
    const tick = () => {
      if (drawn && text() !== shown) draw(true)
    }

    const clear = () => {
      if (drawn) {
        stream.write(clearLine)
        drawn = false
      }
    }

    const line = (message: string) =>
      Effect.sync(() => {
        const wasDrawn = drawn
        clear()
        stream.write(`${message}\n`)
        if (wasDrawn) draw(true)
      })

    yield* Effect.addFinalizer(() => Effect.sync(clear))
    if (active && interval > 0) {
      yield* Effect.sync(tick).pipe(Effect.repeat(Schedule.spaced(Duration.millis(interval))), Effect.interruptible, Effect.forkScoped)
    }

    return {
      active,
      verbose,
      page: Effect.sync(() => {
        pages += 1
        const hadWait = wait !== undefined
        wait = undefined
        draw(hadWait)
      }),
      records: (n) =>
        Effect.sync(() => {
          records += n
          draw(false)
        }),
      waiting: (message) =>
        Effect.sync(() => {
          wait = message
          draw(true)
        }),
      line,
      note: (message) => (quiet ? Effect.void : line(`rosterkit: ${message}`)),
      warn: (message) => line(`rosterkit: warning: ${message}`),
      debug: (message) => (verbose ? line(`rosterkit: ${message}`) : Effect.void),
      data: (write) =>
        sharesScreen
          ? Effect.acquireUseRelease(
              Effect.sync(() => {
                const wasDrawn = drawn
                clear()
                return wasDrawn
              }),
              () => write,
              (wasDrawn) => Effect.sync(() => (wasDrawn || pages > 0 || records > 0 ? draw(true) : undefined))
            )
          : Effect.tap(write, () => Effect.sync(() => draw(false)))
    } satisfies Service
  })

/** The display as a layer (scoped: the line is cleared when the command ends). */
export const layer = (options?: Options): Layer.Layer<Progress> => Layer.scoped(Progress, make(options))

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(" ")
}

/**
 * The waiting text of a retry log: "clever: 503 from api.clever.com during list users, retrying
 * in 2.0s (attempt 2 of 6)" -> "503 from api.clever.com, retrying in 2.0s (attempt 2 of 6)".
 */
const waitText = (message: string) => {
  const match = /^[^:]+: (.+?) during .+?, ((?:retrying|waiting) .+)$/.exec(message)
  return match === null ? message : `${match[1]}, ${match[2]}`
}

/**
 * A Logger over `service`: retry logs (annotated `delayMillis`) feed the progress line; with
 * --verbose every debug log is printed; info is printed unless --quiet; warnings and errors
 * always.
 */
export const makeLogger = (service: Service): Logger.Logger<unknown, void> =>
  Logger.make(({ annotations, logLevel, message }) => {
    const text = messageText(message)
    // The runtime's own notice for a fiber that failed unobserved (the failure is reported anyway).
    if (text.startsWith("Fiber terminated with an unhandled error")) return
    const isRetry = Option.isSome(HashMap.get(annotations, "delayMillis"))
    const effects: Array<Effect.Effect<void>> = []
    if (isRetry) effects.push(service.waiting(waitText(text)))
    if (LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)) {
      effects.push(service.warn(text))
    } else if (LogLevel.greaterThanEqual(logLevel, LogLevel.Info)) {
      effects.push(service.note(text))
    } else {
      effects.push(service.debug(text))
    }
    // Loggers are synchronous; the service's effects are Effect.sync, safe to run here.
    for (const effect of effects) Effect.runSync(effect)
  })

/** Replaces the default logger with `makeLogger` over the Progress in context, at every level. */
export const layerLogger: Layer.Layer<never, never, Progress> = Layer.unwrapEffect(
  Effect.map(Progress, (service) =>
    Layer.merge(Logger.replace(Logger.defaultLogger, makeLogger(service)), Logger.minimumLogLevel(LogLevel.All))
  )
)
