/**
 * The OneRoster 1.1 and 1.2 CSV bindings: the files of a bulk set, their columns (in the
 * standard's order, checked against the IMS sample sets), which columns rosterkit requires, and
 * the mapping between a row and a core Model record, both ways. A 1.2 user is spread over
 * users.csv, roles.csv (its `roles[]`) and userProfiles.csv (its `userProfiles[]`).
 * `metadata.<name>` columns (national profiles' extensions) may appear in any file; their
 * cells are kept under the record's `metadata`.
 *
 * Cells: an empty (or blank) cell means the field is absent. List cells (`grades`,
 * `orgSourcedIds`, `termSourcedIds` …) are comma-joined, items trimmed. References become
 * GUIDRefs `{ sourcedId, type }` (no `href`: a CSV set has no URLs). `userIds` cells are
 * `{type:identifier}` items. Booleans (`enabledUser`, `primary`, the demographics race flags)
 * read any casing of true/false and become JSON booleans.
 */
import * as Model from "@rosterkit/core/Model"

/** The record type of each 1.1 data file. */
export interface RecordOf {
  readonly orgs: Model.Org
  readonly users: Model.User
  readonly courses: Model.Course
  readonly classes: Model.Class
  readonly enrollments: Model.Enrollment
  readonly academicSessions: Model.AcademicSession
  readonly demographics: Model.Demographics
}

/** A OneRoster 1.1 rostering file, named as in the manifest (`file.users` -> `users.csv`). */
export type FileName = keyof RecordOf

/** The rostering files rosterkit reads and writes, in the order an export writes them. */
export const fileNames: ReadonlyArray<FileName> = [
  "academicSessions",
  "orgs",
  "courses",
  "classes",
  "users",
  "enrollments",
  "demographics"
]

/** The 1.1 columns of each file, in the standard's order (the order an export writes). */
export const columns: { readonly [F in FileName]: ReadonlyArray<string> } = {
  orgs: ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
  users: [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
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
    "agentSourcedIds",
    "grades",
    "password"
  ],
  courses: [
    "sourcedId",
    "status",
    "dateLastModified",
    "schoolYearSourcedId",
    "title",
    "courseCode",
    "grades",
    "orgSourcedId",
    "subjects",
    "subjectCodes"
  ],
  classes: [
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "grades",
    "courseSourcedId",
    "classCode",
    "classType",
    "location",
    "schoolSourcedId",
    "termSourcedIds",
    "subjects",
    "subjectCodes",
    "periods"
  ],
  enrollments: [
    "sourcedId",
    "status",
    "dateLastModified",
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate"
  ],
  academicSessions: ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"],
  demographics: ["sourcedId", "status", "dateLastModified", ...Model.demographicsFields]
}

/**
 * Columns a OneRoster 1.2 set adds to a file (accepted only when the manifest says 1.2). 1.2
 * `users.csv` also drops `role` and `orgSourcedIds`: they come from `roles.csv` instead.
 */
export const columns12: { readonly [F in FileName]?: ReadonlyArray<string> } = {
  users: [
    "userMasterIdentifier",
    "resourceSourcedIds",
    "preferredGivenName",
    "preferredMiddleName",
    "preferredFamilyName",
    "primaryOrgSourcedId",
    "pronouns"
  ]
}

/** The 1.2 `users.csv` columns, in the standard's order (what a 1.2 export writes). */
export const usersColumns12: ReadonlyArray<string> = [
  "sourcedId",
  "status",
  "dateLastModified",
  "enabledUser",
  "username",
  "userIds",
  "givenName",
  "familyName",
  "middleName",
  "identifier",
  "email",
  "sms",
  "phone",
  "agentSourcedIds",
  "grades",
  "password",
  ...columns12.users!
]

