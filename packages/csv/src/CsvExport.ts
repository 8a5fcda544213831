/**
 * Writes any provider's roster as a OneRoster 1.1 CSV bulk set — a folder or a .zip, manifest
 * included — so a Clever or ClassLink district can be snapshotted to CSV and read back by
 * CsvProvider with the same answers.
 *
 * Rows stream from the provider to disk (csv-stringify, with backpressure): memory stays flat
 * whatever the district's size. The set is written under a temporary name next to `out` and
 * renamed into place only when every file is complete, so a failed pull leaves no half set.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import type * as Model from "@rosterkit/core/Model"
import { ConfigurationError, type RosterError } from "@rosterkit/core/RosterError"
import type * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Since from "@rosterkit/core/Since"
import * as CsvSchema from "./CsvSchema.js"
import type * as CsvSource from "./CsvSource.js"
import * as Writer from "./internal/writer.js"

export interface Options {
  /** A folder (created or replaced) or a file ending in `.zip`. */
  readonly out: string
  /**
   * Write only records modified after this instant (an ISO 8601 date or timestamp, core `Since`);
   * the manifest marks the files `delta`, except a file whose every record has no
   * dateLastModified: the delta read keeps undated records, so such a file holds the whole
   * collection and is marked `bulk`.
   */
  readonly since?: string | undefined
}

export interface Result {
  /** Rows written per file (`users`, `classes` …); files the provider cannot list are absent. */
  readonly files: Readonly<Partial<Record<CsvSchema.FileName, number>>>
  /** The absolute path of the folder or zip written. */
  readonly out: string
  /** What the manifest says of each file written: `bulk` or `delta`. */
  readonly statuses: Readonly<Partial<Record<CsvSchema.FileName, CsvSource.FileStatus>>>
  /** With `since`: per file, how many rows had no dateLastModified (kept, changed or not). Files with none are absent. */
  readonly undated: Readonly<Partial<Record<CsvSchema.FileName, number>>>
}

/** The manifest's `file.*` lines, in the IMS samples' order; the ones we never write are absent. */
const manifestFiles: ReadonlyArray<string> = [
  "academicSessions",
  "categories",
  "classes",
  "classResources",
  "courses",
  "courseResources",
  "demographics",
  "enrollments",
  "lineItems",
  "orgs",
  "resources",
  "results",
  "users"
]

/** Where each file's records come from; a provider without the collection falls back to its parts. */
const recordsOf = (
  provider: RosterProvider.Service,
  file: CsvSchema.FileName,
  since: string | undefined
): Stream.Stream<Model.Entity, RosterError> | undefined => {
  const has = (kind: Model.EntityKind) => provider.capabilities.entities.includes(kind)
  const options = since === undefined ? undefined : { since }
  const first = (...alternatives: ReadonlyArray<ReadonlyArray<Model.EntityKind>>) => {
    const kinds = alternatives.find((kinds) => kinds.every(has))
    return kinds === undefined
      ? undefined
      : Stream.concatAll(Chunk.fromIterable(kinds.map((kind) => provider.entities(kind, options) as Stream.Stream<Model.Entity, RosterError>)))
  }
  switch (file) {
    case "users":
      return first(["users"], ["students", "teachers"])
    case "orgs":
      return first(["orgs"], ["schools"])
    case "academicSessions":
      return first(["academicSessions"], ["terms", "gradingPeriods"], ["terms"])
    default:
      return first([file])
  }
}

const io = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, ConfigurationError> =>
  Effect.tryPromise({
    try: run,
    catch: (error) =>
      new ConfigurationError({
        provider: "csv",
        operation,
        setting: "out",
        reason: error instanceof Error ? error.message : String(error)
      })
  })

/** Streams one file's rows to disk; the row count and how many rows had no dateLastModified. */
const writeFile = (
  file: CsvSchema.FileName,
  target: string,
  records: Stream.Stream<Model.Entity, RosterError>
): Effect.Effect<{ readonly count: number; readonly undated: number }, RosterError> =>
  Effect.acquireUseRelease(
    Effect.sync(() => Writer.open(target)),
    (writer) =>
      Effect.gen(function* () {
        const encode = CsvSchema.encoder(file) as (record: Model.Entity) => Array<string>
        const operation = `write ${file}.csv`
        yield* io(operation, async () => writer.write(CsvSchema.columns[file]))
        let count = 0
        let undated = 0
        yield* Stream.runForEachChunk(records, (chunk) =>
          io(operation, async () => {
            for (const record of chunk) {
              count++
              if (Since.isUndated(record)) undated++
              const wait = writer.write(encode(record))
              if (wait !== undefined) await wait
            }
          })
        )
        yield* io(operation, () => writer.close())
        return { count, undated }
      }),
    (writer, exit) => (Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => writer.destroy()))
  )

