/**
 * The Promise face shared by every provider, for programs that do not use Effect. It keeps the
 * seed library's API (`get_users(user_filter, group_filter, group_name)`, `match_groups_by`) in
 * TypeScript's naming; each provider package exports a subclass (`OneRosterConnector`,
 * `ClasslinkConnector`, `CleverConnector`) whose constructor takes that provider's settings.
 *
 *     const ela = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "ELA 6 (6A ELA)" })
 *     for await (const teacher of connector.streamUsers({ userFilter: "teachers" })) console.log(teacher.username)
 *     await connector.close()
 *
 * Failures reject with rosterkit's typed errors (`AuthError`, `NotFound`, `InvalidQuery` …:
 * check `error._tag`). Group listings are cached for the connector's lifetime (see `cacheTtl`).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Filter from "./Filter.js"
import type * as Model from "./Model.js"
import * as Query from "./Query.js"
import * as QueryEngine from "./QueryEngine.js"
import type { RosterError } from "./RosterError.js"
import * as RosterProvider from "./RosterProvider.js"

/** A secret as plain text or `Redacted`. */
export type Secret = string | Redacted.Redacted<string>

/** A secret as `Redacted`. */
export const redacted = (secret: Secret): Redacted.Redacted<string> => (Redacted.isRedacted(secret) ? secret : Redacted.make(secret))

/** The connector's own settings, next to each provider's. */
export interface Options {
  /** Group fields a `groupName` is compared with. Default `["sourcedId", "name", "title"]`. */
  readonly matchGroupsBy?: string | ReadonlyArray<string> | undefined
  /** How long group listings are reused between queries. Default: the connector's lifetime. */
  readonly cacheTtl?: Duration.DurationInput | undefined
  /** Groups whose members are fetched at once. Default 4. */
  readonly groupConcurrency?: number | undefined
  /** The HTTP client. Default `FetchHttpClient.layer` (Node's fetch). */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
}

/** Splits a provider's settings from the connector's own. */
export const splitOptions = <O extends Options>(options: O): readonly [Omit<O, keyof Options>, Options] => {
  const { matchGroupsBy, cacheTtl, groupConcurrency, httpClient, ...rest } = options
  return [rest, { matchGroupsBy, cacheTtl, groupConcurrency, httpClient }]
}

/** The arguments of `getUsers` / `streamUsers` (the seed's `get_users`). */
export interface GetUsersOptions {
  /** students | teachers | users. Default "students". */
  readonly userFilter?: string | undefined
  /** classes | courses | schools; none for everyone of the role. */
  readonly groupFilter?: string | undefined
  /** The group's name, title or sourcedId (with `groupFilter`). */
  readonly groupName?: string | undefined
  /** Fields to match `groupName` on; default the connector's `matchGroupsBy`. */
  readonly matchOn?: string | ReadonlyArray<string> | undefined
  /** Stop after this many users. */
  readonly maxUsers?: number | undefined
}

/** The arguments of `listEntities` / `streamEntities`. */
export interface ListEntitiesOptions {
  /** A OneRoster filter, e.g. `role='teacher' AND givenName~'ann'`. */
  readonly filter?: string | Filter.Filter | undefined
  /** Only records modified after this ISO timestamp (delta read). */
  readonly since?: string | undefined
}

/** Runs an effect and returns its value, or throws its failure as is (a typed rosterkit error). */
const settle = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * A provider behind Promises. Providers subclass it with their own options: their constructor
 * checks the settings (throwing a `ConfigurationError` at once) and passes the provider's layer
 * up; the first request happens on the first call.
 */
export class Connector {
  readonly #runtime: ManagedRuntime.ManagedRuntime<QueryEngine.QueryEngine | RosterProvider.RosterProvider, RosterError>
  #matchGroupsBy: ReadonlyArray<string>

