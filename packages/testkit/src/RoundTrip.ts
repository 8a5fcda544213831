/**
 * The export round trip, for every provider: "a district exported as OneRoster CSV (1.1 or 1.2)
 * and read back gives the same query answers as the source". Each provider's tests call
 * `suite` once with the `build` they give the conformance suite and the CSV package's writer
 * and reader (testkit does not depend on @rosterkit/csv, which depends on testkit for its tests):
 *
 *     RoundTrip.suite("clever", build, {
 *       csv: { exportSet: CsvExport.exportSet, open: (path) => CsvProvider.make({ path }) },
 *       lost: { sis_id: "Clever's own field: no OneRoster column (kept inside metadata.clever)" }
 *     })
 *
 * Per version, the district is exported from the source provider as a bulk set, then the same
 * queries — all users, students, teachers, the students and teachers of a class by name, of a
 * course, of a school — run through QueryEngine on the source and on the CSV provider over the
 * set. They must match the same groups and give the same users (by sourcedId: the order of a
 * listing is the provider's) with the same value in every field a CSV set carries (`view`), and
 * each person the same roles in the same orgs (`personRoles`; with every detail when the person
 * is one record on both sides, `roleDetail`). A field of a source user that no CSV
 * column carries fails the test unless the provider declares it `lost`, with the reason: nothing
 * is lost silently.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import type { RosterError } from "@rosterkit/core/RosterError"
import type * as RosterProvider from "@rosterkit/core/RosterProvider"
import type * as Conformance from "./Conformance.js"
import * as Dataset from "./Dataset.js"

/** The CSV writer and reader (`CsvExport.exportSet`, `CsvProvider.make`). */
export interface Csv {
  readonly exportSet: (
    provider: RosterProvider.Service,
    options: { readonly out: string; readonly version: Model.Version }
  ) => Effect.Effect<unknown, RosterError>
  readonly open: (path: string) => RosterProvider.Service
}

export interface Options {
  readonly csv: Csv
  /** The district served (default: `dataset()`). */
  readonly dataset?: Dataset.Dataset
  /** The versions written (default both). */
  readonly versions?: ReadonlyArray<Model.Version>
  /** User fields the source gives that no CSV column carries -> why (compared without them). */
  readonly lost?: Readonly<Record<string, string>>
  /** The queries (default: `queries(dataset)`). */
  readonly queries?: ReadonlyArray<Query.QueryInput>
}

/**
 * A small district (the round trip runs many queries on both sides) whose first users carry
 * `metadata` as REST servers send it: text, a number, a boolean, a nested object, a list.
 */
export const dataset = (): Dataset.Dataset => {
  const data = Dataset.generate({ seed: 1311, schools: 2, studentsPerSchool: 24, teachersPerSchool: 3, classesPerTeacher: 2, studentsPerClass: 8 })
  const metadata = [
    { "district.code": "D-17", lunch: "free" },
    { gradeLevel: 7, active: true, ext: { codes: ["A1", "B2"], since: null } },
    { note: 'says "hi", twice\nover two lines' }
  ]
  return { ...data, users: data.users.map((u, i) => (i < metadata.length ? { ...u, metadata: metadata[i]! } : u)) }
}

