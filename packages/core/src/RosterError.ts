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

/**
 * How a retried request ended: the attempts made and the time they took. Set on the error a
 * request gives back after more than one attempt; its message then starts "gave up after …".
 */
const retried = {
  /** Attempts made (the first one included), when more than one. */
  attempts: Schema.optional(Schema.Number),
  /** Milliseconds from the first attempt to giving up. */
  elapsedMillis: Schema.optional(Schema.Number),
  /** Why the retries stopped early: "deadline 3m" (the time budget), "not transient" … */
  stoppedBy: Schema.optional(Schema.String)
}

/** A duration for people: "850ms", "12.3s", "3m0s", "1h2m". */
export const formatDuration = (millis: number): string => {
  if (millis < 1000) return `${Math.round(millis)}ms`
  if (millis < 60_000) return `${(Math.round(millis / 100) / 10).toString()}s`
  const seconds = Math.round(millis / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`
}

/** "gave up after 6 attempts over 3m0s (deadline 3m): " or "" for a single attempt. */
const gaveUp = (error: { readonly attempts?: number | undefined; readonly elapsedMillis?: number | undefined; readonly stoppedBy?: string | undefined }) => {
  if (error.attempts === undefined || error.attempts < 2) return ""
  const over = error.elapsedMillis === undefined ? "" : ` over ${formatDuration(error.elapsedMillis)}`
  const why = error.stoppedBy === undefined ? "" : ` (${error.stoppedBy})`
  return `gave up after ${error.attempts} attempts${over}${why}: `
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
  retryAfterMillis: Schema.optional(Schema.Number),
  /** The ceiling on server-requested waits, when the server asked for more (no retry was made). */
  maxWaitMillis: Schema.optional(Schema.Number),
  ...retried
}) {
  override get message() {
    const seconds = (millis: number) => `${Math.ceil(millis / 1000)}s`
    const hint =
      this.retryAfterMillis === undefined
        ? ""
        : this.maxWaitMillis !== undefined && this.retryAfterMillis > this.maxWaitMillis
          ? ` (the server asked to wait ${seconds(this.retryAfterMillis)}, more than the ${seconds(this.maxWaitMillis)} ceiling; raise --max-wait to wait that long)`
          : ` (server asked to wait ${seconds(this.retryAfterMillis)})`
    return `${this.provider}: ${gaveUp(this)}rate limited during ${this.operation} at ${this.url}${hint}`
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
  bodyExcerpt: Schema.String,
  ...retried
}) {
  override get message() {
    const detail = this.description ?? this.bodyExcerpt
    return `${this.provider}: ${gaveUp(this)}HTTP ${this.status} from ${this.url} during ${this.operation}${detail ? `: ${detail}` : ""}`
  }
}

/**
 * The request never completed. `reason`: transient ("network", "timeout", "reset",
 * "truncated" — a body cut short) or permanent, not worth more than one retry ("dns" — the
 * host name does not resolve, "refused" — nothing listens on that port, "tls" — the
 * certificate or handshake failed).
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  ...where,
  url: Schema.String,
  reason: Schema.Literal("network", "timeout", "reset", "truncated", "dns", "refused", "tls"),
  detail: Schema.String,
  ...retried
}) {
  override get message() {
    return `${this.provider}: ${gaveUp(this)}${this.reason} error during ${this.operation} at ${this.url}: ${this.detail}`
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
