/**
 * A district served over OneRoster 1.1 and 1.2 REST, exported as OneRoster 1.1 and 1.2 CSV and
 * read back: the same answers to the same queries (testkit's RoundTrip), testkit's FakeOneRoster
 * behind msw as the source.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Model from "@rosterkit/core/Model"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as CsvExport from "@rosterkit/csv/CsvExport"
import * as CsvProvider from "@rosterkit/csv/CsvProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import * as Dataset from "@rosterkit/testkit/Dataset"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import * as RoundTrip from "@rosterkit/testkit/RoundTrip"
import * as OneRosterClient from "../src/OneRosterClient.js"
import * as OneRosterProvider from "../src/OneRosterProvider.js"

const clientId = "round-trip-client"
const clientSecret = "round trip sécret/+="
const tokenUrl = "https://auth.sis.test/oauth/token"

const build =
  (version: Model.Version): Conformance.Build =>
  (dataset) =>
    Effect.gen(function* () {
      const fake = FakeOneRoster.make({
        dataset,
        version,
        auth: version === "1.2" ? { type: "oauth2", clientId, clientSecret, tokenUrl, scope: OneRosterClient.defaultScopeV1p2 } : { type: "oauth1", clientId, clientSecret }
      })
      yield* Effect.acquireRelease(
        Effect.sync(() => Msw.serve(fake)),
        (server) => Effect.sync(() => server.close())
      )
      const auth: OneRosterClient.AuthOptions =
        version === "1.2" ? { type: "oauth2", clientId, clientSecret: Redacted.make(clientSecret), tokenUrl } : { type: "oauth1", clientId, clientSecret: Redacted.make(clientSecret) }
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(OneRosterProvider.layer({ baseUrl: fake.baseUrl, auth, pageSize: 50 }).pipe(Layer.provide(FetchHttpClient.layer)))
      )
      return { provider, requestCount: () => fake.requests.length }
    })

const csv: RoundTrip.Csv = { exportSet: CsvExport.exportSet, open: (path) => CsvProvider.make({ path }) }

RoundTrip.suite("oneroster 1.1 REST", build("1.1"), { csv })

RoundTrip.suite("oneroster 1.1 REST (the demo district)", build("1.1"), {
  csv,
  dataset: demoDistrict,
  queries: [
    { role: "users" },
    { role: "teachers" },
    { role: "students", group: "classes", name: "ELA 6 (6A ELA)" },
    { role: "users", group: "classes", name: "31763" },
    { role: "users", group: "schools", name: "Classlink HS" },
    { role: "users", group: "courses", name: demoDistrict.courses[0]!.title! }
  ]
})

// 1.2: users with roles[] (a teacher who also takes a class, aides, counselors), profiles.
RoundTrip.suite("oneroster 1.2 REST", build("1.2"), { csv, dataset: Dataset.v1p2(RoundTrip.dataset()) })
