import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as FastCheck from "../src/internal/fastCheck.js"
import * as Model from "@rosterkit/core/Model"

const user = {
  sourcedId: "u1",
  status: "active",
  dateLastModified: "2024-01-01T00:00:00.000Z",
  username: "jose.garcia",
  userIds: [{ type: "SIS", identifier: "S1" }],
  enabledUser: "true",
  givenName: "José",
  familyName: "García",
  middleName: null,
  role: "student",
  identifier: "S1",
  email: "jose@example.org",
  agents: [],
  orgs: [{ href: "/orgs/2", sourcedId: "2", type: "org" }],
  grades: ["09"],
  metadata: { "vendor.extra": { nested: true } },
  custom: 42
}
const cls = { sourcedId: "c1", title: "Art / Design", course: { sourcedId: "k1", type: "course" }, school: { sourcedId: "2", type: "org" }, terms: [], location: null }

/** Variants of `base`: each field set to values of other types, removed, and extra fields. */
const variants = (base: Record<string, unknown>): Array<unknown> => {
  const odd: ReadonlyArray<unknown> = ["", "x", 0, 1.5, true, false, null, [], [1], ["a"], {}, { sourcedId: "" }, { sourcedId: "r", type: "org" }, { sourcedId: 3, type: "org" }, [{ sourcedId: "r" }], [{ sourcedId: "r", type: "t" }], "student", "pupil", "TRUE"]
  const out: Array<unknown> = [base, null, [], "text", 1, {}]
  for (const key of Object.keys(base)) {
    const { [key]: _removed, ...without } = base
    out.push(without)
    for (const value of odd) out.push({ ...base, [key]: value })
  }
  for (const value of odd) out.push({ ...base, extra: value })
  return out
}

/** The generated check and the loop over fields (where code cannot be generated) both agree with the Schema. */
const agree = (schema: Schema.Schema.AnyNoContext, samples: ReadonlyArray<unknown>) => {
  const generated = FastCheck.compile(schema.ast)
  const looped = FastCheck.compile(schema.ast, false)
  expect(generated).toBeDefined()
  expect(looped).toBeDefined()
  const decode = Schema.decodeUnknownEither(schema)
  let passed = 0
  for (const sample of samples) {
    const result = decode(sample)
    expect(generated!(sample), JSON.stringify(sample)).toBe(Either.isRight(result))
    expect(looped!(sample), JSON.stringify(sample)).toBe(Either.isRight(result))
    if (Either.isRight(result)) {
      passed++
      // What passes is used as sent: decoding it gives an equal value.
      expect(result.right).toStrictEqual(sample)
    }
  }
  return passed
}

describe("FastCheck (the decode fast path)", () => {
  it("says yes exactly when the Model schema decodes, and then decoding changes nothing", () => {
    const passedUsers = agree(Model.User, variants(user))
    const passedClasses = agree(Model.Class, variants(cls))
    expect(passedUsers).toBeGreaterThan(10)
    expect(passedClasses).toBeGreaterThan(10)
    agree(Model.Enrollment, variants({ sourcedId: "e1", user: { sourcedId: "u1", type: "user" }, class: { sourcedId: "c1", type: "class" }, role: "student", primary: "false" }))
    agree(Model.Org, variants({ sourcedId: "2", name: "Classlink HS", type: "school", parent: null, children: [] }))
    agree(Model.Course, variants({ sourcedId: "k1", title: "Math", org: { sourcedId: "2", type: "org" }, grades: ["01"] }))
    agree(Model.AcademicSession, variants({ sourcedId: "t1", title: "Fall", type: "term", parent: null }))
  })

  it("decodes a 1.2 user (roles[]) as the Schema does, on both user schemas, and declines where the Schema fails", () => {
    const { role: _role, orgs: _orgs, ...rest } = user
    const v1p2 = {
      ...rest,
      roles: [
        { roleType: "secondary", role: "teacher", org: { href: "/orgs/3", sourcedId: "3", type: "org" } },
        { roleType: "primary", role: "student", org: { href: "/orgs/2", sourcedId: "2", type: "org" } }
      ],
      primaryOrg: { href: "/orgs/2", sourcedId: "2", type: "org" },
      preferredFirstName: "Pepe"
    }
    for (const schema of [Model.User, Model.UserV1p2]) {
      const decoder = FastCheck.decoderOf(schema.ast)
      expect(decoder).toBeDefined()
      const decode = Schema.decodeUnknownEither(schema)
      let mapped = 0
      for (const sample of [...variants(v1p2), ...variants(user), { ...v1p2, roles: [] }]) {
        const before = JSON.stringify(sample)
        const result = decode(sample)
        const fast = decoder!(sample)
        // without reuse the wire record is left as it was
        expect(JSON.stringify(sample)).toBe(before)
        // with reuse: the same answer, in the wire record itself when it was mapped
        const own = structuredClone(sample)
        const reused = decoder!(own, true)
        if (Either.isLeft(result)) {
          expect(fast, before).toBeUndefined()
          expect(reused, before).toBeUndefined()
        } else {
          expect(fast, before).toStrictEqual(result.right)
          expect(reused, before).toStrictEqual(result.right)
          // and its fields in the same order as the copy's (the output's field order)
          expect(JSON.stringify(reused), before).toBe(JSON.stringify(fast))
          if ((fast as Model.User).role !== (sample as { role?: unknown }).role) {
            mapped++
            expect(fast).not.toBe(sample)
            expect(reused).toBe(own)
          }
        }
      }
      // the 1.2 records were mapped (role and orgs from roles[]), not only passed through
      expect(mapped).toBeGreaterThan(10)
    }
    expect(FastCheck.decoderOf(Model.Class.ast)).toBeUndefined()
  })

  it("has no check for schemas whose decoding transforms or drops fields", () => {
    expect(FastCheck.compile(Schema.NumberFromString.ast)).toBeUndefined()
    expect(FastCheck.compile(Schema.Struct({ a: Schema.String }).ast)).toBeUndefined()
    expect(FastCheck.compile(Schema.Struct({ a: Schema.Date }, Schema.Record({ key: Schema.String, value: Schema.Unknown })).ast)).toBeUndefined()
  })
})
