/**
 * The Promise face of the Clever provider, for programs that do not use Effect; the same
 * shape as `OneRosterConnector`:
 *
 *     const clever = new CleverConnector({ token: process.env.CLEVER_TOKEN! })
 *     const ela = await clever.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "ELA 6 (6A ELA)" })
 *     for await (const teacher of clever.streamUsers({ userFilter: "teachers" })) console.log(teacher.email)
 *     await clever.close()
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
import * as Filter from "@rosterkit/core/Filter"
import type * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import type { RosterError } from "@rosterkit/core/RosterError"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as CleverClient from "./CleverClient.js"
import * as CleverProvider from "./CleverProvider.js"

/** A secret as plain text or `Redacted`. */
export type Secret = string | Redacted.Redacted<string>

export interface ConnectorOptions extends Omit<CleverClient.Options, "token"> {
  /** The district bearer token. */
  readonly token: Secret
  /** Group fields a `groupName` is compared with. Default `["sourcedId", "name", "title"]`. */
  readonly matchGroupsBy?: string | ReadonlyArray<string> | undefined
  /** How long group listings are reused between queries. Default: the connector's lifetime. */
  readonly cacheTtl?: Duration.DurationInput | undefined
  /** Groups whose members are fetched at once. Default 4. */
  readonly groupConcurrency?: number | undefined
  /** The HTTP client. Default `FetchHttpClient.layer` (Node's fetch). */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
}

/** The arguments of `getUsers` / `streamUsers` (the seed's `get_users`). */
export interface GetUsersOptions {
  /** students | teachers | users. Default "students". */
  readonly userFilter?: string | undefined
  /** classes | courses | schools; none for everyone of the role. */
  readonly groupFilter?: string | undefined
  /** The group's name, title or id (with `groupFilter`); Clever's own field names work too. */
  readonly groupName?: string | undefined
  /** Fields to match `groupName` on; default the connector's `matchGroupsBy`. */
  readonly matchOn?: string | ReadonlyArray<string> | undefined
  /** Stop after this many users. */
  readonly maxUsers?: number | undefined
}

/** The arguments of `listEntities` / `streamEntities`. */
export interface ListEntitiesOptions {
  /** A OneRoster filter, applied to the mapped records, e.g. `role='teacher' AND givenName~'ann'`. */
  readonly filter?: string | Filter.Filter | undefined
  /** Only records modified after this ISO timestamp. */
  readonly since?: string | undefined
}

const clientOptions = (options: ConnectorOptions): CleverClient.Options => {
  const { token, matchGroupsBy: _m, cacheTtl: _c, groupConcurrency: _g, httpClient: _h, ...rest } = options
  const redacted = Redacted.isRedacted(token) ? token : Redacted.make(typeof token === "string" ? token : "")
  return { ...rest, token: redacted }
}

/** Returns an exit's value, or throws its failure as is (a typed rosterkit error). */
const settle = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}

/**
 * A Clever district behind Promises. Construction checks the configuration (an empty token,
 * a bad host or a page size above 10000 throws a `ConfigurationError` at once); the first
 * request happens on the first call.
 */
export class CleverConnector {
  readonly #runtime: ManagedRuntime.ManagedRuntime<QueryEngine.QueryEngine | RosterProvider.RosterProvider, RosterError>
  #matchGroupsBy: ReadonlyArray<string>

  constructor(options: ConnectorOptions) {
    const client = clientOptions(options)
    const checked = CleverClient.validate(client)
    if (checked._tag === "Left") throw checked.left
    this.#matchGroupsBy = CleverConnector.#parseMatch(options.matchGroupsBy ?? Query.defaultMatchOn)
    const provider = CleverProvider.layer(client).pipe(Layer.provide(options.httpClient ?? FetchHttpClient.layer))
    const engine = QueryEngine.layer({
      ...(options.cacheTtl === undefined ? {} : { cacheTtl: options.cacheTtl }),
      ...(options.groupConcurrency === undefined ? {} : { concurrency: options.groupConcurrency })
    })
    this.#runtime = ManagedRuntime.make(Layer.provideMerge(engine, provider))
  }

  static #parseMatch(value: string | ReadonlyArray<string>): ReadonlyArray<string> {
    const fields = Query.parseFieldList(value)
    if (fields.length === 0) throw new TypeError("matchGroupsBy needs at least one field name, e.g. sourcedId,name,title")
    return fields
  }

  /**
   * The fields a group name is matched on, for every query that does not pass `matchOn`
   * (the seed's `match_groups_by`), e.g. `clever.matchGroupsBy = "section_number"`.
   */
  get matchGroupsBy(): ReadonlyArray<string> {
    return this.#matchGroupsBy
  }

  set matchGroupsBy(value: string | ReadonlyArray<string>) {
    this.#matchGroupsBy = CleverConnector.#parseMatch(value)
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

  /** Every record of a collection (mapped to OneRoster), optionally filtered or by date. */
  listEntities<K extends Model.EntityKind>(kind: K, options: ListEntitiesOptions = {}): Promise<Array<Model.EntityOf<K>>> {
    return this.#run(Effect.map(Stream.runCollect(this.#entities(kind, options)), (chunk) => Chunk.toArray(chunk)))
  }

  /** `listEntities`, streamed. */
  streamEntities<K extends Model.EntityKind>(kind: K, options: ListEntitiesOptions = {}): AsyncIterable<Model.EntityOf<K>> {
    return this.#iterate(this.#entities(kind, options))
  }

  /** One record by sourcedId (the Clever id); rejects with `NotFound`. */
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
        // Failures are thrown as the typed error itself, not a FiberFailure.
        yield* Stream.toAsyncIterableRuntime(stream, await runtime.runtime())
      }
    }
  }
}
