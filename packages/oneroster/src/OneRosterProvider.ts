/**
 * The OneRoster 1.1 REST server as a `RosterProvider`: collections, nested member endpoints
 * (`classes/{id}/students`, `schools/{id}/teachers`, `courses/{id}/classes`), groups by id in
 * one request, and server-side `filter=` where it is safe.
 *
 * Filter pushdown only ever narrows a listing to a superset of the true matches (the query
 * engine then matches exactly). A server that answers 400 to a filter gets the full listing
 * instead, and no filter again from this provider instance.
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Filter from "@rosterkit/core/Filter"
import * as Model from "@rosterkit/core/Model"
import type { ConfigurationError, RosterError } from "@rosterkit/core/RosterError"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Since from "@rosterkit/core/Since"
import * as OneRosterClient from "./OneRosterClient.js"

/**
 * The text fields of each group kind that a `~` (contains) filter can narrow on. Any other field
 * a OneRoster 1.1 record of that kind has (a list, a reference, a date) rules pushdown out.
 */
export const filterableFields: Readonly<Record<RosterProvider.GroupKind, ReadonlyArray<string>>> = {
  classes: ["sourcedId", "title", "classCode", "classType", "location", "status"],
  courses: ["sourcedId", "title", "courseCode", "status"],
  schools: ["sourcedId", "name", "identifier", "type", "status"]
}

/** Every field a OneRoster 1.1 record of each group kind has (dotted paths start with one of them). */
export const modelFields: Readonly<Record<RosterProvider.GroupKind, ReadonlyArray<string>>> = {
  classes: [
    ...filterableFields.classes,
    "dateLastModified",
    "metadata",
    "grades",
    "subjects",
    "course",
    "school",
    "terms",
    "subjectCodes",
    "periods"
  ],
  courses: [...filterableFields.courses, "dateLastModified", "metadata", "schoolYear", "grades", "subjects", "org", "subjectCodes"],
  schools: [...filterableFields.schools, "dateLastModified", "metadata", "parent", "children"]
}

/**
 * The server-side filter for a group hint, or undefined when narrowing is not safe:
 * `f1~'needle' OR f2~'needle'` over the hint's fields that a record of this kind can have
 * (OneRoster allows two predicates). `~` is "contains", and the needle is a letter-free piece of
 * the name (GroupHint), so the answer is a superset of the exact, case-insensitive matches even
 * on a server whose `~` is case-sensitive. Fields a OneRoster 1.1 record of the kind never has
 * (a class has no `name`) cannot match and are left out.
 */
export const groupFilter = (kind: RosterProvider.GroupKind, hint: RosterProvider.GroupHint): Filter.Filter | undefined => {
  const value = hint.needle.trim()
  if (value === "") return undefined
  const fields: Array<string> = []
  for (const field of hint.fields) {
    if (filterableFields[kind].includes(field)) {
      if (!fields.includes(field)) fields.push(field)
    } else if (modelFields[kind].includes(field.split(".")[0]!)) {
      return undefined
    }
  }
  if (fields.length === 0 || fields.length > 2) return undefined
  const predicates = fields.map((field) => ({ field, op: "~" as const, value }))
  return Filter.make(predicates as unknown as Filter.Filter["predicates"], "OR")
}

/**
 * The filter sent for `entities(kind, options)` and what must still be applied locally: `since`
 * (in its canonical UTC form) joins a one-predicate filter with AND; next to a two-predicate
 * filter it is applied locally only. `since` is always applied locally too, as an instant: a
 * server that compares dates as strings cannot change the answer.
 */
export const entityFilter = (
  options: RosterProvider.ListOptions | undefined
): { readonly server: Filter.Filter | undefined; readonly local: RosterProvider.ListOptions | undefined } => {
  const filter = options?.filter
  const since = options?.since
  if (since === undefined) return { server: filter, local: undefined }
  const sincePredicate = RosterProvider.sinceFilter(since).predicates[0]
  if (filter === undefined) return { server: RosterProvider.sinceFilter(since), local: { since } }
  if (filter.predicates.length === 1) return { server: Filter.make([filter.predicates[0], sincePredicate], "AND"), local: { since } }
  return { server: filter, local: { since } }
}

const memberPath = (kind: "classes" | "schools", id: string, role: RosterProvider.MemberRole) =>
  `${kind}/${OneRosterClient.segment(id)}/${role}`

