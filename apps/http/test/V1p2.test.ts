/**
 * The OneRoster 1.2 read API (`/ims/oneroster/rostering/v1p2`), over real HTTP:
 *
 * 1. every answer (collections, records, nested listings, errors) validates against 1EdTech's
 *    1.2 OpenAPI description (its component schemas run through ajv, as the fake's 1.2 test
 *    does), behind a 1.1 SIS and behind a 1.2 SIS;
 * 2. behind a 1.2 SIS, the gateway's 1.2 answers are the SIS's own, record for record (hrefs
 *    point at the gateway instead of the SIS): users written exactly as the fake's 1.2 writer
 *    writes them;
 * 3. rosterkit's OneRoster provider in 1.2 mode (OAuth 2 client credentials against the
 *    gateway's /oauth/token) reads the same through the gateway as from the SIS directly;
 * 4. the provider conformance suite passes against the 1.2 prefix.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Dataset from "@rosterkit/demo/Dataset"
import { demoDistrict } from "@rosterkit/demo/DemoDistrict"
import * as FakeClever from "@rosterkit/demo/FakeClever"
import * as Faults from "@rosterkit/demo/Faults"
import * as Loopback from "@rosterkit/demo/Loopback"
import * as OneRosterProvider from "@rosterkit/oneroster/OneRosterProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import { Ajv } from "ajv"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { accessToken, gateway, scopedGatewayOver, signedGet, type Started, upstream, type Upstream, upstreamCredentials, upstreamV1p2 } from "./support.js"

// ---------------------------------------------------------------------------------------------
// The 1.2 OpenAPI description (the copy @rosterkit/demo's tests validate the fake with)

const spec = parse(readFileSync(new URL("../../../packages/demo/test/fixtures/rostering-openapi3.yaml", import.meta.url), "utf8")) as {
  readonly paths: Record<string, { readonly get: { readonly responses: Record<string, { readonly content?: { readonly "application/json": { readonly schema: { readonly $ref: string } } } }> } }>
}
// Formats are not checked (ajv-formats is not installed); unknown OpenAPI keywords are tolerated.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true })
ajv.addSchema(spec as object, "openapi")

/** The schema the spec gives for `status` on the path matching `path`'s shape ("default" when it names no such status). */
const validatorFor = (path: string, status: number) => {
  const segments = path.split("?")[0]!.split("/").filter((s) => s !== "")
  const template = Object.keys(spec.paths).find((p) => {
    const parts = p.split("/").filter((s) => s !== "")
    return parts.length === segments.length && parts.every((part, i) => part.startsWith("{") || part === segments[i])
  })
  if (template === undefined) throw new Error(`no 1.2 path for ${path}`)
  const responses = spec.paths[template]!.get.responses
  const ref = (responses[String(status)] ?? responses["default"])?.content?.["application/json"].schema.$ref
  if (ref === undefined) throw new Error(`no ${status} response for ${template}`)
  return ajv.getSchema(`openapi${ref}`)!
}

const prefix = "/ims/oneroster/rostering/v1p2"
const client = { id: "v1p2-client", secret: "v1p2-sécret & key" }

interface Served {
  readonly up: Upstream
  readonly gw: Started
  readonly token: string
}

const serve = async (up: Upstream): Promise<Served> => {
  const gw = await gateway({ config: { districts: { d: up.district }, gateway: { clients: [{ id: client.id, secret: client.secret }] } } })
  return { up, gw, token: await accessToken(`${gw.url}/oauth/token`, client.id, client.secret) }
}

const close = async (served: Served | undefined) => {
  await served?.gw.close()
  await served?.up.close()
}

