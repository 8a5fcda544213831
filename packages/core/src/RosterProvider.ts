/**
 * The provider contract. A provider supplies a few primitives, each a typed Stream; the query
 * semantics (matching, course expansion, de-duplication, max) live once, in QueryEngine.
 *
 * Providers implement `Implementation` (only `entities` is required) and call `make`, which
 * fills in every primitive the provider does not do better itself, from `entities`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Filter from "./Filter.js"
import type * as Model from "./Model.js"
import type { GroupKind } from "./Query.js"
import { NotFound, type RosterError } from "./RosterError.js"
import * as Since from "./Since.js"

export type { GroupKind } from "./Query.js"

/** The roles members are fetched by. (`users` in a query means both.) */
export type MemberRole = "students" | "teachers"

/** A group record: a class, a course or a school. */
export type GroupOf<K extends GroupKind> = K extends "classes" ? Model.Class : K extends "courses" ? Model.Course : Model.Org
export type Group = Model.Class | Model.Course | Model.Org

/** What a provider does natively; the engine falls back for the rest. */
export interface Capabilities {
  /** The server can narrow a group listing from a `GroupHint` (e.g. OneRoster `filter=`). */
  readonly groupFilter: boolean
  /** `entities` applies `ListOptions.filter` / `since` on the server. */
  readonly entityFilter: boolean
  /** `group(kind, id)` costs one request instead of a listing. */
  readonly groupById: boolean
  /** The largest page the provider asks for (for progress and tuning; informational). */
  readonly pageSize: number
  /** The collections `entities` can list. */
  readonly entities: ReadonlyArray<Model.EntityKind>
}

/**
 * The engine is looking for groups whose `fields` equal `value` (trimmed, case-insensitive).
 * A provider may use it to narrow the listing on the server, but must return a superset of the
 * true matches whatever its server's case, collation or Unicode rules: the engine matches
 * exactly afterwards, and answers must not depend on which query ran first. So narrow only
 * with `needle` (e.g. OneRoster `title~'<needle>'`): a letter-free piece of `value` that every
 * match contains verbatim (`Matcher.caseSafeNeedle`). The engine gives no hint when the name
 * has no such piece.
 */
export interface GroupHint {
  readonly fields: ReadonlyArray<string>
  readonly value: string
  readonly needle: string
}

export interface ListOptions {
  /** A OneRoster filter; applied on the server when `capabilities.entityFilter`, else locally. */
  readonly filter?: Filter.Filter | undefined
  /**
   * Only records with `dateLastModified` after this instant (delta read): an ISO 8601 date or
   * date-time, normalised by `Since.parse` (date-only = midnight UTC, no offset = UTC, offsets
   * honoured) and compared as instants. Records without a dateLastModified are kept (`Since`).
   */
  readonly since?: string | undefined
}

export interface Service {
  readonly name: string
  readonly capabilities: Capabilities
  /** Every class / course / school (a superset of the `hint`'s matches when one is given). */
  readonly groups: <K extends GroupKind>(kind: K, hint?: GroupHint) => Stream.Stream<GroupOf<K>, RosterError>
  /** One group by sourcedId, or None. */
  readonly group: <K extends GroupKind>(kind: K, sourcedId: string) => Effect.Effect<Option.Option<GroupOf<K>>, RosterError>
  /** The students or teachers of one class or school. */
  readonly members: (kind: "classes" | "schools", sourcedId: string, role: MemberRole) => Stream.Stream<Model.User, RosterError>
  /** Every student or every teacher. */
  readonly users: (role: MemberRole) => Stream.Stream<Model.User, RosterError>
  /** The classes (sections) of one course. */
  readonly classesOfCourse: (courseSourcedId: string) => Stream.Stream<Model.Class, RosterError>
  /** Any collection, for `list`, `export` and the gateway. */
  readonly entities: <K extends Model.EntityKind>(kind: K, options?: ListOptions) => Stream.Stream<Model.EntityOf<K>, RosterError>
  /** One record of any collection by sourcedId; fails with NotFound. */
  readonly get: <K extends Model.EntityKind>(kind: K, sourcedId: string) => Effect.Effect<Model.EntityOf<K>, RosterError>
}

/** The Tag of the provider a program reads from. */
export class RosterProvider extends Context.Tag("@rosterkit/core/RosterProvider")<RosterProvider, Service>() {}

/** What a provider writes. Everything but `name`, `capabilities` and `entities` is optional. */
export interface Implementation {
  readonly name: string
  readonly capabilities: Partial<Capabilities> & { readonly entities: ReadonlyArray<Model.EntityKind> }
  readonly entities: <K extends Model.EntityKind>(kind: K, options?: ListOptions) => Stream.Stream<Model.EntityOf<K>, RosterError>
  readonly groups?: Service["groups"]
  readonly group?: Service["group"]
  readonly members?: Service["members"]
  readonly users?: Service["users"]
  readonly classesOfCourse?: Service["classesOfCourse"]
  readonly get?: Service["get"]
}

