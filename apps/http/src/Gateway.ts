/**
 * The gateway: the handlers of Api.ts over one provider per district, behind authentication,
 * with the upstream cache, request log lines and statusInfoSet errors everywhere.
 *
 * Handlers only call `RosterProvider` and `QueryEngine`: the upstream host and its credentials
 * come from configuration (Setup.ts), and nothing in a request can change them.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiSwagger from "@effect/platform/HttpApiSwagger"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import { type ConfigurationError, type RosterError, redactUrl } from "@rosterkit/core/RosterError"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as http from "node:http"
import * as Api from "./Api.js"
import * as Auth from "./Auth.js"
import * as Listing from "./Listing.js"
import * as PullCache from "./PullCache.js"
import type * as Setup from "./Setup.js"
import * as StatusInfo from "./StatusInfo.js"

export interface Options {
  readonly plan: Setup.Plan
  /** The HTTP client the providers use (default FetchHttpClient). */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient>
  /** Where request log lines and upstream failures go (default: stdout). */
  readonly log?: (line: string) => void
  /** OAuth 2 token lifetime, OAuth 1.0a window and the clock (tests). */
  readonly auth?: Omit<Auth.Options, "clients">
}

/** One district being served. */
export interface District {
  readonly name: string
  readonly provider: RosterProvider.Service
  readonly engine: QueryEngine.Engine
}

export interface State {
  readonly districts: ReadonlyMap<string, District>
  readonly auth: Auth.Authenticator
  readonly cache: PullCache.PullCache
  readonly log: (line: string) => void
}

export class GatewayState extends Context.Tag("@rosterkit/http/Gateway/State")<GatewayState, State>() {}

const defaultLog = (line: string) => {
  process.stdout.write(`${line}\n`)
}

/** Builds every district's provider (scoped: closed when the gateway stops). */
export const layerState = (options: Options): Layer.Layer<GatewayState, ConfigurationError> =>
  Layer.scoped(
    GatewayState,
    Effect.gen(function* () {
      const httpClient = options.httpClient ?? FetchHttpClient.layer
      const ttl = options.plan.cacheTtl
      const districts = new Map<string, District>()
      for (const district of options.plan.districts) {
        const context = yield* Layer.build(district.selection.layer.pipe(Layer.provide(httpClient)))
        const provider = Context.get(context, RosterProvider.RosterProvider)
        const engine = yield* QueryEngine.make(provider, { cacheTtl: `${ttl} seconds` })
        districts.set(district.name, { name: district.name, provider, engine })
      }
      return {
        districts,
        auth: Auth.make({ ...options.auth, clients: options.plan.clients }),
        cache: yield* PullCache.make({ ttl: `${ttl} seconds` }),
        log: options.log ?? defaultLog
      }
    })
  )

// ---------------------------------------------------------------------------------------------
// Request helpers

/** The client of the current request, for the log line. */
const currentClient = FiberRef.unsafeMake<string>("-")

/** The URL the client called: our Host header, http unless a proxy says https. */
export const publicUrl = (request: HttpServerRequest.HttpServerRequest): URL => {
  const proto = request.headers["x-forwarded-proto"] === "https" ? "https" : "http"
  const path = request.url.startsWith("/") && !request.url.startsWith("//") ? request.url : "/"
  try {
    return new URL(`${proto}://${request.headers["host"] ?? "127.0.0.1"}${path}`)
  } catch {
    return new URL(`${proto}://127.0.0.1${path}`)
  }
}

const wantsNdjson = (request: HttpServerRequest.HttpServerRequest) => (request.headers["accept"] ?? "").includes("application/x-ndjson")

/**
 * The final line of an NDJSON answer that failed after its first bytes: `{"error": {...}}` (the
 * HTTP status the answer would have had, and the statusInfoSet body it would have carried).
 */
export const ndjsonErrorLine = (error: RosterError): string => {
  const { codeMinor, description, status } = StatusInfo.describe(error)
  return `${JSON.stringify({ error: { status, ...StatusInfo.body(codeMinor, description) } })}\n`
}

