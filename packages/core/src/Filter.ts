/**
 * OneRoster 1.1 filter expressions: `field<op>'value'`, at most two predicates joined by
 * AND or OR; ops `= != > >= < <= ~` (`~` is "contains", case-insensitive). Dotted fields
 * reach into references (`course.sourcedId`); on a list, any element may match.
 *
 * Providers that cannot filter on the server use `evaluate` to apply the same expression
 * to their records, so a filter means the same thing everywhere.
 */
import * as Effect from "effect/Effect"
import { InvalidQuery } from "./RosterError.js"

export type Operator = "=" | "!=" | ">" | ">=" | "<" | "<="  | "~"

export interface Predicate {
  readonly field: string
  readonly op: Operator
  readonly value: string
}

export interface Filter {
  readonly predicates: readonly [Predicate] | readonly [Predicate, Predicate]
  readonly join: "AND" | "OR"
}

const predicatePattern = /^\s*([A-Za-z_][\w.]*)\s*(!=|>=|<=|=|>|<|~)\s*'((?:[^']|'')*)'\s*/

const invalid = (reason: string) =>
  new InvalidQuery({ provider: "core", operation: "parse filter", field: "filter", reason })

/** Parses `givenName='Ann' AND role='student'`. A quote inside a value is written twice (''). */
export const parse = (expression: string): Effect.Effect<Filter, InvalidQuery> =>
  Effect.suspend((): Effect.Effect<Filter, InvalidQuery> => {
    const first = predicatePattern.exec(expression)
    if (first === null) {
      return Effect.fail(invalid(`'${expression}' is not field<op>'value' (ops: = != > >= < <= ~)`))
    }
    const p1: Predicate = { field: first[1]!, op: first[2] as Operator, value: first[3]!.replace(/''/g, "'") }
    const rest = expression.slice(first[0].length)
    if (rest.trim() === "") return Effect.succeed({ predicates: [p1], join: "AND" as const })
    const joinMatch = /^(AND|OR)\s+/i.exec(rest)
    if (joinMatch === null) return Effect.fail(invalid(`expected AND or OR after ${p1.field}${p1.op}'${p1.value}'`))
    const tail = rest.slice(joinMatch[0].length)
    const second = predicatePattern.exec(tail)
    if (second === null) return Effect.fail(invalid(`'${tail}' is not field<op>'value'`))
    if (tail.slice(second[0].length).trim() !== "") {
      return Effect.fail(invalid("OneRoster allows at most two predicates"))
    }
    const p2: Predicate = { field: second[1]!, op: second[2] as Operator, value: second[3]!.replace(/''/g, "'") }
    return Effect.succeed({ predicates: [p1, p2], join: joinMatch[1]!.toUpperCase() as "AND" | "OR" })
  })

/** Writes a filter back in OneRoster syntax (quotes doubled). */
export const format = (filter: Filter): string =>
  filter.predicates.map((p) => `${p.field}${p.op}'${p.value.replace(/'/g, "''")}'`).join(` ${filter.join} `)

/** Builds a one- or two-predicate filter. */
export const make = (predicates: Filter["predicates"], join: "AND" | "OR" = "AND"): Filter => ({ predicates, join })

const valuesAt = (record: unknown, path: ReadonlyArray<string>): ReadonlyArray<unknown> => {
  if (path.length === 0) return Array.isArray(record) ? record : [record]
  if (Array.isArray(record)) return record.flatMap((item) => valuesAt(item, path))
  if (record === null || typeof record !== "object") return []
  return valuesAt((record as Record<string, unknown>)[path[0]!], path.slice(1))
}

/** How a server evaluates; the defaults are OneRoster's. Fakes use the rest to act like odd servers. */
export interface EvaluateOptions {
  /** `~` compares case-sensitively (some servers' `LIKE`). Default false. */
  readonly caseSensitiveContains?: boolean | undefined
}

const compare = (actual: unknown, op: Operator, expected: string, options?: EvaluateOptions): boolean => {
  if (actual === null || actual === undefined || typeof actual === "object") return op === "!=" && actual == null
  const text = String(actual)
  switch (op) {
    case "=":
      return text === expected
    case "!=":
      return text !== expected
    case "~":
      return options?.caseSensitiveContains === true ? text.includes(expected) : text.toLowerCase().includes(expected.toLowerCase())
    case ">":
      return text > expected
    case ">=":
      return text >= expected
    case "<":
      return text < expected
    case "<=":
      return text <= expected
  }
}

const test = (record: unknown, predicate: Predicate, options?: EvaluateOptions): boolean => {
  const values = valuesAt(record, predicate.field.split("."))
  if (values.length === 0) return predicate.op === "!="
  return predicate.op === "!="
    ? values.every((v) => compare(v, "!=", predicate.value))
    : values.some((v) => compare(v, predicate.op, predicate.value, options))
}

/** Applies a filter to one record, as a OneRoster server would. */
export const evaluate = (filter: Filter, record: unknown, options?: EvaluateOptions): boolean =>
  filter.join === "AND"
    ? filter.predicates.every((p) => test(record, p, options))
    : filter.predicates.some((p) => test(record, p, options))
