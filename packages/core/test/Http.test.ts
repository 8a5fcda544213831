import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { delay, http, HttpResponse, passthrough } from "msw"
import { setupServer } from "msw/node"
import * as Net from "node:net"
import * as Http from "@rosterkit/core/Http"

const base = "https://sis.example/ims/oneroster/v1p1"
const context: Http.Context = { provider: "test", operation: "list users" }
const server = setupServer()

beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

/** Options with tiny real delays, so retries never wait for seconds. */
const fast = (retries: number, overrides: Partial<Http.Options> = {}): Http.Options => ({
  timeout: "5 seconds",
  retry: { retries, baseDelay: "1 millis", maxDelay: "5 millis" },
  ...overrides
})

/** Serves `responses` in turn for GET {base}/users (the last one repeats); counts requests. */
const serve = (...responses: Array<() => Response | Promise<Response>>) => {
  let count = 0
  server.use(
    http.get(`${base}/users`, () => {
      const respond = responses[Math.min(count, responses.length - 1)]!
      count++
      return respond()
    })
  )
  return () => count
}

const ok = () => HttpResponse.json({ users: [{ sourcedId: "1" }] })

const getUsers = (options: Http.Options, request = HttpClientRequest.get(`${base}/users`)) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => Http.getJson(client, request, context, options)).pipe(
    Effect.provide(FetchHttpClient.layer)
  )

/** Runs `effect` while moving the TestClock forward between real ticks (the HTTP I/O is real). */
const withTestClock = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    for (;;) {
      const exit = yield* Fiber.poll(fiber)
      if (Option.isSome(exit)) return yield* exit.value
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
      yield* TestClock.adjust("100 millis")
    }
  })

const captureLogs = () => {
  const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make(({ message, annotations }) => {
    lines.push({ message: Array.isArray(message) ? message.join(" ") : String(message), annotations: Object.fromEntries(annotations) })
  })
  const provide = <A, E, R>(self: Effect.Effect<A, E, R>) =>
    self.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.Debug))
  return { lines, provide }
}

const describeOneRoster = (body: unknown) =>
  (body as { statusInfoSet?: Array<{ imsx_description?: string }> }).statusInfoSet?.[0]?.imsx_description