/** Writes `line`, then cuts the connection (no terminating chunk): the client cannot take the answer for a complete one. */
const abortWith = (request: HttpServerRequest.HttpServerRequest, line: string): Effect.Effect<never> =>
  Effect.async<never>((resume) => {
    let response: http.ServerResponse | undefined
    try {
      response = NodeHttpServerRequest.toServerResponse(request)
    } catch {
      response = undefined
    }
    if (response === undefined || response.destroyed) return resume(Effect.interrupt)
    const node = response
    node.write(line, () => {
      node.destroy()
      resume(Effect.interrupt)
    })
  })

/**
 * A JSON array, or NDJSON when the client asks for it: one record a line, each upstream page
 * written as soon as it has been decoded. An NDJSON answer starts once the first records are
 * there (a failure before is an ordinary error answer); one that fails once its first bytes are
 * out ends with an `{"error": …}` line and a cut connection (no clean end), never as a shorter list.
 */
const records = (
  request: HttpServerRequest.HttpServerRequest,
  following: PullCache.Following<unknown, unknown, RosterError>,
  onError: (error: RosterError) => void,
  headers: Record<string, string> = {}
): Effect.Effect<HttpServerResponse.HttpServerResponse, RosterError> =>
  wantsNdjson(request)
    ? Effect.as(
        following.ready,
        HttpServerResponse.stream(
          following.items.pipe(
            Stream.mapChunks((chunk) => Chunk.of(Chunk.join(Chunk.map(chunk, (item) => JSON.stringify(item)), "\n") + "\n")),
            Stream.encodeText,
            Stream.catchAll((error) =>
              Stream.fromEffect(
                Effect.zipRight(
                  Effect.sync(() => onError(error)),
                  abortWith(request, ndjsonErrorLine(error))
                )
              )
            )
          ),
          { contentType: "application/x-ndjson", headers }
        )
      )
    : Effect.map(following.all, (items) => HttpServerResponse.unsafeJson(items, { headers }))

const collect = <A>(stream: Stream.Stream<A, RosterError>): Effect.Effect<ReadonlyArray<A>, RosterError> =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const isEntityKind = (value: string): value is Model.EntityKind => (Model.entityKinds as ReadonlyArray<string>).includes(value)

/**
 * Authenticates, binds the client to its district, and turns provider failures into OneRoster
 * error answers (`errors`: 1.1's statusInfoSet unless told). OneRoster 1.2 takes OAuth 2 only
 * (its spec's security scheme): a 1.2 request signed with OAuth 1.0a is refused.
 */
