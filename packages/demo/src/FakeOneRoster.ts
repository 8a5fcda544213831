/**
 * A fake OneRoster 1.1 or 1.2 REST server over a Dataset, as a Fetch-API function
 * `(request: Request) => Promise<Response>`: serve it through msw (`Msw.handlers`) or over
 * real TCP (`Loopback.serve`).
 *
 * - Every collection of `Model.EntityKind` (GET, `limit`/`offset` paging, `limit` silently
 *   clamped to `maxLimit`, `X-Total-Count`, `Link: <…>; rel="next"` absolute or relative),
 *   `/{sourcedId}` single envelopes, and the nested endpoints of the 1.1 spec.
 * - `filter=` evaluated with core `Filter` (or refused with 400 when `filter: false`),
 *   `sort` + `orderBy`, `fields` (only those fields).
 * - Auth: none, OAuth 1.0a (HMAC-SHA256 / HMAC-SHA1, verified by OAuthServer with `oauth-sign`,
 *   an RFC 5849 implementation independent of the client's `oauth-1.0a`; timestamps within 5
 *   minutes of `now()`; nonces single-use), OAuth 2 client credentials (token endpoint, expiry
 *   on `now()`), or a static bearer.
 * - Errors are OneRoster `statusInfoSet` bodies: 404 unknownobject, 401 unauthorisedrequest,
 *   400 invalid_filter_field / invalid_selection_field.
 * - Faults (Faults.ts) are applied after a request is recorded and before routing.
 * - `version: "1.2"`: served at `/ims/oneroster/rostering/v1p2`, users written in the 1.2 shape
 *   (`roles[]`, no `role` / `orgs`), errors as a bare `imsx_StatusInfo` object with 1.2 codeMinor
 *   values; its answers validate against the 1.2 OpenAPI description.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Filter from "@rosterkit/core/Filter"
import * as Model from "@rosterkit/core/Model"
import * as Dataset from "./Dataset.js"
import type * as Fake from "./FakeServer.js"
import * as Faults from "./Faults.js"
import * as OAuthServer from "./OAuthServer.js"
import * as OneRosterWire from "./OneRosterWire.js"
import * as PageCache from "./internal/pageCache.js"
import { encodeQuery, integerParam, json, segmentsUnder } from "./internal/http.js"

/** How the fake authenticates requests. */
export type Auth =
  | { readonly type: "none" }
  | { readonly type: "oauth1"; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly type: "oauth2"
      readonly clientId: string
      readonly clientSecret: string
      /** The token endpoint (absolute URL; matched on its pathname). */
      readonly tokenUrl: string
      /** Token lifetime (default 3600). */
      readonly tokenTtlSeconds?: number
      /** The scopes the client may ask for (space-separated); echoed in the token response. */
      readonly scope?: string
    }
  | { readonly type: "bearer"; readonly token: string }

export interface Options {
  readonly dataset: Dataset.Dataset
  /** The OneRoster version served (default "1.1"). */
  readonly version?: Model.Version
  /** Default "https://sis.test/ims/oneroster/v1p1" (1.2: ".../rostering/v1p2"). Requests are routed on its pathname. */
  readonly baseUrl?: string
  /** Default `{ type: "none" }`. */
  readonly auth?: Auth
  /** `limit` is silently clamped to this (default 1000). */
  readonly maxLimit?: number
  /** The page size when a request has no `limit` (default 100). */
  readonly defaultLimit?: number
  /** Send X-Total-Count (default true). */
  readonly totalCount?: boolean
  /** The Link rel="next" header: absolute URL, path-relative, or none (default "absolute"). */
  readonly link?: "absolute" | "relative" | false
  /** Support `filter=`; when false every filtered request is a 400 (default true). */
  readonly filter?: boolean
  /** `~` is case-sensitive, as on some servers (default false: OneRoster's case-insensitive contains). */
  readonly caseSensitiveContains?: boolean
  readonly faults?: ReadonlyArray<Faults.FaultRule>
  /**
   * The dataset answering each request (by 0-based index in `requests`), for a roster that
   * changes while it is read; default `dataset` throughout. Return datasets built once: the
   * helpers index each one on first use.
   */
  readonly datasetAt?: (requestIndex: number) => Dataset.Dataset
  /** The X-Perm-Rev header of each request (by 0-based index in `requests`), for ClassLink. */
  readonly permRev?: (requestIndex: number) => string | undefined
  /** The server clock in epoch milliseconds (OAuth 1 timestamps, OAuth 2 expiry); default Date.now. */
  readonly now?: () => number
  /**
   * Keep the JSON body of every page served, by what selects it (path, filter, sort, fields,
   * effective limit and offset), up to this many bytes (UTF-8) in all; 0 (the default) keeps
   * none. The answers are the same either way (a dataset is never mutated): a benchmark server
   * sets it so serving a page costs a copy, not a JSON.stringify of a thousand records.
   */
  readonly cacheBytes?: number
}

