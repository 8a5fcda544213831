/**
 * A fake Clever Data API v3.0 over a Dataset (the same districts as FakeOneRoster), as a
 * Fetch-API function. Record shapes follow specs/clever/v3.0.yml:
 *
 *     users     { id, district, email, name: { first, last, middle }, created, last_modified,
 *                 roles: { student: { sis_id, student_number, state_id, grade, school, schools,
 *                                     credentials, dob, gender, … } }
 *                     or { teacher: { sis_id, teacher_number, school, schools, credentials, … } } }
 *     sections  { id, district, name (= class title), course, school, grade, subject, period,
 *                 section_number, sis_id, students[], teachers[], teacher, term_id, … }
 *     schools   { id, district, name, sis_id, school_number, low_grade, high_grade, … }
 *     courses   { id, district, name, number }
 *     terms     { id, district, name, start_date, end_date }
 *
 * Ids are the OneRoster sourcedIds, so answers compare directly with the Dataset helpers.
 * Lists are `{ data: [{ data, uri }], links: [{ rel: "self" }, { rel: "next" }…] }` with
 * RELATIVE link URIs ("/v3.0/users?limit=100&role=student&starting_after=<last id>"), no next
 * link on the last page; `limit` defaults to 100 and above `maxLimit` (10000) is a 413.
 * A bearer token is required (401 `{ message }` otherwise). The reverse mapping (Clever ->
 * OneRoster) belongs to the Clever provider, not here.
 */
import type * as Model from "@rosterkit/core/Model"
import * as Dataset from "./Dataset.js"
import type * as Fake from "./FakeServer.js"
import * as Faults from "./Faults.js"
import * as PageCache from "./internal/pageCache.js"
import { encodeQuery, integerParam, json, segmentsUnder } from "./internal/http.js"

export interface Options {
  readonly dataset: Dataset.Dataset
  /** Default "https://api.clever.test/v3.0". */
  readonly baseUrl?: string
  /** The district token requests must carry (default "clever-test-token"). */
  readonly token?: string
  /** Above this `limit` the answer is 413 (default 10000, as Clever). */
  readonly maxLimit?: number
  /** The page size when a request has no `limit` (default 100). */
  readonly defaultLimit?: number
  readonly faults?: ReadonlyArray<Faults.FaultRule>
  /**
   * Keep the JSON body of every list page served (by path, role, limit and cursor), up to this
   * many bytes in all; 0 (the default) keeps none. Same answers either way: for benchmarks.
   */
  readonly cacheBytes?: number
}

export type RecordedRequest = Fake.RecordedRequest

export interface FakeServer extends Fake.FakeServer {
  /** The district token requests must carry. */
  readonly token: string
}

export const defaultBaseUrl = "https://api.clever.test/v3.0"
export const defaultToken = "clever-test-token"

// ---------------------------------------------------------------------------------------------
// Clever record types (the fields this fake sends)

export interface CleverName {
  readonly first: string | null
  readonly last: string | null
  readonly middle: string | null
}

export interface CleverStudent {
  readonly sis_id: string
  readonly student_number: string | null
  readonly state_id: string | null
  readonly grade: string | null
  readonly school: string | null
  readonly schools: ReadonlyArray<string>
  readonly credentials: { readonly district_username: string }
  readonly dob: string | null
  readonly gender: string | null
  readonly enrollments: ReadonlyArray<{ readonly school: string; readonly start_date: string; readonly end_date: string }>
  readonly legacy_id: string
  readonly created: string
  readonly last_modified: string
}

export interface CleverTeacher {
  readonly sis_id: string
  readonly teacher_number: string | null
  readonly state_id: string | null
  readonly school: string | null
  readonly schools: ReadonlyArray<string>
  readonly credentials: { readonly district_username: string }
  readonly district: string
  readonly title: string | null
  readonly legacy_id: string
  readonly created: string
  readonly last_modified: string
}

export interface CleverStaff {
  readonly staff_id: string
  readonly schools: ReadonlyArray<string>
  readonly credentials: { readonly district_username: string }
  readonly title: string | null
  readonly department: string | null
  readonly roles: ReadonlyArray<string>
  readonly legacy_id: string
}

