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
      expect(logs.lines[0]!.message).toBe("test: rate limited during list users, waiting 2s (retry 1 of 3)")
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
})
