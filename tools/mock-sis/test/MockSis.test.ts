import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as MockSis from "@rosterkit/mock-sis"
import * as OAuth1 from "@rosterkit/mock-sis/OAuth1"

const credentials = { clientId: MockSis.defaults.clientId, clientSecret: MockSis.defaults.clientSecret }
const signed = (url: string) => fetch(url, { headers: { authorization: OAuth1.authorization(url, credentials) } })

describe("the mock SIS", () => {
  let server: MockSis.Server
  beforeAll(async () => {
    server = await MockSis.start({ users: 500, shape: "flat", pageClamp: 100 })
  })
  afterAll(() => server.close())

  it("serves OneRoster 1.1 with OAuth 1.0a, clamping pages, and counts requests (not the warm-up)", async () => {
    expect((await server.stats()).requests).toBe(0)
    const url = `${server.oneRoster}/students?limit=1000&offset=0`
    const response = await signed(url)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { users: Array<{ sourcedId: string; role: string }> }
    expect(body.users).toHaveLength(100)
    expect(body.users.every((u) => u.role === "student")).toBe(true)
    const total = Number(response.headers.get("x-total-count"))
    expect(total).toBeGreaterThan(400)
    expect((await fetch(url)).status).toBe(401)
    const stats = (await (await fetch(`${server.url}/_mock/stats`)).json()) as MockSis.Stats
    expect(stats.requests).toBe(2) // the 1.2 warm-up (its token and pages) is not counted either
    expect(stats.cpuMs).toBeGreaterThan(0)
  })

  it("writes a kept page (built before it listened) as the fake answers it, and only to good credentials", async () => {
    // rosterkit's offsets (a page less one record apart) at the clamp: kept by the warm-up
    const url = `${server.oneRoster}/students?limit=100&offset=99`
    const served = new Uint8Array(await (await signed(url)).arrayBuffer())
    const settings = MockSis.settingsOf({ users: 500, shape: "flat", pageClamp: 100 })
    const fake = FakeOneRoster.make({
      dataset: MockSis.districtOf(settings),
      baseUrl: server.oneRoster,
      auth: { type: "oauth1", ...credentials },
      maxLimit: 100
    })
    const answered = await fake.handle(new Request(url, { headers: { authorization: OAuth1.authorization(url, credentials) } }))
    expect(served).toStrictEqual(new Uint8Array(await answered.arrayBuffer()))
    expect(new TextDecoder().decode(served)).toContain('"sourcedId"')

    const wrongSecret = OAuth1.authorization(url, { ...credentials, clientSecret: "not-the-secret" })
    expect((await fetch(url, { headers: { authorization: wrongSecret } })).status).toBe(401)
    expect((await fetch(`${server.oneRosterV1p2}/students?limit=100&offset=99`, { headers: { authorization: "Bearer not-a-token" } })).status).toBe(401)
    const clever = `${server.clever}users?limit=100&role=student`
    expect((await fetch(clever, { headers: { authorization: "Bearer not-the-token" } })).status).toBe(401)
    expect((await fetch(clever, { headers: { authorization: `Bearer ${MockSis.defaults.token}` } })).status).toBe(200)
  })

  it("serves OneRoster 1.2 with OAuth 2 client credentials: the same students as 1.1, users in the 1.2 shape", async () => {
    const issued = await fetch(server.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret }).toString()
    })
    expect(issued.status).toBe(200)
    const { access_token: token } = (await issued.json()) as { access_token: string }
    const ids = async (url: string, init?: RequestInit) => {
      const response = await (init === undefined ? signed(url) : fetch(url, init))
      expect(response.status).toBe(200)
      return ((await response.json()) as { users: Array<{ sourcedId: string; roles?: Array<{ role: string }> }> }).users
    }
    const v1p2 = await ids(`${server.oneRosterV1p2}/students?limit=100&offset=100`, { headers: { authorization: `Bearer ${token}` } })
    const v1p1 = await ids(`${server.oneRoster}/students?limit=100&offset=100`)
    expect(v1p2.map((u) => u.sourcedId)).toStrictEqual(v1p1.map((u) => u.sourcedId))
    expect(v1p2.every((u) => u.roles?.some((r) => r.role === "student"))).toBe(true)
    expect((await fetch(`${server.oneRosterV1p2}/students?limit=5`)).status).toBe(401)
  })

  it("serves Clever v3.0 with the bearer token and answers 413 above the clamp", async () => {
    const auth = { authorization: `Bearer ${MockSis.defaults.token}` }
    const page = await fetch(`${server.clever}users?limit=100&role=teacher`, { headers: auth })
    expect(page.status).toBe(200)
    const body = (await page.json()) as { data: Array<{ data: { roles: Record<string, unknown> } }> }
    expect(body.data.length).toBeGreaterThan(0)
    expect(body.data.every((d) => "teacher" in d.data.roles)).toBe(true)
    expect((await fetch(`${server.clever}users?limit=101`, { headers: auth })).status).toBe(413)
    expect((await fetch(`${server.clever}users?limit=5`)).status).toBe(401)
  })
})

describe("the mock SIS's faults", () => {
  it("fails every request at --fail-rate 1 with the chosen status, and counts them", async () => {
    for (const failWith of ["503", "429"] as const) {
      const server = await MockSis.start({ users: 200, shape: "flat", failRate: 1, failWith, prebuild: false })
      try {
        const response = await signed(`${server.oneRoster}/users?limit=5`)
        expect(response.status).toBe(Number(failWith))
        const body = (await response.json()) as { statusInfoSet: Array<{ imsx_codeMajor: string }> }
        expect(body.statusInfoSet[0]!.imsx_codeMajor).toBe("failure")
        if (failWith === "429") expect(response.headers.get("retry-after")).toBe("0")
        expect(server.stats().failed).toBe(1)
      } finally {
        await server.close()
      }
    }
  })

  it("fails about the share asked for, the same requests on every run (seeded)", async () => {
    const statuses = async () => {
      const server = await MockSis.start({ users: 200, shape: "flat", failRate: 0.3, seed: 7, prebuild: false })
      try {
        const out: Array<number> = []
        for (let i = 0; i < 40; i++) out.push((await signed(`${server.oneRoster}/users?limit=1&offset=${i}`)).status)
        return out
      } finally {
        await server.close()
      }
    }
    const first = await statuses()
    expect(await statuses()).toStrictEqual(first)
    const failed = first.filter((s) => s === 503).length
    expect(failed).toBeGreaterThan(3)
    expect(failed).toBeLessThan(25)
    expect(first.filter((s) => s !== 503).every((s) => s === 200)).toBe(true)
  })

  it("refuses settings out of range", () => {
    expect(() => MockSis.settingsOf({ users: 50 })).toThrow(/at least 100/)
    expect(() => MockSis.settingsOf({ users: 1000, failRate: 2 })).toThrow(/fail rate/)
    expect(() => MockSis.settingsOf({ users: 1000, shape: "round" as MockSis.Shape })).toThrow(/shape/)
  })
})
