/**
 * Fixture districts: the seven OneRoster 1.1 collections as plain core Model records, and
 * the helpers the fakes and the conformance suite answer queries with.
 *
 * `generate` builds a district of any size from a seed (mulberry32, never Math.random), in
 * one pass (O(n) in the number of users and seats), with the awkward cases real rosters
 * have: several sections sharing a title, titles with spaces, parentheses, slashes,
 * apostrophes and ampersands ("Art / Design", "O'Brien's Homeroom", "Biology (Honors)",
 * "Music & Choir"), a title differing only in case, non-ASCII names (José, Zoë, Łukasz, 李),
 * students in several classes, students in two schools (two org refs and a class in each),
 * records with status "tobedeleted", and dateLastModified spread over a year.
 *
 * The helpers (`byKind`, `membersOf`, `classesOfCourse` …) are plain code over the arrays,
 * independent of the query engine: they define the expected answers. They index a dataset
 * lazily on first use, so a dataset must not be mutated after it is built.
 */
import * as Model from "@rosterkit/core/Model"
import { asciiFold, chance, int, mulberry32, pick, type Random } from "./internal/random.js"

/** A district: every OneRoster 1.1 collection, as core Model records. */
export interface Dataset {
  readonly orgs: ReadonlyArray<Model.Org>
  readonly users: ReadonlyArray<Model.User>
  readonly courses: ReadonlyArray<Model.Course>
  readonly classes: ReadonlyArray<Model.Class>
  readonly enrollments: ReadonlyArray<Model.Enrollment>
  readonly academicSessions: ReadonlyArray<Model.AcademicSession>
  readonly demographics: ReadonlyArray<Model.Demographics>
}

/** The size of a generated district. Every count must be a non-negative integer. */
export interface GenerateOptions {
  /** The PRNG seed: the same seed and sizes give the same district (JSON-identical). */
  readonly seed: number
  /** Schools under the one district org (default 3; cycles high, middle, elementary). */
  readonly schools?: number
  /** Students whose first org is each school (default 40). */
  readonly studentsPerSchool?: number
  /** Teachers of each school (default 4). */
  readonly teachersPerSchool?: number
  /** Classes each teacher teaches (default 3; the first is a homeroom when there are 2 or more). */
  readonly classesPerTeacher?: number
  /** Students enrolled in each class (default 12, at most the school's students). */
  readonly studentsPerClass?: number
}

// ---------------------------------------------------------------------------------------------
// Generation

type Level = "high" | "middle" | "elementary"

interface CourseTemplate {
  readonly title: string
  readonly code: string
  readonly subject: string
}

const catalog: Record<Level, ReadonlyArray<CourseTemplate>> = {
  high: [
    { title: "Algebra I", code: "ALG1", subject: "Mathematics" },
    { title: "Art / Design", code: "ARTD", subject: "Art" },
    { title: "Biology (Honors)", code: "BIOH", subject: "Science" },
    { title: "World History", code: "WHIS", subject: "Social Studies" },
    { title: "Français 2", code: "FRA2", subject: "World Languages" },
    { title: "Computer Science (AP)", code: "CSAP", subject: "Computer Science" },
    { title: "English 10", code: "ENG10", subject: "English Language Arts" },
    { title: "Physical Education", code: "PE", subject: "Physical Education" }
  ],
  middle: [
    { title: "ELA 6", code: "ELA6", subject: "English Language Arts" },
    { title: "Art / Design", code: "ARTD", subject: "Art" },
    { title: "Math 7", code: "MAT7", subject: "Mathematics" },
    { title: "Science 8", code: "SCI8", subject: "Science" },
    { title: "Música", code: "MUS", subject: "Music" },
    { title: "Physical Education", code: "PE", subject: "Physical Education" }
  ],
  elementary: [
    { title: "Reading / Writing", code: "RDWR", subject: "English Language Arts" },
    { title: "Art / Design", code: "ARTD", subject: "Art" },
    { title: "Math", code: "MATH", subject: "Mathematics" },
    { title: "Music & Choir", code: "MUSC", subject: "Music" },
    { title: "Science", code: "SCI", subject: "Science" }
  ]
}

const levelGrades: Record<Level, ReadonlyArray<string>> = {
  high: ["09", "10", "11", "12"],
  middle: ["06", "07", "08"],
  elementary: ["KG", "01", "02", "03", "04", "05"]
}

