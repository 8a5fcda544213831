/**
 * OneRoster list semantics over records the gateway already holds: `filter` (core Filter,
 * the same language every provider speaks), `sort` + `orderBy`, `fields`, `limit` / `offset`
 * paging, the `{"<collection>": [...]}` envelope, `X-Total-Count` and a `Link` header with next,
 * prev, first and last as absolute URLs. Every bad parameter is a 400 naming it.
 *
 * A `Dialect` says which OneRoster version is written: its error bodies and how a held record
 * is written (1.1: as held; 1.2: `@rosterkit/demo/OneRosterWire`'s 1.2 writer). Filter and sort
 * work on a record's `view` (1.1: as held; 1.2: the held record with its written fields over it,
 * so both `role='teacher'` and `roles.role='teacher'` select teachers), `fields` on the written
 * records, and only the page served is written.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Filter from "@rosterkit/core/Filter"
import * as Model from "@rosterkit/core/Model"
import * as OneRosterWire from "@rosterkit/demo/OneRosterWire"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as StatusInfo from "./StatusInfo.js"

export const defaultLimit = 100
export const maxLimit = 10_000

type Row = Readonly<Record<string, unknown>>

/** What a OneRoster version writes. */
export interface Dialect {
  readonly errors: StatusInfo.Errors
  /** A held record of `kind` as this version writes it. */
  readonly write: (kind: Model.EntityKind, record: unknown) => unknown
  /** What `filter` and `sort` see of a held record. */
  readonly view: (kind: Model.EntityKind, record: unknown) => unknown
}

/** OneRoster 1.1: statusInfoSet errors, records as held. */
export const v1p1: Dialect = { errors: StatusInfo.v1p1, write: (_, record) => record, view: (_, record) => record }

/** Does a value hold a reference with a non-empty href (a 1.2 SIS's records do)? */
const hasHref = (value: unknown): boolean => {
  if (Array.isArray(value)) return value.some(hasHref)
  if (value === null || typeof value !== "object") return false
  for (const [key, v] of Object.entries(value)) {
    if (key === "metadata") continue
    if ((key === "href" && typeof v === "string" && v !== "") || hasHref(v)) return true
  }
  return false
}

/** The value with each reference's href pointing at `baseUrl`'s record instead (the SIS's URLs stay private). */
const rebase = (value: unknown, baseUrl: string): unknown => {
  if (Array.isArray(value)) return value.map((v) => rebase(v, baseUrl))
  if (value === null || typeof value !== "object") return value
  const record = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(record)) out[key] = key === "metadata" ? v : rebase(v, baseUrl)
  // An empty href (as ClassLink sends) says nothing: kept as it is.
  if (typeof record["href"] === "string" && record["href"] !== "" && typeof record["sourcedId"] === "string" && typeof record["type"] === "string") {
    out["href"] = `${baseUrl}/${OneRosterWire.collectionOfType(record["type"])}/${encodeURIComponent(record["sourcedId"])}`
  }
  return out
}

// 1.1 records whose references carry hrefs (from a 1.2 SIS), rewritten once per base URL and record.
const rebasedV1p1 = new Map<string, WeakMap<object, unknown>>()

/**
 * OneRoster 1.1 under `baseUrl` (".../ims/oneroster/v1p1"): records as held, but an href a
 * reference has (a 1.2 SIS sends them) points at the gateway's record, never at the SIS.
 */
export const v1p1At = (baseUrl: string): Dialect => {
  let memo = rebasedV1p1.get(baseUrl)
  if (memo === undefined) {
    memo = new WeakMap()
    if (rebasedV1p1.size >= 16) rebasedV1p1.delete(rebasedV1p1.keys().next().value!)
    rebasedV1p1.set(baseUrl, memo)
  }
  const cache = memo
  return {
    ...v1p1,
    write: (_, record) => {
      if (record === null || typeof record !== "object") return record
      let out = cache.get(record)
      if (out === undefined) {
        out = hasHref(record) ? rebase(record, baseUrl) : record
        cache.set(record, out)
      }
      return out
    }
  }
}

// Written 1.2 records, per base URL (the hrefs name it) and held record: a record is written once
// while it stays cached. Base URLs come from the Host header: only a few are remembered.
const writtenV1p2 = new Map<
  string,
  { readonly write: (record: unknown, collection: string) => unknown; readonly memo: WeakMap<object, unknown>; readonly views: WeakMap<object, unknown> }
