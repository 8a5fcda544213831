/** The Promise face, replaying the seed README's session over the demo district (OAuth 1.0a). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { setupServer } from "msw/node"
import { AuthError, ConfigurationError, InvalidQuery } from "@rosterkit/core/RosterError"
import { demoDistrict, seedNumbers } from "@rosterkit/testkit/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import { OneRosterConnector } from "../src/OneRosterConnector.js"

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const clientSecret = "démo-secret"
const serve = () => {
  const fake = FakeOneRoster.make({ dataset: demoDistrict, auth: { type: "oauth1", clientId: "demo", clientSecret } })
  server.resetHandlers(...Msw.handlers(fake))
  return fake
}
const connect = (baseUrl: string, secret = clientSecret) =>
  new OneRosterConnector({
    baseUrl,
    auth: { type: "oauth1", clientId: "demo", clientSecret: secret },
    pageSize: 50,
    retry: { retries: 2, baseDelay: "1 millis", maxDelay: "5 millis" }
  })

describe("OneRosterConnector", () => {
  it("reproduces the seed session: 139, 7, 3, 38, 54, 13", async () => {
    const fake = serve()
    const connector = connect(fake.baseUrl)
    try {
      const all = await connector.getUsers({ userFilter: "students" })
      expect(all.length).toBe(seedNumbers.students)
      expect(all[0]).toMatchObject({ sourcedId: "18125", givenName: "BILLY", familyName: "FLORES", role: "student" })

      const ela = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "ELA 6 (6A ELA)" })
      expect(ela.length).toBe(seedNumbers.ela6Sections)
      const section = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "31763" })
      expect(section.length).toBe(seedNumbers.class31763)
      const hs = await connector.getUsers({ userFilter: "students", groupFilter: "schools", groupName: "Classlink HS" })
      expect(hs.length).toBe(seedNumbers.highSchool)
      const ms = await connector.getUsers({ userFilter: "students", groupFilter: "schools", groupName: "7" })
      expect(ms.length).toBe(seedNumbers.middleSchool)

      expect(connector.matchGroupsBy).toStrictEqual(["sourcedId", "name", "title"])
      connector.matchGroupsBy = ["sourcedId", "name", "title", "location"]
      connector.matchGroupsBy = "location"
      expect(connector.matchGroupsBy).toStrictEqual(["location"])
      const room302 = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "302" })
      expect(room302.length).toBe(seedNumbers.room302)
      // matchOn per call wins over the property
      const bySection = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "31763", matchOn: "sourcedId" })
      expect(bySection.length).toBe(3)
      expect((await connector.getUsers({ userFilter: "users", maxUsers: 5 })).length).toBe(5)
    } finally {
      await connector.close()
    }
  })

  it("streams users as an AsyncIterable", async () => {
    const fake = serve()
    const connector = connect(fake.baseUrl)
    try {
      const ids: Array<string> = []
      for await (const user of connector.streamUsers({ userFilter: "teachers" })) ids.push(user.sourcedId)
      const expected = demoDistrict.users.filter((u) => u.role === "teacher").map((u) => u.sourcedId)
      expect(ids.sort()).toStrictEqual([...expected].sort())
    } finally {
      await connector.close()
    }
  })

  it("lists entities with a filter and a delta", async () => {
    const fake = serve()
    const connector = connect(fake.baseUrl)
    try {
      const teachers = await connector.listEntities("users", { filter: "role='teacher'" })
      expect(teachers.length).toBeGreaterThan(0)
      expect(teachers.every((u) => u.role === "teacher")).toBe(true)
      const since = "2019-03-01T00:00:00.000Z"
      const recent = await connector.listEntities("users", { since })
      expect(recent.every((u) => (u.dateLastModified ?? "") > since)).toBe(true)
      expect((await connector.getEntity("classes", "31763")).sourcedId).toBe("31763")
    } finally {
      await connector.close()
    }
  })

  it("rejects with the typed error itself (never the secret)", async () => {
    const fake = serve()
    const wrong = connect(fake.baseUrl, "wrong-secret-value")
    try {
      const error = await wrong.getUsers({ userFilter: "students" }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AuthError)
      expect((error as AuthError).message).not.toContain("wrong-secret-value")
      const iterated = await (async () => {
        for await (const _ of wrong.streamUsers()) return "no error"
        return "empty"
      })().catch((e: unknown) => e)
      expect(iterated).toBeInstanceOf(AuthError)
    } finally {
      await wrong.close()
    }
    const right = connect(fake.baseUrl)
    try {
      const invalid = await right.getUsers({ userFilter: "pupils" }).catch((e: unknown) => e)
      expect(invalid).toBeInstanceOf(InvalidQuery)
      const missing = await right.getEntity("users", "nobody").catch((e: unknown) => e)
      expect(missing).toMatchObject({ _tag: "NotFound", id: "nobody" })
    } finally {
      await right.close()
    }
  })

  it("a configuration error throws at construction, before any request", () => {
    const fake = serve()
    expect(() => connect(fake.baseUrl, "")).toThrow(ConfigurationError)
    expect(() => connect("not a url")).toThrow(/baseUrl/)
    expect(fake.requests.length).toBe(0)
  })
})
