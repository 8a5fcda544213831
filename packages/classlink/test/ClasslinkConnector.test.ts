/** The seed README's Quick Start, in TypeScript, over the demo district. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { setupServer } from "msw/node"
import { ConfigurationError } from "@rosterkit/core/RosterError"
import { demoDistrict, seedNumbers } from "@rosterkit/testkit/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import { ClasslinkConnector } from "../src/ClasslinkConnector.js"

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const host = "https://demo-ca-v2.oneroster.com"
const clientId = "b008b35ac38bccb56a910e2323f66049"
const clientSecret = "c1a55l1nk-s3cr3t"

const serve = (options: Partial<FakeOneRoster.Options> = {}) => {
  const fake = FakeOneRoster.make({
    dataset: demoDistrict,
    baseUrl: `${host}/ims/oneroster/v1p1`,
    auth: { type: "oauth1", clientId, clientSecret },
    ...options
  })
  server.resetHandlers(...Msw.handlers(fake))
  return fake
}

describe("ClasslinkConnector", () => {
  it("runs the seed Quick Start: 139, 7, 3, 38, 54, 13", async () => {
    const fake = serve({ maxLimit: 10_000, permRev: () => "1" })
    const connector = new ClasslinkConnector({ host, clientId, clientSecret })
    try {
      const users = await connector.getUsers({ userFilter: "students" })
      expect(users.length).toBe(seedNumbers.students)
      expect(users[0]).toMatchObject({ sourcedId: "18125", givenName: "BILLY", username: "billy.flores" })

      const className = "ELA 6 (6A ELA)"
      expect((await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: className })).length).toBe(
        seedNumbers.ela6Sections
      )
      expect((await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "31763" })).length).toBe(
        seedNumbers.class31763
      )
      expect((await connector.getUsers({ userFilter: "students", groupFilter: "schools", groupName: "Classlink HS" })).length).toBe(
        seedNumbers.highSchool
      )
      expect((await connector.getUsers({ userFilter: "students", groupFilter: "schools", groupName: "7" })).length).toBe(
        seedNumbers.middleSchool
      )
      connector.matchGroupsBy = ["sourcedId", "name", "title", "location"]
      connector.matchGroupsBy = "location"
      expect((await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "302" })).length).toBe(
        seedNumbers.room302
      )
      // one page per listing: ClassLink pages are 10000 records
      expect(new URL(fake.requests[0]!.url).searchParams.get("limit")).toBe("10000")
    } finally {
      await connector.close()
    }
  })

  it("works through the OAuth 2 proxy with a bearer token and application id", async () => {
    serve({ baseUrl: "https://oneroster-proxy.classlink.io/MoYPlyQWmG0%3D/ims/oneroster/v1p1", auth: { type: "bearer", token: "proxy-access-token" } })
    const connector = new ClasslinkConnector({ token: "proxy-access-token", applicationId: "MoYPlyQWmG0%3D" })
    try {
      const ids: Array<string> = []
      for await (const user of connector.streamUsers({ userFilter: "students", groupFilter: "classes", groupName: "31763" })) ids.push(user.sourcedId)
      expect(ids.length).toBe(seedNumbers.class31763)
    } finally {
      await connector.close()
    }
  })

  it("throws a ConfigurationError at construction for a missing host or secret", () => {
    const fake = serve()
    expect(() => new ClasslinkConnector({ host: "", clientId, clientSecret })).toThrow(ConfigurationError)
    expect(() => new ClasslinkConnector({ host, clientId, clientSecret: "" })).toThrow(/clientSecret/)
    expect(fake.requests.length).toBe(0)
  })
})
