import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Model from "@rosterkit/core/Model"

/** The first student of the seed README's session, as the server sent it. */
const billy = {
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

describe("Model", () => {
  it.effect("decode then encode gives back the seed's Billy Flores record", () =>
    Effect.gen(function* () {
      const user = yield* Schema.decodeUnknown(Model.User)(billy)
      expect(user.givenName).toBe("BILLY")
      expect(Model.isTrue(user.enabledUser)).toBe(true)
      const encoded = yield* Schema.encode(Model.User)(user)
      expect(encoded).toStrictEqual(billy)
    })
  )

  it.effect("keeps unknown fields and boolean enabledUser", () =>
    Effect.gen(function* () {
      const input = { ...billy, enabledUser: true, "x-vendor": { room: 7 }, preferredFirstName: "Bill" }
      const user = yield* Schema.decodeUnknown(Model.User)(input)
      expect(user["preferredFirstName"]).toBe("Bill")
      expect(yield* Schema.encode(Model.User)(user)).toStrictEqual(input)
    })
  )

  it("is strict on what the engine relies on", () => {
    const decode = Schema.decodeUnknownEither(Model.User)
    expect(Either.isLeft(decode({ ...billy, role: "pupil" }))).toBe(true)
    expect(Either.isLeft(decode({ ...billy, sourcedId: "" }))).toBe(true)
    const { sourcedId: _omit, ...noId } = billy
    expect(Either.isLeft(decode(noId))).toBe(true)
    expect(Either.isLeft(decode({ ...billy, orgs: [{ type: "org" }] }))).toBe(true)
  })

  it.effect("decodes the OneRoster error body", () =>
    Effect.gen(function* () {
      const body = {
        statusInfoSet: [
          { imsx_codeMajor: "failure", imsx_severity: "error", imsx_description: "Unknown object", imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: "TargetEndSystem", imsx_codeMinorFieldValue: "unknownobject" }] } }
        ]
      }
      const decoded = yield* Schema.decodeUnknown(Model.StatusInfoSet)(body)
      expect(decoded.statusInfoSet[0]?.imsx_description).toBe("Unknown object")
    })
  )

  it("maps every collection to its envelope key", () => {
    expect(Model.envelopeKey.students).toBe("users")
    expect(Model.envelopeKey.schools).toBe("orgs")
    expect(Model.envelopeKey.terms).toBe("academicSessions")
    expect(Model.singleEnvelopeKey.classes).toBe("class")
    expect(Model.entityKinds).toContain("demographics")
  })

  describe("OneRoster 1.2 users", () => {
    /** A 1.2 user as the spec has it: roles[], no role, no orgs. */
    const ada = {
      sourcedId: "u-ada",
      status: "active",
      dateLastModified: "2024-08-01T10:00:00.000Z",
      enabledUser: "true",
      givenName: "Ada",
      familyName: "Lovelace",
      preferredFirstName: "Addie",
      preferredMiddleName: "A.",
      preferredLastName: "King",
      pronouns: "she/her",
      userMasterIdentifier: "MASTER-7",
      roles: [
        { roleType: "primary", role: "teacher", org: { href: "https://sis/orgs/s1", sourcedId: "s1", type: "org" }, beginDate: "2024-08-01" },
        { roleType: "primary", role: "parent", org: { href: "https://sis/orgs/s2", sourcedId: "s2", type: "org" } },
        { roleType: "secondary", role: "ext:coach", org: { href: "https://sis/orgs/s1", sourcedId: "s1", type: "org" }, userProfile: "urn:p:1" }
      ],
      userProfiles: [{ profileId: "urn:p:1", profileType: "lms", vendorId: "acme", credentials: [{ type: "password", username: "ada" }] }],
      primaryOrg: { href: "https://sis/orgs/s1", sourcedId: "s1", type: "org" },
      resources: [{ href: "https://sis/resources/r1", sourcedId: "r1", type: "resource" }]
    }

    it.effect("a 1.2 user gets its primary role's role and its roles' orgs, and encodes back as sent", () =>
      Effect.gen(function* () {
        const user = yield* Schema.decodeUnknown(Model.UserV1p2)(ada)
        expect(user.role).toBe("teacher")
        expect(user.orgs?.map((o) => o.sourcedId)).toStrictEqual(["s1", "s2"])
        expect(Model.hasRole(user, "parent")).toBe(true)
        expect(Model.hasRole(user, "teacher")).toBe(true)
        expect(Model.hasRole(user, "student")).toBe(false)
        expect(Model.rolesOf(user)).toHaveLength(3)
        expect(user.preferredFirstName).toBe("Addie")
        expect(yield* Schema.encode(Model.UserV1p2)(user)).toStrictEqual(ada)
        // The generic (1.1) schema reads it too, and writes the 1.1 view next to the roles.
        const same = yield* Schema.decodeUnknown(Model.User)(ada)
        expect(same).toStrictEqual(user)
        const as11 = (yield* Schema.encode(Model.User)(user)) as Record<string, unknown>
        expect(as11["role"]).toBe("teacher")
        expect(as11["roles"]).toStrictEqual(ada.roles)
      })
    )

    it.effect("a 1.1 user becomes a primary role in its first org and a secondary role per further org", () =>
      Effect.gen(function* () {
        const twoSchools = { ...billy, orgs: [{ href: "", sourcedId: "2", type: "org" }, { href: "", sourcedId: "9", type: "org" }] }
        const user = yield* Schema.decodeUnknown(Model.User)(twoSchools)
        // Derived when asked for (a 1.1 record is decoded without a copy).
        expect(user.roles).toBeUndefined()
        expect(Model.rolesOf(user)).toStrictEqual([
          { roleType: "primary", role: "student", org: { href: "", sourcedId: "2", type: "org" } },
          { roleType: "secondary", role: "student", org: { href: "", sourcedId: "9", type: "org" } }
        ])
        // Decode-then-encode gives back the 1.1 record, in both directions of the mapping.
        expect(yield* Schema.encode(Model.User)(user)).toStrictEqual(twoSchools)
        const as12 = (yield* Schema.encode(Model.UserV1p2)(user)) as Record<string, unknown>
        expect(as12["role"]).toBeUndefined()
        expect(as12["orgs"]).toBeUndefined()
        expect(as12["roles"]).toStrictEqual(Model.rolesOf(user))
        const back = yield* Schema.decodeUnknown(Model.UserV1p2)(as12)
        expect(back.role).toBe("student")
        expect(back.orgs).toStrictEqual(twoSchools.orgs)
        expect(yield* Schema.encode(Model.UserV1p2)(back)).toStrictEqual(as12)
      })
    )

    it.effect("a record built in code with only role and orgs is written as 1.2 with derived roles", () =>
      Effect.gen(function* () {
        const built: Model.User = { sourcedId: "t1", role: "teacher", orgs: [{ sourcedId: "s1", type: "org" }] }
        expect(Model.rolesOf(built)).toStrictEqual([{ roleType: "primary", role: "teacher", org: { sourcedId: "s1", type: "org" } }])
        expect(yield* Schema.encode(Model.UserV1p2)(built)).toStrictEqual({
          sourcedId: "t1",
          roles: [{ roleType: "primary", role: "teacher", org: { sourcedId: "s1", type: "org" } }]
        })
        expect(yield* Schema.encode(Model.User)(built)).toStrictEqual(built)
      })
    )

    it("keeps the wider 1.2 roles and ext: values, and refuses a user with neither role nor roles", () => {
      const decode = Schema.decodeUnknownEither(Model.User)
      for (const role of ["aide", "counselor", "districtAdministrator", "principal", "siteAdministrator", "systemAdministrator", "ext:coach"]) {
        const decoded = decode({ sourcedId: "x", roles: [{ roleType: "primary", role, org: { sourcedId: "o", type: "org" } }] })
        expect(Either.isRight(decoded) && decoded.right.role).toBe(role)
      }
      expect(Either.isLeft(decode({ sourcedId: "x", roles: [{ roleType: "primary", role: "ext:", org: { sourcedId: "o", type: "org" } }] }))).toBe(true)
      expect(Either.isLeft(decode({ sourcedId: "x", roles: [{ roleType: "main", role: "teacher", org: { sourcedId: "o", type: "org" } }] }))).toBe(true)
      const missing = decode({ sourcedId: "x", givenName: "No role" })
      expect(Either.isLeft(missing) && String(missing.left)).toContain("role: is missing")
      const empty = decode({ sourcedId: "x", roles: [] })
      expect(Either.isLeft(empty) && String(empty.left)).toContain("roles: is empty")
    })

    it("schemaFor picks the 1.2 writer for user collections only", () => {
      expect(Model.schemaFor("teachers", "1.2")).toBe(Model.UserV1p2)
      expect(Model.schemaFor("users", "1.1")).toBe(Model.User)
      expect(Model.schemaFor("classes", "1.2")).toBe(Model.Class)
    })
  })
})
