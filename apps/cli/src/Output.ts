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
   * Writes `text` (or UTF-8 bytes), waiting while the destination is full. Once it has
   * completed, the destination is done with what it was given: bytes may be reused.
   */
  readonly write: (text: string | Uint8Array) => Effect.Effect<void, BrokenPipe>
  /** True when the destination is a terminal (the default format is then `table`). */
  readonly isTTY: boolean
}

export class Stdout extends Context.Tag("@rosterkit/cli/Stdout")<Stdout, Writer>() {}

/** The subset of a Node Writable the writer uses. */
export interface NodeWritable {
  readonly isTTY?: boolean | undefined
  write(chunk: string | Uint8Array, callback: (error?: Error | null) => void): boolean
  once(event: "drain", listener: () => void): unknown
  on(event: "error", listener: (error: Error & { readonly code?: string }) => void): unknown
  off(event: "drain", listener: () => void): unknown
}

/**
 * A writer over a Node stream: a write completes once the stream has written the chunk (its
 * callback) and, when the stream asked for it, drained ('drain'); EPIPE becomes BrokenPipe.
 */
export const fromWritable = (stream: NodeWritable): Writer => {
  let broken: BrokenPipe | undefined
  const waiting = new Set<() => void>()
  stream.on("error", (error) => {
    broken ??= new BrokenPipe({ code: error.code ?? error.message })
    for (const wake of waiting) wake()
    waiting.clear()
  })
  return {
    isTTY: stream.isTTY === true,
    write: (chunk) =>
      Effect.async<void, BrokenPipe>((resume) => {
        if (broken !== undefined) return resume(Effect.fail(broken))
        let written = false
        let full = false
        let done = false
        const finish = () => {
          if (done || (broken === undefined && (!written || full))) return
          done = true
          waiting.delete(finish)
          stream.off("drain", drained)
          resume(broken === undefined ? Effect.void : Effect.fail(broken))
        }
        const drained = () => {
          full = false
          finish()
        }
        waiting.add(finish)
        const accepted = stream.write(chunk, () => {
          written = true
          finish()
        })
        if (!accepted && !done) {
          full = true
          stream.once("drain", drained)
        }
        return Effect.sync(() => {
          waiting.delete(finish)
          stream.off("drain", drained)
        })
      })
  }
}

/** `Stdout` as process.stdout. */
export const layer: Layer.Layer<Stdout> = Layer.sync(Stdout, () => fromWritable(process.stdout))

/**
 * Encodes pages of NDJSON: the lines of a page as UTF-8 in one buffer, reused from page to page
 * (each result is valid until the next call). A page of text as one string is a large object
 * of twice its size (UTF-16) that Node then copies into a new buffer anyway: it outlived the
 * young generation on every page (~0.9 MB promoted a page of 1,000 users, 40 % of a pull's
 * promotion, measured with V8's sampling heap profiler), and a fresh buffer a page churns
 * malloc. Here each line is encoded straight into the buffer.
 */
export const ndjsonEncoder = <A>(line: (record: A) => string) => {
  let buffer = Buffer.allocUnsafe(0)
  return (records: ReadonlyArray<A>): Uint8Array => {
    const lines = new Array<string>(records.length)
    let length = 0
    for (let i = 0; i < records.length; i++) {
      const text = line(records[i]!)
      lines[i] = text
      length += Buffer.byteLength(text) + 1
    }
    if (buffer.length < length) buffer = Buffer.allocUnsafe(Math.max(length, buffer.length * 2))
    let at = 0
    for (const text of lines) {
      at += buffer.write(text, at)
      buffer[at++] = 0x0a
    }
    return buffer.subarray(0, at)
  }
}

const utf8 = new TextDecoder()

/** `Stdout` collecting into an array of strings (tests). */
export const layerTest = (sink: Array<string>, isTTY = false): Layer.Layer<Stdout> =>
  Layer.succeed(Stdout, { isTTY, write: (text) => Effect.sync(() => void sink.push(typeof text === "string" ? text : utf8.decode(text))) })

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
        // a page's buffer is reused for the next once the write has completed
        yield* Stream.runForEachChunk(records, (chunk) => {
          if (Chunk.isEmpty(chunk)) return Effect.void
          count += chunk.length
          return out.write(encode(Chunk.toReadonlyArray(chunk)))
        })
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
