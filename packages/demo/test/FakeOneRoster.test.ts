import { describe, expect, it } from "@effect/vitest"
import type * as Model from "@rosterkit/core/Model"
import * as Dataset from "@rosterkit/demo/Dataset"
import { demoDistrict } from "@rosterkit/demo/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as Faults from "@rosterkit/demo/Faults"
import { authorization } from "./rfc5849.js"

const dataset = Dataset.generate({ seed: 3, schools: 2, studentsPerSchool: 20, teachersPerSchool: 2, classesPerTeacher: 3, studentsPerClass: 8 })
const base = FakeOneRoster.defaultBaseUrl

const get = async (fake: FakeOneRoster.FakeServer, path: string, headers: Record<string, string> = {}) => {
  const response = await fake.handle(new Request(`${fake.baseUrl}${path}`, { headers }))
  return { response, body: (await response.json()) as Record<string, unknown> }
}
const ids = (records: unknown) => (records as ReadonlyArray<{ sourcedId: string }>).map((r) => r.sourcedId)
const query = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`
const linkNext = (response: Response) => /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1]

/** The OneRoster 1.1 list envelope of each collection (written out, not taken from core). */
const envelope = (kind: Model.EntityKind) =>
  ({ users: "users", students: "users", teachers: "users", orgs: "orgs", schools: "orgs", classes: "classes", courses: "courses", enrollments: "enrollments", academicSessions: "academicSessions", terms: "academicSessions", gradingPeriods: "academicSessions", demographics: "demographics" })[kind]

/** Follows Link rel=next from `path` and collects every page's records. */
const pullAll = async (fake: FakeOneRoster.FakeServer, path: string, key: string) => {
  const out: Array<string> = []
  let url: string | undefined = `${fake.baseUrl}${path}`
  let pages = 0
  while (url !== undefined) {
    const response = await fake.handle(new Request(url))
    expect(response.status).toBe(200)
    out.push(...ids(((await response.json()) as Record<string, unknown>)[key]))
    const next = linkNext(response)
    url = next === undefined ? undefined : new URL(next, url).toString()
    pages++
  }
  return { ids: out, pages }
}

describe("FakeOneRoster collections", () => {
  it("lists every collection in its envelope, 100 by default", async () => {
    const fake = FakeOneRoster.make({ dataset })
    for (const kind of ["users", "students", "teachers", "orgs", "schools", "classes", "courses", "enrollments", "academicSessions", "terms", "gradingPeriods", "demographics"] as const) {
      const { response, body } = await get(fake, `/${kind}?limit=1000`)
      expect(response.status).toBe(200)
      expect(ids(body[envelope(kind)])).toStrictEqual(ids(Dataset.byKind(dataset, kind)))
      expect(response.headers.get("x-total-count")).toBe(String(Dataset.byKind(dataset, kind).length))
    }
    const { body } = await get(fake, "/enrollments")
    expect((body.enrollments as ReadonlyArray<unknown>).length).toBe(100)
  })

  it("pages with limit/offset, X-Total-Count and an absolute Link rel=next", async () => {
    const fake = FakeOneRoster.make({ dataset })
    const { response, body } = await get(fake, "/users?limit=5&offset=5")
    expect(ids(body.users)).toStrictEqual(ids(dataset.users.slice(5, 10)))
    expect(response.headers.get("x-total-count")).toBe(String(dataset.users.length))
    const last = Math.floor((dataset.users.length - 1) / 5) * 5
    expect(response.headers.get("link")).toBe(
      `<${base}/users?limit=5&offset=10>; rel="next", <${base}/users?limit=5&offset=${last}>; rel="last"`
    )
    const all = await pullAll(fake, "/users?limit=7", "users")
    expect(all.ids).toStrictEqual(ids(dataset.users))
    expect(all.pages).toBe(Math.ceil(dataset.users.length / 7))
    // The last page has no next link.
    const end = await get(fake, `/users?limit=5&offset=${last}`)
    expect(end.response.headers.get("link")).toBeNull()
  })

  it("silently clamps limit to maxLimit (the next link says the real page size)", async () => {
    const fake = FakeOneRoster.make({ dataset, maxLimit: 10 })
    const { response, body } = await get(fake, "/users?limit=50")
    expect(ids(body.users)).toHaveLength(10)
    expect(linkNext(response)).toBe(`${base}/users?limit=10&offset=10`)
  })

  it("sends relative links, or none, and no X-Total-Count when told", async () => {
    const relative = FakeOneRoster.make({ dataset, link: "relative" })
    const r = await get(relative, "/classes?limit=4")
    expect(linkNext(r.response)).toBe("/ims/oneroster/v1p1/classes?limit=4&offset=4")
    expect((await pullAll(relative, "/classes?limit=4", "classes")).ids).toStrictEqual(ids(dataset.classes))
    const bare = FakeOneRoster.make({ dataset, link: false, totalCount: false })
    const b = await get(bare, "/classes?limit=4")
    expect(b.response.headers.get("link")).toBeNull()
    expect(b.response.headers.get("x-total-count")).toBeNull()
  })

  it("rejects a limit or offset that is not a count", async () => {
    const fake = FakeOneRoster.make({ dataset })
    for (const path of ["/users?limit=abc", "/users?limit=0", "/users?offset=-1"]) {
      const { response, body } = await get(fake, path)
      expect(response.status).toBe(400)
      expect(body).toHaveProperty("statusInfoSet")
    }
  })

  it("filters with core Filter: apostrophes, spaces and non-ASCII values; the next link keeps the filter", async () => {
    const fake = FakeOneRoster.make({ dataset })
    const cases: ReadonlyArray<readonly [string, string, (r: Record<string, unknown>) => boolean]> = [
      ["classes", "title='O''Brien''s Homeroom'", (c) => c.title === "O'Brien's Homeroom"],
      ["classes", "title='Art / Design'", (c) => c.title === "Art / Design"],
      ["users", "givenName='Łukasz'", (u) => u.givenName === "Łukasz"],
      ["users", "familyName='李' OR givenName='Zoë'", (u) => u.familyName === "李" || u.givenName === "Zoë"],
      ["users", "role='student' AND givenName~'a'", (u) => u.role === "student" && String(u.givenName).toLowerCase().includes("a")],
      ["users", "dateLastModified>'2025-01-01'", (u) => String(u.dateLastModified) > "2025-01-01"]
    ]
    for (const [kind, filter, predicate] of cases) {
      const expected = ids((dataset[kind === "users" ? "users" : "classes"] as ReadonlyArray<Record<string, unknown>>).filter(predicate))
      expect(expected.length, filter).toBeGreaterThan(0)
      const all = await pullAll(fake, `/${kind}${query({ filter, limit: "3" })}`, kind)
      expect(all.ids, filter).toStrictEqual(expected)
    }
    // Next links are RFC 3986-encoded (%20, never "+"), so OAuth 1 signatures stay unambiguous.
    const { response } = await get(fake, `/classes${query({ filter: "title='Art / Design'", limit: "1" })}`)
    expect(linkNext(response)).toContain("filter=title%3D'Art%20%2F%20Design'")
    const bad = await get(fake, `/users${query({ filter: "givenName=Ann" })}`)
    expect(bad.response.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain("invalid_filter_field")
  })

  it("answers 400 to any filter when filter support is off", async () => {
    const fake = FakeOneRoster.make({ dataset, filter: false })
    const { response, body } = await get(fake, `/users${query({ filter: "role='student'" })}`)
    expect(response.status).toBe(400)
    expect(body).toMatchObject({ statusInfoSet: [{ imsx_codeMajor: "failure" }] })
  })

  it("honours fields, sort and orderBy", async () => {
    const fake = FakeOneRoster.make({ dataset })
    const { body } = await get(fake, "/users?fields=sourcedId,givenName&limit=3")
    expect(body.users).toStrictEqual(dataset.users.slice(0, 3).map((u) => ({ sourcedId: u.sourcedId, givenName: u.givenName })))
    const sorted = await get(fake, "/classes?sort=sourcedId&orderBy=desc&limit=1000")
    expect(ids(sorted.body.classes)).toStrictEqual(ids(dataset.classes).sort().reverse())
  })

  it("serves single records in their single envelope, and 404 statusInfoSet for unknown ids", async () => {
    const fake = FakeOneRoster.make({ dataset })
    const user = dataset.users[3]!
    expect((await get(fake, `/users/${user.sourcedId}`)).body).toStrictEqual({ user })
    expect((await get(fake, `/students/${user.sourcedId}`)).body).toStrictEqual({ user })
    expect((await get(fake, "/schools/school-1")).body.org).toMatchObject({ sourcedId: "school-1", type: "school" })
    expect((await get(fake, "/terms/term-2024-fall")).body.academicSession).toMatchObject({ title: "Fall 2024" })
    const teacher = Dataset.byKind(dataset, "teachers")[0]!
    const wrongKind = await get(fake, `/students/${teacher.sourcedId}`)
    expect(wrongKind.response.status).toBe(404)
    const missing = await get(fake, "/classes/no-such-class")
    expect(missing.response.status).toBe(404)
    expect(missing.body).toStrictEqual({
      statusInfoSet: [
        {
          imsx_codeMajor: "failure",
          imsx_severity: "error",
          imsx_description: "classes/no-such-class not found",
          imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: "TargetEndSystem", imsx_codeMinorFieldValue: "unknownobject" }] }
        }
      ]
    })
    expect((await get(fake, "/widgets")).response.status).toBe(404)
    expect((await get(fake, "/classes/class-1/widgets")).response.status).toBe(404)
  })
})


describe("FakeOneRoster nested endpoints", () => {
  const fake = FakeOneRoster.make({ dataset, defaultLimit: 1000 })
  const school = Dataset.byKind(dataset, "schools")[0]!
  const other = Dataset.byKind(dataset, "schools")[1]!

  it("agree with the Dataset helpers", async () => {
    for (const cls of dataset.classes.slice(0, 6)) {
      for (const role of ["students", "teachers"] as const) {
        expect(ids((await get(fake, `/classes/${cls.sourcedId}/${role}`)).body.users)).toStrictEqual(
          ids(Dataset.membersOf(dataset, "classes", cls.sourcedId, role))
        )
        expect(ids((await get(fake, `/schools/${cls.school!.sourcedId}/classes/${cls.sourcedId}/${role}`)).body.users)).toStrictEqual(
          ids(Dataset.membersOf(dataset, "classes", cls.sourcedId, role))
        )
      }
      expect(ids((await get(fake, `/schools/${cls.school!.sourcedId}/classes/${cls.sourcedId}/enrollments`)).body.enrollments)).toStrictEqual(
        ids(Dataset.enrollmentsOfClass(dataset, cls.sourcedId))
      )
    }
    for (const role of ["students", "teachers"] as const) {
      expect(ids((await get(fake, `/schools/${school.sourcedId}/${role}`)).body.users)).toStrictEqual(
        ids(Dataset.membersOf(dataset, "schools", school.sourcedId, role))
      )
    }
    const course = dataset.courses[0]!
    expect(ids((await get(fake, `/courses/${course.sourcedId}/classes`)).body.classes)).toStrictEqual(
      ids(Dataset.classesOfCourse(dataset, course.sourcedId))
    )
    expect(ids((await get(fake, `/schools/${school.sourcedId}/classes`)).body.classes)).toStrictEqual(ids(Dataset.classesOfSchool(dataset, school.sourcedId)))
    expect(ids((await get(fake, `/schools/${school.sourcedId}/courses`)).body.courses)).toStrictEqual(ids(Dataset.coursesOfSchool(dataset, school.sourcedId)))
    expect(ids((await get(fake, `/schools/${school.sourcedId}/enrollments`)).body.enrollments)).toStrictEqual(
      ids(Dataset.enrollmentsOfSchool(dataset, school.sourcedId))
    )
    expect(ids((await get(fake, `/schools/${school.sourcedId}/terms`)).body.academicSessions)).toStrictEqual(ids(Dataset.termsOfSchool(dataset, school.sourcedId)))
    const student = Dataset.byKind(dataset, "students")[0]!
    const teacher = Dataset.byKind(dataset, "teachers")[0]!
    expect(ids((await get(fake, `/students/${student.sourcedId}/classes`)).body.classes)).toStrictEqual(ids(Dataset.classesOfUser(dataset, student.sourcedId)))
    expect(ids((await get(fake, `/teachers/${teacher.sourcedId}/classes`)).body.classes)).toStrictEqual(ids(Dataset.classesOfUser(dataset, teacher.sourcedId)))
    expect(ids((await get(fake, `/users/${teacher.sourcedId}/classes`)).body.classes)).toStrictEqual(ids(Dataset.classesOfUser(dataset, teacher.sourcedId)))
    expect(ids((await get(fake, "/terms/term-2024-fall/classes")).body.classes)).toStrictEqual(ids(Dataset.classesOfTerm(dataset, "term-2024-fall")))
    expect(ids((await get(fake, "/terms/term-2024-fall/gradingPeriods")).body.academicSessions)).toStrictEqual(["gp-2024-q1", "gp-2024-q2"])
  })

  it("page and filter like the collections", async () => {
    const cls = dataset.classes[1]!
    const members = Dataset.membersOf(dataset, "classes", cls.sourcedId, "students")
    const { response, body } = await get(fake, `/classes/${cls.sourcedId}/students?limit=2&offset=2`)
    expect(ids(body.users)).toStrictEqual(ids(members.slice(2, 4)))
    expect(response.headers.get("x-total-count")).toBe(String(members.length))
  })

  it("404 an unknown parent, and a class under the wrong school", async () => {
    const cls = Dataset.classesOfSchool(dataset, school.sourcedId)[0]!
    const cases = [
      "/classes/nope/students",
      "/courses/nope/classes",
      "/schools/nope/students",
      `/schools/${other.sourcedId}/classes/${cls.sourcedId}/students`,
      `/students/${Dataset.byKind(dataset, "teachers")[0]!.sourcedId}/classes`,
      "/terms/gp-2024-q1/classes"
    ]
    for (const path of cases) {
      const { response, body } = await get(fake, path)
      expect(response.status, path).toBe(404)
      expect(JSON.stringify(body), path).toContain("unknownobject")
    }
  })

  it("answers the demo district's nested queries", async () => {
    const demo = FakeOneRoster.make({ dataset: demoDistrict })
    expect(ids((await get(demo, "/classes/31763/students")).body.users)).toHaveLength(3)
    expect((await get(demo, "/schools/2/students?limit=1000")).body.users).toHaveLength(38)
    expect((await get(demo, "/schools/7/students?limit=1000")).response.headers.get("x-total-count")).toBe("54")
  })
})

describe("FakeOneRoster auth", () => {
  const clientId = "client-ü"
  const clientSecret = "s3cret&'key"

  it("accepts OAuth 1.0a requests signed by an independent RFC 5849 signer (SHA-256 and SHA-1)", async () => {
    const fake = FakeOneRoster.make({ dataset, auth: { type: "oauth1", clientId, clientSecret } })
    for (const method of ["HMAC-SHA256", "HMAC-SHA1"] as const) {
      const url = `${base}/classes${query({ filter: "title='O''Brien''s Homeroom'", limit: "2", fields: "sourcedId,title" })}`
      const response = await fake.handle(new Request(url, { headers: { Authorization: authorization("GET", url, { clientId, clientSecret, method }) } }))
      expect(response.status, method).toBe(200)
      const body = (await response.json()) as { classes: ReadonlyArray<{ title: string }> }
      expect(body.classes[0]!.title).toBe("O'Brien's Homeroom")
    }
    // "+" in a query is a space (application/x-www-form-urlencoded), on both sides.
    const plus = `${base}/users?filter=givenName%3D'Mary+Ann'`
    const ok = await fake.handle(new Request(plus, { headers: { Authorization: authorization("GET", plus, { clientId, clientSecret }) } }))
    expect(ok.status).toBe(200)
  })

  it("rejects a tampered query, an unknown key, a missing header, a stale timestamp and a reused nonce with 401", async () => {
    const now = Date.parse("2025-01-01T00:00:00Z")
    const fake = FakeOneRoster.make({ dataset, auth: { type: "oauth1", clientId, clientSecret }, now: () => now })
    const url = `${base}/users?limit=5`
    const timestamp = now / 1000
    const status = async (requestUrl: string, header: string | undefined) =>
      (await fake.handle(new Request(requestUrl, header === undefined ? {} : { headers: { Authorization: header } }))).status
    const signed = authorization("GET", url, { clientId, clientSecret, timestamp, nonce: "n1" })
    expect(await status(`${base}/users?limit=500`, signed)).toBe(401)
    expect(await status(url, authorization("GET", url, { clientId: "other", clientSecret, timestamp }))).toBe(401)
    expect(await status(url, authorization("GET", url, { clientId, clientSecret: "wrong", timestamp }))).toBe(401)
    expect(await status(url, undefined)).toBe(401)
    expect(await status(url, authorization("GET", url, { clientId, clientSecret, timestamp: timestamp - 301 }))).toBe(401)
    expect(await status(url, authorization("GET", url, { clientId, clientSecret, timestamp: timestamp + 299 }))).toBe(200)
    expect(await status(url, signed)).toBe(200)
    expect(await status(url, signed)).toBe(401)
    const denied = await fake.handle(new Request(url))
    expect(denied.headers.get("www-authenticate")).toContain("OAuth")
    expect(await denied.json()).toMatchObject({ statusInfoSet: [{ imsx_codeMajor: "failure" }] })
  })

  it("authorize answers as handle would for the credentials alone, spends the nonce, and records nothing", async () => {
    const now = Date.parse("2025-01-01T00:00:00Z")
    const fake = FakeOneRoster.make({ dataset, auth: { type: "oauth1", clientId, clientSecret }, now: () => now })
    const url = `${base}/users?limit=5`
    const signed = authorization("GET", url, { clientId, clientSecret, timestamp: now / 1000, nonce: "a1" })
    expect(fake.authorize(new Request(url, { headers: { Authorization: signed } }))).toBeUndefined()
    const again = fake.authorize(new Request(url, { headers: { Authorization: signed } }))
    expect(again?.status).toBe(401)
    expect(again?.headers.get("www-authenticate")).toContain("OAuth")
    expect(fake.authorize(new Request(url))?.status).toBe(401)
    expect(fake.requests).toHaveLength(0)
    expect((await fake.handle(new Request(url, { headers: { Authorization: signed } }))).status).toBe(401)
  })

  it("issues OAuth 2 client-credentials tokens (Basic or body) that expire on the injected clock", async () => {
    let now = 1_000_000
    const tokenUrl = "https://auth.sis.test/oauth/token"
    const fake = FakeOneRoster.make({
      dataset,
      auth: { type: "oauth2", clientId, clientSecret, tokenUrl, tokenTtlSeconds: 60, scope: "roster-core.readonly" },
      now: () => now
    })
    expect(fake.origins).toStrictEqual(["https://sis.test", "https://auth.sis.test"])
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`
    const token = async (init: RequestInit) => {
      const response = await fake.handle(new Request(tokenUrl, { method: "POST", ...init }))
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    const viaBasic = await token({ headers: { Authorization: basic, "Content-Type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials" })
    expect(viaBasic.status).toBe(200)
    expect(viaBasic.body).toMatchObject({ token_type: "bearer", expires_in: 60, scope: "roster-core.readonly" })
    const viaBody = await token({ body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }) })
    expect(viaBody.status).toBe(200)
    expect((await token({ body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: "x" }) })).status).toBe(401)
    expect((await token({ body: new URLSearchParams({ grant_type: "password" }) })).status).toBe(400)
    expect((await token({ headers: { Authorization: basic }, body: new URLSearchParams({ grant_type: "client_credentials", scope: "admin" }) })).status).toBe(400)

    const access = String(viaBasic.body.access_token)
    const bearer = { Authorization: `Bearer ${access}` }
    expect((await get(fake, "/users?limit=1", bearer)).response.status).toBe(200)
    now += 59_000
    expect((await get(fake, "/users?limit=1", bearer)).response.status).toBe(200)
    now += 1_000
    const expired = await get(fake, "/users?limit=1", bearer)
    expect(expired.response.status).toBe(401)
    expect(expired.response.headers.get("www-authenticate")).toContain("invalid_token")
    expect((await get(fake, "/users?limit=1", { Authorization: "Bearer made-up" })).response.status).toBe(401)
    expect((await get(fake, "/users?limit=1")).response.status).toBe(401)
    // Requests are recorded in order, the token endpoint included.
    expect(fake.requests[0]).toStrictEqual({ method: "POST", url: tokenUrl })
    expect(fake.requests.at(-1)).toStrictEqual({ method: "GET", url: `${base}/users?limit=1` })
  })

  it("checks a static bearer token", async () => {
    const fake = FakeOneRoster.make({ dataset, auth: { type: "bearer", token: "t0k3n" } })
    expect((await get(fake, "/orgs", { Authorization: "Bearer t0k3n" })).response.status).toBe(200)
    expect((await get(fake, "/orgs", { Authorization: "Bearer nope" })).response.status).toBe(401)
  })
})