/** The 1.2 `userProfiles.csv` columns. */
export const userProfilesColumns: ReadonlyArray<string> = [
  "sourcedId",
  "status",
  "dateLastModified",
  "userSourcedId",
  "profileType",
  "vendorId",
  "applicationId",
  "description",
  "credentialType",
  "username",
  "password"
]

/** A `metadata.<name>` extension column (any file). */
export const isMetadataColumn = (name: string): boolean => /^metadata\.[^.\s][^\s]*$/.test(name)

/** The columns rosterkit cannot do without; their header must be present and their cells non-empty. */
export const required: { readonly [F in FileName]: ReadonlyArray<string> } = {
  orgs: ["sourcedId"],
  users: ["sourcedId", "role"],
  courses: ["sourcedId"],
  classes: ["sourcedId"],
  enrollments: ["sourcedId", "classSourcedId", "userSourcedId", "role"],
  academicSessions: ["sourcedId"],
  demographics: ["sourcedId"]
}

/** The 1.2 `roles.csv` columns (a user's `roles[]`, one row per role). */
export const rolesColumns: ReadonlyArray<string> = [
  "sourcedId",
  "status",
  "dateLastModified",
  "userSourcedId",
  "roleType",
  "role",
  "beginDate",
  "endDate",
  "orgSourcedId",
  "userProfileSourcedId"
]

/** A cell that does not hold what its column needs. The reader adds file and line. */
export class CellError extends Error {
  constructor(
    readonly column: string,
    readonly detail: string
  ) {
    super(`column ${column}: ${detail}`)
  }
}

/** Reads the (non-empty) cell of a column, or `undefined` for a blank cell or a missing column. */
export type Cell = (column: string) => string | undefined

/** What roles.csv and userProfiles.csv say about one 1.2 user. */
export interface UserParts {
  readonly roles: ReadonlyArray<Model.RoleAssignment>
  readonly userProfiles: ReadonlyArray<Model.UserProfile>
}

/** The user parts by userSourcedId (absent: the user has no row in either file). */
export type UserPartsOf = (userSourcedId: string) => UserParts | undefined

// ---------------------------------------------------------------------------------------------
// Reading

/** A comma-joined list cell: items trimmed, empty items dropped; `undefined` when empty. */
export const splitList = (cell: string | undefined): Array<string> | undefined => {
  if (cell === undefined) return undefined
  const items = cell
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
  return items.length === 0 ? undefined : items
}

const ref = (id: string | undefined, type: string): Model.GUIDRef | undefined => (id === undefined ? undefined : { sourcedId: id.trim(), type })

const refs = (cell: string | undefined, type: string): Array<Model.GUIDRef> | undefined =>
  splitList(cell)?.map((sourcedId) => ({ sourcedId, type }))

const bool = (cell: Cell, column: string): boolean | undefined => {
  const value = cell(column)
  if (value === undefined) return undefined
  const lower = value.trim().toLowerCase()
  if (lower === "true") return true
  if (lower === "false") return false
  throw new CellError(column, `'${value}' is not true or false`)
}

const userIds = (cell: Cell): Array<{ type: string; identifier: string }> | undefined => {
  const value = cell("userIds")
  if (value === undefined) return undefined
  // `{LDAP:12},{LTI:15}`: the braced items; tolerates items written without braces (`LDAP:12`).
  const braced = value.includes("{")
  const items = braced ? (value.match(/\{[^}]*\}/g) ?? []) : (splitList(value) ?? [])
  if (braced && value.replace(/\{[^}]*\}/g, "").replace(/[\s,]/g, "") !== "") {
    throw new CellError("userIds", `'${value}' is not a list of {type:identifier}`)
  }
  const ids = items.map((item) => {
    const inner = item.replace(/^\{/, "").replace(/\}$/, "")
    const colon = inner.indexOf(":")
    if (colon <= 0) throw new CellError("userIds", `'${item}' is not {type:identifier}`)
    return { type: inner.slice(0, colon).trim(), identifier: inner.slice(colon + 1).trim() }
  })
  return ids.length === 0 ? undefined : ids
}

