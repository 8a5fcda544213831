/**
 * Writing records to stdout — data only; everything else goes to stderr.
 *
 * Every format streams: records are written chunk by chunk as they arrive, so a pull of a
 * million users runs in constant memory.
 *
 * - `json`: one JSON array, written element by element (`[`, one record per line, `]`).
 * - `ndjson`: one JSON record per line.
 * - `csv`: a header row and one row per record (RFC 4180 quoting), columns = `--fields` or the
 *   entity's default fields.
 * - `table`: aligned columns for a terminal. Column widths come from the header and the first
 *   100 rows and only grow after that (a wider value later widens its column from that row
 *   on); a cell is cut at 60 characters with "…".
 *
 * Cells (csv, table): a reference (`{ sourcedId, type }`) shows its sourcedId, a list is
 * comma-joined, other objects are JSON, null and missing are empty. `--fields` takes dotted
 * paths (`course.sourcedId`, `metadata.grade`). With `--fields`, json and ndjson records carry
 * only those keys.
 */
import type * as Model from "@rosterkit/core/Model"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

export const formats = ["json", "ndjson", "csv", "table"] as const
export type Format = (typeof formats)[number]

/**
 * stdout cannot be written any more. EPIPE (`rosterkit … | head`) stops the command quietly
 * with exit 0; any other code is an error.
 */
export class BrokenPipe extends Data.TaggedError("BrokenPipe")<{ readonly code: string }> {
  override get message() {
    return `cannot write to stdout (${this.code})`
  }
}

/** Where data goes. */
export interface Writer {
  /**
   * Writes `text` (or UTF-8 bytes) and waits until it, and everything handed over before it,
   * has been written: the destination is then done with what it was given (bytes may be reused).
   */
  readonly write: (text: string | Uint8Array) => Effect.Effect<void, BrokenPipe>
  /**
   * Hands `bytes` over for good (the caller never touches them again). Completes at once when
   * they are the only chunk not yet written or fewer than `sendAhead` bytes are unwritten, else
   * as soon as that is so: the next chunk is prepared while these are written, instead of after
   * (a pipe takes 64 KiB at a time, so a page of 450 KB written and waited for took seven turns
   * of the event loop, each behind the decoding of other pages). A failure to write them
   * surfaces on a later `send`, `write` or `flush`.
   */
  readonly send: (bytes: Uint8Array) => Effect.Effect<void, BrokenPipe>
  /** Waits until everything handed over has been written. */
  readonly flush: Effect.Effect<void, BrokenPipe>
  /** True when the destination is a terminal (the default format is then `table`). */
  readonly isTTY: boolean
}

export class Stdout extends Context.Tag("@rosterkit/cli/Stdout")<Stdout, Writer>() {}

/** The subset of a Node Writable the writer uses. */
export interface NodeWritable {
  readonly isTTY?: boolean | undefined
  /** Bytes handed to the stream and not yet written. */
  readonly writableLength: number
  write(chunk: string | Uint8Array, callback: (error?: Error | null) => void): boolean
  on(event: "error", listener: (error: Error & { readonly code?: string }) => void): unknown
}

/** Bytes `send` lets the destination hold unwritten beyond one chunk (a few pages of users). */
export const sendAhead = 4 * 1024 * 1024

/**
 * A writer over a Node stream. It counts the chunks handed over and not yet written (their
 * callbacks, which a Node stream calls in order) and wakes whoever waits at each callback and on
 * an error; EPIPE and other stream errors become BrokenPipe.
 */
export const fromWritable = (stream: NodeWritable): Writer => {
  let broken: BrokenPipe | undefined
  let unwritten = 0
  const waiting = new Set<() => void>()
  const wake = () => {
    for (const check of waiting) check()
  }
  stream.on("error", (error) => {
    broken ??= new BrokenPipe({ code: error.code ?? error.message })
    wake()
  })
  const put = (chunk: string | Uint8Array): void => {
    unwritten++
    stream.write(chunk, () => {
      unwritten--
      wake()
    })
  }
  /** Completes once `ready()` holds, or fails once the stream has failed. */
  const until = (ready: () => boolean) =>
    Effect.async<void, BrokenPipe>((resume) => {
      const check = () => {
        if (broken === undefined && !ready()) return
        waiting.delete(check)
        resume(broken === undefined ? Effect.void : Effect.fail(broken))
      }
      waiting.add(check)
      check()
      return Effect.sync(() => waiting.delete(check))
    })
  const written = until(() => unwritten === 0)
  const room = until(() => unwritten <= 1 || stream.writableLength < sendAhead)
  const handOver = (chunk: string | Uint8Array, then: Effect.Effect<void, BrokenPipe>) =>
    Effect.suspend(() => {
      if (broken !== undefined) return Effect.fail(broken)
      put(chunk)
      return then
    })
  return {
    isTTY: stream.isTTY === true,
    write: (chunk) => handOver(chunk, written),
    send: (bytes) => handOver(bytes, room),
    flush: written
  }
}

