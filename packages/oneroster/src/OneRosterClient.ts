/**
 * The raw OneRoster 1.1 / 1.2 REST API: configuration, authentication (OAuth 1.0a, OAuth 2
 * client credentials, static bearer), paged listings and single records, decoded into core's
 * Model (one model for both versions: a 1.2 user's `roles[]` also gives its 1.1 `role`).
 *
 * The version is read from the base URL (`…/ims/oneroster/rostering/v1p2/` is 1.2) unless
 * `version` says otherwise. 1.2 takes OAuth 2 only: OAuth 1.0a is refused before any request
 * unless `allowOAuth1` forces it; the OAuth 2 scope defaults to 1.2's roster-core.readonly.
 *
 * Every request goes through core's `Http.getJson` (timeout, retries with backoff, typed
 * errors) and every listing through `Pager.offsetPaged` (concurrent offsets when the server
 * sends X-Total-Count, Link rel="next" otherwise, a short page as the last resort).
 *
 *     const client = yield* OneRosterClient.make({
 *       baseUrl: "https://sis.example.org/ims/oneroster/v1p1/",
 *       auth: { type: "oauth1", clientId: "id", clientSecret: Redacted.make("secret") }
 *     })
 *     const classes = client.list("classes", { filter: "title~'ELA'" })
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Http from "@rosterkit/core/Http"
import * as Model from "@rosterkit/core/Model"
import * as Pager from "@rosterkit/core/Pager"
import * as ProviderOptions from "@rosterkit/core/ProviderOptions"
import * as Resilience from "@rosterkit/core/Resilience"
import {
  ConfigurationError,
  DecodeError,
  InconsistentSnapshot,
  NotFound,
  type RosterError,
  redactUrl,
  scrubError
} from "@rosterkit/core/RosterError"
import * as Auth from "./internal/auth.js"

// ---------------------------------------------------------------------------------------------
// Options

export type SignatureMethod = Auth.SignatureMethod

/** OAuth 1.0a, two-legged (the OneRoster 1.1 default): every request is signed, query included. */
export interface OAuth1 {
  readonly type: "oauth1"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted
  /** Default "HMAC-SHA256". */
  readonly signatureMethod?: SignatureMethod | undefined
}

/** OAuth 2 client credentials: a token from `tokenUrl`, cached until it expires, renewed once on a 401. */
export interface OAuth2 {
  readonly type: "oauth2"
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted
  readonly tokenUrl: string
  readonly scope?: string | undefined
}

/** A static bearer token (and any extra headers the server needs). */
export interface Bearer {
  readonly type: "bearer"
  readonly token: Redacted.Redacted
  readonly headers?: Readonly<Record<string, string>> | undefined
}

export type AuthOptions = OAuth1 | OAuth2 | Bearer

/** Sees the response of every page of one listing (ClassLink checks X-Perm-Rev with it). */
export type PageObserver = (response: Http.JsonResponse) => Effect.Effect<void, RosterError>

/**
 * Wraps every listing ("pull"): `pull(observe)` runs the listing once, calling `observe` on each
 * page's response; the guard may run it again (ClassLink restarts a pull whose roster revision
 * changed). Records carry a sourcedId, so a guard can de-duplicate across runs.
 */
export type PullGuard = <A extends { readonly sourcedId: string }>(
  pull: (observe: PageObserver) => Stream.Stream<A, RosterError>,
  context: Http.Context
) => Stream.Stream<A, RosterError>

