/**
 * The provider-independent user query: "the students of every class titled ELA 6".
 *
 *     role    students | teachers | users   (users = students and teachers)
 *     group   classes | courses | schools   (optional)
 *     name    the group's name or id        (with group)
 *     matchOn group fields compared with name (default sourcedId, name, title)
 *     max     stop after this many users
 */
import * as Effect from "effect/Effect"
import { InvalidQuery } from "./RosterError.js"

export const roles = ["students", "teachers", "users"] as const
export type Role = (typeof roles)[number]

export const groupKinds = ["classes", "courses", "schools"] as const
export type GroupKind = (typeof groupKinds)[number]

/** The fields a group name is compared with unless told otherwise. */
export const defaultMatchOn: ReadonlyArray<string> = ["sourcedId", "name", "title"]

export interface GroupSelector {
  readonly kind: GroupKind
  readonly name: string
  readonly matchOn: ReadonlyArray<string>
}

export interface Query {
  readonly role: Role
  readonly group?: GroupSelector
  readonly max?: number
}

/** What a caller passes in; `make` checks it. Names follow the CLI flags. */
export interface QueryInput {
  readonly role?: string | undefined
  readonly group?: string | undefined
  readonly name?: string | undefined
  readonly matchOn?: string | ReadonlyArray<string> | undefined
  readonly max?: number | undefined
}

const invalid = (field: string, reason: string) =>
  new InvalidQuery({ provider: "core", operation: "build query", field, reason })

const isOneOf = <T extends string>(options: ReadonlyArray<T>, value: string): value is T =>
  (options as ReadonlyArray<string>).includes(value)

/** Splits "a,b" and ["a", "b,c"] into trimmed, non-empty field names. */
export const parseFieldList = (value: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  (typeof value === "string" ? [value] : value)
    .flatMap((part) => part.split(","))
    .map((part) => part.trim())
    .filter((part) => part.length > 0)

/** Checks a query and fills in defaults. Each failure names the part that is wrong and what is allowed. */
export const make = (input: QueryInput): Effect.Effect<Query, InvalidQuery> =>
  Effect.suspend(() => {
    const role = (input.role ?? "students").trim()
    if (!isOneOf(roles, role)) {
      return Effect.fail(invalid("role", `'${role}' is not a role; use one of ${roles.join(", ")}`))
    }
    let max: number | undefined
    if (input.max !== undefined) {
      if (!Number.isInteger(input.max) || input.max < 1) {
        return Effect.fail(invalid("max", `must be a whole number of at least 1 (got ${String(input.max)})`))
      }
      max = input.max
    }
    const base: Query = max === undefined ? { role } : { role, max }
    const group = input.group?.trim()
    const name = input.name?.trim()
    if (group === undefined || group === "") {
      if (name !== undefined && name !== "") {
        return Effect.fail(invalid("group", `a name ('${name}') needs a group: one of ${groupKinds.join(", ")}`))
      }
      if (input.matchOn !== undefined && parseFieldList(input.matchOn).length > 0) {
        return Effect.fail(invalid("matchOn", `only applies with a group: one of ${groupKinds.join(", ")}`))
      }
      return Effect.succeed(base)
    }
    if (!isOneOf(groupKinds, group)) {
      return Effect.fail(invalid("group", `'${group}' is not a group kind; use one of ${groupKinds.join(", ")}`))
    }
    if (name === undefined || name === "") {
      return Effect.fail(invalid("name", `group '${group}' needs the name or id of a ${group.replace(/e?s$/, "")}`))
    }
    const matchOn = input.matchOn === undefined ? defaultMatchOn : parseFieldList(input.matchOn)
    if (matchOn.length === 0) {
      return Effect.fail(invalid("matchOn", `needs at least one field name, e.g. ${defaultMatchOn.join(",")}`))
    }
    const bad = matchOn.find((field) => !/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(field))
    if (bad !== undefined) {
      return Effect.fail(invalid("matchOn", `'${bad}' is not a field name or dotted path (e.g. title, course.sourcedId, metadata.code)`))
    }
    return Effect.succeed({ ...base, group: { kind: group, name, matchOn } })
  })

/** A short human description, e.g. `students of classes "ELA 6 (6A ELA)"`. */
export const describe = (query: Query): string =>
  query.group === undefined
    ? `all ${query.role}`
    : `${query.role} of ${query.group.kind} matching "${query.group.name}" on ${query.group.matchOn.join(", ")}`