/** `Stdout` as process.stdout. */
export const layer: Layer.Layer<Stdout> = Layer.sync(Stdout, () => fromWritable(process.stdout))

/**
 * Encodes a page of NDJSON: its lines as UTF-8 in one new buffer of the exact size, handed to
 * `send`. A page of text as one string is a large object of twice its size (UTF-16) that Node
 * then copies into a new buffer anyway: it outlived the young generation on every page
 * (~0.9 MB promoted a page of 1,000 users, 40 % of a pull's promotion, measured with V8's
 * sampling heap profiler). Here each line is encoded straight into the buffer, whose bytes live
 * outside V8's heap.
 */
export const ndjsonEncoder =
  <A>(line: (record: A) => string) =>
  (records: ReadonlyArray<A>): Uint8Array => {
    const lines = new Array<string>(records.length)
    let length = 0
    for (let i = 0; i < records.length; i++) {
      const text = line(records[i]!)
      lines[i] = text
      length += Buffer.byteLength(text) + 1
    }
    const buffer = Buffer.allocUnsafe(length)
    let at = 0
    for (const text of lines) {
      at += buffer.write(text, at)
      buffer[at++] = 0x0a
    }
    return buffer
  }

const utf8 = new TextDecoder()

/** `Stdout` collecting into an array of strings (tests). */
export const layerTest = (sink: Array<string>, isTTY = false): Layer.Layer<Stdout> => {
  const write = (text: string | Uint8Array) => Effect.sync(() => void sink.push(typeof text === "string" ? text : utf8.decode(text)))
  return Layer.succeed(Stdout, { isTTY, write, send: write, flush: Effect.void })
}

// ---------------------------------------------------------------------------------------------
// Fields and cells

const userFields = ["sourcedId", "givenName", "familyName", "role", "username", "email"]
const sessionFields = ["sourcedId", "title", "type", "startDate", "endDate"]
const orgFields = ["sourcedId", "name", "type", "identifier"]

/** The columns of each collection when `--fields` is not given. */
export const defaultFields: Readonly<Record<Model.EntityKind, ReadonlyArray<string>>> = {
  users: userFields,
  students: userFields,
  teachers: userFields,
  orgs: orgFields,
  schools: orgFields,
  classes: ["sourcedId", "title", "classCode", "location", "course", "school"],
  courses: ["sourcedId", "title", "courseCode", "org"],
  enrollments: ["sourcedId", "user", "class", "role", "primary"],
  academicSessions: sessionFields,
  terms: sessionFields,
  gradingPeriods: sessionFields,
  demographics: ["sourcedId", "birthDate", "sex"]
}

/** The value at a dotted path (`course.sourcedId`), or undefined. */
export const valueAt = (record: unknown, path: string): unknown => {
  if (record !== null && typeof record === "object" && path in record) return (record as Record<string, unknown>)[path]
  let current: unknown = record
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

const isRef = (value: unknown): value is { readonly sourcedId: string } =>
  value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as { sourcedId?: unknown }).sourcedId === "string"

/** A value as one cell: refs by sourcedId, lists comma-joined, objects as JSON, null/missing empty. */
export const cell = (value: unknown): string => {
  if (value === undefined || value === null) return ""
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  if (Array.isArray(value)) return value.map((item) => cell(item)).join(",")
  if (isRef(value)) return value.sourcedId
  return JSON.stringify(value)
}

/** One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF (quotes doubled). */
export const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text)

/** One CSV line, CRLF-terminated as RFC 4180 says. */
export const csvRow = (cells: ReadonlyArray<string>): string => `${cells.map(csvField).join(",")}\r\n`