export type RecordedRequest = Fake.RecordedRequest

export type FakeServer = Fake.FakeServer

export const defaultBaseUrl = "https://sis.test/ims/oneroster/v1p1"
export const defaultBaseUrlV1p2 = "https://sis.test/ims/oneroster/rostering/v1p2"

// ---------------------------------------------------------------------------------------------
// OneRoster error bodies

/** A OneRoster 1.1 `statusInfoSet` body (OneRosterWire's, re-exported). */
export const statusInfoSet = OneRosterWire.statusInfoSet

/** A OneRoster 1.2 error body: one `imsx_StatusInfo` object (OneRosterWire's, re-exported). */
export const statusInfo = OneRosterWire.statusInfo

const errorBody = OneRosterWire.errorBody

const codeMinorOf = (status: number): string =>
  status === 401 || status === 403
    ? "unauthorisedrequest"
    : status === 404
      ? "unknownobject"
      : status === 429
        ? "server_busy"
        : status >= 500
          ? "internal_server_error"
          : "invalid_data"

const faultBody = (version: Model.Version) => (status: number) =>
  JSON.stringify(errorBody(version, codeMinorOf(status), `fault injected: HTTP ${status}`))

// ---------------------------------------------------------------------------------------------
// Listing

type Row = { readonly sourcedId: string }

const valueAt = (record: unknown, path: ReadonlyArray<string>): unknown => {
  let value: unknown = record
  for (const key of path) {
    if (Array.isArray(value)) value = value[0]
    if (value === null || typeof value !== "object") return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return Array.isArray(value) ? value[0] : value
}

const project = (record: Row, fields: ReadonlyArray<string> | undefined): unknown => {
  if (fields === undefined) return record
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    if (Object.prototype.hasOwnProperty.call(record, field)) out[field] = (record as Record<string, unknown>)[field]
  }
  return out
}

const fieldsOf = (params: URLSearchParams): ReadonlyArray<string> | undefined => {
  const raw = params.get("fields")
  if (raw === null) return undefined
  const fields = raw.split(",").map((f) => f.trim()).filter((f) => f.length > 0)
  return fields.length === 0 ? undefined : fields
}

// ---------------------------------------------------------------------------------------------

const userRole = { students: "student", teachers: "teacher" } as const

