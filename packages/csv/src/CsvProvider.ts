/**
 * `RosterProvider` over a OneRoster 1.1 or 1.2 CSV bulk set (a folder or a .zip).
 *
 * Each collection streams its file: students / teachers are the users holding that role (1.2:
 * in any of their roles),
 * schools are orgs.csv rows of type school, terms / gradingPeriods are academicSessions.csv rows
 * of that type. The group primitives are RosterProvider.make's defaults, which do exactly what a
 * CSV set allows: members of a class from enrollments.csv (the class's user ids, then users.csv),
 * members of a school from users' orgSourcedIds, classes of a course from classes.csv. Nothing
 * is cached: every stream reads its file again, in constant memory.
 *
 *     const provider = CsvProvider.make({ path: "district.zip" })
 *     Effect.provide(program, CsvProvider.layer({ path: "district.zip" }))
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Model from "@rosterkit/core/Model"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import type { RosterError } from "@rosterkit/core/RosterError"
import type * as CsvSchema from "./CsvSchema.js"
import * as CsvSource from "./CsvSource.js"

export interface Options {
  /** A folder holding manifest.csv, users.csv, … or a .zip of them. */
  readonly path: string
}

/** The file each collection is read from, and which of its rows belong to the collection. */
const sourceOf: {
  readonly [K in Model.EntityKind]: { readonly file: CsvSchema.FileName; readonly keep?: (record: Record<string, unknown>) => boolean }
} = (() => {
  const is = (field: string, value: string) => (record: Record<string, unknown>) => {
    const v = record[field]
    return typeof v === "string" && v.toLowerCase() === value.toLowerCase()
  }
  return {
    users: { file: "users" },
    // A 1.2 user holding the role in any of its roles belongs (a teacher who is also a student: both).
    students: { file: "users", keep: (r) => Model.hasRole(r as unknown as Model.User, "student") },
    teachers: { file: "users", keep: (r) => Model.hasRole(r as unknown as Model.User, "teacher") },
    orgs: { file: "orgs" },
    schools: { file: "orgs", keep: is("type", "school") },
    classes: { file: "classes" },
    courses: { file: "courses" },
    enrollments: { file: "enrollments" },
    academicSessions: { file: "academicSessions" },
    terms: { file: "academicSessions", keep: is("type", "term") },
    gradingPeriods: { file: "academicSessions", keep: is("type", "gradingPeriod") },
    demographics: { file: "demographics" }
  }
})()

/** The records of one collection, straight from its file (no filter / since). */
const entities = <K extends Model.EntityKind>(path: string, kind: K): Stream.Stream<Model.EntityOf<K>, RosterError> => {
  const { file, keep } = sourceOf[kind]
  const records = CsvSource.stream(path, file) as Stream.Stream<unknown, RosterError>
  const kept = keep === undefined ? records : Stream.filter(records, (r) => keep(r as Record<string, unknown>))
  return kept as Stream.Stream<Model.EntityOf<K>, RosterError>
}

/** The provider over the set at `options.path`. Opens nothing until a stream runs. */
export const make = (options: Options): RosterProvider.Service =>
  RosterProvider.make({
    name: "csv",
    capabilities: {
      groupFilter: false,
      entityFilter: false,
      groupById: false,
      pageSize: Number.MAX_SAFE_INTEGER,
      entities: Model.entityKinds
    },
    entities: (kind) => entities(options.path, kind)
  })

/** What the set holds: version, bulk / delta / absent per file, and notes (ignored 1.2 files …). */
export const describe = (path: string): Effect.Effect<CsvSource.Description, RosterError> => CsvSource.describe(path)

/** `RosterProvider` over the set at `options.path`. */
export const layer = (options: Options): Layer.Layer<RosterProvider.RosterProvider> =>
  Layer.succeed(RosterProvider.RosterProvider, make(options))

/** `RosterProvider` over the set whose path comes from config, e.g. `Config.string("ROSTERKIT_CSV_PATH")`. */
export const layerConfig = (config: Config.Config.Wrap<Options>): Layer.Layer<RosterProvider.RosterProvider, ConfigError.ConfigError> =>
  Layer.effect(RosterProvider.RosterProvider, Effect.map(Config.unwrap(config), make))

/**
 * The records of one collection as an AsyncIterable, for code that does not use Effect.
 * Throws the RosterError (a DecodeError naming file, line and column) on bad data.
 *
 *     for await (const user of readCsvSet("district.zip", "students")) console.log(user.givenName)
 */
export const readCsvSet = <K extends Model.EntityKind>(path: string, kind: K): AsyncIterable<Model.EntityOf<K>> =>
  Stream.toAsyncIterable(entities(path, kind))
