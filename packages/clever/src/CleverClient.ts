/**
 * The raw Clever Data API v3.0: bearer-token requests, `links[rel=next]` paging and the
 * Clever record schemas. Every listing is a lazy Stream of Clever records; the OneRoster view
 * of them is `CleverProvider`.
 *
 *     const client = yield* CleverClient.make({ token: Redacted.make(districtToken) })
 *     yield* Stream.runForEach(client.users("student"), (u) => Console.log(u.name?.first))
 *
 * Paging follows Clever's `next` links (relative URIs with a `starting_after` cursor) until a
 * page has none: no extra request for an empty last page. `limit` is at most 10000 (Clever
 * answers 413 above it). 429s wait for `X-RateLimit-Reset` / `Retry-After` and are retried, as
 * are 500/502/503 and transport faults; 400/401/403 are not. A client-side token bucket keeps
 * this client under Clever's 1200 requests a minute per token.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as RateLimiter from "effect/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "@rosterkit/core/Http"
import * as Pager from "@rosterkit/core/Pager"
import * as ProviderOptions from "@rosterkit/core/ProviderOptions"
import * as Resilience from "@rosterkit/core/Resilience"
import { ConfigurationError, DecodeError, NotFound, redactUrl, type RosterError } from "@rosterkit/core/RosterError"
import * as CleverSchema from "./CleverSchema.js"

/** The provider name errors carry. */
export const providerName = "clever"

/** Clever's API base, with its version path. */
export const defaultHost = "https://api.clever.com/v3.0/"

/** The largest `limit` Clever accepts (it answers 413 above it), and the default page size. */
export const maxPageSize = 10_000

/** Clever's rate limit per district token. */
export const defaultRequestsPerMinute = 1200

export interface Options {
  /** The district bearer token. */
  readonly token: Redacted.Redacted<string>
  /** The API base with its version path (default `https://api.clever.com/v3.0/`); a proxy or a test server. */
  readonly host?: string | undefined
  /** Records per page, 1 to 10000 (default 10000). */
  readonly pageSize?: number | undefined
  /** Per-attempt timeout (default 30 s). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy for 429, 5xx and transport faults (default: 5 retries, 500 ms base, 30 s max). */
  readonly retry?: Resilience.RetryOptions | undefined
  /** Requests in flight at once from this client (default 4). */
  readonly concurrency?: number | undefined
  /** Client-side rate limit, requests per minute (default 1200, Clever's per-token limit). */
  readonly requestsPerMinute?: number | undefined
  /**
   * Follow every listing a second time once output and compare the two readings (ids and a
   * digest of each record): any difference fails with `InconsistentSnapshot`. A cursor does
   * not see a record inserted behind it or deleted ahead of it; this does. Doubles the
   * requests. Default false.
   */
  readonly verify?: boolean | undefined
}

/** The roles `/users?role=` accepts. */
export type UserRole = "student" | "teacher" | "staff" | "district_admin" | "contact"

/** The roles the member endpoints (`/sections/{id}/users`, `/schools/{id}/users`) accept here. */
export type MemberRole = "student" | "teacher"

export interface Service {
  /** The API base, normalised to end with "/". */
  readonly host: string
  /** The `limit` every listing asks for. */
  readonly pageSize: number
  /**
   * Every record of a listing path (relative to `host`, e.g. "sections/123/users"), decoded with
   * `schema`. `notFound` names the entity a 404 means is missing (for nested paths).
   */
  readonly list: <A, I>(
    path: string,
    schema: Schema.Schema<A, I>,
    options?: {
      readonly params?: Readonly<Record<string, string>> | undefined
      readonly operation?: string | undefined
      readonly notFound?: { readonly entity: string; readonly id: string } | undefined
    }
  ) => Stream.Stream<A, RosterError>
  /** One record by path (e.g. "users/123"); None on 404. */
  readonly retrieve: <A, I>(path: string, schema: Schema.Schema<A, I>, operation?: string) => Effect.Effect<Option.Option<A>, RosterError>