/** A fake OneRoster 1.1 server over `options.dataset`. */
export const make = (options: Options): FakeServer => {
  // the dataset of the request being answered (see `datasetAt`)
  let dataset = options.dataset
  const version = options.version ?? "1.1"
  const baseUrl = (options.baseUrl ?? (version === "1.2" ? defaultBaseUrlV1p2 : defaultBaseUrl)).replace(/\/+$/, "")
  const basePath = new URL(baseUrl).pathname
  const auth: Auth = options.auth ?? { type: "none" }
  const maxLimit = options.maxLimit ?? 1000
  const defaultLimit = options.defaultLimit ?? 100
  const totalCount = options.totalCount ?? true
  const link = options.link ?? "absolute"
  const filtering = options.filter ?? true
  const now = options.now ?? Date.now
  const plan = Faults.make(options.faults ?? [])
  const failure = (status: number, codeMinor: string, description: string, headers: Record<string, string> = {}) =>
    json(status, errorBody(version, codeMinor, description), headers)
  // 1.2 writes users as roles[], references with hrefs and no nulls (OneRosterWire); 1.1 writes records as held.
  const writeV1p2 = OneRosterWire.v1p2Writer({ baseUrl })
  const wire = (record: Row, key: string): Row => {
    if (version !== "1.2") return record
    return writeV1p2(record, key) as unknown as Row
  }
  const requests: Array<RecordedRequest> = []
  const tokens = new Map<string, number>() // token -> expiry (epoch ms)
  let tokensIssued = 0
  const tokenUrl = auth.type === "oauth2" ? new URL(auth.tokenUrl) : undefined
  // Collections by dataset and kind, computed once (byKind filters the users for students /
  // teachers); keyed by dataset so a roster that changes per request (`datasetAt`) is seen.
  const collections = new WeakMap<Dataset.Dataset, Map<Model.EntityKind, ReadonlyArray<Row>>>()
  const recordsOf = (kind: Model.EntityKind): ReadonlyArray<Row> => {
    let byKind = collections.get(dataset)
    if (byKind === undefined) {
      byKind = new Map()
      collections.set(dataset, byKind)
    }
    let records = byKind.get(kind)
    if (records === undefined) {
      records = Dataset.byKind(dataset, kind)
      byKind.set(kind, records)
    }
    return records
  }
  // Page bodies are cached only for a roster that never changes.
  const pages = PageCache.make(options.datasetAt === undefined ? (options.cacheBytes ?? 0) : 0)
  const origins = [...new Set([new URL(baseUrl).origin, ...(tokenUrl === undefined ? [] : [tokenUrl.origin])])]

  // -- auth ---------------------------------------------------------------------------------

  const unauthorized = (description: string, challenge: string) =>
    failure(401, "unauthorisedrequest", description, { "WWW-Authenticate": challenge })

  const useNonce = OAuthServer.nonceMemory({ now })

  const checkOAuth1 = (request: Request, url: URL, clientId: string, clientSecret: string): Response | undefined => {
    const result = OAuthServer.verifyOAuth1(
      { method: request.method, url, authorization: request.headers.get("authorization") ?? undefined },
      { secretOf: (key) => (key === clientId ? clientSecret : undefined), methods: ["HMAC-SHA256", "HMAC-SHA1"], now, useNonce }
    )
    return result._tag === "Valid" ? undefined : unauthorized(result.description, 'OAuth realm="rosterkit-fake"')
  }

  const bearerOf = (request: Request): string | undefined => OAuthServer.bearerOf(request.headers.get("authorization") ?? undefined)

  const checkAuth = (request: Request, url: URL): Response | undefined => {
    switch (auth.type) {
      case "none":
        return undefined
      case "oauth1":
        return checkOAuth1(request, url, auth.clientId, auth.clientSecret)
      case "oauth2": {
        const token = bearerOf(request)
        if (token === undefined) return unauthorized("missing bearer token", 'Bearer realm="rosterkit-fake"')
        const expiry = tokens.get(token)
        if (expiry === undefined) return unauthorized("unknown access token", 'Bearer error="invalid_token"')
        if (now() >= expiry) return unauthorized("access token expired", 'Bearer error="invalid_token", error_description="expired"')
        return undefined
      }
      case "bearer": {
        const token = bearerOf(request)
        if (token === undefined) return unauthorized("missing bearer token", 'Bearer realm="rosterkit-fake"')
        return token === auth.token ? undefined : unauthorized("invalid bearer token", 'Bearer error="invalid_token"')
      }
    }
  }

  const tokenEndpoint = async (request: Request): Promise<Response> => {
    if (auth.type !== "oauth2") return failure(404, "unknownobject", "no token endpoint")
    const oauthError = (status: number, error: string, description: string, headers: Record<string, string> = {}) =>
      json(status, { error, error_description: description }, { "Cache-Control": "no-store", ...headers })
    if (request.method !== "POST") return oauthError(405, "invalid_request", "the token endpoint takes POST")
    const form = new URLSearchParams(await request.text())
    if (form.get("grant_type") !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", "only client_credentials is supported")
    }
    const { clientId, clientSecret } = OAuthServer.clientCredentials(form, request.headers.get("authorization") ?? undefined)
    if (clientId !== auth.clientId || clientSecret !== auth.clientSecret) {
      return oauthError(401, "invalid_client", "unknown client or wrong secret", { "WWW-Authenticate": 'Basic realm="rosterkit-fake"' })
    }
    const requested = (form.get("scope") ?? "").split(/\s+/).filter((s) => s.length > 0)
    const allowed = new Set((auth.scope ?? "").split(/\s+/).filter((s) => s.length > 0))
    if (auth.scope !== undefined && requested.some((s) => !allowed.has(s))) {
      return oauthError(400, "invalid_scope", "a requested scope is not granted to this client")
    }
    const ttl = auth.tokenTtlSeconds ?? 3600
    tokensIssued++
    const token = `fake-oneroster-token-${tokensIssued}-${(now() % 1e9).toString(36)}`
    tokens.set(token, now() + ttl * 1000)
    const scope = requested.length > 0 ? requested.join(" ") : auth.scope
    return json(
      200,
      { access_token: token, token_type: "bearer", expires_in: ttl, ...(scope === undefined ? {} : { scope }) },
      { "Cache-Control": "no-store" }
    )
  }

  // -- listing ------------------------------------------------------------------------------

  const list = (url: URL, key: string, records: ReadonlyArray<Row>): Response => {
    const params = url.searchParams
    const limitParam = integerParam(params, "limit")
    const offsetParam = integerParam(params, "offset")
    if (limitParam === "invalid" || limitParam === 0) return failure(400, "invalid_data", "limit must be a positive integer")
    if (offsetParam === "invalid") return failure(400, "invalid_data", "offset must be a non-negative integer")
    const limit = Math.min(limitParam ?? defaultLimit, maxLimit)
    const offset = offsetParam ?? 0

    const expression = params.get("filter")
    const sort = params.get("sort")
    const cacheKey = PageCache.key(url.pathname, expression, sort, params.get("orderBy"), params.get("fields"), limit, offset)
    const cached = pages.get(cacheKey)
    let page: PageCache.Page
    if (cached !== undefined) page = cached
    else {
      let selected = records
      if (expression !== null) {
        if (!filtering) return failure(400, "invalid_filter_field", "this server does not support filter")
        const parsed = Effect.runSync(Effect.either(Filter.parse(expression)))
        if (Either.isLeft(parsed)) return failure(400, "invalid_filter_field", `invalid filter: ${parsed.left.reason}`)
        selected = selected.filter((r) => Filter.evaluate(parsed.right, r, { caseSensitiveContains: options.caseSensitiveContains }))
      }
      if (sort !== null && sort.trim() !== "") {
        const path = sort.trim().split(".")
        const direction = (params.get("orderBy") ?? "asc").toLowerCase() === "desc" ? -1 : 1
        selected = [...selected].sort((a, b) => {
          const x = valueAt(a, path)
          const y = valueAt(b, path)
          if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1
          if (y === undefined || y === null) return -1
          const [sx, sy] = [String(x), String(y)]
          return sx < sy ? -direction : sx > sy ? direction : 0
        })
      }
      const fields = fieldsOf(params)
      page = pages.put(cacheKey, {
        total: selected.length,
        body: JSON.stringify({ [key]: selected.slice(offset, offset + limit).map((r) => project(wire(r, key), fields)) })
      })
    }
    const total = page.total
    const headers: Record<string, string> = { "Content-Type": "application/json" }
    if (totalCount) headers["X-Total-Count"] = String(total)
    if (link !== false && offset + limit < total) {
      const at = (newOffset: number) => {
        const next = new URLSearchParams(params)
        next.set("limit", String(limit))
        next.set("offset", String(newOffset))
        const pathAndQuery = `${url.pathname}?${encodeQuery(next)}`
        return link === "absolute" ? `${url.origin}${pathAndQuery}` : pathAndQuery
      }
      const last = Math.floor((total - 1) / limit) * limit
      headers["Link"] = `<${at(offset + limit)}>; rel="next", <${at(last)}>; rel="last"`
    }
    return new Response(page.body, { status: 200, headers })
  }

  const single = (url: URL, kind: Model.EntityKind, id: string): Response => {
    const record = Dataset.find(dataset, kind, id)
    if (record === undefined) return failure(404, "unknownobject", `${kind}/${id} not found`)
    return json(200, { [Model.singleEnvelopeKey[kind]]: project(wire(record, Model.singleEnvelopeKey[kind]), fieldsOf(url.searchParams)) })
  }

  const notFound = (what: string) => failure(404, "unknownobject", `${what} not found`)

  const isEntityKind = (segment: string): segment is Model.EntityKind => (Model.entityKinds as ReadonlyArray<string>).includes(segment)

  const route = (url: URL, segments: ReadonlyArray<string>): Response => {
    const [collection, id, sub, subId, leaf] = segments
    if (collection === undefined || !isEntityKind(collection)) return failure(404, "unknownobject", `no endpoint ${url.pathname}`)
    if (segments.length === 1) return list(url, Model.envelopeKey[collection], recordsOf(collection))
    if (segments.length === 2) return single(url, collection, id!)
    const unknownEndpoint = () => failure(404, "unknownobject", `no endpoint ${url.pathname}`)
    switch (collection) {
      case "classes": {
        if (segments.length !== 3 || (sub !== "students" && sub !== "teachers")) return unknownEndpoint()
        if (Dataset.find(dataset, "classes", id!) === undefined) return notFound(`class ${id}`)
        return list(url, "users", Dataset.membersOf(dataset, "classes", id!, sub))
      }
      case "courses": {
        if (segments.length !== 3 || sub !== "classes") return unknownEndpoint()
        if (Dataset.find(dataset, "courses", id!) === undefined) return notFound(`course ${id}`)
        return list(url, "classes", Dataset.classesOfCourse(dataset, id!))
      }
      case "schools": {
        if (Dataset.find(dataset, "schools", id!) === undefined) return notFound(`school ${id}`)
        if (segments.length === 3) {
          switch (sub) {
            case "classes":
              return list(url, "classes", Dataset.classesOfSchool(dataset, id!))
            case "courses":
              return list(url, "courses", Dataset.coursesOfSchool(dataset, id!))
            case "enrollments":
              return list(url, "enrollments", Dataset.enrollmentsOfSchool(dataset, id!))
            case "students":
            case "teachers":
              return list(url, "users", Dataset.membersOf(dataset, "schools", id!, sub))
            case "terms":
              return list(url, "academicSessions", Dataset.termsOfSchool(dataset, id!))
            default:
              return unknownEndpoint()
          }
        }
        if (segments.length !== 5 || sub !== "classes") return unknownEndpoint()
        const cls = Dataset.find(dataset, "classes", subId!)
        if (cls === undefined || cls.school?.sourcedId !== id) return notFound(`class ${subId} of school ${id}`)
        if (leaf === "enrollments") return list(url, "enrollments", Dataset.enrollmentsOfClass(dataset, subId!))
        if (leaf === "students" || leaf === "teachers") return list(url, "users", Dataset.membersOf(dataset, "classes", subId!, leaf))
        return unknownEndpoint()
      }
      case "students":
      case "teachers":
      case "users": {
        if (segments.length !== 3 || sub !== "classes") return unknownEndpoint()
        const user = Dataset.find(dataset, collection, id!)
        if (user === undefined) return notFound(`${collection === "users" ? "user" : userRole[collection]} ${id}`)
        return list(url, "classes", Dataset.classesOfUser(dataset, id!))
      }
      case "terms": {
        if (segments.length !== 3) return unknownEndpoint()
        if (Dataset.find(dataset, "terms", id!) === undefined) return notFound(`term ${id}`)
        if (sub === "classes") return list(url, "classes", Dataset.classesOfTerm(dataset, id!))
        if (sub === "gradingPeriods") return list(url, "academicSessions", Dataset.gradingPeriodsOfTerm(dataset, id!))
        return unknownEndpoint()
      }
      default:
        return unknownEndpoint()
    }
  }

  const answer = async (request: Request, url: URL): Promise<Response> => {
    if (tokenUrl !== undefined && url.pathname === tokenUrl.pathname) return tokenEndpoint(request)
    const denied = checkAuth(request, url)
    if (denied !== undefined) return denied
    if (request.method !== "GET" && request.method !== "HEAD") {
      return failure(405, "invalid_data", `${request.method} is not supported (read-only)`, { Allow: "GET, HEAD" })
    }
    const segments = segmentsUnder(url.pathname, basePath)
    if (segments === undefined) return failure(404, "unknownobject", `no endpoint ${url.pathname}`)
    return route(url, segments)
  }

  const handle = async (request: Request): Promise<Response> => {
    const requestIndex = requests.length
    requests.push({ method: request.method, url: request.url })
    const url = new URL(request.url)
    return Faults.apply(
      plan.next(url),
      async () => {
        dataset = options.datasetAt?.(requestIndex) ?? options.dataset
        const response = await answer(request, url)
        const rev = options.permRev?.(requestIndex)
        if (rev !== undefined) response.headers.set("X-Perm-Rev", rev)
        return response
      },
      faultBody(version)
    )
  }

  const authorize = (request: Request): Response | undefined => checkAuth(request, new URL(request.url))

  return { handle, authorize, requests, baseUrl, origins }
}
