/**
 * Clever v3.0 records -> the OneRoster 1.1 model.
 *
 * Every mapped record keeps the Clever record it came from, whole, under `metadata.clever`.
 * The core matcher reads only top-level fields, so each mapped record also carries Clever's
 * top-level text fields whose names OneRoster does not use (`name`, `section_number`,
 * `sis_id`, `period` … on a class): `--match-on section_number` works as on Clever itself.
 */
import * as Model from "@rosterkit/core/Model"
import type * as CleverSchema from "../CleverSchema.js"

/** The OneRoster role a Clever user is read as. */
export type UserRole = "student" | "teacher"

type Fields = Record<string, unknown>

const text = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined)

const ref = (sourcedId: string, type: string): Model.GUIDRef => ({ sourcedId, type })

/** The OneRoster field names of each mapped record type: Clever fields with these names are not copied up. */
const reserved = {
  user: new Set(Object.keys(Model.UserFields.fields)),
  class: new Set(Object.keys(Model.Class.fields)),
  org: new Set(Object.keys(Model.Org.fields)),
  course: new Set(Object.keys(Model.Course.fields)),
  session: new Set(Object.keys(Model.AcademicSession.fields)),
  enrollment: new Set(Object.keys(Model.Enrollment.fields))
}

/** Clever's top-level string fields that do not clash with OneRoster names (for group matching). */
const cleverScalars = (record: Fields, names: ReadonlySet<string>): Fields => {
  const out: Fields = {}
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "string" && !names.has(key)) out[key] = value
  }
  return out
}

/**
 * Builds a mapped record: the OneRoster fields (undefined ones left out), then Clever's own
 * top-level text fields (never a OneRoster name, so never overwriting), then the whole Clever
 * record under `metadata.clever`.
 */
const assemble = <A>(record: Fields, names: ReadonlySet<string>, fields: Fields): A => {
  const out: Fields = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) out[key] = value
  }
  Object.assign(out, cleverScalars(record, names))
  out.metadata = { clever: record }
  return out as A
}

const status = "active"

/** Clever's grade names -> the OneRoster (CEDS) grade codes. */
const gradeCodes: Readonly<Record<string, string>> = {
  InfantToddler: "IT",
  Preschool: "PR",
  PreKindergarten: "PK",
  TransitionalKindergarten: "TK",
  Kindergarten: "KG",
  PostGraduate: "PS",
  Ungraded: "UG"
}

/**
 * A Clever grade as a OneRoster grade code: "1".."13" -> "01".."13", "Kindergarten" -> "KG" …
 * (so a grade filters and matches the same on every provider); anything else is kept as sent.
 */
export const toOneRosterGrade = (grade: string): string =>
  /^\d{1,2}$/.test(grade) ? grade.padStart(2, "0") : (gradeCodes[grade] ?? grade)

/** The grade list of a Clever grade value (empty values give none). */
const grades = (grade: string | null | undefined): ReadonlyArray<string> | undefined => {
  const g = text(grade)
  return g === undefined ? undefined : [toOneRosterGrade(g)]
}

/** Deduplicated org references from a `school` and a `schools` list. */
const orgRefs = (school: unknown, schools: unknown): ReadonlyArray<Model.GUIDRef> | undefined => {
  const ids = [school, ...(Array.isArray(schools) ? schools : [])].map(text).filter((id): id is string => id !== undefined)
  const unique = [...new Set(ids)]
  return unique.length === 0 ? undefined : unique.map((id) => ref(id, "org"))
}

/** Which OneRoster role a user is read as when no role was asked for (student first), if any. */
export const primaryRole = (user: CleverSchema.User): UserRole | undefined =>
  user.roles?.student != null ? "student" : user.roles?.teacher != null ? "teacher" : undefined

/**
 * A Clever user read as a OneRoster student or teacher. `role` is the role it was listed by
 * (`/users?role=student` …); the fields come from `roles.student` / `roles.teacher`.
 */
export const toUser = (user: CleverSchema.User, role: UserRole): Model.User => {
  const student = user.roles?.student ?? undefined
  const teacher = user.roles?.teacher ?? undefined
  const roleRecord = role === "student" ? student : teacher
  const email = user.email
  const username = text(roleRecord?.credentials?.district_username) ?? text(email)
  const number = role === "student" ? student?.student_number : teacher?.teacher_number
  const userIds = [
    ["sis_id", roleRecord?.sis_id],
    ["state_id", roleRecord?.state_id],
    [role === "student" ? "student_number" : "teacher_number", number]
  ]
    .map(([type, identifier]) => ({ type: type!, identifier: text(identifier) }))
    .filter((id): id is { type: string; identifier: string } => id.identifier !== undefined)
  // Teachers may carry their own name under roles.teacher; the user's name wins.
  const name = user.name ?? teacher?.name
  return assemble<Model.User>(user, reserved.user, {
    sourcedId: user.id,
    status,
    dateLastModified: user.last_modified ?? roleRecord?.last_modified,
    username,
    userIds: userIds.length === 0 ? undefined : userIds,
    enabledUser: "true",
    givenName: name?.first ?? undefined,
    familyName: name?.last ?? undefined,
    middleName: name?.middle ?? undefined,
    role,
    identifier: text(roleRecord?.sis_id) ?? text(number),
    email: email ?? undefined,
    orgs: orgRefs(roleRecord?.school, roleRecord?.schools),
    grades: role === "student" ? grades(student?.grade) : undefined
  })
}

