/**
 * The demo district: a fixed, handcrafted district on which the seed README's queries
 * (oneroster-python 0.0.17) print their numbers, with rosterkit's query semantics (groups
 * matched exactly, trimmed, case-insensitive on sourcedId / name / title; members of every
 * matched group de-duplicated by sourcedId; a school's members are the users whose `orgs`
 * include it):
 *
 *     every student                                139   (the first is BILLY DASEAN FLORES, 18125)
 *     students of classes titled "ELA 6 (6A ELA)"    7   (three sections: 31763, 31764, 31765)
 *     students of class 31763                        3
 *     students of school "Classlink HS" (id 2)      38
 *     students of school 7 ("Classlink MS")         54
 *     students of classes whose location is "302"  13   ("Room 302" and "302A" are traps)
 *
 * Names other than Billy's come from a fixed seeded generator; the structure is written out.
 */
import type * as Model from "@rosterkit/core/Model"
import type { Dataset } from "./Dataset.js"
import { asciiFold, int, mulberry32, pick } from "./internal/random.js"

/** The seed README's numbers, as the demo district gives them. */
export const seedNumbers = {
  students: 139,
  ela6Sections: 7,
  class31763: 3,
  highSchool: 38,
  middleSchool: 54,
  room302: 13
} as const

const ref = (sourcedId: string, type: string): Model.GUIDRef => ({ href: "", sourcedId, type })

/** Billy, exactly as the seed README prints him. */
const billy: Model.User = {
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

const givenNames: ReadonlyArray<string> = [
  "AIDEN", "SOPHIA", "JOSÉ", "ZOË", "ŁUKASZ", "MAYA", "ETHAN", "CHLOE", "DIEGO", "AALIYAH", "NOAH", "EMMA", "LIAM",
  "OLIVIA", "ISABELLA", "MASON", "AVA", "LUCAS", "MIA", "ELIJAH", "HARPER", "JAYDEN", "ELLA", "CARTER", "GRACE",
  "WYATT", "LILY", "OWEN", "NORA", "ADRIAN", "ARIA", "XAVIER", "LAYLA", "JULIAN", "SAVANNAH", "MATEO", "PENELOPE",
  "SIOBHÁN", "RENÉE", "DARNELL", "KEISHA", "TREVOR", "BRIANNA", "MARCUS", "JASMINE"
]

const familyNames: ReadonlyArray<string> = [
  "GARCIA", "SMITH", "O'NEIL", "NGUYEN", "MÜLLER", "李", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "MILLER", "DAVIS",
  "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE",
  "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS",
  "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "DE LA CRUZ", "VAN DYKE"
]

const middleNames: ReadonlyArray<string> = ["", "", "JAMES", "MARIE", "LEE", "ANN", "MICHAEL", "ROSE", "ALEXANDER", "GRACE"]

/** The schools: sourcedId, name, and the grades of their students (grade, count). */
const schools: ReadonlyArray<{ readonly id: string; readonly name: string; readonly grades: ReadonlyArray<readonly [string, number]> }> = [
  { id: "2", name: "Classlink HS", grades: [["09", 10], ["10", 9], ["11", 9], ["12", 9]] }, // + Billy (11) = 38
  { id: "7", name: "Classlink MS", grades: [["06", 18], ["07", 18], ["08", 18]] }, // 54
  { id: "3", name: "Classlink Elementary North", grades: [["03", 9], ["04", 8], ["05", 8]] }, // 25
  { id: "5", name: "Classlink Elementary South", grades: [["KG", 6], ["01", 8], ["02", 8]] } // 22
]

/** The teachers: sourcedId, given, family, schools. */
const teacherRows: ReadonlyArray<readonly [string, string, string, ReadonlyArray<string>]> = [
  ["9001", "MARGARET", "O'BRIEN", ["2"]],
  ["9002", "DAVID", "KIM", ["2"]],
  ["9003", "ANA", "MARTÍNEZ", ["2"]],
  ["9004", "JAMES", "WHITFIELD", ["2"]],
  ["9005", "SUSAN", "PARK", ["7"]],
  ["9006", "ROBERT", "JOHNSON", ["7"]],
  ["9007", "LINDA", "NGUYEN", ["7"]],
  ["9008", "THOMAS", "MÜLLER", ["7"]],
  ["9009", "KAREN", "LEWIS", ["3"]],
  ["9010", "PAUL", "ADEYEMI", ["3", "5"]],
  ["9011", "MARÍA", "LÓPEZ", ["5"]],
  ["9012", "JENNIFER", "SCOTT", ["5"]]
]

/** The courses: sourcedId, title, school, courseCode. */
const courseRows: ReadonlyArray<readonly [string, string, string, string]> = [
  ["4001", "Chemistry", "2", "CHEM"],
  ["4002", "Physics", "2", "PHYS"],
  ["4003", "English 9", "2", "ENG9"],
  ["4004", "English 10", "2", "ENG10"],
  ["4005", "English 11", "2", "ENG11"],
  ["4006", "English 12", "2", "ENG12"],
  ["4007", "Art / Design", "2", "ART-HS"],
  ["4008", "Homeroom", "2", "HR-HS"],
  ["4010", "ELA 6", "7", "ELA6"],
  ["4011", "ELA 7", "7", "ELA7"],
  ["4012", "ELA 8", "7", "ELA8"],
  ["4013", "Math 6", "7", "MATH6"],
  ["4014", "Science 7", "7", "SCI7"],
  ["4015", "Música / Band", "7", "BAND"],
  ["4020", "Grade 3", "3", "G3"],
  ["4021", "Grade 4", "3", "G4"],
  ["4022", "Grade 5", "3", "G5"],
  ["4023", "Art / Design", "3", "ART-ESN"],
  ["4030", "Kindergarten", "5", "KG"],
  ["4031", "Grade 1", "5", "G1"],
  ["4032", "Grade 2", "5", "G2"],
  ["4033", "Art / Design", "5", "ART-ESS"]
]

type Pick = (students: ReadonlyArray<Model.User>) => ReadonlyArray<Model.User>

const at =
  (...indices: ReadonlyArray<number>): Pick =>
  (students) =>
    indices.map((i) => students[i]!)
const range = (from: number, to: number, step = 1): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (let i = from; i <= to; i += step) out.push(i)
  return out
}
const grade =
  (g: string): Pick =>
  (students) =>
    students.filter((s) => s.grades?.[0] === g)