const requiredCell = (cell: Cell, column: string): string => {
  const value = cell(column)
  if (value === undefined) throw new CellError(column, "is empty, but rosterkit needs it")
  return value
}

const userRoles: ReadonlyArray<string> = Model.knownRoles

/** A OneRoster 1.1 or 1.2 user role, any casing (`ext:` extension roles as written). */
export const userRole = (value: string, column: string): Model.UserRole => {
  const trimmed = value.trim()
  const lower = trimmed.toLowerCase()
  const known = userRoles.find((r) => r.toLowerCase() === lower)
  if (known !== undefined) return known as Model.UserRole
  if (/^ext:[a-zA-Z0-9.\-_]+$/.test(trimmed)) return trimmed as Model.UserRole
  throw new CellError(column, `'${value}' is not a OneRoster role (${userRoles.join(", ")}, or ext:<name>)`)
}

const enrollmentRoles: ReadonlyArray<string> = ["administrator", "proctor", "student", "teacher", "aide", "guardian", "parent", "relative"]

/**
 * A record under construction: `set` leaves absent fields out (never `undefined`). Records are
 * built by assignment, not object spread: V8's spread is several times slower, which matters
 * at a million rows.
 */
class Fields {
  readonly out: Record<string, unknown> = {}
  constructor(cell: Cell) {
    this.out["sourcedId"] = requiredCell(cell, "sourcedId").trim()
    this.set("status", cell("status")?.trim())
    this.set("dateLastModified", cell("dateLastModified")?.trim())
  }
  set(key: string, value: unknown): this {
    if (value !== undefined) this.out[key] = value
    return this
  }
  as<A>(): A {
    return this.out as A
  }
}

type Decoders = { readonly [F in FileName]: (cell: Cell, parts?: UserPartsOf) => RecordOf[F] }

