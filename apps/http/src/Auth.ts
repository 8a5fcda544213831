// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- oauth-sign ships no types
/// <reference path="./internal/oauth-sign.d.ts" />
/**
 * Who is calling. No request is anonymous: a client proves itself with
 *
 * - OAuth 1.0a HMAC-SHA256 (RFC 5849), in the Authorization header or in the query string: every
 *   query parameter is signed; the timestamp must be within `timestampWindowSeconds` of the
 *   gateway's clock; a nonce is accepted once (nonces are remembered per instance, for twice the
 *   window). Signatures are computed with `oauth-sign`.
 * - OAuth 2 client credentials: `POST /oauth/token` (HTTP Basic or form credentials) answers a
 *   bearer token that expires after `tokenTtlSeconds`. Tokens are self-contained (client id,
 *   expiry and an HMAC keyed by the client's secret), so every gateway instance accepts the
 *   tokens of every other one, and rotating a client's secret revokes its tokens.
 * - A static bearer key (`token` of a client).
 *
 * Secrets are compared in constant time (`crypto.timingSafeEqual` over SHA-256 digests).
 */
import * as crypto from "node:crypto"
import * as Redacted from "effect/Redacted"
import oauthSign from "oauth-sign"

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

const digest = (value: string) => crypto.createHash("sha256").update(value, "utf8").digest()

/** Constant-time string equality (over SHA-256 digests, so lengths do not leak either). */
export const safeEqual = (a: string, b: string): boolean => crypto.timingSafeEqual(digest(a), digest(b))

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url")

const oauth1Challenge = 'OAuth realm="rosterkit"'
const bearerChallenge = 'Bearer realm="rosterkit"'

const parseOAuthHeader = (header: string): Map<string, string> | undefined => {
  if (!/^OAuth\s+/i.test(header)) return undefined
  const params = new Map<string, string>()
  const pattern = /([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"/g
  for (let match = pattern.exec(header); match !== null; match = pattern.exec(header)) {
    try {
      params.set(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!))
    } catch {
      return undefined
    }
  }
  return params
}

export const make = (options: Options): Authenticator => {
  const now = options.now ?? Date.now
  const window = options.timestampWindowSeconds ?? 300
  const tokenTtl = options.tokenTtlSeconds ?? 3600
  const byId = new Map(options.clients.map((c) => [c.id, c]))
  const nonces = new Map<string, number>() // consumer key + nonce -> forget after (epoch ms)
  let lastSweep = 0

  const denied = (description: string, challenge: string): Result => ({ _tag: "Denied", description, challenge })

  const rememberNonce = (key: string): boolean => {
    const at = now()
    if (at - lastSweep > 60_000) {
      for (const [k, until] of nonces) if (until <= at) nonces.delete(k)
      lastSweep = at
    }
    const until = nonces.get(key)
    if (until !== undefined && until > at) return false
    nonces.set(key, at + 2 * window * 1000)
    return true
  }

  const oauth1 = (request: RequestInfo, oauth: Map<string, string>, fromQuery: boolean): Result => {
    const required = ["oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"]
    const missing = required.filter((name) => !oauth.has(name))
    if (missing.length > 0) return denied(`OAuth 1.0a: missing ${missing.join(", ")}`, oauth1Challenge)
    const client = byId.get(oauth.get("oauth_consumer_key")!)
    if (client?.secret === undefined) return denied("OAuth 1.0a: unknown consumer key", oauth1Challenge)
    const method = oauth.get("oauth_signature_method")!
    if (method !== "HMAC-SHA256") return denied(`OAuth 1.0a: oauth_signature_method must be HMAC-SHA256, not ${method}`, oauth1Challenge)
    const version = oauth.get("oauth_version")
    if (version !== undefined && version !== "1.0") return denied(`OAuth 1.0a: unsupported oauth_version ${version}`, oauth1Challenge)
    const timestamp = Number(oauth.get("oauth_timestamp"))
    if (!/^\d+$/.test(oauth.get("oauth_timestamp")!) || Math.abs(now() / 1000 - timestamp) > window) {
      return denied(`OAuth 1.0a: oauth_timestamp is not within ${window} seconds of the gateway's clock`, oauth1Challenge)
    }
    const signed: Record<string, Array<string>> = Object.create(null)
    const add = (key: string, value: string) => {
      ;(signed[key] ??= []).push(value)
    }
    request.url.searchParams.forEach((value, key) => {
      if (key !== "oauth_signature") add(key, value)
    })
    if (!fromQuery) for (const [key, value] of oauth) if (key !== "oauth_signature" && key !== "realm") add(key, value)
    const given = oauth.get("oauth_signature")!
    const secret = Redacted.value(client.secret)
    // The scheme the client saw may differ from ours behind a TLS-terminating proxy: accept either.
    const schemes = request.url.protocol === "https:" ? ["https:", "http:"] : ["http:", "https:"]
    const valid = schemes.some((scheme) =>
      safeEqual(oauthSign.sign("HMAC-SHA256", request.method.toUpperCase(), `${scheme}//${request.url.host}${request.url.pathname}`, signed, secret, ""), given)
    )
    if (!valid) return denied("OAuth 1.0a: invalid signature", oauth1Challenge)
    if (!rememberNonce(`${client.id}\u0000${oauth.get("oauth_nonce")!}`)) return denied("OAuth 1.0a: oauth_nonce has been used before", oauth1Challenge)
    return { _tag: "Allowed", client, scheme: "oauth1" }
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
      const bearerMatch = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (bearerMatch !== null) return bearer(bearerMatch[1]!)
      const oauth = parseOAuthHeader(header)
      if (oauth !== undefined) return oauth1(request, oauth, false)
      return denied("Authorization must be OAuth 1.0a or Bearer", `${oauth1Challenge}, ${bearerChallenge}`)
    }
    if (request.url.searchParams.has("oauth_signature") || request.url.searchParams.has("oauth_consumer_key")) {
      const oauth = new Map<string, string>()
      request.url.searchParams.forEach((value, key) => {
        if (key.startsWith("oauth_")) oauth.set(key, value)
      })
      return oauth1(request, oauth, true)
    }
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
    let clientId = form.get("client_id") ?? undefined
    let clientSecret = form.get("client_secret") ?? undefined
    const basic = /^Basic\s+(\S+)\s*$/i.exec(request.headers["authorization"] ?? "")
    if (basic !== null) {
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8")
      const colon = decoded.indexOf(":")
      const decode = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, " "))
        } catch {
          return s
        }
      }
      if (colon >= 0) {
        clientId = decode(decoded.slice(0, colon))
        clientSecret = decode(decoded.slice(colon + 1))
      }
    }
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
