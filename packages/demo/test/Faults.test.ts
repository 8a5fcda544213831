import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@rosterkit/demo/Faults"

const url = (path: string) => new URL(`https://sis.test${path}`)

describe("Faults.make", () => {
  it("lets `after` matching requests through, then fires `times` times (default once)", () => {
    const plan = Faults.make([{ fault: Faults.serverError(), path: /\/users/, after: 1, times: 2 }])
    const seen = ["/users", "/classes", "/users?offset=5", "/users?offset=10", "/users?offset=15"].map((p) => plan.next(url(p))?.type)
    expect(seen).toStrictEqual([undefined, undefined, "status", "status", undefined])
    const once = Faults.make([{ fault: Faults.reset() }])
    expect([once.next(url("/a")), once.next(url("/b"))]).toStrictEqual([{ type: "reset" }, undefined])
  })

  it("tests the path on pathname + search, and resets global regexps", () => {
    const plan = Faults.make([{ fault: Faults.truncate(), path: /offset=10/g, times: 5 }])
    expect(plan.next(url("/users?limit=5&offset=10"))?.type).toBe("truncate")
    expect(plan.next(url("/users?limit=5&offset=10"))?.type).toBe("truncate")
    expect(plan.next(url("/users?limit=5&offset=5"))).toBeUndefined()
  })

  it("gives the first firing rule; every matching rule counts the request", () => {
    const plan = Faults.make([
      { fault: Faults.rateLimited(), times: 1 },
      { fault: Faults.serverError(500), after: 1, times: 1 }
    ])
    // Request 1: rule 1 fires (rule 2 counts it as its first, let through).
    expect(plan.next(url("/x"))).toMatchObject({ status: 429 })
    // Request 2: rule 1 is spent, rule 2 fires.
    expect(plan.next(url("/x"))).toMatchObject({ status: 500 })
    expect(plan.next(url("/x"))).toBeUndefined()
  })

  it("builds the common faults", () => {
    expect(Faults.rateLimited({ retryAfterSeconds: 2, resetEpochSeconds: 1700000000 })).toStrictEqual({
      type: "status",
      status: 429,
      headers: { "Retry-After": "2", "X-RateLimit-Reset": "1700000000", "X-RateLimit-Remaining": "0" }
    })
    expect(Faults.serverError()).toStrictEqual({ type: "status", status: 503 })
    expect(Faults.delay(5)).toStrictEqual({ type: "delay", millis: 5 })
  })
})

describe("Faults.apply", () => {
  const real = () => Promise.resolve(new Response(JSON.stringify({ users: [{ sourcedId: "a" }, { sourcedId: "b" }] }), { status: 200 }))
  const body = (status: number) => JSON.stringify({ message: `status ${status}` })

  it("answers a status fault with its headers, and the fake's error body when it has none", async () => {
    const response = await Faults.apply(Faults.rateLimited({ retryAfterSeconds: 3 }), real, body)
    expect(response.status).toBe(429)
    expect(response.headers.get("retry-after")).toBe("3")
    expect(response.headers.get("content-type")).toBe("application/json")
    expect(await response.json()).toStrictEqual({ message: "status 429" })
    const custom = await Faults.apply({ type: "status", status: 200, body: "{\"users\": 42}" }, real, body)
    expect(await custom.text()).toBe("{\"users\": 42}")
  })

  it("resets with Response.error() and truncates the real body", async () => {
    expect((await Faults.apply(Faults.reset(), real, body)).type).toBe("error")
    const cut = await Faults.apply(Faults.truncate(), real, body)
    expect(cut.status).toBe(200)
    const reader = cut.body!.getReader()
    const first = await reader.read()
    const full = JSON.stringify({ users: [{ sourcedId: "a" }, { sourcedId: "b" }] })
    expect(new TextDecoder().decode(first.value)).toBe(full.slice(0, Math.floor(full.length / 2)))
    await expect(reader.read()).rejects.toThrow(/terminated/)
    const again = await Faults.apply(Faults.truncate(), real, body)
    await expect(again.text()).rejects.toThrow()
  })

  it("delays, then answers normally", async () => {
    const response = await Faults.apply(Faults.delay(1), real, body)
    expect(response.status).toBe(200)
    expect((await Faults.apply(undefined, real, body)).status).toBe(200)
  })
})
