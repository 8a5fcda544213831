import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import yazl from "yazl"
import * as CsvProvider from "../src/CsvProvider.js"
import * as CsvSource from "../src/CsvSource.js"

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures")
const fixture = (name: string) => path.join(fixtures, name)

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-csv-source-"))
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }))
let tmpCount = 0

/** Writes a small set (file name -> raw content) to a fresh folder. */
const writeSet = (files: Record<string, string>): string => {
  const dir = path.join(tmpRoot, `set-${++tmpCount}`)
  fs.mkdirSync(dir)
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content)
  return dir
}

const manifest11 = (files: Record<string, string>) =>
  ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.1", ...Object.entries(files).map(([f, s]) => `file.${f},${s}`)].join("\n") +
  "\n"

const usersHeader =
  "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const ids = (records: ReadonlyArray<{ readonly sourcedId: string }>) => records.map((r) => r.sourcedId)

const counts = (location: string) =>
  Effect.gen(function* () {
    const provider = CsvProvider.make({ path: location })
    const result: Record<string, number> = {}
    for (const kind of provider.capabilities.entities) result[kind] = yield* Stream.runCount(provider.entities(kind))
    return result
  })

describe("IMS 1.1 sample sets", () => {
  it.effect("Test_full_data_set.zip: manifest, counts and a known user", () =>
    Effect.gen(function* () {
      const location = fixture("Test_full_data_set.zip")
      const description = yield* CsvProvider.describe(location)
      expect(description.version).toBe("1.1")
      expect(description.delta).toBe(false)
      expect(description.notes).toStrictEqual([])
      expect(description.files).toStrictEqual({
        academicSessions: "bulk",
        orgs: "bulk",
        courses: "absent",
        classes: "bulk",
        users: "bulk",
        enrollments: "bulk",
        demographics: "absent"
      })
      expect(yield* counts(location)).toStrictEqual({
        users: 6,
        students: 3,
        teachers: 2,
        orgs: 1,
        schools: 0,
        classes: 2,
        courses: 0,
        enrollments: 6,
        academicSessions: 5,
        terms: 2,
        gradingPeriods: 1,
        demographics: 0
      })
      const provider = CsvProvider.make({ path: location })
      expect(yield* provider.get("users", "usr-222-1234561")).toStrictEqual({
        sourcedId: "usr-222-1234561",
        status: "active",
        dateLastModified: "2023-05-01",
        enabledUser: true,
        orgs: [{ sourcedId: "org-sch-222-456", type: "org" }],
        role: "parent",
        username: "thomas.joness",
        userIds: [
          { type: "LDAP", identifier: "12" },
          { type: "LTI", identifier: "15" },
          { type: "Fed", identifier: "23" }
        ],
        givenName: "Thomas",
        familyName: "Jones",
        middleName: "Paul",
        identifier: "thomas.joness",
        email: "thomas.jones@testemail.com",
        sms: "6039876543",
        phone: "6039876543",
        agents: [{ sourcedId: "usr-222-66778899", type: "user" }],
        grades: ["10"],
        password: "Password1-"
      })
      expect(yield* provider.get("classes", "cls-222-123456")).toStrictEqual({
        sourcedId: "cls-222-123456",
        status: "active",
        dateLastModified: "2023-05-01T18:25:43.511Z",
        title: "Introduction to Physics",
        grades: ["09", "10", "11"],
        course: { sourcedId: "crs-222-2023-456-12345", type: "course" },
        classCode: "Phys 100 - 1",
        classType: "Scheduled",
        location: "Room 2-B",
        school: { sourcedId: "org-sch-222-456", type: "org" },
        terms: [{ sourcedId: "as-trm-222-1234", type: "academicSession" }],
        subjects: ["Science", "Physics", "Biology"],
        subjectCodes: ["PHY123", "ASV120"],
        periods: ["1"]
      })
      expect(yield* provider.get("enrollments", "enr-t-222-12345-123456")).toMatchObject({
        class: { sourcedId: "cls-222-123456", type: "class" },
        user: { sourcedId: "usr-222-123456", type: "user" },
        role: "teacher",
        primary: false
      })
      // Members of a class come from enrollments.csv; usr-222-987654 is enrolled as a student but is a teacher.
      expect(ids(yield* collect(provider.members("classes", "cls-222-123456", "students")))).toStrictEqual(["usr-222-1234561232"])
      expect(ids(yield* collect(provider.members("classes", "cls-222-123478", "teachers")))).toStrictEqual(["usr-222-123456"])
      // Members of a school come from users' orgSourcedIds.
      expect(ids(yield* collect(provider.members("schools", "org-sch-222-456", "students")))).toStrictEqual([
        "usr-222-66778899",
        "usr-222-1234561232",
        "usr-222-567891"
      ])
      expect(ids(yield* collect(provider.classesOfCourse("crs-222-2023-456-23456")))).toStrictEqual(["cls-222-123478"])
    })
  )

  it.effect("Test_minimal_data_set.zip: empty cells are absent fields", () =>
    Effect.gen(function* () {
      const location = fixture("Test_minimal_data_set.zip")
      expect((yield* counts(location))["users"]).toBe(6)
      const provider = CsvProvider.make({ path: location })
      expect(yield* provider.get("users", "usr-222-66778899")).toStrictEqual({
        sourcedId: "usr-222-66778899",
        enabledUser: true,
        orgs: [{ sourcedId: "org-sch-222-456", type: "org" }],
        role: "student",
        username: "mary.jones",
        givenName: "Mary",
        familyName: "Jones"
      })
      expect(yield* provider.get("academicSessions", "as-trm-222-1235")).toStrictEqual({
        sourcedId: "as-trm-222-1235",
        title: "Session Title",
        type: "term",
        startDate: "2022-09-01",
        endDate: "2022-12-24",
        schoolYear: "2023"
      })
    })
  )

  it.effect("readCsvSet streams records to plain async code", () =>
    Effect.promise(async () => {
      const names: Array<string> = []
      for await (const user of CsvProvider.readCsvSet(fixture("Test_full_data_set.zip"), "teachers")) names.push(user.username ?? "")
      expect(names).toStrictEqual(["john.doe", "jim.smith"])
      const error = await (async () => {
        for await (const _ of CsvProvider.readCsvSet(fixture("v1p2_full_dataset.zip"), "users")) return undefined
      })().catch((e: unknown) => e)
      expect(error).toMatchObject({ _tag: "DecodeError", source: "users.csv line 1 column prefferedGivenName" })
    })
  )
})