const schoolNames: Record<Level, ReadonlyArray<string>> = {
  high: ["Lincoln High School", "St. Mary's Academy", "Roosevelt High School", "Lycée Jean-Moulin"],
  middle: ["Jefferson Middle School", "Escuela Intermedia José Martí", "Washington Middle School"],
  elementary: ["Sunnyside Elementary", "Oak Grove Elementary (K-5)", "Åsgård Primary", "Maple / Pine Elementary"]
}

const givenNames: ReadonlyArray<string> = [
  "James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofía", "José", "Zoë", "Łukasz", "Chloé", "Mohammed",
  "Aisha", "Wei", "Yuki", "Ngozi", "Siobhán", "Björn", "Anaïs", "Dmitri", "Priya", "Kai", "Mary Ann", "Jean-Luc",
  "Ethan", "Mia", "Lucas", "Amelia", "Elijah", "Harper", "Benjamin", "Isabella", "Daniel", "Camila", "Søren",
  "Maya", "Omar", "Leila", "Hannah", "Diego", "Fatima", "Samuel", "Grace", "Nikolai", "Ana", "Tomás", "Ines"
]

const familyNames: ReadonlyArray<string> = [
  "Smith", "Johnson", "García", "Müller", "Nowak", "李", "O'Brien", "O'Connor", "D'Angelo", "van der Berg", "Nguyễn",
  "Kowalski", "Smith-Jones", "Brown", "Martínez", "Kim", "Patel", "Okafor", "Dubois", "Rossi", "Yamamoto",
  "Williams", "Jones", "Davis", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
  "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis", "Robinson", "Walker",
  "Young", "Allen", "King", "Wright", "Scott", "Torres", "Hill", "Ó Súilleabháin", "Øster"
]

const middleNames: ReadonlyArray<string> = ["", "", "", "Ann", "Lee", "Marie", "J.", "Rose", "Alexander", "José"]

/** The first students and the first teacher get these names, so every district has them. */
const forcedStudents: ReadonlyArray<readonly [string, string]> = [
  ["José", "García"],
  ["Zoë", "Müller"],
  ["Łukasz", "Nowak"],
  ["娜", "李"]
]
const forcedTeacher: readonly [string, string] = ["Siobhán", "O'Brien"]

const specialRooms: ReadonlyArray<string> = ["Gym", "Library", "Room 12B", "Portable 3", "Art Studio"]

const yearStart = Date.UTC(2024, 7, 1)
const yearSeconds = 365 * 24 * 3600

const two = (n: number) => (n < 10 ? `0${n}` : String(n))
/** "2024-08-01T" … for the 365 days from yearStart (formatting by hand: Date#toISOString is slow). */
const dayPrefixes: ReadonlyArray<string> = Array.from({ length: 366 }, (_, d) =>
  new Date(yearStart + d * 86_400_000).toISOString().slice(0, 11)
)

/** A dateLastModified in the year from 2024-08-01 (whole seconds). */
const randomDate = (random: Random): string => {
  const seconds = int(random, yearSeconds)
  const day = Math.floor(seconds / 86_400)
  const rest = seconds - day * 86_400
  const hour = Math.floor(rest / 3600)
  const minute = Math.floor((rest - hour * 3600) / 60)
  return `${dayPrefixes[day]}${two(hour)}:${two(minute)}:${two(rest % 60)}.000Z`
}

const ref = (sourcedId: string, type: string): Model.GUIDRef => ({ sourcedId, type })

const positiveCount = (name: string, value: number | undefined, fallback: number, min: number): number => {
  const n = value ?? fallback
  if (!Number.isInteger(n) || n < min) throw new RangeError(`Dataset.generate: ${name} must be an integer >= ${min}, got ${n}`)
  return n
}

