/**
 * OneRoster error responses, in each version's shape (`@rosterkit/demo/OneRosterWire`, the
 * bodies the fake OneRoster server writes too): 1.1 a `statusInfoSet` body, 1.2 a bare
 * `imsx_StatusInfo` object, with the spec's codeMinor values (1.2 spells `invalid_data`
 * `invaliddata`), and the HTTP status for every rosterkit failure. Upstream failures are
 * described without the upstream's URL or body (they stay in the gateway's log, redacted), so
 * nothing about the SIS or its credentials reaches a client.
 *
 * `make(version)` gives the responses of one version; the module's own functions are 1.1's.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Model from "@rosterkit/core/Model"
import type { RosterError } from "@rosterkit/core/RosterError"
import * as OneRosterWire from "@rosterkit/demo/OneRosterWire"
import * as Schema from "effect/Schema"

/** The codeMinor values the gateway answers with (1.1's spelling). */
export const codeMinors = [
  "invalid_filter_field",
  "invalid_selection_field",
  "invalid_data",
  "unknownobject",
  "unauthorisedrequest",
  "server_busy",
  "internal_server_error"
] as const
export type CodeMinor = (typeof codeMinors)[number]

/** An `imsx_StatusInfo` (failure, error) whose codeMinor is one of `codeMinorValues`. */
const imsxStatusInfo = <const Values extends ReadonlyArray<string>>(codeMinorValues: Values) =>
  Schema.Struct({
    imsx_codeMajor: Schema.Literal("failure"),
    imsx_severity: Schema.Literal("error"),
    imsx_description: Schema.String,
    imsx_CodeMinor: Schema.Struct({
      imsx_codeMinorField: Schema.Array(
        Schema.Struct({ imsx_codeMinorFieldName: Schema.String, imsx_codeMinorFieldValue: Schema.Literal(...codeMinorValues) })
      )
    })
  })

/** The error body, as a Schema (for the OpenAPI document). */
export const StatusInfoSet = Schema.Struct({ statusInfoSet: Schema.Array(imsxStatusInfo(codeMinors)) }).annotations({
  identifier: "StatusInfoSet",
  description: "A OneRoster 1.1 error"
})
export type StatusInfoSet = typeof StatusInfoSet.Type

/** The 1.2 codeMinor values the gateway answers with. */
export const codeMinorsV1p2 = codeMinors.map(OneRosterWire.codeMinorV1p2)

/** The 1.2 error body, as a Schema (for the OpenAPI document). */
export const StatusInfoV1p2 = imsxStatusInfo(codeMinorsV1p2).annotations({
  identifier: "ImsxStatusInfo",
  description: "A OneRoster 1.2 error (imsx_StatusInfo)"
})

/** The 1.1 error body. */
export const body = (codeMinor: CodeMinor, description: string): StatusInfoSet => OneRosterWire.statusInfoSet(codeMinor, description) as StatusInfoSet

/** The error responses of one OneRoster version. */
export interface Errors {
  readonly version: Model.Version
  /** An error response. */
  readonly response: (status: number, codeMinor: CodeMinor, description: string, headers?: Record<string, string>) => HttpServerResponse.HttpServerResponse
  /** 400 naming the parameter. */
  readonly badParameter: (parameter: string, reason: string, codeMinor?: CodeMinor) => HttpServerResponse.HttpServerResponse
  /** 404 unknownobject. */
  readonly notFound: (description: string) => HttpServerResponse.HttpServerResponse
  /** 401 unauthorisedrequest with a WWW-Authenticate challenge. */
  readonly unauthorized: (description: string, challenge?: string) => HttpServerResponse.HttpServerResponse
  /** The response for a failure of the provider behind the gateway. */
  readonly fromRosterError: (error: RosterError) => HttpServerResponse.HttpServerResponse
}

/** A rosterkit failure as a OneRoster error: its HTTP status, codeMinor, description and headers. */
export interface Described {
  readonly status: number
  readonly codeMinor: CodeMinor
  readonly description: string
  readonly headers: Record<string, string>
}

/** How the gateway answers a failure of the provider behind it, in `version`. */
export const describe = (error: RosterError, version: Model.Version = "1.1"): Described => {
  const of = (status: number, codeMinor: CodeMinor, description: string, headers: Record<string, string> = {}): Described => ({
    status,
    codeMinor,
    description,
    headers
  })
  switch (error._tag) {
    case "InvalidQuery":
      return of(400, error.field === "filter" ? "invalid_filter_field" : "invalid_data", `invalid ${error.field}: ${error.reason}`)
    case "NotFound":
      return of(404, "unknownobject", `${error.entity} '${error.id}' not found`)
    case "RateLimited": {
      const seconds = Math.max(1, Math.ceil((error.retryAfterMillis ?? 30_000) / 1000))
      // 1.1 has no status for it: 503 (the SIS is unavailable for now). 1.2 gives server_busy its own: 429.
      return of(version === "1.2" ? 429 : 503, "server_busy", `the SIS behind this gateway is rate limiting; retry in ${seconds}s`, {
        "retry-after": String(seconds)
      })
    }
    case "Unsupported":
      return of(404, "unknownobject", `not available from this district's SIS: ${error.operation}`)
    case "ConfigurationError":
      return of(500, "internal_server_error", "the gateway is misconfigured for this district; see its log")
    case "AuthError":
    case "ResponseError":
    case "TransportError":
    case "DecodeError":
    case "InconsistentSnapshot":
      return of(502, "internal_server_error", `the SIS behind this gateway failed (${error._tag}); see the gateway log`)
  }
}

export const make = (version: Model.Version): Errors => {
  const response: Errors["response"] = (status, codeMinor, description, headers = {}) =>
    HttpServerResponse.unsafeJson(OneRosterWire.errorBody(version, codeMinor, description), {
      status,
      headers: { "cache-control": "no-store", ...headers }
    })
  const badParameter: Errors["badParameter"] = (parameter, reason, codeMinor = "invalid_data") =>
    response(400, codeMinor, `invalid ${parameter}: ${reason}`)
  const notFound: Errors["notFound"] = (description) => response(404, "unknownobject", description)
  const unauthorized: Errors["unauthorized"] = (description, challenge = 'OAuth realm="rosterkit", Bearer realm="rosterkit"') =>
    response(401, "unauthorisedrequest", description, { "www-authenticate": challenge })
  const fromRosterError: Errors["fromRosterError"] = (error) => {
    const { status, codeMinor, description, headers } = describe(error, version)
    return response(status, codeMinor, description, headers)
  }
  return { version, response, badParameter, notFound, unauthorized, fromRosterError }
}

/** OneRoster 1.1's (and the query API's) error responses. */
export const v1p1: Errors = make("1.1")

/** OneRoster 1.2's error responses. */
export const v1p2: Errors = make("1.2")

/** The errors of a version. */
export const of = (version: Model.Version): Errors => (version === "1.2" ? v1p2 : v1p1)

export const { response, badParameter, notFound, unauthorized, fromRosterError } = v1p1
