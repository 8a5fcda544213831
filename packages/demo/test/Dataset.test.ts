import { describe, expect, it } from "@effect/vitest"
import type * as Model from "@rosterkit/core/Model"
import * as Dataset from "@rosterkit/demo/Dataset"

const small = { seed: 7, schools: 3, studentsPerSchool: 30, teachersPerSchool: 3, classesPerTeacher: 3, studentsPerClass: 10 }

describe("Dataset.generate", () => {
  it("is deterministic: same seed, same JSON; another seed, another district", () => {
    const a = JSON.stringify(Dataset.generate(small))
    expect(JSON.stringify(Dataset.generate(small))).toBe(a)
    expect(JSON.stringify(Dataset.generate({ ...small, seed: 8 }))).not.toBe(a)
  })

  it("has the sizes asked for", () => {
    const d = Dataset.generate(small)
    expect(Dataset.byKind(d, "students")).toHaveLength(90)
    expect(Dataset.byKind(d, "teachers")).toHaveLength(9)
    expect(d.classes).toHaveLength(27)
    expect(Dataset.byKind(d, "schools")).toHaveLength(3)
    expect(d.demographics).toHaveLength(90)
  })

  it("has one district whose children are the schools", () => {
    const d = Dataset.generate(small)
    const districts = d.orgs.filter((o) => o.type === "district")
    expect(districts).toHaveLength(1)
    const schools = Dataset.byKind(d, "schools").map((s) => s.sourcedId)
    expect(districts[0]!.children!.map((c) => c.sourcedId)).toStrictEqual(schools)
    for (const school of Dataset.byKind(d, "schools")) expect(school.parent?.sourcedId).toBe(districts[0]!.sourcedId)
  })

  it("has the awkward cases real rosters have", () => {
    const d = Dataset.generate(small)
    const titles = d.classes.map((c) => c.title!)
    // Several sections share a title.
    const counts = new Map<string, number>()
    for (const t of titles) counts.set(t, (counts.get(t) ?? 0) + 1)
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(3)
    // Spaces, slashes, parentheses, apostrophes.
    expect(titles).toContain("Art / Design")
    expect(titles).toContain("O'Brien's Homeroom")
    expect(titles.some((t) => /\(.+\)/.test(t))).toBe(true)
    expect(titles.some((t) => t.includes(" "))).toBe(true)
    // Non-ASCII names.
    const names = d.users.flatMap((u) => [u.givenName, u.familyName])
    for (const name of ["José", "Zoë", "Łukasz", "李"]) expect(names).toContain(name)
    // Students in several classes, and in two schools (with a class in each).
    const classesPerStudent = new Map<string, Set<string>>()
    for (const e of d.enrollments) {
      if (e.role !== "student") continue
      const set = classesPerStudent.get(e.user.sourcedId) ?? new Set()
      set.add(e.class.sourcedId)
      classesPerStudent.set(e.user.sourcedId, set)
    }
    expect([...classesPerStudent.values()].some((s) => s.size >= 2)).toBe(true)
    const dual = Dataset.byKind(d, "students").filter((u) => (u.orgs ?? []).length === 2)
    expect(dual.length).toBeGreaterThan(0)
    const schoolOfClass = new Map(d.classes.map((c) => [c.sourcedId, c.school!.sourcedId]))
    const schoolsOf = (id: string) => new Set([...(classesPerStudent.get(id) ?? [])].map((c) => schoolOfClass.get(c)))
    expect(dual.some((u) => schoolsOf(u.sourcedId).size === 2)).toBe(true)
    // tobedeleted records.
    expect(d.users.some((u) => u.status === "tobedeleted")).toBe(true)
    // dateLastModified spread over a year, as ISO strings.
    const dates = d.users.map((u) => u.dateLastModified!).sort()
    for (const date of dates) expect(date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/)
    const spanDays = (Date.parse(dates[dates.length - 1]!) - Date.parse(dates[0]!)) / 86_400_000
    expect(spanDays).toBeGreaterThan(250)
    expect(spanDays).toBeLessThanOrEqual(366)
  })

  it("is referentially whole: every reference points at a record of the right kind", () => {
    const d = Dataset.generate(small)
    const ids = (records: ReadonlyArray<{ sourcedId: string }>) => new Set(records.map((r) => r.sourcedId))
    const users = ids(d.users)
    const classes = ids(d.classes)
    const courses = ids(d.courses)
    const schools = ids(Dataset.byKind(d, "schools"))
    const terms = ids(Dataset.byKind(d, "terms"))
    for (const c of d.classes) {
      expect(courses.has(c.course!.sourcedId)).toBe(true)
      expect(schools.has(c.school!.sourcedId)).toBe(true)
      expect(c.terms!.length).toBeGreaterThan(0)
      for (const t of c.terms!) expect(terms.has(t.sourcedId)).toBe(true)
      expect(c.location).toBeTruthy()
      expect(c.grades!.length).toBeGreaterThan(0)
    }
    for (const c of d.courses) expect(schools.has(c.org!.sourcedId)).toBe(true)
    for (const e of d.enrollments) {
      expect(users.has(e.user.sourcedId)).toBe(true)
      expect(classes.has(e.class.sourcedId)).toBe(true)
      expect(schools.has(e.school!.sourcedId)).toBe(true)
      expect(["student", "teacher"]).toContain(e.role)
    }
    // Every class has its teacher.
    for (const c of d.classes) expect(Dataset.membersOf(d, "classes", c.sourcedId, "teachers")).toHaveLength(1)
    // Ids are unique within each collection.
    for (const records of [d.users, d.classes, d.courses, d.orgs, d.enrollments, d.academicSessions]) {
      expect(ids(records).size).toBe(records.length)
    }
    expect(Dataset.byKind(d, "gradingPeriods").length).toBeGreaterThan(0)
  })

  it("scales linearly: 100k+ users", () => {
    const d = Dataset.generate({ seed: 1, schools: 250, studentsPerSchool: 400, teachersPerSchool: 20, classesPerTeacher: 2, studentsPerClass: 20 })
    expect(d.users).toHaveLength(105_000)
    expect(d.enrollments.length).toBeGreaterThan(200_000)
  })

  it("rejects sizes that are not counts", () => {
    expect(() => Dataset.generate({ seed: 1, schools: 0 })).toThrow(RangeError)
    expect(() => Dataset.generate({ seed: 1, studentsPerClass: 1.5 })).toThrow(RangeError)
  })
})