/**
 * A Clever user listed as a student, as one OneRoster record for the `users` collection (one
 * record per person).
 * A user who is both student and teacher is read as a student (`role`) that also carries, as
 * OneRoster 1.2 does, every role it holds in `roles` (student: primary in its first school,
 * secondary in the others; teacher: secondary in each of its schools) and the schools of both in
 * `orgs` — so a listing of users loses no role, and an export keeps the teacher role.
 */
export const toPerson = (user: CleverSchema.User): Model.User => {
  const mapped = toUser(user, "student")
  const teacher = user.roles?.teacher ?? undefined
  const teaching = teacher === undefined ? [] : (orgRefs(teacher.school, teacher.schools) ?? [])
  if (teaching.length === 0 || (mapped.orgs ?? []).length === 0) return mapped
  const roles: ReadonlyArray<Model.RoleAssignment> = [
    ...Model.rolesFrom("student", mapped.orgs),
    ...teaching.map((org): Model.RoleAssignment => ({ roleType: "secondary", role: "teacher", org }))
  ]
  return { ...mapped, orgs: Model.orgsFrom(roles), roles }
}

/**
 * A Clever section as a OneRoster class. Clever has no room field, so `location` is never set;
 * a "homeroom/advisory" subject gives classType "homeroom", anything else "scheduled".
 */
export const toClass = (section: CleverSchema.Section): Model.Class => {
  const subject = text(section.subject)
  const course = text(section.course)
  const school = text(section.school)
  const term = text(section.term_id)
  const period = text(section.period)
  return assemble<Model.Class>(section, reserved.class, {
    sourcedId: section.id,
    status,
    dateLastModified: section.last_modified,
    title: section.name,
    classCode: text(section.section_number) ?? text(section.sis_id),
    classType: subject === "homeroom/advisory" ? "homeroom" : "scheduled",
    grades: grades(section.grade),
    subjects: subject === undefined ? undefined : [subject],
    course: course === undefined ? undefined : ref(course, "course"),
    school: school === undefined ? undefined : ref(school, "org"),
    terms: term === undefined ? undefined : [ref(term, "academicSession")],
    periods: period === undefined ? undefined : [period]
  })
}

/** A Clever school as a OneRoster org of type "school", its district as parent. */
export const toSchool = (school: CleverSchema.School): Model.Org => {
  const district = text(school.district)
  return assemble<Model.Org>(school, reserved.org, {
    sourcedId: school.id,
    status,
    dateLastModified: school.last_modified,
    name: school.name,
    type: "school",
    identifier: text(school.sis_id) ?? text(school.school_number),
    parent: district === undefined ? undefined : ref(district, "org")
  })
}

/** A Clever district as a OneRoster org of type "district". */
export const toDistrict = (district: CleverSchema.District): Model.Org =>
  assemble<Model.Org>(district, reserved.org, {
    sourcedId: district.id,
    status,
    name: district.name,
    type: "district",
    identifier: text(district.nces_id) ?? text(district.mdr_number)
  })

/** A Clever course as a OneRoster course (its org is the district: Clever courses are district-wide). */
export const toCourse = (course: CleverSchema.Course): Model.Course => {
  const district = text(course.district)
  return assemble<Model.Course>(course, reserved.course, {
    sourcedId: course.id,
    status,
    title: course.name ?? undefined,
    courseCode: course.number ?? undefined,
    org: district === undefined ? undefined : ref(district, "org")
  })
}

/** The calendar date of a Clever date or datetime ("2024-08-01T00:00:00.000Z" -> "2024-08-01"): OneRoster session dates are dates. */
const toDate = (value: string | null | undefined): string | undefined =>
  value == null ? undefined : (/^\d{4}-\d{2}-\d{2}/.exec(value)?.[0] ?? value)

/** A Clever term as a OneRoster academic session of type "term". */
export const toTerm = (term: CleverSchema.Term): Model.AcademicSession =>
  assemble<Model.AcademicSession>(term, reserved.session, {
    sourcedId: term.id,
    status,
    title: term.name ?? undefined,
    type: "term",
    startDate: toDate(term.start_date),
    endDate: toDate(term.end_date)
  })

/**
 * The enrollments of one section, from its `students` and `teachers` id lists. Clever has no
 * enrollment records, so the sourcedId is made up: `<section id>-<role>-<user id>`. The
 * section's `teacher` (its primary teacher) gets `primary: "true"`.
 */
export const toEnrollments = (section: CleverSchema.Section): ReadonlyArray<Model.Enrollment> => {
  const school = text(section.school)
  const primaryTeacher = text(section.teacher)
  const of = (ids: ReadonlyArray<string> | undefined, role: UserRole) =>
    [...new Set(ids ?? [])].map(
      (userId): Model.Enrollment => ({
        sourcedId: `${section.id}-${role}-${userId}`,
        status,
        ...(section.last_modified === undefined ? {} : { dateLastModified: section.last_modified }),
        user: ref(userId, "user"),
        class: ref(section.id, "class"),
        ...(school === undefined ? {} : { school: ref(school, "org") }),
        role,
        primary: role === "teacher" && userId === primaryTeacher ? "true" : "false"
      })
    )
  return [...of(section.students, "student"), ...of(section.teachers, "teacher")]
}