export interface CleverUser {
  readonly id: string
  readonly district: string
  readonly email: string | null
  readonly name: CleverName
  readonly created: string
  readonly last_modified: string
  readonly roles: {
    readonly student?: CleverStudent
    readonly teacher?: CleverTeacher
    readonly staff?: CleverStaff
    readonly district_admin?: { readonly legacy_id: string; readonly title: string | null }
    readonly contact?: { readonly legacy_id: string; readonly sis_id: string | null; readonly phone: string | null; readonly phone_type: string | null; readonly student_relationships: ReadonlyArray<unknown> }
  }
}

export interface CleverSection {
  readonly id: string
  readonly district: string
  readonly name: string
  readonly course: string | null
  readonly school: string
  readonly grade: string | null
  readonly subject: string | null
  readonly period: string | null
  readonly section_number: string | null
  readonly sis_id: string
  readonly students: ReadonlyArray<string>
  readonly teachers: ReadonlyArray<string>
  readonly teacher: string | null
  readonly term_id: string | null
  readonly created: string
  readonly last_modified: string
}

export interface CleverSchool {
  readonly id: string
  readonly district: string
  readonly name: string
  readonly sis_id: string
  readonly school_number: string
  readonly state_id: string | null
  readonly nces_id: string | null
  readonly mdr_number: string | null
  readonly low_grade: string | null
  readonly high_grade: string | null
  readonly phone: string | null
  readonly location: { readonly address: string | null; readonly city: string | null; readonly state: string | null; readonly zip: string | null } | null
  readonly principal: { readonly name: string | null; readonly email: string | null }
  readonly created: string
  readonly last_modified: string
}

export interface CleverCourse {
  readonly id: string
  readonly district: string
  readonly name: string | null
  readonly number: string | null
}

export interface CleverTerm {
  readonly id: string
  readonly district: string
  readonly name: string | null
  readonly start_date: string | null
  readonly end_date: string | null
}

export interface CleverDistrict {
  readonly id: string
  readonly name: string
  readonly nces_id: string | null
  readonly mdr_number: string | null
  readonly state: string | null
  readonly sis_type: string
  readonly login_methods: ReadonlyArray<string>
}

// ---------------------------------------------------------------------------------------------
// Mapping OneRoster -> Clever

const gradeNames: Record<string, string> = {
  IT: "InfantToddler",
  PR: "Preschool",
  PK: "PreKindergarten",
  TK: "TransitionalKindergarten",
  KG: "Kindergarten",
  PS: "PostGraduate",
  UG: "Ungraded",
  Other: "Other"
}

/** A OneRoster grade code ("KG", "01", "11") as a Clever grade ("Kindergarten", "1", "11"). */
export const toCleverGrade = (grade: string | undefined): string | null => {
  if (grade === undefined || grade === "") return null
  if (/^\d{1,2}$/.test(grade)) return String(Number(grade))
  return gradeNames[grade] ?? "Other"
}

const subjectRules: ReadonlyArray<readonly [RegExp, string]> = [
  [/homeroom|advisory/i, "homeroom/advisory"],
  [/english|ela|reading|writing|language arts/i, "english/language arts"],
  [/math|algebra|geometry|calculus/i, "math"],
  [/science|biology|chemistry|physics/i, "science"],
  [/history|social|geography|civics/i, "social studies"],
  [/language|français|french|español|spanish/i, "language"],
  [/art|music|música|choir|band|design/i, "arts and music"],
  [/physical|health|\bpe\b/i, "PE and health"],
  [/computer|technology|engineering/i, "technology and engineering"]
]

/** A OneRoster subject (or class title) as one of Clever's section subjects. */
export const toCleverSubject = (subject: string | undefined): string | null => {
  if (subject === undefined || subject === "") return null
  return subjectRules.find(([pattern]) => pattern.test(subject))?.[1] ?? "other"
}

/** "2010-03-04" -> "3/4/2010" (Clever's dob pattern). */
const toCleverDob = (birthDate: string | null | undefined): string | null => {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate ?? "")
  return match === null ? null : `${Number(match[2])}/${Number(match[3])}/${match[1]}`
}

