import { describe, expect, it } from "@effect/vitest"
import { AuthError, isSecretName, redactUrl, ResponseError, scrub, scrubError } from "@rosterkit/core/RosterError"

describe("RosterError redaction", () => {
  it("redacts credentials and secret parameters from URLs", () => {
    expect(redactUrl("https://me:pw@sis.test/users?limit=5&access_token=abc&oauth_signature=x")).toBe(
      "https://sis.test/users?limit=5&access_token=REDACTED&oauth_signature=REDACTED"
    )
    expect(isSecretName("client_secret")).toBe(true)
    expect(isSecretName("limit")).toBe(false)
  })

  it("scrubs a secret in every spelling, longest first, and leaves short ones alone", () => {
    const secret = "s3cret value/+"
    const text = `raw ${secret}, encoded ${encodeURIComponent(secret)}, form ${encodeURIComponent(secret).replace(/%20/g, "+")}`
    expect(scrub(text, [secret])).toBe("raw REDACTED, encoded REDACTED, form REDACTED")
    expect(scrub("token abcdefgh and abcd", ["abcd", "abcdefgh"])).toBe("token REDACTED and REDACTED")
    expect(scrub("a cat", ["cat"])).toBe("a cat")
  })

  it("scrubs every text field of an error and keeps its class", () => {
    const error = new ResponseError({
      provider: "oneroster",
      operation: "list users",
      url: "https://sis.test/users",
      status: 400,
      description: "bad secret hunter22",
      bodyExcerpt: "{\"echo\":\"hunter22\"}"
    })
    const clean = scrubError(error, ["hunter22"])
    expect(clean).toBeInstanceOf(ResponseError)
    expect(clean.description).toBe("bad secret REDACTED")
    expect(clean.bodyExcerpt).toBe("{\"echo\":\"REDACTED\"}")
    expect(clean.status).toBe(400)
    expect(clean.message).not.toContain("hunter22")
    expect(clean.stack ?? "").not.toContain("hunter22")
  })

  it("returns the same error when no secret occurs", () => {
    const error = new AuthError({ provider: "clever", operation: "list users", detail: "token rejected" })
    expect(scrubError(error, ["hunter22"])).toBe(error)
  })
})
