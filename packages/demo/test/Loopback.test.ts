import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeClever from "@rosterkit/demo/FakeClever"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as Faults from "@rosterkit/demo/Faults"
import * as Loopback from "@rosterkit/demo/Loopback"
import { authorization } from "./rfc5849.js"

const dataset = Dataset.generate({ seed: 13, schools: 1, studentsPerSchool: 12, teachersPerSchool: 2, classesPerTeacher: 2, studentsPerClass: 5 })
const servers: Array<{ close: () => Promise<void> }> = []
afterAll(() => Promise.all(servers.map((s) => s.close())))
const track = <S extends { close: () => Promise<void> }>(server: S): S => {
  servers.push(server)
  return server
}
/** The error code under a fetch failure (undici wraps it in `cause`). */
const causeOf = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeDefined()
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return `${cause?.code ?? ""} ${cause?.message ?? (error as Error).message}`
}

describe("Loopback", () => {
  it("serves a fake over real TCP; serveFake gives it the loopback URL (Link headers, OAuth 1 signatures)", async () => {
    const clientId = "loop"
    const clientSecret = "back"
    const server = track(
      await Loopback.serveFake((url) =>
        FakeOneRoster.make({ dataset, baseUrl: `${url}/ims/oneroster/v1p1`, auth: { type: "oauth1", clientId, clientSecret } })
      )
    )
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const seen: Array<string> = []
    let url: string | undefined = `${server.fake.baseUrl}/users?limit=5&filter=${encodeURIComponent("role='student'")}`
    while (url !== undefined) {
      const response: Response = await fetch(url, { headers: { Authorization: authorization("GET", url, { clientId, clientSecret }) } })
      expect(response.status).toBe(200)
      seen.push(...((await response.json()) as { users: ReadonlyArray<{ sourcedId: string }> }).users.map((u) => u.sourcedId))
      url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1]
      if (url !== undefined) expect(url.startsWith(server.url)).toBe(true)
    }
    expect(seen).toStrictEqual(Dataset.byKind(dataset, "students").map((u) => u.sourcedId))
    expect(server.fake.requests.length).toBe(Math.ceil(seen.length / 5))
  })

  it("carries request bodies (OAuth 2 token POST) and plain handlers", async () => {
    const server = track(
      await Loopback.serveFake((url) =>
        FakeOneRoster.make({ dataset, baseUrl: `${url}/ims/oneroster/v1p1`, auth: { type: "oauth2", clientId: "a", clientSecret: "b", tokenUrl: `${url}/token` } })
      )
    )
    const token = await fetch(`${server.url}/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "a", client_secret: "b" }) })
    expect(token.status).toBe(200)
    const plain = track(await Loopback.serve(async (request) => new Response(`${request.method} ${new URL(request.url).pathname}`)))
    expect(await (await fetch(`${plain.url}/hello`)).text()).toBe("GET /hello")
  })

  it("resets the connection for real, cuts a body short after the status line, answers 429s", async () => {
    const clever = FakeClever.make({ dataset })
    const server = track(
      await Loopback.serve(clever.handle, {
        faults: [
          { fault: Faults.reset(), path: /\/sections/ },
          { fault: Faults.truncate(), path: /\/users/ },
          { fault: Faults.rateLimited({ resetEpochSeconds: 1_700_000_000 }), path: /\/schools/ },
          { fault: Faults.delay(5), path: /\/terms/ }
        ]
      })
    )
    const headers = { Authorization: `Bearer ${clever.token}` }
    expect(await causeOf(fetch(`${server.url}/v3.0/sections`, { headers }))).toMatch(/ECONNRESET/)
    const cut = await fetch(`${server.url}/v3.0/users`, { headers })
    expect(cut.status).toBe(200)
    const declared = Number(cut.headers.get("content-length"))
    expect(declared).toBeGreaterThan(0)
    await expect(cut.text()).rejects.toThrow()
    const limited = await fetch(`${server.url}/v3.0/schools`, { headers })
    expect(limited.status).toBe(429)
    expect(limited.headers.get("x-ratelimit-reset")).toBe("1700000000")
    await limited.text()
    const slow = await fetch(`${server.url}/v3.0/terms`, { headers })
    expect(slow.status).toBe(200)
    await slow.text()
    // Once spent, the faults are gone.
    const fine = await fetch(`${server.url}/v3.0/users?limit=2`, { headers })
    expect(((await fine.json()) as { data: ReadonlyArray<unknown> }).data).toHaveLength(2)
  })

  it("turns a fake's own reset and truncate into socket faults", async () => {
    const server = track(
      await Loopback.serveFake((url) =>
        FakeOneRoster.make({
          dataset,
          baseUrl: `${url}/ims/oneroster/v1p1`,
          faults: [
            { fault: Faults.reset(), path: /\/classes/ },
            { fault: Faults.truncate(), path: /\/enrollments/ }
          ]
        })
      )
    )
    await expect(fetch(`${server.fake.baseUrl}/classes`)).rejects.toThrow()
    const cut = await fetch(`${server.fake.baseUrl}/enrollments`)
    expect(cut.status).toBe(200)
    await expect(cut.text()).rejects.toThrow()
  })

  it("serveDemo: the demo district behind OAuth 1.0a", async () => {
    const demo = track(await Loopback.serveDemo({ maxLimit: 10000 }))
    expect(demo.baseUrl).toBe(`${demo.url}/ims/oneroster/v1p1`)
    const url = `${demo.baseUrl}/students?limit=1000`
    const response = await fetch(url, { headers: { Authorization: authorization("GET", url, { clientId: demo.clientId, clientSecret: demo.clientSecret }) } })
    const body = (await response.json()) as { users: ReadonlyArray<{ sourcedId: string; givenName: string }> }
    expect(body.users).toHaveLength(139)
    expect(body.users[0]).toMatchObject({ sourcedId: "18125", givenName: "BILLY" })
    expect((await fetch(url)).status).toBe(401)
  })
})
