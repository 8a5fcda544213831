/**
 * ClassLink's OneRoster server as a `RosterProvider`: the generic OneRoster provider with
 * ClassLink's settings and quirks.
 *
 * - Direct access: `{ host, clientId, clientSecret }` from the ClassLink OneRoster console,
 *   OAuth 1.0a HMAC-SHA256. `host` is the tenant's OneRoster URL, e.g.
 *   `https://acme-ca-v2.oneroster.com/ims/oneroster/v1p1/`; a bare host gets that path appended.
 * - OAuth 2 proxy: `{ token, applicationId }` — ClassLink's proxy signs for you. Requests go to
 *   `https://oneroster-proxy.classlink.io/{applicationId}/ims/oneroster/v1p1/…` with
 *   `Authorization: Bearer {token}` (ClassLink carries the application id in the path, not a header).
 * - Pages of 10000 records (ClassLink's recommendation; the generic default is 1000).
 * - `X-Perm-Rev`: ClassLink's roster revision. If it changes between the pages of one listing,
 *   the listing changed: it is read again without repeating records already output (at most
 *   twice), then checked to equal the roster after the change; else `InconsistentSnapshot`
 *   (core `Pager.offsetPaged`).
 * - 429: retried with jittered exponential backoff, never sooner than `Retry-After`.
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Dedupe from "@rosterkit/core/Dedupe"
import * as ProviderOptions from "@rosterkit/core/ProviderOptions"
import type * as Resilience from "@rosterkit/core/Resilience"
import { ConfigurationError, InconsistentSnapshot, type RosterError } from "@rosterkit/core/RosterError"
import type * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as OneRosterClient from "@rosterkit/oneroster/OneRosterClient"
import * as OneRosterProvider from "@rosterkit/oneroster/OneRosterProvider"

/** Settings shared by both access modes. */
export interface CommonOptions {
  /** Records per page. Default 10000 (ClassLink's maximum). */
  readonly pageSize?: number | undefined
  /** Pages fetched at once. Default 4. */
  readonly concurrency?: number | undefined
  /** Per-attempt request timeout. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy (429, 5xx, transport faults). Default `Resilience.defaultRetryOptions`. */
  readonly retry?: Resilience.RetryOptions | undefined
  /** Narrow listings with `filter=` on the server where safe. Default true. */
  readonly filterPushdown?: boolean | undefined
  /**
   * Read every listing a second time once output and compare (see the generic client's
   * `verify`). X-Perm-Rev already catches most changes on ClassLink; this catches the rest.
   * Default false.
   */
  readonly verify?: boolean | undefined
}

/** Direct access to a tenant's OneRoster server with OAuth 1.0a. */
export interface DirectOptions extends CommonOptions {
  /** The tenant's OneRoster URL (or just its host), from the ClassLink console. */
  readonly host: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted
  /** Default "HMAC-SHA256". */
  readonly signatureMethod?: OneRosterClient.SignatureMethod | undefined
}

/** Access through ClassLink's OAuth 2 OneRoster proxy. */
export interface ProxyOptions extends CommonOptions {
  /** The access token from the ClassLink developer console. */
  readonly token: Redacted.Redacted
  /** The district's application id (the `oneroster_application_id`, encoded or not). */
  readonly applicationId: string
  /** The proxy's origin. Default `https://oneroster-proxy.classlink.io`. */
  readonly host?: string | undefined
}

export type Options = DirectOptions | ProxyOptions

export const defaultPageSize = 10_000
export const proxyHost = "https://oneroster-proxy.classlink.io"
export const oneRosterPath = "ims/oneroster/v1p1/"
/** The response header carrying ClassLink's roster revision. */
export const revisionHeader = "x-perm-rev"

const hostExample = "https://acme-ca-v2.oneroster.com"

/** A tenant host or URL: https assumed when there is no scheme. */
const HostSchema = ProviderOptions.HttpUrl(hostExample, { bareHost: true })

