/**
 * The OneRoster 1.1 data model as `effect/Schema` schemas.
 *
 * Decoding is strict on what rosterkit relies on (`sourcedId`, a user's `role`, the shape of
 * references) and lenient on the rest: every field is optional unless the engine needs it,
 * unknown fields are kept as they are, and booleans sent as strings ("true") stay strings, so
 * decode-then-encode gives back the JSON the server sent.
 */
import * as Schema from "effect/Schema"

const opt = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** Any extra field a server sends is kept, untouched. */
const Rest = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** OneRoster booleans arrive as JSON booleans or as the strings "true" / "false". */
export const BooleanLike = Schema.Union(Schema.Boolean, Schema.Literal("true", "false", "TRUE", "FALSE", "True", "False"))
export type BooleanLike = typeof BooleanLike.Type

/** `true` for `true` and any casing of "true". */
export const isTrue = (value: BooleanLike | undefined): boolean =>
  value === true || (typeof value === "string" && value.toLowerCase() === "true")

export const SourcedId = Schema.String.pipe(Schema.minLength(1, { message: () => "sourcedId must be a non-empty string" }))

/** A reference to another record: `{ href, sourcedId, type }`. */
export const GUIDRef = Schema.Struct(
  {
    href: opt(Schema.String),
    sourcedId: SourcedId,
    type: Schema.String
  },
  Rest
)
export type GUIDRef = typeof GUIDRef.Type

