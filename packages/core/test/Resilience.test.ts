import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as TestClock from "effect/TestClock"
import * as Resilience from "@rosterkit/core/Resilience"
import { AuthError, RateLimited, ResponseError, type RosterError, TransportError } from "@rosterkit/core/RosterError"

const where = { provider: "test", operation: "list users" }
const url = "https://sis.example/ims/oneroster/v1p1/users"

/** An effect failing with `errors` in turn, then succeeding; counts attempts. */
const flaky = (errors: ReadonlyArray<RosterError>) => {
  let attempts = 0
  const effect = Effect.suspend(() => {
    const error = errors[attempts++]
    return error === undefined ? Effect.succeed("ok") : Effect.fail(error)
  })
  return { effect, attempts: () => attempts }
}

const captureLogs = () => {
  const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make(({ message, annotations }) => {
    const text = Array.isArray(message) ? message.join(" ") : String(message)
    lines.push({ message: text, annotations: Object.fromEntries(annotations) })
  })
  const provide = <A, E, R>(self: Effect.Effect<A, E, R>) =>
    self.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.Debug))
  return { lines, provide }
}

const http503 = new ResponseError({ ...where, url, status: 503, bodyExcerpt: "" })
const options: Resilience.RetryOptions = { retries: 3, baseDelay: "100 millis", maxDelay: "1 second" }
const transport = (reason: TransportError["reason"]) => new TransportError({ ...where, url, reason, detail: reason })