>()

/** OneRoster 1.2 under `baseUrl` (".../ims/oneroster/rostering/v1p2"): imsx_StatusInfo errors, records written by OneRosterWire. */
export const v1p2 = (baseUrl: string): Dialect => {
  let entry = writtenV1p2.get(baseUrl)
  if (entry === undefined) {
    entry = { write: OneRosterWire.v1p2Writer({ baseUrl, hrefs: "all" }), memo: new WeakMap(), views: new WeakMap() }
    if (writtenV1p2.size >= 16) writtenV1p2.delete(writtenV1p2.keys().next().value!)
    writtenV1p2.set(baseUrl, entry)
  }
  const { write, memo, views } = entry
  const written = (kind: Model.EntityKind, record: unknown) => {
    if (record === null || typeof record !== "object") return record
    let out = memo.get(record)
    if (out === undefined) {
      out = write(record, kind)
      memo.set(record, out)
    }
    return out
  }
  return {
    errors: StatusInfo.v1p2,
    write: written,
    // Only users differ in more than hrefs and nulls (roles[] where the held record may have role + orgs only).
    view: (kind, record) => {
      if (!OneRosterWire.isUserKind(kind) || record === null || typeof record !== "object") return record
      let out = views.get(record)
      if (out === undefined) {
        out = { ...record, ...(written(kind, record) as object) }
        views.set(record, out)
      }
      return out
    }
  }
}

/** The fields of a collection: its schema's, and any field its records carry. */
export const knownFields = (kind: Model.EntityKind, records: ReadonlyArray<unknown>): ReadonlySet<string> => {
  const fields = new Set(Object.keys(Model.schemaOf[kind].fields))
  for (const record of records.slice(0, 200)) {
    if (record !== null && typeof record === "object") for (const key of Object.keys(record)) fields.add(key)
  }
  return fields
}

/** RFC 3986 encoding (also `!'()*`), so links sign the same with every OAuth 1.0a library. */
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const encodeQuery = (params: URLSearchParams): string => {
  const parts: Array<string> = []
  params.forEach((value, key) => parts.push(`${rfc3986(key)}=${rfc3986(value)}`))
  return parts.join("&")
}

const integer = (
  params: URLSearchParams,
  name: string,
  min: number,
  errors: StatusInfo.Errors
): Either.Either<number | undefined, HttpServerResponse.HttpServerResponse> => {
  const raw = params.get(name)
  if (raw === null) return Either.right(undefined)
  if (!/^\s*\d{1,9}\s*$/.test(raw) || Number(raw) < min) {
    return Either.left(errors.badParameter(name, `must be a whole number of at least ${min}, not '${raw.slice(0, 40)}'`))
  }
  return Either.right(Number(raw))
}

/** Parses `filter`, checking that its fields exist: 400 invalid_filter_field otherwise. */
export const parseFilter = (
  raw: string | null,
  fields: ReadonlySet<string>,
  errors: StatusInfo.Errors = StatusInfo.v1p1
): Either.Either<Filter.Filter | undefined, HttpServerResponse.HttpServerResponse> => {
  if (raw === null || raw.trim() === "") return Either.right(undefined)
  const parsed = Effect.runSync(Effect.either(Filter.parse(raw)))
  if (Either.isLeft(parsed)) return Either.left(errors.badParameter("filter", parsed.left.reason, "invalid_filter_field"))
  const unknown = parsed.right.predicates.find((p) => !fields.has(p.field.split(".")[0]!))
  if (unknown !== undefined) {
    return Either.left(errors.badParameter("filter", `unknown field '${unknown.field}'`, "invalid_filter_field"))
  }
  return Either.right(parsed.right)
}

/** `fields=a,b`: undefined for all fields; 400 invalid_selection_field for an unknown one. */
export const parseFields = (
  params: URLSearchParams,
  fields: ReadonlySet<string>,
  errors: StatusInfo.Errors = StatusInfo.v1p1
): Either.Either<ReadonlyArray<string> | undefined, HttpServerResponse.HttpServerResponse> => {
  const raw = params.get("fields")
  if (raw === null) return Either.right(undefined)
  const list = raw.split(",").map((f) => f.trim()).filter((f) => f.length > 0)
  if (list.length === 0) return Either.left(errors.badParameter("fields", "names no field", "invalid_selection_field"))
  const unknown = list.find((f) => !fields.has(f))
  if (unknown !== undefined) return Either.left(errors.badParameter("fields", `unknown field '${unknown.slice(0, 60)}'`, "invalid_selection_field"))
  return Either.right(list)
}

