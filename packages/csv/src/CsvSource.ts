/**
 * A OneRoster CSV bulk set on disk, a folder or a .zip: its manifest, and the records of one
 * file as a Stream. Nothing is read whole: every file is parsed as it streams (zip entries
 * through yauzl, one at a time), so a million-row users.csv is read in constant memory.
 *
 * Tolerant where the standard is loose (column order and case, BOM, CRLF, quoted list cells,
 * blank lines, empty files, a missing manifest, files a 1.2 set adds); strict where data would
 * be lost: an unknown or unnamed header, a missing required column, a row with the wrong number
 * of cells, a manifest naming a file that is not there, an unreadable cell — each a DecodeError
 * whose `source` names the file, line and column ("users.csv line 12 column role").
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Matcher from "@rosterkit/core/Matcher"
import type * as Model from "@rosterkit/core/Model"
import { ConfigurationError, DecodeError, type RosterError } from "@rosterkit/core/RosterError"
import * as CsvSchema from "./CsvSchema.js"
import * as Files from "./internal/files.js"

/** How the manifest lists a file: a full snapshot, changes only, or not part of the set. */
export type FileStatus = "bulk" | "delta" | "absent"

/** What a set holds, for reporting (`rosterkit` prints it) and for reading. */
export interface Description {
  readonly path: string
  /** `oneroster.version` of the manifest ("1.1" when there is no manifest). */
  readonly version: string
  /** The status of each rostering file rosterkit reads. */
  readonly files: { readonly [F in CsvSchema.FileName]: FileStatus }
  /** True when any file is a delta (changes since the previous export, not a snapshot). */
  readonly delta: boolean
  /** What was tolerated or ignored: 1.2 files skipped, files the manifest forgot, … */
  readonly notes: ReadonlyArray<string>
}

const provider = "csv"

/** Files a 1.2 set has that 1.1 does not (ignored, except roles.csv and userProfiles.csv: parts of users). */
const only12 = new Set(
  [
    "roles",
    "userProfiles",
    "userResources",
    "scoreScales",
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "resultLearningObjectiveIds",
    "resultScoreScales"
  ].map((f) => f.toLowerCase())
)
/** 1.1 files that are not rostering (gradebook, resources): ignored. */
const notRostering = new Set(["categories", "classResources", "courseResources", "lineItems", "resources", "results"].map((f) => f.toLowerCase()))

const labelOf = (name: string) => name.slice(name.lastIndexOf("/") + 1)

/**
 * Checks a header row against the known columns: names matched trimmed and case-insensitively,
 * in any order, plus any `metadata.<name>` extension column. Returns the canonical names,
 * position for position.
 */
const checkHeader = (
  label: string,
  cells: ReadonlyArray<string>,
  known: ReadonlyArray<string>,
  required: ReadonlyArray<string>,
  line: number
): ReadonlyArray<string> => {
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k] as const))
  const seen = new Set<string>()
  const names = cells.map((raw, i) => {
    const name = raw.trim()
    if (name === "") throw new Files.FileError("decode", `${label} line ${line} column ${i + 1}`, `column ${i + 1} has no name`)
    const canonical = byLower.get(name.toLowerCase()) ?? (CsvSchema.isMetadataColumn(name) ? name : undefined)
    if (canonical === undefined) {
      const near = Matcher.nearest(name, known, 2)
      const hint = Option.isSome(near) ? `; did you mean '${near.value}'?` : ""
      throw new Files.FileError(
        "decode",
        `${label} line ${line} column ${name}`,
        `unknown column '${name}' (column ${i + 1})${hint} Known columns: ${known.join(", ")}`
      )
    }
    if (seen.has(canonical)) throw new Files.FileError("decode", `${label} line ${line} column ${name}`, `column '${canonical}' appears twice`)
    seen.add(canonical)
    return canonical
  })
  for (const column of required) {
    if (!seen.has(column)) throw new Files.FileError("decode", `${label} line ${line}`, `missing required column '${column}'`)
  }
  return names
}

interface Inspected {
  readonly set: Files.SetFiles
  readonly description: Description
  readonly is12: boolean
}

