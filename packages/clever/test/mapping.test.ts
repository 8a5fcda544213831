import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as CleverSchema from "../src/CleverSchema.js"
import * as Mapping from "../src/internal/mapping.js"

const user = Schema.decodeUnknownSync(CleverSchema.User)
const section = Schema.decodeUnknownSync(CleverSchema.Section)

describe("Clever -> OneRoster mapping", () => {
  it("a student who also teaches, listed once as a user: role student, both roles in roles[], the schools of both in orgs", () => {
    const input = {
      id: "u7",
      roles: { student: { school: "sch1", schools: ["sch1"], grade: "9" }, teacher: { school: "sch2", schools: ["sch2", "sch1"] } }
    }
    const person = Mapping.toPerson(user(input))
    const ref = (sourcedId: string) => ({ sourcedId, type: "org" })
    expect(person).toMatchObject({ sourcedId: "u7", role: "student", orgs: [ref("sch1"), ref("sch2")], grades: ["09"] })
    expect(person.roles).toStrictEqual([
      { roleType: "primary", role: "student", org: ref("sch1") },
      { roleType: "secondary", role: "teacher", org: ref("sch2") },
      { roleType: "secondary", role: "teacher", org: ref("sch1") }
    ])
    // A student who does not teach is the student record, unchanged.
    const only = { id: "u8", roles: { student: { school: "sch1" } } }
    expect(Mapping.toPerson(user(only))).toStrictEqual(Mapping.toUser(user(only), "student"))
  })

  it("a student: names, email as username fallback, student_number as identifier fallback, deduplicated orgs", () => {
    const input = {
      id: "u1",
      email: "ana@example.org",
      last_modified: "2024-09-01T00:00:00.000Z",
      name: { first: "Ana", last: "Lopez", middle: null },
      roles: { student: { student_number: "S-9", school: "sch1", schools: ["sch1", "sch2"], grade: "6", state_id: "ST1" } }
    }
    expect(Mapping.toUser(user(input), "student")).toStrictEqual({
      sourcedId: "u1",
      status: "active",
      dateLastModified: "2024-09-01T00:00:00.000Z",
      username: "ana@example.org",
      userIds: [
        { type: "state_id", identifier: "ST1" },
        { type: "student_number", identifier: "S-9" }
      ],
      enabledUser: "true",
      givenName: "Ana",
      familyName: "Lopez",
      role: "student",
      identifier: "S-9",
      email: "ana@example.org",
      orgs: [
        { sourcedId: "sch1", type: "org" },
        { sourcedId: "sch2", type: "org" }
      ],
      grades: ["06"],
      id: "u1",
      last_modified: "2024-09-01T00:00:00.000Z",
      metadata: { clever: input }
    })
  })

  it("a teacher: district_username, sis_id, no grades; the role record's last_modified when the user has none", () => {
    const mapped = Mapping.toUser(
      user({
        id: "t1",
        name: { first: "Tom", last: "Ray" },
        roles: {
          teacher: { sis_id: "T-1", teacher_number: "77", credentials: { district_username: "tray" }, schools: ["sch2"], last_modified: "2024-01-01" }
        }
      }),
      "teacher"
    )
    expect(mapped).toMatchObject({ username: "tray", identifier: "T-1", role: "teacher", dateLastModified: "2024-01-01" })
    expect(mapped.grades).toBeUndefined()
    expect(mapped.orgs).toStrictEqual([{ sourcedId: "sch2", type: "org" }])
    expect(mapped.userIds).toStrictEqual([
      { type: "sis_id", identifier: "T-1" },
      { type: "teacher_number", identifier: "77" }
    ])
  })

  it("a section: title, classCode (section_number else sis_id), refs, homeroom, Clever fields copied up", () => {
    const input = {
      id: "sec1",
      name: "Advisory 7B",
      sis_id: "SIS-1",
      section_number: null,
      subject: "homeroom/advisory",
      grade: "7",
      period: "1",
      course: "c1",
      school: "sch1",
      term_id: "term1",
      teacher: "t1",
      students: ["u1", "u2", "u1"],
      teachers: ["t1", "t2"]
    }
    const cls = Mapping.toClass(section(input))
    expect(cls).toMatchObject({
      sourcedId: "sec1",
      title: "Advisory 7B",
      classCode: "SIS-1",
      classType: "homeroom",
      grades: ["07"],
      subjects: ["homeroom/advisory"],
      periods: ["1"],
      course: { sourcedId: "c1", type: "course" },
      school: { sourcedId: "sch1", type: "org" },
      terms: [{ sourcedId: "term1", type: "academicSession" }],
      // Clever's own text fields, for matchOn
      name: "Advisory 7B",
      sis_id: "SIS-1",
      subject: "homeroom/advisory",
      teacher: "t1"
    })
    expect(cls.location).toBeUndefined()
    expect(cls.metadata).toStrictEqual({ clever: input })
    expect(Mapping.toEnrollments(section(input)).map((e) => [e.sourcedId, e.user.sourcedId, e.role, e.primary])).toStrictEqual([
      ["sec1-student-u1", "u1", "student", "false"],
      ["sec1-student-u2", "u2", "student", "false"],
      ["sec1-teacher-t1", "t1", "teacher", "true"],
      ["sec1-teacher-t2", "t2", "teacher", "false"]
    ])
  })

  it("schools, districts, courses and terms", () => {
    expect(
      Mapping.toSchool(Schema.decodeUnknownSync(CleverSchema.School)({ id: "s1", name: "Lincoln", school_number: "042", district: "d1" }))
    ).toMatchObject({ sourcedId: "s1", name: "Lincoln", type: "school", identifier: "042", parent: { sourcedId: "d1", type: "org" } })
    expect(Mapping.toDistrict(Schema.decodeUnknownSync(CleverSchema.District)({ id: "d1", name: "Unified", nces_id: "0601" }))).toMatchObject({
      sourcedId: "d1",
      type: "district",
      identifier: "0601"
    })
    expect(
      Mapping.toCourse(Schema.decodeUnknownSync(CleverSchema.Course)({ id: "c1", name: "Algebra I", number: "MA101", district: "d1" }))
    ).toMatchObject({ sourcedId: "c1", title: "Algebra I", courseCode: "MA101", name: "Algebra I", number: "MA101" })
    expect(
      Mapping.toTerm(Schema.decodeUnknownSync(CleverSchema.Term)({ id: "t1", name: "Fall", start_date: "2024-08-01", end_date: null }))
    ).toMatchObject({ sourcedId: "t1", title: "Fall", type: "term", startDate: "2024-08-01" })
  })
})
