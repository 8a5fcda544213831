/**
 * The retry policy every rosterkit HTTP call goes through: fail fast on the permanent, persist
 * on the transient.
 *
 * - Never retried: 400/401/403/404/413 and every other non-transient error.
 * - Retried at most once, after a short pause: a host name that does not resolve, a refused
 *   connection, a TLS failure (`TransportError` reasons "dns", "refused", "tls").
 * - Retried with jittered exponential backoff (capped at `maxDelay`, never shorter than a
 *   server's rate-limit hint): 429, 500/502/503/504, timeouts, resets, bodies cut short — up to
 *   `retries` times and within `deadline` (the time budget of one request, attempts and waits
 *   included; no wait is started that would end past it).
 * - A server asking for a longer wait than `maxWait` (Retry-After: 86400) is not waited for:
 *   the request fails with `RateLimited` carrying the wait asked for and the ceiling.
 *
 * Every retry is logged at info level before its wait starts, e.g.
 * `oneroster: 503 from sis.example.org during list users, retrying in 2.0s (attempt 2 of 6)`
 * (annotated with `delayMillis`, `attempt` and the redacted `url`), so a user sees it whether
 * or not stderr is a terminal. The error given back after several attempts says so:
 * `gave up after 6 attempts over 3m0s: …`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Random from "effect/Random"
import { formatDuration, RateLimited, redactUrl, ResponseError, type RosterError, TransportError } from "./RosterError.js"

/** How often and how patiently to retry. */
export interface RetryOptions {
  /** Retries after the first attempt (0 = no retry). */
  readonly retries: number
  /** Delay before the first retry; doubles on each further retry (then jittered ±20 %). */
  readonly baseDelay: Duration.DurationInput
  /** Upper bound of the backoff delay. A server's Retry-After hint may ask for longer (up to `maxWait`). */
  readonly maxDelay: Duration.DurationInput
  /**
   * The time budget of one request: its attempts and the waits between them. An attempt's
   * timeout is cut to what is left of it. Default {@link defaultDeadline}.
   */
  readonly deadline?: Duration.DurationInput | undefined
  /** The longest server-requested wait (Retry-After, X-RateLimit-Reset) honoured. Default {@link defaultMaxWait}. */
  readonly maxWait?: Duration.DurationInput | undefined
}

/** 3 minutes. */
export const defaultDeadline: Duration.Duration = Duration.minutes(3)

/** 60 seconds. */
export const defaultMaxWait: Duration.Duration = Duration.seconds(60)

/** The pause before the one retry of a permanent-looking failure (a refused connection may be a restarting server). */
export const permanentRetryDelay: Duration.Duration = Duration.millis(250)

/** 5 retries, 500 ms base delay, 30 s maximum delay, a 3 minute deadline, waits of at most 60 s. */
export const defaultRetryOptions: RetryOptions = {
  retries: 5,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(30),
  deadline: defaultDeadline,
  maxWait: defaultMaxWait
}

/** What a failure deserves: no retry, one retry at most, or retries with backoff. */
export type Verdict = "never" | "once" | "retry"

/** The verdict of a failure. */
export const classify = (error: RosterError): Verdict => {
  switch (error._tag) {
    case "RateLimited":
      return "retry"
    case "TransportError":
      return error.reason === "dns" || error.reason === "refused" || error.reason === "tls" ? "once" : "retry"
    case "ResponseError":
      return error.status === 500 || error.status === 502 || error.status === 503 || error.status === 504 ? "retry" : "never"
    default:
      return "never"
  }
}

/**
 * Called when a request is rate limited (before its retry wait), so that whoever runs requests
 * side by side can slow down — the pager halves its concurrency for the rest of a listing.
 * Set it with `Effect.locally(Resilience.onRateLimited, listener)`.
 */
export const onRateLimited: FiberRef.FiberRef<(error: RateLimited) => Effect.Effect<void>> = FiberRef.unsafeMake<
  (error: RateLimited) => Effect.Effect<void>
>(() => Effect.void)

/**
 * False for a request made on speculation (the pager's early pages, see `Pager.FirstRound`):
 * one attempt, no retry and no log, since whoever made it asks again the usual way when the
 * answer is needed. Set it with `Effect.locally(Resilience.retrying, false)`.
 */
export const retrying: FiberRef.FiberRef<boolean> = FiberRef.unsafeMake(true)

const describe = (error: RosterError): string => {
  switch (error._tag) {
    case "RateLimited":
      return "429 (rate limited)"
    case "ResponseError":
      return String(error.status)
    case "TransportError":
      return error.reason === "timeout" ? "timeout" : `${error.reason} error`
    default:
      return error._tag
  }
}

const urlOf = (error: RosterError): string | undefined =>
  "url" in error && typeof error.url === "string" ? redactUrl(error.url) : undefined