const refersTo = (ref: { readonly sourcedId: string } | null | undefined, id: string) => ref != null && ref.sourcedId === id

/** How far a server-side `since` is moved back: the largest UTC offset (14 hours). */
export const sinceWidening = 14 * 60 * 60 * 1000

/**
 * The `dateLastModified>'…'` predicate sent to a server for a delta read: `since` in canonical
 * UTC form (`2024-06-01T08:00:00.000Z`) moved back by `sinceWidening`, so that a server
 * comparing the text of dates with offsets (`…T10:30:00+02:00`) still returns a superset; the
 * provider then keeps exactly the records after `since` with `applyListOptions`. A `since` that
 * is not a date is passed through unchanged (`applyListOptions` reports it).
 */
export const sinceFilter = (since: string): Filter.Filter => {
  const millis = Since.toMillis(since)
  const value = millis === undefined ? since : Since.format(millis - sinceWidening)
  return Filter.make([{ field: "dateLastModified", op: ">", value }])
}

/**
 * Applies `options` in memory: the filter with core `Filter`, `since` as an instant (`Since.keeps`:
 * modified strictly after it, or undated). Providers without server-side filtering get this from
 * `make`; providers with it apply `{ since }` again on what the server sent, so a server that
 * compares dates as strings cannot change the answer. A `since` that is not a date fails the
 * stream with a ConfigurationError.
 */
export const applyListOptions = <A>(stream: Stream.Stream<A, RosterError>, options: ListOptions | undefined): Stream.Stream<A, RosterError> => {
  const filter = options?.filter
  const since = options?.since
  if (since === undefined) return filter === undefined ? stream : Stream.filter(stream, (record) => Filter.evaluate(filter, record))
  return Either.match(Since.parse(since), {
    onLeft: (error) => Stream.fail(error),
    onRight: (canonical) => {
      const millis = Since.toMillis(canonical)!
      return Stream.filter(stream, (record) => (filter === undefined || Filter.evaluate(filter, record)) && Since.keeps(millis, record))
    }
  })
}

/** Builds the full service from an implementation, filling in what it leaves out. */
export const make = (impl: Implementation): Service => {
  const capabilities: Capabilities = {
    groupFilter: false,
    entityFilter: false,
    groupById: false,
    pageSize: 100,
    ...impl.capabilities
  }
  const entities: Service["entities"] = capabilities.entityFilter
    ? impl.entities
    : (kind, options) => applyListOptions(impl.entities(kind), options)

  const groups: Service["groups"] = impl.groups ?? ((kind) => entities(kind) as Stream.Stream<GroupOf<typeof kind>, RosterError>)

  const group: Service["group"] =
    impl.group ??
    ((kind, sourcedId) =>
      groups(kind).pipe(
        Stream.filter((g) => g.sourcedId === sourcedId),
        Stream.runHead
      ))

  const users: Service["users"] = impl.users ?? ((role) => entities(role))

  const classesOfCourse: Service["classesOfCourse"] =
    impl.classesOfCourse ?? ((courseId) => Stream.filter(entities("classes"), (c) => refersTo(c.course, courseId)))

  const members: Service["members"] =
    impl.members ??
    ((kind, sourcedId, role) => {
      const userRole = role === "students" ? "student" : "teacher"
      if (kind === "schools") {
        return Stream.filter(users(role), (u) => (u.orgs ?? []).some((o) => o.sourcedId === sourcedId))
      }
      // Class members from enrollments: collect the ids (a class is small), then read the users.
      return Stream.unwrap(
        entities("enrollments").pipe(
          Stream.filter((e) => refersTo(e.class, sourcedId) && e.role === userRole),
          Stream.runFold(new Set<string>(), (ids, e) => ids.add(e.user.sourcedId)),
          Effect.map((ids) => (ids.size === 0 ? Stream.empty : Stream.filter(users(role), (u) => ids.has(u.sourcedId))))
        )
      )
    })

  const get: Service["get"] =
    impl.get ??
    ((kind, sourcedId) =>
      entities(kind).pipe(
        Stream.filter((record) => record.sourcedId === sourcedId),
        Stream.runHead,
        Effect.flatMap(
          Option.match({
            onNone: () =>
              Effect.fail(
                new NotFound({ provider: impl.name, operation: `get ${kind} ${sourcedId}`, entity: kind, id: sourcedId })
              ),
            onSome: Effect.succeed
          })
        )
      ))

  return { name: impl.name, capabilities, groups, group, members, users, classesOfCourse, entities, get }
}
