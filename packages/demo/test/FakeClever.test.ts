import { describe, expect, it } from "@effect/vitest"
import * as Dataset from "@rosterkit/demo/Dataset"
import { demoDistrict } from "@rosterkit/demo/DemoDistrict"
import * as FakeClever from "@rosterkit/demo/FakeClever"
import * as Faults from "@rosterkit/demo/Faults"

const dataset = Dataset.generate({ seed: 5, schools: 2, studentsPerSchool: 15, teachersPerSchool: 2, classesPerTeacher: 2, studentsPerClass: 6 })
const auth = { Authorization: `Bearer ${FakeClever.defaultToken}` }

interface ListBody {
  readonly data: ReadonlyArray<{ readonly data: { readonly id: string } & Record<string, unknown>; readonly uri: string }>
  readonly links: ReadonlyArray<{ readonly rel: string; readonly uri: string }>
}

const get = async (fake: FakeClever.FakeServer, path: string, headers: Record<string, string> = auth) => {
  const response = await fake.handle(new Request(new URL(path, fake.baseUrl.replace(/\/v3\.0$/, "")), { headers }))
  return { response, body: (await response.json()) as ListBody & { readonly message?: string } }
}
const nextOf = (body: ListBody) => body.links.find((l) => l.rel === "next")?.uri

/** Follows the relative rel=next links from `path`. */
const pullAll = async (fake: FakeClever.FakeServer, path: string) => {
  const out: Array<string> = []
  let next: string | undefined = path
  let pages = 0
  while (next !== undefined) {
    const { response, body } = await get(fake, next)
    expect(response.status).toBe(200)
    out.push(...body.data.map((d) => d.data.id))
    next = nextOf(body)
    if (next !== undefined) expect(next.startsWith("/v3.0/")).toBe(true)
    pages++
  }
  return { ids: out, pages }
}

const ids = (records: ReadonlyArray<{ readonly sourcedId: string }>) => records.map((r) => r.sourcedId)

