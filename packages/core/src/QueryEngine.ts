/**
 * The one implementation of the query semantics (DESIGN.md, "The one idea"):
 *
 * 1. find the groups: list the kind (once per engine: listings are cached), match each group
 *    exactly on `matchOn` (Matcher); a provider that can narrow the listing on the server gets
 *    a hint for the first query of a kind (one cheap request for a one-off query; later
 *    queries use the cached full listing), and an empty narrowed answer is checked against
 *    the full listing. The hint narrows only with a letter-free piece of the name
 *    (`Matcher.caseSafeNeedle`), so the narrowed answer is a superset of the matches on any
 *    server and the result never depends on query order;
 * 2. expand courses to their classes: every matched course at once;
 * 3. collect the members of every group (students, teachers, or both for `users`), all groups
 *    at once, starting as soon as a course's classes are known, in group order, de-duplicated
 *    by sourcedId. One bound (`concurrency`) covers steps 2 and 3 together, so a course query
 *    costs about three round trips (courses, their classes, their members) when its groups fit
 *    in it. The bound is the engine's: queries run at the same time share it;
 * 4. stop at `max` (lazily: no page is fetched past it).
 *
 * Without a group, the query streams the provider's full listing (students, then teachers for
 * `users`), de-duplicated by sourcedId (a Clever user can be both): the set of ids seen is the
 * only state, one string per user.
 */
import * as Cache from "effect/Cache"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Dedupe from "./Dedupe.js"
import { IdSet, ListingIds } from "./internal/IdSet.js"
import * as InOrder from "./internal/InOrder.js"
import * as Matcher from "./Matcher.js"
import type * as Model from "./Model.js"
import * as Pager from "./Pager.js"
import type * as Query from "./Query.js"
import type { InvalidQuery, RosterError } from "./RosterError.js"
import * as RosterProvider from "./RosterProvider.js"

export interface Options {
  /** How many groups' members are fetched at once (default 4). */
  readonly concurrency?: number | undefined
  /** How long a group listing is reused (default: for the engine's lifetime). */
  readonly cacheTtl?: Duration.DurationInput | undefined
  /** Use the provider's server-side group narrowing when it has one (default true). */
  readonly groupFilter?: boolean | undefined
  /**
   * A district-wide listing (no group, no max) asks for its first `concurrency` pages at once
   * ({@link Pager.FirstRound}): one round trip less for a listing of more than one page, at the
   * cost of up to `concurrency - 1` requests that come back empty when it has one; a listing
   * paged one page at a time (Clever's cursors, offsets without a total) asks for each next page
   * while the page before is read. Default
   * false (the fewest requests); the CLI, which pulls whole districts, turns it on.
   */
  readonly firstRound?: boolean | undefined
}

/** The groups a query resolved to, and suggestions when none matched. */
export interface Resolution {
  readonly groups: ReadonlyArray<RosterProvider.Group>
  /** When no group matched: the closest group names, best first. Empty otherwise. */
  readonly suggestions: ReadonlyArray<string>
}

export interface Result extends Resolution {
  readonly users: ReadonlyArray<Model.User>
}

export interface Streamed extends Resolution {
  readonly users: Stream.Stream<Model.User, RosterError>
}

export interface Engine {
  /** Resolves the groups, then streams the users lazily. */
  readonly stream: (query: Query.Query) => Effect.Effect<Streamed, RosterError>
  /** Runs the query to the end and collects the users. */
  readonly run: (query: Query.Query) => Effect.Effect<Result, RosterError>
  /** Only the group resolution step. */
  readonly resolve: (selector: Query.GroupSelector) => Effect.Effect<Resolution, RosterError>
}

export class QueryEngine extends Context.Tag("@rosterkit/core/QueryEngine")<QueryEngine, Engine>() {}

const memberRoles = (role: Query.Role): ReadonlyArray<RosterProvider.MemberRole> =>
  role === "users" ? ["students", "teachers"] : [role]

interface MemberSource {
  readonly kind: "classes" | "schools"
  readonly sourcedId: string
}

/** Fields worth suggesting from, besides matchOn. */
const displayFields = ["title", "name"]

