// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- oauth-sign ships no types; this makes ours visible to every package that type-checks this file
/// <reference path="./internal/oauth-sign.d.ts" />
/**
 * The server side of OneRoster's two OAuth flavours, for anything that answers OneRoster
 * requests (FakeOneRoster here, the `rosterkit-http` gateway):
 *
 * - `verifyOAuth1`: an OAuth 1.0a request (RFC 5849, two-legged) — the `Authorization: OAuth …`
 *   header or the query string, the signature base string and HMAC computed with `oauth-sign`
 *   (an RFC 5849 implementation other than the `oauth-1.0a` the clients sign with, so a signing
 *   bug cannot hide by being made on both sides), the timestamp window and single-use nonces.
 * - `clientCredentials`: the client id and secret of an OAuth 2 client-credentials token request
 *   (RFC 6749 §2.3.1: HTTP Basic, whose parts are form-urlencoded, or `client_id` /
 *   `client_secret` form fields; Basic wins when both are sent).
 *
 * Both are plain functions over what a server sees of a request; what a server does with a
 * refusal (its status, body and challenge) stays its own.
 */
import * as crypto from "node:crypto"
import oauthSign from "oauth-sign"

export type SignatureMethod = "HMAC-SHA256" | "HMAC-SHA1"

/** What the verifier sees of a request. */
export interface RequestInfo {
  /** GET, POST … */
  readonly method: string
  /** The absolute URL the client called (scheme and host as the client saw them). */
  readonly url: URL
  /** The Authorization header, if any. */
  readonly authorization: string | undefined
}

export interface OAuth1Options {
  /** The consumer secret of a consumer key; undefined for an unknown key. */
  readonly secretOf: (consumerKey: string) => string | undefined
  /** The accepted signature methods (default HMAC-SHA256 only). */
  readonly methods?: ReadonlyArray<SignatureMethod>
  /** How far a timestamp may be from `now()`, in seconds (default 300). */
  readonly windowSeconds?: number
  /** The clock in epoch milliseconds (default Date.now). */
  readonly now?: () => number
  /** Whose clock, in the timestamp message ("the server", "the gateway's"); default "the server". */
  readonly clockName?: string
  /** Accept the oauth_* parameters in the query string too (default false: the header only). */
  readonly query?: boolean
  /**
   * Also accept a signature made over the other scheme (http <-> https), for a server behind a
   * TLS-terminating proxy (default false).
   */
  readonly eitherScheme?: boolean
  /**
   * Records a nonce of a consumer key; false when it was seen before (a replay). Called only
   * for a request whose signature is valid.
   */
  readonly useNonce: (consumerKey: string, nonce: string) => boolean
}

export type OAuth1Result =
  | { readonly _tag: "Valid"; readonly consumerKey: string }
  /** `description` names what is wrong, never a secret. `notOAuth` when there is no OAuth 1.0a attempt at all. */
  | { readonly _tag: "Invalid"; readonly description: string; readonly notOAuth: boolean }