describe("OneRoster 1.2 sample sets", () => {
  it.effect("oneroster_test_data.zip: a 1.2 delta set is reported as such; users get their roles and profiles", () =>
    Effect.gen(function* () {
      const location = fixture("oneroster_test_data.zip")
      const description = yield* CsvSource.describe(location)
      expect(description.version).toBe("1.2")
      expect(description.delta).toBe(true)
      expect(description.files).toStrictEqual({
        academicSessions: "delta",
        orgs: "delta",
        courses: "delta",
        classes: "delta",
        users: "delta",
        enrollments: "delta",
        demographics: "delta"
      })
      // roles.csv and userProfiles.csv are read (parts of users), not ignored.
      expect(description.notes.some((n) => n.includes("roles.csv") || n.includes("userProfiles.csv"))).toBe(false)
      const provider = CsvProvider.make({ path: location })
      // 1.2 users.csv has no role / orgSourcedIds: they come from roles.csv (and roles[] with them).
      expect(yield* provider.get("users", "USER_0")).toStrictEqual({
        sourcedId: "USER_0",
        status: "active",
        dateLastModified: "2023-10-02T00:00:00.000Z",
        enabledUser: true,
        orgs: [{ sourcedId: "ORG_1", type: "org" }],
        role: "student",
        username: "brucewayne",
        givenName: "Bruce",
        familyName: "Wayne",
        identifier: "bruce.wayne",
        password: "Batman.Ru1ez",
        roles: [{ roleType: "primary", role: "student", org: { sourcedId: "ORG_1", type: "org" } }],
        userProfiles: [
          { profileId: "USER_PROFILE_1", profileType: "SYSTEM", vendorId: "WEI18954", credentials: [{ type: "login", username: "brucewayne" }] }
        ]
      })
      expect(ids(yield* collect(provider.members("classes", "CLASS_001", "students")))).toStrictEqual(["USER_0"])
      expect(ids(yield* collect(provider.entities("schools")))).toStrictEqual(["ORG_1"])
      expect(yield* provider.get("demographics", "USER_0")).toMatchObject({ birthDate: "2010-04-17" })
      expect(yield* provider.get("courses", "COURSE_001")).toMatchObject({ subjects: ["subject1"], subjectCodes: ["0101"] })
    })
  )

  it.effect("v1p2_full_dataset.zip: a misspelt header is an error naming file, line 1 and the column", () =>
    Effect.gen(function* () {
      const location = fixture("v1p2_full_dataset.zip")
      const description = yield* CsvSource.describe(location)
      expect(description.version).toBe("1.2")
      const provider = CsvProvider.make({ path: location })
      const error = yield* Effect.flip(Stream.runDrain(provider.entities("users")))
      expect(error).toMatchObject({ _tag: "DecodeError", provider: "csv", source: "users.csv line 1 column prefferedGivenName" })
      expect(error.message).toContain("did you mean 'preferredGivenName'?")
      // Files whose 1.1 shape is intact still read.
      expect(yield* Stream.runCount(provider.entities("academicSessions"))).toBe(5)
      expect(yield* Stream.runCount(provider.entities("enrollments"))).toBe(6)
    })
  )
})

