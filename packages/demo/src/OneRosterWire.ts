/**
 * OneRoster answers as a server writes them, in 1.1 or 1.2: error bodies and records. Written
 * once for the two OneRoster servers rosterkit has (FakeOneRoster here, the `rosterkit-http`
 * gateway), so both speak exactly the same 1.2.
 *
 * - 1.1 errors are `{ "statusInfoSet": [ imsx_StatusInfo ] }`; 1.2 errors are one bare
 *   `imsx_StatusInfo` object, and 1.2 spells 1.1's `invalid_data` as `invaliddata`.
 * - 1.1 records are written as they are held. 1.2 records: users through `Model.UserV1p2`
 *   (`roles[]`; `role` and `orgs` left out when `roles` says as much), every reference
 *   (`{ sourcedId, type }`) with an `href` (1.2 requires one), no `null` anywhere outside
 *   `metadata` (1.2 has no nulls: a field without a value is left out), and only the fields the
 *   1.2 schemas define (they allow no others): any other field of a record (a 1.1 field such as
 *   a user's `role` that `roles` does not say, or what a provider keeps of its SIS's own record)
 *   is moved into the record's `metadata`, 1.2's place for extensions, so nothing is lost.
 */
import * as Model from "@rosterkit/core/Model"
import * as Schema from "effect/Schema"

/** A OneRoster 1.1 `statusInfoSet` body. */
export const statusInfoSet = (codeMinor: string, description: string) => ({
  statusInfoSet: [
    {
      imsx_codeMajor: "failure",
      imsx_severity: "error",
      imsx_description: description,
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: "TargetEndSystem", imsx_codeMinorFieldValue: codeMinor }] }
    }
  ]
})

/** A OneRoster 1.2 error body: one `imsx_StatusInfo` object. */
export const statusInfo = (codeMinor: string, description: string) => statusInfoSet(codeMinor, description).statusInfoSet[0]!

/** 1.2's spelling of a codeMinor (1.1's `invalid_data` is `invaliddata`; the others are the same). */
export const codeMinorV1p2 = (codeMinor: string): string => (codeMinor === "invalid_data" ? "invaliddata" : codeMinor)

/** The error body of `version`, from a codeMinor in 1.1's spelling. */
export const errorBody = (version: Model.Version, codeMinor: string, description: string) =>
  version === "1.2" ? statusInfo(codeMinorV1p2(codeMinor), description) : statusInfoSet(codeMinor, description)

/** The collection a reference's `type` lives in: class -> classes, org -> orgs, demographics -> demographics. */
export const collectionOfType = (type: string): string =>
  type === "class" ? "classes" : type === "demographics" || type.endsWith("s") ? type : `${type}s`

/** The collections of the 1.2 record types (a collection, its envelope key or its single-record key). */
const recordType: Record<string, keyof typeof fieldsV1p2> = {
  users: "users",
  students: "users",
  teachers: "users",
  user: "users",
  orgs: "orgs",
  schools: "orgs",
  org: "orgs",
  classes: "classes",
  class: "classes",
  courses: "courses",
  course: "courses",
  enrollments: "enrollments",
  enrollment: "enrollments",
  academicSessions: "academicSessions",
  terms: "academicSessions",
  gradingPeriods: "academicSessions",
  academicSession: "academicSessions",
  demographics: "demographics"
}

const base = ["sourcedId", "status", "dateLastModified", "metadata"]

/** The fields of each 1.2 record type (1EdTech's rostering OpenAPI description; none allows others). */
export const fieldsV1p2 = {
  users: [
    ...base,
    "userMasterIdentifier",
    "username",
    "userIds",
    "enabledUser",
    "givenName",
    "familyName",
    "middleName",
    "preferredFirstName",
    "preferredMiddleName",
    "preferredLastName",
    "pronouns",
    "roles",
    "userProfiles",
    "primaryOrg",
    "identifier",
    "email",
    "sms",
    "phone",
    "agents",
    "grades",
    "password",
    "resources"
  ],
  orgs: [...base, "name", "type", "identifier", "parent", "children"],
  classes: [...base, "title", "classCode", "classType", "location", "grades", "subjects", "course", "school", "terms", "subjectCodes", "periods", "resources"],
  courses: [...base, "title", "schoolYear", "courseCode", "grades", "subjects", "org", "subjectCodes", "resources"],
  enrollments: [...base, "user", "class", "school", "role", "primary", "beginDate", "endDate"],
  academicSessions: [...base, "title", "startDate", "endDate", "type", "parent", "children", "schoolYear"],
  demographics: [...base, ...Model.demographicsFields]
} as const satisfies Record<string, ReadonlyArray<string>>