const toCleverGender = (sex: string | null | undefined): string | null =>
  sex === "male" ? "M" : sex === "female" ? "F" : sex === "other" ? "X" : null

/** A date ("2024-08-01") as a Clever datetime ("2024-08-01T00:00:00.000Z"). */
const toCleverDatetime = (date: string | null | undefined): string | null =>
  date === undefined || date === null ? null : /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00.000Z` : date

const fallbackDate = "2024-07-01T00:00:00.000Z"

interface Context {
  readonly district: Model.Org | undefined
  readonly schools: ReadonlySet<string>
  readonly demographics: ReadonlyMap<string, Model.Demographics>
  readonly terms: ReadonlyMap<string, Model.AcademicSession>
  readonly schoolGrades: ReadonlyMap<string, ReadonlyArray<string>>
}

const contexts = new WeakMap<Dataset.Dataset, Context>()

const gradeOrder = ["IT", "PR", "PK", "TK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "PS", "UG", "Other"]

const contextOf = (dataset: Dataset.Dataset): Context => {
  const existing = contexts.get(dataset)
  if (existing !== undefined) return existing
  const schools = new Set(dataset.orgs.filter((o) => o.type === "school").map((o) => o.sourcedId))
  const schoolGrades = new Map<string, Set<string>>()
  for (const c of dataset.classes) {
    const school = c.school?.sourcedId
    if (school === undefined) continue
    const set = schoolGrades.get(school) ?? new Set<string>()
    for (const g of c.grades ?? []) set.add(g)
    schoolGrades.set(school, set)
  }
  const context: Context = {
    district: dataset.orgs.find((o) => o.type === "district"),
    schools,
    demographics: new Map(dataset.demographics.map((d) => [d.sourcedId, d])),
    terms: new Map(dataset.academicSessions.filter((s) => s.type === "term").map((s) => [s.sourcedId, s])),
    schoolGrades: new Map(
      [...schoolGrades].map(([school, grades]) => [school, [...grades].sort((a, b) => gradeOrder.indexOf(a) - gradeOrder.indexOf(b))])
    )
  }
  contexts.set(dataset, context)
  return context
}

const districtIdOf = (dataset: Dataset.Dataset): string => contextOf(dataset).district?.sourcedId ?? "district"

const nonEmpty = (value: string | null | undefined): string | null => (value === undefined || value === null || value === "" ? null : value)

/**
 * A OneRoster user as a Clever v3.0 user. Students and teachers get `roles.student` /
 * `roles.teacher` (school = the first org that is a school, schools = all of them);
 * administrators become district admins, aides and proctors staff, guardians / parents /
 * relatives contacts.
 */
export const toCleverUser = (dataset: Dataset.Dataset, user: Model.User): CleverUser => {
  const context = contextOf(dataset)
  const schools = (user.orgs ?? []).map((o) => o.sourcedId).filter((id) => context.schools.has(id))
  const uniqueSchools = [...new Set(schools)]
  const modified = user.dateLastModified ?? fallbackDate
  const credentials = { district_username: user.username ?? "" }
  const sisId = nonEmpty(user.identifier) ?? user.sourcedId
  const district = districtIdOf(dataset)
  const roles: CleverUser["roles"] = (() => {
    switch (user.role) {
      case "student": {
        const demographics = context.demographics.get(user.sourcedId)
        return {
          student: {
            sis_id: sisId,
            student_number: nonEmpty(user.identifier),
            state_id: null,
            grade: toCleverGrade(user.grades?.[0]),
            school: uniqueSchools[0] ?? null,
            schools: uniqueSchools,
            credentials,
            dob: toCleverDob(demographics?.birthDate),
            gender: toCleverGender(demographics?.sex),
            enrollments: uniqueSchools.map((school) => ({
              school,
              start_date: "2024-08-01T00:00:00.000Z",
              end_date: "2025-06-30T00:00:00.000Z"
            })),
            legacy_id: user.sourcedId,
            created: fallbackDate,
            last_modified: modified
          }
        }
      }
      case "teacher":
        return {
          teacher: {
            sis_id: sisId,
            teacher_number: nonEmpty(user.identifier),
            state_id: null,
            school: uniqueSchools[0] ?? null,
            schools: uniqueSchools,
            credentials,
            district,
            title: null,
            legacy_id: user.sourcedId,
            created: fallbackDate,
            last_modified: modified
          }
        }
      case "administrator":
        return { district_admin: { legacy_id: user.sourcedId, title: "Administrator" } }
      case "aide":
      case "proctor":
        return {
          staff: {
            staff_id: sisId,
            schools: uniqueSchools,
            credentials,
            title: user.role === "aide" ? "Aide" : "Proctor",
            department: null,
            roles: [user.role],
            legacy_id: user.sourcedId
          }
        }
      default:
        return {
          contact: { legacy_id: user.sourcedId, sis_id: sisId, phone: nonEmpty(user.phone), phone_type: null, student_relationships: [] }
        }
    }
  })()
  return {
    id: user.sourcedId,
    district,
    email: user.email ?? null,
    name: { first: user.givenName ?? null, last: user.familyName ?? null, middle: user.middleName ?? null },
    created: fallbackDate,
    last_modified: modified,
    roles
  }
}

/** A OneRoster class as a Clever section (students / teachers from its enrollments). */
export const toCleverSection = (dataset: Dataset.Dataset, cls: Model.Class): CleverSection => {
  const students = Dataset.membersOf(dataset, "classes", cls.sourcedId, "students").map((u) => u.sourcedId)
  const teacherEnrollments = Dataset.enrollmentsOfClass(dataset, cls.sourcedId).filter((e) => e.role === "teacher")
  const teachers = Dataset.membersOf(dataset, "classes", cls.sourcedId, "teachers").map((u) => u.sourcedId)
  const primary = teacherEnrollments.find((e) => e.primary === true || e.primary === "true")?.user.sourcedId
  return {
    id: cls.sourcedId,
    district: districtIdOf(dataset),
    name: cls.title ?? "",
    course: cls.course?.sourcedId ?? null,
    school: cls.school?.sourcedId ?? "",
    grade: toCleverGrade(cls.grades?.[0]),
    subject: toCleverSubject(cls.subjects?.[0] ?? cls.title),
    period: cls.periods?.[0] ?? null,
    section_number: nonEmpty(cls.classCode),
    sis_id: cls.sourcedId,
    students,
    teachers,
    teacher: primary !== undefined && teachers.includes(primary) ? primary : (teachers[0] ?? null),
    term_id: cls.terms?.[0]?.sourcedId ?? null,
    created: fallbackDate,
    last_modified: cls.dateLastModified ?? fallbackDate
  }
}

/** A OneRoster school org as a Clever school (grades from its classes). */
export const toCleverSchool = (dataset: Dataset.Dataset, org: Model.Org): CleverSchool => {
  const grades = contextOf(dataset).schoolGrades.get(org.sourcedId) ?? []
  return {
    id: org.sourcedId,
    district: districtIdOf(dataset),
    name: org.name ?? "",
    sis_id: nonEmpty(org.identifier) ?? org.sourcedId,
    school_number: nonEmpty(org.identifier) ?? org.sourcedId,
    state_id: null,
    nces_id: null,
    mdr_number: null,
    low_grade: toCleverGrade(grades[0]),
    high_grade: toCleverGrade(grades[grades.length - 1]),
    phone: null,
    location: null,
    principal: { name: null, email: null },
    created: fallbackDate,
    last_modified: org.dateLastModified ?? fallbackDate
  }
}

/** A OneRoster course as a Clever course. */
export const toCleverCourse = (dataset: Dataset.Dataset, course: Model.Course): CleverCourse => ({
  id: course.sourcedId,
  district: districtIdOf(dataset),
  name: course.title ?? null,
  number: course.courseCode ?? null
})

/** A OneRoster academic session of type term as a Clever term. */
export const toCleverTerm = (dataset: Dataset.Dataset, term: Model.AcademicSession): CleverTerm => ({
  id: term.sourcedId,
  district: districtIdOf(dataset),
  name: term.title ?? null,
  start_date: toCleverDatetime(term.startDate),
  end_date: toCleverDatetime(term.endDate)
})

/** The district org as a Clever district. */
export const toCleverDistrict = (_dataset: Dataset.Dataset, org: Model.Org): CleverDistrict => ({
  id: org.sourcedId,
  name: org.name ?? "",
  nces_id: nonEmpty(org.identifier),
  mdr_number: null,
  state: null,
  sis_type: "oneroster",
  login_methods: ["Clever Badges"]
})

// ---------------------------------------------------------------------------------------------
// The server

const roleParams = new Set(["student", "teacher", "staff", "district_admin", "contact"])

const cleverRoleOf = (role: Model.UserRole): string =>
  role === "student" || role === "teacher"
    ? role
    : role === "administrator"
      ? "district_admin"
      : role === "aide" || role === "proctor"
        ? "staff"
        : "contact"

const messageOf = (status: number): string =>
  status === 401
    ? "Unauthorized"
    : status === 404
      ? "Not Found"
      : status === 429
        ? "Too Many Requests"
        : status >= 500
          ? "Internal Server Error"
          : `HTTP ${status}`

/** A fake Clever Data API v3.0 over `options.dataset`. */
export const make = (options: Options): FakeServer => {
  const dataset = options.dataset
  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, "")
  const token = options.token ?? defaultToken
  const maxLimit = options.maxLimit ?? 10000
  const defaultLimit = options.defaultLimit ?? 100
  const plan = Faults.make(options.faults ?? [])
  const requests: Array<RecordedRequest> = []

  // Mapped records, computed once per collection on first use.
  const memo = <A>(build: () => A): (() => A) => {
    let value: A | undefined
    return () => (value ??= build())
  }
  // A sourcedId listed twice (once as a student, once as a teacher) is one Clever user with both roles.
  const users = memo(() => {
    const map = new Map<string, { readonly record: CleverUser; readonly roles: ReadonlySet<string> }>()
    for (const u of dataset.users) {
      const record = toCleverUser(dataset, u)
      const previous = map.get(u.sourcedId)
      map.set(
        u.sourcedId,
        previous === undefined
          ? { record, roles: new Set([cleverRoleOf(u.role)]) }
          : { record: { ...previous.record, roles: { ...previous.record.roles, ...record.roles } }, roles: new Set([...previous.roles, cleverRoleOf(u.role)]) }
      )
    }
    return map
  })
  const sections = memo(() => new Map(dataset.classes.map((c) => [c.sourcedId, toCleverSection(dataset, c)] as const)))
  const schools = memo(
    () => new Map(Dataset.byKind(dataset, "schools").map((o) => [o.sourcedId, toCleverSchool(dataset, o)] as const))
  )
  const courses = memo(() => new Map(dataset.courses.map((c) => [c.sourcedId, toCleverCourse(dataset, c)] as const)))
  const terms = memo(() => new Map(Dataset.byKind(dataset, "terms").map((t) => [t.sourcedId, toCleverTerm(dataset, t)] as const)))
  const districts = memo(
    () => new Map(dataset.orgs.filter((o) => o.type === "district").map((o) => [o.sourcedId, toCleverDistrict(dataset, o)] as const))
  )

  const sectionList = memo(() => [...sections().values()])
  const schoolList = memo(() => [...schools().values()])
  const courseList = memo(() => [...courses().values()])

  const error = (status: number, message: string) => json(status, { message })
  const pages = PageCache.make(options.cacheBytes ?? 0)
  // Where each id sits in a (memoized) list, so a cursor is found without a scan.
  const positionsOf = new WeakMap<ReadonlyArray<{ readonly id: string }>, ReadonlyMap<string, number>>()
  const indexIn = (records: ReadonlyArray<{ readonly id: string }>, id: string): number => {
    let index = positionsOf.get(records)
    if (index === undefined) {
      const map = new Map<string, number>()
      records.forEach((r, i) => {
        if (!map.has(r.id)) map.set(r.id, i)
      })
      positionsOf.set(records, map)
      index = map
    }
    return index.get(id) ?? -1
  }

  const list = (url: URL, resource: string, records: ReadonlyArray<{ readonly id: string }>): Response => {
    const params = url.searchParams
    const limitParam = integerParam(params, "limit")
    if (limitParam === "invalid" || limitParam === 0) return error(400, "limit must be a positive integer")
    if (limitParam !== undefined && limitParam > maxLimit) {
      return error(413, `limit ${limitParam} is too large: at most ${maxLimit} records per page`)
    }
    const limit = limitParam ?? defaultLimit
    const after = params.get("starting_after")
    const before = params.get("ending_before")
    let start = 0
    let end = records.length
    if (after !== null) {
      const at = indexIn(records, after)
      if (at < 0) return error(400, `starting_after ${after} is not a record of this list`)
      start = at + 1
    }
    if (before !== null) {
      const at = indexIn(records, before)
      if (at < 0) return error(400, `ending_before ${before} is not a record of this list`)
      end = at
      if (after === null) start = Math.max(0, end - limit)
    }
    const page = records.slice(start, Math.min(end, start + limit))
    const self = url.search === "" ? url.pathname : `${url.pathname}?${encodeQuery(params)}`
    const linkTo = (cursor: "starting_after" | "ending_before", id: string) => {
      const next = new URLSearchParams()
      next.set("limit", String(limit))
      params.forEach((value, key) => {
        if (key !== "limit" && key !== "starting_after" && key !== "ending_before") next.append(key, value)
      })
      next.set(cursor, id)
      return `${url.pathname}?${encodeQuery(next)}`
    }
    const links: Array<{ readonly rel: string; readonly uri: string }> = [{ rel: "self", uri: self }]
    const lastShown = start + page.length
    if (page.length > 0 && lastShown < end) links.push({ rel: "next", uri: linkTo("starting_after", page[page.length - 1]!.id) })
    if (page.length > 0 && start > 0) links.push({ rel: "prev", uri: linkTo("ending_before", page[0]!.id) })
    const build = () =>
      JSON.stringify({
        data: page.map((record) => ({ data: record, uri: `${basePath}/${resource}/${encodeURIComponent(record.id)}` })),
        links
      })
    // Every list is a function of its path and parameters (the dataset never changes).
    const cacheKey = PageCache.key(url.pathname, encodeQuery(params))
    const body = pages.get(cacheKey) ?? pages.put(cacheKey, { body: build(), total: 0 })
    return new Response(body.body, { status: 200, headers: { "Content-Type": "application/json" } })
  }

  const single = (resource: string, record: { readonly id: string } | undefined): Response =>
    record === undefined
      ? error(404, "Resource not found")
      : json(200, {
          data: record,
          links: [{ rel: "self", uri: `${basePath}/${resource}/${encodeURIComponent(record.id)}` }]
        })

  // The top-level /users listing by role (null: every user), built once per role.
  const roleLists = new Map<string | null, ReadonlyArray<CleverUser>>()
  const usersWithRoleList = (role: string | null): ReadonlyArray<CleverUser> => {
    let records = roleLists.get(role)
    if (records === undefined) {
      records = [...users().values()].filter((entry) => role === null || entry.roles.has(role)).map((entry) => entry.record)
      roleLists.set(role, records)
    }
    return records
  }

  const usersWithRole = (url: URL, ids: Iterable<string>): Response | ReadonlyArray<CleverUser> => {
    const role = url.searchParams.get("role")
    if (role !== null && !roleParams.has(role)) return error(400, `role must be one of ${[...roleParams].join(", ")}`)
    const all = users()
    const out: Array<CleverUser> = []
    for (const id of new Set(ids)) {
      const entry = all.get(id)
      if (entry !== undefined && (role === null || entry.roles.has(role))) out.push(entry.record)
    }
    return out
  }

  const route = (url: URL, segments: ReadonlyArray<string>): Response => {
    const [resource, id, sub] = segments
    const notFound = () => error(404, "Resource not found")
    if (segments.length > 3) return notFound()
    const listUsers = (ids: Iterable<string>) => {
      const selected = usersWithRole(url, ids)
      return selected instanceof Response ? selected : list(url, "users", selected)
    }
    switch (resource) {
      case "users": {
        if (id === undefined) {
          const role = url.searchParams.get("role")
          if (role !== null && !roleParams.has(role)) return error(400, `role must be one of ${[...roleParams].join(", ")}`)
          return list(url, "users", usersWithRoleList(role))
        }
        const user = users().get(id)
        if (sub === undefined) return single("users", user?.record)
        if (user === undefined) return notFound()
        if (sub === "sections") return list(url, "sections", Dataset.classesOfUser(dataset, id).map((c) => sections().get(c.sourcedId)!))
        if (sub === "schools") {
          const orgs = new Set((Dataset.find(dataset, "users", id)?.orgs ?? []).map((o) => o.sourcedId))
          return list(url, "schools", [...schools().values()].filter((s) => orgs.has(s.id)))
        }
        return notFound()
      }
      case "sections": {
        if (id === undefined) return list(url, "sections", sectionList())
        const section = sections().get(id)
        if (sub === undefined) return single("sections", section)
        if (section === undefined) return notFound()
        if (sub === "users") {
          const role = url.searchParams.get("role")
          if (role !== null && role !== "student" && role !== "teacher") return error(400, "role must be student or teacher")
          return listUsers([...section.students, ...section.teachers].sort(byUserPosition))
        }
        return notFound()
      }
      case "schools": {
        if (id === undefined) return list(url, "schools", schoolList())
        const school = schools().get(id)
        if (sub === undefined) return single("schools", school)
        if (school === undefined) return notFound()
        switch (sub) {
          case "users":
            return listUsers(
              [...Dataset.membersOf(dataset, "schools", id, "students"), ...Dataset.membersOf(dataset, "schools", id, "teachers")]
                .map((u) => u.sourcedId)
                .sort(byUserPosition)
            )
          case "sections":
            return list(url, "sections", Dataset.classesOfSchool(dataset, id).map((c) => sections().get(c.sourcedId)!))
          case "courses":
            return list(url, "courses", Dataset.coursesOfSchool(dataset, id).map((c) => courses().get(c.sourcedId)!))
          case "terms":
            return list(url, "terms", Dataset.termsOfSchool(dataset, id).map((t) => terms().get(t.sourcedId)!))
          default:
            return notFound()
        }
      }
      case "courses": {
        if (id === undefined) return list(url, "courses", courseList())
        const course = courses().get(id)
        if (sub === undefined) return single("courses", course)
        if (course === undefined || sub !== "sections") return notFound()
        return list(url, "sections", Dataset.classesOfCourse(dataset, id).map((c) => sections().get(c.sourcedId)!))
      }
      case "terms": {
        if (id === undefined) return list(url, "terms", [...terms().values()])
        const term = terms().get(id)
        if (sub === undefined) return single("terms", term)
        if (term === undefined || sub !== "sections") return notFound()
        return list(url, "sections", Dataset.classesOfTerm(dataset, id).map((c) => sections().get(c.sourcedId)!))
      }
      case "districts": {
        if (id === undefined) return list(url, "districts", [...districts().values()])
        if (sub === undefined) return single("districts", districts().get(id))
        return notFound()
      }
      default:
        return notFound()
    }
  }

  const positions = memo(() => new Map(dataset.users.map((u, i) => [u.sourcedId, i] as const)))
  const byUserPosition = (a: string, b: string) => (positions().get(a) ?? 0) - (positions().get(b) ?? 0)

  const authorize = (request: Request): Response | undefined => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")
    return match === null || match[1] !== token ? error(401, "Unauthorized: a valid district bearer token is required") : undefined
  }

  const answer = async (request: Request, url: URL): Promise<Response> => {
    const denied = authorize(request)
    if (denied !== undefined) return denied
    if (request.method !== "GET" && request.method !== "HEAD") return error(405, `${request.method} is not supported`)
    const segments = segmentsUnder(url.pathname, basePath)
    if (segments === undefined || segments.length === 0) return error(404, "Resource not found")
    return route(url, segments)
  }

  const handle = async (request: Request): Promise<Response> => {
    requests.push({ method: request.method, url: request.url })
    const url = new URL(request.url)
    return Faults.apply(plan.next(url), () => answer(request, url), (status) => JSON.stringify({ message: messageOf(status) }))
  }

  return { handle, authorize, requests, baseUrl, origins: [new URL(baseUrl).origin], token }
}
