import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ProviderOptions from "@rosterkit/core/ProviderOptions"

const Options = Schema.Struct({
  host: ProviderOptions.HttpUrl("https://api.acme.test/v1/"),
  auth: Schema.Struct({ clientId: ProviderOptions.Text, clientSecret: ProviderOptions.secret("from the Acme console") }),
  method: Schema.optionalWith(ProviderOptions.oneOf("a", "b"), { default: () => "a" as const }),
  pageSize: Schema.optionalWith(ProviderOptions.WholeNumber({ min: 1, max: 500, hint: "Acme's maximum" }), { default: () => 100 }),
  timeout: ProviderOptions.optional(ProviderOptions.PositiveDuration),
  retry: ProviderOptions.optional(ProviderOptions.RetryOptions),
  verify: Schema.optionalWith(ProviderOptions.Flag, { default: () => false })
})
const decode = ProviderOptions.decode("acme", Options)
const good = { host: " https://api.acme.test/v1 ", auth: { clientId: " id ", clientSecret: "hunter22" } }

const failure = (input: unknown) => {
  const result = decode(input)
  if (Either.isRight(result)) throw new Error("expected a ConfigurationError")
  expect(result.left._tag).toBe("ConfigurationError")
  expect(result.left.provider).toBe("acme")
  expect(result.left.message).not.toContain("hunter22")
  return { setting: result.left.setting, reason: result.left.reason }
}

describe("ProviderOptions", () => {
  it("decodes, trims, parses and fills in defaults", () => {
    const options = Either.getOrThrow(decode({ ...good, timeout: "5 seconds" }))
    expect(options.host.toString()).toBe("https://api.acme.test/v1")
    expect(options.auth.clientId).toBe("id")
    expect(Redacted.isRedacted(options.auth.clientSecret) && Redacted.value(options.auth.clientSecret)).toBe("hunter22")
    expect(options.method).toBe("a")
    expect(options.pageSize).toBe(100)
    expect(options.verify).toBe(false)
    expect(Either.getOrThrow(decode({ ...good, verify: true })).verify).toBe(true)
    expect(options.timeout && Duration.toMillis(options.timeout)).toBe(5000)
  })

  it("keeps a Redacted secret as given", () => {
    const secret = Redacted.make("hunter22")
    expect(Either.getOrThrow(decode({ ...good, auth: { clientId: "id", clientSecret: secret } })).auth.clientSecret).toBe(secret)
  })

  it("names the setting and says what is wrong, never the secret", () => {
    expect(failure(null)).toEqual({ setting: "options", reason: "are missing" })
    expect(failure({ auth: good.auth })).toEqual({ setting: "host", reason: "is missing" })
    expect(failure({ ...good, host: "acme" })).toEqual({
      setting: "host",
      reason: "'acme' is not a URL (expected e.g. https://api.acme.test/v1/)"
    })
    expect(failure({ ...good, host: "ftp://acme.test/" }).reason).toBe("must be an http(s) URL, not ftp:")
    expect(failure({ ...good, host: "https://me:hunter22@acme.test/" }).reason).toContain("must not carry credentials")
    expect(failure({ ...good, host: "https://acme.test/?key=1" }).reason).toBe("must not have a query or fragment")
    expect(failure({ ...good, auth: { clientSecret: "hunter22" } })).toEqual({ setting: "auth.clientId", reason: "is missing" })
    expect(failure({ ...good, auth: { clientId: "id", clientSecret: Redacted.make(" ") } })).toEqual({
      setting: "auth.clientSecret",
      reason: "is empty (from the Acme console)"
    })
    expect(failure({ ...good, auth: { clientId: "id", clientSecret: 42 } }).setting).toBe("auth.clientSecret")
    expect(failure({ ...good, method: "c" })).toEqual({ setting: "method", reason: "must be a or b, not 'c'" })
    expect(failure({ ...good, pageSize: 501 })).toEqual({
      setting: "pageSize",
      reason: "must be a whole number from 1 to 500 (Acme's maximum); got 501"
    })
    expect(failure({ ...good, pageSize: 1.5 }).setting).toBe("pageSize")
    expect(failure({ ...good, verify: "yes" })).toEqual({ setting: "verify", reason: 'must be true or false, not "yes"' })
    expect(failure({ ...good, timeout: 0 }).setting).toBe("timeout")
    expect(failure({ ...good, retry: { retries: -1, baseDelay: 1, maxDelay: 2 } }).setting).toBe("retry.retries")
    expect(failure({ ...good, retry: { retries: 1, baseDelay: "soon", maxDelay: 2 } }).setting).toBe("retry.baseDelay")
  })

  it("accepts a bare host where asked", () => {
    const Host = Schema.Struct({ host: ProviderOptions.HttpUrl("https://x.test", { bareHost: true }) })
    expect(Either.getOrThrow(ProviderOptions.decode("acme", Host)({ host: "acme.test" })).host.toString()).toBe("https://acme.test/")
  })

  it("accepts a query where asked (a token URL), never a fragment", () => {
    const Token = Schema.Struct({ tokenUrl: ProviderOptions.HttpUrl("https://x.test/token", { query: true }) })
    const decode = ProviderOptions.decode("acme", Token)
    expect(Either.getOrThrow(decode({ tokenUrl: "https://ic.test/campus/oauth2/token?appName=north" })).tokenUrl.search).toBe("?appName=north")
    expect(Either.isLeft(decode({ tokenUrl: "https://ic.test/token#x" }))).toBe(true)
    const Base = Schema.Struct({ baseUrl: ProviderOptions.HttpUrl("https://x.test/") })
    expect(Either.isLeft(ProviderOptions.decode("acme", Base)({ baseUrl: "https://x.test/?a=1" }))).toBe(true)
  })
})
