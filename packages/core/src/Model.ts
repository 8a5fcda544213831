/**
 * The OneRoster data model (1.1 and 1.2) as `effect/Schema` schemas.
 *
 * Decoding is strict on what rosterkit relies on (`sourcedId`, a user's `role`, the shape of
 * references) and lenient on the rest: every field is optional unless the engine needs it,
 * unknown fields are kept as they are, and booleans sent as strings ("true") stay strings, so
 * decode-then-encode gives back the JSON the server sent.
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as FastCheck from "./internal/fastCheck.js"

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

/** The roles of OneRoster 1.1 and 1.2 (1.2 widened the list and allows `ext:` values). */
export const knownRoles = [
  "administrator",
  "aide",
  "counselor",
  "districtAdministrator",
  "guardian",
  "parent",
  "principal",
  "proctor",
  "relative",
  "siteAdministrator",
  "student",
  "systemAdministrator",
  "teacher"
] as const

export type UserRole = (typeof knownRoles)[number] | `ext:${string}`

const knownRoleSet: ReadonlySet<string> = new Set(knownRoles)
const extensionRole = /^ext:[a-zA-Z0-9.\-_]+$/

/**
 * A user's role: a 1.1 or 1.2 value, or a 1.2 extension `ext:<name>`. (One Set lookup, not a
 * union of literals: it is checked for every user and every role of every user.)
 */
export const UserRole = Schema.declare(
  (input: unknown): input is UserRole => typeof input === "string" && (knownRoleSet.has(input) || extensionRole.test(input)),
  {
    identifier: "UserRole",
    jsonSchema: { anyOf: [{ type: "string", enum: [...knownRoles] }, { type: "string", pattern: extensionRole.source }] },
    message: (issue) =>
      `Expected a OneRoster role (${knownRoles.map((r) => JSON.stringify(r)).join(", ")} or "ext:<letters, digits, . - _>"), actual ${JSON.stringify(issue.actual)}`
  }
)

export const UserId = Schema.Struct({ type: Schema.String, identifier: Schema.String }, Rest)

/** OneRoster 1.2: one role of a user in one org (`primary` or `secondary` there). */
export const RoleAssignment = Schema.Struct(
  {
    roleType: Schema.Literal("primary", "secondary"),
    role: UserRole,
    org: GUIDRef,
    userProfile: opt(Schema.String),
    beginDate: opt(Schema.NullOr(Schema.String)),
    endDate: opt(Schema.NullOr(Schema.String))
  },
  Rest
)
export type RoleAssignment = typeof RoleAssignment.Type

/** OneRoster 1.2: an account of the user in some system, tool or app. */
export const UserProfile = Schema.Struct(
  {
    profileId: Schema.String,
    profileType: Schema.String,
    vendorId: Schema.String,
    applicationId: opt(Schema.String),
    description: opt(Schema.String),
    credentials: opt(Schema.Array(Schema.Unknown))
  },
  Rest
)
export type UserProfile = typeof UserProfile.Type

const userFields = {
  ...base,
  username: opt(Schema.String),
  userIds: opt(Schema.Array(UserId)),
  enabledUser: opt(BooleanLike),
  givenName: opt(Schema.String),
  familyName: opt(Schema.String),
  middleName: opt(Schema.NullOr(Schema.String)),
  identifier: opt(Schema.NullOr(Schema.String)),
  email: opt(Schema.NullOr(Schema.String)),
  sms: opt(Schema.NullOr(Schema.String)),
  phone: opt(Schema.NullOr(Schema.String)),
  agents: opt(Schema.Array(GUIDRef)),
  orgs: opt(Schema.Array(GUIDRef)),
  grades: opt(Schema.Array(Schema.String)),
  password: opt(Schema.NullOr(Schema.String)),
  // OneRoster 1.2
  roles: opt(Schema.Array(RoleAssignment)),
  userProfiles: opt(Schema.Array(UserProfile)),
  primaryOrg: opt(Schema.NullOr(GUIDRef)),
  userMasterIdentifier: opt(Schema.NullOr(Schema.String)),
  preferredFirstName: opt(Schema.NullOr(Schema.String)),
  preferredMiddleName: opt(Schema.NullOr(Schema.String)),
  preferredLastName: opt(Schema.NullOr(Schema.String)),
  pronouns: opt(Schema.NullOr(Schema.String)),
  resources: opt(Schema.Array(GUIDRef))
}