describe("strict where data would be lost", () => {
  const set = (users: string, extra: Record<string, string> = {}) =>
    writeSet({ "manifest.csv": manifest11({ users: "bulk" }), "users.csv": users, ...extra })

  it.effect("a row with the wrong number of cells names file and line", () =>
    Effect.gen(function* () {
      const location = set(`${usersHeader}\nu1,,,,,student,,,A,B,,,,,,,,\nu2,,,,,student,,,C,D,,,,,\n`)
      const error = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: location }).entities("users")))
      expect(error).toMatchObject({ _tag: "DecodeError", source: "users.csv line 3", record: "u2" })
      expect(error.message).toContain("15 cells, but the header has 18 columns")
    })
  )

  it.effect("a missing required column names file and line 1", () =>
    Effect.gen(function* () {
      const location = set("sourcedId,givenName\nu1,A\n")
      const error = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: location }).entities("users")))
      expect(error).toMatchObject({ _tag: "DecodeError", source: "users.csv line 1" })
      expect(error.message).toContain("missing required column 'role'")
    })
  )

  it.effect("an unknown header, an unnamed header and a duplicate header are errors", () =>
    Effect.gen(function* () {
      const unknown = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: set("sourcedId,role,nickname\nu1,student,x\n") }).entities("users")))
      expect(unknown).toMatchObject({ source: "users.csv line 1 column nickname" })
      const unnamed = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: set("sourcedId,role,\nu1,student,\n") }).entities("users")))
      expect(unnamed).toMatchObject({ source: "users.csv line 1 column 3" })
      const twice = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: set("sourcedId,role,Role\nu1,student,x\n") }).entities("users")))
      expect(twice.message).toContain("appears twice")
    })
  )

  it.effect("a cell that cannot be read names file, line and column", () =>
    Effect.gen(function* () {
      const badRole = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: set("sourcedId,role\nu1,student\nu2,pupil\n") }).entities("users")))
      expect(badRole).toMatchObject({ _tag: "DecodeError", source: "users.csv line 3 column role", record: "u2" })
      const badBool = yield* Effect.flip(
        Stream.runDrain(CsvProvider.make({ path: set("sourcedId,role,enabledUser\nu1,student,yes\n") }).entities("users"))
      )
      expect(badBool).toMatchObject({ source: "users.csv line 2 column enabledUser" })
      const noId = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: set("sourcedId,role\n,student\n") }).entities("users")))
      expect(noId).toMatchObject({ source: "users.csv line 2 column sourcedId" })
    })
  )

  it.effect("a manifest naming a file that is absent names manifest line and column", () =>
    Effect.gen(function* () {
      const location = writeSet({
        "manifest.csv": manifest11({ users: "bulk", courses: "bulk" }),
        "users.csv": "sourcedId,role\nu1,student\n"
      })
      const error = yield* Effect.flip(CsvProvider.describe(location))
      expect(error).toMatchObject({ _tag: "DecodeError", source: "manifest.csv line 5 column value" })
      expect(error.message).toContain("the manifest lists file.courses as bulk, but the set has no courses.csv")
      // Every read fails the same way: the set is incomplete.
      const read = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: location }).entities("users")))
      expect(read).toMatchObject({ source: "manifest.csv line 5 column value" })
    })
  )

  it.effect("a manifest status that is not bulk / delta / absent is an error", () =>
    Effect.gen(function* () {
      const location = writeSet({ "manifest.csv": manifest11({ users: "full" }), "users.csv": "sourcedId,role\nu1,student\n" })
      const error = yield* Effect.flip(CsvProvider.describe(location))
      expect(error).toMatchObject({ source: "manifest.csv line 4 column value" })
    })
  )

  it.effect("a path that is not a set is a ConfigurationError", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: path.join(tmpRoot, "nope") }).entities("users")))
      expect(missing).toMatchObject({ _tag: "ConfigurationError", provider: "csv", setting: "path" })
      const notZip = path.join(tmpRoot, "not-a-zip.zip")
      fs.writeFileSync(notZip, "hello")
      expect(yield* Effect.flip(CsvProvider.describe(notZip))).toMatchObject({ _tag: "ConfigurationError" })
      const empty = writeSet({ "notes.txt": "x" })
      expect(yield* Effect.flip(CsvProvider.describe(empty))).toMatchObject({ _tag: "ConfigurationError" })
    })
  )

  it.effect("an unterminated quote is a DecodeError naming the file", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: set('sourcedId,role\nu1,"student\n') }).entities("users")))
      expect(error._tag).toBe("DecodeError")
      expect((error as { source: string }).source).toMatch(/^users\.csv/)
    })
  )
})