describe("Resilience", () => {
  it.effect("retries retryable failures with backoff and then succeeds", () =>
    Effect.gen(function* () {
      const reset = new TransportError({ ...where, url, reason: "reset", detail: "ECONNRESET" })
      const { effect, attempts } = flaky([http503, reset])
      const fiber = yield* Effect.fork(Resilience.retry(options)(effect))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toBe("ok")
      expect(attempts()).toBe(3)
    })
  )

  it.effect("with retrying false (a request made on speculation): one attempt, no log, the error as it came", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const { effect, attempts } = flaky([http503])
      const result = yield* Effect.flip(logs.provide(Effect.locally(Resilience.retry(options)(effect), Resilience.retrying, false)))
      expect(result).toBe(http503)
      expect(attempts()).toBe(1)
      expect(logs.lines).toStrictEqual([])
    })
  )

  it.effect("never retries 400/401/403/404/413", () =>
    Effect.gen(function* () {
      for (const error of [
        new ResponseError({ ...where, url, status: 400, bodyExcerpt: "" }),
        new AuthError({ ...where, status: 401, detail: "bad token" }),
        new AuthError({ ...where, status: 403, detail: "forbidden" }),
        new ResponseError({ ...where, url, status: 404, bodyExcerpt: "" }),
        new ResponseError({ ...where, url, status: 413, bodyExcerpt: "" })
      ]) {
        const { effect, attempts } = flaky([error])
        const result = yield* Effect.flip(Resilience.retry(options)(effect))
        expect(result).toBe(error)
        expect(attempts()).toBe(1)
      }
    })
  )

  it.effect("waits at least a RateLimited error's retryAfterMillis, and logs it", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const { effect, attempts } = flaky([new RateLimited({ ...where, url: `${url}?access_token=abc12345`, retryAfterMillis: 2000 })])
      const fiber = yield* Effect.fork(logs.provide(Resilience.retry(options)(effect)))
      yield* TestClock.adjust("1999 millis")
      expect(attempts()).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe("ok")
      expect(attempts()).toBe(2)
      expect(logs.lines).toHaveLength(1)
      expect(logs.lines[0]!.message).toBe("test: 429 (rate limited) from sis.example during list users, retrying in 2.0s (attempt 2 of 4)")
      expect(logs.lines[0]!.annotations["delayMillis"]).toBe(2000)
      expect(String(logs.lines[0]!.annotations["url"])).not.toContain("abc12345")
    })
  )

  it.effect("backs off exponentially, capped at maxDelay", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const { effect } = flaky([http503, http503, http503, http503, http503, http503])
      const fiber = yield* Effect.fork(
        logs.provide(Resilience.retry({ retries: 5, baseDelay: "1 second", maxDelay: "3 seconds" })(effect))
      )
      yield* TestClock.adjust("1 minute")
      yield* Effect.flip(Fiber.join(fiber))
      const delays = logs.lines.map((line) => line.annotations["delayMillis"] as number)
      expect(delays).toHaveLength(5)
      // 1 s, 2 s, 4 s … each jittered by ±20 %, never above 3 s
      expect(delays[0]).toBeGreaterThanOrEqual(800)
      expect(delays[0]).toBeLessThanOrEqual(1200)
      expect(delays[1]).toBeGreaterThanOrEqual(1600)
      for (const delay of delays) expect(delay).toBeLessThanOrEqual(3000)
      expect(delays[4]).toBe(3000)
    })
  )

  it.effect("gives back the last RateLimited once retries are used up", () =>
    Effect.gen(function* () {
      const limited = (n: number) => new RateLimited({ ...where, url, retryAfterMillis: n })
      const { effect, attempts } = flaky([limited(1), limited(2), limited(3), limited(4)])
      const fiber = yield* Effect.fork(Effect.flip(Resilience.retry({ ...options, retries: 2 })(effect)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("RateLimited")
      expect((error as RateLimited).retryAfterMillis).toBe(3)
      expect(attempts()).toBe(3)
    })
  )

  it.effect("retries: 0 makes exactly one attempt", () =>
    Effect.gen(function* () {
      const { effect, attempts } = flaky([http503])
      const exit = yield* Effect.exit(Resilience.retry({ ...options, retries: 0 })(effect))
      expect(exit._tag).toBe("Failure")
      expect(attempts()).toBe(1)
    })
  )

  it.effect("a host that does not resolve, a refused connection or a TLS failure is retried once at most", () =>
    Effect.gen(function* () {
      for (const reason of ["dns", "refused", "tls"] as const) {
        const error = transport(reason)
        const { effect, attempts } = flaky([error, error, error, error])
        const fiber = yield* Effect.fork(Effect.flip(Resilience.retry(Resilience.defaultRetryOptions)(effect)))
        yield* TestClock.adjust("1 second")
        const result = yield* Fiber.join(fiber)
        expect(attempts()).toBe(2)
        expect(result._tag).toBe("TransportError")
        expect(result.message).toContain("gave up after 2 attempts")
        expect(result.message).toContain("not transient")
      }
    })
  )

  it.effect("timeouts and resets retry under the deadline, and the error says how many attempts over how long", () =>
    Effect.gen(function* () {
      const timeout = transport("timeout")
      const { effect, attempts } = flaky(Array.from({ length: 50 }, () => timeout))
      // every attempt takes 30 s (a server that accepts and never answers)
      const slow = Effect.zipRight(Effect.sleep("30 seconds"), effect)
      const fiber = yield* Effect.fork(
        Effect.flip(Resilience.retry({ retries: 20, baseDelay: "1 second", maxDelay: "10 seconds", deadline: "2 minutes" })(slow))
      )
      yield* TestClock.adjust("10 minutes")
      const error = yield* Fiber.join(fiber)
      // 30 s + ~1 s + 30 s + ~2 s + 30 s + ~4 s + 30 s: the next wait would end past 2 minutes
      expect(attempts()).toBe(4)
      expect(error.message).toMatch(/gave up after 4 attempts over 2m\ds \(deadline 2m0s reached\): timeout error/)
    })
  )

  it.effect("a server-requested wait beyond maxWait fails at once with RateLimited carrying that wait", () =>
    Effect.gen(function* () {
      const { effect, attempts } = flaky([new RateLimited({ ...where, url, retryAfterMillis: 86_400_000 })])
      const error = yield* Effect.flip(Resilience.retry({ ...options, maxWait: "60 seconds" })(effect))
      expect(attempts()).toBe(1)
      expect(error._tag).toBe("RateLimited")
      const limited = error as RateLimited
      expect(limited.retryAfterMillis).toBe(86_400_000)
      expect(limited.maxWaitMillis).toBe(60_000)
      expect(limited.message).toContain("the server asked to wait 86400s, more than the 60s ceiling")
    })
  )

  it.effect("tells the onRateLimited listener before waiting", () =>
    Effect.gen(function* () {
      const seen: Array<number | undefined> = []
      const { effect } = flaky([new RateLimited({ ...where, url, retryAfterMillis: 10 }), http503])
      const fiber = yield* Effect.fork(
        Resilience.retry(options)(effect).pipe(
          Effect.locally(Resilience.onRateLimited, (error) => Effect.sync(() => seen.push(error.retryAfterMillis)))
        )
      )
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toBe("ok")
      expect(seen).toEqual([10])
    })
  )
})
