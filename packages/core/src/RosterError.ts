/**
 * The closed set of failures rosterkit reports. Every error names the provider and the
 * operation that failed; URLs in errors never carry credentials and bodies are excerpted.
 */
import * as Schema from "effect/Schema"

const where = {
  /** The provider that failed ("oneroster", "classlink", "clever", "csv", "core" …). */
  provider: Schema.String,
  /** What was being done, e.g. "list classes" or "members of class 31763". */
  operation: Schema.String
}

/** A query (or a CLI argument turned into one) is not valid; `field` names the part. */
export class InvalidQuery extends Schema.TaggedError<InvalidQuery>()("InvalidQuery", {
  ...where,
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `invalid ${this.field}: ${this.reason}`
  }
}

/** The provider is configured wrongly (missing secret, bad URL, unreadable file …). */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>()("ConfigurationError", {
  ...where,
  setting: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.provider}: bad configuration for ${this.setting}: ${this.reason}`
  }
}

/** The server refused our credentials (401/403) or the token endpoint failed. */
export class AuthError extends Schema.TaggedError<AuthError>()("AuthError", {
  ...where,
  status: Schema.optional(Schema.Number),
  url: Schema.optional(Schema.String),
  detail: Schema.String
}) {
  override get message() {
    const status = this.status === undefined ? "" : ` (HTTP ${this.status})`
    return `${this.provider}: authentication failed${status} during ${this.operation}: ${this.detail}`
  }
}

/** A record or group that was asked for by id does not exist. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  ...where,
  entity: Schema.String,
  id: Schema.String,
  url: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String)
}) {
  override get message() {
    return `${this.provider}: ${this.entity} '${this.id}' not found${this.detail ? `: ${this.detail}` : ""}`
  }
}

/** The server kept answering 429 after every retry. `retryAfterMillis` is its last hint. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...where,
  url: Schema.String,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  override get message() {
    const hint = this.retryAfterMillis === undefined ? "" : ` (server asked to wait ${Math.ceil(this.retryAfterMillis / 1000)}s)`
    return `${this.provider}: rate limited during ${this.operation} at ${this.url}${hint}`
  }
}

/** The server answered with an unexpected HTTP status. */
export class ResponseError extends Schema.TaggedError<ResponseError>()("ResponseError", {
  ...where,
  url: Schema.String,
  status: Schema.Number,
  /** The server's own description (OneRoster imsx_description, Clever message) when it sent one. */
  description: Schema.optional(Schema.String),
  /** The first few hundred characters of the body. */
  bodyExcerpt: Schema.String
}) {
  override get message() {
    const detail = this.description ?? this.bodyExcerpt
    return `${this.provider}: HTTP ${this.status} from ${this.url} during ${this.operation}${detail ? `: ${detail}` : ""}`
  }
}

/** The request never completed: network failure, timeout, reset, or a body cut short. */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  ...where,
  url: Schema.String,
  reason: Schema.Literal("network", "timeout", "reset", "truncated"),
  detail: Schema.String
}) {
  override get message() {
    return `${this.provider}: ${this.reason} error during ${this.operation} at ${this.url}: ${this.detail}`
  }
}

/** A response (or file) did not have the shape we rely on. Names the record and the field. */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  ...where,
  /** Where the data came from: a URL or a file (with line). */
  source: Schema.String,
  /** Which record: its sourcedId or position, when known. */
  record: Schema.optional(Schema.String),
  detail: Schema.String
}) {
  override get message() {
    const record = this.record === undefined ? "" : ` (record ${this.record})`
    return `${this.provider}: unexpected data from ${this.source}${record} during ${this.operation}: ${this.detail}`
  }
}

/** The roster changed while we were reading it, so the pages do not form one snapshot. */
export class InconsistentSnapshot extends Schema.TaggedError<InconsistentSnapshot>()("InconsistentSnapshot", {
  ...where,
  detail: Schema.String
}) {
  override get message() {
    return `${this.provider}: inconsistent snapshot during ${this.operation}: ${this.detail}`
  }
}

/** The provider cannot do what was asked (an entity it does not have, delta without dates …). */
export class Unsupported extends Schema.TaggedError<Unsupported>()("Unsupported", {
  ...where,
  detail: Schema.String
}) {
  override get message() {
    return `${this.provider}: ${this.operation} is not supported: ${this.detail}`
  }
}

/** Every error a rosterkit operation can fail with. */
export type RosterError =
  | InvalidQuery
  | ConfigurationError
  | AuthError
  | NotFound
  | RateLimited
  | ResponseError
  | TransportError
  | DecodeError
  | InconsistentSnapshot
  | Unsupported

/** The union as a Schema, so that apps (the HTTP gateway) can encode errors. */
export const RosterError = Schema.Union(
  InvalidQuery,
  ConfigurationError,
  AuthError,
  NotFound,
  RateLimited,
  ResponseError,
  TransportError,
  DecodeError,
  InconsistentSnapshot,
  Unsupported
)

/** True for failures worth retrying: 429, 5xx gateway-ish statuses, and transport faults. */
export const isRetryable = (error: RosterError): boolean => {
  switch (error._tag) {
    case "RateLimited":
    case "TransportError":
      return true
    case "ResponseError":
      return error.status === 500 || error.status === 502 || error.status === 503 || error.status === 504
    default:
      return false
  }
}

/** What a secret is replaced with in URLs and messages. */
export const redactedMark = "REDACTED"

/** Does a query parameter or field of this name carry a credential (token, secret, signature …)? */
export const isSecretName = (name: string): boolean => /token|secret|signature|password|key|oauth_/i.test(name)

/** Removes credentials from a URL before it goes into an error or a log line. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url)
    u.username = ""
    u.password = ""
    for (const key of [...u.searchParams.keys()]) {
      if (isSecretName(key)) u.searchParams.set(key, redactedMark)
    }
    return u.toString()
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//")
  }
}

/** The spellings a secret can take in text: as is, percent-encoded, form-encoded. */
const spellings = (secret: string): ReadonlyArray<string> => {
  const encoded = encodeURIComponent(secret)
  return encoded === secret ? [secret] : [secret, encoded, encoded.replace(/%20/g, "+")]
}

/**
 * `text` with every occurrence of each secret (raw, percent- or form-encoded) replaced by
 * `REDACTED`, longest first. Secrets shorter than 4 characters are left alone: they would mask
 * ordinary words, and real credentials are longer.
 */
export const scrub = (text: string, secrets: Iterable<string>): string => {
  const needles = [...new Set([...secrets].filter((s) => s.length >= 4).flatMap(spellings))].sort((a, b) => b.length - a.length)
  return needles.reduce((acc, needle) => acc.split(needle).join(redactedMark), text)
}

/**
 * The last line of defence for secrets: `error` with every secret scrubbed from its text fields
 * and stack (a server may echo a credential back in its error body). Returns the same instance
 * when none occurs.
 */
export const scrubError = <E extends RosterError>(error: E, secrets: Iterable<string>): E => {
  const list = [...secrets]
  const fields: Record<string, unknown> = {}
  let dirty = false
  for (const [key, value] of Object.entries(error)) {
    if (key === "_tag") continue
    const cleaned = typeof value === "string" ? scrub(value, list) : value
    if (cleaned !== value) dirty = true
    fields[key] = cleaned
  }
  const stack = error.stack === undefined ? undefined : scrub(error.stack, list)
  if (!dirty && stack === error.stack) return error
  const Constructor = error.constructor as new (fields: Record<string, unknown>) => E
  const copy = new Constructor(fields)
  if (copy.stack !== undefined) copy.stack = scrub(copy.stack, list)
  return copy
}

/** The first `max` characters of a body, on one line. */
export const excerpt = (body: string, max = 300): string => {
  const flat = body.replace(/\s+/g, " ").trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}
