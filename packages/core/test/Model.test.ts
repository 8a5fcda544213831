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
})
