/**
 * Provider options as `effect/Schema`: the field schemas every provider's options are built
 * from (text, secrets, http(s) URLs, whole numbers, durations, retry policy) and `decode`,
 * which checks a provider's options before any request and turns the first problem into a
 * `ConfigurationError` naming the setting ("auth.clientSecret: is empty").
 *
 *     const Options = Schema.Struct({
 *       token: ProviderOptions.Secret,
 *       host: ProviderOptions.optional(ProviderOptions.HttpUrl("https://api.acme.test/v1/")),
 *       pageSize: ProviderOptions.optional(ProviderOptions.WholeNumber({ min: 1, max: 500 }))
 *     })
 *     const settings = ProviderOptions.decode("acme", Options)(options) // Either<…, ConfigurationError>
 *
 * Every field schema writes its own messages, and none of them ever contains a secret: a
 * secret's message says what is wrong with it, never what it is, and URLs go through
 * `redactUrl`.
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Resilience from "./Resilience.js"
import { ConfigurationError, redactUrl } from "./RosterError.js"

/**
 * A schema that takes any input and checks it with `check`, which returns the value or the
 * reason it is wrong (the message the setting's ConfigurationError carries).
 */
export const checked = <A>(check: (input: unknown) => Either.Either<A, string>, identifier: string): Schema.Schema<A, unknown> =>
  Schema.transformOrFail(Schema.Unknown, Schema.declare((_: unknown): _ is A => true, { identifier }), {
    strict: true,
    decode: (input, _, ast) =>
      Either.match(check(input), {
        onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, input, reason)),
        onRight: ParseResult.succeed
      }),
    encode: ParseResult.succeed
  }).annotations({ identifier })

/** Text with something in it, trimmed. */
export const Text: Schema.Schema<string, unknown> = checked(
  (input) =>
    typeof input !== "string" || input.trim() === ""
      ? Either.left(input === undefined || input === "" || typeof input === "string" ? "is missing" : "must be text")
      : Either.right(input.trim()),
  "Text"
)

/** One of a few literal values ("must be HMAC-SHA256 or HMAC-SHA1, not 'PLAINTEXT'"). */
export const oneOf = <const L extends ReadonlyArray<string>>(...literals: L): Schema.Schema<L[number], unknown> =>
  checked(
    (input) =>
      typeof input === "string" && literals.includes(input)
        ? Either.right(input as L[number])
        : Either.left(`must be ${literals.slice(0, -1).join(", ")}${literals.length > 1 ? " or " : ""}${literals.at(-1)}, not '${String(input)}'`),
    "OneOf"
  )

/**
 * A secret given as a `Redacted` string or as plain text (e.g. read from a file), held as
 * `Redacted`. Blank is "is empty"; the value never appears in a message. `what` describes the
 * secret in those messages ("is missing (the district bearer token)").
 */
export const secret = (what?: string): Schema.Schema<Redacted.Redacted<string>, unknown> => {
  const hint = what === undefined ? "" : ` (${what})`
  return checked((input) => {
    const value = Redacted.isRedacted(input) ? Redacted.value(input) : input
    if (value === undefined) return Either.left(`is missing${hint}`)
    if (typeof value !== "string") return Either.left(`must be text or a Redacted string${hint}`)
    if (value.trim() === "") return Either.left(`is empty${hint}`)
    return Either.right(Redacted.isRedacted(input) ? (input as Redacted.Redacted<string>) : Redacted.make(value))
  }, "Secret")
}

/** `secret()`: a secret with no description. */
export const Secret: Schema.Schema<Redacted.Redacted<string>, unknown> = secret()

/**
 * An http(s) URL without credentials, query or fragment, parsed. With `bareHost`, a value with
 * no scheme ("acme.example.org") is taken as `https://…`. `example` goes into the message
 * when the value is not a URL.
 */