const decoders: Decoders = {
  orgs: (cell) =>
    new Fields(cell)
      .set("name", cell("name"))
      .set("type", cell("type")?.trim())
      .set("identifier", cell("identifier"))
      .set("parent", ref(cell("parentSourcedId"), "org"))
      .as(),
  users: (cell, parts) => {
    const fields = new Fields(cell)
    const sourcedId = fields.out["sourcedId"] as string
    let role: Model.UserRole
    let orgs = refs(cell("orgSourcedIds"), "org")
    const own = parts?.(sourcedId)
    const roles = own === undefined || own.roles.length === 0 ? undefined : own.roles
    if (cell("role") !== undefined || parts === undefined) {
      role = userRole(requiredCell(cell, "role"), "role")
    } else {
      if (roles === undefined) throw new CellError("sourcedId", `user '${sourcedId}' has no role in roles.csv`)
      role = Model.roleFrom(roles)!
      orgs ??= Model.orgsFrom(roles) as Array<Model.GUIDRef>
    }
    return (
      fields
        .set("enabledUser", bool(cell, "enabledUser"))
        .set("orgs", orgs)
        .set("role", role)
        .set("username", cell("username"))
        .set("userIds", userIds(cell))
        .set("givenName", cell("givenName"))
        .set("familyName", cell("familyName"))
        .set("middleName", cell("middleName"))
        .set("identifier", cell("identifier"))
        .set("email", cell("email"))
        .set("sms", cell("sms"))
        .set("phone", cell("phone"))
        .set("agents", refs(cell("agentSourcedIds"), "user"))
        .set("grades", splitList(cell("grades")))
        .set("password", cell("password"))
        // OneRoster 1.2 columns, under their 1.2 JSON names
        .set("userMasterIdentifier", cell("userMasterIdentifier"))
        .set("preferredFirstName", cell("preferredGivenName"))
        .set("preferredMiddleName", cell("preferredMiddleName"))
        .set("preferredLastName", cell("preferredFamilyName"))
        .set("primaryOrg", ref(cell("primaryOrgSourcedId"), "org"))
        .set("pronouns", cell("pronouns"))
        .set("resources", refs(cell("resourceSourcedIds"), "resource"))
        .set("roles", roles)
        .set("userProfiles", own === undefined || own.userProfiles.length === 0 ? undefined : own.userProfiles)
        .as()
    )
  },
  courses: (cell) =>
    new Fields(cell)
      .set("schoolYear", ref(cell("schoolYearSourcedId"), "academicSession"))
      .set("title", cell("title"))
      .set("courseCode", cell("courseCode"))
      .set("grades", splitList(cell("grades")))
      .set("org", ref(cell("orgSourcedId"), "org"))
      .set("subjects", splitList(cell("subjects")))
      .set("subjectCodes", splitList(cell("subjectCodes")))
      .as(),
  classes: (cell) =>
    new Fields(cell)
      .set("title", cell("title"))
      .set("grades", splitList(cell("grades")))
      .set("course", ref(cell("courseSourcedId"), "course"))
      .set("classCode", cell("classCode"))
      .set("classType", cell("classType")?.trim())
      .set("location", cell("location"))
      .set("school", ref(cell("schoolSourcedId"), "org"))
      .set("terms", refs(cell("termSourcedIds"), "academicSession"))
      .set("subjects", splitList(cell("subjects")))
      .set("subjectCodes", splitList(cell("subjectCodes")))
      .set("periods", splitList(cell("periods")))
      .as(),
  enrollments: (cell) => {
    const fields = new Fields(cell)
    const role = requiredCell(cell, "role").trim()
    return fields
      .set("class", ref(requiredCell(cell, "classSourcedId"), "class"))
      .set("school", ref(cell("schoolSourcedId"), "org"))
      .set("user", ref(requiredCell(cell, "userSourcedId"), "user"))
      .set("role", enrollmentRoles.find((r) => r === role.toLowerCase()) ?? role)
      .set("primary", bool(cell, "primary"))
      .set("beginDate", cell("beginDate")?.trim())
      .set("endDate", cell("endDate")?.trim())
      .as()
  },
  academicSessions: (cell) =>
    new Fields(cell)
      .set("title", cell("title"))
      .set("type", cell("type")?.trim())
      .set("startDate", cell("startDate")?.trim())
      .set("endDate", cell("endDate")?.trim())
      .set("parent", ref(cell("parentSourcedId"), "academicSession"))
      .set("schoolYear", cell("schoolYear")?.trim())
      .as(),
  demographics: (cell) =>
    new Fields(cell)
      .set("birthDate", cell("birthDate")?.trim())
      .set("sex", cell("sex")?.trim())
      .set("americanIndianOrAlaskaNative", bool(cell, "americanIndianOrAlaskaNative"))
      .set("asian", bool(cell, "asian"))
      .set("blackOrAfricanAmerican", bool(cell, "blackOrAfricanAmerican"))
      .set("nativeHawaiianOrOtherPacificIslander", bool(cell, "nativeHawaiianOrOtherPacificIslander"))
      .set("white", bool(cell, "white"))
      .set("demographicRaceTwoOrMoreRaces", bool(cell, "demographicRaceTwoOrMoreRaces"))
      .set("hispanicOrLatinoEthnicity", bool(cell, "hispanicOrLatinoEthnicity"))
      .set("countryOfBirthCode", cell("countryOfBirthCode"))
      .set("stateOfBirthAbbreviation", cell("stateOfBirthAbbreviation"))
      .set("cityOfBirth", cell("cityOfBirth"))
      .set("publicSchoolResidenceStatus", cell("publicSchoolResidenceStatus"))
      .as()
}

