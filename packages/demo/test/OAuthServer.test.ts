/**
 * The shared OAuth server helpers, checked with a signer written here from RFC 5849
 * (test/rfc5849.ts), not with the verifier's own library.
 */
import { describe, expect, it } from "@effect/vitest"
import * as OAuthServer from "@rosterkit/demo/OAuthServer"
import { authorization, percentEncode } from "./rfc5849.js"

const clientId = "key & co"
const clientSecret = "sécret/+="
const now = Date.parse("2026-01-01T00:00:00Z")
const timestamp = now / 1000

const verify = (url: string, header: string | undefined, options: Partial<OAuthServer.OAuth1Options> = {}) =>
  OAuthServer.verifyOAuth1(
    { method: "GET", url: new URL(url), authorization: header },
    { secretOf: (key) => (key === clientId ? clientSecret : undefined), now: () => now, useNonce: () => true, ...options }
  )

describe("verifyOAuth1", () => {
  const url = "https://sis.test/ims/oneroster/v1p1/users?filter=role%3D%27teacher%27&limit=5"

  it("accepts a header signed over every query parameter", () => {
    expect(verify(url, authorization("GET", url, { clientId, clientSecret, timestamp }))).toStrictEqual({ _tag: "Valid", consumerKey: clientId })
  })

  it("names what is wrong, never the secret", () => {
    const cases: ReadonlyArray<readonly [string | undefined, string, string?]> = [
      [authorization("GET", url, { clientId, clientSecret: "wrong", timestamp }), "invalid signature"],
      [authorization("GET", `${url}&offset=5`, { clientId, clientSecret, timestamp }), "invalid signature"],
      [authorization("GET", url, { clientId: "other", clientSecret, timestamp }), "unknown consumer key"],
      [authorization("GET", url, { clientId, clientSecret, timestamp: timestamp - 301 }), "oauth_timestamp is not within 5 minutes of the server clock"],
      [authorization("GET", url, { clientId, clientSecret, timestamp, method: "HMAC-SHA1" }), "oauth_signature_method must be HMAC-SHA256, not HMAC-SHA1"],
      ['OAuth oauth_consumer_key="x"', "missing oauth_signature_method, oauth_timestamp, oauth_nonce, oauth_signature"],
      ["Basic abc", "Authorization is not an OAuth header"],
      [undefined, "missing Authorization header"]
    ]
    for (const [header, description] of cases) {
      const result = verify(url, header)
      expect(result._tag, description).toBe("Invalid")
      expect(result._tag === "Invalid" ? result.description : "", description).toBe(description)
      expect(JSON.stringify(result)).not.toContain(clientSecret)
    }
    // HMAC-SHA1 when allowed.
    expect(verify(url, authorization("GET", url, { clientId, clientSecret, timestamp, method: "HMAC-SHA1" }), { methods: ["HMAC-SHA256", "HMAC-SHA1"] })._tag).toBe("Valid")
  })

  it("a nonce is used once (per consumer key), and forgotten after its time", () => {
    let at = now
    const useNonce = OAuthServer.nonceMemory({ forgetAfterMillis: 600_000, now: () => at })
    const header = authorization("GET", url, { clientId, clientSecret, timestamp, nonce: "n1" })
    expect(verify(url, header, { useNonce })._tag).toBe("Valid")
    const replay = verify(url, header, { useNonce })
    expect(replay._tag === "Invalid" && replay.description).toBe("oauth_nonce has been used before")
    expect(useNonce("another key", "n1")).toBe(true)
    at += 600_001
    expect(useNonce(clientId, "n1")).toBe(true)
  })

  it("the query-string form, and either scheme behind a TLS proxy, only when asked", () => {
    const header = authorization("GET", url, { clientId, clientSecret, timestamp })
    const params = [...header.slice("OAuth ".length).matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => `${m[1]}=${m[2]}`).join("&")
    const inQuery = `${url}&${params}`
    expect(verify(inQuery, undefined)._tag).toBe("Invalid")
    expect(verify(inQuery, undefined, { query: true })._tag).toBe("Valid")
    // Signed for https, received as http (a proxy terminated TLS).
    const plain = url.replace("https:", "http:")
    expect(verify(plain, header)._tag).toBe("Invalid")
    expect(verify(plain, header, { eitherScheme: true })._tag).toBe("Valid")
  })
})

describe("clientCredentials", () => {
  it("reads form fields, or HTTP Basic with form-urlencoded parts (Basic wins)", () => {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: "form-id", client_secret: "form-secret" })
    expect(OAuthServer.clientCredentials(form, undefined)).toStrictEqual({ clientId: "form-id", clientSecret: "form-secret" })
    const basic = `Basic ${Buffer.from(`${percentEncode(clientId)}:${percentEncode(clientSecret)}`).toString("base64")}`
    expect(OAuthServer.clientCredentials(form, basic)).toStrictEqual({ clientId, clientSecret })
    const plus = `Basic ${Buffer.from("a+b:c+d").toString("base64")}`
    expect(OAuthServer.clientCredentials(new URLSearchParams(), plus)).toStrictEqual({ clientId: "a b", clientSecret: "c d" })
    expect(OAuthServer.clientCredentials(new URLSearchParams(), undefined)).toStrictEqual({ clientId: undefined, clientSecret: undefined })
  })

  it("bearerOf", () => {
    expect(OAuthServer.bearerOf("Bearer abc.def")).toBe("abc.def")
    expect(OAuthServer.bearerOf("bearer  x ")).toBe("x")
    expect(OAuthServer.bearerOf("Basic x")).toBeUndefined()
  })
})
