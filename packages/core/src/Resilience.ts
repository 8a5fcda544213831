/**
 * The retry policy every rosterkit HTTP call goes through: exponential backoff with jitter,
 * capped at `maxDelay`, never shorter than a server's rate-limit hint, and only for failures
 * worth retrying (429, 500/502/503/504, transport faults — never 400/401/403/404/413).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { isRetryable, redactUrl, type RosterError } from "./RosterError.js"

/** How often and how patiently to retry. */
export interface RetryOptions {
  /** Retries after the first attempt (0 = no retry). */
  readonly retries: number
  /** Delay before the first retry; doubles on each further retry (then jittered ±20 %). */
  readonly baseDelay: Duration.DurationInput
  /** Upper bound of the backoff delay. A server's Retry-After hint may ask for longer. */
  readonly maxDelay: Duration.DurationInput
}

/** 5 retries, 500 ms base delay, 30 s maximum delay. */
export const defaultRetryOptions: RetryOptions = {
  retries: 5,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(30)
}

/** The delay a failure itself asks for: a RateLimited error's `retryAfterMillis`, else zero. */
const requestedDelay = (error: RosterError): Duration.Duration =>
  error._tag === "RateLimited" && error.retryAfterMillis !== undefined
    ? Duration.millis(Math.max(0, error.retryAfterMillis))
    : Duration.zero

const describe = (error: RosterError): string => {
  switch (error._tag) {
    case "RateLimited":
      return "rate limited"
    case "ResponseError":
      return `HTTP ${error.status}`
    case "TransportError":
      return `${error.reason} error`
    default:
      return error._tag
  }
}

const urlOf = (error: RosterError): string | undefined =>
  "url" in error && typeof error.url === "string" ? redactUrl(error.url) : undefined

/**
 * The retry schedule, fed with each failure. Logs every retry at debug level, e.g.
 * `clever: rate limited during list users, waiting 2s (retry 1 of 5)`, annotated with the
 * (redacted) URL, the delay in milliseconds and the retry number.
 */
export const schedule = (options: RetryOptions): Schedule.Schedule<readonly [number, RosterError], RosterError> => {
  const maxDelay = Duration.decode(options.maxDelay)
  return Schedule.exponential(options.baseDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay)),
    Schedule.zipRight(Schedule.recurs(options.retries)),
    Schedule.intersect(Schedule.identity<RosterError>()),
    Schedule.whileInput(isRetryable),
    Schedule.modifyDelayEffect(([retry, error], backoff) => {
      const delay = Duration.max(backoff, requestedDelay(error))
      const url = urlOf(error)
      const message =
        `${error.provider}: ${describe(error)} during ${error.operation}, waiting ` +
        `${Duration.format(Duration.millis(Math.round(Duration.toMillis(delay))))} (retry ${retry + 1} of ${options.retries})`
      return Effect.logDebug(message).pipe(
        Effect.annotateLogs({
          ...(url === undefined ? {} : { url }),
          delayMillis: Math.round(Duration.toMillis(delay)),
          retry: retry + 1
        }),
        Effect.as(delay)
      )
    })
  )
}

/**
 * Retries `self` with {@link schedule}. `options.retries` counts retries after the first
 * attempt; when they are used up, the last error is returned unchanged (e.g. `RateLimited`).
 */
export const retry =
  (options: RetryOptions) =>
  <A, R>(self: Effect.Effect<A, RosterError, R>): Effect.Effect<A, RosterError, R> =>
    Effect.retry(self, schedule(options))