export const project = (record: unknown, fields: ReadonlyArray<string> | undefined): unknown => {
  if (fields === undefined || record === null || typeof record !== "object") return record
  const out: Record<string, unknown> = {}
  for (const field of fields) if (Object.prototype.hasOwnProperty.call(record, field)) out[field] = (record as Row)[field]
  return out
}

const valueAt = (record: unknown, path: ReadonlyArray<string>): unknown => {
  let value: unknown = record
  for (const key of path) {
    if (Array.isArray(value)) value = value[0]
    if (value === null || typeof value !== "object") return undefined
    value = (value as Row)[key]
  }
  return Array.isArray(value) ? value[0] : value
}

/** The answer to a OneRoster list request over `records`. */
export const list = (
  url: URL,
  kind: Model.EntityKind,
  records: ReadonlyArray<unknown>,
  dialect: Dialect = v1p1
): HttpServerResponse.HttpServerResponse => {
  const params = url.searchParams
  const errors = dialect.errors
  const fields = knownFields(kind, records)
  const checked = Either.all({
    limit: integer(params, "limit", 1, errors),
    offset: integer(params, "offset", 0, errors),
    filter: parseFilter(params.get("filter"), fields, errors),
    fields: parseFields(params, fields, errors)
  })
  if (Either.isLeft(checked)) return checked.left
  const sort = params.get("sort")?.trim() ?? ""
  if (sort !== "" && !fields.has(sort.split(".")[0]!)) {
    return errors.badParameter("sort", `unknown field '${sort.slice(0, 60)}'`, "invalid_selection_field")
  }
  const orderBy = (params.get("orderBy") ?? "asc").trim().toLowerCase()
  if (orderBy !== "asc" && orderBy !== "desc") return errors.badParameter("orderBy", `must be asc or desc, not '${orderBy.slice(0, 20)}'`)

  const { filter, offset = 0 } = checked.right
  const limit = Math.min(checked.right.limit ?? defaultLimit, maxLimit)
  let selected = filter === undefined ? records : records.filter((r) => Filter.evaluate(filter, dialect.view(kind, r)))
  if (sort !== "") {
    const path = sort.split(".")
    const direction = orderBy === "desc" ? -1 : 1
    selected = [...selected].sort((a, b) => {
      const x = valueAt(dialect.view(kind, a), path)
      const y = valueAt(dialect.view(kind, b), path)
      if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1
      if (y === undefined || y === null) return -1
      const [sx, sy] = [String(x), String(y)]
      return sx < sy ? -direction : sx > sy ? direction : 0
    })
  }
  const total = selected.length
  const page = selected.slice(offset, offset + limit).map((r) => project(dialect.write(kind, r), checked.right.fields))

  const at = (newOffset: number) => {
    const next = new URLSearchParams(params)
    for (const key of [...next.keys()]) if (key.startsWith("oauth_")) next.delete(key)
    next.set("limit", String(limit))
    next.set("offset", String(newOffset))
    return `${url.origin}${url.pathname}?${encodeQuery(next)}`
  }
  const last = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit
  const links = [`<${at(0)}>; rel="first"`, `<${at(last)}>; rel="last"`]
  if (offset + limit < total) links.unshift(`<${at(offset + limit)}>; rel="next"`)
  if (offset > 0) links.unshift(`<${at(Math.max(0, Math.min(offset - limit, last)))}>; rel="prev"`)
  return HttpServerResponse.unsafeJson(
    { [Model.envelopeKey[kind]]: page },
    { headers: { "x-total-count": String(total), link: links.join(", ") } }
  )
}

/** The answer to a OneRoster single-record request. */
export const single = (url: URL, kind: Model.EntityKind, record: unknown, dialect: Dialect = v1p1): HttpServerResponse.HttpServerResponse => {
  const fields = parseFields(url.searchParams, knownFields(kind, [record]), dialect.errors)
  if (Either.isLeft(fields)) return fields.left
  return HttpServerResponse.unsafeJson({ [Model.singleEnvelopeKey[kind]]: project(dialect.write(kind, record), fields.right) })
}
