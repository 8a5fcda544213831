/**
 * Clever Data API v3.0 as a rosterkit `RosterProvider`: Clever sections are classes, schools
 * and courses are themselves, users with `roles.student` / `roles.teacher` are OneRoster users
 * (see `README.md` for the field mapping). Group members come from Clever's nested endpoints
 * (`/sections/{id}/users?role=`, `/schools/{id}/users?role=`, `/courses/{id}/sections`), so a
 * query costs a listing plus one small listing per matched group.
 *
 *     const program = Effect.gen(function* () {
 *       const engine = yield* QueryEngine.QueryEngine
 *       return yield* engine.run(yield* Query.make({ group: "classes", name: "ELA 6 (6A ELA)" }))
 *     })
 *     program.pipe(
 *       Effect.provide(QueryEngine.layer()),
 *       Effect.provide(CleverProvider.layer({ token: Redacted.make(token) })),
 *       Effect.provide(FetchHttpClient.layer)
 *     )
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Dedupe from "@rosterkit/core/Dedupe"
import type * as Model from "@rosterkit/core/Model"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import { NotFound, Unsupported, type ConfigurationError, type RosterError } from "@rosterkit/core/RosterError"
import * as CleverClient from "./CleverClient.js"
import type * as CleverSchema from "./CleverSchema.js"
import * as Mapping from "./internal/mapping.js"

export type Options = CleverClient.Options

/**
 * The collections the Clever provider lists. `enrollments` are derived from each section's
 * `students` / `teachers` (ids `<section>-<role>-<user>`: Clever has no enrollment records).
 * `entities` also answers `academicSessions` (Clever has terms only, no school years or
 * grading periods) but does not advertise it: it is not the whole OneRoster collection.
 */
export const entityKinds: ReadonlyArray<Model.EntityKind> = [
  "users",
  "students",
  "teachers",
  "schools",
  "orgs",
  "classes",
  "courses",
  "terms",
  "enrollments"
]

/** Every collection `entities` answers (the rest are `Unsupported`). */
export const listedKinds: ReadonlyArray<Model.EntityKind> = [...entityKinds, "academicSessions"]

const name = CleverClient.providerName

const roleOf = (role: RosterProvider.MemberRole): Mapping.UserRole => (role === "students" ? "student" : "teacher")

const notFound = (kind: string, id: string, detail?: string) =>
  new NotFound({ provider: name, operation: `get ${kind} ${id}`, entity: kind, id, ...(detail === undefined ? {} : { detail }) })

const unsupported = (kind: string) =>
  new Unsupported({
    provider: name,
    operation: `list ${kind}`,
    detail: `Clever v3.0 has no ${kind}; the provider lists ${listedKinds.join(", ")}`
  })