  /** `/users`, optionally by role. */
  readonly users: (role?: UserRole) => Stream.Stream<CleverSchema.User, RosterError>
  readonly sections: () => Stream.Stream<CleverSchema.Section, RosterError>
  readonly schools: () => Stream.Stream<CleverSchema.School, RosterError>
  readonly courses: () => Stream.Stream<CleverSchema.Course, RosterError>
  readonly terms: () => Stream.Stream<CleverSchema.Term, RosterError>
  readonly districts: () => Stream.Stream<CleverSchema.District, RosterError>
  /** `/sections/{id}/users?role=`; NotFound for an unknown section. */
  readonly sectionUsers: (sectionId: string, role: MemberRole) => Stream.Stream<CleverSchema.User, RosterError>
  /** `/schools/{id}/users?role=`; NotFound for an unknown school. */
  readonly schoolUsers: (schoolId: string, role: MemberRole) => Stream.Stream<CleverSchema.User, RosterError>
  /** `/courses/{id}/sections`; NotFound for an unknown course. */
  readonly courseSections: (courseId: string) => Stream.Stream<CleverSchema.Section, RosterError>

  readonly user: (id: string) => Effect.Effect<Option.Option<CleverSchema.User>, RosterError>
  readonly section: (id: string) => Effect.Effect<Option.Option<CleverSchema.Section>, RosterError>
  readonly school: (id: string) => Effect.Effect<Option.Option<CleverSchema.School>, RosterError>
  readonly course: (id: string) => Effect.Effect<Option.Option<CleverSchema.Course>, RosterError>
  readonly term: (id: string) => Effect.Effect<Option.Option<CleverSchema.Term>, RosterError>
  readonly district: (id: string) => Effect.Effect<Option.Option<CleverSchema.District>, RosterError>
}

/** The raw Clever API. */
export class CleverClient extends Context.Tag("@rosterkit/clever/CleverClient")<CleverClient, Service>() {}

/** The checked settings of a client. */
export interface Settings {
  /** The API base, ending with "/". */
  readonly host: string
  readonly pageSize: number
  readonly concurrency: number
  readonly requestsPerMinute: number
  readonly verify: boolean
}

/** The options of a client as a Schema; `validate` decodes with it. */
export const OptionsSchema = Schema.Struct({
  token: Schema.propertySignature(ProviderOptions.secret("the district bearer token")).annotations({
    missingMessage: () => "is missing (the district bearer token)"
  }),
  host: Schema.optionalWith(ProviderOptions.HttpUrl(defaultHost), { default: () => new URL(defaultHost) }),
  pageSize: Schema.optionalWith(ProviderOptions.WholeNumber({ min: 1, max: maxPageSize, hint: "Clever answers 413 above it" }), {
    default: () => maxPageSize
  }),
  concurrency: Schema.optionalWith(ProviderOptions.WholeNumber({ min: 1 }), { default: () => 4 }),
  requestsPerMinute: Schema.optionalWith(ProviderOptions.WholeNumber({ min: 1 }), { default: () => defaultRequestsPerMinute }),
  verify: Schema.optionalWith(ProviderOptions.Flag, { default: () => false })
})

/**
 * Checks the options without any I/O (the Promise face calls it in its constructor); every
 * failure names the setting. The token never appears in a message.
 */
export const validate = (options: Options): Either.Either<Settings, ConfigurationError> =>
  Either.map(ProviderOptions.decode(providerName, OptionsSchema)(options), ({ concurrency, host, pageSize, requestsPerMinute, verify }) => {
    if (!host.pathname.endsWith("/")) host.pathname = `${host.pathname}/`
    return { host: host.toString(), pageSize, concurrency, requestsPerMinute, verify }
  })

/** Clever's error body is `{ "message": "…" }`. */
const describeError = (body: unknown): string | undefined =>
  Either.match(Schema.decodeUnknownEither(CleverSchema.ErrorBody)(body), {
    onLeft: () => undefined,
    onRight: (error) => (error.message.trim() === "" ? undefined : error.message)
  })

/** Decodes records with `schema`; a DecodeError names the record by its Clever `id` when it has one. */
const decodeRecords = <A, I>(schema: Schema.Schema<A, I>, records: ReadonlyArray<unknown>, context: Http.Context, url: string) =>
  Pager.decodeItems(schema, records, { ...context, source: redactUrl(url) }).pipe(
    Effect.mapError((error) => {
      const index = /^#(\d+)$/.exec(error.record ?? "")?.[1]
      const record = index === undefined ? undefined : records[Number(index)]
      const id = typeof record === "object" && record !== null ? (record as { readonly id?: unknown }).id : undefined
      if (typeof id !== "string" || id === "") return error
      return new DecodeError({
        provider: error.provider,
        operation: error.operation,
        source: error.source,
        record: id,
        detail: error.detail.replace(`record #${index}:`, `record ${id}:`)
      })
    })
  )

const isNotFound = (error: RosterError) => error._tag === "ResponseError" && error.status === 404

