/**
 * `rosterkit users --queries FILE`: many user queries in one run, one a line, in either form:
 *
 *     courses::Art / Design::students                        group kind::name::role (role optional)
 *     {"group": "classes", "name": "302", "matchOn": ["location"], "role": "teachers", "max": 50}
 *
 * Blank lines and lines starting with `#` are skipped. A line without a role takes `--role`.
 * With three parts or more, the first is the kind, the last the role (or empty) and the rest,
 * joined back with "::", the name. Every record is tagged with its query's label,
 * `kind::name::role` — the form sync tools use — whichever form the line was written in.
 *
 * The queries run through one QueryEngine, so each group kind is listed once for the whole run,
 * several queries at a time within the engine's one concurrency bound; each query's users are
 * collected (they are a group's members) and written in file order.
 */
import * as Query from "@rosterkit/core/Query"
import { InvalidQuery } from "@rosterkit/core/RosterError"
import * as Effect from "effect/Effect"

/** One query of the file. */
export interface Entry {
  /** 1-based line number in the file. */
  readonly line: number
  /** `kind::name::role`: the `query` field / column of its records. */
  readonly label: string
  readonly query: Query.Query
}

const invalid = (file: string, line: number, reason: string) =>
  new InvalidQuery({ provider: "rosterkit", operation: "read --queries", field: "queries", reason: `${file} line ${line}: ${reason}` })

const isRole = (value: string): value is Query.Role => (Query.roles as ReadonlyArray<string>).includes(value)

const fromJson = (text: string): Query.QueryInput | string => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return `not valid JSON (${error instanceof Error ? error.message : String(error)})`
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "a JSON line must be an object like {\"group\": \"classes\", \"name\": \"…\"}"
  const record = value as Record<string, unknown>
  const known = new Set(["group", "name", "role", "matchOn", "max"])
  const unknown = Object.keys(record).filter((k) => !known.has(k))
  if (unknown.length > 0) return `unknown key ${unknown.map((k) => `"${k}"`).join(", ")} (keys: group, name, role, matchOn, max)`
  for (const key of ["group", "name", "role"] as const) {
    if (record[key] !== undefined && typeof record[key] !== "string") return `"${key}" must be a string`
  }
  const matchOn = record["matchOn"]
  if (matchOn !== undefined && typeof matchOn !== "string" && !(Array.isArray(matchOn) && matchOn.every((f) => typeof f === "string"))) {
    return `"matchOn" must be a string or an array of strings`
  }
  if (record["max"] !== undefined && typeof record["max"] !== "number") return `"max" must be a number`
  if (record["group"] === undefined) return `"group" is required (classes, courses or schools)`
  return {
    group: record["group"] as string,
    name: record["name"] as string | undefined,
    role: record["role"] as string | undefined,
    matchOn: matchOn as string | ReadonlyArray<string> | undefined,
    max: record["max"] as number | undefined
  }
}

const fromText = (text: string): Query.QueryInput | string => {
  const parts = text.split("::")
  if (parts.length < 2) return `expected kind::name::role (e.g. courses::Algebra I::students) or a JSON object, got '${text}'`
  if (parts.length === 2) return { group: parts[0]!.trim(), name: parts[1]! }
  const role = parts[parts.length - 1]!.trim()
  if (role !== "" && !isRole(role)) return `'${role}' is not a role; use one of ${Query.roles.join(", ")} (or leave it out)`
  return { group: parts[0]!.trim(), name: parts.slice(1, -1).join("::"), role: role === "" ? undefined : role }
}

/** The queries of `text` (the file named `file`), each with its line number and label. */
export const parse = (text: string, file: string, defaultRole: Query.Role): Effect.Effect<ReadonlyArray<Entry>, InvalidQuery> =>
  Effect.gen(function* () {
    const entries: Array<Entry> = []
    const lines = text.split(/\r?\n/)
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!.replace(/^\uFEFF/, "").trim()
      if (raw === "" || raw.startsWith("#")) continue
      const input = raw.startsWith("{") ? fromJson(raw) : fromText(raw)
      if (typeof input === "string") return yield* invalid(file, i + 1, input)
      const query = yield* Query.make({ ...input, role: input.role ?? defaultRole }).pipe(
        Effect.mapError((error) => invalid(file, i + 1, `${error.field}: ${error.reason}`))
      )
      const group = query.group!
      entries.push({ line: i + 1, label: `${group.kind}::${group.name}::${query.role}`, query })
    }
    if (entries.length === 0) return yield* new InvalidQuery({ provider: "rosterkit", operation: "read --queries", field: "queries", reason: `${file} has no queries` })
    return entries
  })

/** `record` with the `query` field set to `label` (first, so it reads well in JSON). */
export const tag = <A extends object>(record: A, label: string): A & { readonly query: string } =>
  Object.assign({ query: label }, record, { query: label })
