/**
 * The `since` of a delta read, as an instant.
 *
 * A `since` is an ISO 8601 date or date-time, normalised to one UTC instant before anything is
 * compared or sent:
 *
 *     2024-06-01                    midnight UTC of that day
 *     2024-06-01T10:00  (or a space) 10:00 UTC (no offset means UTC, never the machine's zone)
 *     2024-06-01T10:00:00+02:00     08:00 UTC (offsets are honoured)
 *     2024-06-01T08:00:00.250Z      as written
 *
 * Records' `dateLastModified` are parsed with the same rules and compared as instants, never as
 * strings. A record without a `dateLastModified` (or with one that is not a date) is "undated":
 * a delta read keeps it (it may have changed; dropping it would lose it silently), and callers
 * can count them with `isUndated` to say so.
 */
import * as Either from "effect/Either"
import { ConfigurationError } from "./RosterError.js"

const pattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i

/** Milliseconds since the epoch of an ISO 8601 date or date-time, or undefined when it is not one. */
export const toMillis = (value: string): number | undefined => {
  const m = pattern.exec(value.trim())
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  // Reject days a month does not have (2024-02-30).
  if (new Date(utc).getUTCDate() !== day) return undefined
  const zone = m[8]
  if (zone === undefined || zone.toUpperCase() === "Z") return utc
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  const offsetHours = Number(digits.slice(0, 2))
  const offsetMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  return utc - sign * (offsetHours * 60 + offsetMinutes) * 60_000
}

/** The canonical form sent to servers: `2024-06-01T08:00:00.000Z`. */
export const format = (millis: number): string => new Date(millis).toISOString()

/**
 * Checks and normalises a `since` value to its canonical UTC form; anything else is a
 * ConfigurationError naming `setting` (the CLI passes "--since").
 */
export const parse = (value: string, setting = "since"): Either.Either<string, ConfigurationError> => {
  const millis = toMillis(value)
  return millis === undefined
    ? Either.left(
        new ConfigurationError({
          provider: "rosterkit",
          operation: "parse since",
          setting,
          reason: `'${value}' is not an ISO 8601 date or timestamp (e.g. 2024-08-01, 2024-08-01T10:00:00Z or 2024-08-01T12:00:00+02:00)`
        })
      )
    : Either.right(format(millis))
}

/** The record's dateLastModified as an instant, or undefined when it has none that parses. */
export const modifiedAt = (record: unknown): number | undefined => {
  const value = record !== null && typeof record === "object" ? (record as { readonly dateLastModified?: unknown }).dateLastModified : undefined
  return typeof value === "string" ? toMillis(value) : undefined
}

/** True when the record has no dateLastModified a delta read can compare. */
export const isUndated = (record: unknown): boolean => modifiedAt(record) === undefined

/**
 * Does a delta read since `sinceMillis` keep `record`? Yes when it was modified strictly after,
 * and when it is undated (see the module note).
 */
export const keeps = (sinceMillis: number, record: unknown): boolean => {
  const at = modifiedAt(record)
  return at === undefined || at > sinceMillis
}