/** Builds an engine over one provider. Listings are cached for the engine's lifetime. */
export const make = (provider: RosterProvider.Service, options: Options = {}): Effect.Effect<Engine> =>
  Effect.gen(function* () {
    const concurrency = options.concurrency ?? 4
    const ttl = options.cacheTtl === undefined ? Duration.infinity : Duration.decode(options.cacheTtl)
    const useGroupFilter = (options.groupFilter ?? true) && provider.capabilities.groupFilter

    const listings = yield* Cache.makeWith({
      capacity: 16,
      lookup: (kind: Query.GroupKind) =>
        Stream.runCollect(provider.groups(kind)).pipe(Effect.map((chunk): ReadonlyArray<RosterProvider.Group> => Chunk.toReadonlyArray(chunk))),
      // A failed listing is not remembered: the next query tries again.
      timeToLive: (exit) => (Exit.isSuccess(exit) ? ttl : Duration.zero)
    })

    const narrowedKinds = new Set<Query.GroupKind>()
    const limit = yield* Effect.makeSemaphore(concurrency)

    // A plain loop: a run of many queries matches every query over listings of thousands of groups.
    const matchAll = (
      groups: ReadonlyArray<RosterProvider.Group>,
      selector: Query.GroupSelector
    ): Either.Either<ReadonlyArray<RosterProvider.Group>, InvalidQuery> => {
      const matched: Array<RosterProvider.Group> = []
      for (const group of groups) {
        const match = Matcher.matches(group, selector.matchOn, selector.name, selector.kind)
        if (Either.isLeft(match)) return Either.left(match.left)
        if (match.right) matched.push(group)
      }
      return Either.right(matched)
    }

    const suggest = (groups: ReadonlyArray<RosterProvider.Group>, selector: Query.GroupSelector) => {
      const fields = [...new Set([...selector.matchOn, ...displayFields])]
      const names = groups.flatMap((group) =>
        fields.flatMap((field) => Matcher.valuesAt(group, field)).filter((v): v is string => typeof v === "string")
      )
      return Matcher.closest(selector.name, names)
    }

    const fromFullListing = (selector: Query.GroupSelector) =>
      Effect.gen(function* () {
        const all = yield* listings.get(selector.kind)
        const groups = yield* matchAll(all, selector)
        return { groups, suggestions: groups.length === 0 ? suggest(all, selector) : [] }
      })

    const resolve = (selector: Query.GroupSelector): Effect.Effect<Resolution, RosterError> =>
      Effect.gen(function* () {
        // Only ids asked for: one request when the provider can fetch a group by id.
        if (selector.matchOn.length === 1 && selector.matchOn[0] === "sourcedId" && provider.capabilities.groupById) {
          const direct = yield* provider.group(selector.kind, selector.name.trim())
          if (Option.isSome(direct)) return { groups: [direct.value], suggestions: [] }
          return yield* fromFullListing(selector)
        }
        // Narrow on the server for the first query of a kind only: a run of many queries (a sync
        // with one query per mapping) lists the kind once and matches every later query over it.
        const repeated = narrowedKinds.has(selector.kind)
        narrowedKinds.add(selector.kind)
        const cached = yield* listings.contains(selector.kind)
        // Only a letter-free piece of the name is safe to narrow with (GroupHint): the narrowed
        // answer is then a superset whatever the server's case rules, so the order of queries
        // cannot change an answer.
        const needle = Matcher.caseSafeNeedle(selector.name)
        if (cached || repeated || !useGroupFilter || needle === undefined) return yield* fromFullListing(selector)
        const narrowed = yield* Stream.runCollect(
          provider.groups(selector.kind, { fields: selector.matchOn, value: selector.name.trim(), needle })
        )
        const groups = yield* matchAll(Chunk.toReadonlyArray(narrowed), selector)
        // Nothing matched: confirm against the full listing (it also gives the suggestions).
        return groups.length > 0 ? { groups, suggestions: [] } : yield* fromFullListing(selector)
      }).pipe(Effect.withSpan("QueryEngine.resolve", { attributes: { kind: selector.kind, name: selector.name } }))

    /**
     * The classes behind the matched groups: courses expanded (every course's classes fetched at
     * once within `limit`), de-duplicated, in group order.
     */
    const memberSources = (
      kind: Query.GroupKind,
      groups: ReadonlyArray<RosterProvider.Group>
    ): Effect.Effect<ReadonlyArray<MemberSource>, RosterError> => {
      if (kind !== "courses") return Effect.succeed(groups.map((g) => ({ kind, sourcedId: g.sourcedId })))
      return Effect.forEach(groups, (course) => limit.withPermits(1)(Stream.runCollect(provider.classesOfCourse(course.sourcedId))), {
        concurrency
      }).pipe(
        Effect.map((classesOfEach) => {
          const seen = new Set<string>()
          const sources: Array<MemberSource> = []
          for (const classes of classesOfEach) {
            for (const cls of classes) {
              if (seen.has(cls.sourcedId)) continue
              seen.add(cls.sourcedId)
              sources.push({ kind: "classes", sourcedId: cls.sourcedId })
            }
          }
          return sources
        })
      )
    }

    /**
     * The members of every group: all matched courses' classes at once, then all classes'
     * members at once, in group order. One semaphore of `concurrency` permits per engine bounds
     * the group requests in flight across both steps and across queries run at the same time
     * (each group's own listing pages within its provider's limits).
     */
    const membersOf = (kind: Query.GroupKind, groups: ReadonlyArray<RosterProvider.Group>, role: Query.Role) =>
      Stream.unwrap(
        Effect.map(memberSources(kind, groups), (sources) => {
          const tasks = sources.flatMap((source) => memberRoles(role).map((r) => ({ ...source, role: r })))
          // Each group's members are fetched whole (groups are small).
          return InOrder.stream(
            tasks,
            concurrency,
            (task) => limit.withPermits(1)(Stream.runCollect(provider.members(task.kind, task.sourcedId, task.role))),
            (_, members) => Effect.succeed(members)
          )
        })
      ).pipe(Dedupe.bySourcedId)

    const stream = (query: Query.Query): Effect.Effect<Streamed, RosterError> =>
      Effect.gen(function* () {
        const limit = <A, E>(users: Stream.Stream<A, E>) => (query.max === undefined ? users : Stream.take(users, query.max))
        if (query.group === undefined) {
          const roles = memberRoles(query.role)
          // Without max, the next role's first page is fetched while the role before is read
          // (no round trip between them), and with `firstRound` the first role asks for its
          // first pages at once; with max, one page may be all that is needed.
          const eager = options.firstRound === true && query.max === undefined
          const listingOf = (r: RosterProvider.MemberRole, i: number) =>
            eager && i === 0 ? Stream.provideService(provider.users(r), Pager.FirstRound, concurrency) : provider.users(r)
          const concat = <A, E>(all: Stream.Stream<A, E>, next: Stream.Stream<A, E>) =>
            query.max === undefined ? InOrder.concatAhead(all, next) : Stream.concat(all, next)
          if (roles.length === 1) return { groups: [], suggestions: [], users: limit(listingOf(roles[0]!, 0)) }
          // One role cannot list a user twice; both roles can (a student who is also a teacher, or
          // a 1.2 user with both roles): a user comes out once, with the first role listing them.
          // The ids output by the first role are kept once: the first role's pager keeps them in
          // `ids` (ListingIds) instead of a set of its own; a listing read without the pager
          // leaves `ids` to this filter. A chunk is tagged with its role's place, as the filter
          // must not run on the next role's first page when that is fetched early (concatAhead).
          const users = Stream.suspend(() => {
            const ids = new IdSet()
            const all = roles
              .map((r, i) => {
                const listing = i === 0 ? Stream.provideService(listingOf(r, i), ListingIds, ids) : listingOf(r, i)
                return Stream.map(Stream.chunks(listing), (chunk) => ({ first: i === 0, chunk }))
              })
              .reduce(concat)
            return Stream.mapConcatChunk(all, ({ chunk, first }) => {
              if (!(first && ids.adopted)) return Chunk.filter(chunk, (user) => ids.add(user.sourcedId))
              // the pager has refused repeats and kept these ids; a reading it did not see (a
              // provider's own restart) adds its ids here
              for (const user of chunk) ids.add(user.sourcedId)
              return chunk
            })
          })
          return { groups: [], suggestions: [], users: limit(users) }
        }
        const resolution = yield* resolve(query.group)
        return { ...resolution, users: limit(membersOf(query.group.kind, resolution.groups, query.role)) }
      })

    const run = (query: Query.Query): Effect.Effect<Result, RosterError> =>
      Effect.flatMap(stream(query), ({ users, ...resolution }) =>
        Effect.map(Stream.runCollect(users), (chunk) => ({ ...resolution, users: Chunk.toReadonlyArray(chunk) }))
      )

    return { stream, run, resolve }
  })

/** The engine over the RosterProvider in context. */
export const layer = (options?: Options): Layer.Layer<QueryEngine, never, RosterProvider.RosterProvider> =>
  Layer.effect(QueryEngine, Effect.flatMap(RosterProvider.RosterProvider, (provider) => make(provider, options)))

