import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import type { SetupServer } from "msw/node"
import * as Conformance from "@rosterkit/testkit/Conformance"
import * as Dataset from "@rosterkit/testkit/Dataset"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeClever from "@rosterkit/testkit/FakeClever"
import * as Msw from "@rosterkit/testkit/Msw"
import { CleverConnector } from "../src/CleverConnector.js"

const token = "connector-district-token-42"
const fake = FakeClever.make({ dataset: demoDistrict, token })
let server: SetupServer
beforeAll(() => {
  server = Msw.serve(fake)
})
afterAll(() => server.close())

const connect = (options: Partial<ConstructorParameters<typeof CleverConnector>[0]> = {}) =>
  new CleverConnector({ token, host: fake.baseUrl, pageSize: 50, ...options })

describe("CleverConnector", () => {
  it("getUsers: the students of ELA 6 (6A ELA)", async () => {
    const clever = connect()
    try {
      const users = await clever.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "ELA 6 (6A ELA)" })
      expect(users.length).toBe(7)
      expect(users.map((u) => u.sourcedId).sort()).toStrictEqual(
        Conformance.expectedIds(demoDistrict, {
          role: "students",
          group: { kind: "classes", name: "ELA 6 (6A ELA)", matchOn: ["sourcedId", "name", "title"] }
        })
      )
      const max = await clever.getUsers({ maxUsers: 3 })
      expect(max.length).toBe(3)
    } finally {
      await clever.close()
    }
  })

  it("streamUsers: every teacher, as an async iterable", async () => {
    const clever = connect({ token: Redacted.make(token) })
    try {
      const ids: Array<string> = []
      for await (const teacher of clever.streamUsers({ userFilter: "teachers" })) ids.push(teacher.sourcedId)
      expect(ids).toStrictEqual(Dataset.byKind(demoDistrict, "teachers").map((t) => t.sourcedId))
    } finally {
      await clever.close()
    }
  })

  it("matchGroupsBy: Clever's own field names", async () => {
    const clever = connect()
    try {
      const section = demoDistrict.classes.find((c) => typeof c.classCode === "string" && c.classCode !== "")!
      clever.matchGroupsBy = "section_number"
      expect(clever.matchGroupsBy).toStrictEqual(["section_number"])
      const users = await clever.getUsers({ userFilter: "users", groupFilter: "classes", groupName: section.classCode! })
      expect(users.map((u) => u.sourcedId).sort()).toStrictEqual(
        Conformance.expectedIds(demoDistrict, { role: "users", group: { kind: "classes", name: section.classCode!, matchOn: ["classCode"] } })
      )
      expect(() => (clever.matchGroupsBy = " , ")).toThrow(TypeError)
    } finally {
      await clever.close()
    }
  })

  it("listEntities / getEntity: OneRoster records with the Clever record in metadata.clever", async () => {
    const clever = connect()
    try {
      const schools = await clever.listEntities("schools")
      expect(schools.map((s) => s.name)).toContain("Classlink HS")
      const teachers = await clever.listEntities("users", { filter: "role='teacher'" })
      expect(teachers.length).toBe(Dataset.byKind(demoDistrict, "teachers").length)
      const user = await clever.getEntity("users", "18125")
      expect(user.givenName).toBe("BILLY")
      expect((user.metadata?.clever as { id: string }).id).toBe("18125")
      await expect(clever.getEntity("classes", "no-such-section")).rejects.toMatchObject({ _tag: "NotFound" })
    } finally {
      await clever.close()
    }
  })

  it("a bad configuration throws ConfigurationError from the constructor", () => {
    expect(() => connect({ pageSize: 20_000 })).toThrow(expect.objectContaining({ _tag: "ConfigurationError", setting: "pageSize" }))
    expect(() => connect({ token: "" })).toThrow(expect.objectContaining({ _tag: "ConfigurationError", setting: "token" }))
    expect(() => connect({ host: "clever" })).toThrow(expect.objectContaining({ _tag: "ConfigurationError", setting: "host" }))
  })

  it("a wrong token rejects with AuthError, at once and without the token", async () => {
    const wrong = "wrong-district-token-777"
    const clever = connect({ token: wrong })
    try {
      const before = fake.requests.length
      const error = await clever.getUsers().then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toMatchObject({ _tag: "AuthError", status: 401 })
      expect(fake.requests.length - before).toBe(1)
      expect(String((error as Error).message)).not.toContain(wrong)
      expect(JSON.stringify(error)).not.toContain(wrong)
    } finally {
      await clever.close()
    }
  })
})
