/**
 * Who is calling. No request is anonymous: a client proves itself with
 *
 * - OAuth 1.0a HMAC-SHA256 (RFC 5849), in the Authorization header or in the query string: every
 *   query parameter is signed; the timestamp must be within `timestampWindowSeconds` of the
 *   gateway's clock; a nonce is accepted once (nonces are remembered per instance, for twice the
 *   window). Verified by `@rosterkit/demo/OAuthServer` (signatures computed with `oauth-sign`),
 *   the module the fake OneRoster server verifies with too.
 * - OAuth 2 client credentials: `POST /oauth/token` (HTTP Basic or form credentials) answers a
 *   bearer token that expires after `tokenTtlSeconds`. Tokens are self-contained (client id,
 *   expiry and an HMAC keyed by the client's secret), so every gateway instance accepts the
 *   tokens of every other one, and rotating a client's secret revokes its tokens.
 * - A static bearer key (`token` of a client).
 *
 * Secrets are compared in constant time (`crypto.timingSafeEqual` over SHA-256 digests).
 */
import * as OAuthServer from "@rosterkit/demo/OAuthServer"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"

/** A client of the gateway, bound to one district. */
export interface Client {
  readonly id: string
  readonly district: string
  /** OAuth 1.0a consumer secret and OAuth 2 client secret. */
  readonly secret?: Redacted.Redacted<string> | undefined
  /** A static bearer key. */
  readonly token?: Redacted.Redacted<string> | undefined
}

export interface Options {
  readonly clients: ReadonlyArray<Client>
  /** OAuth 2 access token lifetime (default 3600). */
  readonly tokenTtlSeconds?: number
  /** OAuth 1.0a timestamp window (default 300). */
  readonly timestampWindowSeconds?: number
  /** Epoch milliseconds (default Date.now). */
  readonly now?: () => number
}

/** What the gateway sees of a request. */
export interface RequestInfo {
  readonly method: string
  /** The absolute URL the client called (scheme and host as the client saw them). */
  readonly url: URL
  readonly headers: Readonly<Record<string, string | undefined>>
}

export type Result =
  | { readonly _tag: "Allowed"; readonly client: Client; readonly scheme: "oauth1" | "oauth2" | "bearer" }
  | { readonly _tag: "Denied"; readonly description: string; readonly challenge: string }

/** The token endpoint's answer (RFC 6749 §5). */
export interface TokenResponse {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers: Record<string, string>
  /** The client a token was issued to. */
  readonly clientId?: string
}

export interface Authenticator {
  readonly authenticate: (request: RequestInfo) => Result
  readonly issueToken: (request: RequestInfo, form: URLSearchParams) => TokenResponse
}

/** Constant-time string equality (over SHA-256 digests, so lengths do not leak either). */
export const safeEqual = OAuthServer.safeEqual

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url")

const oauth1Challenge = 'OAuth realm="rosterkit"'
const bearerChallenge = 'Bearer realm="rosterkit"'