/** A user as it is on the wire: 1.1 sends `role` (+ `orgs`), 1.2 sends `roles`. */
const UserWire = Schema.Struct({ ...userFields, role: opt(UserRole) }, Rest)

/** Every field a user can have, as a Struct (its `fields` name them). */
export const UserFields = Schema.Struct({ ...userFields, role: UserRole }, Rest)

/**
 * A user of either version. `role` is always there (a 1.2 user's is its primary role's), and
 * `orgs` whenever the record had orgs or roles. `roles` is there when the record had them: use
 * `rolesOf` / `hasRole` rather than reading `roles` directly (a 1.1 record's roles are derived
 * from its `role` and `orgs` when asked for).
 */
export type User = typeof UserFields.Type

/**
 * The decoded side of `User`. Decoding has already checked every field on the wire side and
 * the mapping only adds `role` and `orgs` built from checked values, so this side only confirms
 * the shape (checking every field twice made decoding several times slower); encoding checks the
 * fields on the wire side. `UserFields` has the full field schemas.
 */
const UserType = Schema.declare(
  (input: unknown): input is User =>
    typeof input === "object" &&
    input !== null &&
    typeof (input as { sourcedId?: unknown }).sourcedId === "string" &&
    typeof (input as { role?: unknown }).role === "string",
  { identifier: "User", description: "A OneRoster 1.1 or 1.2 user", jsonSchema: { type: "object", required: ["sourcedId", "role"] } }
)

// -- the 1.1 <-> 1.2 mapping ------------------------------------------------------------------

/** 1.1 -> 1.2: one primary role in the first org, a secondary role in each further org. */
export const rolesFrom = (role: UserRole, orgs: ReadonlyArray<GUIDRef> | undefined): ReadonlyArray<RoleAssignment> => {
  const seen = new Set<string>()
  const out: Array<RoleAssignment> = []
  for (const org of orgs ?? []) {
    if (seen.has(org.sourcedId)) continue
    seen.add(org.sourcedId)
    out.push({ roleType: out.length === 0 ? "primary" : "secondary", role, org })
  }
  return out
}

/** 1.2 -> 1.1 role: the (first) primary role's, else the first role's. */
export const roleFrom = (roles: ReadonlyArray<RoleAssignment>): UserRole | undefined =>
  (roles.find((r) => r.roleType === "primary") ?? roles[0])?.role

/** 1.2 -> 1.1 orgs: the orgs of the roles, primary ones first, each once. */
export const orgsFrom = (roles: ReadonlyArray<RoleAssignment>): ReadonlyArray<GUIDRef> => {
  const seen = new Set<string>()
  const out: Array<GUIDRef> = []
  for (const r of [...roles.filter((r) => r.roleType === "primary"), ...roles.filter((r) => r.roleType !== "primary")]) {
    if (seen.has(r.org.sourcedId)) continue
    seen.add(r.org.sourcedId)
    out.push(r.org)
  }
  return out
}

/** A user's 1.2 roles: its own, or those derived from its 1.1 `role` and `orgs`. */
export const rolesOf = (user: User): ReadonlyArray<RoleAssignment> => user.roles ?? rolesFrom(user.role, user.orgs)

/** Does the user hold `role` in any of its roles (or as its 1.1 role)? */
export const hasRole = (user: User, role: UserRole): boolean => user.role === role || (user.roles ?? []).some((r) => r.role === role)

/** Structural equality of JSON values, key order ignored. */
const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) return a.length === (b as Array<unknown>).length && a.every((x, i) => same(x, (b as Array<unknown>)[i]))
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

type Wire = typeof UserWire.Type

/**
 * Gives a 1.2 record its 1.1 `role` and `orgs`. A 1.1 record passes as it is (no copy): its
 * `roles` are derived when asked for (`rolesOf`), which keeps decoding a large 1.1 roster cheap.
 */
const passesThrough = (wire: { readonly role?: unknown; readonly roles?: unknown; readonly orgs?: unknown }): boolean =>
  wire.role !== undefined && (wire.roles === undefined || wire.orgs !== undefined)

/**
 * A wire user as the one user model: `role` (and `orgs`) from a 1.2 user's `roles[]`, added
 * after its other fields. `reuse`: they are added to `wire` itself (a record just parsed, see
 * FastCheck.Decode) instead of to a copy: ~3 ms a page of 1,000 users less, and no second record
 * per user for the collector.
 */