/** GETs `path` under the 1.2 prefix, checks the status and validates the body against the spec. */
const check = async (served: Served, path: string, status = 200, headers: Record<string, string> = { authorization: `Bearer ${served.token}` }) => {
  const response = await fetch(`${served.gw.url}${prefix}${path}`, { headers })
  expect(response.status, path).toBe(status)
  const body = (await response.json()) as Record<string, unknown>
  const validate = validatorFor(path, status)
  const ok = validate(body)
  const problems = [...new Set((validate.errors ?? []).map((e) => `${path}: ${e.instancePath.replace(/\/\d+/g, "/n")} ${e.message} ${JSON.stringify(e.params)}`))]
  expect(ok ? [] : problems.slice(0, 10)).toStrictEqual([])
  return { body, response }
}

const codeMinor = (body: Record<string, unknown>) =>
  (body["imsx_CodeMinor"] as { imsx_codeMinorField: Array<{ imsx_codeMinorFieldValue: string }> }).imsx_codeMinorField[0]!.imsx_codeMinorFieldValue

const kinds = ["users", "students", "teachers", "orgs", "schools", "classes", "courses", "enrollments", "academicSessions", "terms", "gradingPeriods", "demographics"] as const

/** Every nested path of the spec, for records of `dataset`. */
const nestedPaths = (dataset: Dataset.Dataset): ReadonlyArray<string> => {
  const cls = dataset.classes.find((c) => Dataset.membersOf(dataset, "classes", c.sourcedId, "students").length > 0)!
  const school = cls.school!.sourcedId
  const teacher = Dataset.membersOf(dataset, "classes", cls.sourcedId, "teachers")[0]!.sourcedId
  const student = Dataset.membersOf(dataset, "classes", cls.sourcedId, "students")[0]!.sourcedId
  const term = cls.terms![0]!.sourcedId
  const course = cls.course!.sourcedId
  return [
    `/users/${teacher}`,
    `/students/${student}`,
    `/teachers/${teacher}`,
    `/classes/${cls.sourcedId}`,
    `/courses/${course}`,
    `/schools/${school}`,
    `/orgs/${school}`,
    `/terms/${term}`,
    `/academicSessions/${term}`,
    `/enrollments/${dataset.enrollments[0]!.sourcedId}`,
    `/classes/${cls.sourcedId}/students`,
    `/classes/${cls.sourcedId}/teachers`,
    `/courses/${course}/classes`,
    `/schools/${school}/classes`,
    `/schools/${school}/courses`,
    `/schools/${school}/enrollments`,
    `/schools/${school}/students`,
    `/schools/${school}/teachers`,
    `/schools/${school}/terms`,
    `/schools/${school}/classes/${cls.sourcedId}/enrollments`,
    `/schools/${school}/classes/${cls.sourcedId}/students`,
    `/schools/${school}/classes/${cls.sourcedId}/teachers`,
    `/users/${student}/classes`,
    `/students/${student}/classes`,
    `/teachers/${teacher}/classes`,
    `/terms/${term}/classes`,
    `/terms/${term}/gradingPeriods`
  ]
}

const v1p2Dataset = Dataset.v1p2(Dataset.generate({ seed: 12, schools: 2, studentsPerSchool: 25, teachersPerSchool: 3, classesPerTeacher: 2, studentsPerClass: 8 }))

// ---------------------------------------------------------------------------------------------
// 1. The spec