export const make = (options: Options): Authenticator => {
  const now = options.now ?? Date.now
  const window = options.timestampWindowSeconds ?? 300
  const tokenTtl = options.tokenTtlSeconds ?? 3600
  const byId = new Map(options.clients.map((c) => [c.id, c]))
  const useNonce = OAuthServer.nonceMemory({ forgetAfterMillis: 2 * window * 1000, now })

  const denied = (description: string, challenge: string): Result => ({ _tag: "Denied", description, challenge })

  const oauth1 = (request: RequestInfo): Result => {
    const result = OAuthServer.verifyOAuth1(
      { method: request.method, url: request.url, authorization: request.headers["authorization"] },
      {
        secretOf: (key) => {
          const secret = byId.get(key)?.secret
          return secret === undefined ? undefined : Redacted.value(secret)
        },
        windowSeconds: window,
        now,
        clockName: "the gateway's",
        query: true,
        // The scheme the client saw may differ from ours behind a TLS-terminating proxy: accept either.
        eitherScheme: true,
        useNonce
      }
    )
    if (result._tag === "Invalid") return denied(`OAuth 1.0a: ${result.description}`, oauth1Challenge)
    return { _tag: "Allowed", client: byId.get(result.consumerKey)!, scheme: "oauth1" }
  }

  const tokenSignature = (client: Client, expires: number) =>
    b64url(crypto.createHmac("sha256", Redacted.value(client.secret!)).update(`rosterkit-gateway-token\u0000${client.id}\u0000${expires}`).digest())

  const oauth2 = (token: string): Result => {
    const [prefix, id, expiresText, signature] = token.split(".")
    const clientId = id === undefined ? undefined : Buffer.from(id, "base64url").toString("utf8")
    const client = clientId === undefined ? undefined : byId.get(clientId)
    const expires = Number(expiresText)
    if (prefix !== "rk" || client?.secret === undefined || signature === undefined || !Number.isInteger(expires)) {
      return denied("invalid access token", 'Bearer error="invalid_token"')
    }
    if (!safeEqual(tokenSignature(client, expires), signature)) return denied("invalid access token", 'Bearer error="invalid_token"')
    if (now() >= expires * 1000) return denied("access token expired", 'Bearer error="invalid_token", error_description="expired"')
    return { _tag: "Allowed", client, scheme: "oauth2" }
  }

  const bearer = (token: string): Result => {
    if (token.startsWith("rk.")) return oauth2(token)
    let found: Client | undefined
    for (const client of options.clients) {
      if (client.token !== undefined && safeEqual(Redacted.value(client.token), token) && found === undefined) found = client
    }
    return found === undefined ? denied("invalid bearer token", 'Bearer error="invalid_token"') : { _tag: "Allowed", client: found, scheme: "bearer" }
  }

  const authenticate = (request: RequestInfo): Result => {
    const header = request.headers["authorization"]
    if (header !== undefined && header.trim() !== "") {
      const token = OAuthServer.bearerOf(header)
      if (token !== undefined) return bearer(token)
      if (/^OAuth\s+/i.test(header)) return oauth1(request)
      return denied("Authorization must be OAuth 1.0a or Bearer", `${oauth1Challenge}, ${bearerChallenge}`)
    }
    if (OAuthServer.isOAuth1Attempt({ method: request.method, url: request.url, authorization: undefined }, true)) return oauth1(request)
    return denied("authentication required: OAuth 1.0a, an OAuth 2 bearer token (POST /oauth/token) or a bearer key", `${oauth1Challenge}, ${bearerChallenge}`)
  }

  const issueToken = (request: RequestInfo, form: URLSearchParams): TokenResponse => {
    const headers = { "cache-control": "no-store", pragma: "no-cache" }
    const error = (status: number, code: string, description: string, extra: Record<string, string> = {}): TokenResponse => ({
      status,
      body: { error: code, error_description: description },
      headers: { ...headers, ...extra }
    })
    if (form.get("grant_type") !== "client_credentials") return error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    const { clientId, clientSecret } = OAuthServer.clientCredentials(form, request.headers["authorization"])
    const client = clientId === undefined ? undefined : byId.get(clientId)
    const valid = client?.secret !== undefined && clientSecret !== undefined && safeEqual(Redacted.value(client.secret), clientSecret)
    if (!valid || client === undefined) {
      return error(401, "invalid_client", "unknown client or wrong secret", { "www-authenticate": 'Basic realm="rosterkit"' })
    }
    const expires = Math.floor(now() / 1000) + tokenTtl
    const token = `rk.${b64url(client.id)}.${expires}.${tokenSignature(client, expires)}`
    return { status: 200, body: { access_token: token, token_type: "bearer", expires_in: tokenTtl }, headers, clientId: client.id }
  }

  return { authenticate, issueToken }
}