/** The title most sections share (the "ELA 6" case: one name, several classes). */
const sharedTitle = (data: Dataset.Dataset): string => {
  const counts = new Map<string, number>()
  for (const c of data.classes) if (c.title !== undefined) counts.set(c.title, (counts.get(c.title) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0]
}

/** All users, students, teachers, a class by name, a course, a school (by name). */
export const queries = (data: Dataset.Dataset): ReadonlyArray<Query.QueryInput> => {
  const school = (Dataset.byKind(data, "schools") as ReadonlyArray<Model.Org>).find((s) => s.name !== undefined)!
  const course = data.courses.find((c) => c.title !== undefined && Dataset.classesOfCourse(data, c.sourcedId).length > 0)!
  return [
    { role: "users" },
    { role: "students" },
    { role: "teachers" },
    { role: "users", group: "classes", name: sharedTitle(data) },
    { role: "users", group: "courses", name: course.title! },
    { role: "users", group: "schools", name: school.name! },
    { role: "teachers", group: "schools", name: school.sourcedId }
  ]
}

/** The user fields a OneRoster 1.1 CSV set carries (users.csv), by their record names. */
export const carried11: ReadonlyArray<string> = [
  "sourcedId",
  "enabledUser",
  "orgs",
  "role",
  "username",
  "userIds",
  "givenName",
  "familyName",
  "middleName",
  "identifier",
  "email",
  "sms",
  "phone",
  "agents",
  "grades",
  "password",
  "metadata"
]

/** What a 1.2 set adds: users.csv's new columns, roles.csv, userProfiles.csv. */
export const added12: ReadonlyArray<string> = [
  "userMasterIdentifier",
  "resources",
  "preferredFirstName",
  "preferredMiddleName",
  "preferredLastName",
  "primaryOrg",
  "pronouns",
  "roles",
  "userProfiles"
]

/** Fields no export compares, with the reason. */
const neverCompared: Readonly<Record<string, string>> = {
  status: "left blank in a bulk set, as the standard asks",
  dateLastModified: "left blank in a bulk set, as the standard asks"
}

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined
  const s = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value)
  return s.trim() === "" ? undefined : s
}

const idOf = (value: unknown): string | undefined =>
  value !== null && typeof value === "object" ? text((value as { readonly sourcedId?: unknown }).sourcedId) : undefined

const ids = (value: unknown): ReadonlyArray<string> | undefined => {
  const list = Array.isArray(value) ? value.map(idOf).filter((id): id is string => id !== undefined) : []
  return list.length === 0 ? undefined : list
}

const texts = (value: unknown): ReadonlyArray<string> | undefined => {
  const list = Array.isArray(value) ? value.map(text).filter((v): v is string => v !== undefined) : []
  return list.length === 0 ? undefined : list
}

/** 1.2 has no `administrator` (a 1.1 administrator is written as a districtAdministrator). */
const role12 = (role: string): string => (role === "administrator" ? "districtAdministrator" : role)

/** Without undefined values (so `toStrictEqual` compares what is there). */
const defined = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined))

/**
 * What a CSV set of `version` carries of a user record, in comparable form: references as their
 * sourcedIds, booleans as booleans, metadata values as the text written (JSON for non-strings),
 * empty values absent. Its roles (`role`, `orgs`, 1.2 `roles`) are compared per person
 * (`personRoles`, `roleDetail`): a person holding two roles is two records in 1.1 (one per role,
 * one sourcedId) and one in 1.2, so a query's record of that person may be either.
 */