describe.each([
  ["a OneRoster 1.1 SIS (the demo district)", () => upstream(demoDistrict), demoDistrict],
  ["a OneRoster 1.2 SIS (roles[], aides, counselors)", () => upstreamV1p2(v1p2Dataset), v1p2Dataset]
] as const)("1.2 read API behind %s", (_, start, dataset) => {
  let served: Served
  beforeAll(async () => {
    served = await serve(await start())
  })
  afterAll(() => close(served))

  it("every collection, record and nested listing validates against the 1.2 OpenAPI description", async () => {
    for (const kind of kinds) {
      const { body, response } = await check(served, `/${kind}?limit=10000`)
      expect(Object.keys(body), kind).toStrictEqual([Model.envelopeKey[kind]])
      const expected = Dataset.byKind(dataset, kind)
      expect((body[Model.envelopeKey[kind]] as ReadonlyArray<{ sourcedId: string }>).map((r) => r.sourcedId), kind).toStrictEqual(expected.map((r) => r.sourcedId))
      expect(response.headers.get("x-total-count"), kind).toBe(String(expected.length))
    }
    for (const path of nestedPaths(dataset)) await check(served, path)
    // A record of every collection kind written with 1.2 references: an href on each.
    const { body } = await check(served, `/classes/${dataset.classes[0]!.sourcedId}`)
    const cls = body["class"] as { course: { href: string; sourcedId: string } }
    expect(cls.course.href).toBe(`${served.gw.url}${prefix}/courses/${encodeURIComponent(cls.course.sourcedId)}`)
  })

  it("users are written as roles[] (and primaryOrg …), never role or orgs, and no nulls", async () => {
    const { body } = await check(served, "/users?limit=10000")
    const users = body["users"] as ReadonlyArray<Record<string, unknown>>
    expect(users.every((u) => u["role"] === undefined && u["orgs"] === undefined && Array.isArray(u["roles"]) && (u["roles"] as Array<unknown>).length > 0)).toBe(true)
    expect(JSON.stringify(body)).not.toContain(":null")
    const held = dataset.users[0]!
    const first = users.find((u) => u["sourcedId"] === held.sourcedId)!
    expect((first["roles"] as ReadonlyArray<{ role: string; roleType: string; org: { sourcedId: string } }>).map((r) => [r.roleType, r.role, r.org.sourcedId])).toStrictEqual(
      Model.rolesOf(held).map((r) => [r.roleType, r.role, r.org.sourcedId])
    )
  })

  it("paging, filter, sort and fields as in 1.1; errors are bare imsx_StatusInfo objects with 1.2's codeMinor", async () => {
    const page = await check(served, "/users?limit=7&offset=7")
    expect((page.body["users"] as ReadonlyArray<unknown>).length).toBe(7)
    expect(page.response.headers.get("link")).toContain(`${served.gw.url}${prefix}/users?limit=7&offset=14>; rel="next"`)
    const teachers = await check(served, `/users?limit=10000&filter=${encodeURIComponent("role='teacher'")}&sort=familyName&orderBy=desc`)
    const names = (teachers.body["users"] as ReadonlyArray<{ familyName: string; roles: ReadonlyArray<{ role: string }> }>).map((u) => u.familyName)
    expect(names.length).toBe(dataset.users.filter((u) => u.role === "teacher").length)
    expect(names).toStrictEqual([...names].sort().reverse())
    // 1.2's roles[] can be filtered on, whatever version the SIS speaks.
    const byRoles = await check(served, `/users?limit=10000&filter=${encodeURIComponent("roles.role='teacher'")}`)
    expect((byRoles.body["users"] as ReadonlyArray<{ sourcedId: string }>).map((u) => u.sourcedId)).toStrictEqual(
      dataset.users.filter((u) => Model.rolesOf(u).some((r) => r.role === "teacher")).map((u) => u.sourcedId)
    )
    const some = await fetch(`${served.gw.url}${prefix}/users?fields=sourcedId,roles&limit=2`, { headers: { authorization: `Bearer ${served.token}` } })
    const projected = ((await some.json()) as { users: Array<Record<string, unknown>> }).users
    expect(Object.keys(projected[0]!).sort()).toStrictEqual(["roles", "sourcedId"])

    const errors: ReadonlyArray<readonly [string, number, string]> = [
      ["/users/no-such-user", 404, "unknownobject"],
      ["/classes/nope/students", 404, "unknownobject"],
      ["/users?filter=nonsense", 400, "invalid_filter_field"],
      ["/users?filter=shoeSize%3D%2742%27", 400, "invalid_filter_field"],
      ["/users?fields=shoeSize", 400, "invalid_selection_field"],
      ["/users?sort=shoeSize", 400, "invalid_selection_field"],
      ["/users?limit=0", 400, "invaliddata"],
      ["/users?orderBy=sideways", 400, "invaliddata"]
    ]
    for (const [path, status, minor] of errors) {
      const { body } = await check(served, path, status)
      expect(body["imsx_codeMajor"], path).toBe("failure")
      expect(codeMinor(body), path).toBe(minor)
    }
    const anonymous = await check(served, "/users", 401, {})
    expect(codeMinor(anonymous.body)).toBe("unauthorisedrequest")
    const unknownRoute = await fetch(`${served.gw.url}${prefix}/widgets/a/b/c/d`, { headers: { authorization: `Bearer ${served.token}` } })
    expect(unknownRoute.status).toBe(404)
    expect(codeMinor((await unknownRoute.json()) as Record<string, unknown>)).toBe("unknownobject")
  })

  it("takes OAuth 2 only: a request signed with OAuth 1.0a is refused (and still served under 1.1)", async () => {
    const url = `${served.gw.url}${prefix}/orgs`
    const refused = await signedGet(url, client.id, client.secret)
    expect(refused.status).toBe(401)
    const body = (await refused.json()) as Record<string, unknown>
    expect(validatorFor("/orgs", 401)(body)).toBe(true)
    expect(body["imsx_description"]).toContain("OAuth 2")
    expect(refused.headers.get("www-authenticate")).toContain("Bearer")
    expect((await signedGet(`${served.gw.url}/ims/oneroster/v1p1/orgs`, client.id, client.secret)).status).toBe(200)
  })
})