const inspect = async (location: string): Promise<Inspected> => {
  const set = await Files.list(location)
  const notes: Array<string> = []
  const entries = new Map<string, { readonly status: FileStatus; readonly line: number }>()
  let version = "1.1"
  const manifestName = set.files.get("manifest.csv")
  if (manifestName === undefined) {
    const known = CsvSchema.fileNames.filter((f) => set.files.has(`${f.toLowerCase()}.csv`))
    if (known.length === 0) {
      throw new Files.FileError("config", location, "no OneRoster CSV files here (expected manifest.csv, users.csv, …)")
    }
    notes.push("no manifest.csv: every OneRoster file present is read as bulk")
  } else {
    const label = labelOf(manifestName)
    let names: ReadonlyArray<string> | undefined
    let versionLine = 0
    let versionSeen = false
    for await (const batch of Files.rows(set, manifestName, label)) {
      for (const row of batch) {
        if (names === undefined) {
          names = checkHeader(label, row.cells, ["propertyName", "value"], ["propertyName", "value"], row.line)
          continue
        }
        if (row.cells.length !== names.length) {
          throw new Files.FileError("decode", `${label} line ${row.line}`, `${row.cells.length} cells, but the header has ${names.length} columns`)
        }
        const property = (row.cells[names.indexOf("propertyName")] ?? "").trim()
        const value = (row.cells[names.indexOf("value")] ?? "").trim()
        if (property === "oneroster.version") {
          version = value
          versionLine = row.line
          versionSeen = true
        } else if (property.startsWith("file.")) {
          const status = value === "" ? "absent" : value.toLowerCase()
          if (status !== "bulk" && status !== "delta" && status !== "absent") {
            throw new Files.FileError("decode", `${label} line ${row.line} column value`, `${property} is '${value}', not bulk, delta or absent`)
          }
          entries.set(property.slice(5).toLowerCase(), { status, line: row.line })
        }
      }
    }
    if (!versionSeen) notes.push("manifest.csv has no oneroster.version: read as 1.1")
    else if (version === "1.0") notes.push("oneroster.version 1.0: read as 1.1")
    else if (version !== "1.1" && version !== "1.2") {
      throw new Files.FileError("decode", `${label} line ${versionLine} column value`, `oneroster.version '${version}' is not 1.1 or 1.2`)
    }
    for (const [name, entry] of entries) {
      if (entry.status !== "absent" && !set.files.has(`${name}.csv`)) {
        throw new Files.FileError(
          "decode",
          `${label} line ${entry.line} column value`,
          `the manifest lists file.${name} as ${entry.status}, but the set has no ${name}.csv`
        )
      }
    }
  }
  const is12 = version === "1.2"
  const files = {} as { [F in CsvSchema.FileName]: FileStatus }
  for (const file of CsvSchema.fileNames) {
    const entry = entries.get(file.toLowerCase())
    const present = set.files.has(`${file.toLowerCase()}.csv`)
    if (entry === undefined || entry.status === "absent") {
      files[file] = present ? "bulk" : "absent"
      if (present && manifestName !== undefined) {
        notes.push(`${file}.csv is present but the manifest ${entry === undefined ? "does not list it" : "lists it as absent"}: read as bulk`)
      }
    } else {
      files[file] = entry.status
    }
  }
  const ours = new Set([...CsvSchema.fileNames.map((f) => f.toLowerCase()), "manifest"])
  for (const [lower, name] of set.files) {
    const base = lower.slice(0, -4)
    if (ours.has(base)) continue
    if (is12 && (base === "roles" || base === "userprofiles")) continue
    const why = only12.has(base) ? "OneRoster 1.2 only" : notRostering.has(base) ? "not a rostering file" : "not a OneRoster file"
    notes.push(`ignored ${labelOf(name)} (${why})`)
  }
  const delta = Object.values(files).some((s) => s === "delta")
  return { set, is12, description: { path: location, version, files, delta, notes } }
}

/** Reads a 1.2 part file (roles.csv / userProfiles.csv) row by row, each row through `use`. */
const readPart = async (
  set: Files.SetFiles,
  name: string,
  known: ReadonlyArray<string>,
  required: ReadonlyArray<string>,
  use: (cell: CsvSchema.Cell) => void
): Promise<void> => {
  const label = labelOf(name)
  let decodeRow: ((cells: ReadonlyArray<string>) => void) | undefined
  let width = 0
  for await (const batch of Files.rows(set, name, label)) {
    for (const row of batch) {
      if (decodeRow === undefined) {
        const names = checkHeader(label, row.cells, known, required, row.line)
        const index = new Map(names.map((n, i) => [n, i] as const))
        width = names.length
        decodeRow = (cells) =>
          use((column) => {
            const i = index.get(column)
            const value = i === undefined ? undefined : cells[i]
            return value === undefined || value.trim() === "" ? undefined : value
          })
        continue
      }
      if (row.cells.length !== width) {
        throw new Files.FileError("decode", `${label} line ${row.line}`, `${row.cells.length} cells, but the header has ${width} columns`)
      }
      try {
        decodeRow(row.cells)
      } catch (error) {
        if (error instanceof CsvSchema.CellError) throw new Files.FileError("decode", `${label} line ${row.line} column ${error.column}`, error.detail)
        throw error
      }
    }
  }
}

