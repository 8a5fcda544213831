/**
 * A small OAuth 1.0a (RFC 5849, two-legged, HMAC-SHA256) signer with node:crypto, for the
 * clients that are not rosterkit (the benchmark's sequential baseline and floor) and the mock
 * SIS's own warm-up requests. rosterkit signs with its own library; the mock verifies with
 * `oauth-sign` (in @rosterkit/demo's FakeOneRoster).
 */
import { createHmac, randomBytes } from "node:crypto"

/** RFC 3986 percent-encoding (§3.6: unreserved characters stay, everything else is %XX). */
export const percentEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export interface Credentials {
  readonly clientId: string
  readonly clientSecret: string
}

/** The `Authorization` header of a GET (or `method`) of `url`: a fresh nonce and timestamp each call. */
export const authorization = (url: string, credentials: Credentials, method = "GET"): string => {
  const u = new URL(url)
  const oauth: Record<string, string> = {
    oauth_consumer_key: credentials.clientId,
    oauth_nonce: randomBytes(12).toString("hex"),
    oauth_signature_method: "HMAC-SHA256",
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_version: "1.0"
  }
  const pairs: Array<readonly [string, string]> = []
  u.searchParams.forEach((value, key) => pairs.push([percentEncode(key), percentEncode(value)]))
  for (const [key, value] of Object.entries(oauth)) pairs.push([percentEncode(key), percentEncode(value)])
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join("&")
  const base = [method.toUpperCase(), percentEncode(`${u.protocol}//${u.host}${u.pathname}`), percentEncode(normalized)].join("&")
  const signature = createHmac("sha256", `${percentEncode(credentials.clientSecret)}&`).update(base).digest("base64")
  const header = { ...oauth, oauth_signature: signature }
  return `OAuth ${Object.entries(header)
    .map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`)
    .join(", ")}`
}
