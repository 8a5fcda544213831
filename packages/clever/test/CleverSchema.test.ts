import { FetchHttpClient } from "@effect/platform"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { http, HttpResponse } from "msw"
import { setupServer } from "msw/node"
import * as Model from "@rosterkit/core/Model"
import * as CleverClient from "../src/CleverClient.js"
import * as CleverProvider from "../src/CleverProvider.js"
import * as CleverSchema from "../src/CleverSchema.js"
import * as Mapping from "../src/internal/mapping.js"
import * as SpecRecords from "./SpecRecords.js"

/** Every v3.0 definition and the schema that reads it. */
const covered: Record<string, Schema.Schema.AnyNoContext & { readonly fields: Schema.Struct.Fields }> = {
  Name: CleverSchema.Name,
  Location: CleverSchema.Location,
  Credentials: CleverSchema.Credentials,
  Principal: CleverSchema.Principal,
  SchoolEnrollment: CleverSchema.SchoolEnrollment,
  StudentRelationship: CleverSchema.StudentRelationship,
  Student: CleverSchema.Student,
  Teacher: CleverSchema.Teacher,
  Staff: CleverSchema.Staff,
  DistrictAdmin: CleverSchema.DistrictAdmin,
  Contact: CleverSchema.Contact,
  Roles: CleverSchema.Roles,
  User: CleverSchema.User,
  Section: CleverSchema.Section,
  School: CleverSchema.School,
  Course: CleverSchema.Course,
  Term: CleverSchema.Term,
  DistrictContact: CleverSchema.DistrictContact,
  District: CleverSchema.District,
  Link: CleverSchema.Link,
  BadRequest: CleverSchema.ErrorBody,
  NotFound: CleverSchema.ErrorBody,
  InternalError: CleverSchema.ErrorBody
}

/** Definitions rosterkit does not read, and why. */
const notRead: Record<string, string> = {
  Resource: "Clever resources (apps content) are not roster data",
  ResourceResponse: "see Resource",
  ResourcesResponse: "see Resource",
  // The envelopes are read by ListResponse / SingleResponse (checked below).
  CourseResponse: "envelope",
  CoursesResponse: "envelope",
  DistrictResponse: "envelope",
  DistrictsResponse: "envelope",
  SchoolResponse: "envelope",
  SchoolsResponse: "envelope",
  SectionResponse: "envelope",
  SectionsResponse: "envelope",
  TermResponse: "envelope",
  TermsResponse: "envelope",
  UserResponse: "envelope",
  UsersResponse: "envelope"
}

const topLevel = new Set<string>(SpecRecords.recordDefinitions)

const mapOne = (name: SpecRecords.RecordDefinition, input: unknown): ReadonlyArray<{ readonly schema: Schema.Schema.AnyNoContext; readonly record: unknown }> => {
  switch (name) {
    case "User": {
      const user = Schema.decodeUnknownSync(CleverSchema.User)(input)
      return [
        { schema: Model.User, record: Mapping.toUser(user, "student") },
        { schema: Model.User, record: Mapping.toUser(user, "teacher") }
      ]
    }
    case "Section":
      return [{ schema: Model.Class, record: Mapping.toClass(Schema.decodeUnknownSync(CleverSchema.Section)(input)) }]
    case "School":
      return [{ schema: Model.Org, record: Mapping.toSchool(Schema.decodeUnknownSync(CleverSchema.School)(input)) }]
    case "Course":
      return [{ schema: Model.Course, record: Mapping.toCourse(Schema.decodeUnknownSync(CleverSchema.Course)(input)) }]
    case "Term":
      return [{ schema: Model.AcademicSession, record: Mapping.toTerm(Schema.decodeUnknownSync(CleverSchema.Term)(input)) }]
    case "District":
      return [{ schema: Model.Org, record: Mapping.toDistrict(Schema.decodeUnknownSync(CleverSchema.District)(input)) }]
  }
}

