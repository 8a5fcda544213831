/**
 * The gateway's HTTP API as an `HttpApi` definition: the routes, their parameters and their
 * answers. `/openapi.json` and `/docs` are generated from it; the handlers are in Gateway.ts.
 *
 * OneRoster groups are made by `oneRosterGroup(name, prefix, version)`: OneRoster 1.1 under
 * `/ims/oneroster/v1p1` and 1.2 under `/ims/oneroster/rostering/v1p2` are two groups with the
 * same routes, each with its version's error bodies.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Model from "@rosterkit/core/Model"
import * as Schema from "effect/Schema"
import * as StatusInfo from "./StatusInfo.js"

/** A query parameter: a string (repeated parameters are accepted; the first one counts). */
const param = (description: string) =>
  Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String)).annotations({ description }))

const errors = <E extends HttpApiEndpoint.HttpApiEndpoint.Any>(endpoint: E, version: Model.Version = "1.1") => {
  const e = endpoint as unknown as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
  if (version === "1.2") {
    const body = StatusInfo.StatusInfoV1p2
    return e
      .addError(body, { status: 400 })
      .addError(body.annotations({ identifier: "ImsxStatusInfoUnauthorized" }), { status: 401 })
      .addError(body.annotations({ identifier: "ImsxStatusInfoUnknownObject" }), { status: 404 })
      .addError(body.annotations({ identifier: "ImsxStatusInfoServerBusy" }), { status: 429 })
      .addError(body.annotations({ identifier: "ImsxStatusInfoUpstreamFailed" }), { status: 502 }) as unknown as E
  }
  return e
    .addError(StatusInfo.StatusInfoSet, { status: 400 })
    .addError(StatusInfo.StatusInfoSet.annotations({ identifier: "Unauthorized" }), { status: 401 })
    .addError(StatusInfo.StatusInfoSet.annotations({ identifier: "UnknownObject" }), { status: 404 })
    .addError(StatusInfo.StatusInfoSet.annotations({ identifier: "UpstreamFailed" }), { status: 502 })
    .addError(StatusInfo.StatusInfoSet.annotations({ identifier: "UpstreamBusy" }), { status: 503 }) as unknown as E
}

const Health = Schema.Struct({ status: Schema.Literal("ok") })

export const system = HttpApiGroup.make("system", { topLevel: true })
  .add(
    HttpApiEndpoint.get("health", "/health")
      .addSuccess(Health)
      .annotate(OpenApi.Description, "Liveness: no authentication, no roster data.")
  )
  .add(HttpApiEndpoint.get("openapi", "/openapi.json").annotate(OpenApi.Description, "This document."))

const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  token_type: Schema.Literal("bearer"),
  expires_in: Schema.Number
})

export const oauth = HttpApiGroup.make("oauth", { topLevel: true }).add(
  HttpApiEndpoint.post("token", "/oauth/token")
    .addSuccess(TokenResponse)
    .addError(Schema.Struct({ error: Schema.String, error_description: Schema.String }), { status: 401 })
    .annotate(
      OpenApi.Description,
      "OAuth 2 client credentials (RFC 6749 §4.4): form body grant_type=client_credentials, credentials in HTTP Basic or client_id/client_secret."
    )
)

const Users = Schema.Array(Model.User)

export const query = HttpApiGroup.make("query")
  .add(
    errors(
      HttpApiEndpoint.get("users", "/users")
        .setUrlParams(
          Schema.Struct({
            role: param("students | teachers | users (default students)"),
            group: param("classes | courses | schools"),
            name: param("the group's name or sourcedId (with group)"),
            matchOn: param("comma-separated group fields the name is compared with (default sourcedId,name,title)"),
            max: param("stop after this many users")
          })
        )
        .addSuccess(Users)
        .annotate(
          OpenApi.Description,
          "The users of a query. JSON array, or NDJSON with `Accept: application/x-ndjson` (written page by page as the SIS answers; a failure after the first lines ends the answer with an {\"error\": …} line and a cut connection). A group that matches nothing answers 200 [] with `X-Rosterkit-Suggestions` (closest names, URI-encoded, comma-separated)."
        )
    )
  )
  .add(
    errors(
      HttpApiEndpoint.get("entities", "/:entity")
        .setPath(Schema.Struct({ entity: Schema.String.annotations({ description: Model.entityKinds.join(" | ") }) }))
        .setUrlParams(
          Schema.Struct({
            filter: param("a OneRoster filter, e.g. role='teacher' AND familyName~'sm'"),
            since: param("only records modified after this ISO 8601 time")
          })
        )
        .addSuccess(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
        .annotate(OpenApi.Description, "Every record of a collection (JSON array, or NDJSON with `Accept: application/x-ndjson`, written page by page; a failure after the first lines ends the answer with an {\"error\": …} line and a cut connection).")
    )
  )
  .prefix("/v1")
  .annotate(OpenApi.Description, "The rosterkit query API")

const listParams = Schema.Struct({
  limit: param("page size (default 100, at most 10000)"),
  offset: param("records to skip (default 0)"),
  filter: param("field<op>'value' [AND|OR field<op>'value'], ops = != > >= < <= ~"),
  sort: param("the field to sort on"),
  orderBy: param("asc | desc"),
  fields: param("comma-separated fields to return")
})

const ListEnvelope = Schema.Record({ key: Schema.String, value: Schema.Array(Schema.Unknown) }).annotations({
  description: 'A OneRoster list: exactly { "<collection>": [...] }. Headers: X-Total-Count, Link (next, prev, first, last).'
})
const SingleEnvelope = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  description: 'A OneRoster record: { "<entity>": {...} }'
})

