/**
 * The provider conformance suite over testkit's FakeOneRoster posing as a ClassLink tenant
 * (OAuth 1.0a, X-Perm-Rev on every response): the default district with the demo district,
 * and a district of 2,500 users read 100 per page.
 */
import { afterAll, afterEach, beforeAll } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { setupServer } from "msw/node"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import * as Dataset from "@rosterkit/testkit/Dataset"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import * as ClassLinkProvider from "../src/ClassLinkProvider.js"

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const host = "https://conformance-ca-v2.oneroster.com"
const clientId = "classlink-conformance"
const clientSecret = "clássLink secret&=/"

const build =
  (pageSize: number): Conformance.Build =>
  (dataset, faults) =>
    Effect.gen(function* () {
      const fake = FakeOneRoster.make({
        dataset,
        faults,
        baseUrl: `${host}/ims/oneroster/v1p1`,
        auth: { type: "oauth1", clientId, clientSecret },
        maxLimit: 10_000,
        permRev: () => "1187"
      })
      server.resetHandlers(...Msw.handlers(fake))
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(
          ClassLinkProvider.layer({
            host,
            clientId,
            clientSecret: Redacted.make(clientSecret),
            pageSize,
            retry: { retries: 3, baseDelay: "1 millis", maxDelay: "5 millis" }
          }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      return { provider, requestCount: () => fake.requests.length }
    })

Conformance.suite("classlink", build(25), { faults: true })

Conformance.suite("classlink (2,500 users, 100 per page)", build(100), {
  faults: true,
  dataset: Dataset.generate({ seed: 2501, schools: 10, studentsPerSchool: 240, teachersPerSchool: 10, classesPerTeacher: 3, studentsPerClass: 12 }),
  skip: { demo: "the demo district is checked by the first suite" }
})
