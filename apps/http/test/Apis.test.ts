/**
 * The query API and the OneRoster 1.1 read API over real HTTP, against the demo district behind
 * an upstream OneRoster server: answers equal the dataset's, paging/filter/sort/fields follow the
 * spec, bad parameters are 400s naming them (a filter fuzz never gives a 500), upstream failures
 * are 502 / 503, identical requests share one upstream pull, and shutdown finishes requests.
 */
import * as Dataset from "@rosterkit/demo/Dataset"
import { demoDistrict } from "@rosterkit/demo/DemoDistrict"
import * as Faults from "@rosterkit/demo/Faults"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bearerGet, codeMinorOf, descriptionOf, gateway, type Started, upstream, type Upstream } from "./support.js"

const key = "apis-test-key"
let up: Upstream
let gw: Started

beforeAll(async () => {
  up = await upstream(demoDistrict)
  gw = await gateway({ config: { districts: { demo: up.district }, gateway: { clients: [{ id: "tests", token: key }] } } })
})

afterAll(async () => {
  await gw?.close()
  await up?.close()
})

const get = (path: string, headers: Record<string, string> = {}) => bearerGet(`${gw.url}${path}`, key, headers)
const or = (path: string, headers: Record<string, string> = {}) => get(`/ims/oneroster/v1p1${path}`, headers)
const ids = (records: ReadonlyArray<{ readonly sourcedId: string }>) => records.map((r) => r.sourcedId)
const sorted = (values: ReadonlyArray<string>) => [...values].sort()

type Users = Array<{ sourcedId: string; role: string; familyName?: string }>