const gradeAt =
  (g: string, ...indices: ReadonlyArray<number>): Pick =>
  (students) => {
    const inGrade = students.filter((s) => s.grades?.[0] === g)
    return indices.map((i) => inGrade[i]!)
  }
const every =
  (step: number, offset: number): Pick =>
  (students) =>
    students.filter((_, i) => i % step === offset)

/** The classes: sourcedId, title, course, school, teacher, location, terms, students. */
const classRows: ReadonlyArray<readonly [string, string, string, string, string, string, ReadonlyArray<string>, Pick]> = [
  // Classlink HS: the two classes in room 302 share two students (8 + 7 - 2 = 13).
  ["31750", "Chemistry", "4001", "2", "9001", "302", ["8001", "8002"], at(...range(0, 21, 3))],
  ["31751", "Physics", "4002", "2", "9001", "302", ["8001", "8002"], at(...range(18, 36, 3))],
  ["31752", "English 9", "4003", "2", "9002", "204", ["8001", "8002"], grade("09")],
  ["31753", "English 10", "4004", "2", "9002", "205", ["8001", "8002"], grade("10")],
  ["31754", "English 11", "4005", "2", "9003", "206", ["8001", "8002"], grade("11")],
  ["31755", "English 12", "4006", "2", "9003", "207", ["8001", "8002"], grade("12")],
  ["31756", "Art / Design", "4007", "2", "9004", "Studio B", ["8002"], every(4, 1)],
  ["31757", "O'Brien's Homeroom", "4008", "2", "9001", "Room 302", ["8001", "8002"], at(...range(24, 37))],
  // Classlink MS: three sections titled "ELA 6 (6A ELA)" with 3 + 3 + 2 students, one shared (7).
  ["31763", "ELA 6 (6A ELA)", "4010", "7", "9005", "112", ["8001", "8002"], gradeAt("06", 0, 1, 2)],
  ["31764", "ELA 6 (6A ELA)", "4010", "7", "9005", "112", ["8001", "8002"], gradeAt("06", 3, 4, 5)],
  ["31765", "ELA 6 (6A ELA)", "4010", "7", "9006", "114", ["8001", "8002"], gradeAt("06", 6, 0)],
  ["31766", "ELA 6 (6B ELA)", "4010", "7", "9006", "114", ["8001", "8002"], gradeAt("06", ...range(7, 17))],
  ["31767", "ELA 7", "4011", "7", "9006", "115", ["8001", "8002"], grade("07")],
  ["31768", "ELA 8", "4012", "7", "9007", "116", ["8001", "8002"], grade("08")],
  ["31769", "Math 6", "4013", "7", "9007", "120", ["8001", "8002"], grade("06")],
  ["31770", "Science 7", "4014", "7", "9008", "302A", ["8001"], grade("07")],
  ["31771", "Música / Band", "4015", "7", "9008", "Band Room", ["8002"], every(4, 2)],
  // Classlink Elementary North.
  ["31780", "Grade 3 Homeroom", "4020", "3", "9009", "12", ["8001", "8002"], grade("03")],
  ["31781", "Grade 4 Homeroom", "4021", "3", "9009", "14", ["8001", "8002"], grade("04")],
  ["31782", "Grade 5 Homeroom", "4022", "3", "9010", "16", ["8001", "8002"], grade("05")],
  ["31783", "Art / Design", "4023", "3", "9010", "Art Room", ["8002"], every(2, 0)],
  // Classlink Elementary South.
  ["31790", "Kindergarten (AM)", "4030", "5", "9011", "1", ["8001", "8002"], grade("KG")],
  ["31791", "Grade 1 Homeroom", "4031", "5", "9011", "3", ["8001", "8002"], grade("01")],
  ["31792", "Grade 2 Homeroom", "4032", "5", "9012", "5", ["8001", "8002"], grade("02")],
  ["31793", "Art / Design", "4033", "5", "9010", "Art Room", ["8001"], every(2, 1)]
]