export const view = (user: Model.User, version: Model.Version): Record<string, unknown> => {
  const u = user as unknown as Record<string, unknown>
  const metadata =
    u["metadata"] !== null && typeof u["metadata"] === "object"
      ? defined(Object.fromEntries(Object.entries(u["metadata"] as Record<string, unknown>).map(([k, v]) => [k, text(v)])))
      : {}
  const enabled = u["enabledUser"]
  const out: Record<string, unknown> = {
    sourcedId: user.sourcedId,
    enabledUser: enabled === undefined || enabled === null || enabled === "" ? undefined : Model.isTrue(enabled as Model.BooleanLike),
    username: text(u["username"]),
    userIds: Array.isArray(u["userIds"])
      ? (u["userIds"] as ReadonlyArray<{ readonly type: unknown; readonly identifier: unknown }>).map((id) => ({ type: text(id.type), identifier: text(id.identifier) }))
      : undefined,
    givenName: text(u["givenName"]),
    familyName: text(u["familyName"]),
    middleName: text(u["middleName"]),
    identifier: text(u["identifier"]),
    email: text(u["email"]),
    sms: text(u["sms"]),
    phone: text(u["phone"]),
    agents: ids(u["agents"]),
    grades: texts(u["grades"]),
    password: text(u["password"]),
    metadata: Object.keys(metadata).length === 0 ? undefined : metadata
  }
  if (version === "1.2") {
    Object.assign(out, {
      userMasterIdentifier: text(u["userMasterIdentifier"]),
      resources: ids(u["resources"]),
      preferredFirstName: text(u["preferredFirstName"]),
      preferredMiddleName: text(u["preferredMiddleName"]),
      preferredLastName: text(u["preferredLastName"]),
      primaryOrg: idOf(u["primaryOrg"]),
      pronouns: text(u["pronouns"]),
      // One credential per profile: userProfiles.csv has one set of credential columns.
      userProfiles: (user.userProfiles ?? []).map((p) => {
        const first = p.credentials?.[0]
        const credential = first !== null && typeof first === "object" ? (first as Record<string, unknown>) : undefined
        return defined({
          profileId: p.profileId,
          profileType: text(p.profileType),
          vendorId: text(p.vendorId),
          applicationId: text(p.applicationId),
          description: text(p.description),
          credential:
            credential === undefined ? undefined : defined({ type: text(credential["type"]), username: text(credential["username"]), password: text(credential["password"]) })
        })
      })
    })
    if ((out["userProfiles"] as ReadonlyArray<unknown>).length === 0) out["userProfiles"] = undefined
  }
  return defined(out)
}

/**
 * A person's roles across all its records: the sorted, distinct roles and orgs (as the query
 * semantics see them: a user holds roles and belongs to orgs; which role in which org is a 1.2
 * detail, compared by `roleDetail`).
 */
export const personRoles = (records: ReadonlyArray<Model.User>, version: Model.Version): { readonly roles: ReadonlyArray<string>; readonly orgs: ReadonlyArray<string> } => {
  const roles = records.flatMap((u) => Model.rolesOf(u))
  return {
    roles: [...new Set(roles.map((r) => (version === "1.2" ? role12(r.role) : r.role)))].sort(),
    orgs: [...new Set(roles.map((r) => r.org.sourcedId))].sort()
  }
}

/** The roles of a person that is one record on both sides: role, orgs (in order) and, in 1.2, every role's detail. */
export const roleDetail = (user: Model.User, version: Model.Version): Record<string, unknown> =>
  defined({
    role: version === "1.2" ? role12(user.role) : user.role,
    orgs: ids(user.orgs),
    roles:
      version === "1.2"
        ? Model.rolesOf(user).map((r) =>
            defined({ roleType: r.roleType, role: role12(r.role), org: r.org.sourcedId, userProfile: text(r.userProfile), beginDate: text(r.beginDate), endDate: text(r.endDate) })
          )
        : undefined
  })

/** The fields of `user` a `version` set does not carry and `lost` does not explain. */
export const unexplained = (user: Model.User, version: Model.Version, lost: Readonly<Record<string, string>> = {}): ReadonlyArray<string> => {
  const carried = new Set(version === "1.2" ? [...carried11, ...added12] : carried11)
  return Object.entries(user)
    .filter(([key, value]) => value !== undefined && !carried.has(key) && neverCompared[key] === undefined && lost[key] === undefined)
    .map(([key]) => key)
}

type People = ReadonlyMap<string, ReadonlyArray<Model.User>>

/** Every user record of a provider by sourcedId (its `users` collection, else students and teachers). */
const people = (provider: RosterProvider.Service): Effect.Effect<People, RosterError> =>
  Effect.map(
    Stream.runCollect(
      provider.capabilities.entities.includes("users") ? provider.entities("users") : Stream.concat(provider.users("students"), provider.users("teachers"))
    ),
    (users) => {
      const out = new Map<string, Array<Model.User>>()
      for (const user of users) out.set(user.sourcedId, [...(out.get(user.sourcedId) ?? []), user])
      return out
    }
  )

const answer = (provider: RosterProvider.Service, query: Query.Query) =>
  Effect.flatMap(QueryEngine.make(provider), (engine) => engine.run(query))