describe("query API", () => {
  it("GET /v1/users: the members of a class, as the dataset says", async () => {
    const response = await get(`/v1/users?group=classes&name=${encodeURIComponent("ELA 6 (6A ELA)")}`)
    expect(response.status).toBe(200)
    const classes = demoDistrict.classes.filter((c) => c.title === "ELA 6 (6A ELA)")
    expect(response.headers.get("x-rosterkit-groups-matched")).toBe(String(classes.length))
    const expected = new Set(classes.flatMap((c) => ids(Dataset.membersOf(demoDistrict, "classes", c.sourcedId, "students"))))
    expect(sorted(ids((await response.json()) as Users))).toEqual(sorted([...expected]))
  })

  it("role, group=schools, matchOn and max", async () => {
    const teachers = (await (await get("/v1/users?role=teachers&group=schools&name=7")).json()) as Users
    expect(sorted(ids(teachers))).toEqual(sorted(ids(Dataset.membersOf(demoDistrict, "schools", "7", "teachers"))))
    const some = (await (await get("/v1/users?role=users&max=5")).json()) as Users
    expect(some).toHaveLength(5)
    const byLocation = (await (await get("/v1/users?group=classes&name=302&matchOn=location")).json()) as Users
    expect(byLocation.length).toBe(13)
  })

  it("streams NDJSON when asked", async () => {
    const response = await get("/v1/users?role=teachers", { accept: "application/x-ndjson" })
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toContain("application/x-ndjson")
    const lines = (await response.text()).trimEnd().split("\n")
    const teachers = demoDistrict.users.filter((u) => u.role === "teacher")
    expect(lines.map((l) => (JSON.parse(l) as { sourcedId: string }).sourcedId)).toEqual(ids(teachers))
  })

  it("a group that matches nothing: 200 [] and the closest names", async () => {
    const response = await get(`/v1/users?group=classes&name=${encodeURIComponent("ELA 6 (6Z ELA)")}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual([])
    expect(response.headers.get("x-rosterkit-groups-matched")).toBe("0")
    const suggestions = response.headers.get("x-rosterkit-suggestions")!.split(", ").map(decodeURIComponent)
    expect(suggestions).toContain("ELA 6 (6A ELA)")
  })

  it("GET /v1/{entity} with filter and since", async () => {
    const classes = (await (await get(`/v1/classes?filter=${encodeURIComponent("school.sourcedId='7'")}`)).json()) as Users
    expect(ids(classes)).toEqual(ids(Dataset.classesOfSchool(demoDistrict, "7")))
    const since = "2019-05-01T00:00:00.000Z"
    const delta = (await (await get(`/v1/students?since=${encodeURIComponent(since)}`)).json()) as Users
    expect(ids(delta)).toEqual(ids(demoDistrict.users.filter((u) => u.role === "student" && (u.dateLastModified ?? "") > since)))
  })

  it("bad parameters are 400s naming the parameter", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["/v1/users?role=admins", "role"],
      ["/v1/users?group=districts&name=x", "group"],
      ["/v1/users?group=classes", "name"],
      ["/v1/users?max=abc", "max"],
      ["/v1/users?max=0", "max"],
      ["/v1/users?name=x", "group"],
      ["/v1/users?group=classes&name=x&matchOn=a%20b", "matchOn"],
      ["/v1/classes?filter=nope", "filter"],
      ["/v1/classes?filter=nosuchfield%3D%27x%27", "filter"],
      ["/v1/students?since=yesterday", "since"]
    ]
    for (const [path, parameter] of cases) {
      const response = await get(path)
      expect(response.status, path).toBe(400)
      expect(descriptionOf(await response.json()), path).toContain(`invalid ${parameter}`)
    }
    const unknown = await get("/v1/widgets")
    expect(unknown.status).toBe(404)
  })
})

describe("OneRoster 1.1 read API", () => {
  it("every collection, in a spec envelope, with X-Total-Count", async () => {
    const kinds = ["users", "students", "teachers", "orgs", "schools", "classes", "courses", "enrollments", "academicSessions", "terms", "gradingPeriods", "demographics"] as const
    const envelope = { users: "users", students: "users", teachers: "users", orgs: "orgs", schools: "orgs", classes: "classes", courses: "courses", enrollments: "enrollments", academicSessions: "academicSessions", terms: "academicSessions", gradingPeriods: "academicSessions", demographics: "demographics" }
    for (const kind of kinds) {
      const response = await or(`/${kind}?limit=10000`)
      expect(response.status, kind).toBe(200)
      const body = (await response.json()) as Record<string, Users>
      expect(Object.keys(body), kind).toEqual([envelope[kind]])
      expect(ids(Object.values(body)[0]!), kind).toEqual(ids(Dataset.byKind(demoDistrict, kind)))
      expect(response.headers.get("x-total-count"), kind).toBe(String(Dataset.byKind(demoDistrict, kind).length))
    }
  })

  it("limit/offset paging with Link next, prev, first, last (absolute URLs) that walk the whole collection", async () => {
    const seen: Array<string> = []
    let url: string | undefined = `${gw.url}/ims/oneroster/v1p1/users?limit=40`
    let pages = 0
    while (url !== undefined) {
      const response = await bearerGet(url, key)
      expect(response.status).toBe(200)
      seen.push(...ids(((await response.json()) as { users: Users }).users))
      const link = response.headers.get("link")!
      const rels = Object.fromEntries([...link.matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)].map((m) => [m[2], m[1]]))
      expect(rels["first"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ims\/oneroster\/v1p1\/users\?limit=40&offset=0$/)
      expect(rels["last"]).toContain("offset=120")
      if (pages > 0) expect(rels["prev"]).toContain(`offset=${(pages - 1) * 40}`)
      url = rels["next"]
      pages++
    }
    expect(pages).toBe(4)
    expect(seen).toEqual(ids(demoDistrict.users))
  })

  it("filter, sort + orderBy, fields", async () => {
    const filtered = (await (await or(`/users?filter=${encodeURIComponent("role='teacher' AND familyName~'o'")}`)).json()) as { users: Users }
    expect(ids(filtered.users)).toEqual(ids(demoDistrict.users.filter((u) => u.role === "teacher" && (u.familyName ?? "").toLowerCase().includes("o"))))
    const desc = (await (await or("/teachers?sort=familyName&orderBy=desc&fields=sourcedId,familyName")).json()) as { users: Users }
    const names = desc.users.map((u) => u.familyName!)
    expect(names).toEqual([...names].sort().reverse())
    expect(Object.keys(desc.users[0]!).sort()).toEqual(["familyName", "sourcedId"])
  })

  it("a record by sourcedId, with fields; an unknown one is 404 unknownobject", async () => {
    const one = (await (await or("/classes/31763?fields=sourcedId,title")).json()) as Record<string, unknown>
    expect(one).toEqual({ class: { sourcedId: "31763", title: demoDistrict.classes.find((c) => c.sourcedId === "31763")!.title } })
    const school = (await (await or("/schools/7")).json()) as Record<string, unknown>
    expect(Object.keys(school)).toEqual(["org"])
    const missing = await or("/users/no-such-user")
    expect(missing.status).toBe(404)
    expect(codeMinorOf(await missing.json())).toBe("unknownobject")
  })

  it("nested endpoints answer what the dataset says", async () => {
    const d = demoDistrict
    const cls = d.classes.find((c) => c.sourcedId === "31763")!
    const school = cls.school!.sourcedId
    const term = d.academicSessions.find((s) => s.type === "term")!
    const teacher = d.users.find((u) => u.role === "teacher")!
    const course = d.courses[0]!
    const expectations: ReadonlyArray<readonly [string, string, ReadonlyArray<{ sourcedId: string }>]> = [
      ["/classes/31763/students", "users", Dataset.membersOf(d, "classes", "31763", "students")],
      ["/classes/31763/teachers", "users", Dataset.membersOf(d, "classes", "31763", "teachers")],
      [`/courses/${course.sourcedId}/classes`, "classes", Dataset.classesOfCourse(d, course.sourcedId)],
      [`/schools/${school}/classes`, "classes", Dataset.classesOfSchool(d, school)],
      [`/schools/${school}/courses`, "courses", Dataset.coursesOfSchool(d, school)],
      [`/schools/${school}/enrollments`, "enrollments", Dataset.enrollmentsOfSchool(d, school)],
      [`/schools/${school}/students`, "users", Dataset.membersOf(d, "schools", school, "students")],
      [`/schools/${school}/teachers`, "users", Dataset.membersOf(d, "schools", school, "teachers")],
      [`/schools/${school}/terms`, "academicSessions", Dataset.termsOfSchool(d, school)],
      [`/schools/${school}/classes/31763/enrollments`, "enrollments", Dataset.enrollmentsOfClass(d, "31763")],
      [`/schools/${school}/classes/31763/students`, "users", Dataset.membersOf(d, "classes", "31763", "students")],
      [`/schools/${school}/classes/31763/teachers`, "users", Dataset.membersOf(d, "classes", "31763", "teachers")],
      [`/teachers/${teacher.sourcedId}/classes`, "classes", Dataset.classesOfUser(d, teacher.sourcedId)],
      [`/users/${teacher.sourcedId}/classes`, "classes", Dataset.classesOfUser(d, teacher.sourcedId)],
      [`/terms/${term.sourcedId}/classes`, "classes", Dataset.classesOfTerm(d, term.sourcedId)],
      [`/terms/${term.sourcedId}/gradingPeriods`, "academicSessions", Dataset.gradingPeriodsOfTerm(d, term.sourcedId)]
    ]
    for (const [path, envelope, expected] of expectations) {
      const response = await or(`${path}?limit=10000`)
      expect(response.status, path).toBe(200)
      const body = (await response.json()) as Record<string, Users>
      expect(Object.keys(body), path).toEqual([envelope])
      expect(sorted(ids(body[envelope]!)), path).toEqual(sorted(ids(expected)))
    }
    for (const path of ["/classes/nope/students", "/schools/nope/classes", "/schools/999/classes/31763/students", "/classes/31763/courses"]) {
      const response = await or(path)
      expect(response.status, path).toBe(404)
      expect(codeMinorOf(await response.json()), path).toBe("unknownobject")
    }
  })

  it("bad parameters: 400 with the spec's codeMinor", async () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ["/users?filter=nope", "invalid_filter_field", "filter"],
      ["/users?filter=shoeSize%3D%2742%27", "invalid_filter_field", "filter"],
      ["/users?fields=sourcedId,shoeSize", "invalid_selection_field", "fields"],
      ["/users?sort=shoeSize", "invalid_selection_field", "sort"],
      ["/users?orderBy=sideways", "invalid_data", "orderBy"],
      ["/users?limit=0", "invalid_data", "limit"],
      ["/users?limit=ten", "invalid_data", "limit"],
      ["/users?offset=-1", "invalid_data", "offset"],
      ["/users/18163?fields=nope", "invalid_selection_field", "fields"]
    ]
    for (const [path, codeMinor, parameter] of cases) {
      const response = await or(path)
      expect(response.status, path).toBe(400)
      const body = await response.json()
      expect(codeMinorOf(body), path).toBe(codeMinor)
      expect(descriptionOf(body), path).toContain(`invalid ${parameter}`)
    }
  })

  it("filter fuzz: random parameters never give a 500", async () => {
    // A deterministic PRNG (mulberry32).
    let seed = 20261130
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    const alphabet = ["'", "=", "!", "<", ">", "~", " ", "AND", "OR", "role", "sourcedId", ".", "%", "\\", "\u00e9", "\u0000", "(", ")", "''", "a", "1", "&", "#", "+", "\ud83d\ude00", "familyName", ","]
    const noise = () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("")
    const statuses = new Set<number>()
    for (let i = 0; i < 150; i++) {
      const param = ["filter", "sort", "fields", "orderBy", "limit", "offset"][i % 6]!
      const path = i % 2 === 0 ? "/ims/oneroster/v1p1/users" : i % 3 === 0 ? "/v1/classes" : "/ims/oneroster/v1p1/classes/31763/students"
      const response = await get(`${path}?${param}=${encodeURIComponent(noise())}`)
      statuses.add(response.status)
      expect(response.status, `${path} ${param}`).toBeLessThan(500)
      await response.arrayBuffer()
    }
    expect([...statuses].every((s) => s === 200 || s === 400)).toBe(true)
  })
})

describe("malformed requests", () => {
  it("odd paths and encodings are 4xx, never 500", async () => {
    const paths = [
      "/ims/oneroster/v1p1/users/%E0%A4%A",
      "/ims/oneroster/v1p1/users/%",
      "/ims/oneroster/v1p1/%ZZ",
      "/v1/users?role=%",
      "/v1/users?role=students&role=teachers",
      "/ims/oneroster/v1p1/users?limit=5&limit=6",
      "/ims/oneroster/v1p1/users?filter=%27%27%27",
      "/ims/oneroster/v1p1/users?offset=99999999999999999999",
      "/ims/oneroster/v1p1/users?limit=100000",
      "/ims/oneroster/v1p1//users",
      "/ims/oneroster/v1p1/users/../orgs",
      "/v1/users?max=1e3"
    ]
    for (const path of paths) {
      const response = await get(path)
      expect(response.status, path).toBeLessThan(500)
      await response.arrayBuffer()
    }
    const post = await fetch(`${gw.url}/ims/oneroster/v1p1/users`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: "{}" })
    expect(post.status).toBe(404)
  })
})

describe("upstream failures", () => {
  it("upstream down -> 502, upstream rate-limited -> 503 with Retry-After, statusInfoSet bodies", async () => {
    const failing = await upstream(demoDistrict, [
      { fault: { type: "status", status: 500 }, path: /\/classes/, times: 1000 },
      { fault: Faults.rateLimited({ retryAfterSeconds: 7 }), path: /\/courses/, times: 1000 }
    ])
    const local = await gateway({ config: { districts: { d: failing.district }, gateway: { clients: [{ id: "t", token: key }] } } })
    try {
      const down = await bearerGet(`${local.url}/ims/oneroster/v1p1/classes`, key)
      expect(down.status).toBe(502)
      const downBody = await down.json()
      expect(codeMinorOf(downBody)).toBe("internal_server_error")
      expect(JSON.stringify(downBody)).not.toContain(failing.url)
      const busy = await bearerGet(`${local.url}/ims/oneroster/v1p1/courses`, key)
      expect(busy.status).toBe(503)
      expect(busy.headers.get("retry-after")).toBe("7")
      expect(codeMinorOf(await busy.json())).toBe("server_busy")
      const query = await bearerGet(`${local.url}/v1/users?group=classes&name=x`, key)
      expect(query.status).toBe(502)
      // A failure is not cached: the next request asks the upstream again.
      const before = failing.fake.requests.length
      await (await bearerGet(`${local.url}/ims/oneroster/v1p1/classes`, key)).arrayBuffer()
      expect(failing.fake.requests.length).toBeGreaterThan(before)
      // An unreachable upstream.
      await failing.close()
      const gone = await bearerGet(`${local.url}/ims/oneroster/v1p1/orgs`, key)
      expect(gone.status).toBe(502)
    } finally {
      await local.close()
      await failing.close().catch(() => undefined)
    }
  })
})

describe("cache", () => {
  it("a burst of identical requests makes one upstream pull, then answers from the cache", async () => {
    const slow = await upstream(demoDistrict, [{ fault: { type: "delay", millis: 300 }, path: /\/enrollments/, times: 1 }])
    const local = await gateway({ config: { districts: { d: slow.district }, gateway: { clients: [{ id: "t", token: key }] } } })
    try {
      const enrollmentRequests = () => slow.fake.requests.filter((r) => r.url.includes("/enrollments")).length
      const burst = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          bearerGet(`${local.url}/ims/oneroster/v1p1/enrollments?limit=${i + 1}`, key, i % 2 === 0 ? {} : { accept: "application/x-ndjson" }).then((r) => r.status)
        )
      )
      expect(burst.every((s) => s === 200)).toBe(true)
      const pages = Math.ceil(demoDistrict.enrollments.length / 50)
      expect(enrollmentRequests()).toBe(pages)
      await (await bearerGet(`${local.url}/ims/oneroster/v1p1/enrollments?offset=3`, key)).arrayBuffer()
      expect(enrollmentRequests()).toBe(pages)
      // The same for the query API, NDJSON included.
      const before = slow.fake.requests.length
      await Promise.all(
        Array.from({ length: 10 }, () => bearerGet(`${local.url}/v1/users?role=teachers`, key, { accept: "application/x-ndjson" }).then((r) => r.text()))
      )
      const pulled = slow.fake.requests.length - before
      await Promise.all(Array.from({ length: 10 }, () => bearerGet(`${local.url}/v1/users?role=teachers`, key).then((r) => r.text())))
      expect(slow.fake.requests.length - before).toBe(pulled)
      expect(pulled).toBe(Math.ceil(demoDistrict.users.filter((u) => u.role === "teacher").length / 50))
    } finally {
      await local.close()
      await slow.close()
    }
  })

  it("cacheTtl 0 asks the upstream every time", async () => {
    const plain = await upstream(demoDistrict)
    const local = await gateway({ config: { districts: { d: plain.district }, gateway: { clients: [{ id: "t", token: key }], cacheTtl: 0 } } })
    try {
      await (await bearerGet(`${local.url}/ims/oneroster/v1p1/orgs`, key)).arrayBuffer()
      const after = plain.fake.requests.length
      await (await bearerGet(`${local.url}/ims/oneroster/v1p1/orgs`, key)).arrayBuffer()
      expect(plain.fake.requests.length).toBeGreaterThan(after)
    } finally {
      await local.close()
      await plain.close()
    }
  })
})

describe("shutdown", () => {
  it("finishes the requests in flight", async () => {
    const slow = await upstream(demoDistrict, [{ fault: { type: "delay", millis: 500 }, path: /\/courses/, times: 1 }])
    const local = await gateway({ config: { districts: { d: slow.district }, gateway: { clients: [{ id: "t", token: key }] } } })
    try {
      const inFlight = bearerGet(`${local.url}/ims/oneroster/v1p1/courses`, key).then(async (r) => ({ status: r.status, body: (await r.json()) as { courses: Users } }))
      // Wait until the gateway has asked the upstream, then stop it.
      while (!slow.fake.requests.some((r) => r.url.includes("/courses"))) await new Promise((resolve) => setTimeout(resolve, 10))
      const closing = local.close()
      const answer = await inFlight
      await closing
      expect(answer.status).toBe(200)
      expect(ids(answer.body.courses)).toEqual(ids(demoDistrict.courses))
      await expect(fetch(`${local.url}/health`)).rejects.toThrow()
    } finally {
      await slow.close()
    }
  })
})