describe("CleverSchema against the v3.0 spec", () => {
  it("every definition is read by a schema or listed as not read", () => {
    expect(Object.keys(SpecRecords.definitions).sort()).toStrictEqual([...Object.keys(covered), ...Object.keys(notRead)].sort())
  })

  for (const [name, schema] of Object.entries(covered)) {
    it(`${name}: the same properties as the spec, nullable exactly where it says x-nullable`, () => {
      const properties = SpecRecords.definitions[name]!.properties ?? {}
      expect(Object.keys(schema.fields).sort()).toStrictEqual(Object.keys(properties).sort())
      const base: Record<string, unknown> = topLevel.has(name) ? { id: "x1" } : {}
      for (const [property, spec] of Object.entries(properties)) {
        if (property === "id" && topLevel.has(name)) continue
        const acceptsNull = Either.isRight(Schema.decodeUnknownEither(schema)({ ...base, [property]: null }))
        expect(acceptsNull, `${name}.${property} null`).toBe(spec["x-nullable"] === true)
      }
    })
  }

  for (const name of SpecRecords.recordDefinitions) {
    for (const shape of ["minimal", "full", "nulls"] as const) {
      it(`${name} (${shape}): decodes and encodes back unchanged, mapped record keeps it whole`, () => {
        const input = SpecRecords.topLevel(name, shape)
        const schema = CleverSchema.schemaOf[`${name.toLowerCase()}s` as CleverSchema.Collection]
        const decoded = Schema.decodeUnknownSync(schema as Schema.Schema<unknown, unknown>)(input)
        expect(decoded).toStrictEqual(input)
        expect(Schema.encodeSync(schema as Schema.Schema<unknown, unknown>)(decoded)).toStrictEqual(input)
        for (const { schema: model, record } of mapOne(name, input)) {
          // a valid OneRoster record …
          expect(Either.isRight(Schema.decodeUnknownEither(model)(record))).toBe(true)
          // … that keeps everything Clever sent
          expect((record as { metadata: { clever: unknown } }).metadata.clever).toStrictEqual(input)
          expect((record as { sourcedId: string }).sourcedId).toBe(input.id)
        }
      })
    }
  }

  it("a record without an id, or with a wrongly typed field, does not decode", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(CleverSchema.User)({ name: { first: "A" } }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(CleverSchema.User)({ id: "1", name: 42 }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(CleverSchema.Section)({ id: "1", students: "s1" }))).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------
// The same records over HTTP, through the client's envelopes and the provider.

const base = "https://spec.clever.test/v3.0"
const listBody = (records: ReadonlyArray<Record<string, unknown>>, collection: string) => ({
  data: records.map((record) => ({ data: record, uri: `/v3.0/${collection}/${String(record.id)}` })),
  links: [{ rel: "self", uri: `/v3.0/${collection}` }]
})

const recordsOf = (name: SpecRecords.RecordDefinition) =>
  (["minimal", "full", "nulls"] as const).map((shape, i) => SpecRecords.topLevel(name, shape, `${name.toLowerCase()}-${i}`))

const served: Record<string, ReadonlyArray<Record<string, unknown>>> = {
  users: recordsOf("User"),
  sections: recordsOf("Section"),
  schools: recordsOf("School"),
  courses: recordsOf("Course"),
  terms: recordsOf("Term"),
  districts: recordsOf("District")
}

const server = setupServer(
  http.get(`${base}/:collection`, ({ params }) => {
    const collection = String(params.collection)
    const records = served[collection]
    return records === undefined
      ? HttpResponse.json({ message: "no such collection" }, { status: 404 })
      : HttpResponse.json(listBody(records, collection))
  }),
  http.get(`${base}/:collection/:id`, ({ params }) => {
    const record = served[String(params.collection)]?.find((r) => r.id === params.id)
    return record === undefined ? HttpResponse.json({ message: "not found" }, { status: 404 }) : HttpResponse.json({ data: record })
  })
)

beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterAll(() => server.close())

describe("spec records over HTTP", () => {
  const provider = Effect.gen(function* () {
    const client = yield* CleverClient.make({ token: Redacted.make("spec-token"), host: `${base}/` })
    return CleverProvider.fromClient(client)
  }).pipe(Effect.provide(FetchHttpClient.layer))

  const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

  const cases: ReadonlyArray<readonly [Model.EntityKind, string]> = [
    ["students", "users"],
    ["classes", "sections"],
    ["schools", "schools"],
    ["courses", "courses"],
    ["terms", "terms"]
  ]
  for (const [kind, collection] of cases) {
    it.scoped(`${kind}: every record of ${collection} arrives whole under metadata.clever`, () =>
      Effect.gen(function* () {
        const records = yield* collect((yield* provider).entities(kind))
        expect(records.map((r) => r.metadata?.clever)).toStrictEqual(served[collection])
      })
    )
  }

  it.scoped("orgs: the district, then the schools", () =>
    Effect.gen(function* () {
      const orgs = yield* collect((yield* provider).entities("orgs"))
      expect(orgs.map((o) => [o.type, o.metadata?.clever])).toStrictEqual([
        ...served.districts!.map((d) => ["district", d]),
        ...served.schools!.map((s) => ["school", s])
      ])
    })
  )

  it.scoped("get: one record through the single envelope", () =>
    Effect.gen(function* () {
      const section = yield* (yield* provider).get("classes", "section-1")
      expect(section.metadata?.clever).toStrictEqual(served.sections![1])
    })
  )
})