/** Moves the finished folder into place; an existing OneRoster set (or empty folder) is replaced. */
const placeDirectory = async (temporary: string, target: string): Promise<void> => {
  const existing = await fs.promises.stat(target).catch(() => undefined)
  if (existing === undefined) return fs.promises.rename(temporary, target)
  if (!existing.isDirectory()) throw new Error(`${target} exists and is not a folder`)
  const entries = await fs.promises.readdir(target)
  if (entries.length > 0 && !entries.some((e) => e.toLowerCase() === "manifest.csv")) {
    throw new Error(`${target} is a folder that holds something other than a OneRoster set; not replacing it`)
  }
  const old = `${temporary}.old`
  await fs.promises.rename(target, old)
  await fs.promises.rename(temporary, target)
  await fs.promises.rm(old, { recursive: true, force: true })
}

/**
 * Writes `provider`'s roster as a OneRoster 1.1 CSV set at `options.out` (a folder, or a zip when
 * it ends in `.zip`): manifest.csv, academicSessions, orgs, courses, classes, users, enrollments,
 * and demographics when the provider has them. A collection the provider cannot list (not in its
 * capabilities, or Unsupported) is `absent` in the manifest. With `since`, only records modified
 * after it (and records without a dateLastModified) are written and the files are marked
 * `delta`; a file whose every record is undated holds the whole collection and is marked `bulk`.
 */
export const exportSet = (provider: RosterProvider.Service, options: Options): Effect.Effect<Result, RosterError> =>
  Effect.gen(function* () {
    const target = nodePath.resolve(options.out)
    const asZip = /\.zip$/i.test(target)
    const parent = nodePath.dirname(target)
    yield* io(`create ${parent}`, () => fs.promises.mkdir(parent, { recursive: true }))
    const temporary = yield* io(`write ${target}`, () => fs.promises.mkdtemp(nodePath.join(parent, `.${nodePath.basename(target)}.tmp-`)))
    const temporaryZip = `${temporary}.zip`
    const cleanup = Effect.promise(async () => {
      await fs.promises.rm(temporary, { recursive: true, force: true })
      await fs.promises.rm(temporaryZip, { force: true })
    })
    const write = Effect.gen(function* () {
      const statuses = new Map<string, CsvSource.FileStatus>()
      const files: Partial<Record<CsvSchema.FileName, number>> = {}
      const undated: Partial<Record<CsvSchema.FileName, number>> = {}
      for (const file of CsvSchema.fileNames) {
        const records = recordsOf(provider, file, options.since)
        if (records === undefined) continue
        const path = nodePath.join(temporary, `${file}.csv`)
        const written = yield* writeFile(file, path, records).pipe(
          Effect.catchTag("Unsupported", () => Effect.as(io(`remove ${file}.csv`, () => fs.promises.rm(path, { force: true })), undefined))
        )
        if (written === undefined) continue
        files[file] = written.count
        // A delta read keeps undated records: a file of only undated records is the whole collection.
        const whole = options.since === undefined || (written.count > 0 && written.undated === written.count)
        statuses.set(file, whole ? "bulk" : "delta")
        if (options.since !== undefined && written.undated > 0) undated[file] = written.undated
      }
      const manifest: Array<ReadonlyArray<string>> = [
        ["propertyName", "value"],
        ["manifest.version", "1.0"],
        ["oneroster.version", "1.1"],
        ...manifestFiles.map((name) => [`file.${name}`, statuses.get(name) ?? "absent"]),
        ["source.systemCode", provider.name],
        ["source.systemName", "rosterkit"]
      ]
      yield* io("write manifest.csv", async () => {
        const writer = Writer.open(nodePath.join(temporary, "manifest.csv"))
        for (const row of manifest) await writer.write(row)
        await writer.close()
      })
      const written = ["manifest.csv", ...Object.keys(files).map((f) => `${f}.csv`)]
      if (asZip) {
        yield* io(`write ${target}`, async () => {
          await Writer.zip(temporary, written, temporaryZip)
          await fs.promises.rename(temporaryZip, target)
        })
        yield* cleanup
      } else {
        yield* io(`write ${target}`, () => placeDirectory(temporary, target))
      }
      return { files, out: target, statuses: Object.fromEntries(statuses) as Result["statuses"], undated } satisfies Result
    })
    return yield* write.pipe(Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : cleanup)))
  }).pipe(Effect.withSpan("CsvExport.exportSet"))