const sessionRows: ReadonlyArray<readonly [string, string, string, string, string, string | null, ReadonlyArray<string>]> = [
  ["8000", "2018-2019", "schoolYear", "2018-08-20", "2019-06-07", null, ["8001", "8002"]],
  ["8001", "Fall 2018", "term", "2018-08-20", "2018-12-21", "8000", ["8011", "8012"]],
  ["8002", "Spring 2019", "term", "2019-01-07", "2019-06-07", "8000", ["8013", "8014"]],
  ["8011", "Quarter 1", "gradingPeriod", "2018-08-20", "2018-10-19", "8001", []],
  ["8012", "Quarter 2", "gradingPeriod", "2018-10-22", "2018-12-21", "8001", []],
  ["8013", "Quarter 3", "gradingPeriod", "2019-01-07", "2019-03-22", "8002", []],
  ["8014", "Quarter 4", "gradingPeriod", "2019-03-25", "2019-06-07", "8002", []]
]

const build = (): Dataset => {
  const random = mulberry32(20190301)
  const modified = () => {
    // Spread over January–June 2019.
    const seconds = int(random, 181 * 24 * 3600)
    return new Date(Date.UTC(2019, 0, 1) + seconds * 1000).toISOString()
  }
  const usernames = new Set<string>(["billy.flores"])
  const username = (given: string, family: string) => {
    const base = `${asciiFold(given) || "student"}.${asciiFold(family) || "student"}`
    let name = base
    for (let n = 2; usernames.has(name); n++) name = `${base}${n}`
    usernames.add(name)
    return name
  }

  const studentsBySchool = new Map<string, Array<Model.User>>()
  const students: Array<Model.User> = [billy]
  studentsBySchool.set("2", [billy])
  let next = 18126
  for (const school of schools) {
    const list = studentsBySchool.get(school.id) ?? []
    studentsBySchool.set(school.id, list)
    for (const [g, count] of school.grades) {
      for (let i = 0; i < count; i++) {
        const sourcedId = String(next++)
        const givenName = pick(random, givenNames)
        const familyName = pick(random, familyNames)
        const student: Model.User = {
          agents: [],
          dateLastModified: modified(),
          email: "",
          enabledUser: "true",
          familyName,
          givenName,
          grades: [g],
          identifier: String(Number(sourcedId) - 545),
          middleName: pick(random, middleNames),
          orgs: [ref(school.id, "org")],
          password: "",
          phone: "",
          role: "student",
          sms: "",
          sourcedId,
          status: "active",
          userIds: [{ identifier: sourcedId, type: "FED" }],
          username: username(givenName, familyName)
        }
        list.push(student)
        students.push(student)
      }
    }
  }

  const teachers: Array<Model.User> = teacherRows.map(([sourcedId, givenName, familyName, orgs]) => {
    const login = username(givenName, familyName)
    return {
      agents: [],
      dateLastModified: modified(),
      email: `${login}@classlink-demo.example`,
      enabledUser: "true",
      familyName,
      givenName,
      grades: [],
      identifier: `T${sourcedId}`,
      middleName: "",
      orgs: orgs.map((id) => ref(id, "org")),
      password: "",
      phone: "",
      role: "teacher",
      sms: "",
      sourcedId,
      status: "active",
      userIds: [{ identifier: sourcedId, type: "FED" }],
      username: login
    }
  })

  const orgs: Array<Model.Org> = [
    {
      sourcedId: "1",
      status: "active",
      dateLastModified: "2018-08-01T12:00:00.000Z",
      name: "Classlink Demo District",
      type: "district",
      identifier: "CLD",
      parent: null,
      children: schools.map((s) => ref(s.id, "org"))
    },
    ...schools.map(
      (s): Model.Org => ({
        sourcedId: s.id,
        status: "active",
        dateLastModified: "2018-08-01T12:00:00.000Z",
        name: s.name,
        type: "school",
        identifier: `CL-${s.id}`,
        parent: ref("1", "org"),
        children: []
      })
    )
  ]

  const academicSessions: Array<Model.AcademicSession> = sessionRows.map(
    ([sourcedId, title, type, startDate, endDate, parent, children]) => ({
      sourcedId,
      status: "active",
      dateLastModified: "2018-08-01T12:00:00.000Z",
      title,
      type,
      startDate,
      endDate,
      parent: parent === null ? null : ref(parent, "academicSession"),
      children: children.map((c) => ref(c, "academicSession")),
      schoolYear: "2019"
    })
  )

  const courses: Array<Model.Course> = courseRows.map(([sourcedId, title, school, courseCode]) => ({
    sourcedId,
    status: "active",
    dateLastModified: "2018-08-15T12:00:00.000Z",
    title,
    schoolYear: ref("8000", "academicSession"),
    courseCode,
    grades: [...new Set(studentsBySchool.get(school)!.map((s) => s.grades![0]!))].sort(),
    subjects: [],
    org: ref(school, "org")
  }))

  const classes: Array<Model.Class> = []
  const enrollments: Array<Model.Enrollment> = []
  let enrollment = 60001
  const enroll = (cls: Model.Class, user: Model.User, role: "student" | "teacher") =>
    enrollments.push({
      sourcedId: String(enrollment++),
      status: "active",
      dateLastModified: modified(),
      class: ref(cls.sourcedId, "class"),
      user: ref(user.sourcedId, "user"),
      school: ref(cls.school!.sourcedId, "org"),
      role,
      primary: role === "teacher" ? "true" : "false",
      beginDate: "2018-08-20",
      endDate: "2019-06-07"
    })
  for (const [sourcedId, title, course, school, teacher, location, terms, members] of classRows) {
    const picked = members(studentsBySchool.get(school)!)
    const cls: Model.Class = {
      sourcedId,
      status: "active",
      dateLastModified: modified(),
      title,
      classCode: `${courseRows.find((c) => c[0] === course)![3]}-${sourcedId.slice(-2)}`,
      classType: /Homeroom|Kindergarten/.test(title) ? "homeroom" : "scheduled",
      location,
      grades: [...new Set(picked.map((s) => s.grades![0]!))].sort(),
      subjects: [],
      course: ref(course, "course"),
      school: ref(school, "org"),
      terms: terms.map((t) => ref(t, "academicSession")),
      periods: [String(1 + (Number(sourcedId) % 7))]
    }
    classes.push(cls)
    enroll(cls, teachers.find((t) => t.sourcedId === teacher)!, "teacher")
    for (const student of picked) enroll(cls, student, "student")
  }

  const demographics: Array<Model.Demographics> = students.map((s) => {
    const age = s.grades![0] === "KG" ? 5 : 5 + Number(s.grades![0])
    return {
      sourcedId: s.sourcedId,
      status: "active",
      dateLastModified: s.dateLastModified!,
      birthDate: `${2018 - age}-${String(1 + int(random, 12)).padStart(2, "0")}-${String(1 + int(random, 28)).padStart(2, "0")}`,
      sex: int(random, 2) === 0 ? "female" : "male"
    }
  })

  return { orgs, users: [...students, ...teachers], courses, classes, enrollments, academicSessions, demographics }
}

/**
 * The demo district (see the module comment for its numbers). Four schools under district "1":
 * "Classlink HS" (2), "Classlink MS" (7), "Classlink Elementary North" (3) and "South" (5);
 * 139 students (Billy Flores first) and 12 teachers, 22 courses, 25 classes, two terms.
 */
export const demoDistrict: Dataset = build()