export const HttpUrl = (
  example: string,
  options: { readonly bareHost?: boolean; /** Allow a query (a token URL such as `…/oauth2/token?appName=x`). */ readonly query?: boolean } = {}
): Schema.Schema<URL, unknown> =>
  checked((input) => {
    if (typeof input !== "string" || input.trim() === "") return Either.left(`is missing (e.g. ${example})`)
    const text = input.trim()
    // "/ims/oneroster/v1p1/" or "https:///ims/…": a path, which URL parsing would turn into a host "ims"
    if (text.startsWith("/") || /^[a-z][a-z\d+.-]*:\/\/(\/|$)/i.test(text)) {
      return Either.left(`'${redactUrl(text)}' is a path without a host (expected e.g. ${example})`)
    }
    let url: URL
    try {
      url = new URL(options.bareHost === true && !/^[a-z][a-z\d+.-]*:\/\//i.test(text) ? `https://${text}` : text)
    } catch {
      return Either.left(`'${redactUrl(text)}' is not a URL (expected e.g. ${example})`)
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return Either.left(`must be an http(s) URL, not ${url.protocol}`)
    // a bare host is a domain name (acme.example.org), localhost or an IP address; a lone word is
    // a typo or a path segment taken for a host
    if (options.bareHost === true && !url.hostname.includes(".") && !url.hostname.includes(":") && url.hostname !== "localhost") {
      return Either.left(`'${url.hostname}' is not a host name (no domain; expected e.g. ${example})`)
    }
    if (url.username !== "" || url.password !== "") return Either.left("must not carry credentials; give them as their own settings")
    if (url.hash !== "") return Either.left(options.query === true ? "must not have a fragment" : "must not have a query or fragment")
    if (url.search !== "" && options.query !== true) return Either.left("must not have a query or fragment")
    return Either.right(url)
  }, "HttpUrl")

/** `true` or `false` (an on/off setting such as `verify`). */
export const Flag: Schema.Schema<boolean, unknown> = checked(
  (input) => (typeof input === "boolean" ? Either.right(input) : Either.left(`must be true or false, not ${JSON.stringify(input) ?? String(input)}`)),
  "Flag"
)

/** A whole number from `min` (to `max`); `hint` says why the bound is there. */
export const WholeNumber = (bounds: { readonly min: number; readonly max?: number; readonly hint?: string }): Schema.Schema<number, unknown> =>
  checked((input) => {
    const ok = typeof input === "number" && Number.isInteger(input) && input >= bounds.min && (bounds.max === undefined || input <= bounds.max)
    if (ok) return Either.right(input)
    const range = bounds.max === undefined ? `of at least ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`
    return Either.left(`must be a whole number ${range}${bounds.hint === undefined ? "" : ` (${bounds.hint})`}; got ${String(input)}`)
  }, "WholeNumber")

/** A duration (`"30 seconds"`, milliseconds, a `Duration`) longer than zero. */
export const PositiveDuration: Schema.Schema<Duration.Duration, unknown> = checked((input) => {
  const decoded = Duration.decodeUnknown(input)
  return Option.isSome(decoded) && Duration.greaterThan(decoded.value, Duration.zero)
    ? Either.right(decoded.value)
    : Either.left(`must be a positive duration, e.g. "30 seconds"; got ${String(input)}`)
}, "PositiveDuration")

const AnyDuration: Schema.Schema<Duration.DurationInput, unknown> = checked(
  (input) =>
    Option.isSome(Duration.decodeUnknown(input))
      ? Either.right(input as Duration.DurationInput)
      : Either.left(`must be a duration, e.g. "500 millis"; got ${String(input)}`),
  "Duration"
)

/** A retry policy (`Resilience.RetryOptions`): retries ≥ 0, two durations, an optional deadline and wait ceiling. */
export const RetryOptions: Schema.Schema<Resilience.RetryOptions, unknown> = Schema.Struct({
  retries: WholeNumber({ min: 0 }),
  baseDelay: AnyDuration,
  maxDelay: AnyDuration,
  deadline: Schema.optional(PositiveDuration),
  maxWait: Schema.optional(PositiveDuration)
}) as unknown as Schema.Schema<Resilience.RetryOptions, unknown>

/** An optional setting: absent or `undefined` is fine, anything else must decode with `schema`. */
export const optional = <A>(schema: Schema.Schema<A, unknown>) => Schema.optional(schema)

/**
 * Checks `input` against a provider's options schema. The first problem becomes a
 * ConfigurationError whose `setting` is the path to it ("auth.clientSecret", or "options"
 * when there are no options at all).
 */
export const decode =
  <A, I>(provider: string, schema: Schema.Schema<A, I>) =>
  (input: unknown): Either.Either<A, ConfigurationError> =>
    Either.mapLeft(Schema.decodeUnknownEither(schema)(input, { errors: "first", onExcessProperty: "ignore" }), (error) => {
      const fail = (setting: string, reason: string) => new ConfigurationError({ provider, operation: "configure", setting, reason })
      if (input === null || typeof input !== "object") return fail("options", "are missing")
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      if (issue === undefined) return fail("options", "are not valid")
      return fail(issue.path.length === 0 ? "options" : issue.path.map(String).join("."), issue.message)
    })