const decodeUser = (wire: Wire, ast: SchemaAST.AST, reuse = false) => {
  const roles = wire.roles
  if (passesThrough(wire)) return ParseResult.succeed(wire as User)
  const role = wire.role ?? (roles === undefined ? undefined : roleFrom(roles))
  if (role === undefined) {
    return ParseResult.fail(
      new ParseResult.Type(ast, wire, roles === undefined ? "role: is missing (a 1.1 user has role, a 1.2 user roles)" : "roles: is empty")
    )
  }
  const out: Record<string, unknown> = reuse ? wire : { ...wire }
  out["role"] = role
  if (roles !== undefined && wire.orgs === undefined) out["orgs"] = orgsFrom(roles)
  return ParseResult.succeed(out as User)
}

/** `decodeUser` for a wire record that passed the wire side's check (FastCheck.Decode). */
const decodeUserFast = (wire: Record<string, unknown>, reuse: boolean): User | undefined => {
  const result = decodeUser(wire as Wire, UserType.ast, reuse)
  return result._tag === "Right" ? result.right : undefined
}

const dropWhere = (user: User, drop: ReadonlyArray<string>): Wire => {
  const out: Record<string, unknown> = { ...user }
  for (const key of drop) delete out[key]
  return out as Wire
}

/** `fields` like a Struct's (the user's field schemas), for code that lists a schema's fields. */
const withFields = <S extends Schema.Schema.Any>(schema: S): S & { readonly fields: typeof UserFields.fields } =>
  Object.assign(schema, { fields: UserFields.fields })

/**
 * A OneRoster user, read from either version and written as 1.1: `roles` is left out when it
 * says no more than `role` and `orgs` (decode-then-encode gives back a 1.1 record as sent).
 */
export const User = withFields(Schema.transformOrFail(UserWire, UserType, {
  strict: true,
  decode: (wire, _, ast) => decodeUser(wire, ast),
  encode: (user) =>
    ParseResult.succeed(
      dropWhere(user, user.roles !== undefined && same(user.roles, rolesFrom(user.role, user.orgs)) ? ["roles"] : [])
    )
}).annotations({ [FastCheck.PassThrough]: passesThrough, [FastCheck.Decode]: decodeUserFast }))

/**
 * The same user, written as 1.2: `roles` always (derived from `role` and `orgs` when the
 * record has none), `role` and `orgs` left out when they say no more than `roles`
 * (decode-then-encode gives back a 1.2 record as sent).
 */
export const UserV1p2 = withFields(Schema.transformOrFail(UserWire, UserType, {
  strict: true,
  decode: (wire, _, ast) => decodeUser(wire, ast),
  encode: (user) => {
    const roles = rolesOf(user)
    const drop: Array<string> = []
    if (user.role === roleFrom(roles)) drop.push("role")
    if (user.orgs !== undefined && same(user.orgs, orgsFrom(roles))) drop.push("orgs")
    return ParseResult.succeed({ ...dropWhere(user, drop), roles })
  }
}).annotations({ [FastCheck.PassThrough]: passesThrough, [FastCheck.Decode]: decodeUserFast }))

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

/**
 * The fields of a demographics record after its base fields (sourcedId, status,
 * dateLastModified), in the order OneRoster 1.1 and 1.2 list them (their CSV columns too).
 */
export const demographicsFields = [
  "birthDate",
  "sex",
  "americanIndianOrAlaskaNative",
  "asian",
  "blackOrAfricanAmerican",
  "nativeHawaiianOrOtherPacificIslander",
  "white",
  "demographicRaceTwoOrMoreRaces",
  "hispanicOrLatinoEthnicity",
  "countryOfBirthCode",
  "stateOfBirthAbbreviation",
  "cityOfBirth",
  "publicSchoolResidenceStatus"
] as const

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

/** The OneRoster versions rosterkit reads and writes. */
export const Version = Schema.Literal("1.1", "1.2")
export type Version = typeof Version.Type

/**
 * The schema of one record of `kind` in `version`: the same types, but users are written in that
 * version's shape (1.2: `roles`, 1.1: `role` and `orgs`). Both read either shape.
 */
export const schemaFor = <K extends EntityKind>(kind: K, version: Version): (typeof schemaOf)[K] =>
  (version === "1.2" && (kind === "users" || kind === "students" || kind === "teachers") ? UserV1p2 : schemaOf[kind]) as (typeof schemaOf)[K]