/** userSourcedId -> its roles (roles.csv, in file order) and profiles (userProfiles.csv), for a 1.2 set. */
const userParts = async (set: Files.SetFiles): Promise<Map<string, { roles: Array<Model.RoleAssignment>; userProfiles: Array<Model.UserProfile> }>> => {
  const index = new Map<string, { roles: Array<Model.RoleAssignment>; userProfiles: Array<Model.UserProfile> }>()
  const entry = (user: string) => {
    let found = index.get(user)
    if (found === undefined) index.set(user, (found = { roles: [], userProfiles: [] }))
    return found
  }
  const roles = set.files.get("roles.csv")
  if (roles !== undefined) {
    await readPart(set, roles, CsvSchema.rolesColumns, ["userSourcedId", "roleType", "role", "orgSourcedId"], (cell) => {
      const { role, userSourcedId } = CsvSchema.roleOfRow(cell)
      entry(userSourcedId).roles.push(role)
    })
  }
  const profiles = set.files.get("userprofiles.csv")
  if (profiles !== undefined) {
    await readPart(set, profiles, CsvSchema.userProfilesColumns, ["sourcedId", "userSourcedId", "profileType", "vendorId"], (cell) => {
      const { profile, userSourcedId } = CsvSchema.profileOfRow(cell)
      entry(userSourcedId).userProfiles.push(profile)
    })
  }
  return index
}

async function* records<F extends CsvSchema.FileName>(location: string, file: F): AsyncGenerator<ReadonlyArray<CsvSchema.RecordOf[F]>> {
  const { set, description, is12 } = await inspect(location)
  if (description.files[file] === "absent") return
  const name = set.files.get(`${file.toLowerCase()}.csv`)!
  const label = labelOf(name)
  let decode: ((cells: ReadonlyArray<string>) => CsvSchema.RecordOf[F]) | undefined
  let width = 0
  let idColumn = 0
  for await (const batch of Files.rows(set, name, label)) {
    const out: Array<CsvSchema.RecordOf[F]> = []
    for (const row of batch) {
      if (decode === undefined) {
        const known = [...CsvSchema.columns[file], ...(is12 ? (CsvSchema.columns12[file] ?? []) : [])]
        const hasParts = set.files.has("roles.csv") || set.files.has("userprofiles.csv")
        const useParts = is12 && file === "users" && hasParts
        const rolesFromFile = useParts && set.files.has("roles.csv") && !row.cells.some((c) => c.trim().toLowerCase() === "role")
        const required = rolesFromFile ? CsvSchema.required[file].filter((c) => c !== "role") : CsvSchema.required[file]
        const header = checkHeader(label, row.cells, known, required, row.line)
        const parts = useParts ? await userParts(set) : undefined
        decode = CsvSchema.decoder(file, header, parts === undefined ? undefined : (id) => parts.get(id))
        width = header.length
        idColumn = header.indexOf("sourcedId")
        continue
      }
      if (row.cells.length !== width) {
        throw new Files.FileError(
          "decode",
          `${label} line ${row.line}`,
          `${row.cells.length} cells, but the header has ${width} columns`,
          row.cells[idColumn]
        )
      }
      try {
        out.push(decode(row.cells))
      } catch (error) {
        if (error instanceof CsvSchema.CellError) {
          throw new Files.FileError("decode", `${label} line ${row.line} column ${error.column}`, error.detail, row.cells[idColumn])
        }
        throw error
      }
    }
    if (out.length > 0) yield out
  }
}

/** Maps a failure to the RosterError it is, once, at the package boundary. */
const toRosterError =
  (location: string, operation: string) =>
  (error: unknown): RosterError => {
    if (error instanceof Files.FileError) {
      return error.kind === "config"
        ? new ConfigurationError({ provider, operation, setting: "path", reason: `${error.where}: ${error.detail}` })
        : new DecodeError({
            provider,
            operation,
            source: error.where,
            detail: error.detail,
            ...(error.record === undefined || error.record === "" ? {} : { record: error.record })
          })
    }
    return new DecodeError({ provider, operation, source: location, detail: Files.message(error) })
  }

/** Reads the manifest and lists the set: version, each file's status, and notes. */
export const describe = (path: string): Effect.Effect<Description, RosterError> =>
  Effect.tryPromise({ try: () => inspect(path).then((i) => i.description), catch: toRosterError(path, `describe ${path}`) }).pipe(
    Effect.withSpan("CsvSource.describe")
  )

/**
 * The records of one file of the set at `path` (empty when the file is absent). Lazy and
 * streaming: nothing is opened until the stream runs, and `Stream.take` stops the reading.
 */
export const stream = <F extends CsvSchema.FileName>(path: string, file: F): Stream.Stream<CsvSchema.RecordOf[F], RosterError> =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(records(path, file), toRosterError(path, `read ${file}.csv from ${path}`)).pipe(Stream.flattenIterables)
  )