const authorized = (
  request: HttpServerRequest.HttpServerRequest,
  handle: (district: District, url: URL, state: State) => Effect.Effect<HttpServerResponse.HttpServerResponse, RosterError>,
  errors: StatusInfo.Errors = StatusInfo.v1p1
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, GatewayState> =>
  Effect.gen(function* () {
    const state = yield* GatewayState
    const url = publicUrl(request)
    const result = state.auth.authenticate({ method: request.method, url, headers: request.headers })
    if (result._tag === "Denied") return errors.unauthorized(result.description, result.challenge)
    if (errors.version === "1.2" && result.scheme === "oauth1") {
      return errors.unauthorized(
        "OneRoster 1.2 takes OAuth 2: send a bearer token from POST /oauth/token (client credentials) or a bearer key; OAuth 1.0a is for /ims/oneroster/v1p1",
        'Bearer realm="rosterkit"'
      )
    }
    yield* FiberRef.set(currentClient, result.client.id)
    const district = state.districts.get(result.client.district)
    if (district === undefined) return errors.response(500, "internal_server_error", "this client's district is not served")
    return yield* handle(district, url, state).pipe(
      Effect.catchAll((error) =>
        Effect.sync(() => {
          if (error._tag !== "NotFound" && error._tag !== "InvalidQuery") {
            state.log(`upstream ${district.name}: ${error.message}`)
          }
          return errors.fromRosterError(error)
        })
      )
    )
  })

// ---------------------------------------------------------------------------------------------
// Query API

const first = (params: URLSearchParams, name: string) => params.get(name) ?? undefined

/** Logs an upstream failure that cut a streamed answer short. */
const upstreamFailed = (state: State, district: District) => (error: RosterError) =>
  state.log(`upstream ${district.name}: ${error.message} (an NDJSON answer ended with an error line)`)

const usersHandler = (district: District, url: URL, state: State, request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function* () {
    const params = url.searchParams
    const maxRaw = first(params, "max")
    if (maxRaw !== undefined && !/^\s*\d{1,9}\s*$/.test(maxRaw)) {
      return StatusInfo.badParameter("max", `must be a whole number of at least 1, not '${maxRaw.slice(0, 40)}'`)
    }
    const query = yield* Query.make({
      role: first(params, "role"),
      group: first(params, "group"),
      name: first(params, "name"),
      matchOn: first(params, "matchOn"),
      max: maxRaw === undefined ? undefined : Number(maxRaw)
    })
    const key = `${district.name}|query|${JSON.stringify([query.role, query.group?.kind, query.group?.name, query.group?.matchOn, query.max])}`
    const following = yield* state.cache.streamed(
      key,
      Effect.map(district.engine.stream(query), ({ users, ...resolution }) => ({ head: resolution, items: users }))
    )
    const headers: Record<string, string> = {}
    if (query.group !== undefined) {
      headers["x-rosterkit-groups-matched"] = String(following.head.groups.length)
      if (following.head.groups.length === 0) headers["x-rosterkit-suggestions"] = following.head.suggestions.map(encodeURIComponent).join(", ")
    }
    return yield* records(request, following, upstreamFailed(state, district), headers)
  })

const entitiesHandler = (district: District, url: URL, state: State, request: HttpServerRequest.HttpServerRequest, entity: string) =>
  Effect.gen(function* () {
    if (!isEntityKind(entity)) return StatusInfo.notFound(`no collection '${entity.slice(0, 60)}' (one of ${Model.entityKinds.join(", ")})`)
    if (!district.provider.capabilities.entities.includes(entity)) return StatusInfo.notFound(`this district's SIS has no ${entity}`)
    const filter = Listing.parseFilter(url.searchParams.get("filter"), Listing.knownFields(entity, []))
    if (Either.isLeft(filter)) return filter.left
    const since = first(url.searchParams, "since")
    if (since !== undefined && (since.trim() === "" || Number.isNaN(Date.parse(since)))) {
      return StatusInfo.badParameter("since", `must be an ISO 8601 date-time, not '${since.slice(0, 40)}'`)
    }
    const key = `${district.name}|entities|${entity}|${url.searchParams.get("filter") ?? ""}|${since ?? ""}`
    const following = yield* state.cache.streamed(key, Effect.succeed({ head: undefined, items: district.provider.entities(entity, { filter: filter.right, since }) }))
    return yield* records(request, following, upstreamFailed(state, district))
  })

// ---------------------------------------------------------------------------------------------
// OneRoster read API

/** Every record of a collection (cached per district). */
const all = <K extends Model.EntityKind>(state: State, district: District, kind: K) =>
  state.cache.through(`${district.name}|all|${kind}`, collect(district.provider.entities(kind)))

/** One record (cached); NotFound -> 404. */
const one = <K extends Model.EntityKind>(state: State, district: District, kind: K, id: string) =>
  state.cache.through(`${district.name}|get|${kind}|${id}`, district.provider.get(kind, id))

const members = (state: State, district: District, kind: "classes" | "schools", id: string, role: RosterProvider.MemberRole) =>
  state.cache.through(`${district.name}|members|${kind}|${id}|${role}`, collect(district.provider.members(kind, id, role)))

const refersTo = (ref: { readonly sourcedId: string } | null | undefined, id: string) => ref != null && ref.sourcedId === id

const listHandler = (district: District, url: URL, state: State, dialect: Listing.Dialect, collection: string) =>
  Effect.gen(function* () {
    if (!isEntityKind(collection)) return dialect.errors.notFound(`no endpoint ${url.pathname}`)
    if (!district.provider.capabilities.entities.includes(collection)) return dialect.errors.notFound(`this district's SIS has no ${collection}`)
    return Listing.list(url, collection, yield* all(state, district, collection), dialect)
  })

const getHandler = (district: District, url: URL, state: State, dialect: Listing.Dialect, collection: string, id: string) =>
  Effect.gen(function* () {
    if (!isEntityKind(collection)) return dialect.errors.notFound(`no endpoint ${url.pathname}`)
    return Listing.single(url, collection, yield* one(state, district, collection, id), dialect)
  })

const nestedHandler = (district: District, url: URL, state: State, dialect: Listing.Dialect, collection: string, id: string, relation: string) =>
  Effect.gen(function* () {
    const noEndpoint = dialect.errors.notFound(`no endpoint ${url.pathname}`)
    const key = `${collection}/${relation}`
    switch (key) {
      case "classes/students":
      case "classes/teachers": {
        yield* one(state, district, "classes", id)
        return Listing.list(url, relation as "students" | "teachers", yield* members(state, district, "classes", id, relation as RosterProvider.MemberRole), dialect)
      }
      case "courses/classes": {
        yield* one(state, district, "courses", id)
        const classes = yield* state.cache.through(`${district.name}|classesOfCourse|${id}`, collect(district.provider.classesOfCourse(id)))
        return Listing.list(url, "classes", classes, dialect)
      }
      case "schools/classes":
      case "schools/courses":
      case "schools/enrollments":
      case "schools/students":
      case "schools/teachers":
      case "schools/terms": {
        yield* one(state, district, "schools", id)
        switch (relation) {
          case "classes":
            return Listing.list(url, "classes", (yield* all(state, district, "classes")).filter((c) => refersTo(c.school, id)), dialect)
          case "courses":
            return Listing.list(url, "courses", (yield* all(state, district, "courses")).filter((c) => refersTo(c.org, id)), dialect)
          case "enrollments":
            return Listing.list(url, "enrollments", (yield* all(state, district, "enrollments")).filter((e) => refersTo(e.school, id)), dialect)
          case "terms": {
            const classes = (yield* all(state, district, "classes")).filter((c) => refersTo(c.school, id))
            const termIds = new Set(classes.flatMap((c) => (c.terms ?? []).map((t) => t.sourcedId)))
            return Listing.list(url, "terms", (yield* all(state, district, "terms")).filter((t) => termIds.has(t.sourcedId)), dialect)
          }
          default:
            return Listing.list(url, relation as "students" | "teachers", yield* members(state, district, "schools", id, relation as RosterProvider.MemberRole), dialect)
        }
      }
      case "students/classes":
      case "teachers/classes":
      case "users/classes": {
        yield* one(state, district, collection as "students" | "teachers" | "users", id)
        const classIds = new Set((yield* all(state, district, "enrollments")).filter((e) => refersTo(e.user, id)).map((e) => e.class.sourcedId))
        return Listing.list(url, "classes", (yield* all(state, district, "classes")).filter((c) => classIds.has(c.sourcedId)), dialect)
      }
      case "terms/classes": {
        yield* one(state, district, "terms", id)
        return Listing.list(url, "classes", (yield* all(state, district, "classes")).filter((c) => (c.terms ?? []).some((t) => t.sourcedId === id)), dialect)
      }
      case "terms/gradingPeriods": {
        yield* one(state, district, "terms", id)
        return Listing.list(url, "gradingPeriods", (yield* all(state, district, "gradingPeriods")).filter((g) => refersTo(g.parent, id)), dialect)
      }
      default:
        return noEndpoint
    }
  })

const schoolClassHandler = (district: District, url: URL, state: State, dialect: Listing.Dialect, schoolId: string, classId: string, relation: string) =>
  Effect.gen(function* () {
    if (relation !== "enrollments" && relation !== "students" && relation !== "teachers") return dialect.errors.notFound(`no endpoint ${url.pathname}`)
    const cls = yield* one(state, district, "classes", classId)
    if (!refersTo(cls.school, schoolId)) return dialect.errors.notFound(`class '${classId}' of school '${schoolId}' not found`)
    if (relation === "enrollments") {
      return Listing.list(url, "enrollments", (yield* all(state, district, "enrollments")).filter((e) => refersTo(e.class, classId)), dialect)
    }
    return Listing.list(url, relation, yield* members(state, district, "classes", classId, relation), dialect)
  })

// ---------------------------------------------------------------------------------------------
// The groups

const SystemLive = HttpApiBuilder.group(Api.api, "system", (handlers) =>
  handlers
    .handleRaw("health", () => Effect.succeed(HttpServerResponse.unsafeJson({ status: "ok" })))
    .handleRaw("openapi", () => Effect.succeed(HttpServerResponse.unsafeJson(OpenApi.fromApi(Api.api))))
)

const OAuthLive = HttpApiBuilder.group(Api.api, "oauth", (handlers) =>
  handlers.handleRaw("token", ({ request }) =>
    Effect.gen(function* () {
      const state = yield* GatewayState
      const contentType = request.headers["content-type"] ?? ""
      const text = yield* Effect.orElseSucceed(request.text, () => "")
      const form = contentType.includes("application/x-www-form-urlencoded") ? new URLSearchParams(text) : new URLSearchParams()
      const answer = state.auth.issueToken({ method: request.method, url: publicUrl(request), headers: request.headers }, form)
      const id = answer.clientId ?? "-"
      yield* FiberRef.set(currentClient, id)
      return HttpServerResponse.unsafeJson(answer.body, { status: answer.status, headers: answer.headers })
    })
  )
)

const QueryLive = HttpApiBuilder.group(Api.api, "query", (handlers) =>
  handlers
    .handleRaw("users", ({ request }) => authorized(request, (district, url, state) => usersHandler(district, url, state, request)))
    .handleRaw("entities", ({ request, path }) =>
      authorized(request, (district, url, state) => entitiesHandler(district, url, state, request, path.entity))
    )
)

/** The dialect of a OneRoster request: 1.1 or 1.2, with hrefs under the prefix the client called. */
const dialectOf = (version: Model.Version, url: URL): Listing.Dialect =>
  version === "1.2" ? Listing.v1p2(`${url.origin}${Api.v1p2Prefix}`) : Listing.v1p1At(`${url.origin}${Api.v1p1Prefix}`)

/** A OneRoster handler of `version`: authenticated, with that version's errors and records. */
const oneRoster = (
  version: Model.Version,
  request: HttpServerRequest.HttpServerRequest,
  handle: (district: District, url: URL, state: State, dialect: Listing.Dialect) => Effect.Effect<HttpServerResponse.HttpServerResponse, RosterError>
) => authorized(request, (district, url, state) => handle(district, url, state, dialectOf(version, url)), StatusInfo.of(version))

/** The handlers of the OneRoster groups made by `Api.oneRosterGroup` (the same for both versions). */
const OneRosterV1p1Live = HttpApiBuilder.group(Api.api, "oneRosterV1p1", (handlers) =>
  handlers
    .handleRaw("list", ({ request, path }) => oneRoster("1.1", request, (d, url, state, dialect) => listHandler(d, url, state, dialect, path.collection)))
    .handleRaw("get", ({ request, path }) =>
      oneRoster("1.1", request, (d, url, state, dialect) => getHandler(d, url, state, dialect, path.collection, path.sourcedId))
    )
    .handleRaw("nested", ({ request, path }) =>
      oneRoster("1.1", request, (d, url, state, dialect) => nestedHandler(d, url, state, dialect, path.collection, path.sourcedId, path.relation))
    )
    .handleRaw("schoolClass", ({ request, path }) =>
      oneRoster("1.1", request, (d, url, state, dialect) => schoolClassHandler(d, url, state, dialect, path.schoolId, path.classId, path.relation))
    )
)

const OneRosterV1p2Live = HttpApiBuilder.group(Api.api, "oneRosterV1p2", (handlers) =>
  handlers
    .handleRaw("list", ({ request, path }) => oneRoster("1.2", request, (d, url, state, dialect) => listHandler(d, url, state, dialect, path.collection)))
    .handleRaw("get", ({ request, path }) =>
      oneRoster("1.2", request, (d, url, state, dialect) => getHandler(d, url, state, dialect, path.collection, path.sourcedId))
    )
    .handleRaw("nested", ({ request, path }) =>
      oneRoster("1.2", request, (d, url, state, dialect) => nestedHandler(d, url, state, dialect, path.collection, path.sourcedId, path.relation))
    )
    .handleRaw("schoolClass", ({ request, path }) =>
      oneRoster("1.2", request, (d, url, state, dialect) => schoolClassHandler(d, url, state, dialect, path.schoolId, path.classId, path.relation))
    )
)

export const layerApi = HttpApiBuilder.api(Api.api).pipe(Layer.provide([SystemLive, OAuthLive, QueryLive, OneRosterV1p1Live, OneRosterV1p2Live]))

// ---------------------------------------------------------------------------------------------
// Serving

/**
 * Around every route (the API's and /docs): unknown routes -> 404, anything unexpected -> 500
 * (statusInfoSet bodies), and one log line per request.
 */
const layerMiddleware = HttpApiBuilder.middleware(
  Effect.map(
    GatewayState,
    (state) =>
      (app: HttpApp.Default): HttpApp.Default =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const started = Date.now()
          const url = publicUrl(request)
          const response = yield* app.pipe(
            Effect.catchAllCause((cause) =>
              Effect.sync(() => {
                const error = Cause.squash(cause)
                const errors = url.pathname.startsWith(`${Api.v1p2Prefix}/`) ? StatusInfo.v1p2 : StatusInfo.v1p1
                if (Predicate.hasProperty(error, "_tag") && error._tag === "RouteNotFound") return errors.notFound(`no endpoint ${url.pathname}`)
                state.log(`internal error on ${request.method} ${url.pathname}: ${error instanceof Error ? error.message : "unknown"}`)
                return errors.response(500, "internal_server_error", "internal error")
              })
            )
          )
          const client = yield* FiberRef.get(currentClient)
          const shown = redactUrl(url.toString()).slice(url.origin.length)
          state.log(`${request.method} ${shown} ${response.status} ${Date.now() - started}ms client=${client}`)
          return response
        })
  )
)