describe("FakeClever lists", () => {
  it("pages with relative next links (starting_after the last id) and none on the last page", async () => {
    const fake = FakeClever.make({ dataset })
    const students = ids(Dataset.byKind(dataset, "students"))
    const first = await get(fake, "/v3.0/users?role=student&limit=4")
    expect(first.body.data.map((d) => d.data.id)).toStrictEqual(students.slice(0, 4))
    expect(first.body.data[0]!.uri).toBe(`/v3.0/users/${students[0]}`)
    expect(first.body.links).toStrictEqual([
      { rel: "self", uri: "/v3.0/users?role=student&limit=4" },
      { rel: "next", uri: `/v3.0/users?limit=4&role=student&starting_after=${students[3]}` }
    ])
    const all = await pullAll(fake, "/v3.0/users?role=student&limit=4")
    expect(all.ids).toStrictEqual(students)
    expect(all.pages).toBe(Math.ceil(students.length / 4))
    const exact = await get(fake, `/v3.0/users?role=student&limit=${students.length}`)
    expect(nextOf(exact.body)).toBeUndefined()
  })

  it("defaults to 100 per page, answers 413 above 10000 and 400 to a bad limit", async () => {
    const fake = FakeClever.make({ dataset })
    const page = await get(fake, "/v3.0/users")
    expect(page.body.data).toHaveLength(Math.min(100, dataset.users.length))
    expect((await get(fake, "/v3.0/users?limit=10000")).response.status).toBe(200)
    const tooBig = await get(fake, "/v3.0/users?limit=10001")
    expect(tooBig.response.status).toBe(413)
    expect(tooBig.body.message).toMatch(/10000/)
    expect((await get(fake, "/v3.0/users?limit=zero")).response.status).toBe(400)
    expect((await get(fake, "/v3.0/users?role=pupil")).response.status).toBe(400)
  })

  it("filters users by role and lists every collection", async () => {
    const fake = FakeClever.make({ dataset })
    expect((await pullAll(fake, "/v3.0/users?role=teacher&limit=3")).ids).toStrictEqual(ids(Dataset.byKind(dataset, "teachers")))
    expect((await pullAll(fake, "/v3.0/users?limit=7")).ids).toStrictEqual(ids(dataset.users))
    expect((await pullAll(fake, "/v3.0/sections?limit=5")).ids).toStrictEqual(ids(dataset.classes))
    expect((await pullAll(fake, "/v3.0/schools")).ids).toStrictEqual(ids(Dataset.byKind(dataset, "schools")))
    expect((await pullAll(fake, "/v3.0/courses?limit=4")).ids).toStrictEqual(ids(dataset.courses))
    expect((await pullAll(fake, "/v3.0/terms")).ids).toStrictEqual(ids(Dataset.byKind(dataset, "terms")))
  })

  it("serves nested lists that agree with the Dataset helpers", async () => {
    const fake = FakeClever.make({ dataset })
    const cls = dataset.classes[2]!
    expect((await pullAll(fake, `/v3.0/sections/${cls.sourcedId}/users?role=student&limit=2`)).ids).toStrictEqual(
      ids(Dataset.membersOf(dataset, "classes", cls.sourcedId, "students"))
    )
    expect((await pullAll(fake, `/v3.0/sections/${cls.sourcedId}/users?role=teacher`)).ids).toStrictEqual(
      ids(Dataset.membersOf(dataset, "classes", cls.sourcedId, "teachers"))
    )
    const school = Dataset.byKind(dataset, "schools")[1]!
    expect((await pullAll(fake, `/v3.0/schools/${school.sourcedId}/users?role=student&limit=4`)).ids).toStrictEqual(
      ids(Dataset.membersOf(dataset, "schools", school.sourcedId, "students"))
    )
    expect((await pullAll(fake, `/v3.0/schools/${school.sourcedId}/sections`)).ids).toStrictEqual(ids(Dataset.classesOfSchool(dataset, school.sourcedId)))
    const course = dataset.courses[0]!
    expect((await pullAll(fake, `/v3.0/courses/${course.sourcedId}/sections`)).ids).toStrictEqual(ids(Dataset.classesOfCourse(dataset, course.sourcedId)))
  })

  it("serves single records and 404s unknown ones", async () => {
    const fake = FakeClever.make({ dataset })
    const user = dataset.users[0]!
    const one = await fake.handle(new Request(`${fake.baseUrl}/users/${user.sourcedId}`, { headers: auth }))
    expect(await one.json()).toStrictEqual({
      data: FakeClever.toCleverUser(dataset, user),
      links: [{ rel: "self", uri: `/v3.0/users/${user.sourcedId}` }]
    })
    const missing = await get(fake, "/v3.0/sections/nope")
    expect(missing.response.status).toBe(404)
    expect(typeof missing.body.message).toBe("string")
    expect((await get(fake, "/v3.0/sections/nope/users")).response.status).toBe(404)
    expect((await get(fake, "/v3.0/widgets")).response.status).toBe(404)
  })

  it("requires the bearer token (401 with a message)", async () => {
    const fake = FakeClever.make({ dataset, token: "district-token" })
    const denied = await get(fake, "/v3.0/users", {})
    expect(denied.response.status).toBe(401)
    expect(typeof denied.body.message).toBe("string")
    expect((await get(fake, "/v3.0/users", { Authorization: "Bearer wrong" })).response.status).toBe(401)
    expect((await get(fake, "/v3.0/users", { Authorization: "Bearer district-token" })).response.status).toBe(200)
    // authorize: the same check alone, nothing recorded
    const seen = fake.requests.length
    const request = (headers: Record<string, string>) => new Request(`${fake.baseUrl}/users`, { headers })
    expect(fake.authorize(request({ Authorization: "Bearer district-token" }))).toBeUndefined()
    expect(fake.authorize(request({ Authorization: "Bearer wrong" }))?.status).toBe(401)
    expect(fake.authorize(request({}))?.status).toBe(401)
    expect(fake.requests).toHaveLength(seen)
  })

  it("applies faults: 429 with X-RateLimit-Reset, reset, truncate; records every request", async () => {
    const fake = FakeClever.make({
      dataset,
      faults: [
        { fault: Faults.rateLimited({ resetEpochSeconds: 1_700_000_060 }), path: /\/users/, after: 1, times: 1 },
        { fault: Faults.reset(), path: /\/sections/ },
        { fault: Faults.truncate(), path: /\/schools/ }
      ]
    })
    expect((await get(fake, "/v3.0/users")).response.status).toBe(200)
    const limited = await get(fake, "/v3.0/users")
    expect(limited.response.status).toBe(429)
    expect(limited.response.headers.get("x-ratelimit-reset")).toBe("1700000060")
    expect(limited.body.message).toBeDefined()
    expect((await fake.handle(new Request(`${fake.baseUrl}/sections`, { headers: auth }))).type).toBe("error")
    const cut = await fake.handle(new Request(`${fake.baseUrl}/schools`, { headers: auth }))
    await expect(cut.json()).rejects.toThrow()
    expect(fake.requests).toHaveLength(4)
  })
})