export interface Options {
  /** The OneRoster base URL, e.g. `https://sis.example.org/ims/oneroster/v1p1/` (trailing slash optional). */
  readonly baseUrl: string
  readonly auth: AuthOptions
  /** The OneRoster version the server speaks. Default: 1.2 when the base URL path ends in `/rostering/v1p2`, else 1.1. */
  readonly version?: Model.Version | undefined
  /** Use OAuth 1.0a against a 1.2 server anyway (1EdTech deprecated it; most 1.2 servers refuse it). Default false. */
  readonly allowOAuth1?: boolean | undefined
  /** Records asked for per page (`limit`). Default 1000; servers that clamp it silently lose nothing. */
  readonly pageSize?: number | undefined
  /** Pages fetched at once when the server sends X-Total-Count. Default 4. */
  readonly concurrency?: number | undefined
  /** Per-attempt request timeout. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy for 429, 5xx and transport faults. Default `Resilience.defaultRetryOptions`. */
  readonly retry?: Resilience.RetryOptions | undefined
  /** Narrow listings with `filter=` on the server where that is safe. Default true. */
  readonly filterPushdown?: boolean | undefined
  /** The provider's name in errors. Default "oneroster". */
  readonly name?: string | undefined
  /** Wraps every listing; see `PullGuard`. */
  readonly pullGuard?: PullGuard | undefined
  /**
   * A response header carrying the roster's revision (ClassLink: `x-perm-rev`). When it changes
   * between the pages of a listing, the listing changed: it is read again (see `Pager.offsetPaged`).
   */
  readonly revisionHeader?: string | undefined
  /** How often a listing that changed while read is read again before failing. Default 2. */
  readonly maxRestarts?: number | undefined
  /**
   * Read every listing a second time once it has been output and compare the two readings (ids
   * and a digest of each record): any difference fails with `InconsistentSnapshot`. Doubles the
   * requests; catches a change that moves no page boundary or count (see `Pager.offsetPaged`).
   * Default false.
   */
  readonly verify?: boolean | undefined
}

/** Options after validation, with every default filled in. */
export interface Settings {
  readonly name: string
  readonly version: Model.Version
  /** Normalised: parsed, ending in "/". */
  readonly baseUrl: string
  readonly auth: AuthOptions
  readonly pageSize: number
  readonly concurrency: number
  readonly http: Http.Options
  readonly filterPushdown: boolean
  readonly pullGuard: PullGuard | undefined
  readonly revisionHeader: string | undefined
  readonly maxRestarts: number
  readonly verify: boolean
}

export const defaultPageSize = 1000

/** The OAuth 2 scope asked for from a 1.2 server when none is configured. */
export const defaultScopeV1p2 = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"

/** 1.2 when the base URL's path ends in `/rostering/v1p2` (the 1.2 REST binding's base). */
export const detectVersion = (baseUrl: string): Model.Version => {
  try {
    return /\/rostering\/v1p2\/*$/i.test(new URL(baseUrl).pathname) ? "1.2" : "1.1"
  } catch {
    return "1.1"
  }
}
export const defaultConcurrency = 4

// ---------------------------------------------------------------------------------------------
// Validation: every configuration mistake is found before the first request.

const example = "https://sis.example.org/ims/oneroster/v1p1/"

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object"

const OAuth1Schema = Schema.Struct({
  type: Schema.Literal("oauth1"),
  clientId: ProviderOptions.Text,
  clientSecret: ProviderOptions.Secret,
  signatureMethod: Schema.optionalWith(ProviderOptions.oneOf("HMAC-SHA256", "HMAC-SHA1"), { default: () => "HMAC-SHA256" as const })
})

const OAuth2Schema = Schema.Struct({
  type: Schema.Literal("oauth2"),
  clientId: ProviderOptions.Text,
  clientSecret: ProviderOptions.Secret,
  // Infinite Campus's token URL carries its app: …/campus/oauth2/token?appName=district
  tokenUrl: ProviderOptions.HttpUrl("https://sis.example.org/oauth/token", { query: true }),
  scope: ProviderOptions.optional(
    ProviderOptions.checked((s) => (typeof s === "string" ? Either.right(s) : Either.left("must be a string")), "Scope")
  )
})

const headerName = /^[!#$%&'*+.^_`|~\w-]+$/

const HeadersSchema = ProviderOptions.checked((input): Either.Either<Readonly<Record<string, string>>, string> => {
  if (input === null || typeof input !== "object" || Redacted.isRedacted(input)) {
    return Either.left("must be an object of header names to values")
  }
  for (const [header, value] of Object.entries(input)) {
    if (!headerName.test(header)) return Either.left(`'${header}' is not a header name`)
    if (typeof value !== "string") return Either.left(`the value of ${header} must be a string`)
  }
  return Either.right(input as Record<string, string>)
}, "Headers")

const BearerSchema = Schema.Struct({
  type: Schema.Literal("bearer"),
  token: ProviderOptions.Secret,
  headers: Schema.optionalWith(HeadersSchema, { default: () => ({}) })
})

const authTypes = ["oauth1", "oauth2", "bearer"]

/** An object whose `type` is one of the three auth types (a clear message for any other). */
const AuthType = Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
  strict: true,
  decode: (input, _, ast) => {
    if (!isRecord(input)) {
      const reason = input === undefined ? "is missing (oauth1, oauth2 or bearer)" : "must be an object whose type is oauth1, oauth2 or bearer"
      return ParseResult.fail(new ParseResult.Type(ast, input, reason))
    }
    const type = input["type"]
    return typeof type === "string" && authTypes.includes(type)
      ? ParseResult.succeed(input)
      : ParseResult.fail(new ParseResult.Pointer("type", input, new ParseResult.Type(ast, type, `must be oauth1, oauth2 or bearer, not '${String(type)}'`)))
  },
  encode: ParseResult.succeed
})

