import { describe, expect, it } from "@effect/vitest"
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeClever from "@rosterkit/demo/FakeClever"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"

const dataset = Dataset.generate({ seed: 5, schools: 2, studentsPerSchool: 30, teachersPerSchool: 2, classesPerTeacher: 3, studentsPerClass: 8 })

const answer = async (handle: (request: Request) => Promise<Response>, url: string, headers: Record<string, string> = {}) => {
  const response = await handle(new Request(url, { headers }))
  return { status: response.status, headers: [...response.headers].sort(), body: await response.text() }
}

describe("cached page bodies (cacheBytes)", () => {
  it("FakeOneRoster answers the same with and without the cache, on the first request and on repeats", async () => {
    const plain = FakeOneRoster.make({ dataset, maxLimit: 7 })
    const cached = FakeOneRoster.make({ dataset, maxLimit: 7, cacheBytes: 1 << 20 })
    const paths = [
      "/students?limit=10&offset=7",
      "/users?offset=14&limit=7",
      "/classes?filter=title%3D'Math'&limit=3",
      "/classes?filter=title%3D%3D'bad",
      "/users?sort=familyName&orderBy=desc&fields=sourcedId,familyName",
      "/classes/class-1/students",
      "/schools/school-1/teachers?limit=2&offset=1"
    ]
    for (const path of paths) {
      const expected = await answer(plain.handle, `${plain.baseUrl}${path}`)
      expect(await answer(cached.handle, `${cached.baseUrl}${path}`)).toEqual(expected)
      expect(await answer(cached.handle, `${cached.baseUrl}${path}`)).toEqual(expected)
    }
  })

  it("FakeClever answers the same with and without the cache, cursors included", async () => {
    const auth = { authorization: `Bearer ${FakeClever.defaultToken}` }
    const plain = FakeClever.make({ dataset })
    const cached = FakeClever.make({ dataset, cacheBytes: 1 << 20 })
    const paths = ["/users?role=student&limit=5", "/users?limit=4&role=teacher", "/users?role=student&limit=5&starting_after=student-5", "/sections?limit=3", "/users?role=nobody", "/sections/class-2/users?role=student"]
    for (const path of paths) {
      const expected = await answer(plain.handle, `${plain.baseUrl}${path}`, auth)
      expect(await answer(cached.handle, `${cached.baseUrl}${path}`, auth)).toEqual(expected)
      expect(await answer(cached.handle, `${cached.baseUrl}${path}`, auth)).toEqual(expected)
    }
  })
})