/** Adds the non-empty `metadata.<name>` cells of a row under `record.metadata` (as `{ name: cell }`). */
const withMetadata = (header: ReadonlyArray<string>) => {
  const columns = header.flatMap((name, i) => (isMetadataColumn(name) ? [[name.slice("metadata.".length), i] as const] : []))
  if (columns.length === 0) return undefined
  return (record: Record<string, unknown>, cells: ReadonlyArray<string>) => {
    let metadata: Record<string, string> | undefined
    for (const [name, i] of columns) {
      const value = cells[i]
      if (value === undefined || value.trim() === "") continue
      ;(metadata ??= {})[name] = value
    }
    if (metadata !== undefined) record["metadata"] = metadata
  }
}

/**
 * The row decoder of `file` for a header (already checked by the reader). Throws `CellError`
 * for a cell it cannot read. `parts` supplies 1.2 users' roles and profiles (roles.csv,
 * userProfiles.csv); a user then gets its `role` and `orgs` from its roles.
 */
export const decoder = <F extends FileName>(
  file: F,
  header: ReadonlyArray<string>,
  parts?: UserPartsOf
): ((cells: ReadonlyArray<string>) => RecordOf[F]) => {
  const index = new Map(header.map((name, i) => [name, i] as const))
  const decode = decoders[file] as (cell: Cell, parts?: UserPartsOf) => RecordOf[F]
  const metadata = withMetadata(header)
  return (cells) => {
    const cell: Cell = (column) => {
      const i = index.get(column)
      if (i === undefined) return undefined
      const value = cells[i]
      return value === undefined || value.trim() === "" ? undefined : value
    }
    const record = decode(cell, parts)
    if (metadata !== undefined) metadata(record as unknown as Record<string, unknown>, cells)
    return record
  }
}

/** One roles.csv row as a role (the reader checks the header; throws CellError). */
export const roleOfRow = (cell: Cell): { readonly userSourcedId: string; readonly role: Model.RoleAssignment } => {
  const userSourcedId = requiredCell(cell, "userSourcedId").trim()
  const roleType = requiredCell(cell, "roleType").trim().toLowerCase()
  if (roleType !== "primary" && roleType !== "secondary") throw new CellError("roleType", `'${roleType}' is not primary or secondary`)
  const role: Record<string, unknown> = {
    roleType,
    role: userRole(requiredCell(cell, "role"), "role"),
    org: ref(requiredCell(cell, "orgSourcedId"), "org")
  }
  const profile = cell("userProfileSourcedId")?.trim()
  if (profile !== undefined) role["userProfile"] = profile
  const begin = cell("beginDate")?.trim()
  if (begin !== undefined) role["beginDate"] = begin
  const end = cell("endDate")?.trim()
  if (end !== undefined) role["endDate"] = end
  return { userSourcedId, role: role as Model.RoleAssignment }
}

/** One userProfiles.csv row as a profile (its sourcedId is the profileId roles refer to). */
export const profileOfRow = (cell: Cell): { readonly userSourcedId: string; readonly profile: Model.UserProfile } => {
  const userSourcedId = requiredCell(cell, "userSourcedId").trim()
  const profile: Record<string, unknown> = {
    profileId: requiredCell(cell, "sourcedId").trim(),
    profileType: requiredCell(cell, "profileType"),
    vendorId: requiredCell(cell, "vendorId")
  }
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined) profile[key] = value
  }
  set("applicationId", cell("applicationId"))
  set("description", cell("description"))
  const credentialType = cell("credentialType")
  const username = cell("username")
  const password = cell("password")
  if (credentialType !== undefined || username !== undefined || password !== undefined) {
    const credential: Record<string, string> = { type: credentialType ?? "", username: username ?? "" }
    if (password !== undefined) credential["password"] = password
    profile["credentials"] = [credential]
  }
  return { userSourcedId, profile: profile as Model.UserProfile }
}

// ---------------------------------------------------------------------------------------------
// Writing

const text = (value: unknown): string => {
  if (value === undefined || value === null) return ""
  if (typeof value === "string") return value
  if (typeof value === "boolean") return value ? "true" : "false"
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  return JSON.stringify(value)
}