const decodeEnvelope = <A, I>(schema: Schema.Schema<A, I>, body: unknown, context: Http.Context, url: string) =>
  Schema.decodeUnknown(schema)(body).pipe(
    Effect.mapError(
      (error) =>
        new DecodeError({
          ...context,
          source: redactUrl(url),
          detail: ParseResult.TreeFormatter.formatErrorSync(error)
        })
    )
  )

/** Builds a client. Needs an HttpClient (FetchHttpClient.layer, NodeHttpClient.layerUndici …). */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigurationError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const settings = yield* validate(options)
    const { host, pageSize } = settings
    const hostUrl = new URL(host)
    const version = hostUrl.pathname.split("/").filter((s) => s !== "").at(-1)
    const limiter = yield* RateLimiter.make({ limit: settings.requestsPerMinute, interval: "1 minute", algorithm: "token-bucket" })
    const inFlight = yield* Effect.makeSemaphore(settings.concurrency)
    // Each 429 halves the requests in flight from this client, for the rest of its life.
    let permits = settings.concurrency
    const slowDown = () =>
      Effect.suspend(() => {
        if (permits <= 1) return Effect.void
        permits = Math.max(1, Math.floor(permits / 2))
        return Effect.zipRight(
          inFlight.resize(permits),
          Effect.logInfo(`${providerName}: rate limited; at most ${permits} request${permits === 1 ? "" : "s"} in flight from now on`)
        )
      })
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(HttpClientRequest.bearerToken(options.token), HttpClientRequest.acceptJson)
      ),
      // Per attempt (retries included): at most `concurrency` in flight, within the rate limit.
      HttpClient.transformResponse((response) => inFlight.withPermits(1)(limiter(response)))
    )
    const httpOptions: Http.Options = {
      timeout: options.timeout ?? Http.defaultOptions.timeout,
      retry: options.retry ?? Http.defaultOptions.retry,
      describeError
    }

    const url = (path: string, params?: Readonly<Record<string, string>>) => {
      const u = new URL(path.replace(/^\/+/, ""), host)
      for (const [key, value] of Object.entries(params ?? {})) u.searchParams.set(key, value)
      return u.toString()
    }

    /**
     * A `next` URI as an absolute URL. Clever sends "/v3.0/users?…": resolved under `host`
     * (so a proxy's path prefix is kept), never onto another origin (the token goes with it).
     */
    const resolveNext = (uri: string, context: Http.Context, source: string): Effect.Effect<string, DecodeError> => {
      const rooted = version !== undefined && uri.startsWith(`/${version}/`) ? uri.slice(version.length + 2) : uri
      let next: URL
      try {
        next = new URL(rooted, host)
      } catch {
        return Effect.fail(new DecodeError({ ...context, source: redactUrl(source), detail: `next link '${uri}' is not a URI` }))
      }
      if (next.origin !== hostUrl.origin) {
        return Effect.fail(
          new DecodeError({ ...context, source: redactUrl(source), detail: `next link points outside ${hostUrl.origin}: ${redactUrl(next.toString())}` })
        )
      }
      return Effect.succeed(next.toString())
    }

    // A plain generator, not Effect.fn: a page is fetched hundreds of times a pull, and Effect.fn
    // captures a stack trace and opens a span on every call (Http.getJson has the request's span).
    const fetchPage = <A, I>(schema: Schema.Schema<A, I>, context: Http.Context, pageUrl: string) =>
      Effect.gen(function* () {
        const response = yield* Http.getJson(client, HttpClientRequest.get(pageUrl), context, httpOptions).pipe(
          Effect.locally(Resilience.onRateLimited, slowDown)
        )
        const body = yield* decodeEnvelope(CleverSchema.ListResponse, response.body, context, response.url)
        const items = yield* decodeRecords(
          schema,
          body.data.map((entry) => entry.data),
          context,
          response.url
        )
        const nextUri = body.links?.find((link) => link.rel === "next")?.uri
        // No next link, or an empty page: the listing is complete (never an extra request).
        const next = nextUri === undefined || items.length === 0 ? undefined : yield* resolveNext(nextUri, context, response.url)
        return { items, next } satisfies Pager.Page<A>
      })

    const list: Service["list"] = (path, schema, listOptions) => {
      const context: Http.Context = { provider: providerName, operation: listOptions?.operation ?? `list ${path}` }
      const stream = Pager.linkPaged({
        first: url(path, { limit: String(pageSize), ...listOptions?.params }),
        context,
        fetch: (pageUrl) => fetchPage(schema, context, pageUrl),
        verify: settings.verify,
        // a record listed twice means the listing moved under the cursor: read again
        id: (record) => {
          const id = (record as { readonly id?: unknown }).id
          return typeof id === "string" ? id : JSON.stringify(record)
        }
      })
      const notFound = listOptions?.notFound
      if (notFound === undefined) return stream
      return Stream.catchAll(stream, (error) =>
        isNotFound(error)
          ? Stream.fail(
              new NotFound({
                provider: providerName,
                operation: context.operation,
                entity: notFound.entity,
                id: notFound.id,
                ...(error._tag === "ResponseError" ? { url: error.url } : {}),
                ...(error._tag === "ResponseError" && error.description !== undefined ? { detail: error.description } : {})
              })
            )
          : Stream.fail(error)
      )
    }

    const retrieve: Service["retrieve"] = Effect.fn("CleverClient.retrieve")(function* <A, I>(
      path: string,
      schema: Schema.Schema<A, I>,
      operation?: string
    ) {
      const context: Http.Context = { provider: providerName, operation: operation ?? `get ${path}` }
      const response = yield* Http.getJson(client, HttpClientRequest.get(url(path)), context, httpOptions).pipe(
        Effect.map(Option.some),
        Effect.catchIf(isNotFound, () => Effect.succeed(Option.none()))
      )
      if (Option.isNone(response)) return Option.none<A>()
      const body = yield* decodeEnvelope(CleverSchema.SingleResponse, response.value.body, context, response.value.url)
      if (body.data === undefined || body.data === null || typeof body.data !== "object") {
        return yield* new DecodeError({
          ...context,
          source: redactUrl(response.value.url),
          detail: "the response has no 'data' record"
        })
      }
      const [record] = yield* decodeRecords(schema, [body.data], context, response.value.url)
      return Option.some(record!)
    })

    const segment = (id: string) => encodeURIComponent(id)

    return {
      host,
      pageSize,
      list,
      retrieve,
      users: (role) =>
        list("users", CleverSchema.User, {
          params: role === undefined ? {} : { role },
          operation: role === undefined ? "list users" : `list users (role=${role})`
        }),
      sections: () => list("sections", CleverSchema.Section, { operation: "list sections" }),
      schools: () => list("schools", CleverSchema.School, { operation: "list schools" }),
      courses: () => list("courses", CleverSchema.Course, { operation: "list courses" }),
      terms: () => list("terms", CleverSchema.Term, { operation: "list terms" }),
      districts: () => list("districts", CleverSchema.District, { operation: "list districts" }),
      sectionUsers: (id, role) =>
        list(`sections/${segment(id)}/users`, CleverSchema.User, {
          params: { role },
          operation: `${role}s of section ${id}`,
          notFound: { entity: "section", id }
        }),
      schoolUsers: (id, role) =>
        list(`schools/${segment(id)}/users`, CleverSchema.User, {
          params: { role },
          operation: `${role}s of school ${id}`,
          notFound: { entity: "school", id }
        }),
      courseSections: (id) =>
        list(`courses/${segment(id)}/sections`, CleverSchema.Section, {
          operation: `sections of course ${id}`,
          notFound: { entity: "course", id }
        }),
      user: (id) => retrieve(`users/${segment(id)}`, CleverSchema.User, `get user ${id}`),
      section: (id) => retrieve(`sections/${segment(id)}`, CleverSchema.Section, `get section ${id}`),
      school: (id) => retrieve(`schools/${segment(id)}`, CleverSchema.School, `get school ${id}`),
      course: (id) => retrieve(`courses/${segment(id)}`, CleverSchema.Course, `get course ${id}`),
      term: (id) => retrieve(`terms/${segment(id)}`, CleverSchema.Term, `get term ${id}`),
      district: (id) => retrieve(`districts/${segment(id)}`, CleverSchema.District, `get district ${id}`)
    } satisfies Service
  })

/** The client as a layer. */
export const layer = (options: Options): Layer.Layer<CleverClient, ConfigurationError, HttpClient.HttpClient> =>
  Layer.scoped(CleverClient, make(options))

/**
 * The client from Config, e.g.
 * `CleverClient.layerConfig({ token: Config.redacted("ROSTERKIT_CLEVER_TOKEN") })`.
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<CleverClient, ConfigError.ConfigError | ConfigurationError, HttpClient.HttpClient> =>
  Layer.scoped(CleverClient, Effect.flatMap(Config.unwrap(config), make))