describe("tolerant where the standard is loose", () => {
  it.effect("BOM, CRLF, reordered and partial columns, header case, quoted list cells, blank lines, empty files", () =>
    Effect.gen(function* () {
      const location = writeSet({
        "manifest.csv": "\uFEFFpropertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\nfile.users,bulk\r\nfile.classes,bulk\r\nfile.demographics,bulk\r\n",
        "Users.csv":
          '\uFEFFgivenName,Role,sourcedId,orgSourcedIds,grades,userIds\r\n"Smith, Jr.",student,u1,"s1, s2","09,10","{LDAP:12},{SIS:x:y}"\r\n\r\nAnn,TEACHER,u2,s1,,\r\n',
        "classes.csv": 'sourcedId,title,termSourcedIds\r\nc1,"Line one\r\nline two",t1\r\nc2,Plain,"t1,t2"\r\n',
        "demographics.csv": ""
      })
      const provider = CsvProvider.make({ path: location })
      const users = yield* collect(provider.entities("users"))
      expect(users).toStrictEqual([
        {
          sourcedId: "u1",
          givenName: "Smith, Jr.",
          role: "student",
          orgs: [
            { sourcedId: "s1", type: "org" },
            { sourcedId: "s2", type: "org" }
          ],
          grades: ["09", "10"],
          userIds: [
            { type: "LDAP", identifier: "12" },
            { type: "SIS", identifier: "x:y" }
          ]
        },
        { sourcedId: "u2", givenName: "Ann", role: "teacher", orgs: [{ sourcedId: "s1", type: "org" }] }
      ])
      const classes = yield* collect(provider.entities("classes"))
      expect(classes.map((c) => c.title)).toStrictEqual(["Line one\r\nline two", "Plain"])
      expect(classes[1]!.terms).toHaveLength(2)
      expect(yield* Stream.runCount(provider.entities("demographics"))).toBe(0)
      expect((yield* CsvProvider.describe(location)).notes).toStrictEqual([])
    })
  )

  it.effect("line numbers stay right after a multi-line cell and blank lines", () =>
    Effect.gen(function* () {
      const location = writeSet({
        "classes.csv": 'sourcedId,title,grades\nc1,"two\nlines",09\n\nc2,ok,10\nc3,bad\n'
      })
      const error = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: location }).entities("classes")))
      expect(error).toMatchObject({ source: "classes.csv line 6", record: "c3" })
    })
  )

  it.effect("no manifest: every file present is read as bulk, with a note", () =>
    Effect.gen(function* () {
      const location = writeSet({ "users.csv": "sourcedId,role\nu1,student\n", "extra.csv": "a\n1\n" })
      const description = yield* CsvProvider.describe(location)
      expect(description.files.users).toBe("bulk")
      expect(description.files.orgs).toBe("absent")
      expect(description.notes).toStrictEqual([
        "no manifest.csv: every OneRoster file present is read as bulk",
        "ignored extra.csv (not a OneRoster file)"
      ])
      expect(yield* Stream.runCount(CsvProvider.make({ path: location }).entities("students"))).toBe(1)
    })
  )

  it.effect("a file the manifest calls absent but which is there is read, with a note", () =>
    Effect.gen(function* () {
      const location = writeSet({
        "manifest.csv": manifest11({ users: "absent", lineItems: "bulk" }),
        "users.csv": "sourcedId,role\nu1,student\n",
        "lineItems.csv": "sourcedId\nl1\n"
      })
      const description = yield* CsvProvider.describe(location)
      expect(description.files.users).toBe("bulk")
      expect(description.notes).toStrictEqual([
        "users.csv is present but the manifest lists it as absent: read as bulk",
        "ignored lineItems.csv (not a rostering file)"
      ])
      expect(yield* Stream.runCount(CsvProvider.make({ path: location }).entities("users"))).toBe(1)
    })
  )

  it.effect("delta files are recognised", () =>
    Effect.gen(function* () {
      const location = writeSet({
        "manifest.csv": manifest11({ users: "delta", orgs: "bulk" }),
        "users.csv": "sourcedId,status,role\nu1,tobedeleted,student\n",
        "orgs.csv": "sourcedId,name,type\ns1,School,school\n"
      })
      const description = yield* CsvProvider.describe(location)
      expect(description.delta).toBe(true)
      expect(description.files.users).toBe("delta")
      expect(description.files.orgs).toBe("bulk")
      expect(yield* collect(CsvProvider.make({ path: location }).entities("users"))).toStrictEqual([
        { sourcedId: "u1", status: "tobedeleted", role: "student" }
      ])
    })
  )

  it.effect("a zip with the set in a subfolder", () =>
    Effect.gen(function* () {
      const target = path.join(tmpRoot, "nested.zip")
      yield* Effect.promise(
        () =>
          new Promise<void>((resolve, reject) => {
            const zip = new yazl.ZipFile()
            zip.addBuffer(Buffer.from(manifest11({ users: "bulk" })), "export/manifest.csv")
            zip.addBuffer(Buffer.from("sourcedId,role\nu1,student\n"), "export/users.csv")
            zip.addBuffer(Buffer.from("junk"), "__MACOSX/export/._users.csv")
            zip.end()
            zip.outputStream.pipe(fs.createWriteStream(target)).on("close", resolve).on("error", reject)
          })
      )
      expect(ids(yield* collect(CsvProvider.make({ path: target }).entities("users")))).toStrictEqual(["u1"])
    })
  )
})

