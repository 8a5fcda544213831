import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Dataset from "@rosterkit/testkit/Dataset"
import * as FakeClever from "@rosterkit/testkit/FakeClever"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Faults from "@rosterkit/testkit/Faults"
import * as Msw from "@rosterkit/testkit/Msw"

const dataset = Dataset.generate({ seed: 11, schools: 1, studentsPerSchool: 12, teachersPerSchool: 2, classesPerTeacher: 2, studentsPerClass: 5 })
const tokenUrl = "https://login.sis.test/oauth2/token"
const oneRoster = FakeOneRoster.make({
  dataset,
  auth: { type: "oauth2", clientId: "id", clientSecret: "secret", tokenUrl }
})
const faulty = FakeOneRoster.make({
  dataset,
  baseUrl: "https://faulty.sis.test/ims/oneroster/v1p1",
  faults: [
    { fault: Faults.rateLimited({ retryAfterSeconds: 0 }), path: /\/courses/ },
    { fault: Faults.reset(), path: /\/classes/ },
    { fault: Faults.truncate(), path: /\/enrollments/ }
  ]
})
const clever = FakeClever.make({ dataset })
const server = Msw.serve(oneRoster, faulty, clever)
afterAll(() => server.close())

describe("Msw", () => {
  it("routes global fetch to the fakes, the OAuth 2 token origin included", async () => {
    const token = await fetch(tokenUrl, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from("id:secret").toString("base64")}` },
      body: new URLSearchParams({ grant_type: "client_credentials" })
    })
    expect(token.status).toBe(200)
    const { access_token } = (await token.json()) as { access_token: string }
    const users = await fetch(`${oneRoster.baseUrl}/users?limit=3`, { headers: { Authorization: `Bearer ${access_token}` } })
    expect(users.status).toBe(200)
    expect(((await users.json()) as { users: ReadonlyArray<unknown> }).users).toHaveLength(3)
    const sections = await fetch(`${clever.baseUrl}/sections?limit=2`, { headers: { Authorization: `Bearer ${clever.token}` } })
    expect(((await sections.json()) as { data: ReadonlyArray<unknown> }).data).toHaveLength(2)
    expect(Msw.handlers(oneRoster)).toHaveLength(2)
  })

  it("turns faults into what fetch sees: a 429, a rejected fetch, a body that breaks off", async () => {
    const limited = await fetch(`${faulty.baseUrl}/courses`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("0")
    await expect(fetch(`${faulty.baseUrl}/classes`)).rejects.toThrow()
    const cut = await fetch(`${faulty.baseUrl}/enrollments`)
    expect(cut.status).toBe(200)
    await expect(cut.text()).rejects.toThrow()
  })

  it("fails loudly on a request to any other host", async () => {
    await expect(fetch("https://elsewhere.test/ims/oneroster/v1p1/users")).rejects.toThrow()
  })
})
