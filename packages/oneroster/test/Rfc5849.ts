/**
 * An independent RFC 5849 (OAuth 1.0a) signature verifier, written from the RFC for the tests:
 * it shares no code with `oauth-1.0a`. It sees the request exactly as a server does (the URL
 * as sent, query decoded as application/x-www-form-urlencoded, §3.4.1.3.1).
 */
import { createHmac, timingSafeEqual } from "node:crypto"

/** RFC 5849 §3.6: unreserved characters stay, everything else is %XX of its UTF-8 bytes. */
export const encode = (value: string): string =>
  [...new TextEncoder().encode(value)]
    .map((byte) => {
      const c = String.fromCharCode(byte)
      return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
    })
    .join("")

/** §3.5.1: `OAuth k="v", …` with percent-encoded keys and values. */
export const parseAuthorization = (header: string | null): Map<string, string> | undefined => {
  if (header === null || !/^OAuth\s/i.test(header)) return undefined
  const params = new Map<string, string>()
  for (const match of header.slice(6).matchAll(/([^\s=,]+)="([^"]*)"/g)) {
    params.set(decodeURIComponent(match[1]!), decodeURIComponent(match[2]!))
  }
  return params
}

export interface Verification {
  readonly ok: boolean
  readonly baseString: string
  readonly params: ReadonlyMap<string, string>
  readonly query: ReadonlyArray<readonly [string, string]>
}

/** Verifies the HMAC-SHA1/SHA256 signature of `request` with `consumerSecret` (two-legged: empty token secret). */
export const verify = (request: Request, consumerSecret: string): Verification => {
  const url = new URL(request.url)
  const params = parseAuthorization(request.headers.get("authorization")) ?? new Map<string, string>()
  const query = [...url.searchParams.entries()]
  const pairs: Array<[string, string]> = [...query, ...[...params].filter(([key]) => key !== "oauth_signature" && key !== "realm")].map(
    ([key, value]) => [encode(key), encode(value)]
  )
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
  const normalized = pairs.map(([key, value]) => `${key}=${value}`).join("&")
  // §3.4.1.2: scheme and host lower case, default port omitted (URL does both), path as sent.
  const baseUri = `${url.protocol}//${url.host}${url.pathname}`
  const baseString = `${request.method.toUpperCase()}&${encode(baseUri)}&${encode(normalized)}`
  const method = params.get("oauth_signature_method")
  const algorithm = method === "HMAC-SHA1" ? "sha1" : method === "HMAC-SHA256" ? "sha256" : undefined
  const given = params.get("oauth_signature")
  if (algorithm === undefined || given === undefined) return { ok: false, baseString, params, query }
  const expected = createHmac(algorithm, `${encode(consumerSecret)}&`).update(baseString).digest()
  const actual = Buffer.from(given, "base64")
  return { ok: actual.length === expected.length && timingSafeEqual(actual, expected), baseString, params, query }
}