describe("streaming", () => {
  it.effect("a 200,000-row users.csv in a zip streams through (count only)", () =>
    Effect.gen(function* () {
      const rows = 200_000
      const dir = path.join(tmpRoot, "large")
      fs.mkdirSync(dir)
      const csv = path.join(dir, "users.csv")
      const target = path.join(tmpRoot, "large.zip")
      yield* Effect.promise(async () => {
        const file = await fs.promises.open(csv, "w")
        await file.write(`${usersHeader}\r\n`)
        for (let start = 0; start < rows; start += 10_000) {
          const lines: Array<string> = []
          for (let i = start; i < Math.min(rows, start + 10_000); i++) {
            const role = i % 20 === 0 ? "teacher" : "student"
            lines.push(
              `user-${i},active,2024-01-01,TRUE,"school-${i % 7},school-${(i + 1) % 7}",${role},user${i},{SIS:${i}},Given${i},Family${i},,${i},user${i}@example.org,,,,"09,10",\r\n`
            )
          }
          await file.write(lines.join(""))
        }
        await file.close()
        await new Promise<void>((resolve, reject) => {
          const zip = new yazl.ZipFile()
          zip.addBuffer(Buffer.from(manifest11({ users: "bulk" })), "manifest.csv")
          zip.addFile(csv, "users.csv")
          zip.end()
          zip.outputStream.pipe(fs.createWriteStream(target)).on("close", resolve).on("error", reject)
        })
      })
      const provider = CsvProvider.make({ path: target })
      const { count, last } = yield* Stream.runFold(provider.entities("users"), { count: 0, last: "" }, (acc, user) => ({
        count: acc.count + 1,
        last: user.sourcedId
      }))
      expect(count).toBe(rows)
      expect(last).toBe(`user-${rows - 1}`)
      // Lazy: taking two teachers stops the read early.
      expect(ids(yield* collect(Stream.take(provider.users("teachers"), 2)))).toStrictEqual(["user-0", "user-20"])
    })
  )
})

