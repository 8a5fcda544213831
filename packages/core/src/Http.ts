/**
 * One JSON GET with rosterkit's failure semantics: a per-attempt timeout, retries through
 * {@link Resilience.retry}, and every HTTP outcome mapped to a {@link RosterError}. URLs in
 * errors are redacted and request secrets (Authorization header, tokens) never reach an error.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Resilience from "./Resilience.js"
import {
  AuthError,
  ConfigurationError,
  DecodeError,
  excerpt,
  isSecretName,
  RateLimited,
  redactUrl,
  ResponseError,
  type RosterError,
  scrub,
  TransportError
} from "./RosterError.js"

/** Who is asking, for error messages: the provider and what it was doing. */
export interface Context {
  readonly provider: string
  readonly operation: string
}

/** Timeout and retry settings of one call. */
export interface Options {
  /** Per attempt, covering the response headers and the whole body. */
  readonly timeout: Duration.DurationInput
  readonly retry: Resilience.RetryOptions
  /** Extracts the server's own error description from a non-2xx JSON body. */
  readonly describeError?: (body: unknown) => string | undefined
}

/** 30 s per attempt, {@link Resilience.defaultRetryOptions}. */
export const defaultOptions: Options = {
  timeout: Duration.seconds(30),
  retry: Resilience.defaultRetryOptions
}

/** A successful (2xx) response with its parsed JSON body. */
export interface JsonResponse {
  /**
   * The full URL that was requested, after the client's request transforms. It is NOT
   * redacted (callers resolve relative links against it): pass it through `redactUrl`
   * before putting it in an error or a log.
   */
  readonly url: string
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: unknown
}

/** The full URL of a request (its url plus urlParams). */
const fullUrl = (request: HttpClientRequest.HttpClientRequest): string =>
  Either.match(UrlParams.makeUrl(request.url, request.urlParams, request.hash), {
    onLeft: () => request.url,
    onRight: (url) => url.toString()
  })

const secretHeader = /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$/i

/** Every secret a request carries, so it can be scrubbed from text that goes into an error. */
const secretsOf = (request: HttpClientRequest.HttpClientRequest): ReadonlyArray<string> => {
  const secrets: Array<string> = []
  for (const [name, value] of Object.entries(request.headers)) {
    if (!secretHeader.test(name)) continue
    secrets.push(value)
    // "Bearer abc", "OAuth oauth_signature=\"…\"": the credential parts on their own too
    for (const part of value.split(/[\s,=]+/)) {
      const unquoted = part.replace(/^"|"$/g, "")
      // parameter and scheme names are not secrets (and scrubbing them garbles messages)
      if (unquoted.length >= 8 && !/^(oauth_[a-z_]+|realm|bearer|oauth|basic|HMAC-SHA\d+|PLAINTEXT)$/i.test(unquoted)) secrets.push(unquoted)
    }
  }
  for (const [name, value] of request.urlParams) {
    if (isSecretName(name)) secrets.push(value)
  }
  return secrets
}

const causeText = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (typeof current === "object") {
      const { code, message } = current as { code?: unknown; message?: unknown }
      if (typeof message === "string" && message !== "") parts.push(message)
      if (typeof code === "string") parts.push(code)
      current = (current as { cause?: unknown }).cause
    } else {
      parts.push(String(current))
      current = undefined
    }
  }
  return parts.join(": ") || "request failed"
}

const isReset = (text: string) => /ECONNRESET|socket hang up|terminated|other side closed|UND_ERR_SOCKET/i.test(text)

/**
 * The reason of a network failure, from its cause chain: a name that does not resolve, a
 * refused connection and a TLS failure are permanent-looking (one retry at most); the rest
 * (resets, unreachable networks, connect timeouts) are transient.
 */
