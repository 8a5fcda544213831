/** The provider against a OneRoster 1.2 server (testkit's FakeOneRoster in 1.2 mode, through msw). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { setupServer } from "msw/node"
import * as Model from "@rosterkit/core/Model"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as Query from "@rosterkit/core/Query"
import * as Dataset from "@rosterkit/testkit/Dataset"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import * as OneRosterClient from "../src/OneRosterClient.js"
import { build, collect, fast } from "./support.js"

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const clientId = "v1p2-client"
const clientSecret = "v1p2-sécret"
const tokenUrl = "https://auth.sis.test/campus/oauth2/token?appName=district"
const dataset = Dataset.v1p2(Dataset.generate({ seed: 7, schools: 2, studentsPerSchool: 12, teachersPerSchool: 3, classesPerTeacher: 2, studentsPerClass: 6 }))

/** A 1.2 fake that records each token request's form body. */
const serve = (fakeOptions: Partial<FakeOneRoster.Options> = {}) => {
  const fake = FakeOneRoster.make({
    dataset,
    version: "1.2",
    auth: { type: "oauth2", clientId, clientSecret, tokenUrl, scope: OneRosterClient.defaultScopeV1p2 },
    ...fakeOptions
  })
  const tokenBodies: Array<URLSearchParams> = []
  server.resetHandlers(
    ...Msw.handlers({
      ...fake,
      handle: async (request) => {
        if (request.method === "POST") tokenBodies.push(new URLSearchParams(await request.clone().text()))
        return fake.handle(request)
      }
    })
  )
  return { fake, tokenBodies }
}

const oauth2 = (scope?: string): OneRosterClient.OAuth2 => ({
  type: "oauth2",
  clientId,
  clientSecret: Redacted.make(clientSecret),
  tokenUrl,
  ...(scope === undefined ? {} : { scope })
})