/** The whole gateway over an `HttpServer`. */
export const layer = (options: Options) =>
  HttpApiBuilder.serve().pipe(
    Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
    Layer.provide(layerMiddleware),
    Layer.provide(layerApi),
    Layer.provide(layerState(options))
  )

export interface Running {
  /** "http://127.0.0.1:<port>" */
  readonly url: string
  readonly port: number
  /** Stops accepting, lets in-flight requests finish, then closes the providers. */
  readonly close: () => Promise<void>
}

/**
 * The Node server: idle keep-alive connections are kept 65 s (longer than the usual load
 * balancer idle timeout, and long enough that a busy event loop does not close a connection
 * whose next request is already waiting), and up to 4096 connections may wait to be accepted.
 */
export const createServer = (): http.Server => {
  const server = http.createServer()
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  // Graceful close: stop accepting, close each keep-alive connection as soon as its request in
  // flight is answered, and give stragglers at most 30 s.
  const close = server.close.bind(server)
  server.close = (callback?: (error?: Error) => void) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50)
    const deadline = setTimeout(() => server.closeAllConnections(), 30_000)
    close((error) => {
      clearInterval(sweep)
      clearTimeout(deadline)
      callback?.(error)
    })
    server.closeIdleConnections()
    return server
  }
  return server
}

/** Listens on `host:port` (port 0: a free one). */
export const layerServer = (host: string, port: number) => NodeHttpServer.layer(createServer, { host, port, backlog: 4096 })

/** Starts the gateway on `host:port` (port 0: a free one). */
export const start = (options: Options & { readonly host?: string; readonly port?: number }): Promise<Running> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const server = layerServer(options.host ?? "127.0.0.1", options.port ?? 0)
      const context = yield* Layer.buildWithScope(Layer.merge(layer(options), server).pipe(Layer.provideMerge(server)), scope).pipe(
        Effect.tapErrorCause(() => Scope.close(scope, Exit.void))
      )
      const address = Context.get(context, HttpServer.HttpServer).address
      const port = address._tag === "TcpAddress" ? address.port : 0
      return {
        url: `http://${options.host ?? "127.0.0.1"}:${port}`,
        port,
        close: () => Effect.runPromise(Scope.close(scope, Exit.void))
      }
    })
  )
