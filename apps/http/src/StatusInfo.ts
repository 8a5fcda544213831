/**
 * OneRoster 1.1 error responses: a `statusInfoSet` body with the spec's codeMinor values, and the
 * HTTP status for every rosterkit failure. Upstream failures are described without the upstream's
 * URL or body (they stay in the gateway's log, redacted), so nothing about the SIS or its
 * credentials reaches a client.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { RosterError } from "@rosterkit/core/RosterError"
import * as Schema from "effect/Schema"

/** The codeMinor values the gateway answers with. */
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

/** The error body, as a Schema (for the OpenAPI document). */
export const StatusInfoSet = Schema.Struct({
  statusInfoSet: Schema.Array(
    Schema.Struct({
      imsx_codeMajor: Schema.Literal("failure"),
      imsx_severity: Schema.Literal("error"),
      imsx_description: Schema.String,
      imsx_CodeMinor: Schema.Struct({
        imsx_codeMinorField: Schema.Array(
          Schema.Struct({ imsx_codeMinorFieldName: Schema.String, imsx_codeMinorFieldValue: Schema.Literal(...codeMinors) })
        )
      })
    })
  )
}).annotations({ identifier: "StatusInfoSet", description: "A OneRoster 1.1 error" })
export type StatusInfoSet = typeof StatusInfoSet.Type

export const body = (codeMinor: CodeMinor, description: string): StatusInfoSet => ({
  statusInfoSet: [
    {
      imsx_codeMajor: "failure",
      imsx_severity: "error",
      imsx_description: description,
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: "TargetEndSystem", imsx_codeMinorFieldValue: codeMinor }] }
    }
  ]
})

/** A statusInfoSet response. */
export const response = (
  status: number,
  codeMinor: CodeMinor,
  description: string,
  headers: Record<string, string> = {}
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body(codeMinor, description), { status, headers: { "cache-control": "no-store", ...headers } })

/** 400 naming the parameter. */
export const badParameter = (parameter: string, reason: string, codeMinor: CodeMinor = "invalid_data") =>
  response(400, codeMinor, `invalid ${parameter}: ${reason}`)

export const notFound = (description: string) => response(404, "unknownobject", description)

export const unauthorized = (description: string, challenge = 'OAuth realm="rosterkit", Bearer realm="rosterkit"') =>
  response(401, "unauthorisedrequest", description, { "www-authenticate": challenge })

/** The response for a failure of the provider behind the gateway. */
export const fromRosterError = (error: RosterError): HttpServerResponse.HttpServerResponse => {
  switch (error._tag) {
    case "InvalidQuery":
      return badParameter(error.field, error.reason, error.field === "filter" ? "invalid_filter_field" : "invalid_data")
    case "NotFound":
      return notFound(`${error.entity} '${error.id}' not found`)
    case "RateLimited": {
      const seconds = Math.max(1, Math.ceil((error.retryAfterMillis ?? 30_000) / 1000))
      return response(503, "server_busy", `the SIS behind this gateway is rate limiting; retry in ${seconds}s`, {
        "retry-after": String(seconds)
      })
    }
    case "Unsupported":
      return notFound(`not available from this district's SIS: ${error.operation}`)
    case "ConfigurationError":
      return response(500, "internal_server_error", "the gateway is misconfigured for this district; see its log")
    case "AuthError":
    case "ResponseError":
    case "TransportError":
    case "DecodeError":
    case "InconsistentSnapshot":
      return response(502, "internal_server_error", `the SIS behind this gateway failed (${error._tag}); see the gateway log`)
  }
}