/** The fields of the 1.2 objects inside records (a reference, a user's role, id and profile). */
const nestedFields: Record<string, ReadonlySet<string>> = {
  ref: new Set(["href", "sourcedId", "type"]),
  roles: new Set(["roleType", "role", "org", "userProfile", "beginDate", "endDate"]),
  userIds: new Set(["type", "identifier"]),
  userProfiles: new Set(["profileId", "profileType", "vendorId", "applicationId", "description", "credentials"])
}

const knownFields: Record<keyof typeof fieldsV1p2, ReadonlySet<string>> = {
  users: new Set(fieldsV1p2.users),
  orgs: new Set(fieldsV1p2.orgs),
  classes: new Set(fieldsV1p2.classes),
  courses: new Set(fieldsV1p2.courses),
  enrollments: new Set(fieldsV1p2.enrollments),
  academicSessions: new Set(fieldsV1p2.academicSessions),
  demographics: new Set(fieldsV1p2.demographics)
}

export interface V1p2Options {
  /** The server's 1.2 base URL (".../ims/oneroster/rostering/v1p2"), for the hrefs. */
  readonly baseUrl: string
  /**
   * "missing" (default): a reference without an href gets `<baseUrl>/<collection>/<sourcedId>`;
   * "all": every reference gets that href, replacing the one it had (a gateway does not hand out
   * the URLs of the SIS behind it).
   */
  readonly hrefs?: "missing" | "all"
}

const encodeUser = Schema.encodeSync(Model.UserV1p2)

/**
 * A function writing held records (core `Model` records, as a provider decodes them or a
 * Dataset holds them) as OneRoster 1.2 records. `collection` names the record's type: a
 * collection ("users", "terms" …), an envelope key ("orgs") or a single-record key ("user").
 */
export const v1p2Writer = (options: V1p2Options) => {
  const baseUrl = options.baseUrl.replace(/\/+$/, "")
  const replace = options.hrefs === "all"
  /** A value inside a record: nulls left out, references with their href, only the fields 1.2 knows in the objects it defines. */
  const inner = (value: unknown, field: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => inner(v, field))
    if (value === null || typeof value !== "object") return value
    const record = value as Record<string, unknown>
    const isRef = typeof record["sourcedId"] === "string" && typeof record["type"] === "string"
    const known = isRef ? nestedFields["ref"] : nestedFields[field]
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(record)) {
      if (v === null || (known !== undefined && !known.has(key))) continue
      out[key] = inner(v, key)
    }
    if (isRef && (replace || record["href"] === undefined)) {
      out["href"] = `${baseUrl}/${collectionOfType(record["type"] as string)}/${encodeURIComponent(record["sourcedId"] as string)}`
    }
    return out
  }
  return (record: unknown, collection: string): Record<string, unknown> => {
    const type = recordType[collection]
    const held = (type === "users" ? encodeUser(record as Model.User) : record) as Record<string, unknown>
    const known = type === undefined ? undefined : knownFields[type]
    const out: Record<string, unknown> = {}
    const extra: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(held)) {
      if (v === null) continue
      if (key === "metadata") continue
      if (known !== undefined && !known.has(key)) extra[key] = v
      else out[key] = inner(v, key)
    }
    // metadata is an object in 1.2: a record's own metadata of another shape is kept inside it.
    const metadata = held["metadata"]
    const own = metadata === null || metadata === undefined ? undefined : typeof metadata === "object" && !Array.isArray(metadata) ? metadata : { metadata }
    if (own !== undefined || Object.keys(extra).length > 0) out["metadata"] = { ...extra, ...own }
    return out
  }
}

/** Is this collection one of users (users, students, teachers)? */
export const isUserKind = (kind: Model.EntityKind): boolean => kind === "users" || kind === "students" || kind === "teachers"
