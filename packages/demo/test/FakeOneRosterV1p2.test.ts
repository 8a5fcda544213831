/**
 * The fake OneRoster 1.2 server: every answer validated against the 1.2 OpenAPI description
 * (1EdTech's rostering-openapi3.yaml, its component schemas run through ajv).
 */
import { describe, expect, it } from "@effect/vitest"
import { Ajv } from "ajv"
import { readFileSync } from "node:fs"
import { parse } from "yaml"
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as Faults from "@rosterkit/demo/Faults"

const spec = parse(readFileSync(new URL("./fixtures/rostering-openapi3.yaml", import.meta.url), "utf8")) as {
  readonly paths: Record<string, { readonly get: { readonly responses: Record<string, { readonly content?: { readonly "application/json": { readonly schema: { readonly $ref: string } } } }> } }>
}
// OpenAPI 3.0 schemas are JSON Schema draft-04/07 with extras: formats are not checked here
// (hrefs are relative in the fake), unknown keywords are tolerated.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true })
ajv.addSchema(spec as object, "openapi")

/** The schema of `status` for the spec path matching `path`'s shape. */
const validatorFor = (path: string, status: string) => {
  const segments = path.split("?")[0]!.split("/").filter((s) => s !== "")
  const template = Object.keys(spec.paths).find((p) => {
    const parts = p.split("/").filter((s) => s !== "")
    return parts.length === segments.length && parts.every((part, i) => part.startsWith("{") || part === segments[i])
  })
  if (template === undefined) throw new Error(`no 1.2 path for ${path}`)
  const ref = spec.paths[template]!.get.responses[status]?.content?.["application/json"].schema.$ref
  if (ref === undefined) throw new Error(`no ${status} response for ${template}`)
  return ajv.getSchema(`openapi${ref}`)!
}

const dataset = Dataset.v1p2(Dataset.generate({ seed: 12, schools: 2, studentsPerSchool: 10, teachersPerSchool: 2, classesPerTeacher: 2, studentsPerClass: 5 }))

const check = async (fake: FakeOneRoster.FakeServer, path: string, expectStatus = 200) => {
  const response = await fake.handle(new Request(`${fake.baseUrl}${path}`, { headers: { authorization: "Bearer t" } }))
  expect(response.status).toBe(expectStatus)
  const body = await response.json()
  const validate = validatorFor(path, String(expectStatus))
  const ok = validate(body)
  const problems = [...new Set((validate.errors ?? []).map((e) => `${path}: ${e.instancePath.replace(/\/\d+/g, "/n")} ${e.message} ${JSON.stringify(e.params)}`))]
  expect(ok ? [] : problems).toStrictEqual([])
  return body as Record<string, unknown>
}

describe("FakeOneRoster 1.2", () => {
  const fake = FakeOneRoster.make({ dataset, version: "1.2", auth: { type: "bearer", token: "t" } })
  const some = (kind: "users" | "classes" | "courses" | "schools" | "terms" | "orgs") =>
    Dataset.byKind(dataset, kind)[0]!.sourcedId

  it("serves at the 1.2 base path", () => {
    expect(fake.baseUrl).toBe("https://sis.test/ims/oneroster/rostering/v1p2")
  })

  it("every collection, single record and nested listing validates against the 1.2 schemas", async () => {
    for (const kind of ["users", "students", "teachers", "orgs", "schools", "classes", "courses", "enrollments", "academicSessions", "terms", "gradingPeriods", "demographics"]) {
      await check(fake, `/${kind}?limit=1000`)
    }
    const teacher = Dataset.byKind(dataset, "teachers")[0]!.sourcedId
    const student = Dataset.byKind(dataset, "students")[0]!.sourcedId
    const cls = Dataset.membersOf(dataset, "classes", some("classes"), "students").length > 0 ? some("classes") : some("classes")
    const school = some("schools")
    for (const path of [
      `/users/${teacher}`,
      `/students/${student}`,
      `/teachers/${teacher}`,
      `/classes/${cls}`,
      `/courses/${some("courses")}`,
      `/schools/${school}`,
      `/orgs/${some("orgs")}`,
      `/terms/${some("terms")}`,
      `/enrollments/${dataset.enrollments[0]!.sourcedId}`,
      `/academicSessions/${dataset.academicSessions[0]!.sourcedId}`,
      `/demographics/${dataset.demographics[0]!.sourcedId}`,
      `/classes/${cls}/students`,
      `/classes/${cls}/teachers`,
      `/courses/${some("courses")}/classes`,
      `/schools/${school}/classes`,
      `/schools/${school}/courses`,
      `/schools/${school}/enrollments`,
      `/schools/${school}/students`,
      `/schools/${school}/teachers`,
      `/schools/${school}/terms`,
      `/schools/${school}/classes/${Dataset.classesOfSchool(dataset, school)[0]!.sourcedId}/students`,
      `/users/${student}/classes`,
      `/students/${student}/classes`,
      `/teachers/${teacher}/classes`,
      `/terms/${some("terms")}/classes`
    ]) {
      await check(fake, path)
    }
  })

  it("writes users as roles[] with the 1.2 fields, and no role or orgs", async () => {
    const body = await check(fake, "/users?limit=1000")
    const users = body["users"] as ReadonlyArray<Record<string, unknown>>
    expect(users.every((u) => u["role"] === undefined && u["orgs"] === undefined && Array.isArray(u["roles"]))).toBe(true)
    const counselor = users.find((u) => String(u["sourcedId"]).startsWith("counselor-"))!
    const school = String(counselor["sourcedId"]).slice("counselor-".length)
    const org = { href: `${fake.baseUrl}/orgs/${school}`, sourcedId: school, type: "org" }
    expect(counselor["roles"]).toStrictEqual([
      { roleType: "primary", role: "counselor", org },
      { roleType: "secondary", role: "ext:mentor", org }
    ])
    expect(counselor["primaryOrg"]).toStrictEqual(org)
    expect(counselor["pronouns"]).toBe("they/them")
    // A teacher who is also a student somewhere is in both collections.
    const both = Dataset.byKind(dataset, "teachers").filter((t) => Dataset.byKind(dataset, "students").some((s) => s.sourcedId === t.sourcedId))
    expect(both.length).toBe(2)
  })

  it("answers errors with a 1.2 imsx_StatusInfo and its codeMinor", async () => {
    const missing = await check(fake, "/classes/nope", 404)
    expect(missing["imsx_codeMajor"]).toBe("failure")
    expect(JSON.stringify(missing["imsx_CodeMinor"])).toContain("unknownobject")
    const badFilter = await check(fake, "/users?filter=nonsense", 400)
    expect(JSON.stringify(badFilter["imsx_CodeMinor"])).toContain("invalid_filter_field")
    const unauthorised = await fake.handle(new Request(`${fake.baseUrl}/users`))
    expect(unauthorised.status).toBe(401)
    expect(validatorFor("/users", "401")(await unauthorised.json())).toBe(true)
    const faulty = FakeOneRoster.make({ dataset, version: "1.2", faults: [{ fault: Faults.serverError(500) }] })
    const fault = await faulty.handle(new Request(`${faulty.baseUrl}/users`))
    expect(fault.status).toBe(500)
    const faultBody = await fault.json()
    expect(validatorFor("/users", "500")(faultBody)).toBe(true)
    expect(JSON.stringify(faultBody)).toContain("internal_server_error")
  })
})