/**
 * Exports `source` as a `version` set into a temporary folder (removed with the scope), reads it
 * back, and checks every query gives the same answer on both. Returns how many users each
 * query gave.
 */
export const check = (
  source: RosterProvider.Service,
  version: Model.Version,
  options: Options & { readonly queries: ReadonlyArray<Query.QueryInput> }
): Effect.Effect<ReadonlyArray<number>, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-round-trip-"))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    const out = path.join(dir, `${source.name}-${version}.zip`)
    yield* options.csv.exportSet(source, { out, version })
    const reread = options.csv.open(out)
    const lost = version === "1.1" ? { ...Object.fromEntries(added12.map((f) => [f, "a OneRoster 1.1 set has no column for it"])), ...options.lost } : (options.lost ?? {})
    const sourcePeople = yield* people(source)
    const readPeople = yield* people(reread)
    const counts: Array<number> = []
    for (const input of options.queries) {
      const query = yield* Query.make(input)
      const label = `${source.name} -> ${version} CSV: ${Query.describe(query)}`
      const want = yield* answer(source, query)
      const got = yield* answer(reread, query)
      expect(want.users.length, `${label} (the source has an answer)`).toBeGreaterThan(0)
      expect(got.groups.map((g) => g.sourcedId).sort(), `${label}: groups`).toStrictEqual(want.groups.map((g) => g.sourcedId).sort())
      // The same users (a listing's order is the provider's: compared by sourcedId).
      const bySourcedId = (users: ReadonlyArray<Model.User>) => [...users].sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0))
      expect(bySourcedId(got.users).map((u) => u.sourcedId), `${label}: users`).toStrictEqual(bySourcedId(want.users).map((u) => u.sourcedId))
      // Each user's fields are those of the source's record of that person in that role, else of
      // its first record: a set holds a person's `users` records (Clever lists a student who also
      // teaches once there, as a student with both roles: its teacher-only ids, such as
      // teacher_number, are kept only inside metadata.clever).
      const reference = (u: Model.User) => {
        const records = sourcePeople.get(u.sourcedId) ?? []
        return records.find((r) => r.role === u.role) ?? records[0] ?? u
      }
      expect(bySourcedId(got.users).map((u) => view(u, version)), `${label}: fields`).toStrictEqual(bySourcedId(got.users).map((u) => view(reference(u), version)))
      const roles = (people: People, users: ReadonlyArray<Model.User>) => bySourcedId(users).map((u) => personRoles(people.get(u.sourcedId) ?? [u], version))
      expect(roles(readPeople, got.users), `${label}: roles`).toStrictEqual(roles(sourcePeople, want.users))
      const single = (people: People, users: ReadonlyArray<Model.User>) =>
        bySourcedId(users)
          .filter((u) => sourcePeople.get(u.sourcedId)?.length === 1 && readPeople.get(u.sourcedId)?.length === 1)
          .map((u) => roleDetail(people.get(u.sourcedId)![0]!, version))
      expect(single(readPeople, got.users), `${label}: role details`).toStrictEqual(single(sourcePeople, want.users))
      for (const user of [...want.users, ...got.users.map(reference)]) {
        expect(unexplained(user, version, lost), `${label}: fields of ${user.sourcedId} no CSV column carries (declare them lost, with why)`).toStrictEqual([])
      }
      counts.push(got.users.length)
    }
    return counts
  })

/** Registers the round trip of one provider: one test per version. */
export const suite = (name: string, build: Conformance.Build, options: Options): void => {
  const data = options.dataset ?? dataset()
  const list = options.queries ?? queries(data)
  describe(`${name} round trip through CSV`, () => {
    for (const version of options.versions ?? Model.Version.literals) {
      it.scopedLive(`exported as OneRoster ${version} CSV and read back: the same answers to the same queries`, () =>
        Effect.gen(function* () {
          const { provider } = yield* build(data, [])
          yield* check(provider, version, { ...options, queries: list })
        })
      )
    }
  })
}
