/**
 * Fault injection shared by the fake servers (FakeOneRoster, FakeClever, Loopback).
 *
 * A plan is a list of rules; each rule counts the requests whose pathname+search matches its
 * `path` (every request when it has none), lets the first `after` of them through, then fires
 * on the next `times` (default 1). A request gets the fault of the first rule (in order) that
 * fires on it; every matching rule counts the request either way. Plans are deterministic:
 * the same requests in the same order get the same faults.
 *
 *     Faults.make([
 *       { fault: Faults.rateLimited({ retryAfterSeconds: 0 }), path: /\/users/, after: 1, times: 2 },
 *       { fault: Faults.truncate(), path: /offset=200/ }
 *     ])
 */

import { mulberry32 } from "./internal/random.js"

/** What a faulty server does instead of (or before) answering. */
export type Fault =
  /** Answer with this status, headers and body (no body: the fake writes its usual error body). */
  | { readonly type: "status"; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  /** Drop the connection: `fetch` rejects (Loopback: a real TCP reset). */
  | { readonly type: "reset" }
  /** Send the status and half of the real body, then fail the body stream (Loopback: close the socket). */
  | { readonly type: "truncate" }
  /** Wait, then answer normally. */
  | { readonly type: "delay"; readonly millis: number }

export interface FaultRule {
  readonly fault: Fault
  /** Tested on the request's pathname + search (e.g. "/ims/oneroster/v1p1/users?limit=5"). */
  readonly path?: RegExp
  /** Let this many matching requests through first (default 0). */
  readonly after?: number
  /** Fire on this many matching requests (default 1; no limit for a `chance` rule). */
  readonly times?: number
  /**
   * Fire on each matching request with probability `rate`, drawn from a PRNG seeded with `seed`
   * (mulberry32): the same requests in the same order get the same faults.
   */
  readonly chance?: { readonly rate: number; readonly seed: number }
}

export interface FaultPlan {
  /** The fault for this request, if any. Consumes: call it once per request. */
  readonly next: (url: URL) => Fault | undefined
}

/** A plan over `rules`. */
export const make = (rules: ReadonlyArray<FaultRule>): FaultPlan => {
  const state = rules.map((rule) => ({
    rule,
    seen: 0,
    fired: 0,
    draw: rule.chance === undefined ? undefined : mulberry32(rule.chance.seed)
  }))
  return {
    next: (url) => {
      const target = url.pathname + url.search
      let chosen: Fault | undefined
      for (const entry of state) {
        const { rule } = entry
        if (rule.path !== undefined) {
          rule.path.lastIndex = 0
          if (!rule.path.test(target)) continue
        }
        entry.seen++
        // a chance rule draws for every matching request, so its draws do not depend on other rules
        const lucky = entry.draw === undefined || entry.draw() < rule.chance!.rate
        const times = rule.times ?? (rule.chance === undefined ? 1 : Number.POSITIVE_INFINITY)
        if (chosen === undefined && lucky && entry.seen > (rule.after ?? 0) && entry.fired < times) {
          entry.fired++
          chosen = rule.fault
        }
      }
      return chosen
    }
  }
}

/**
 * Rules that fail about `rate` of all requests (matching `path`), spread evenly over `faults`,
 * seeded: e.g. `Faults.randomly({ rate: 0.15, seed: 7, faults: [Faults.serverError(500), Faults.reset()] })`.
 */
export const randomly = (options: {
  readonly rate: number
  readonly seed: number
  readonly faults: ReadonlyArray<Fault>
  readonly path?: RegExp
}): ReadonlyArray<FaultRule> => {
  // each rule sees only the requests the ones before it let through: rate r_i = share / (1 - taken so far)
  const share = options.rate / options.faults.length
  return options.faults.map((fault, i) => ({
    fault,
    ...(options.path === undefined ? {} : { path: options.path }),
    chance: { rate: Math.min(1, share / Math.max(1e-9, 1 - share * i)), seed: options.seed * 7919 + i }
  }))
}

/** A 429. `retryAfterSeconds` sets Retry-After; `resetEpochSeconds` sets X-RateLimit-Reset (Clever). */
export const rateLimited = (options: { readonly retryAfterSeconds?: number; readonly resetEpochSeconds?: number } = {}): Fault => {
  const headers: Record<string, string> = {}
  if (options.retryAfterSeconds !== undefined) headers["Retry-After"] = String(options.retryAfterSeconds)
  if (options.resetEpochSeconds !== undefined) {
    headers["X-RateLimit-Reset"] = String(options.resetEpochSeconds)
    headers["X-RateLimit-Remaining"] = "0"
  }
  return { type: "status", status: 429, headers }
}

/** A server error (default 503). */
export const serverError = (status = 503): Fault => ({ type: "status", status })

/** A dropped connection. */
export const reset = (): Fault => ({ type: "reset" })

/** A body cut short. */
export const truncate = (): Fault => ({ type: "truncate" })

/** A slow answer. */
export const delay = (millis: number): Fault => ({ type: "delay", millis })

const nullBodyStatus = new Set([101, 103, 204, 205, 304])

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/** A stream sending `bytes` and then failing (each on its own pull, so the bytes are read first). */
export const failingStream = (bytes: Uint8Array): ReadableStream<Uint8Array> => {
  let pulls = 0
  return new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (pulls++ === 0 && bytes.length > 0) controller.enqueue(bytes)
      else controller.error(new TypeError("terminated: the fake server cut the body short"))
    }
  })
}

/**
 * Applies a fault at the Fetch level, for the fakes: `proceed` produces the real answer;
 * `errorBody(status)` is the fake's usual JSON error body for a status fault without one.
 * - status: that response (Content-Type application/json unless the fault sets one);
 * - reset: `Response.error()` (a fetch through msw rejects);
 * - truncate: the real status and headers, the first half of the real body, then a stream error;
 * - delay: waits, then proceeds.
 */
export const apply = async (
  fault: Fault | undefined,
  proceed: () => Promise<Response>,
  errorBody: (status: number) => string
): Promise<Response> => {
  if (fault === undefined) return proceed()
  switch (fault.type) {
    case "status": {
      const headers = new Headers(fault.headers ?? {})
      if (!headers.has("content-type")) headers.set("Content-Type", "application/json")
      const body = nullBodyStatus.has(fault.status) ? null : (fault.body ?? errorBody(fault.status))
      return new Response(body, { status: fault.status, headers })
    }
    case "reset":
      return Response.error()
    case "truncate": {
      const real = await proceed()
      if (real.type === "error") return real
      const bytes = new Uint8Array(await real.arrayBuffer())
      const headers = new Headers(real.headers)
      headers.delete("content-length")
      return new Response(failingStream(bytes.slice(0, Math.floor(bytes.length / 2))), {
        status: real.status,
        statusText: real.statusText,
        headers
      })
    }
    case "delay":
      await sleep(fault.millis)
      return proceed()
  }
}