const base = {
  sourcedId: SourcedId,
  status: opt(Schema.String),
  dateLastModified: opt(Schema.String),
  metadata: opt(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
}

/** The roles a OneRoster 1.1 user can have. */
export const UserRole = Schema.Literal("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
export type UserRole = typeof UserRole.Type

export const UserId = Schema.Struct({ type: Schema.String, identifier: Schema.String }, Rest)

export const User = Schema.Struct(
  {
    ...base,
    username: opt(Schema.String),
    userIds: opt(Schema.Array(UserId)),
    enabledUser: opt(BooleanLike),
    givenName: opt(Schema.String),
    familyName: opt(Schema.String),
    middleName: opt(Schema.NullOr(Schema.String)),
    role: UserRole,
    identifier: opt(Schema.NullOr(Schema.String)),
    email: opt(Schema.NullOr(Schema.String)),
    sms: opt(Schema.NullOr(Schema.String)),
    phone: opt(Schema.NullOr(Schema.String)),
    agents: opt(Schema.Array(GUIDRef)),
    orgs: opt(Schema.Array(GUIDRef)),
    grades: opt(Schema.Array(Schema.String)),
    password: opt(Schema.NullOr(Schema.String))
  },
  Rest
)
export type User = typeof User.Type

export const Org = Schema.Struct(
  {
    ...base,
    name: opt(Schema.String),
    type: opt(Schema.String),
    identifier: opt(Schema.NullOr(Schema.String)),
    parent: opt(Schema.NullOr(GUIDRef)),
    children: opt(Schema.Array(GUIDRef))
  },
  Rest
)
export type Org = typeof Org.Type

export const Course = Schema.Struct(
  {
    ...base,
    title: opt(Schema.String),
    schoolYear: opt(Schema.NullOr(GUIDRef)),
    courseCode: opt(Schema.NullOr(Schema.String)),
    grades: opt(Schema.Array(Schema.String)),
    subjects: opt(Schema.Array(Schema.String)),
    org: opt(Schema.NullOr(GUIDRef)),
    subjectCodes: opt(Schema.Array(Schema.String))
  },
  Rest
)
export type Course = typeof Course.Type

export const Class = Schema.Struct(
  {
    ...base,
    title: opt(Schema.String),
    classCode: opt(Schema.NullOr(Schema.String)),
    classType: opt(Schema.String),
    location: opt(Schema.NullOr(Schema.String)),
    grades: opt(Schema.Array(Schema.String)),
    subjects: opt(Schema.Array(Schema.String)),
    course: opt(GUIDRef),
    school: opt(GUIDRef),
    terms: opt(Schema.Array(GUIDRef)),
    subjectCodes: opt(Schema.Array(Schema.String)),
    periods: opt(Schema.Array(Schema.String))
  },
  Rest
)
export type Class = typeof Class.Type

export const Enrollment = Schema.Struct(
  {
    ...base,
    user: GUIDRef,
    class: GUIDRef,
    school: opt(GUIDRef),
    role: Schema.String,
    primary: opt(BooleanLike),
    beginDate: opt(Schema.NullOr(Schema.String)),
    endDate: opt(Schema.NullOr(Schema.String))
  },
  Rest
)
export type Enrollment = typeof Enrollment.Type

export const AcademicSession = Schema.Struct(
  {
    ...base,
    title: opt(Schema.String),
    startDate: opt(Schema.String),
    endDate: opt(Schema.String),
    type: opt(Schema.String),
    parent: opt(Schema.NullOr(GUIDRef)),
    children: opt(Schema.Array(GUIDRef)),
    schoolYear: opt(Schema.String)
  },
  Rest
)
export type AcademicSession = typeof AcademicSession.Type

export const Demographics = Schema.Struct(
  {
    ...base,
    birthDate: opt(Schema.NullOr(Schema.String)),
    sex: opt(Schema.NullOr(Schema.String))
  },
  Rest
)
export type Demographics = typeof Demographics.Type

/** One entry of a OneRoster error body. */
export const StatusInfo = Schema.Struct(
  {
    imsx_codeMajor: Schema.String,
    imsx_severity: Schema.String,
    imsx_description: opt(Schema.NullOr(Schema.String)),
    imsx_CodeMinor: opt(Schema.Unknown)
  },
  Rest
)

/** The OneRoster 1.1 error body: `{ "statusInfoSet": [ … ] }`. */
export const StatusInfoSet = Schema.Struct({ statusInfoSet: Schema.Array(StatusInfo) }, Rest)
export type StatusInfoSet = typeof StatusInfoSet.Type

/** The collections rosterkit can list (the OneRoster 1.1 REST collections). */
export const EntityKind = Schema.Literal(
  "users",
  "students",
  "teachers",
  "orgs",
  "schools",
  "classes",
  "courses",
  "enrollments",
  "academicSessions",
  "terms",
  "gradingPeriods",
  "demographics"
)
export type EntityKind = typeof EntityKind.Type
export const entityKinds: ReadonlyArray<EntityKind> = EntityKind.literals

/** The schema of one record of each collection. */
export const schemaOf = {
  users: User,
  students: User,
  teachers: User,
  orgs: Org,
  schools: Org,
  classes: Class,
  courses: Course,
  enrollments: Enrollment,
  academicSessions: AcademicSession,
  terms: AcademicSession,
  gradingPeriods: AcademicSession,
  demographics: Demographics
} as const satisfies Record<EntityKind, Schema.Schema.Any>

/** The record type of each collection. */
export type EntityOf<K extends EntityKind> = Schema.Schema.Type<(typeof schemaOf)[K]>
export type Entity = EntityOf<EntityKind>

/** The key of a OneRoster 1.1 list envelope: `{ "users": [...] }`, `{ "orgs": [...] }` … */
export const envelopeKey: Record<EntityKind, string> = {
  users: "users",
  students: "users",
  teachers: "users",
  orgs: "orgs",
  schools: "orgs",
  classes: "classes",
  courses: "courses",
  enrollments: "enrollments",
  academicSessions: "academicSessions",
  terms: "academicSessions",
  gradingPeriods: "academicSessions",
  demographics: "demographics"
}

/** The key of a OneRoster 1.1 single-record envelope: `{ "user": {...} }`. */
export const singleEnvelopeKey: Record<EntityKind, string> = {
  users: "user",
  students: "user",
  teachers: "user",
  orgs: "org",
  schools: "org",
  classes: "class",
  courses: "course",
  enrollments: "enrollment",
  academicSessions: "academicSession",
  terms: "academicSession",
  gradingPeriods: "academicSession",
  demographics: "demographics"
}
