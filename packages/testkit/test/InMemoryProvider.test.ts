import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as Conformance from "@rosterkit/testkit/Conformance"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as InMemoryProvider from "@rosterkit/testkit/InMemoryProvider"

// The reference provider passes the suite it defines.
Conformance.suite("memory", (dataset) => Effect.succeed({ provider: InMemoryProvider.make(dataset), requestCount: () => 0 }), {
  faults: false
})

describe("demo district through the query engine", () => {
  it.effect("gives the seed README's six numbers", () =>
    Effect.gen(function* () {
      const engine = yield* QueryEngine.make(InMemoryProvider.make(demoDistrict))
      const count = (input: Query.QueryInput) =>
        Effect.map(Effect.flatMap(Query.make(input), engine.run), (r) => r.users.length)
      expect(yield* count({})).toBe(139)
      expect(yield* count({ group: "classes", name: "ELA 6 (6A ELA)" })).toBe(7)
      expect(yield* count({ group: "classes", name: "31763" })).toBe(3)
      expect(yield* count({ group: "schools", name: "Classlink HS" })).toBe(38)
      expect(yield* count({ group: "schools", name: "7" })).toBe(54)
      expect(yield* count({ group: "classes", name: "302", matchOn: "location" })).toBe(13)
    })
  )
})