const boolText = (value: unknown): string => {
  if (value === undefined || value === null || value === "") return ""
  if (typeof value === "boolean") return value ? "true" : "false"
  const lower = String(value).toLowerCase()
  return lower === "true" || lower === "false" ? lower : String(value)
}

const idOf = (value: unknown): string =>
  value !== null && typeof value === "object" && "sourcedId" in value ? text((value as { sourcedId: unknown }).sourcedId) : ""

const ids = (value: unknown): string => (Array.isArray(value) ? value.map(idOf).filter((id) => id !== "").join(",") : "")

const list = (value: unknown): string => (Array.isArray(value) ? value.map(text).join(",") : text(value))

const userIdsText = (value: unknown): string =>
  Array.isArray(value)
    ? value
        .map((u) => (u !== null && typeof u === "object" ? `{${text((u as Record<string, unknown>)["type"])}:${text((u as Record<string, unknown>)["identifier"])}}` : ""))
        .filter((u) => u !== "")
        .join(",")
    : ""

type Field = (record: Record<string, unknown>) => string

const field =
  (name: string): Field =>
  (r) =>
    text(r[name])
const boolField =
  (name: string): Field =>
  (r) =>
    boolText(r[name])
const listField =
  (name: string): Field =>
  (r) =>
    list(r[name])
const refField =
  (name: string): Field =>
  (r) =>
    idOf(r[name])
const refsField =
  (name: string): Field =>
  (r) =>
    ids(r[name])

const encoders: { readonly [F in FileName]: Readonly<Record<string, Field>> } = {
  orgs: { parentSourcedId: refField("parent") },
  users: {
    enabledUser: boolField("enabledUser"),
    orgSourcedIds: refsField("orgs"),
    userIds: (r) => userIdsText(r["userIds"]),
    agentSourcedIds: refsField("agents"),
    grades: listField("grades"),
    // OneRoster 1.2 columns
    resourceSourcedIds: refsField("resources"),
    preferredGivenName: field("preferredFirstName"),
    preferredFamilyName: field("preferredLastName"),
    primaryOrgSourcedId: refField("primaryOrg")
  },
  courses: {
    schoolYearSourcedId: refField("schoolYear"),
    grades: listField("grades"),
    orgSourcedId: refField("org"),
    subjects: listField("subjects"),
    subjectCodes: listField("subjectCodes")
  },
  classes: {
    grades: listField("grades"),
    courseSourcedId: refField("course"),
    schoolSourcedId: refField("school"),
    termSourcedIds: refsField("terms"),
    subjects: listField("subjects"),
    subjectCodes: listField("subjectCodes"),
    periods: listField("periods")
  },
  enrollments: {
    classSourcedId: refField("class"),
    schoolSourcedId: refField("school"),
    userSourcedId: refField("user"),
    primary: boolField("primary")
  },
  academicSessions: { parentSourcedId: refField("parent") },
  demographics: {
    americanIndianOrAlaskaNative: boolField("americanIndianOrAlaskaNative"),
    asian: boolField("asian"),
    blackOrAfricanAmerican: boolField("blackOrAfricanAmerican"),
    nativeHawaiianOrOtherPacificIslander: boolField("nativeHawaiianOrOtherPacificIslander"),
    white: boolField("white"),
    demographicRaceTwoOrMoreRaces: boolField("demographicRaceTwoOrMoreRaces"),
    hispanicOrLatinoEthnicity: boolField("hispanicOrLatinoEthnicity")
  }
}

export interface EncoderOptions {
  /** The columns written (default `columns[file]`, the 1.1 ones; `usersColumns12` for 1.2 users). */
  readonly columns?: ReadonlyArray<string> | undefined
  /** Leave status and dateLastModified blank, as bulk files must (default false: a delta file fills them). */
  readonly bulk?: boolean | undefined
}