describe("Dataset helpers", () => {
  const d = Dataset.generate(small)

  it("byKind selects each collection", () => {
    expect(Dataset.byKind(d, "users")).toBe(d.users)
    expect(Dataset.byKind(d, "students").every((u) => u.role === "student")).toBe(true)
    expect(Dataset.byKind(d, "teachers").every((u) => u.role === "teacher")).toBe(true)
    expect(Dataset.byKind(d, "schools").every((o) => o.type === "school")).toBe(true)
    expect(Dataset.byKind(d, "terms").map((t) => t.title)).toStrictEqual(["Fall 2024", "Spring 2025"])
    expect(Dataset.byKind(d, "gradingPeriods").every((s) => s.type === "gradingPeriod")).toBe(true)
    expect(Dataset.byKind(d, "demographics")).toBe(d.demographics)
  })

  it("membersOf a class follows enrollments; of a school, users' orgs", () => {
    const cls = d.classes[1]!
    const expected = new Set(
      d.enrollments.filter((e) => e.class.sourcedId === cls.sourcedId && e.role === "student").map((e) => e.user.sourcedId)
    )
    expect(new Set(Dataset.membersOf(d, "classes", cls.sourcedId, "students").map((u) => u.sourcedId))).toStrictEqual(expected)
    const school = Dataset.byKind(d, "schools")[1]!
    const members = Dataset.membersOf(d, "schools", school.sourcedId, "students")
    expect(members.map((u) => u.sourcedId)).toStrictEqual(
      d.users.filter((u) => u.role === "student" && u.orgs!.some((o) => o.sourcedId === school.sourcedId)).map((u) => u.sourcedId)
    )
    // Dual-school students are members of both schools.
    const dual = Dataset.byKind(d, "students").find((u) => u.orgs!.length === 2)!
    for (const org of dual.orgs!) {
      expect(Dataset.membersOf(d, "schools", org.sourcedId, "students").map((u) => u.sourcedId)).toContain(dual.sourcedId)
    }
  })

  it("classesOfCourse, find and the nested helpers", () => {
    const course = d.courses[0]!
    expect(Dataset.classesOfCourse(d, course.sourcedId).map((c) => c.sourcedId)).toStrictEqual(
      d.classes.filter((c) => c.course?.sourcedId === course.sourcedId).map((c) => c.sourcedId)
    )
    expect(Dataset.classesOfCourse(d, course.sourcedId).length).toBeGreaterThan(0)
    const teacher = Dataset.byKind(d, "teachers")[0]!
    expect(Dataset.find(d, "teachers", teacher.sourcedId)).toBe(teacher)
    expect(Dataset.find(d, "students", teacher.sourcedId)).toBeUndefined()
    expect(Dataset.find(d, "terms", "gp-2024-q1")).toBeUndefined()
    expect(Dataset.find(d, "gradingPeriods", "gp-2024-q1")?.title).toBe("Q1 2024-2025")
    expect(Dataset.classesOfUser(d, teacher.sourcedId)).toHaveLength(3)
    expect(Dataset.gradingPeriodsOfTerm(d, "term-2024-fall").map((g) => g.sourcedId)).toStrictEqual(["gp-2024-q1", "gp-2024-q2"])
    const school = Dataset.byKind(d, "schools")[0]!.sourcedId
    expect(Dataset.classesOfSchool(d, school).every((c: Model.Class) => c.school?.sourcedId === school)).toBe(true)
    expect(Dataset.termsOfSchool(d, school).length).toBeGreaterThan(0)
    expect(Dataset.enrollmentsOfSchool(d, school).every((e) => e.school?.sourcedId === school)).toBe(true)
  })
})