export const networkReason = (text: string): TransportError["reason"] => {
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL/.test(text)) return "dns"
  if (/ECONNREFUSED/.test(text)) return "refused"
  if (/CERT|SSL|TLS|self[- ]signed|certificate|handshake/i.test(text)) return "tls"
  if (/UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT|Connect Timeout/i.test(text)) return "timeout"
  return isReset(text) ? "reset" : "network"
}

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })
const lenient = new TextDecoder("utf-8")

/** The body as text; `invalidUtf8` when it is not UTF-8 (then decoded with replacement characters). */
const decodeText = (bytes: ArrayBuffer): { readonly text: string; readonly invalidUtf8: boolean } => {
  try {
    return { text: utf8.decode(bytes), invalidUtf8: false }
  } catch {
    return { text: lenient.decode(bytes), invalidUtf8: true }
  }
}

const numeric = /^\d+(\.\d+)?$/

/**
 * The wait a 429 asks for, in milliseconds from `now`: `Retry-After` (seconds or an HTTP-date),
 * else `X-RateLimit-Reset` (epoch seconds, as Clever sends; small values are read as seconds).
 */
export const retryAfterMillis = (headers: Headers.Headers, now: number): number | undefined => {
  const retryAfter = Option.getOrUndefined(Headers.get(headers, "retry-after"))?.trim()
  if (retryAfter !== undefined && retryAfter !== "") {
    if (numeric.test(retryAfter)) return Math.round(Number(retryAfter) * 1000)
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - now)
  }
  const reset = Option.getOrUndefined(Headers.get(headers, "x-ratelimit-reset"))?.trim()
  if (reset !== undefined && numeric.test(reset)) {
    const value = Number(reset)
    return value < 1e9 ? Math.round(value * 1000) : Math.max(0, Math.round(value * 1000 - now))
  }
  return undefined
}

/**
 * GETs `request` with `client` and parses the JSON body. Per attempt (the client's request
 * transforms, e.g. auth signing, run each time): timeout over headers and body; 401/403 ->
 * `AuthError`; 429 -> `RateLimited` with the server's wait hint; other non-2xx ->
 * `ResponseError` (404 included — the caller knows which entity was missing); a 2xx body that
 * is not complete JSON -> `TransportError` "truncated"; network failures -> `TransportError`
 * "network" or "reset". Retryable failures are retried with `options.retry`.
 */