const blank: Field = () => ""

/** The row of `record` in `file`, one cell per column, in order. */
export const encoder = <F extends FileName>(file: F, options: EncoderOptions = {}): ((record: RecordOf[F]) => Array<string>) => {
  const special = encoders[file]
  const fields: ReadonlyArray<Field> = (options.columns ?? columns[file]).map((column) =>
    options.bulk === true && (column === "status" || column === "dateLastModified") ? blank : (special[column] ?? field(column))
  )
  return (record) => fields.map((f) => f(record as unknown as Record<string, unknown>))
}

/** A metadata key that cannot be written as a `metadata.<key>` column (the writer's error). */
export class MetadataKeyError extends Error {
  constructor(
    readonly key: string,
    readonly record: string
  ) {
    super(`metadata key ${JSON.stringify(key)} cannot be a CSV column: a key must be non-empty, without spaces, and not start with '.'`)
  }
}

/**
 * The `metadata.<key>` cells of a record, keyed by column name (`metadata.<key>`), or undefined
 * when it has none. A string is written as it is; a number or boolean as its text (`7`,
 * `true`); an object or list as its JSON text; null, undefined and blank text leave the cell empty.
 * Read back, every value is a string (`"7"`, `'{"a":1}'`). A key that cannot be a column
 * (empty, with whitespace, starting with '.') throws MetadataKeyError.
 */
export const metadataCells = (record: { readonly sourcedId: string; readonly metadata?: unknown }): Map<string, string> | undefined => {
  const metadata = record.metadata
  if (metadata === null || metadata === undefined || typeof metadata !== "object") return undefined
  let cells: Map<string, string> | undefined
  for (const [key, value] of Object.entries(metadata)) {
    const cell = text(value)
    if (cell.trim() === "") continue
    const column = `metadata.${key}`
    if (!isMetadataColumn(column)) throw new MetadataKeyError(key, record.sourcedId)
    ;(cells ??= new Map()).set(column, cell)
  }
  return cells
}

/** 1.2 has no `administrator`: a 1.1 administrator is written as a districtAdministrator. */
const role12 = (role: string): string => (role === "administrator" ? "districtAdministrator" : role)

const roleRow = (user: Model.User, r: Model.RoleAssignment, n: number, roleType: string, bulk: boolean): Array<string> => [
  `${user.sourcedId}-role-${n}`,
  bulk ? "" : text(user.status),
  bulk ? "" : text(user.dateLastModified),
  user.sourcedId,
  roleType,
  role12(r.role),
  text(r.beginDate),
  text(r.endDate),
  r.org.sourcedId,
  text(r.userProfile)
]

/**
 * The roles.csv rows of one 1.2 user: one per role (a 1.1 user's derived from its role and orgs:
 * primary in the first org, secondary in the others). Role rows have no sourcedId in the model:
 * they are numbered `<userSourcedId>-role-<n>`.
 */
export const roleRows = (user: Model.User, options: { readonly bulk: boolean }): Array<Array<string>> =>
  Model.rolesOf(user).map((r, i) => roleRow(user, r, i + 1, r.roleType, options.bulk))

const profileRow = (user: Model.User, p: Model.UserProfile, bulk: boolean): Array<string> => {
  const credential = (p.credentials?.[0] ?? {}) as Record<string, unknown>
  return [
    p.profileId,
    bulk ? "" : text(user.status),
    bulk ? "" : text(user.dateLastModified),
    user.sourcedId,
    p.profileType,
    p.vendorId,
    text(p.applicationId),
    text(p.description),
    text(credential["type"]),
    text(credential["username"]),
    text(credential["password"])
  ]
}

/** The userProfiles.csv rows of one 1.2 user: one per profile (its first credential). */
export const profileRows = (user: Model.User, options: { readonly bulk: boolean }): Array<Array<string>> =>
  (user.userProfiles ?? []).map((p) => profileRow(user, p, options.bulk))