const AuthSchema = Schema.compose(AuthType, Schema.Union(OAuth1Schema, OAuth2Schema, BearerSchema))

/** The options of a OneRoster client as a Schema; `validate` decodes with it. */
export const OptionsSchema = Schema.Struct({
  baseUrl: ProviderOptions.HttpUrl(example),
  auth: Schema.propertySignature(AuthSchema).annotations({ missingMessage: () => "is missing (oauth1, oauth2 or bearer)" }),
  pageSize: Schema.optionalWith(ProviderOptions.WholeNumber({ min: 1 }), { default: () => defaultPageSize }),
  concurrency: Schema.optionalWith(ProviderOptions.WholeNumber({ min: 1 }), { default: () => defaultConcurrency }),
  timeout: Schema.optionalWith(ProviderOptions.PositiveDuration, { default: () => Duration.decode(Http.defaultOptions.timeout) }),
  retry: Schema.optionalWith(ProviderOptions.RetryOptions, { default: () => Http.defaultOptions.retry }),
  verify: Schema.optionalWith(ProviderOptions.Flag, { default: () => false })
})

/**
 * Checks `options` and fills in defaults. Fails with a ConfigurationError naming the setting;
 * the message never contains a secret.
 */
export const validate = (options: Options): Either.Either<Settings, ConfigurationError> => {
  const name = typeof options?.name === "string" && options.name.trim() !== "" ? options.name.trim() : "oneroster"
  return Either.flatMap(ProviderOptions.decode(name, OptionsSchema)(options), (decoded) => {
    const fail = (setting: string, reason: string) =>
      Either.left(new ConfigurationError({ provider: name, operation: "configure", setting, reason }))
    const baseUrl = decoded.baseUrl.toString().replace(/\/*$/, "/")
    const version = options.version ?? detectVersion(baseUrl)
    if (version !== "1.1" && version !== "1.2") return fail("version", `must be 1.1 or 1.2, not '${String(version)}'`)
    if (version === "1.2" && decoded.auth.type === "oauth1" && options.allowOAuth1 !== true) {
      return fail(
        "auth.type",
        "OneRoster 1.2 servers take OAuth 2 client credentials only (1EdTech deprecated OAuth 1.0a): use oauth2 with a token URL, or set allowOAuth1 to force OAuth 1.0a"
      )
    }
    const scope = decoded.auth.type === "oauth2" ? (decoded.auth.scope ?? (version === "1.2" ? defaultScopeV1p2 : undefined)) : undefined
    const auth: AuthOptions =
      decoded.auth.type === "oauth2" && scope === undefined
        ? { type: "oauth2", clientId: decoded.auth.clientId, clientSecret: decoded.auth.clientSecret, tokenUrl: decoded.auth.tokenUrl.toString() }
        : decoded.auth.type === "oauth2"
          ? { ...decoded.auth, tokenUrl: decoded.auth.tokenUrl.toString(), scope }
          : decoded.auth
    return Either.right({
      name,
      version,
      baseUrl,
      auth,
      pageSize: decoded.pageSize,
      concurrency: decoded.concurrency,
      http: { timeout: decoded.timeout, retry: decoded.retry, describeError },
      filterPushdown: options.filterPushdown ?? true,
      pullGuard: options.pullGuard,
      revisionHeader: options.revisionHeader?.toLowerCase(),
      maxRestarts: typeof options.maxRestarts === "number" && Number.isInteger(options.maxRestarts) && options.maxRestarts >= 0 ? options.maxRestarts : Pager.defaultMaxRestarts,
      verify: decoded.verify
    } satisfies Settings)
  })
}

// ---------------------------------------------------------------------------------------------
// Error bodies

/** The first codeMinor value of one status info (`unknownobject`, `invalid_filter_field`, `server_busy` …). */
export const codeMinor = (info: Record<string, unknown>): string | undefined =>
  JSON.stringify(info["imsx_CodeMinor"] ?? "").match(/"imsx_codeMinorFieldValue"\s*:\s*"([^"]*)"/)?.[1]

/**
 * The server's own words from a OneRoster error body: the `imsx_description`s of its
 * `statusInfoSet` (or the codes, when there is no description).
 */
export const describeError = (body: unknown): string | undefined => {
  if (!isRecord(body)) return undefined
  // 1.1: { statusInfoSet: [...] }; 1.2: the imsx_StatusInfo object itself.
  const set =
    body["statusInfoSet"] ??
    (isRecord(body["imsx_statusInfo"]) ? [body["imsx_statusInfo"]] : typeof body["imsx_codeMajor"] === "string" ? [body] : undefined)
  if (!Array.isArray(set)) {
    const message = body["message"] ?? body["error_description"] ?? body["error"]
    return typeof message === "string" && message !== "" ? message : undefined
  }
  const parts = set.filter(isRecord).map((info) => {
    const description = info["imsx_description"]
    const minor = codeMinor(info)
    if (typeof description === "string" && description.trim() !== "") return description.trim()
    return [info["imsx_codeMajor"], minor].filter((p) => typeof p === "string" && p !== "").join(": ")
  })
  const text = parts.filter((p) => p !== "").join("; ")
  return text === "" ? undefined : text
}

// ---------------------------------------------------------------------------------------------
// Service

/** What `list` reads: a collection (default `kind` itself) or a nested path such as `classes/1/students`. */
export interface ListRequest {
  /** Relative to the base URL, without leading slash. Default: the kind. */
  readonly path?: string | undefined
  /** A OneRoster filter expression, sent as `filter=`. */
  readonly filter?: string | undefined
  /** Extra query parameters (`sort`, `fields` …). */
  readonly params?: Readonly<Record<string, string>> | undefined
  /** For errors, e.g. "students of class 31763". */
  readonly operation?: string | undefined
  /** A 404 on this listing means this record does not exist. */
  readonly parent?: { readonly entity: string; readonly id: string } | undefined
}

export interface Service {
  readonly settings: Settings
  /** Every record at a list endpoint, decoded with `kind`'s schema, fetched page by page as pulled. */
  readonly list: <K extends Model.EntityKind>(kind: K, request?: ListRequest) => Stream.Stream<Model.EntityOf<K>, RosterError>
  /** One record: `GET /{kind}/{sourcedId}`. A 404 is NotFound. */
  readonly get: <K extends Model.EntityKind>(kind: K, sourcedId: string) => Effect.Effect<Model.EntityOf<K>, RosterError>
  /** A signed GET of a path (relative to the base URL) or an absolute URL on the same server. */
  readonly request: (
    pathOrUrl: string,
    options?: { readonly params?: Readonly<Record<string, string>>; readonly operation?: string }
  ) => Effect.Effect<Http.JsonResponse, RosterError>
}

/** The raw OneRoster API. */
export class OneRosterClient extends Context.Tag("@rosterkit/oneroster/OneRosterClient")<OneRosterClient, Service>() {}

/** One URL path segment (a sourcedId), percent-encoded. */
export const segment = (id: string): string => encodeURIComponent(id)

const header = (response: Http.JsonResponse, name: string): string | undefined => {
  const value = (response.headers as Record<string, string | undefined>)[name]
  return typeof value === "string" ? value : undefined
}

const totalCount = (response: Http.JsonResponse): number | undefined => {
  const raw = header(response, "x-total-count")?.trim()
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined
}

/** Builds the client over `HttpClient`; fails with ConfigurationError before any request. */
export const make = (options: Options): Effect.Effect<Service, ConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const settings = yield* validate(options)
    const http = yield* HttpClient.HttpClient
    const base = new URL(settings.baseUrl)
    const { auth, name } = settings

    const tokens =
      auth.type === "oauth2"
        ? yield* Auth.oauth2({
            client: http,
            clientId: auth.clientId,
            clientSecret: auth.clientSecret,
            tokenUrl: auth.tokenUrl,
            scope: auth.scope,
            provider: name,
            http: settings.http
          })
        : undefined
    const signer =
      auth.type === "oauth1"
        ? Auth.oauth1({ clientId: auth.clientId, clientSecret: auth.clientSecret, signatureMethod: auth.signatureMethod ?? "HMAC-SHA256" })
        : auth.type === "bearer"
          ? Auth.bearer(auth.token, auth.headers)
          : undefined
    // The signature is made per attempt: a retried request gets a fresh nonce and timestamp.
    const client = signer === undefined ? http : HttpClient.mapRequestEffect(http, signer)

    const secrets = Effect.map(tokens?.current ?? Effect.succeed(Option.none<string>()), (token) => [
      ...(auth.type === "bearer" ? [Redacted.value(auth.token)] : [Redacted.value(auth.clientSecret)]),
      ...Option.toArray(token)
    ])
    const clean = <E extends RosterError>(error: E) => Effect.map(secrets, (list) => scrubError(error, list))

    const resolve = (pathOrUrl: string): Effect.Effect<URL, RosterError> =>
      Effect.suspend(() => {
        const url = new URL(pathOrUrl.replace(/^\/+/, ""), base)
        // Credentials only go to the configured server (a Link header could point anywhere).
        return url.origin === base.origin
          ? Effect.succeed(url)
          : Effect.fail(
              new DecodeError({
                provider: name,
                operation: "follow a link",
                source: redactUrl(settings.baseUrl),
                detail: `the server pointed to another host (${url.origin}); not following it with our credentials`
              })
            )
      })

    const send = (request: HttpClientRequest.HttpClientRequest, context: Http.Context) => {
      if (tokens === undefined) return Http.getJson(client, request, context, settings.http)
      const once = (token: Redacted.Redacted) => Http.getJson(client, Auth.withToken(request, token), context, settings.http)
      return Effect.flatMap(tokens.get, (token) =>
        once(token).pipe(
          // A 401 may mean the token was revoked or expired early: fetch a new one, once.
          Effect.catchIf(
            (error) => error._tag === "AuthError" && error.status === 401,
            () => Effect.zipRight(tokens.invalidate(token), Effect.flatMap(tokens.get, once))
          )
        )
      )
    }

    // A plain function, not Effect.fn: it runs for every page, and Effect.fn captures a stack
    // trace and opens a span on every call (Http.getJson has the request's span).
    const request: Service["request"] = (pathOrUrl, requestOptions) =>
      Effect.flatMap(resolve(pathOrUrl), (url) => {
        const context = { provider: name, operation: requestOptions?.operation ?? `read ${url.pathname}` }
        const req = HttpClientRequest.get(url).pipe(
          HttpClientRequest.acceptJson,
          HttpClientRequest.setUrlParams(requestOptions?.params ?? {})
        )
        return send(req, context)
      }).pipe(Effect.catchAll((error) => Effect.flatMap(clean(error), Effect.fail)))

    const list: Service["list"] = <K extends Model.EntityKind>(kind: K, listRequest: ListRequest = {}) => {
      const path = listRequest.path ?? kind
      const context: Http.Context = { provider: name, operation: listRequest.operation ?? `list ${path}` }
      const schema = Model.schemaFor(kind, settings.version) as unknown as Parameters<typeof Pager.decodeItems<Model.EntityOf<K>, unknown>>[0]
      const params: Record<string, string> = { ...listRequest.params }
      if (listRequest.filter !== undefined) params["filter"] = listRequest.filter

      const page = (observe: PageObserver) => (response: Http.JsonResponse) =>
        Effect.gen(function* () {
          yield* observe(response)
          const source = { ...context, source: redactUrl(response.url) }
          const raw = yield* Pager.envelope(response.body, Model.envelopeKey[kind], source)
          // the records were just parsed from this response: a 1.2 user is completed in place
          const items = yield* Pager.decodeItems(schema, raw, source, { reuse: true })
          const next = Pager.parseLinkNext(header(response, "link"), response.url)
          const revision = settings.revisionHeader === undefined ? undefined : header(response, settings.revisionHeader)?.trim() || undefined
          return { items, total: totalCount(response), next, revision } satisfies Pager.Page<Model.EntityOf<K>>
        })

      const pull = (observe: PageObserver) => {
        // A server that ignores `offset` would hand out its first page forever.
        let firstId: string | undefined
        const checkOffset = (offset: number) => (result: Pager.Page<Model.EntityOf<K>>) => {
          const head = (result.items[0] as { readonly sourcedId?: string } | undefined)?.sourcedId
          if (offset === 0) firstId = head
          else if (head !== undefined && head === firstId) {
            return Effect.fail(
              new InconsistentSnapshot({
                ...context,
                detail: `the page at offset ${offset} starts with the same record (${head}) as the first page: the server ignores offset`
              })
            )
          }
          return Effect.succeed(result)
        }
        return Pager.offsetPaged({
          pageSize: settings.pageSize,
          concurrency: settings.concurrency,
          context,
          id: (record) => (record as { readonly sourcedId: string }).sourcedId,
          maxRestarts: settings.maxRestarts,
          verify: settings.verify,
          fetch: (offset, limit) =>
            request(path, { params: { ...params, limit: String(limit), offset: String(offset) }, operation: context.operation }).pipe(
              Effect.flatMap(page(observe)),
              Effect.flatMap(checkOffset(offset))
            ),
          fetchUrl: (url: string) => Effect.flatMap(request(url, { operation: context.operation }), page(observe))
        })
      }

      const guarded = settings.pullGuard === undefined ? pull(() => Effect.void) : settings.pullGuard(pull, context)
      return guarded.pipe(
        Stream.catchAll((error) => {
          const parent = listRequest.parent
          const mapped =
            parent !== undefined && error._tag === "ResponseError" && error.status === 404
              ? new NotFound({
                  provider: name,
                  operation: context.operation,
                  entity: parent.entity,
                  id: parent.id,
                  url: error.url,
                  ...(error.description === undefined ? {} : { detail: error.description })
                })
              : error
          return Stream.fromEffect(Effect.flatMap(clean(mapped), Effect.fail))
        })
      )
    }

    const get: Service["get"] = <K extends Model.EntityKind>(kind: K, sourcedId: string) =>
      Effect.gen(function* () {
        const operation = `get ${kind} ${sourcedId}`
        const response = yield* request(`${kind}/${segment(sourcedId)}`, { operation }).pipe(
          Effect.catchTag("ResponseError", (error): Effect.Effect<never, RosterError> =>
            error.status === 404
              ? Effect.fail(
                  new NotFound({
                    provider: name,
                    operation,
                    entity: kind,
                    id: sourcedId,
                    url: error.url,
                    ...(error.description === undefined ? {} : { detail: error.description })
                  })
                )
              : Effect.fail(error)
          )
        )
        const source = { provider: name, operation, source: redactUrl(response.url) }
        const key = Model.singleEnvelopeKey[kind]
        const body = response.body
        if (!isRecord(body) || !isRecord(body[key])) {
          return yield* new DecodeError({ ...source, record: sourcedId, detail: `expected {"${key}": {…}}` })
        }
        const schema = Model.schemaFor(kind, settings.version) as unknown as Parameters<typeof Pager.decodeItems<Model.EntityOf<K>, unknown>>[0]
        const [record] = yield* Pager.decodeItems(schema, [body[key]], source)
        return record!
      }).pipe(
        Effect.catchAll((error) => Effect.flatMap(clean(error), Effect.fail)),
        Effect.withSpan("OneRosterClient.get", { attributes: { kind, sourcedId } })
      )

    return { settings, list, get, request }
  })

/** `OneRosterClient` from options. */
export const layer = (options: Options): Layer.Layer<OneRosterClient, ConfigurationError, HttpClient.HttpClient> =>
  Layer.effect(OneRosterClient, make(options))

/** `OneRosterClient` from `Config` (e.g. environment variables). */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<OneRosterClient, ConfigError.ConfigError | ConfigurationError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