describe("1.2 read API behind Clever", () => {
  it("writes only 1.2's fields (Clever's own ones in metadata); what 1.2 requires and Clever does not give stays absent", async () => {
    const sis = await Loopback.serveFake((url) => FakeClever.make({ dataset: demoDistrict, baseUrl: `${url}/v3.0`, token: "clever-district-token" }))
    const gw = await gateway({
      config: { districts: { d: { provider: "clever", host: sis.fake.baseUrl, token: "clever-district-token" } }, gateway: { clients: [{ id: client.id, secret: client.secret }] } }
    })
    try {
      const token = await accessToken(`${gw.url}/oauth/token`, client.id, client.secret)
      const missing = new Set<string>()
      for (const kind of ["users", "students", "teachers", "orgs", "schools", "classes", "courses", "enrollments", "terms"]) {
        const response = await fetch(`${gw.url}${prefix}/${kind}?limit=10000`, { headers: { authorization: `Bearer ${token}` } })
        expect(response.status, kind).toBe(200)
        const validate = validatorFor(`/${kind}`, 200)
        validate(await response.json())
        const errors = validate.errors ?? []
        // Nothing but required fields Clever has no value for.
        expect(errors.filter((e) => e.keyword !== "required").map((e) => `${kind}: ${e.instancePath} ${e.message}`)).toStrictEqual([])
        for (const e of errors) missing.add(`${kind}.${(e.params as { missingProperty: string }).missingProperty}`)
      }
      expect([...missing].sort()).toStrictEqual(["courses.dateLastModified", "orgs.dateLastModified", "terms.dateLastModified", "terms.schoolYear"])
      const users = ((await (await fetch(`${gw.url}${prefix}/users?limit=3`, { headers: { authorization: `Bearer ${token}` } })).json()) as { users: Array<{ metadata?: Record<string, unknown> }> }).users
      expect(Object.keys(users[0]!.metadata ?? {})).toEqual(expect.arrayContaining(["id", "district"]))
    } finally {
      await gw.close()
      await sis.close()
    }
  })
})