/**
 * The 1.1 users.csv records of one user. 1.1 has one role per user row, so a 1.2 user holding
 * several roles (a teacher who also takes a class) is one row per role, with the same sourcedId
 * (as 1.1 providers list such a person: a student record and a teacher record): its primary
 * role's row first, then one per other role. Every row has all the user's orgs, as the user's
 * 1.1 `orgs` are: the query semantics take a user's roles and orgs as two sets (a teacher of a
 * school holds the teacher role and that school), so the set answers the same queries as the
 * source; which role the user holds in which org is a 1.2 detail (`roles[]`), kept by a 1.2 set.
 */
export const users11 = (user: Model.User): ReadonlyArray<Model.User> => {
  if (user.roles === undefined) return [user]
  let others: Set<Model.UserRole> | undefined
  for (const r of user.roles) if (r.role !== user.role) (others ??= new Set()).add(r.role)
  return others === undefined ? [user] : [user, ...[...others].map((role) => ({ ...user, role }))]
}

/** The rows of one user in a 1.2 set's users.csv, roles.csv and userProfiles.csv. */
export interface UserRows12 {
  readonly users: ReadonlyArray<ReadonlyArray<string>>
  readonly roles: ReadonlyArray<ReadonlyArray<string>>
  readonly profiles: ReadonlyArray<ReadonlyArray<string>>
}

/**
 * Splits the users of a 1.2 export into their users.csv, roles.csv and userProfiles.csv rows,
 * merging a person listed more than once with one sourcedId — as 1.1 providers list a person
 * with two roles (Clever's student-and-teacher: a student record, then a teacher record):
 * one users.csv row (the first record's), and each later record adds the roles and profiles
 * not written yet, its roles `secondary` in an org where the person already has a primary role
 * (1.2 allows one primary role per org). The one state is a short entry per user (its id and
 * the roles written), so memory grows with the district here, as the 1.2 reader's join does.
 */
export const users12 = (options: { readonly bulk: boolean }): ((user: Model.User) => UserRows12) => {
  const encode = encoder("users", { columns: usersColumns12, bulk: options.bulk })
  // user id -> the roles written ("role|org|roleType" lines) and profiles ("profile|id" lines).
  const written = new Map<string, string>()
  return (user) => {
    const roles = Model.rolesOf(user)
    const keyOf = (r: Model.RoleAssignment, roleType: string) => `${role12(r.role)}|${r.org.sourcedId}|${roleType}`
    const before = written.get(user.sourcedId)
    if (before === undefined) {
      const lines = [...roles.map((r) => keyOf(r, r.roleType)), ...(user.userProfiles ?? []).map((p) => `profile|${p.profileId}`)]
      written.set(user.sourcedId, lines.join("\n"))
      return { users: [encode(user)], roles: roleRows(user, options), profiles: profileRows(user, options) }
    }
    const lines = before.split("\n")
    const has = (role: string, org: string) => lines.some((l) => l.startsWith(`${role}|${org}|`))
    const rows: Array<Array<string>> = []
    let n = lines.filter((l) => !l.startsWith("profile|")).length
    for (const r of roles) {
      if (has(role12(r.role), r.org.sourcedId)) continue
      const roleType = r.roleType === "primary" && lines.some((l) => l.endsWith(`|${r.org.sourcedId}|primary`)) ? "secondary" : r.roleType
      rows.push(roleRow(user, r, ++n, roleType, options.bulk))
      lines.push(keyOf(r, roleType))
    }
    const profiles = (user.userProfiles ?? []).filter((p) => !lines.includes(`profile|${p.profileId}`))
    for (const p of profiles) lines.push(`profile|${p.profileId}`)
    written.set(user.sourcedId, lines.join("\n"))
    return { users: [], roles: rows, profiles: profiles.map((p) => profileRow(user, p, options.bulk)) }
  }
}