/** The OneRoster read API of `version` under `prefix`. */
export const oneRosterGroup = <const Name extends string>(name: Name, prefix: `/${string}`, version: Model.Version = "1.1") =>
  HttpApiGroup.make(name)
    .add(
      errors(
        HttpApiEndpoint.get("list", "/:collection")
          .setPath(Schema.Struct({ collection: Schema.String.annotations({ description: Model.entityKinds.join(" | ") }) }))
          .setUrlParams(listParams)
          .addSuccess(ListEnvelope),
        version
      )
    )
    .add(
      errors(
        HttpApiEndpoint.get("get", "/:collection/:sourcedId")
          .setPath(Schema.Struct({ collection: Schema.String, sourcedId: Schema.String }))
          .setUrlParams(Schema.Struct({ fields: param("comma-separated fields to return") }))
          .addSuccess(SingleEnvelope),
        version
      )
    )
    .add(
      errors(
        HttpApiEndpoint.get("nested", "/:collection/:sourcedId/:relation")
          .setPath(Schema.Struct({ collection: Schema.String, sourcedId: Schema.String, relation: Schema.String }))
          .setUrlParams(listParams)
          .addSuccess(ListEnvelope)
          .annotate(
            OpenApi.Description,
            "classes/{id}/students|teachers, courses/{id}/classes, schools/{id}/classes|courses|enrollments|students|teachers|terms, students|teachers|users/{id}/classes, terms/{id}/classes|gradingPeriods"
          ),
        version
      )
    )
    .add(
      errors(
        HttpApiEndpoint.get("schoolClass", "/schools/:schoolId/classes/:classId/:relation")
          .setPath(Schema.Struct({ schoolId: Schema.String, classId: Schema.String, relation: Schema.String }))
          .setUrlParams(listParams)
          .addSuccess(ListEnvelope)
          .annotate(OpenApi.Description, "schools/{id}/classes/{id}/enrollments|students|teachers"),
        version
      )
    )
    .prefix(prefix)

/** The OneRoster 1.1 prefix. */
export const v1p1Prefix = "/ims/oneroster/v1p1" as const

export const oneRosterV1p1 = oneRosterGroup("oneRosterV1p1", v1p1Prefix).annotate(OpenApi.Description, "OneRoster 1.1 read API")

/** The OneRoster 1.2 prefix (the 1.2 REST binding's base). */
export const v1p2Prefix = "/ims/oneroster/rostering/v1p2" as const

export const oneRosterV1p2 = oneRosterGroup("oneRosterV1p2", v1p2Prefix, "1.2").annotate(
  OpenApi.Description,
  "OneRoster 1.2 read API: users with roles[], references with hrefs, no nulls, imsx_StatusInfo errors; OAuth 2 (bearer) only"
)

export const api = HttpApi.make("rosterkit")
  .add(system)
  .add(oauth)
  .add(query)
  .add(oneRosterV1p1)
  .add(oneRosterV1p2)
  .annotateContext(
    OpenApi.annotations({
      title: "rosterkit gateway",
      version: "1.0.0",
      description:
        "One district's roster (ClassLink, Clever, OneRoster CSV or any OneRoster 1.1 / 1.2 server) as a query API and OneRoster 1.1 and 1.2 read APIs. Every route but /health, /openapi.json, /docs and /oauth/token needs OAuth 1.0a HMAC-SHA256, an OAuth 2 bearer token or a bearer key.",
      transform: (spec) => ({
        ...spec,
        components: {
          ...spec["components"],
          securitySchemes: {
            oauth2: { type: "oauth2", flows: { clientCredentials: { tokenUrl: "/oauth/token", scopes: {} } } },
            bearer: { type: "http", scheme: "bearer" },
            oauth1: { type: "http", scheme: "OAuth", description: "OAuth 1.0a HMAC-SHA256 (RFC 5849), header or query parameters" }
          }
        },
        security: [{ oauth2: [] }, { bearer: [] }, { oauth1: [] }]
      })
    })
  )
