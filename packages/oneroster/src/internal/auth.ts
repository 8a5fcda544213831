/**
 * Request authentication for OneRoster: OAuth 1.0a signing (RFC 5849, via `oauth-1.0a`),
 * OAuth 2 client credentials with a token cache, and static bearer tokens.
 *
 * The OAuth 1.0a and bearer signers run once per attempt (they are applied with
 * `HttpClient.mapRequestEffect`), so a retried request gets a fresh nonce and timestamp. An
 * OAuth 2 token is read from its cache for each request and renewed on expiry or after a 401.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as SynchronizedRef from "effect/SynchronizedRef"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Http from "@rosterkit/core/Http"
import { AuthError, type RosterError } from "@rosterkit/core/RosterError"
import { createHmac } from "node:crypto"
import OAuth from "oauth-1.0a"

/** Adds credentials to one attempt of a request. */
export type Signer = (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest>

export type SignatureMethod = "HMAC-SHA256" | "HMAC-SHA1"

/**
 * The pieces RFC 5849 §3.4.1 signs: the base string URI (scheme and host lower-cased, default
 * port dropped, no query) and every query parameter, decoded the way a server decodes them
 * (application/x-www-form-urlencoded). The request is sent unchanged, so what the server
 * decodes is exactly what was signed.
 */
export const signatureInput = (
  request: HttpClientRequest.HttpClientRequest
): { readonly baseUrl: string; readonly params: Record<string, string | Array<string>> } | undefined => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, Option.none())
  if (url._tag === "Left") return undefined
  const params: Record<string, string | Array<string>> = Object.create(null)
  for (const [key, value] of url.right.searchParams) {
    const seen = params[key]
    params[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return { baseUrl: `${url.right.origin}${url.right.pathname}`, params }
}

/** OAuth 1.0a, two-legged (no token): key = enc(secret)&, HMAC-SHA256 unless told otherwise. */
export const oauth1 = (options: {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted
  readonly signatureMethod: SignatureMethod
}): Signer => {
  const algorithm = options.signatureMethod === "HMAC-SHA1" ? "sha1" : "sha256"
  const oauth = new OAuth({
    consumer: { key: options.clientId, secret: Redacted.value(options.clientSecret) },
    signature_method: options.signatureMethod,
    hash_function: (base, key) => createHmac(algorithm, key).update(base).digest("base64")
  })
  return (request) =>
    Effect.sync(() => {
      const input = signatureInput(request)
      // A URL that does not parse fails in the HTTP client itself, with a clear transport error.
      if (input === undefined) return request
      const authorization = oauth.authorize({ url: input.baseUrl, method: request.method, data: input.params })
      return HttpClientRequest.setHeader(request, "Authorization", oauth.toHeader(authorization).Authorization)
    })
}

/** A static bearer token, plus any extra headers the server wants. */
export const bearer = (token: Redacted.Redacted, headers: Readonly<Record<string, string>> = {}): Signer => {
  const value = `Bearer ${Redacted.value(token)}`
  return (request) => Effect.succeed(HttpClientRequest.setHeaders(request, { ...headers, Authorization: value }))
}

/** A cached OAuth 2 access token. */
export interface TokenCache {
  /** The current token, fetched when missing or about to expire. */
  readonly get: Effect.Effect<Redacted.Redacted, RosterError>
  /** Drops the cached token if it is still `token` (the one a 401 answered): the next `get` fetches anew. */
  readonly invalidate: (token: Redacted.Redacted) => Effect.Effect<void>
  /** The token currently held, for scrubbing error messages. */
  readonly current: Effect.Effect<Option.Option<string>>
}

interface CachedToken {
  readonly token: Redacted.Redacted
  readonly expiresAt: number
}

/** A token is renewed this long before the server says it expires. */
const expiryMargin = Duration.toMillis(Duration.seconds(30))

const tokenResponse = (body: unknown): { readonly accessToken: string; readonly expiresIn: number | undefined } | undefined => {
  if (body === null || typeof body !== "object") return undefined
  const record = body as Record<string, unknown>
  const accessToken = record["access_token"]
  if (typeof accessToken !== "string" || accessToken === "") return undefined
  const raw = record["expires_in"]
  const expiresIn = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : undefined
  return { accessToken, expiresIn }
}

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before Basic auth. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+")

/**
 * OAuth 2 client credentials: POST `grant_type=client_credentials` (and `scope`) to the token
 * URL with HTTP Basic auth; the token is cached until `expires_in` (minus 30 s; one hour when
 * the server does not say). Concurrent callers share one token request.
 */
export const oauth2 = (options: {
  readonly client: HttpClient.HttpClient
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted
  readonly tokenUrl: string
  readonly scope: string | undefined
  readonly provider: string
  readonly http: Http.Options
}): Effect.Effect<TokenCache> =>
  Effect.gen(function* () {
    const ref = yield* SynchronizedRef.make(Option.none<CachedToken>())
    const context: Http.Context = { provider: options.provider, operation: "fetch OAuth 2 token" }
    const basic = Buffer.from(`${formEncode(options.clientId)}:${formEncode(Redacted.value(options.clientSecret))}`).toString("base64")
    const body: Record<string, string> = { grant_type: "client_credentials" }
    if (options.scope !== undefined && options.scope !== "") body["scope"] = options.scope
    const request = HttpClientRequest.post(options.tokenUrl).pipe(
      HttpClientRequest.setHeader("Authorization", `Basic ${basic}`),
      HttpClientRequest.acceptJson,
      HttpClientRequest.bodyUrlParams(body)
    )

    const fetchToken = Effect.gen(function* () {
      const response = yield* Http.getJson(options.client, request, context, options.http).pipe(
        // A refusal (4xx) is about the credentials; a 5xx is the server failing (after retries).
        Effect.catchTag("ResponseError", (error): Effect.Effect<never, RosterError> =>
          error.status >= 500 ? Effect.fail(error) : Effect.fail(
            new AuthError({
              provider: options.provider,
              operation: context.operation,
              status: error.status,
              url: error.url,
              detail: `the token endpoint refused the client credentials${error.description ? `: ${error.description}` : ""}`
            })
          )
        )
      )
      const parsed = tokenResponse(response.body)
      if (parsed === undefined) {
        return yield* new AuthError({
          provider: options.provider,
          operation: context.operation,
          status: response.status,
          url: response.url,
          detail: "the token endpoint's answer has no access_token"
        })
      }
      const now = yield* Clock.currentTimeMillis
      const lifetime = parsed.expiresIn === undefined ? 3_600_000 : parsed.expiresIn * 1000
      return {
        token: Redacted.make(parsed.accessToken),
        expiresAt: now + Math.max(0, lifetime - Math.min(expiryMargin, lifetime / 2))
      } satisfies CachedToken
    })

    const get = SynchronizedRef.modifyEffect(ref, (cached) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Option.isSome(cached) && now < cached.value.expiresAt
          ? Effect.succeed([cached.value.token, cached] as const)
          : Effect.map(fetchToken, (fresh) => [fresh.token, Option.some(fresh)] as const)
      )
    )

    const invalidate = (token: Redacted.Redacted) =>
      SynchronizedRef.update(ref, (cached) =>
        Option.isSome(cached) && Redacted.value(cached.value.token) === Redacted.value(token) ? Option.none() : cached
      )

    const current = Effect.map(SynchronizedRef.get(ref), Option.map((cached) => Redacted.value(cached.token)))

    return { get, invalidate, current }
  })

/** Sets the bearer header for a token obtained from a `TokenCache`. */
export const withToken = (request: HttpClientRequest.HttpClientRequest, token: Redacted.Redacted) =>
  HttpClientRequest.setHeader(request, "Authorization", `Bearer ${Redacted.value(token)}`)