const withOneRosterPath = (url: URL): string => {
  const copy = new URL(url)
  if (!/\/ims\/oneroster\//.test(copy.pathname)) copy.pathname = `${copy.pathname.replace(/\/*$/, "/")}${oneRosterPath}`
  return copy.toString()
}

/** A tenant host or URL as the OneRoster base URL (https assumed, `/ims/oneroster/v1p1/` appended when missing). */
export const baseUrlOf = (host: string): Either.Either<string, ConfigurationError> =>
  Either.map(ProviderOptions.decode("classlink", Schema.Struct({ host: HostSchema }))({ host }), ({ host }) => withOneRosterPath(host))

/** Direct access settings as a Schema (the common settings are checked by the generic client). */
export const DirectSchema = Schema.Struct({
  host: HostSchema,
  clientId: ProviderOptions.Text,
  clientSecret: ProviderOptions.Secret,
  signatureMethod: Schema.optionalWith(ProviderOptions.oneOf("HMAC-SHA256", "HMAC-SHA1"), { default: () => "HMAC-SHA256" as const })
})

/** Proxy access settings as a Schema. */
export const ProxySchema = Schema.Struct({
  token: ProviderOptions.secret("the access token from the ClassLink developer console"),
  applicationId: Schema.propertySignature(
    ProviderOptions.checked(
      (input) =>
        typeof input === "string" && input.trim() !== ""
          ? Either.right(input.trim())
          : Either.left("is missing (the district's oneroster_application_id)"),
      "ApplicationId"
    )
  ).annotations({ missingMessage: () => "is missing (the district's oneroster_application_id)" }),
  host: Schema.optionalWith(HostSchema, { default: () => new URL(proxyHost) })
})

const applicationSegment = (id: string): string => {
  try {
    return encodeURIComponent(decodeURIComponent(id))
  } catch {
    return encodeURIComponent(id)
  }
}

/**
 * @deprecated ClassLink listings now check `X-Perm-Rev` in the pager (`revisionHeader`), with
 * the same repair as any other change. Kept for callers that set it as a `pullGuard`.
 *
 * Restarts a listing once when ClassLink's roster revision (`X-Perm-Rev`) changes between its
 * pages; a second change fails with `InconsistentSnapshot`.
 *
 * The check runs as each page arrives, so the change is seen before any record of the new
 * revision is emitted. Records emitted before the restart are not emitted again: the restart
 * skips every sourcedId already emitted (a record that changed in between keeps the version
 * already delivered; the guard keeps the emitted ids of a listing in memory for that).
 */
export const revisionGuard: OneRosterClient.PullGuard = <A extends { readonly sourcedId: string }>(
  pull: (observe: OneRosterClient.PageObserver) => Stream.Stream<A, RosterError>,
  context: { readonly provider: string; readonly operation: string }
): Stream.Stream<A, RosterError> =>
  Stream.suspend(() => {
    const changes = new WeakSet<object>()

    const run = (restarted: boolean): Stream.Stream<A, RosterError> =>
      Stream.suspend(() => {
        let revision: string | undefined
        const observe: OneRosterClient.PageObserver = (response) =>
          Effect.suspend(() => {
            const raw = (response.headers as Record<string, string | undefined>)[revisionHeader]?.trim()
            if (raw === undefined || raw === "") return Effect.void
            if (revision === undefined) {
              revision = raw
              return Effect.void
            }
            if (raw === revision) return Effect.void
            const error = new InconsistentSnapshot({
              ...context,
              detail: restarted
                ? `ClassLink's roster revision (X-Perm-Rev) changed again (${revision} -> ${raw}) after the listing was restarted; try again later`
                : `ClassLink's roster revision (X-Perm-Rev) changed from ${revision} to ${raw} during the listing`
            })
            changes.add(error)
            return Effect.fail(error)
          })
        return pull(observe)
      })

    // One id set spans both runs: the restart skips every record already emitted.
    return Dedupe.bySourcedId(
      run(false).pipe(
        Stream.catchAll((error) =>
          !changes.has(error)
            ? Stream.fail(error)
            : Stream.unwrap(
                Effect.as(
                  Effect.logInfo(`${error.message}; restarting the listing once`),
                  run(true)
                )
              )
        )
      )
    )
  })

/**
 * The generic OneRoster options for ClassLink. Checks the ClassLink settings (a missing host,
 * secret or token fails here, before any request); secrets may be given as plain strings.
 */
export const oneRosterOptions = (options: Options): Either.Either<OneRosterClient.Options, ConfigurationError> => {
  const common = {
    name: "classlink",
    pageSize: options?.pageSize ?? defaultPageSize,
    concurrency: options?.concurrency,
    timeout: options?.timeout,
    retry: options?.retry,
    filterPushdown: options?.filterPushdown,
    verify: options?.verify,
    revisionHeader
  } satisfies Partial<OneRosterClient.Options>
  const proxied = options !== null && typeof options === "object" && ("token" in options || "applicationId" in options)
  const result: Either.Either<OneRosterClient.Options, ConfigurationError> = proxied
    ? Either.map(ProviderOptions.decode("classlink", ProxySchema)(options), ({ applicationId, host, token }) => {
        const url = new URL(withOneRosterPath(host))
        url.pathname = url.pathname.replace(`/${oneRosterPath}`, `/${applicationSegment(applicationId)}/${oneRosterPath}`)
        return { ...common, baseUrl: url.toString(), auth: { type: "bearer", token } }
      })
    : Either.map(ProviderOptions.decode("classlink", DirectSchema)(options), ({ clientId, clientSecret, host, signatureMethod }) => ({
        ...common,
        baseUrl: withOneRosterPath(host),
        auth: { type: "oauth1", clientId, clientSecret, signatureMethod }
      }))
  // The generic checks (page size, timeout, signature method …) run here too, so every mistake shows up now.
  return Either.flatMap(result, (generic) => Either.map(OneRosterClient.validate(generic), () => generic))
}

/** Provides `OneRosterClient` and `RosterProvider` for a ClassLink tenant. */
export const layer = (
  options: Options
): Layer.Layer<OneRosterClient.OneRosterClient | RosterProvider.RosterProvider, ConfigurationError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(oneRosterOptions(options), OneRosterProvider.layer))

/** The same from `Config`, e.g. `Config.all({ host: Config.string("CLASSLINK_HOST"), … })`. */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<
  OneRosterClient.OneRosterClient | RosterProvider.RosterProvider,
  ConfigError.ConfigError | ConfigurationError,
  HttpClient.HttpClient
> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