describe("FakeClever mapping", () => {
  it("maps users per the v3.0 spec", () => {
    const billy = demoDistrict.users[0]!
    const clever = FakeClever.toCleverUser(demoDistrict, billy)
    expect(clever).toMatchObject({
      id: "18125",
      district: "1",
      email: "",
      name: { first: "BILLY", last: "FLORES", middle: "DASEAN" },
      roles: {
        student: {
          sis_id: "17580",
          student_number: "17580",
          grade: "11",
          school: "2",
          schools: ["2"],
          credentials: { district_username: "billy.flores" }
        }
      }
    })
    expect(clever.roles.teacher).toBeUndefined()
    const teacher = demoDistrict.users.find((u) => u.sourcedId === "9010")!
    expect(FakeClever.toCleverUser(demoDistrict, teacher).roles.teacher).toMatchObject({ school: "3", schools: ["3", "5"] })
  })

  it("maps sections, schools, courses and terms", () => {
    const section = FakeClever.toCleverSection(demoDistrict, demoDistrict.classes.find((c) => c.sourcedId === "31763")!)
    expect(section).toMatchObject({ id: "31763", name: "ELA 6 (6A ELA)", course: "4010", school: "7", teacher: "9005", teachers: ["9005"], term_id: "8001", grade: "6" })
    expect(section.students).toHaveLength(3)
    const school = FakeClever.toCleverSchool(demoDistrict, demoDistrict.orgs.find((o) => o.sourcedId === "2")!)
    expect(school).toMatchObject({ id: "2", name: "Classlink HS", district: "1", low_grade: "9", high_grade: "12" })
    expect(FakeClever.toCleverCourse(demoDistrict, demoDistrict.courses[0]!)).toStrictEqual({ id: "4001", district: "1", name: "Chemistry", number: "CHEM" })
    const term = demoDistrict.academicSessions.find((s) => s.sourcedId === "8001")!
    expect(FakeClever.toCleverTerm(demoDistrict, term)).toStrictEqual({
      id: "8001",
      district: "1",
      name: "Fall 2018",
      start_date: "2018-08-20T00:00:00.000Z",
      end_date: "2018-12-21T00:00:00.000Z"
    })
    expect(FakeClever.toCleverGrade("KG")).toBe("Kindergarten")
    expect(FakeClever.toCleverGrade("09")).toBe("9")
    expect(FakeClever.toCleverSubject("Art / Design")).toBe("arts and music")
  })

  it("serves the demo district: 139 students, 3 in section 31763", async () => {
    const fake = FakeClever.make({ dataset: demoDistrict })
    expect((await pullAll(fake, "/v3.0/users?role=student&limit=50")).ids).toHaveLength(139)
    expect((await pullAll(fake, "/v3.0/sections/31763/users?role=student")).ids).toHaveLength(3)
    expect((await pullAll(fake, "/v3.0/schools/7/users?role=student")).ids).toHaveLength(54)
  })
})