describe("FakeOneRoster faults and headers", () => {
  it("applies faults after recording the request: 429 with headers, reset, truncate", async () => {
    const fake = FakeOneRoster.make({
      dataset,
      faults: [
        { fault: Faults.rateLimited({ retryAfterSeconds: 1 }), path: /\/users/, after: 1 },
        { fault: Faults.reset(), path: /\/classes/ },
        { fault: Faults.truncate(), path: /\/courses/ }
      ]
    })
    expect((await get(fake, "/users")).response.status).toBe(200)
    const limited = await get(fake, "/users")
    expect(limited.response.status).toBe(429)
    expect(limited.response.headers.get("retry-after")).toBe("1")
    expect(JSON.stringify(limited.body)).toContain("statusInfoSet")
    expect((await get(fake, "/users")).response.status).toBe(200)
    expect((await fake.handle(new Request(`${base}/classes`))).type).toBe("error")
    const cut = await fake.handle(new Request(`${base}/courses`))
    expect(cut.status).toBe(200)
    await expect(cut.text()).rejects.toThrow()
    expect(fake.requests.map((r) => new URL(r.url).pathname.split("/").pop())).toStrictEqual(["users", "users", "users", "classes", "courses"])
  })

  it("sends X-Perm-Rev per request", async () => {
    const fake = FakeOneRoster.make({ dataset, permRev: (i) => (i < 2 ? "rev-1" : "rev-2") })
    const revs = []
    for (let i = 0; i < 3; i++) revs.push((await get(fake, "/users?limit=2")).response.headers.get("x-perm-rev"))
    expect(revs).toStrictEqual(["rev-1", "rev-1", "rev-2"])
  })
})
