/**
 * The provider conformance suite over testkit's FakeOneRoster (served through msw), in three
 * set-ups: the default district with X-Total-Count paging (OAuth 1.0a); a district of 2,500
 * users read 100 per page (many pages, concurrent offsets); and a server with Link-only
 * paging, a silently clamped limit, no filter support and OAuth 2.
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
import * as OneRosterClient from "../src/OneRosterClient.js"
import * as OneRosterProvider from "../src/OneRosterProvider.js"

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: "error" }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const clientId = "conformance-client"
const clientSecret = "sécret & key/+="
const tokenUrl = "https://auth.sis.test/oauth/token"
const fast = { retries: 3, baseDelay: "1 millis", maxDelay: "5 millis" } as const

interface Setup {
  readonly fake: Omit<FakeOneRoster.Options, "dataset" | "faults" | "auth">
  readonly oauth2?: boolean
  readonly client: Omit<OneRosterClient.Options, "baseUrl" | "auth">
}

const build =
  (setup: Setup): Conformance.Build =>
  (dataset, faults) =>
    Effect.gen(function* () {
      const fake = FakeOneRoster.make({
        ...setup.fake,
        dataset,
        faults,
        auth: setup.oauth2 ? { type: "oauth2", clientId, clientSecret, tokenUrl } : { type: "oauth1", clientId, clientSecret }
      })
      server.resetHandlers(...Msw.handlers(fake))
      const auth: OneRosterClient.AuthOptions = setup.oauth2
        ? { type: "oauth2", clientId, clientSecret: Redacted.make(clientSecret), tokenUrl }
        : { type: "oauth1", clientId, clientSecret: Redacted.make(clientSecret) }
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(
          OneRosterProvider.layer({ baseUrl: fake.baseUrl, auth, retry: fast, ...setup.client }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      // Token requests are not roster requests.
      return { provider, requestCount: () => fake.requests.filter((r) => !r.url.startsWith(tokenUrl)).length }
    })

Conformance.suite("oneroster (X-Total-Count, OAuth 1.0a)", build({ fake: {}, client: { pageSize: 25 } }), { faults: true })

Conformance.suite(
  "oneroster (2,500 users, 100 per page)",
  build({ fake: { maxLimit: 1000 }, client: { pageSize: 100, concurrency: 4 } }),
  {
    faults: true,
    dataset: Dataset.generate({ seed: 2500, schools: 10, studentsPerSchool: 240, teachersPerSchool: 10, classesPerTeacher: 3, studentsPerClass: 12 }),
    skip: { demo: "the demo district is checked by the first suite" }
  }
)

Conformance.suite(
  "oneroster (Link only, clamped limit, no filter, OAuth 2)",
  build({ fake: { totalCount: false, link: "relative", maxLimit: 20, filter: false }, oauth2: true, client: { pageSize: 25 } }),
  { faults: true, skip: { demo: "the demo district is checked by the first suite" } }
)

Conformance.suite(
  "oneroster 1.2 (rostering/v1p2, OAuth 2, roles[])",
  (dataset, faults) =>
    Effect.gen(function* () {
      const fake = FakeOneRoster.make({
        dataset,
        faults,
        version: "1.2",
        auth: { type: "oauth2", clientId, clientSecret, tokenUrl, scope: OneRosterClient.defaultScopeV1p2 }
      })
      server.resetHandlers(...Msw.handlers(fake))
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(
          OneRosterProvider.layer({
            // No version given: the base URL says 1.2.
            baseUrl: `${fake.baseUrl}/`,
            auth: { type: "oauth2", clientId, clientSecret: Redacted.make(clientSecret), tokenUrl },
            retry: fast,
            pageSize: 25
          }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      return { provider, requestCount: () => fake.requests.filter((r) => !r.url.startsWith(tokenUrl)).length }
    }),
  {
    faults: true,
    dataset: Dataset.v1p2(Conformance.defaultDataset()),
    skip: { demo: "the demo district is checked by the first suite" }
  }
)