export const getJson = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  context: Context,
  options: Options
): Effect.Effect<JsonResponse, RosterError> => {
  const attempt = (remaining: Duration.Duration) => Effect.gen(function* () {
    // the per-attempt timeout, cut to what is left of the request's deadline
    const timeout = Duration.min(Duration.decode(options.timeout), remaining)
    // the request as actually sent (after the client's transforms), for URLs and secrets
    let sent = request
    const tracked = HttpClient.tapRequest(client, (actual) =>
      Effect.sync(() => {
        sent = actual
      })
    )
    const url = () => redactUrl(fullUrl(sent))
    const transport = (reason: TransportError["reason"], detail: string) =>
      new TransportError({ ...context, url: url(), reason, detail: scrub(detail, secretsOf(sent)) })

    const fromClientError = (error: HttpClientError.HttpClientError): RosterError => {
      if (error._tag === "ResponseError") {
        return transport("truncated", `the response body could not be read: ${causeText(error.cause ?? error.reason)}`)
      }
      if (error.reason === "InvalidUrl") {
        return new ConfigurationError({ ...context, setting: "url", reason: `not a valid URL: ${redactUrl(error.request.url)}` })
      }
      const text = causeText(error.cause ?? error.description ?? error.reason)
      if (/\bbad port\b/i.test(text)) {
        // fetch refuses some ports outright (the WHATWG "bad port" list: 1, 6000 …)
        const port = (() => {
          try {
            return new URL(fullUrl(sent)).port
          } catch {
            return ""
          }
        })()
        return new ConfigurationError({
          ...context,
          setting: "url",
          reason: `port ${port || "?"} of ${url()} is one HTTP clients refuse to connect to (a blocked port); check the port`
        })
      }
      return transport(networkReason(text), text)
    }

    // The body is decoded after the timeout's race: its result outlives the race a while, and
    // the text of a page (a string as large as the page) kept with it was promoted to the old
    // generation as well.
    const { response, bytes } = yield* tracked.execute(request).pipe(
      Effect.catchIf(
        (error): error is HttpClientError.ResponseError => error._tag === "ResponseError" && error.reason === "StatusCode",
        (error) => Effect.succeed(error.response)
      ),
      Effect.flatMap((response) => Effect.map(response.arrayBuffer, (bytes) => ({ response, bytes }))),
      Effect.mapError(fromClientError),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => transport("timeout", `no complete response within ${Duration.format(timeout)}`)
      })
    )

    const { text, invalidUtf8 } = decodeText(bytes)
    const status = response.status
    if (status >= 200 && status < 300) {
      const body = parseJson(text)
      if (Option.isNone(body)) {
        if (/^\s*</.test(text)) {
          // a login page, a proxy's error page, a misconfigured base URL: not worth a retry
          const contentType = Option.getOrUndefined(Headers.get(response.headers, "content-type")) ?? "no content type"
          return yield* new DecodeError({
            ...context,
            source: url(),
            detail: `expected JSON, got markup (${contentType}): ${excerpt(scrub(text, secretsOf(sent)), 120)} — is the base URL right?`
          })
        }
        return yield* transport("truncated", "body is not complete JSON (cut short or malformed)")
      }
      if (invalidUtf8) {
        return yield* new DecodeError({ ...context, source: url(), detail: "the response is not valid UTF-8; refusing to guess its characters" })
      }
      return { url: fullUrl(sent), status, headers: response.headers, body: body.value } satisfies JsonResponse
    }

    const secrets = secretsOf(sent)
    const description = Option.flatMap(parseJson(text), (json) => {
      try {
        return Option.fromNullable(options.describeError?.(json))
      } catch {
        return Option.none()
      }
    }).pipe(Option.map((d) => scrub(d, secrets)), Option.getOrUndefined)
    const bodyExcerpt = excerpt(scrub(text, secrets))

    if (status === 401 || status === 403) {
      // OAuth 1.0a signatures carry a timestamp servers accept within a few minutes of their clock
      const serverDate = Date.parse(Option.getOrUndefined(Headers.get(response.headers, "date")) ?? "")
      const now = yield* Clock.currentTimeMillis
      const skew = Number.isNaN(serverDate) ? 0 : serverDate - now
      const clock =
        Math.abs(skew) > 120_000
          ? ` (the server's clock is ${Math.round(Math.abs(skew) / 60_000)} min ${skew > 0 ? "ahead of" : "behind"} ours; OAuth 1.0a timestamps must be within a few minutes of it — check this machine's clock)`
          : ""
      return yield* new AuthError({ ...context, status, url: url(), detail: `${description ?? (bodyExcerpt || `HTTP ${status}`)}${clock}` })
    }
    if (status === 429) {
      const now = yield* Clock.currentTimeMillis
      return yield* new RateLimited({ ...context, url: url(), retryAfterMillis: retryAfterMillis(response.headers, now) })
    }
    return yield* new ResponseError({ ...context, url: url(), status, description, bodyExcerpt })
  })

  // A span keeps the exit it ended with, and spans outlive their request: ended with the
  // response, this one kept each page alive past two young-generation collections, so about
  // half of every page was promoted to the old generation (measured with --trace-gc-nvp: 1.4 MB
  // a page of 1,000 users; it is what the peak RSS of a big pull grows with). The span ends
  // with nothing; the response is handed on beside it.
  return Effect.suspend(() => {
    let result: JsonResponse | undefined
    return Resilience.run(options.retry, attempt).pipe(
      Effect.map((response) => {
        result = response
      }),
      Effect.withSpan("Http.getJson", { attributes: { provider: context.provider, operation: context.operation } }),
      Effect.map(() => result!)
    )
  })
}