describe("OneRoster 1.2 sets written by hand", () => {
  const manifest12 = (files: Record<string, string>) =>
    ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.2", ...Object.entries(files).map(([f, s]) => `file.${f},${s}`)].join("\n") + "\n"
  const users12 =
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns"
  const rolesHeader = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId"
  const set = (files: Record<string, string>) =>
    writeSet({ "manifest.csv": manifest12(Object.fromEntries(Object.keys(files).map((f) => [f.replace(/\.csv$/, ""), "bulk"]))), ...files })
  const orgs = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,metadata.ukprn\ns1,,,North High,school,,,10001234\ns2,,,South High,school,,,\n"

  it.effect("reads every 1.2 user column, roles with dates and profiles, and metadata.* columns under metadata", () =>
    Effect.gen(function* () {
      const location = set({
        "orgs.csv": orgs,
        "users.csv": `${users12},metadata.ethnicity\nt1,,,true,ada,,Ada,Lovelace,,,,,,,,,M-1,"r1,r2",Addie,,King,s1,she/her,X\n`,
        "roles.csv": `${rolesHeader}\nr-1,,,t1,primary,teacher,2024-08-01,,s1,p-1\nr-2,,,t1,primary,parent,,,s2,\nr-3,,,t1,secondary,ext:coach,,,s1,\n`,
        "userProfiles.csv": "sourcedId,status,dateLastModified,userSourcedId,profileType,vendorId,applicationId,description,credentialType,username,password\np-1,,,t1,lms,acme,default,,password,ada,secret\n"
      })
      const provider = CsvProvider.make({ path: location })
      const ada = yield* provider.get("users", "t1")
      expect(ada).toStrictEqual({
        sourcedId: "t1",
        enabledUser: true,
        orgs: [{ sourcedId: "s1", type: "org" }, { sourcedId: "s2", type: "org" }],
        role: "teacher",
        username: "ada",
        givenName: "Ada",
        familyName: "Lovelace",
        userMasterIdentifier: "M-1",
        preferredFirstName: "Addie",
        preferredLastName: "King",
        primaryOrg: { sourcedId: "s1", type: "org" },
        pronouns: "she/her",
        resources: [{ sourcedId: "r1", type: "resource" }, { sourcedId: "r2", type: "resource" }],
        roles: [
          { roleType: "primary", role: "teacher", org: { sourcedId: "s1", type: "org" }, userProfile: "p-1", beginDate: "2024-08-01" },
          { roleType: "primary", role: "parent", org: { sourcedId: "s2", type: "org" } },
          { roleType: "secondary", role: "ext:coach", org: { sourcedId: "s1", type: "org" } }
        ],
        userProfiles: [
          { profileId: "p-1", profileType: "lms", vendorId: "acme", applicationId: "default", credentials: [{ type: "password", username: "ada", password: "secret" }] }
        ],
        metadata: { ethnicity: "X" }
      })
      expect(yield* provider.get("orgs", "s1")).toMatchObject({ metadata: { ukprn: "10001234" } })
      expect((yield* provider.get("orgs", "s2")).metadata).toBeUndefined()
      // The teacher is a member of both schools' teachers (it holds the role; it belongs to both).
      expect(ids(yield* collect(provider.members("schools", "s2", "teachers")))).toStrictEqual(["t1"])
      expect(ids(yield* collect(provider.users("teachers")))).toStrictEqual(["t1"])
      expect(ids(yield* collect(provider.users("students")))).toStrictEqual([])
    })
  )

  it.effect("header typos and unknown columns stay errors naming file, line and column; so do bad roles.csv cells", () =>
    Effect.gen(function* () {
      const typo = set({ "users.csv": `${users12.replace("pronouns", "pronoun")}\n`, "roles.csv": `${rolesHeader}\n` })
      const error = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: typo }).entities("users")))
      expect(error).toMatchObject({ _tag: "DecodeError", source: "users.csv line 1 column pronoun" })
      expect(error.message).toContain("did you mean 'pronouns'?")
      const metaTypo = writeSet({ "manifest.csv": manifest12({ orgs: "bulk" }), "orgs.csv": "sourcedId,name,metadata\ns1,North,x\n" })
      expect(yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: metaTypo }).entities("orgs")))).toMatchObject({
        _tag: "DecodeError",
        source: "orgs.csv line 1 column metadata"
      })
      const badRole = set({
        "users.csv": `${users12}\nt1,,,,,,A,B,,,,,,,,,,,,,,,\n`,
        "roles.csv": `${rolesHeader}\nr-1,,,t1,primary,teacher,,,s1,\nr-2,,,t1,main,teacher,,,s2,\n`
      })
      expect(yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: badRole }).entities("users")))).toMatchObject({
        _tag: "DecodeError",
        source: "roles.csv line 3 column roleType"
      })
      const unknownRole = set({ "users.csv": `${users12}\nt1,,,,,,A,B,,,,,,,,,,,,,,,\n`, "roles.csv": `${rolesHeader}\nr-1,,,t1,primary,janitor,,,s1,\n` })
      const unknown = yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: unknownRole }).entities("users")))
      expect(unknown).toMatchObject({ _tag: "DecodeError", source: "roles.csv line 2 column role" })
      expect(unknown.message).toContain("'janitor' is not a OneRoster role")
      const noRole = set({ "users.csv": `${users12}\nt1,,,,,,A,B,,,,,,,,,,,,,,,\n`, "roles.csv": `${rolesHeader}\n` })
      expect(yield* Effect.flip(Stream.runDrain(CsvProvider.make({ path: noRole }).entities("users")))).toMatchObject({
        _tag: "DecodeError",
        source: "users.csv line 2 column sourcedId",
        detail: "user 't1' has no role in roles.csv"
      })
    })
  )
})