  constructor(provider: Layer.Layer<RosterProvider.RosterProvider, RosterError, HttpClient.HttpClient>, options: Options = {}) {
    this.#matchGroupsBy = Connector.#parseMatch(options.matchGroupsBy ?? Query.defaultMatchOn)
    const engine = QueryEngine.layer({
      ...(options.cacheTtl === undefined ? {} : { cacheTtl: options.cacheTtl }),
      ...(options.groupConcurrency === undefined ? {} : { concurrency: options.groupConcurrency })
    })
    this.#runtime = ManagedRuntime.make(
      Layer.provideMerge(engine, provider.pipe(Layer.provide(options.httpClient ?? FetchHttpClient.layer)))
    )
  }

  static #parseMatch(value: string | ReadonlyArray<string>): ReadonlyArray<string> {
    const fields = Query.parseFieldList(value)
    if (fields.length === 0) throw new TypeError("matchGroupsBy needs at least one field name, e.g. sourcedId,name,title")
    return fields
  }

  /**
   * The fields a group name is matched on, for every query that does not pass `matchOn`
   * (the seed's `match_groups_by`). Assign a list or one name: `connector.matchGroupsBy = "location"`.
   */
  get matchGroupsBy(): ReadonlyArray<string> {
    return this.#matchGroupsBy
  }

  set matchGroupsBy(value: string | ReadonlyArray<string>) {
    this.#matchGroupsBy = Connector.#parseMatch(value)
  }

  #query(options: GetUsersOptions): Effect.Effect<Query.Query, RosterError> {
    const grouped = options.groupFilter !== undefined && options.groupFilter.trim() !== ""
    return Query.make({
      role: options.userFilter,
      group: options.groupFilter,
      name: options.groupName,
      matchOn: grouped ? (options.matchOn ?? this.#matchGroupsBy) : options.matchOn,
      max: options.maxUsers
    })
  }

  #run<A>(effect: Effect.Effect<A, RosterError, QueryEngine.QueryEngine | RosterProvider.RosterProvider>): Promise<A> {
    return this.#runtime.runPromiseExit(effect).then(settle)
  }

  /** The users a query selects (the seed's `get_users`), de-duplicated. */
  getUsers(options: GetUsersOptions = {}): Promise<Array<Model.User>> {
    return this.#run(
      Effect.gen(this, function* () {
        const query = yield* this.#query(options)
        const engine = yield* QueryEngine.QueryEngine
        const result = yield* engine.run(query)
        return [...result.users]
      })
    )
  }

  /** The same users as `getUsers`, streamed page by page in constant memory. */
  streamUsers(options: GetUsersOptions = {}): AsyncIterable<Model.User> {
    return this.#iterate(
      Stream.unwrap(
        Effect.gen(this, function* () {
          const query = yield* this.#query(options)
          const engine = yield* QueryEngine.QueryEngine
          return (yield* engine.stream(query)).users
        })
      )
    )
  }

  /** Every record of a collection, optionally filtered on the server (`filter=`) or by date. */
  listEntities<K extends Model.EntityKind>(kind: K, options: ListEntitiesOptions = {}): Promise<Array<Model.EntityOf<K>>> {
    return this.#run(Effect.map(Stream.runCollect(this.#entities(kind, options)), (chunk) => Chunk.toArray(chunk)))
  }

  /** `listEntities`, streamed. */
  streamEntities<K extends Model.EntityKind>(kind: K, options: ListEntitiesOptions = {}): AsyncIterable<Model.EntityOf<K>> {
    return this.#iterate(this.#entities(kind, options))
  }

  /** One record by sourcedId; rejects with `NotFound`. */
  getEntity<K extends Model.EntityKind>(kind: K, sourcedId: string): Promise<Model.EntityOf<K>> {
    return this.#run(Effect.flatMap(RosterProvider.RosterProvider, (provider) => provider.get(kind, sourcedId)))
  }

  /** Releases the connector's resources. */
  close(): Promise<void> {
    return this.#runtime.dispose()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #entities<K extends Model.EntityKind>(
    kind: K,
    options: ListEntitiesOptions
  ): Stream.Stream<Model.EntityOf<K>, RosterError, RosterProvider.RosterProvider> {
    return Stream.unwrap(
      Effect.gen(function* () {
        const filter = typeof options.filter === "string" ? yield* Filter.parse(options.filter) : options.filter
        const provider = yield* RosterProvider.RosterProvider
        return provider.entities(kind, { filter, since: options.since })
      })
    )
  }

  #iterate<A>(stream: Stream.Stream<A, RosterError, QueryEngine.QueryEngine | RosterProvider.RosterProvider>): AsyncIterable<A> {
    const runtime = this.#runtime
    return {
      async *[Symbol.asyncIterator]() {
        // Failures are thrown as the typed error itself (Cause.squash), not a FiberFailure.
        yield* Stream.toAsyncIterableRuntime(stream, await runtime.runtime())
      }
    }
  }
}