/** The parameters of an `Authorization: OAuth k="v", …` header (decoded); undefined for another scheme or a bad encoding. */
export const parseAuthorization = (header: string): Map<string, string> | undefined => {
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

/** The RFC 5849 §3.4.1.2 base string URI: scheme://host[:non-default port]/path, no query. */
export const baseStringUri = (url: URL, protocol: string = url.protocol): string => `${protocol}//${url.host}${url.pathname}`

/** Does this request try OAuth 1.0a (an OAuth header, or oauth_* query parameters when `query`)? */
export const isOAuth1Attempt = (request: RequestInfo, query: boolean): boolean =>
  (request.authorization !== undefined && /^OAuth\s+/i.test(request.authorization)) ||
  (query && (request.url.searchParams.has("oauth_signature") || request.url.searchParams.has("oauth_consumer_key")))

const required = ["oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"] as const

const digest = (value: string) => crypto.createHash("sha256").update(value, "utf8").digest()

/** Constant-time string equality (over SHA-256 digests, so lengths do not leak either). */
export const safeEqual = (a: string, b: string): boolean => crypto.timingSafeEqual(digest(a), digest(b))

const describeWindow = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? "" : "s"}` : `${seconds} seconds`)

/**
 * Verifies an OAuth 1.0a request: every query parameter and every oauth_* parameter but the
 * signature (and `realm`) is signed; the method must be one of `methods`; `oauth_version`, when
 * sent, is 1.0; the timestamp is within the window; the nonce is new.
 */
export const verifyOAuth1 = (request: RequestInfo, options: OAuth1Options): OAuth1Result => {
  const invalid = (description: string, notOAuth = false): OAuth1Result => ({ _tag: "Invalid", description, notOAuth })
  const methods = options.methods ?? ["HMAC-SHA256"]
  const window = options.windowSeconds ?? 300
  const now = options.now ?? Date.now
  let oauth: Map<string, string> | undefined
  let fromQuery = false
  if (request.authorization !== undefined && request.authorization.trim() !== "") {
    oauth = parseAuthorization(request.authorization)
    if (oauth === undefined) return invalid("Authorization is not an OAuth header", true)
  } else if (options.query === true && isOAuth1Attempt(request, true)) {
    fromQuery = true
    oauth = new Map()
    for (const [key, value] of request.url.searchParams) if (key.startsWith("oauth_")) oauth.set(key, value)
  } else {
    return invalid("missing Authorization header", true)
  }
  const missing = required.filter((name) => !oauth.has(name))
  if (missing.length > 0) return invalid(`missing ${missing.join(", ")}`)
  const consumerKey = oauth.get("oauth_consumer_key")!
  const secret = options.secretOf(consumerKey)
  if (secret === undefined) return invalid("unknown consumer key")
  const method = oauth.get("oauth_signature_method")!
  if (!(methods as ReadonlyArray<string>).includes(method)) {
    return invalid(`oauth_signature_method must be ${methods.join(" or ")}, not ${method}`)
  }
  const version = oauth.get("oauth_version")
  if (version !== undefined && version !== "1.0") return invalid(`unsupported oauth_version ${version}`)
  const timestamp = oauth.get("oauth_timestamp")!
  if (!/^\d+$/.test(timestamp) || Math.abs(now() / 1000 - Number(timestamp)) > window) {
    return invalid(`oauth_timestamp is not within ${describeWindow(window)} of ${options.clockName ?? "the server"} clock`)
  }
  // RFC 5849 §3.4.1.3: the query's parameters and the header's oauth_* ones, never the signature or realm.
  const signed: Record<string, Array<string>> = Object.create(null)
  const add = (key: string, value: string) => {
    ;(signed[key] ??= []).push(value)
  }
  request.url.searchParams.forEach((value, key) => {
    if (key !== "oauth_signature") add(key, value)
  })
  if (!fromQuery) for (const [key, value] of oauth) if (key !== "oauth_signature" && key !== "realm") add(key, value)
  const given = oauth.get("oauth_signature")!
  const other = request.url.protocol === "https:" ? "http:" : "https:"
  const schemes = options.eitherScheme === true ? [request.url.protocol, other] : [request.url.protocol]
  const valid = schemes.some((scheme) =>
    safeEqual(oauthSign.sign(method as SignatureMethod, request.method.toUpperCase(), baseStringUri(request.url, scheme), signed, secret, ""), given)
  )
  if (!valid) return invalid("invalid signature")
  if (!options.useNonce(consumerKey, oauth.get("oauth_nonce")!)) return invalid("oauth_nonce has been used before")
  return { _tag: "Valid", consumerKey }
}

/**
 * A nonce memory for `useNonce`: a nonce of a consumer key is refused while remembered, and
 * remembered for `forgetAfterMillis` (default: forever), so memory stays bounded on a long run.
 */
export const nonceMemory = (options: { readonly forgetAfterMillis?: number; readonly now?: () => number } = {}) => {
  const now = options.now ?? Date.now
  const keep = options.forgetAfterMillis ?? Number.POSITIVE_INFINITY
  const nonces = new Map<string, number>() // consumer key + nonce -> forget after (epoch ms)
  let lastSweep = 0
  return (consumerKey: string, nonce: string): boolean => {
    const at = now()
    if (at - lastSweep > 60_000) {
      for (const [k, until] of nonces) if (until <= at) nonces.delete(k)
      lastSweep = at
    }
    const key = `${consumerKey}\u0000${nonce}`
    const until = nonces.get(key)
    if (until !== undefined && until > at) return false
    nonces.set(key, at + keep)
    return true
  }
}

/** The client id and secret of an OAuth 2 token request (either may be missing). */
export interface ClientCredentials {
  readonly clientId: string | undefined
  readonly clientSecret: string | undefined
}

/**
 * The credentials of a client-credentials token request: `Authorization: Basic` (each part
 * form-urlencoded, RFC 6749 §2.3.1) when sent, else the `client_id` / `client_secret` fields.
 */
export const clientCredentials = (form: URLSearchParams, authorization: string | undefined): ClientCredentials => {
  let clientId = form.get("client_id") ?? undefined
  let clientSecret = form.get("client_secret") ?? undefined
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? "")
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
  return { clientId, clientSecret }
}

/** The bearer token of an `Authorization: Bearer …` header. */
export const bearerOf = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1]
