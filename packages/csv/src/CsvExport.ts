/**
 * Writes any provider's roster as a OneRoster 1.1 or 1.2 CSV set — a folder or a .zip, manifest
 * included — so a Clever or ClassLink district can be snapshotted to CSV and read back by
 * CsvProvider with the same answers. A bulk set leaves status and dateLastModified blank (as
 * the standard asks and importers such as D2L's require); a delta set (`since`) fills them.
 * 1.2 writes users.csv without role / orgSourcedIds, with roles.csv and userProfiles.csv
 * beside it (all three from one pass over the users). Records' `metadata` becomes
 * `metadata.<key>` columns (sorted; non-string values as JSON text), appended to a file once its
 * last record is known.
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
import { ConfigurationError, DecodeError, type RosterError } from "@rosterkit/core/RosterError"
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
  /** The OneRoster version written (default "1.1"). */
  readonly version?: Model.Version | undefined
}

export interface Result {
  /** Rows written per file (`users`, `classes` …, and 1.2's `roles`, `userProfiles`); files the provider cannot list are absent. */
  readonly files: Readonly<Partial<Record<CsvSchema.FileName | "roles" | "userProfiles", number>>>
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

/** 1.2's manifest adds these (and more that rosterkit never writes, listed as absent). */
const manifestFiles12: ReadonlyArray<string> = [
  "academicSessions",
  "categories",
  "classes",
  "classResources",
  "courses",
  "courseResources",
  "demographics",
  "enrollments",
  "lineItemLearningObjectiveIds",
  "lineItems",
  "lineItemScoreScales",
  "orgs",
  "resources",
  "resultLearningObjectiveIds",
  "results",
  "resultScoreScales",
  "roles",
  "scoreScales",
  "userProfiles",
  "userResources",
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

/** As `io`, but a record whose metadata cannot be written is a DecodeError naming the record and the key. */
const writeRows = (provider: string, label: string, run: () => Promise<void>): Effect.Effect<void, ConfigurationError | DecodeError> =>
  Effect.tryPromise({
    try: run,
    catch: (error) =>
      error instanceof CsvSchema.MetadataKeyError
        ? new DecodeError({ provider, operation: `export ${label}`, source: `${provider} ${label.replace(/\.csv$/, "")}`, record: error.record, detail: error.message })
        : new ConfigurationError({ provider: "csv", operation: `write ${label}`, setting: "out", reason: error instanceof Error ? error.message : String(error) })
  })

/** One file written from a stream of records: its header and the rows of each record. */
interface Output {
  readonly path: string
  readonly header: ReadonlyArray<string>
  readonly rows: (record: Model.Entity) => ReadonlyArray<ReadonlyArray<string>>
  /** The file takes the records' `metadata.<key>` columns (each row: its record's). */
  readonly metadata?: boolean
}

/**
 * Streams records to one or more files at once (1.2 users feed three): the rows written to each,
 * how many records were read, and how many had no dateLastModified.
 */
const writeFiles = (
  provider: string,
  label: string,
  outputs: ReadonlyArray<Output>,
  records: Stream.Stream<Model.Entity, RosterError>
): Effect.Effect<{ readonly counts: ReadonlyArray<number>; readonly records: number; readonly undated: number }, RosterError> =>
  Effect.acquireUseRelease(
    Effect.sync(() => outputs.map((o) => ({ writer: Writer.open(o.path), extra: o.metadata === true ? Writer.extraColumns(o.path) : undefined }))),
    (files) =>
      Effect.gen(function* () {
        const operation = `write ${label}`
        yield* io(operation, async () => {
          for (const [i, file] of files.entries()) await file.writer.write(outputs[i]!.header)
        })
        const counts = outputs.map(() => 0)
        let undated = 0
        let read = 0
        yield* Stream.runForEachChunk(records, (chunk) =>
          writeRows(provider, label, async () => {
            for (const record of chunk) {
              read++
              if (Since.isUndated(record)) undated++
              for (const [i, output] of outputs.entries()) {
                const { extra, writer } = files[i]!
                for (const row of output.rows(record)) {
                  counts[i]!++
                  const wait = writer.write(row)
                  if (wait !== undefined) await wait
                  if (extra !== undefined) {
                    const more = extra.add(CsvSchema.metadataCells(record))
                    if (more !== undefined) await more
                  }
                }
              }
            }
          })
        )
        yield* io(operation, () => Promise.all(files.map((f) => f.writer.close())))
        yield* io(operation, () => Promise.all(files.map((f) => f.extra?.finish())))
        return { counts, records: read, undated }
      }),
    (files, exit) =>
      Exit.isSuccess(exit)
        ? Effect.void
        : Effect.sync(() =>
            files.forEach((f) => {
              f.writer.destroy()
              f.extra?.destroy()
            })
          )
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
 * Writes `provider`'s roster as a OneRoster CSV set (1.1 unless `version` says 1.2) at
 * `options.out` (a folder, or a zip when it ends in `.zip`): manifest.csv, academicSessions,
 * orgs, courses, classes, users (1.2: and roles, userProfiles), enrollments, and demographics
 * when the provider has them. A collection the provider cannot list (not in its capabilities,
 * or Unsupported) is `absent` in the manifest. Bulk files leave status and dateLastModified
 * blank; with `since`, only records modified after it are written, the files are marked
 * `delta` and status and dateLastModified are filled.
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
      const files: Partial<Record<CsvSchema.FileName | "roles" | "userProfiles", number>> = {}
      const undated: Partial<Record<CsvSchema.FileName, number>> = {}
      const version = options.version ?? "1.1"
      const bulk = options.since === undefined
      for (const file of CsvSchema.fileNames) {
        const records = recordsOf(provider, file, options.since)
        if (records === undefined) continue
        const output = (name: string, header: ReadonlyArray<string>, rows: Output["rows"], metadata = false) => ({
          name,
          output: { path: nodePath.join(temporary, `${name}.csv`), header, rows, metadata } satisfies Output
        })
        // The file of the records themselves takes their metadata.<key> columns (roles.csv and
        // userProfiles.csv rows are parts of a user: its metadata goes to users.csv).
        const single = (columns: ReadonlyArray<string>) => {
          const encode = CsvSchema.encoder(file, { columns, bulk }) as (record: Model.Entity) => Array<string>
          // 1.1: a user holding several roles is a row per role.
          const rows = file === "users" ? (record: Model.Entity) => CsvSchema.users11(record as Model.User).map(encode) : (record: Model.Entity) => [encode(record)]
          return output(file, columns, rows, true)
        }
        const users12 = () => {
          // The three files' rows of a user, computed once per user (the outputs ask in turn).
          const split = CsvSchema.users12({ bulk })
          let last: Model.Entity | undefined
          let rows: CsvSchema.UserRows12 | undefined
          const of = (user: Model.Entity) => {
            if (user !== last) {
              last = user
              rows = split(user as Model.User)
            }
            return rows!
          }
          return [
            output("users", CsvSchema.usersColumns12, (user) => of(user).users, true),
            output("roles", CsvSchema.rolesColumns, (user) => of(user).roles),
            output("userProfiles", CsvSchema.userProfilesColumns, (user) => of(user).profiles)
          ]
        }
        const targets = version === "1.2" && file === "users" ? users12() : [single(CsvSchema.columns[file])]
        const written = yield* writeFiles(provider.name, `${file}.csv`, targets.map((t) => t.output), records).pipe(
          Effect.catchTag("Unsupported", () =>
            Effect.as(
              io(`remove ${file}.csv`, () => Promise.all(targets.map((t) => fs.promises.rm(t.output.path, { force: true })))),
              undefined
            )
          )
        )
        if (written === undefined) continue
        // A delta read keeps undated records: a file of only undated records is the whole collection.
        // (Records, not rows: a 1.1 user with several roles is several rows, a person listed
        // twice one 1.2 users.csv row.)
        const whole = bulk || (written.records > 0 && written.undated === written.records)
        if (!bulk && written.undated > 0) undated[file] = written.undated
        targets.forEach((t, i) => {
          files[t.name as CsvSchema.FileName] = written.counts[i]!
          statuses.set(t.name, whole ? "bulk" : "delta")
        })
      }
      const manifest: Array<ReadonlyArray<string>> = [
        ["propertyName", "value"],
        ["manifest.version", "1.0"],
        ["oneroster.version", version],
        ...(version === "1.2" ? manifestFiles12 : manifestFiles).map((name) => [`file.${name}`, statuses.get(name) ?? "absent"]),
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
