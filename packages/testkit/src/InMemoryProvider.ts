/**
 * The reference provider: a Dataset in memory, built with nothing but `RosterProvider.make`
 * and its defaults. It passes the conformance suite, and it is the test double for the apps.
 */
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Model from "@rosterkit/core/Model"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Dataset from "./Dataset.js"

export interface Options {
  /** The provider's name in errors (default "memory"). */
  readonly name?: string
}

/** A provider serving `dataset`. */
export const make = (dataset: Dataset.Dataset, options: Options = {}): RosterProvider.Service =>
  RosterProvider.make({
    name: options.name ?? "memory",
    capabilities: { entities: Model.entityKinds, pageSize: Number.MAX_SAFE_INTEGER },
    entities: <K extends Model.EntityKind>(kind: K) =>
      Stream.fromIterable(Dataset.byKind(dataset, kind) as ReadonlyArray<Model.EntityOf<K>>)
  })

/** `RosterProvider` over `dataset`. */
export const layer = (dataset: Dataset.Dataset, options?: Options): Layer.Layer<RosterProvider.RosterProvider> =>
  Layer.succeed(RosterProvider.RosterProvider, make(dataset, options))
