/**
 * Group matching: a group matches a name when one of its `matchOn` fields, trimmed and
 * compared case-insensitively, equals the trimmed name exactly. Only text fields can be
 * matched; a list or number in a matchOn field is a clear error, not a silent miss.
 *
 * A field may be a dotted path into the record: `course.sourcedId` (a reference),
 * `metadata.district_code` (an extension), `metadata.clever.ext.code` (a Clever record's `ext`,
 * kept under `metadata.clever`). A path through a list (`terms.sourcedId`) matches when any
 * element does.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { InvalidQuery } from "./RosterError.js"

/** Trimmed, Unicode-normalised, lower-cased: the form names are compared in. */
export const normalize = (value: string): string => value.normalize("NFC").trim().toLowerCase()

const describeValue = (value: unknown): string =>
  Array.isArray(value) ? "a list" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`

/**
 * The values at a dotted `path` of `record`: one value, or one per element of every list the
 * path goes through. Missing steps give nothing.
 */
export const valuesAt = (record: unknown, path: string): ReadonlyArray<unknown> => {
  let current: ReadonlyArray<unknown> = [record]
  for (const step of path.split(".")) {
    const next: Array<unknown> = []
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value]
      for (const item of items) {
        if (item !== null && typeof item === "object" && !Array.isArray(item)) {
          const child = (item as Record<string, unknown>)[step]
          if (child !== undefined && child !== null) next.push(child)
        }
      }
    }
    current = next
  }
  return current
}

/**
 * Does `group` match `name` on any of `matchOn`? Fields the record does not have (or has as
 * null) do not match; dotted fields are paths (see `valuesAt`). A field holding anything but text fails with InvalidQuery naming it.
 */
export const matches = (
  group: { readonly sourcedId: string },
  matchOn: ReadonlyArray<string>,
  name: string,
  kind = "group"
): Either.Either<boolean, InvalidQuery> => {
  const wanted = normalize(name)
  for (const field of matchOn) {
    const values = field.includes(".") ? valuesAt(group, field) : [(group as Record<string, unknown>)[field]]
    for (const value of values) {
    if (value === undefined || value === null) continue
    if (typeof value !== "string") {
      return Either.left(
        new InvalidQuery({
          provider: "core",
          operation: `match ${kind}`,
          field: "matchOn",
          reason: `'${field}' is ${describeValue(value)} on ${kind} ${group.sourcedId}; only text fields can be matched`
        })
      )
    }
    if (normalize(value) === wanted) return Either.right(true)
    }
  }
  return Either.right(false)
}

/** Characters no case mapping or Unicode normalisation changes, and no filter syntax trips on. */
const caseless = /[0-9 !#$%&()*+,\-./:;<=>?@[\]^_`{|}~]/

/**
 * The longest run of the trimmed name made only of ASCII digits, spaces and punctuation (no
 * letters, no quotes, no backslash), trimmed; undefined when it is shorter than 2 characters.
 *
 * Every group that matches `name` (trimmed, NFC, case-insensitive equality) contains this run
 * verbatim, whatever a server's case, collation or Unicode rules: it is the only form in which a
 * server-side "contains" narrowing is certain to return a superset of the matches. `ELA 6 (6A
 * ELA)` gives `6 (6`; `Algebra I` gives nothing (so no narrowing).
 */
export const caseSafeNeedle = (name: string): string | undefined => {
  const text = name.normalize("NFC").trim()
  let best = ""
  let run = ""
  for (const char of text) {
    if (caseless.test(char)) {
      run += char
    } else {
      if (run.trim().length > best.length) best = run.trim()
      run = ""
    }
  }
  if (run.trim().length > best.length) best = run.trim()
  return best.length >= 2 ? best : undefined
}

/**
 * The Levenshtein edit distance between `a` and `b` (insertions, deletions, substitutions),
 * two rows at a time. Compares the strings as given: `normalize` them first to compare names.
 */
export const distance = (a: string, b: string): number => {
  if (a === b) return 0
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The `limit` candidate names closest to `name`: those containing it (or contained in it)
 * first, then by edit distance less a bonus for a shared beginning. Used to say "did you mean" when nothing matched.
 */
export const closest = (name: string, candidates: Iterable<string>, limit = 5): ReadonlyArray<string> => {
  const wanted = normalize(name)
  const scored = new Map<string, number>()
  for (const candidate of candidates) {
    if (scored.has(candidate) || candidate.trim() === "") continue
    const normal = normalize(candidate)
    const contained = normal.includes(wanted) || wanted.includes(normal)
    let prefix = 0
    while (prefix < wanted.length && wanted[prefix] === normal[prefix]) prefix++
    const score =
      distance(wanted, normal) / Math.max(wanted.length, normal.length, 1) - (contained ? 1 : 0) - prefix / Math.max(wanted.length, 1) / 2
    scored.set(candidate, score)
  }
  return [...scored.entries()]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([candidate]) => candidate)
}

/**
 * The candidate nearest to `name` by edit distance (both normalised), when it is at most
 * `maxDistance` edits away; ties go to the earlier candidate. For "did you mean" on a
 * misspelt column or setting, where a far-off suggestion would mislead.
 */
export const nearest = (name: string, candidates: Iterable<string>, maxDistance = 2): Option.Option<string> => {
  const wanted = normalize(name)
  let best: Option.Option<string> = Option.none()
  let bestDistance = maxDistance + 1
  for (const candidate of candidates) {
    const d = distance(wanted, normalize(candidate))
    if (d < bestDistance) {
      best = Option.some(candidate)
      bestDistance = d
    }
  }
  return best
}