describe("the API description", () => {
  it("/openapi.json (and so /docs) lists both versions, the 1.2 errors as imsx_StatusInfo with 1.2's codeMinor", async () => {
    const served = await serve(await upstream(demoDistrict))
    try {
      const document = (await (await fetch(`${served.gw.url}/openapi.json`)).json()) as {
        paths: Record<string, { get: { responses: Record<string, unknown> } }>
      }
      for (const path of ["/{collection}", "/{collection}/{sourcedId}", "/{collection}/{sourcedId}/{relation}", "/schools/{schoolId}/classes/{classId}/{relation}"]) {
        expect(Object.keys(document.paths)).toContain(`/ims/oneroster/v1p1${path}`)
        expect(Object.keys(document.paths)).toContain(`${prefix}${path}`)
      }
      const responses = document.paths[`${prefix}/{collection}`]!.get.responses
      expect(Object.keys(responses).sort()).toStrictEqual(["200", "400", "401", "404", "429", "502"])
      const badRequest = JSON.stringify(responses["400"])
      expect(badRequest).toContain("imsx_codeMajor")
      expect(badRequest).toContain("invaliddata")
      expect(badRequest).not.toContain("statusInfoSet")
      expect(JSON.stringify(document.paths["/ims/oneroster/v1p1/{collection}"]!.get.responses["400"])).toContain("statusInfoSet")
      const html = await (await fetch(`${served.gw.url}/docs`)).text()
      expect(html).toContain("openapi")
    } finally {
      await close(served)
    }
  })
})

describe("1.2 upstream failures", () => {
  it("a rate-limiting SIS is 429 server_busy with Retry-After; a failing one 502 internal_server_error (spec bodies)", async () => {
    const served = await serve(
      await upstream(demoDistrict, [
        { fault: { type: "status", status: 500 }, path: /\/classes/, times: 1000 },
        { fault: Faults.rateLimited({ retryAfterSeconds: 7 }), path: /\/courses/, times: 1000 }
      ])
    )
    try {
      const busy = await check(served, "/courses", 429)
      expect(busy.response.headers.get("retry-after")).toBe("7")
      expect(codeMinor(busy.body)).toBe("server_busy")
      const down = await check(served, "/classes", 502)
      expect(codeMinor(down.body)).toBe("internal_server_error")
      expect(JSON.stringify(down.body)).not.toContain(served.up.url)
    } finally {
      await close(served)
    }
  })
})

// ---------------------------------------------------------------------------------------------
// 2 and 3. The same answers as the SIS

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** A record with every href's base replaced by `to`, for comparing answers of two servers. */
const rebased = (value: unknown, from: string, to: string): unknown => JSON.parse(JSON.stringify(value).split(from).join(to))