describe("Http.getJson", () => {
  it.effect("returns the parsed body, status, headers and full URL", () =>
    Effect.gen(function* () {
      serve(() => HttpResponse.json({ users: [] }, { headers: { "X-Total-Count": "0" } }))
      const response = yield* getUsers(fast(0), HttpClientRequest.get(`${base}/users`, { urlParams: { limit: 10 } }))
      expect(response.status).toBe(200)
      expect(response.body).toStrictEqual({ users: [] })
      expect(response.headers["x-total-count"]).toBe("0")
      expect(response.url).toBe(`${base}/users?limit=10`)
    })
  )

  it.effect("retries a 429, waiting the Retry-After seconds", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const requests = serve(() => new HttpResponse(null, { status: 429, headers: { "Retry-After": "2" } }), ok)
      const response = yield* withTestClock(logs.provide(getUsers(fast(3))))
      expect(response.body).toStrictEqual({ users: [{ sourcedId: "1" }] })
      expect(requests()).toBe(2)
      expect(logs.lines).toHaveLength(1)
      expect(logs.lines[0]!.annotations["delayMillis"]).toBe(2000)
      expect(logs.lines[0]!.message).toContain("429 (rate limited) from sis.example during list users, retrying in 2.0s")
    })
  )

  it.effect("reads Retry-After as an HTTP-date and X-RateLimit-Reset as epoch seconds", () =>
    Effect.gen(function* () {
      const now = Date.parse("2025-01-06T12:00:00Z")
      yield* TestClock.setTime(now)
      serve(() => new HttpResponse(null, { status: 429, headers: { "Retry-After": new Date(now + 3000).toUTCString() } }))
      const byDate = yield* Effect.flip(getUsers(fast(0)))
      expect(byDate).toMatchObject({ _tag: "RateLimited", retryAfterMillis: 3000 })

      serve(() => new HttpResponse(null, { status: 429, headers: { "X-RateLimit-Reset": String(now / 1000 + 5) } }))
      const byReset = yield* Effect.flip(getUsers(fast(0)))
      expect(byReset).toMatchObject({ _tag: "RateLimited", retryAfterMillis: 5000 })

      // and the retry honours it
      const logs = captureLogs()
      serve(() => new HttpResponse(null, { status: 429, headers: { "X-RateLimit-Reset": String(now / 1000 + 5) } }), ok)
      yield* withTestClock(logs.provide(getUsers(fast(1))))
      expect(logs.lines[0]!.annotations["delayMillis"]).toBeGreaterThanOrEqual(4000)
    })
  )

  it.live("gives RateLimited once the retries are used up", () =>
    Effect.gen(function* () {
      const requests = serve(() => new HttpResponse("slow down", { status: 429, headers: { "Retry-After": "0" } }))
      const error = yield* Effect.flip(getUsers(fast(2)))
      expect(error._tag).toBe("RateLimited")
      expect(error.message).toContain(`${base}/users`)
      expect(requests()).toBe(3)
    })
  )

  it.live("retries a 503 and succeeds", () =>
    Effect.gen(function* () {
      const requests = serve(() => new HttpResponse("unavailable", { status: 503 }), ok)
      const response = yield* getUsers(fast(3))
      expect(response.status).toBe(200)
      expect(requests()).toBe(2)
    })
  )

  it.live("never retries 400/401/403/404/413, and maps them", () =>
    Effect.gen(function* () {
      for (const status of [400, 401, 403, 404, 413]) {
        const requests = serve(() =>
          HttpResponse.json({ statusInfoSet: [{ imsx_codeMajor: "failure", imsx_description: `problem ${status}` }] }, { status })
        )
        const error = yield* Effect.flip(getUsers(fast(3, { describeError: describeOneRoster })))
        expect(requests()).toBe(1)
        if (status === 401 || status === 403) {
          expect(error).toMatchObject({ _tag: "AuthError", status, detail: `problem ${status}` })
        } else {
          expect(error).toMatchObject({ _tag: "ResponseError", status, description: `problem ${status}` })
          expect((error as { bodyExcerpt: string }).bodyExcerpt).toContain("imsx_codeMajor")
        }
      }
    })
  )

  it.live("a response that does not arrive in time is a TransportError timeout", () =>
    Effect.gen(function* () {
      serve(async () => {
        await delay("infinite")
        return ok()
      })
      const error = yield* Effect.flip(getUsers(fast(0, { timeout: "50 millis" })))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
    })
  )

  it.live("a body cut short is retried, then succeeds", () =>
    Effect.gen(function* () {
      const cutShort = () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"users":[{"sourcedId":"1"},'))
              controller.error(new Error("connection lost"))
            }
          }),
          { status: 200, headers: { "Content-Type": "application/json" } }
        )
      const requests = serve(cutShort, ok)
      const response = yield* getUsers(fast(2))
      expect(response.body).toStrictEqual({ users: [{ sourcedId: "1" }] })
      expect(requests()).toBe(2)

      serve(cutShort)
      const error = yield* Effect.flip(getUsers(fast(0)))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "truncated" })
    })
  )

  it.live("a 200 whose body is not complete JSON is a retryable truncation", () =>
    Effect.gen(function* () {
      const partial = () => new HttpResponse('{"users":[{"sourcedId":"1"},{"sourcedI', { status: 200 })
      const requests = serve(partial, ok)
      expect((yield* getUsers(fast(1))).status).toBe(200)
      expect(requests()).toBe(2)

      serve(partial)
      const error = yield* Effect.flip(getUsers(fast(0)))
      expect(error).toMatchObject({
        _tag: "TransportError",
        reason: "truncated",
        detail: "body is not complete JSON (cut short or malformed)"
      })
    })
  )

  it.live("a network failure is a TransportError network", () =>
    Effect.gen(function* () {
      const requests = serve(() => HttpResponse.error())
      const error = yield* Effect.flip(getUsers(fast(1)))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "network" })
      expect(requests()).toBe(2)
    })
  )

  it.live("errors and logs never carry the Authorization header or a token in the URL", () =>
    Effect.gen(function* () {
      const bearer = "s3cr3t-bearer-value-42"
      const token = "url-token-9876"
      const request = HttpClientRequest.get(`${base}/users`, { urlParams: { access_token: token, limit: 5 } }).pipe(
        HttpClientRequest.bearerToken(bearer)
      )
      const echo = (status: number) => () =>
        HttpResponse.json({ statusInfoSet: [{ imsx_description: `bad credentials Bearer ${bearer} ${token}` }] }, { status })
      const logs = captureLogs()
      for (const status of [401, 404, 500, 429]) {
        serve(echo(status))
        const error = yield* Effect.flip(logs.provide(getUsers(fast(1, { describeError: describeOneRoster }), request)))
        const text = `${JSON.stringify(error)} ${error.message}`
        expect(text).toContain("REDACTED")
        expect(text).not.toContain(bearer)
        expect(text).not.toContain(token)
      }
      serve(() => HttpResponse.error())
      const network = yield* Effect.flip(logs.provide(getUsers(fast(1), request)))
      expect(JSON.stringify(network)).not.toContain(token)
      expect(logs.lines.length).toBeGreaterThan(0)
      const logged = JSON.stringify(logs.lines)
      expect(logged).not.toContain(bearer)
      expect(logged).not.toContain(token)
    })
  )

  it.live("the client's request transform runs on every attempt", () =>
    Effect.gen(function* () {
      const seen: Array<string | null> = []
      let attempt = 0
      server.use(
        http.get(`${base}/users`, ({ request }) => {
          seen.push(request.headers.get("authorization"))
          return attempt++ === 0 ? new HttpResponse(null, { status: 502 }) : ok()
        })
      )
      let signed = 0
      yield* Effect.flatMap(HttpClient.HttpClient, (client) =>
        Http.getJson(
          client.pipe(HttpClient.mapRequest((r) => HttpClientRequest.bearerToken(r, `sig-${++signed}`))),
          HttpClientRequest.get(`${base}/users`),
          context,
          fast(1)
        )
      ).pipe(Effect.provide(FetchHttpClient.layer))
      expect(seen).toStrictEqual(["Bearer sig-1", "Bearer sig-2"])
    })
  )

  it.live("its span ends without the response: a span outlives the request, and the page it kept would too", () =>
    Effect.gen(function* () {
      serve(ok)
      const ended: Array<{ readonly name: string; readonly exit: Exit.Exit<unknown, unknown> }> = []
      const native = yield* Effect.tracer
      const recording = Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          const span = native.span(name, parent, context, links, startTime, kind, options)
          const end = span.end.bind(span)
          return Object.assign(span, {
            end: (endTime: bigint, exit: Exit.Exit<unknown, unknown>) => {
              ended.push({ name, exit })
              end(endTime, exit)
            }
          })
        },
        context: native.context
      })
      const response = yield* Effect.withTracer(getUsers(fast(0)), recording)
      expect(response.body).toStrictEqual({ users: [{ sourcedId: "1" }] })
      const span = ended.find((s) => s.name === "Http.getJson")
      expect(span?.exit).toStrictEqual(Exit.void)
    })
  )

  describe("against a loopback server (faults msw cannot fake)", () => {
    // /reset: the connection is reset before any response; /cut: headers, then half a body, then close
    const tcp = Net.createServer((socket) => {
      socket.once("data", (data) => {
        if (data.toString().startsWith("GET /reset")) return socket.resetAndDestroy()
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"users":[')
        setTimeout(() => socket.destroy(), 5)
      })
    })
    let origin = ""
    beforeAll(
      () =>
        new Promise<void>((resolve) =>
          tcp.listen(0, "127.0.0.1", () => {
            origin = `http://127.0.0.1:${(tcp.address() as Net.AddressInfo).port}`
            resolve()
          })
        )
    )
    afterAll(() => new Promise<void>((resolve) => tcp.close(() => resolve())))

    it.live("a connection reset is TransportError reset; a body cut after the headers is truncated", () =>
      Effect.gen(function* () {
        server.use(http.all(`${origin}/*`, () => passthrough()))
        const reset = yield* Effect.flip(getUsers(fast(0), HttpClientRequest.get(`${origin}/reset`)))
        expect(reset).toMatchObject({ _tag: "TransportError", reason: "reset" })
        const cut = yield* Effect.flip(getUsers(fast(0), HttpClientRequest.get(`${origin}/cut`)))
        expect(cut).toMatchObject({ _tag: "TransportError", reason: "truncated" })
      })
    )
  })
})