const sessions = (): ReadonlyArray<Model.AcademicSession> => {
  const session = (
    sourcedId: string,
    title: string,
    type: string,
    startDate: string,
    endDate: string,
    parent: string | undefined,
    children: ReadonlyArray<string>
  ): Model.AcademicSession => ({
    sourcedId,
    status: "active",
    dateLastModified: "2024-07-15T08:00:00.000Z",
    title,
    type,
    startDate,
    endDate,
    parent: parent === undefined ? null : ref(parent, "academicSession"),
    children: children.map((c) => ref(c, "academicSession")),
    schoolYear: "2025"
  })
  return [
    session("year-2025", "2024-2025", "schoolYear", "2024-08-01", "2025-06-30", undefined, ["term-2024-fall", "term-2025-spring"]),
    session("term-2024-fall", "Fall 2024", "term", "2024-08-01", "2024-12-20", "year-2025", ["gp-2024-q1", "gp-2024-q2"]),
    session("term-2025-spring", "Spring 2025", "term", "2025-01-06", "2025-06-30", "year-2025", ["gp-2025-q3", "gp-2025-q4"]),
    session("gp-2024-q1", "Q1 2024-2025", "gradingPeriod", "2024-08-01", "2024-10-11", "term-2024-fall", []),
    session("gp-2024-q2", "Q2 2024-2025", "gradingPeriod", "2024-10-14", "2024-12-20", "term-2024-fall", []),
    session("gp-2025-q3", "Q3 2024-2025", "gradingPeriod", "2025-01-06", "2025-03-21", "term-2025-spring", []),
    session("gp-2025-q4", "Q4 2024-2025", "gradingPeriod", "2025-03-24", "2025-06-30", "term-2025-spring", [])
  ]
}

const termDates: Record<string, readonly [string, string]> = {
  "term-2024-fall": ["2024-08-01", "2024-12-20"],
  "term-2025-spring": ["2025-01-06", "2025-06-30"]
}

/**
 * Generates a district from a seed. Deterministic (same options, same JSON) and O(n): 100k
 * users with 200k enrollments take a second or two.
 *
 * Layout: one district org ("district-1") with the schools as children; each school has its
 * own course catalog (titles repeat across schools, so several courses and many sections share
 * a title); each teacher teaches `classesPerTeacher` classes, the first a homeroom titled
 * "<family name>'s Homeroom" (the first teacher is an O'Brien); each class enrolls its teacher
 * and `studentsPerClass` of the school's students; about 5% of students also belong to the
 * next school (second org ref, plus one class there); about 3% of users, 2% of classes and 2%
 * of enrollments are "tobedeleted". Terms, grading periods and a school year are in
 * `academicSessions`; each student has a demographics record (same sourcedId).
 */