describe("behind a 1.2 SIS", () => {
  let served: Served
  beforeAll(async () => {
    served = await serve(await upstreamV1p2(v1p2Dataset))
  })
  afterAll(() => close(served))

  it("answers every collection and nested listing exactly as the SIS does (hrefs pointing at the gateway)", async () => {
    const sisToken = await accessToken(`${served.up.url}/oauth2/token`, upstreamCredentials.clientId, upstreamCredentials.clientSecret)
    const gatewayBase = `${served.gw.url}${prefix}`
    for (const path of [...kinds.map((k) => `/${k}?limit=1000`), ...nestedPaths(v1p2Dataset).map((p) => `${p}${p.split("/").length > 3 ? "?limit=1000" : ""}`)]) {
      const direct = await fetch(`${served.up.baseUrl}${path}`, { headers: { authorization: `Bearer ${sisToken}` } })
      const via = await fetch(`${gatewayBase}${path}`, { headers: { authorization: `Bearer ${served.token}` } })
      expect(via.status, path).toBe(direct.status)
      expect(await via.json(), path).toStrictEqual(rebased(await direct.json(), served.up.baseUrl, gatewayBase))
    }
  })

  it("the 1.1 API serves the same SIS too, its hrefs pointing at the gateway, never at the SIS", async () => {
    for (const path of ["/users?limit=1000", "/classes?limit=1000", `/users/${v1p2Dataset.users.at(-1)!.sourcedId}`]) {
      const response = await fetch(`${served.gw.url}/ims/oneroster/v1p1${path}`, { headers: { authorization: `Bearer ${served.token}` } })
      expect(response.status, path).toBe(200)
      const text = await response.text()
      expect(text, path).not.toContain(served.up.url)
      expect(text, path).toContain(`"href":"${served.gw.url}/ims/oneroster/v1p1/orgs/`)
    }
  })

  it("rosterkit's provider in 1.2 mode reads the same through the gateway as from the SIS", async () => {
    const viaGateway = OneRosterProvider.layer({
      baseUrl: `${served.gw.url}${prefix}/`,
      auth: { type: "oauth2", clientId: client.id, clientSecret: Redacted.make(client.secret), tokenUrl: `${served.gw.url}/oauth/token` },
      pageSize: 40
    }).pipe(Layer.provide(FetchHttpClient.layer))
    const direct = OneRosterProvider.layer({
      baseUrl: `${served.up.baseUrl}/`,
      auth: {
        type: "oauth2",
        clientId: upstreamCredentials.clientId,
        clientSecret: Redacted.make(upstreamCredentials.clientSecret),
        tokenUrl: `${served.up.url}/oauth2/token`
      },
      pageSize: 40
    }).pipe(Layer.provide(FetchHttpClient.layer))
    const inputs: ReadonlyArray<Query.QueryInput> = [
      { role: "users" },
      { role: "students", group: "classes", name: v1p2Dataset.classes[0]!.title! },
      { role: "teachers", group: "schools", name: v1p2Dataset.orgs.find((o) => o.type === "school")!.name! },
      { role: "users", group: "courses", name: v1p2Dataset.courses[0]!.title! },
      { role: "students", group: "schools", name: v1p2Dataset.orgs.find((o) => o.type === "school")!.sourcedId, max: 9 }
    ]
    const run = (layer: Layer.Layer<RosterProvider.RosterProvider, unknown>) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const provider = yield* RosterProvider.RosterProvider
          const engine = yield* QueryEngine.make(provider)
          const answers: Array<unknown> = []
          for (const input of inputs) answers.push((yield* engine.run(yield* Query.make(input))).users.map((u) => u.sourcedId))
          for (const kind of Model.entityKinds) answers.push(yield* collect(provider.entities(kind)))
          answers.push(yield* collect(provider.members("classes", v1p2Dataset.classes[0]!.sourcedId, "students")))
          return answers
        }).pipe(Effect.provide(layer))
      )
    const [fromSis, fromGateway] = [await run(direct), await run(viaGateway)]
    expect(fromGateway).toStrictEqual(rebased(fromSis, served.up.baseUrl, `${served.gw.url}${prefix}`))
    expect((fromGateway[inputs.length] as ReadonlyArray<unknown>).length).toBe(v1p2Dataset.users.length)
  })
})

// ---------------------------------------------------------------------------------------------
// 4. The conformance suite, through the gateway's 1.2 prefix

Conformance.suite(
  "oneroster provider (1.2 mode) through the gateway's 1.2 prefix",
  (dataset, faults) =>
    Effect.gen(function* () {
      const running = yield* scopedGatewayOver(dataset, faults, client)
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(
          OneRosterProvider.layer({
            baseUrl: `${running.url}${prefix}/`,
            auth: { type: "oauth2", clientId: client.id, clientSecret: Redacted.make(client.secret), tokenUrl: `${running.url}/oauth/token` },
            pageSize: 25,
            retry: { retries: 3, baseDelay: "1 millis", maxDelay: "5 millis" }
          }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      // The roster requests the provider made to the gateway (its request log; token requests are POSTs).
      const requestCount = () => running.log.filter((line) => line.startsWith(`GET ${prefix}/`)).length
      return { provider, requestCount }
    }),
  {
    faults: true,
    skip: {
      auth: "an upstream 401 is the gateway's own misconfiguration: its clients get 502 (Apis.test.ts); their own 401s are above and in Gateway.test.ts",
      decode: "the gateway answers a malformed upstream body with 502; its clients never see that body"
    }
  }
)