/** The provider over a Clever client. */
export const fromClient = (client: CleverClient.Service): RosterProvider.Service => {
  const users = (role: RosterProvider.MemberRole): Stream.Stream<Model.User, RosterError> =>
    Stream.map(client.users(roleOf(role)), (user) => Mapping.toUser(user, roleOf(role)))

  const list = (kind: Model.EntityKind): Stream.Stream<Model.Entity, RosterError> => {
    switch (kind) {
      case "students":
      case "teachers":
        return users(kind)
      case "users":
        // One record per person: a student who also teaches is listed once, with both roles
        // (`roles`), and skipped when the teachers are listed.
        return Dedupe.bySourcedId(
          Stream.concat(
            Stream.map(client.users("student"), Mapping.toPerson),
            users("teachers")
          )
        )
      case "schools":
        return Stream.map(client.schools(), Mapping.toSchool)
      case "orgs":
        return Stream.concat(Stream.map(client.districts(), Mapping.toDistrict), Stream.map(client.schools(), Mapping.toSchool))
      case "classes":
        return Stream.map(client.sections(), Mapping.toClass)
      case "courses":
        return Stream.map(client.courses(), Mapping.toCourse)
      case "terms":
      case "academicSessions":
        return Stream.map(client.terms(), Mapping.toTerm)
      case "enrollments":
        return Stream.flatMap(client.sections(), (section) => Stream.fromIterable(Mapping.toEnrollments(section)))
      case "gradingPeriods":
      case "demographics":
        return Stream.fail(unsupported(kind))
    }
  }
  const entities = <K extends Model.EntityKind>(kind: K): Stream.Stream<Model.EntityOf<K>, RosterError> =>
    list(kind) as Stream.Stream<Model.EntityOf<K>, RosterError>

  const asUser = (kind: "users" | "students" | "teachers", id: string, user: CleverSchema.User) => {
    const role = kind === "students" ? "student" : kind === "teachers" ? "teacher" : Mapping.primaryRole(user)
    if (role === undefined || user.roles?.[role] == null) {
      return Effect.fail(
        notFound(kind, id, `Clever user ${id} is not a ${kind === "users" ? "student or teacher" : role}`)
      )
    }
    return Effect.succeed(Mapping.toUser(user, role))
  }

  const required = <A>(kind: string, id: string) =>
    Effect.flatMap(
      Option.match({ onNone: (): Effect.Effect<A, NotFound> => Effect.fail(notFound(kind, id)), onSome: (a: A) => Effect.succeed(a) })
    )

  const getOne = (kind: Model.EntityKind, id: string): Effect.Effect<Model.Entity, RosterError> => {
    switch (kind) {
      case "users":
      case "students":
      case "teachers":
        return client.user(id).pipe(
          required<CleverSchema.User>(kind, id),
          Effect.flatMap((user) => asUser(kind, id, user))
        )
      case "schools":
        return client.school(id).pipe(Effect.map(Option.map(Mapping.toSchool)), required<Model.Org>(kind, id))
      case "orgs":
        return client.school(id).pipe(
          Effect.map(Option.map(Mapping.toSchool)),
          Effect.flatMap((school) =>
            Option.isSome(school) ? Effect.succeed(school) : Effect.map(client.district(id), Option.map(Mapping.toDistrict))
          ),
          required<Model.Org>(kind, id)
        )
      case "classes":
        return client.section(id).pipe(Effect.map(Option.map(Mapping.toClass)), required<Model.Class>(kind, id))
      case "courses":
        return client.course(id).pipe(Effect.map(Option.map(Mapping.toCourse)), required<Model.Course>(kind, id))
      case "terms":
      case "academicSessions":
        return client.term(id).pipe(Effect.map(Option.map(Mapping.toTerm)), required<Model.AcademicSession>(kind, id))
      case "enrollments":
        // Clever has no enrollment records: search the ones derived from the sections.
        return list(kind).pipe(
          Stream.filter((record) => record.sourcedId === id),
          Stream.runHead,
          required<Model.Entity>(kind, id)
        )
      case "gradingPeriods":
      case "demographics":
        return Effect.fail(unsupported(kind))
    }
  }

  const group: RosterProvider.Service["group"] = <K extends RosterProvider.GroupKind>(kind: K, id: string) => {
    const found: Effect.Effect<Option.Option<RosterProvider.Group>, RosterError> =
      kind === "classes"
        ? Effect.map(client.section(id), Option.map(Mapping.toClass))
        : kind === "courses"
          ? Effect.map(client.course(id), Option.map(Mapping.toCourse))
          : Effect.map(client.school(id), Option.map(Mapping.toSchool))
    return found as Effect.Effect<Option.Option<RosterProvider.GroupOf<K>>, RosterError>
  }

  return RosterProvider.make({
    name,
    capabilities: {
      groupFilter: false,
      entityFilter: false,
      groupById: true,
      pageSize: client.pageSize,
      entities: entityKinds
    },
    entities,
    group,
    members: (kind, id, role) => {
      const members = kind === "classes" ? client.sectionUsers(id, roleOf(role)) : client.schoolUsers(id, roleOf(role))
      return Stream.map(members, (user) => Mapping.toUser(user, roleOf(role)))
    },
    users,
    classesOfCourse: (courseId) => Stream.map(client.courseSections(courseId), Mapping.toClass),
    get: <K extends Model.EntityKind>(kind: K, id: string) =>
      getOne(kind, id) as Effect.Effect<Model.EntityOf<K>, RosterError>
  })
}

/** The provider over the CleverClient in context. */
export const make: Effect.Effect<RosterProvider.Service, never, CleverClient.CleverClient> = Effect.map(
  CleverClient.CleverClient,
  fromClient
)

/** Provides both `CleverClient` and `RosterProvider`. */
export const layer = (
  options: Options
): Layer.Layer<CleverClient.CleverClient | RosterProvider.RosterProvider, ConfigurationError, HttpClient.HttpClient> =>
  Layer.scopedContext(
    Effect.map(CleverClient.make(options), (client) =>
      Context.make(CleverClient.CleverClient, client).pipe(Context.add(RosterProvider.RosterProvider, fromClient(client)))
    )
  )

/**
 * Both layers from Config, e.g.
 * `CleverProvider.layerConfig({ token: Config.redacted("ROSTERKIT_CLEVER_TOKEN"), host: Config.option(...) })`.
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<
  CleverClient.CleverClient | RosterProvider.RosterProvider,
  ConfigError.ConfigError | ConfigurationError,
  HttpClient.HttpClient
> =>
  Layer.scopedContext(
    Effect.flatMap(Config.unwrap(config), (options) =>
      Effect.map(CleverClient.make(options), (client) =>
        Context.make(CleverClient.CleverClient, client).pipe(Context.add(RosterProvider.RosterProvider, fromClient(client)))
      )
    )
  )
