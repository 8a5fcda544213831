import { describe, expect, it } from "@effect/vitest"
import type * as Model from "@rosterkit/core/Model"
import { demoDistrict as d, seedNumbers } from "@rosterkit/demo/DemoDistrict"

// The seed README's numbers, computed with plain code straight from the arrays (no helpers).
const norm = (s: string) => s.normalize("NFC").trim().toLowerCase()
const matches = (record: object, fields: ReadonlyArray<string>, name: string) =>
  fields.some((f) => {
    const v = (record as Record<string, unknown>)[f]
    return typeof v === "string" && norm(v) === norm(name)
  })
const defaultFields = ["sourcedId", "name", "title"]
const students = d.users.filter((u) => u.role === "student")
const studentIds = new Set(students.map((u) => u.sourcedId))

const classStudents = (name: string, fields = defaultFields): ReadonlySet<string> => {
  const classes = new Set(d.classes.filter((c) => matches(c, fields, name)).map((c) => c.sourcedId))
  return new Set(
    d.enrollments
      .filter((e) => classes.has(e.class.sourcedId) && e.role === "student" && studentIds.has(e.user.sourcedId))
      .map((e) => e.user.sourcedId)
  )
}
const schoolStudents = (name: string): ReadonlySet<string> => {
  const schools = new Set(d.orgs.filter((o) => o.type === "school" && matches(o, defaultFields, name)).map((o) => o.sourcedId))
  return new Set(students.filter((u) => (u.orgs ?? []).some((o) => schools.has(o.sourcedId))).map((u) => u.sourcedId))
}

describe("demo district", () => {
  it("gives the seed README's six numbers", () => {
    expect(students).toHaveLength(139)
    expect(classStudents("ELA 6 (6A ELA)").size).toBe(7)
    expect(classStudents("31763").size).toBe(3)
    expect(schoolStudents("Classlink HS").size).toBe(38)
    expect(schoolStudents("7").size).toBe(54)
    expect(classStudents("302", ["location"]).size).toBe(13)
    expect(seedNumbers).toStrictEqual({ students: 139, ela6Sections: 7, class31763: 3, highSchool: 38, middleSchool: 54, room302: 13 })
  })

  it("starts with Billy Flores exactly as the README prints him", () => {
    const expected: Model.User = {
      agents: [],
      dateLastModified: "2019-03-01T18:14:45.000Z",
      email: "",
      enabledUser: "true",
      familyName: "FLORES",
      givenName: "BILLY",
      grades: ["11"],
      identifier: "17580",
      middleName: "DASEAN",
      orgs: [{ href: "", sourcedId: "2", type: "org" }],
      password: "",
      phone: "",
      role: "student",
      sms: "",
      sourcedId: "18125",
      status: "active",
      userIds: [{ identifier: "18125", type: "FED" }],
      username: "billy.flores"
    }
    expect(d.users[0]).toStrictEqual(expected)
    expect(Object.keys(d.users[0]!)).toStrictEqual(Object.keys(expected))
  })

  it("has the README's matching semantics: several ELA sections, case and spaces ignored", () => {
    expect(d.classes.filter((c) => c.title === "ELA 6 (6A ELA)").map((c) => c.sourcedId)).toStrictEqual(["31763", "31764", "31765"])
    expect(classStudents("  ela 6 (6a ela) ").size).toBe(7)
    expect(schoolStudents("CLASSLINK hs").size).toBe(38)
  })

  it("has no accidental matches for the README's names", () => {
    const everyGroup = [...d.classes, ...d.courses, ...d.orgs]
    const allFields = ["sourcedId", "name", "title", "location", "classCode", "courseCode", "identifier"]
    const hits = (name: string) => everyGroup.filter((g) => matches(g, allFields, name)).map((g) => g.sourcedId)
    expect(hits("31763")).toStrictEqual(["31763"])
    expect(hits("7")).toStrictEqual(["7"])
    expect(hits("Classlink HS")).toStrictEqual(["2"])
    expect(hits("302")).toStrictEqual(["31750", "31751"])
    expect(hits("ELA 6 (6A ELA)")).toStrictEqual(["31763", "31764", "31765"])
    // Near misses that must stay misses.
    expect(d.classes.map((c) => c.location)).toContain("Room 302")
    expect(d.classes.map((c) => c.location)).toContain("302A")
  })

  it("is a whole district: 12 teachers, each class with a course, a teacher and terms, every student enrolled", () => {
    expect(d.users.filter((u) => u.role === "teacher")).toHaveLength(12)
    expect(d.orgs.filter((o) => o.type === "district")).toHaveLength(1)
    const courseIds = new Set(d.courses.map((c) => c.sourcedId))
    expect(d.courses.some((c) => c.title === "ELA 6")).toBe(true)
    for (const c of d.classes) {
      expect(courseIds.has(c.course!.sourcedId)).toBe(true)
      expect(c.terms!.length).toBeGreaterThan(0)
      expect(d.enrollments.filter((e) => e.class.sourcedId === c.sourcedId && e.role === "teacher")).toHaveLength(1)
    }
    const enrolled = new Set(d.enrollments.filter((e) => e.role === "student").map((e) => e.user.sourcedId))
    for (const s of students) expect(enrolled.has(s.sourcedId)).toBe(true)
    const ids = [...d.users, ...d.classes, ...d.courses, ...d.orgs, ...d.academicSessions, ...d.enrollments].map((r) => r.sourcedId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(d.academicSessions.filter((s) => s.type === "term")).toHaveLength(2)
  })
})