export const generate = (options: GenerateOptions): Dataset => {
  const schoolCount = positiveCount("schools", options.schools, 3, 1)
  const studentsPerSchool = positiveCount("studentsPerSchool", options.studentsPerSchool, 40, 0)
  const teachersPerSchool = positiveCount("teachersPerSchool", options.teachersPerSchool, 4, 0)
  const classesPerTeacher = positiveCount("classesPerTeacher", options.classesPerTeacher, 3, 0)
  const studentsPerClass = positiveCount("studentsPerClass", options.studentsPerClass, 12, 0)
  const random = mulberry32(options.seed)
  // dateLastModified values come from a pool of 8192 instants spread over the year: varied
  // enough for delta reads, and shared strings keep a million records cheap to build.
  const datePool = Array.from({ length: 8192 }, () => randomDate(random))
  const modified = (r: Random) => datePool[int(r, datePool.length)]!

  const districtId = "district-1"
  const orgs: Array<Model.Org> = []
  const students: Array<Model.User> = []
  const teachers: Array<Model.User> = []
  const courses: Array<Model.Course> = []
  const classes: Array<Model.Class> = []
  const classRefs: Array<Model.GUIDRef> = [] // by class position
  const enrollments: Array<Model.Enrollment> = []
  const demographics: Array<Model.Demographics> = []
  const academicSessions = sessions()

  // Mutable while generating (a second org ref is added to dual-school students).
  const studentOrgs: Array<Array<Model.GUIDRef>> = []
  const schoolStudents: Array<Array<number>> = [] // student positions per school
  const schoolClasses: Array<Array<number>> = [] // class positions per school
  const usernames = new Set<string>()
  const usernameCounts = new Map<string, number>()
  let userCount = 0
  let enrollmentCount = 0

  const folded = new Map<string, string>()
  const fold = (name: string): string => {
    let f = folded.get(name)
    if (f === undefined) {
      f = asciiFold(name) || "user"
      folded.set(name, f)
    }
    return f
  }
  const username = (given: string, family: string): string => {
    const base = `${fold(given)}.${fold(family)}`
    let n = usernameCounts.get(base) ?? 0
    let name = n === 0 ? base : `${base}${n + 1}`
    while (usernames.has(name)) name = `${base}${++n + 1}`
    usernameCounts.set(base, n + 1)
    usernames.add(name)
    return name
  }

  const makeUser = (role: "student" | "teacher", position: number, schoolId: string, grade: string | undefined): Model.User => {
    userCount++
    const forced = role === "student" ? forcedStudents[position] : position === 0 ? forcedTeacher : undefined
    const given = forced?.[0] ?? pick(random, givenNames)
    const family = forced?.[1] ?? pick(random, familyNames)
    const middle = pick(random, middleNames)
    const sourcedId = role === "student" ? `student-${position + 1}` : `teacher-${position + 1}`
    const identifier = role === "student" ? `S${100000 + position}` : `T${5000 + position}`
    const login = username(given, family)
    const orgRefs = [ref(schoolId, "org")]
    if (role === "student") studentOrgs.push(orgRefs)
    return {
      sourcedId,
      status: chance(random, 0.03) || userCount === 8 ? "tobedeleted" : "active",
      dateLastModified: modified(random),
      username: login,
      userIds: [{ type: "SIS", identifier }],
      enabledUser: "true",
      givenName: given,
      familyName: family,
      middleName: middle,
      role,
      identifier,
      email: `${login}@${role === "student" ? "students." : ""}district.example`,
      sms: "",
      phone: "",
      agents: [],
      orgs: orgRefs,
      grades: grade === undefined ? [] : [grade],
      password: ""
    }
  }

  // Refs are shared between records (they are immutable): 100k users mean ~1M enrollments.
  const userRefs = new Map<string, Model.GUIDRef>()
  const userRef = (user: Model.User): Model.GUIDRef => {
    let r = userRefs.get(user.sourcedId)
    if (r === undefined) {
      r = ref(user.sourcedId, "user")
      userRefs.set(user.sourcedId, r)
    }
    return r
  }
  const enroll = (user: Model.User, cls: Model.Class, classRef: Model.GUIDRef, role: "student" | "teacher", termId: string): void => {
    enrollmentCount++
    const [beginDate, endDate] = termDates[termId]!
    enrollments.push({
      sourcedId: `enr-${enrollmentCount}`,
      status: chance(random, 0.02) ? "tobedeleted" : "active",
      dateLastModified: modified(random),
      user: userRef(user),
      class: classRef,
      school: cls.school!,
      role,
      primary: role === "teacher" ? "true" : "false",
      beginDate,
      endDate
    })
  }

  const schoolIds: Array<string> = []
  for (let s = 0; s < schoolCount; s++) {
    const level: Level = (["high", "middle", "elementary"] as const)[s % 3]!
    const levelIndex = Math.floor(s / 3)
    const names = schoolNames[level]
    const baseName = names[levelIndex % names.length]!
    const name = levelIndex < names.length ? baseName : `${baseName} ${Math.floor(levelIndex / names.length) + 1}`
    const schoolId = `school-${s + 1}`
    schoolIds.push(schoolId)
    orgs.push({
      sourcedId: schoolId,
      status: "active",
      dateLastModified: modified(random),
      name,
      type: "school",
      identifier: `${1000 + s}`,
      parent: ref(districtId, "org"),
      children: []
    })
    const grades = levelGrades[level]

    // Courses: the level's catalog, one course per template.
    const schoolCourses: Array<Model.Course> = catalog[level].map((template) => {
      const course: Model.Course = {
        sourcedId: `course-${courses.length + 1}`,
        status: "active",
        dateLastModified: modified(random),
        title: template.title,
        schoolYear: ref("year-2025", "academicSession"),
        courseCode: `${template.code}-${s + 1}`,
        grades: [...grades],
        subjects: [template.subject],
        org: ref(schoolId, "org")
      }
      courses.push(course)
      return course
    })
    const homeroomCourse: Model.Course = {
      sourcedId: `course-${courses.length + 1}`,
      status: "active",
      dateLastModified: modified(random),
      title: "Homeroom",
      schoolYear: ref("year-2025", "academicSession"),
      courseCode: `HR-${s + 1}`,
      grades: [...grades],
      subjects: ["Homeroom"],
      org: ref(schoolId, "org")
    }

    // Students.
    const positions: Array<number> = []
    for (let i = 0; i < studentsPerSchool; i++) {
      const position = students.length
      students.push(makeUser("student", position, schoolId, pick(random, grades)))
      positions.push(position)
    }
    schoolStudents.push(positions)

    // Teachers and their classes.
    const classPositions: Array<number> = []
    let scheduled = 0
    let homeroomListed = false
    for (let t = 0; t < teachersPerSchool; t++) {
      const teacher = makeUser("teacher", teachers.length, schoolId, undefined)
      teachers.push(teacher)
      for (let k = 0; k < classesPerTeacher; k++) {
        const homeroom = k === 0 && classesPerTeacher > 1
        if (homeroom && !homeroomListed) {
          courses.push(homeroomCourse)
          homeroomListed = true
        }
        const course = homeroom ? homeroomCourse : schoolCourses[scheduled++ % schoolCourses.length]!
        const sourcedId = `class-${classes.length + 1}`
        // Every 11th scheduled section has its title in capitals: matching must ignore case.
        const title = homeroom
          ? `${teacher.familyName}'s Homeroom`
          : (scheduled % 11 === 10 ? course.title!.toUpperCase() : course.title!)
        const term = homeroom ? "both" : pick(random, ["term-2024-fall", "term-2025-spring", "both"] as const)
        const terms = term === "both" ? ["term-2024-fall", "term-2025-spring"] : [term]
        const room = chance(random, 0.08) ? pick(random, specialRooms) : `${1 + int(random, 3)}${String(1 + int(random, 30)).padStart(2, "0")}`
        const cls: Model.Class = {
          sourcedId,
          status: chance(random, 0.02) ? "tobedeleted" : "active",
          dateLastModified: modified(random),
          title,
          classCode: `${course.courseCode}-${String(classPositions.length + 1).padStart(2, "0")}`,
          classType: homeroom ? "homeroom" : "scheduled",
          location: room,
          grades: homeroom ? [...grades] : [pick(random, grades)],
          subjects: [...(course.subjects ?? [])],
          course: ref(course.sourcedId, "course"),
          school: ref(schoolId, "org"),
          terms: terms.map((id) => ref(id, "academicSession")),
          periods: [String(1 + int(random, 8))]
        }
        classPositions.push(classes.length)
        classes.push(cls)
        const classRef = ref(sourcedId, "class")
        classRefs.push(classRef)
        enroll(teacher, cls, classRef, "teacher", terms[0]!)
        // A run of consecutive students (wrapping), so each student lands in several classes.
        const size = Math.min(studentsPerClass, positions.length)
        const start = positions.length === 0 ? 0 : int(random, positions.length)
        for (let i = 0; i < size; i++) {
          enroll(students[positions[(start + i) % positions.length]!]!, cls, classRef, "student", terms[0]!)
        }
      }
    }
    schoolClasses.push(classPositions)
  }

  // Students in two schools: a second org ref and one class in the next school.
  if (schoolCount > 1) {
    for (let s = 0; s < schoolCount; s++) {
      const next = (s + 1) % schoolCount
      for (const position of schoolStudents[s]!) {
        if (!(chance(random, 0.05) || position === 4)) continue
        studentOrgs[position]!.push(ref(schoolIds[next]!, "org"))
        const nextClasses = schoolClasses[next]!
        if (nextClasses.length > 0) {
          const at = nextClasses[int(random, nextClasses.length)]!
          const cls = classes[at]!
          enroll(students[position]!, cls, classRefs[at]!, "student", cls.terms![0]!.sourcedId)
        }
      }
    }
  }

  for (const student of students) {
    demographics.push({
      sourcedId: student.sourcedId,
      status: student.status!,
      dateLastModified: student.dateLastModified!,
      birthDate: `${2006 + int(random, 13)}-${String(1 + int(random, 12)).padStart(2, "0")}-${String(1 + int(random, 28)).padStart(2, "0")}`,
      sex: pick(random, ["male", "female", "female", "male", "other"])
    })
  }

  const district: Model.Org = {
    sourcedId: districtId,
    status: "active",
    dateLastModified: "2024-07-01T12:00:00.000Z",
    name: "Riverside Unified School District",
    type: "district",
    identifier: "0600001",
    parent: null,
    children: schoolIds.map((id) => ref(id, "org"))
  }

  return {
    orgs: [district, ...orgs],
    users: [...students, ...teachers],
    courses,
    classes,
    enrollments,
    academicSessions,
    demographics
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers: the expected answers, by plain code.

interface Index {
  readonly position: ReadonlyMap<string, number>
  readonly users: ReadonlyMap<string, Model.User>
  readonly orgs: ReadonlyMap<string, Model.Org>
  readonly classes: ReadonlyMap<string, Model.Class>
  readonly courses: ReadonlyMap<string, Model.Course>
  readonly sessions: ReadonlyMap<string, Model.AcademicSession>
  readonly enrollmentsByClass: ReadonlyMap<string, ReadonlyArray<Model.Enrollment>>
  readonly enrollmentsByUser: ReadonlyMap<string, ReadonlyArray<Model.Enrollment>>
  readonly enrollmentsBySchool: ReadonlyMap<string, ReadonlyArray<Model.Enrollment>>
  readonly classesByCourse: ReadonlyMap<string, ReadonlyArray<Model.Class>>
  readonly classesBySchool: ReadonlyMap<string, ReadonlyArray<Model.Class>>
  readonly classesByTerm: ReadonlyMap<string, ReadonlyArray<Model.Class>>
  readonly coursesByOrg: ReadonlyMap<string, ReadonlyArray<Model.Course>>
  readonly usersByOrg: ReadonlyMap<string, ReadonlyArray<Model.User>>
}

const indexes = new WeakMap<Dataset, Index>()

const push = <K, V>(map: Map<K, Array<V>>, key: K | undefined, value: V) => {
  if (key === undefined) return
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/**
 * The district as a OneRoster 1.2 SIS holds it: every user carries `roles[]` (its 1.1 role and
 * orgs mapped: primary in the first org, secondary in the others), and 1.2's wider roles show
 * up: the first teacher of each school is also a parent there (a secondary role), the second
 * teacher also takes a class as a student at another school (a primary role there: a user in
 * both /teachers and /students), and each school gets an aide and a counselor with an
 * `ext:` role besides (no student or teacher: in no query). Deterministic; `dataset` is not
 * changed.
 */
export const v1p2 = (dataset: Dataset): Dataset => {
  const schools = dataset.orgs.filter((o) => o.type === "school")
  const teachersBySchool = new Map<string, Array<Model.User>>()
  for (const u of dataset.users) {
    const first = u.orgs?.[0]?.sourcedId
    if (u.role === "teacher" && first !== undefined) push(teachersBySchool, first, u)
  }
  const extra = new Map<string, ReadonlyArray<Model.RoleAssignment>>()
  schools.forEach((school, i) => {
    const [first, second] = teachersBySchool.get(school.sourcedId) ?? []
    const ref = { sourcedId: school.sourcedId, type: "org" }
    if (first !== undefined) extra.set(first.sourcedId, [{ roleType: "secondary", role: "parent", org: ref }])
    const other = schools[(i + 1) % schools.length]!
    if (second !== undefined && other.sourcedId !== school.sourcedId) {
      extra.set(second.sourcedId, [{ roleType: "primary", role: "student", org: { sourcedId: other.sourcedId, type: "org" } }])
    }
  })
  const users: Array<Model.User> = dataset.users.map((u) => {
    const roles = [...Model.rolesOf(u), ...(extra.get(u.sourcedId) ?? [])]
    return { ...u, roles, orgs: Model.orgsFrom(roles) }
  })
  for (const school of schools) {
    const org = { sourcedId: school.sourcedId, type: "org" }
    const staff = (id: string, roles: ReadonlyArray<Model.RoleAssignment>, givenName: string): Model.User => ({
      sourcedId: `${id}-${school.sourcedId}`,
      status: "active",
      dateLastModified: "2024-08-01T00:00:00.000Z",
      enabledUser: "true",
      username: `${id}.${school.sourcedId}`,
      givenName,
      familyName: "Staff",
      role: roles[0]!.role,
      roles,
      orgs: [org],
      primaryOrg: org,
      preferredFirstName: givenName.slice(0, 3),
      pronouns: "they/them"
    })
    users.push(staff("aide", [{ roleType: "primary", role: "aide", org }], "Alex"))
    users.push(
      staff("counselor", [{ roleType: "primary", role: "counselor", org }, { roleType: "secondary", role: "ext:mentor", org }], "Robin")
    )
  }
  return { ...dataset, users }
}

const byId = <A extends { readonly sourcedId: string }>(records: ReadonlyArray<A>): Map<string, A> => {
  const map = new Map<string, A>()
  for (const r of records) if (!map.has(r.sourcedId)) map.set(r.sourcedId, r)
  return map
}

const indexOf = (dataset: Dataset): Index => {
  const existing = indexes.get(dataset)
  if (existing !== undefined) return existing
  const position = new Map<string, number>()
  dataset.users.forEach((u, i) => {
    if (!position.has(u.sourcedId)) position.set(u.sourcedId, i)
  })
  const enrollmentsByClass = new Map<string, Array<Model.Enrollment>>()
  const enrollmentsByUser = new Map<string, Array<Model.Enrollment>>()
  const enrollmentsBySchool = new Map<string, Array<Model.Enrollment>>()
  for (const e of dataset.enrollments) {
    push(enrollmentsByClass, e.class.sourcedId, e)
    push(enrollmentsByUser, e.user.sourcedId, e)
    push(enrollmentsBySchool, e.school?.sourcedId, e)
  }
  const classesByCourse = new Map<string, Array<Model.Class>>()
  const classesBySchool = new Map<string, Array<Model.Class>>()
  const classesByTerm = new Map<string, Array<Model.Class>>()
  for (const c of dataset.classes) {
    push(classesByCourse, c.course?.sourcedId, c)
    push(classesBySchool, c.school?.sourcedId, c)
    for (const term of new Set((c.terms ?? []).map((t) => t.sourcedId))) push(classesByTerm, term, c)
  }
  const coursesByOrg = new Map<string, Array<Model.Course>>()
  for (const c of dataset.courses) push(coursesByOrg, c.org?.sourcedId ?? undefined, c)
  const usersByOrg = new Map<string, Array<Model.User>>()
  for (const u of dataset.users) {
    for (const org of new Set((u.orgs ?? Model.orgsFrom(u.roles ?? [])).map((o) => o.sourcedId))) push(usersByOrg, org, u)
  }
  const index: Index = {
    position,
    users: byId(dataset.users),
    orgs: byId(dataset.orgs),
    classes: byId(dataset.classes),
    courses: byId(dataset.courses),
    sessions: byId(dataset.academicSessions),
    enrollmentsByClass,
    enrollmentsByUser,
    enrollmentsBySchool,
    classesByCourse,
    classesBySchool,
    classesByTerm,
    coursesByOrg,
    usersByOrg
  }
  indexes.set(dataset, index)
  return index
}

const userRoleOf = { students: "student", teachers: "teacher" } as const

/**
 * The records of one OneRoster collection, in dataset order: `students` / `teachers` are the
 * users with that role, `schools` the orgs of type school, `terms` / `gradingPeriods` the
 * academic sessions of that type; the rest are the arrays themselves.
 */
export const byKind = <K extends Model.EntityKind>(dataset: Dataset, kind: K): ReadonlyArray<Model.EntityOf<K>> => {
  const records = ((): ReadonlyArray<unknown> => {
    switch (kind) {
      case "users":
        return dataset.users
      case "students":
        return dataset.users.filter((u) => Model.hasRole(u, "student"))
      case "teachers":
        return dataset.users.filter((u) => Model.hasRole(u, "teacher"))
      case "orgs":
        return dataset.orgs
      case "schools":
        return dataset.orgs.filter((o) => o.type === "school")
      case "classes":
        return dataset.classes
      case "courses":
        return dataset.courses
      case "enrollments":
        return dataset.enrollments
      case "academicSessions":
        return dataset.academicSessions
      case "terms":
        return dataset.academicSessions.filter((s) => s.type === "term")
      case "gradingPeriods":
        return dataset.academicSessions.filter((s) => s.type === "gradingPeriod")
      default:
        return dataset.demographics
    }
  })()
  return records as ReadonlyArray<Model.EntityOf<K>>
}

/** Does `record` belong to collection `kind` (e.g. a user with role student to "students")? */
export const isOfKind = (kind: Model.EntityKind, record: unknown): boolean => {
  const r = record as { readonly role?: unknown; readonly roles?: unknown; readonly type?: unknown }
  const holds = (role: string) =>
    r.role === role || (Array.isArray(r.roles) && r.roles.some((x) => (x as { readonly role?: unknown } | null)?.role === role))
  switch (kind) {
    case "students":
      return holds("student")
    case "teachers":
      return holds("teacher")
    case "schools":
      return r.type === "school"
    case "terms":
      return r.type === "term"
    case "gradingPeriods":
      return r.type === "gradingPeriod"
    default:
      return true
  }
}

/** One record of a collection by sourcedId (respecting the collection: a teacher is no student). */
export const find = <K extends Model.EntityKind>(dataset: Dataset, kind: K, sourcedId: string): Model.EntityOf<K> | undefined => {
  const index = indexOf(dataset)
  const record = ((): unknown => {
    switch (kind) {
      case "users":
      case "students":
      case "teachers":
        return index.users.get(sourcedId)
      case "orgs":
      case "schools":
        return index.orgs.get(sourcedId)
      case "classes":
        return index.classes.get(sourcedId)
      case "courses":
        return index.courses.get(sourcedId)
      case "academicSessions":
      case "terms":
      case "gradingPeriods":
        return index.sessions.get(sourcedId)
      default:
        return byKind(dataset, kind).find((r) => r.sourcedId === sourcedId)
    }
  })()
  return record !== undefined && isOfKind(kind, record) ? (record as Model.EntityOf<K>) : undefined
}

const inDatasetOrder = (index: Index, users: Iterable<Model.User>): ReadonlyArray<Model.User> =>
  [...users].sort((a, b) => (index.position.get(a.sourcedId) ?? 0) - (index.position.get(b.sourcedId) ?? 0))

/**
 * The students or teachers of a class (users with that role enrolled in it with that role) or
 * of a school (users holding that role in any of their roles whose orgs include it), de-duplicated, in dataset order.
 * Status is not looked at: "tobedeleted" records count, as a server would return them.
 */
export const membersOf = (
  dataset: Dataset,
  kind: "classes" | "schools",
  sourcedId: string,
  role: "students" | "teachers"
): ReadonlyArray<Model.User> => {
  const index = indexOf(dataset)
  const userRole = userRoleOf[role]
  if (kind === "schools") return (index.usersByOrg.get(sourcedId) ?? []).filter((u) => Model.hasRole(u, userRole))
  const members = new Map<string, Model.User>()
  for (const e of index.enrollmentsByClass.get(sourcedId) ?? []) {
    if (e.role !== userRole) continue
    const user = index.users.get(e.user.sourcedId)
    if (user !== undefined && Model.hasRole(user, userRole)) members.set(user.sourcedId, user)
  }
  return inDatasetOrder(index, members.values())
}

/** The classes whose `course` is `courseId`, in dataset order. */
export const classesOfCourse = (dataset: Dataset, courseId: string): ReadonlyArray<Model.Class> =>
  indexOf(dataset).classesByCourse.get(courseId) ?? []

/** The classes whose `school` is `schoolId`. */
export const classesOfSchool = (dataset: Dataset, schoolId: string): ReadonlyArray<Model.Class> =>
  indexOf(dataset).classesBySchool.get(schoolId) ?? []

/** The classes whose `terms` include `termId`. */
export const classesOfTerm = (dataset: Dataset, termId: string): ReadonlyArray<Model.Class> =>
  indexOf(dataset).classesByTerm.get(termId) ?? []

/** The classes a user is enrolled in (any role), de-duplicated, in dataset order. */
export const classesOfUser = (dataset: Dataset, userId: string): ReadonlyArray<Model.Class> => {
  const index = indexOf(dataset)
  const ids = new Set((index.enrollmentsByUser.get(userId) ?? []).map((e) => e.class.sourcedId))
  return dataset.classes.filter((c) => ids.has(c.sourcedId))
}

/** The courses whose `org` is `orgId`. */
export const coursesOfSchool = (dataset: Dataset, orgId: string): ReadonlyArray<Model.Course> =>
  indexOf(dataset).coursesByOrg.get(orgId) ?? []

/** The enrollments whose `school` is `schoolId`. */
export const enrollmentsOfSchool = (dataset: Dataset, schoolId: string): ReadonlyArray<Model.Enrollment> =>
  indexOf(dataset).enrollmentsBySchool.get(schoolId) ?? []

/** The enrollments of one class. */
export const enrollmentsOfClass = (dataset: Dataset, classId: string): ReadonlyArray<Model.Enrollment> =>
  indexOf(dataset).enrollmentsByClass.get(classId) ?? []

/** The terms the classes of a school are scheduled in, in dataset order. */
export const termsOfSchool = (dataset: Dataset, schoolId: string): ReadonlyArray<Model.AcademicSession> => {
  const ids = new Set(classesOfSchool(dataset, schoolId).flatMap((c) => (c.terms ?? []).map((t) => t.sourcedId)))
  return dataset.academicSessions.filter((s) => s.type === "term" && ids.has(s.sourcedId))
}

/** The grading periods whose `parent` is `termId`. */
export const gradingPeriodsOfTerm = (dataset: Dataset, termId: string): ReadonlyArray<Model.AcademicSession> =>
  dataset.academicSessions.filter((s) => s.type === "gradingPeriod" && s.parent?.sourcedId === termId)