/** Builds the provider over a client. */
export const fromClient = (client: OneRosterClient.Service): Effect.Effect<RosterProvider.Service> =>
  Effect.gen(function* () {
    const { settings } = client
    const name = settings.name
    // Remembered for this provider instance: the server refused a filter once.
    const filterRejected = yield* Ref.make(!settings.filterPushdown)

    /**
     * `filtered` unless the server refuses filters; on a 400 before anything was emitted,
     * remember that and read `fallback` instead.
     */
    const withFallback = <A>(
      filtered: Stream.Stream<A, RosterError>,
      fallback: Stream.Stream<A, RosterError>
    ): Stream.Stream<A, RosterError> =>
      Stream.unwrap(
        Effect.map(Ref.get(filterRejected), (rejected) => {
          if (rejected) return fallback
          let emitted = false
          return filtered.pipe(
            Stream.tap(() => Effect.sync(() => (emitted = true))),
            Stream.catchAll((error) =>
              !emitted && error._tag === "ResponseError" && error.status === 400
                ? Stream.unwrap(
                    Effect.as(
                      Effect.zipRight(
                        Ref.set(filterRejected, true),
                        Effect.logWarning(`${name}: the server refused filter= (HTTP 400); reading full listings instead`)
                      ),
                      fallback
                    )
                  )
                : Stream.fail(error)
            )
          )
        })
      )

    const entities: RosterProvider.Implementation["entities"] = <K extends Model.EntityKind>(
      kind: K,
      options?: RosterProvider.ListOptions
    ): Stream.Stream<Model.EntityOf<K>, RosterError> => {
      const { server, local } = entityFilter(options)
      const full = RosterProvider.applyListOptions(client.list(kind), options)
      if (server === undefined) return client.list(kind)
      if (options?.since !== undefined && Either.isLeft(Since.parse(options.since))) return full // fails with the ConfigurationError
      const filtered = RosterProvider.applyListOptions(client.list(kind, { filter: Filter.format(server) }), local)
      return withFallback(filtered, full)
    }

    const groups: RosterProvider.Service["groups"] = (kind, hint) => {
      const filter = hint === undefined ? undefined : groupFilter(kind, hint)
      const full = client.list(kind) as Stream.Stream<RosterProvider.GroupOf<typeof kind>, RosterError>
      if (filter === undefined) return full
      const filtered = client.list(kind, {
        filter: Filter.format(filter),
        operation: `list ${kind} matching '${hint!.value}'`
      }) as Stream.Stream<RosterProvider.GroupOf<typeof kind>, RosterError>
      return withFallback(filtered, full)
    }

    const group: RosterProvider.Service["group"] = (kind, sourcedId) =>
      client.get(kind, sourcedId).pipe(
        Effect.map((record) => Option.some(record as RosterProvider.GroupOf<typeof kind>)),
        Effect.catchTag("NotFound", () => Effect.succeed(Option.none()))
      )

    const members: RosterProvider.Service["members"] = (kind, sourcedId, role) =>
      client.list(role, {
        path: memberPath(kind, sourcedId, role),
        operation: `${role} of ${kind.replace(/e?s$/, "")} ${sourcedId}`,
        parent: { entity: kind, id: sourcedId }
      })

    const users: RosterProvider.Service["users"] = (role) => client.list(role)

    const classesOfCourse: RosterProvider.Service["classesOfCourse"] = (courseId) =>
      client.list("classes", {
        path: `courses/${OneRosterClient.segment(courseId)}/classes`,
        operation: `classes of course ${courseId}`,
        parent: { entity: "courses", id: courseId }
      })

    return RosterProvider.make({
      name,
      capabilities: {
        groupFilter: settings.filterPushdown,
        entityFilter: true,
        groupById: true,
        pageSize: settings.pageSize,
        entities: Model.entityKinds
      },
      entities,
      groups,
      group,
      members,
      users,
      classesOfCourse,
      get: client.get
    })
  })

/** The provider over the `OneRosterClient` in context. */
export const make: Effect.Effect<RosterProvider.Service, never, OneRosterClient.OneRosterClient> = Effect.flatMap(
  OneRosterClient.OneRosterClient,
  fromClient
)

/** Provides both `OneRosterClient` and `RosterProvider`. */
export const layer = (
  options: OneRosterClient.Options
): Layer.Layer<OneRosterClient.OneRosterClient | RosterProvider.RosterProvider, ConfigurationError, HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const client = yield* OneRosterClient.make(options)
      const provider = yield* fromClient(client)
      return Context.make(OneRosterClient.OneRosterClient, client).pipe(Context.add(RosterProvider.RosterProvider, provider))
    })
  )

/** Both tags from `Config`. */
export const layerConfig = (
  config: Config.Config.Wrap<OneRosterClient.Options>
): Layer.Layer<
  OneRosterClient.OneRosterClient | RosterProvider.RosterProvider,
  ConfigError.ConfigError | ConfigurationError,
  HttpClient.HttpClient
> => Layer.unwrapEffect(Effect.map(Config.unwrap(config), layer))