describe("OneRoster 1.2", () => {
  it("is detected from the base URL, and an explicit version wins", () => {
    expect(OneRosterClient.detectVersion("https://ic.example.org/campus/api/ims/oneroster/rostering/v1p2/")).toBe("1.2")
    expect(OneRosterClient.detectVersion("https://ic.example.org/campus/api/ims/oneroster/rostering/v1p2")).toBe("1.2")
    expect(OneRosterClient.detectVersion("https://sis.example.org/ims/oneroster/v1p1/")).toBe("1.1")
    const settings = OneRosterClient.validate({ baseUrl: "https://sis.example.org/oneroster/", version: "1.2", auth: oauth2() })
    expect(Either.isRight(settings) && settings.right.version).toBe("1.2")
  })

  it("refuses OAuth 1.0a with a clear message unless forced", () => {
    const oauth1 = { type: "oauth1", clientId, clientSecret: Redacted.make(clientSecret) } as const
    const refused = OneRosterClient.validate({ baseUrl: "https://sis.example.org/ims/oneroster/rostering/v1p2/", auth: oauth1 })
    expect(Either.isLeft(refused)).toBe(true)
    const message = Either.isLeft(refused) ? refused.left.message : ""
    expect(message).toContain("bad configuration for auth.type")
    expect(message).toContain("OAuth 2 client credentials only")
    expect(message).not.toContain(clientSecret)
    const overridden = OneRosterClient.validate({ baseUrl: "https://sis.example.org/x/", version: "1.2", auth: oauth1 })
    expect(Either.isLeft(overridden)).toBe(true)
    const forced = OneRosterClient.validate({ baseUrl: "https://sis.example.org/ims/oneroster/rostering/v1p2/", auth: oauth1, allowOAuth1: true })
    expect(Either.isRight(forced)).toBe(true)
  })

  it.effect("asks for the roster-core.readonly scope by default; a configured scope replaces it", () =>
    Effect.gen(function* () {
      const { fake, tokenBodies } = serve()
      const { provider } = yield* build({ baseUrl: fake.baseUrl, auth: oauth2(), retry: fast })
      yield* collect(provider.users("teachers"))
      expect(tokenBodies.map((b) => b.get("scope"))).toStrictEqual(["https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"])

      const other = serve()
      const wide = yield* build({ baseUrl: other.fake.baseUrl, auth: oauth2("https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"), retry: fast })
      const error = yield* Effect.flip(collect(wide.provider.users("teachers")))
      expect(other.tokenBodies[0]?.get("scope")).toBe("https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly")
      expect(error._tag).toBe("AuthError")
    })
  )

  it.effect("forced OAuth 1.0a signs requests to a 1.2 server that still takes it", () =>
    Effect.gen(function* () {
      const { fake } = serve({ auth: { type: "oauth1", clientId, clientSecret } })
      const { provider } = yield* build({
        baseUrl: fake.baseUrl,
        auth: { type: "oauth1", clientId, clientSecret: Redacted.make(clientSecret) },
        allowOAuth1: true,
        retry: fast
      })
      const teachers = yield* collect(provider.users("teachers"))
      expect(teachers.length).toBe(Dataset.byKind(dataset, "teachers").length)
    })
  )

  it.effect("decodes roles[] users: role from the primary role, orgs from the roles, every 1.2 field kept", () =>
    Effect.gen(function* () {
      const { fake } = serve()
      const { client, provider } = yield* build({ baseUrl: fake.baseUrl, auth: oauth2(), retry: fast })
      expect(client.settings.version).toBe("1.2")
      const users = yield* collect(provider.entities("users"))
      expect(users.map((u) => u.sourcedId)).toStrictEqual(dataset.users.map((u) => u.sourcedId))
      const counselor = users.find((u) => u.sourcedId.startsWith("counselor-"))!
      expect(counselor.role).toBe("counselor")
      expect(Model.hasRole(counselor, "ext:mentor")).toBe(true)
      expect(counselor.pronouns).toBe("they/them")
      expect(counselor.primaryOrg?.sourcedId).toBe(counselor.orgs?.[0]?.sourcedId)
      // The parent-teacher is a teacher (its primary role) and holds the parent role too.
      const parentTeacher = users.find((u) => (u.roles ?? []).some((r) => r.role === "parent"))!
      expect(parentTeacher.role).toBe("teacher")
      // Written back as 1.2, the record is the server's.
      const raw = yield* client.request("users", { params: { limit: "1000" } })
      const sent = (raw.body as { users: ReadonlyArray<unknown> }).users
      const encoded = yield* Effect.forEach(users, (u) => Schema.encode(Model.UserV1p2)(u))
      expect(encoded).toStrictEqual(sent)
    })
  )

  it.effect("a teacher who is also a student appears once in a users query, and in both role queries", () =>
    Effect.gen(function* () {
      const { fake } = serve()
      const { provider } = yield* build({ baseUrl: fake.baseUrl, auth: oauth2(), retry: fast })
      const engine = yield* QueryEngine.make(provider)
      const run = (input: Query.QueryInput) => Effect.flatMap(Query.make(input), engine.run)
      const students = (yield* run({ role: "students" })).users.map((u) => u.sourcedId)
      const teachers = (yield* run({ role: "teachers" })).users.map((u) => u.sourcedId)
      const everyone = (yield* run({ role: "users" })).users.map((u) => u.sourcedId)
      const both = teachers.filter((id) => students.includes(id))
      expect(both.length).toBe(2)
      expect(everyone.length).toBe(new Set(everyone).size)
      expect(new Set(everyone)).toStrictEqual(new Set([...students, ...teachers]))
      // Aides and counselors hold neither role.
      expect(everyone.some((id) => id.startsWith("aide-") || id.startsWith("counselor-"))).toBe(false)
    })
  )

  it.effect("reads a 1.2 error body (a bare imsx_StatusInfo): its description, else its codeMinor", () =>
    Effect.gen(function* () {
      const { fake } = serve()
      const { provider } = yield* build({ baseUrl: fake.baseUrl, auth: oauth2(), retry: fast })
      const error = yield* Effect.flip(provider.get("classes", "no-such-class"))
      expect(error._tag).toBe("NotFound")
      expect(error.message).toContain("classes/no-such-class not found")
      expect(OneRosterClient.describeError(FakeOneRoster.statusInfo("server_busy", "slow down"))).toBe("slow down")
      const { imsx_description: _, ...bare } = FakeOneRoster.statusInfo("server_busy", "")
      expect(OneRosterClient.describeError(bare)).toBe("failure: server_busy")
    })
  )
})
