/** The OneRoster writer shared by FakeOneRoster and the gateway: error bodies and 1.2 records. */
import { describe, expect, it } from "@effect/vitest"
import * as OneRosterWire from "@rosterkit/demo/OneRosterWire"

describe("OneRosterWire", () => {
  it("error bodies: statusInfoSet in 1.1, a bare imsx_StatusInfo with 1.2's spelling in 1.2", () => {
    expect(OneRosterWire.errorBody("1.1", "invalid_data", "bad limit")).toStrictEqual(OneRosterWire.statusInfoSet("invalid_data", "bad limit"))
    expect(OneRosterWire.statusInfoSet("invalid_data", "bad limit").statusInfoSet[0]!.imsx_CodeMinor.imsx_codeMinorField[0]!.imsx_codeMinorFieldValue).toBe("invalid_data")
    expect(OneRosterWire.errorBody("1.2", "invalid_data", "bad limit")).toStrictEqual({
      imsx_codeMajor: "failure",
      imsx_severity: "error",
      imsx_description: "bad limit",
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: "TargetEndSystem", imsx_codeMinorFieldValue: "invaliddata" }] }
    })
    expect(OneRosterWire.codeMinorV1p2("server_busy")).toBe("server_busy")
  })

  const write = OneRosterWire.v1p2Writer({ baseUrl: "https://gw.test/ims/oneroster/rostering/v1p2/" })
  const writeAll = OneRosterWire.v1p2Writer({ baseUrl: "https://gw.test/ims/oneroster/rostering/v1p2", hrefs: "all" })

  it("a 1.1 user: roles[] from role and orgs, hrefs on references, no nulls", () => {
    const user = {
      sourcedId: "u1",
      status: "active",
      dateLastModified: "2024-01-01T00:00:00Z",
      enabledUser: true,
      givenName: "Ada",
      familyName: "Lovelace",
      middleName: null,
      role: "teacher",
      orgs: [{ sourcedId: "s1", type: "org" }, { sourcedId: "s2", type: "org" }]
    }
    const org = (id: string) => ({ sourcedId: id, type: "org", href: `https://gw.test/ims/oneroster/rostering/v1p2/orgs/${id}` })
    expect(write(user, "users")).toStrictEqual({
      sourcedId: "u1",
      status: "active",
      dateLastModified: "2024-01-01T00:00:00Z",
      enabledUser: true,
      givenName: "Ada",
      familyName: "Lovelace",
      roles: [
        { roleType: "primary", role: "teacher", org: org("s1") },
        { roleType: "secondary", role: "teacher", org: org("s2") }
      ]
    })
  })

  it("fields 1.2 does not define go to metadata (the record's own metadata kept); a reference keeps href, sourcedId and type", () => {
    const klass = {
      sourcedId: "c1",
      title: "Math",
      id: "clever-section-1",
      name: "Math 1",
      metadata: { "clever.grade": "6" },
      course: { sourcedId: "k1", type: "course", href: "https://sis.example/courses/k1", district: "d1" },
      school: { sourcedId: "s1", type: "org" },
      terms: [{ sourcedId: "t1", type: "academicSession" }]
    }
    expect(writeAll(klass, "class")).toStrictEqual({
      sourcedId: "c1",
      title: "Math",
      metadata: { id: "clever-section-1", name: "Math 1", "clever.grade": "6" },
      course: { sourcedId: "k1", type: "course", href: "https://gw.test/ims/oneroster/rostering/v1p2/courses/k1" },
      school: { sourcedId: "s1", type: "org", href: "https://gw.test/ims/oneroster/rostering/v1p2/orgs/s1" },
      terms: [{ sourcedId: "t1", type: "academicSession", href: "https://gw.test/ims/oneroster/rostering/v1p2/academicSessions/t1" }]
    })
    // "missing" (the default) keeps an href a reference already has.
    expect((write(klass, "classes")["course"] as { href: string }).href).toBe("https://sis.example/courses/k1")
    // A user's role that its roles do not say is kept, in metadata.
    const odd = write({ sourcedId: "u2", role: "aide", roles: [{ roleType: "primary", role: "teacher", org: { sourcedId: "s1", type: "org" } }] }, "user")
    expect(odd["metadata"]).toStrictEqual({ role: "aide" })
  })
})
