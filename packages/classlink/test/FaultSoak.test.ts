/**
 * Fault soak (testkit `Soak`): 20 full pulls of a 5,000-user district from a real loopback
 * FakeOneRoster (OAuth 1.0a, a steady X-Perm-Rev) failing about 15% of requests, each exactly
 * the district's users; with retries exhausted, a typed error.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as OneRosterClient from "@rosterkit/oneroster/OneRosterClient"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Soak from "@rosterkit/testkit/Soak"
import * as ClassLinkProvider from "../src/ClassLinkProvider.js"

Soak.suite("classlink", {
  serve: (url, faults) =>
    FakeOneRoster.make({
      dataset: Soak.district,
      baseUrl: `${url}/ims/oneroster/v1p1`,
      auth: { type: "oauth1", clientId: "soak-id", clientSecret: "soak-secret" },
      permRev: () => "1187",
      faults
    }),
  pull: (fake, retries) =>
    Effect.gen(function* () {
      const client = yield* OneRosterClient.OneRosterClient
      return Chunk.toReadonlyArray(yield* Stream.runCollect(client.list("users"))).map((u) => u.sourcedId)
    }).pipe(
      Effect.provide(
        ClassLinkProvider.layer({
          host: fake.baseUrl,
          clientId: "soak-id",
          clientSecret: Redacted.make("soak-secret"),
          pageSize: 250,
          concurrency: 4,
          timeout: Soak.timeout,
          retry: Soak.retry(retries)
        }).pipe(Layer.provide(FetchHttpClient.layer))
      )
    )
})
