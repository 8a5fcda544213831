/**
 * Fault soak (testkit `Soak`): 20 full pulls of a 5,000-user district from a real loopback
 * FakeClever failing about 15% of requests, each exactly the district's users; with retries
 * exhausted, a typed error.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as FakeClever from "@rosterkit/testkit/FakeClever"
import * as Soak from "@rosterkit/testkit/Soak"
import * as CleverClient from "../src/CleverClient.js"

Soak.suite("clever", {
  serve: (url, faults) => FakeClever.make({ dataset: Soak.district, baseUrl: `${url}/v3.0`, token: "soak-token", faults }),
  pull: (fake, retries) =>
    Effect.gen(function* () {
      const client = yield* CleverClient.CleverClient
      return Chunk.toReadonlyArray(yield* Stream.runCollect(client.users())).map((u) => u.id)
    }).pipe(
      Effect.provide(
        CleverClient.layer({
          host: fake.baseUrl,
          token: Redacted.make("soak-token"),
          pageSize: 250,
          concurrency: 4,
          timeout: Soak.timeout,
          retry: Soak.retry(retries)
        }).pipe(Layer.provide(FetchHttpClient.layer))
      )
    )
})
