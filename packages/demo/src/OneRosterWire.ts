/**
 * OneRoster answers as a server writes them, in 1.1 or 1.2: error bodies and records. Written
 * once for the two OneRoster servers rosterkit has (FakeOneRoster here, the `rosterkit-http`
 * gateway), so both speak exactly the same 1.2.
 *
 * - 1.1 errors are `{ "statusInfoSet": [ imsx_StatusInfo ] }`; 1.2 errors are one bare
 *   `imsx_StatusInfo` object, and 1.2 spells 1.1's `invalid_data` as `invaliddata`.
 * - 1.1 records are written as they are held. 1.2 records: users through `Model.UserV1p2`
 *   (`roles[]`; `role` and `orgs` left out when `roles` says as much), every reference
 *   (`{ sourcedId, type }`) with an `href` (1.2 requires one), and no `null` anywhere outside
 *   `metadata` (1.2 has no nulls: a field without a value is left out).
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
 * Dataset holds them) as OneRoster 1.2 records. `user` says the record is a user.
 */
export const v1p2Writer = (options: V1p2Options) => {
  const baseUrl = options.baseUrl.replace(/\/+$/, "")
  const replace = options.hrefs === "all"
  const withHrefs = (value: unknown, nested: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v) => withHrefs(v, true))
    if (value === null || typeof value !== "object") return value
    const record = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    // 1.2 has no nulls: a field without a value is left out.
    for (const [key, v] of Object.entries(record)) if (v !== null) out[key] = key === "metadata" ? v : withHrefs(v, true)
    if (nested && typeof record["sourcedId"] === "string" && typeof record["type"] === "string" && (replace || record["href"] === undefined)) {
      out["href"] = `${baseUrl}/${collectionOfType(record["type"])}/${encodeURIComponent(record["sourcedId"])}`
    }
    return out
  }
  return (record: unknown, user: boolean): Record<string, unknown> =>
    withHrefs(user ? encodeUser(record as Model.User) : record, false) as Record<string, unknown>
}

/** Is this collection one of users (users, students, teachers)? */
export const isUserKind = (kind: Model.EntityKind): boolean => kind === "users" || kind === "students" || kind === "teachers"