/** Splits "a,b" and ["a", "b,c"] into field names. */
export const parseFields = (value: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  (typeof value === "string" ? [value] : value)
    .flatMap((part) => part.split(","))
    .map((part) => part.trim())
    .filter((part) => part !== "")

const project = (record: unknown, fields: ReadonlyArray<string>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    const value = valueAt(record, field)
    out[field] = value === undefined ? null : value
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Table layout

const maxCellWidth = 60
const tableBlock = 100

const fit = (text: string, width: number) => {
  const flat = text.replace(/[\r\n\t]+/g, " ")
  const cut = flat.length > maxCellWidth ? `${flat.slice(0, maxCellWidth - 1)}…` : flat
  return cut.padEnd(width)
}

const cellWidth = (text: string) => Math.min(maxCellWidth, text.replace(/[\r\n\t]+/g, " ").length)

const tableLine = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>) =>
  `${cells
    .map((c, i) => fit(c, widths[i] ?? 0))
    .join("  ")
    .trimEnd()}\n`

// ---------------------------------------------------------------------------------------------
// Writing

export interface Options {
  readonly format: Format
  /** The collection, for the default fields. */
  readonly entity: Model.EntityKind
  /** `--fields`; the entity's defaults when absent or empty. */
  readonly fields?: ReadonlyArray<string> | undefined
}

/** The format to use: the flag, else `table` on a terminal and `json` otherwise. */
export const chooseFormat = (flag: Format | undefined, isTTY: boolean): Format => flag ?? (isTTY ? "table" : "json")

/**
 * Writes `records` to `Stdout` in `options.format`, chunk by chunk (constant memory).
 * Returns the number of records written.
 */
export const write = <A, E, R>(records: Stream.Stream<A, E, R>, options: Options): Effect.Effect<number, E | BrokenPipe, R | Stdout> =>
  Effect.gen(function* () {
    const out = yield* Stdout
    const explicit = options.fields !== undefined && options.fields.length > 0 ? options.fields : undefined
    const fields = explicit ?? defaultFields[options.entity]
    let count = 0

    switch (options.format) {
      case "ndjson": {
        const line = explicit === undefined ? (r: A) => JSON.stringify(r) : (r: A) => JSON.stringify(project(r, explicit))
        const encode = ndjsonEncoder(line)
        // the next page is encoded while this one is written; all written before returning
        yield* Stream.runForEachChunk(records, (chunk) => {
          if (Chunk.isEmpty(chunk)) return Effect.void
          count += chunk.length
          return out.send(encode(Chunk.toReadonlyArray(chunk)))
        })
        yield* out.flush
        return count
      }
      case "json": {
        const item = explicit === undefined ? (r: A) => JSON.stringify(r) : (r: A) => JSON.stringify(project(r, explicit))
        yield* Stream.runForEachChunk(records, (chunk) => {
          if (Chunk.isEmpty(chunk)) return Effect.void
          const body = Chunk.join(Chunk.map(chunk, item), ",\n")
          const text = count === 0 ? `[\n${body}` : `,\n${body}`
          count += chunk.length
          return out.write(text)
        })
        yield* out.write(count === 0 ? "[]\n" : "\n]\n")
        return count
      }
      case "csv": {
        yield* out.write(csvRow(fields))
        yield* Stream.runForEachChunk(records, (chunk) => {
          if (Chunk.isEmpty(chunk)) return Effect.void
          count += chunk.length
          return out.write(Chunk.join(Chunk.map(chunk, (r) => csvRow(fields.map((f) => cell(valueAt(r, f))))), ""))
        })
        return count
      }
      case "table": {
        const widths = fields.map((f) => cellWidth(f))
        let pending: Array<ReadonlyArray<string>> = []
        let headerWritten = false
        const flush = () => {
          if (pending.length === 0 && headerWritten) return Effect.void
          for (const row of pending) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, cellWidth(c))))
          let text = ""
          if (!headerWritten) {
            text += tableLine(fields, widths)
            text += `${widths.map((w) => "-".repeat(w)).join("  ")}\n`
            headerWritten = true
          }
          for (const row of pending) text += tableLine(row, widths)
          pending = []
          return out.write(text)
        }
        yield* Stream.runForEachChunk(records, (chunk) => {
          for (const r of chunk) pending.push(fields.map((f) => cell(valueAt(r, f))))
          count += chunk.length
          return pending.length >= tableBlock ? flush() : Effect.void
        })
        yield* flush()
        return count
      }
    }
  })

/** `--count`: runs the stream to the end and prints only the number. */
export const writeCount = <A, E, R>(records: Stream.Stream<A, E, R>): Effect.Effect<number, E | BrokenPipe, R | Stdout> =>
  Effect.gen(function* () {
    const out = yield* Stdout
    const count = yield* Stream.runCount(records)
    yield* out.write(`${count}\n`)
    return count
  })

/** The output flags of a data command. */
export interface Flags {
  readonly format: Option.Option<Format>
  readonly count: boolean
  readonly fields: ReadonlyArray<string>
}

/**
 * Writes `records` as the output flags say (`--count`, `--format`, `--fields`); `onRecords` is
 * told how many records went by (the progress line). Returns the number of records.
 */
export const emit = <A, E, R>(
  records: Stream.Stream<A, E, R>,
  flags: Flags,
  entity: Model.EntityKind,
  onRecords: (n: number) => Effect.Effect<void> = () => Effect.void
): Effect.Effect<number, E | BrokenPipe, R | Stdout> =>
  Effect.gen(function* () {
    const out = yield* Stdout
    const counted = Stream.mapChunksEffect(records, (chunk) => Effect.as(onRecords(chunk.length), chunk))
    if (flags.count) return yield* writeCount(counted)
    const format = chooseFormat(Option.getOrUndefined(flags.format), out.isTTY)
    return yield* write(counted, { format, entity, fields: parseFields(flags.fields) })
  })