const hostOf = (url: string | undefined): string | undefined => {
  if (url === undefined) return undefined
  try {
    return new URL(url).host
  } catch {
    return undefined
  }
}

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)}s`

/** The error given back after `attempts` attempts over `elapsedMillis`, saying so. */
const annotate = (error: RosterError, attempts: number, elapsedMillis: number, stoppedBy?: string): RosterError => {
  if (attempts < 2) return error
  const extra = { attempts, elapsedMillis, ...(stoppedBy === undefined ? {} : { stoppedBy }) }
  switch (error._tag) {
    case "RateLimited":
      return new RateLimited({
        provider: error.provider,
        operation: error.operation,
        url: error.url,
        ...(error.retryAfterMillis === undefined ? {} : { retryAfterMillis: error.retryAfterMillis }),
        ...(error.maxWaitMillis === undefined ? {} : { maxWaitMillis: error.maxWaitMillis }),
        ...extra
      })
    case "ResponseError":
      return new ResponseError({
        provider: error.provider,
        operation: error.operation,
        url: error.url,
        status: error.status,
        ...(error.description === undefined ? {} : { description: error.description }),
        bodyExcerpt: error.bodyExcerpt,
        ...extra
      })
    case "TransportError":
      return new TransportError({
        provider: error.provider,
        operation: error.operation,
        url: error.url,
        reason: error.reason,
        detail: error.detail,
        ...extra
      })
    default:
      return error
  }
}

/**
 * Runs `attempt` until it succeeds or the policy gives up; `attempt` receives the time left of
 * the deadline (to cut its own timeout to). The error given back is the last one, with the
 * attempts made when there was more than one.
 */
export const run = <A, R>(
  options: RetryOptions,
  attempt: (remaining: Duration.Duration) => Effect.Effect<A, RosterError, R>
): Effect.Effect<A, RosterError, R> =>
  Effect.gen(function* () {
    const deadline = Duration.toMillis(options.deadline ?? defaultDeadline)
    const maxWait = Duration.toMillis(options.maxWait ?? defaultMaxWait)
    const baseDelay = Duration.toMillis(options.baseDelay)
    const maxDelay = Duration.toMillis(options.maxDelay)
    const retries = Math.max(0, options.retries)
    const started = yield* Clock.currentTimeMillis
    if (!(yield* FiberRef.get(retrying))) return yield* attempt(Duration.millis(deadline))
    let attempts = 0
    let backoffs = 0
    for (;;) {
      attempts++
      const before = yield* Clock.currentTimeMillis
      const remaining = Math.max(1, deadline - (before - started))
      const result = yield* Effect.either(attempt(Duration.millis(remaining)))
      if (Either.isRight(result)) return result.right
      const error = result.left
      const now = yield* Clock.currentTimeMillis
      const elapsed = now - started
      const verdict = classify(error)
      if (verdict === "never") return yield* Effect.fail(annotate(error, attempts, elapsed))

      if (error._tag === "RateLimited" && error.retryAfterMillis !== undefined && error.retryAfterMillis > maxWait) {
        // Not waited for: the ceiling is the user's, the wait the server's.
        const ceiling = new RateLimited({
          provider: error.provider,
          operation: error.operation,
          url: error.url,
          retryAfterMillis: error.retryAfterMillis,
          maxWaitMillis: maxWait
        })
        return yield* Effect.fail(annotate(ceiling, attempts, elapsed))
      }
      if (verdict === "once" && attempts >= 2) return yield* Effect.fail(annotate(error, attempts, elapsed, "not transient"))
      if (attempts > retries) return yield* Effect.fail(annotate(error, attempts, elapsed))

      let delay: number
      if (verdict === "once") {
        delay = Math.min(baseDelay, Duration.toMillis(permanentRetryDelay))
      } else {
        const jitter = yield* Random.nextRange(0.8, 1.2)
        const backoff = Math.min(baseDelay * 2 ** backoffs * jitter, maxDelay)
        backoffs++
        const requested = error._tag === "RateLimited" ? Math.max(0, error.retryAfterMillis ?? 0) : 0
        delay = Math.round(Math.max(backoff, requested))
      }
      if (elapsed + delay >= deadline) {
        return yield* Effect.fail(
          annotate(error, attempts, elapsed, `deadline ${formatDuration(deadline)} reached`)
        )
      }

      if (error._tag === "RateLimited") yield* Effect.flatMap(FiberRef.get(onRateLimited), (listener) => listener(error))
      const url = urlOf(error)
      const host = hostOf(url)
      const total = verdict === "once" ? 2 : retries + 1
      const message =
        `${error.provider}: ${describe(error)}${host === undefined ? "" : ` from ${host}`} during ${error.operation}, ` +
        `retrying in ${seconds(delay)} (attempt ${attempts + 1} of ${total})`
      yield* Effect.logInfo(message).pipe(
        Effect.annotateLogs({ ...(url === undefined ? {} : { url }), delayMillis: delay, attempt: attempts + 1 })
      )
      yield* Effect.sleep(Duration.millis(delay))
    }
  })

/**
 * Retries `self` with the policy of {@link run}. `options.retries` counts retries after the
 * first attempt; when the policy gives up, the last error is returned (with the attempts made).
 */
export const retry =
  (options: RetryOptions) =>
  <A, R>(self: Effect.Effect<A, RosterError, R>): Effect.Effect<A, RosterError, R> =>
    run(options, () => self)
