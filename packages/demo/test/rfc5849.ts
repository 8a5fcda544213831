/**
 * A test-only OAuth 1.0a signer written from RFC 5849 with node:crypto (independent of both
 * `oauth-sign`, which the fake verifies with, and the provider's `oauth-1.0a`).
 */
import { createHmac, randomBytes } from "node:crypto"

/** RFC 3986 percent-encoding (§3.6: unreserved characters stay, everything else is %XX). */
export const percentEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export interface SignOptions {
  readonly clientId: string
  readonly clientSecret: string
  readonly method?: "HMAC-SHA256" | "HMAC-SHA1"
  readonly timestamp?: number
  readonly nonce?: string
}

/** The Authorization header for `method url`. */
export const authorization = (httpMethod: string, url: string, options: SignOptions): string => {
  const u = new URL(url)
  const oauth: Record<string, string> = {
    oauth_consumer_key: options.clientId,
    oauth_nonce: options.nonce ?? randomBytes(12).toString("hex"),
    oauth_signature_method: options.method ?? "HMAC-SHA256",
    oauth_timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_version: "1.0"
  }
  // §3.4.1.3: query parameters (form-decoded) and oauth_* parameters, encoded, sorted, joined.
  const pairs: Array<readonly [string, string]> = []
  u.searchParams.forEach((value, key) => pairs.push([percentEncode(key), percentEncode(value)]))
  for (const [key, value] of Object.entries(oauth)) pairs.push([percentEncode(key), percentEncode(value)])
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join("&")
  // §3.4.1.2: scheme and host lower-case, default port dropped, no query.
  const baseUri = `${u.protocol}//${u.host}${u.pathname}`
  const base = [httpMethod.toUpperCase(), percentEncode(baseUri), percentEncode(normalized)].join("&")
  const key = `${percentEncode(options.clientSecret)}&`
  const signature = createHmac(oauth.oauth_signature_method === "HMAC-SHA1" ? "sha1" : "sha256", key).update(base).digest("base64")
  const header = { ...oauth, oauth_signature: signature }
  return `OAuth ${Object.entries(header).map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`).join(", ")}`
}
