/**
 * A ClassLink district exported as OneRoster 1.1 and 1.2 CSV and read back: the same answers to
 * the same queries (testkit's RoundTrip). The source is testkit's FakeOneRoster behind a
 * ClassLink tenant URL (OAuth 1.0a, X-Perm-Rev on every response), served through msw. (A
 * person with two roles is one record in 1.1 REST: the same sourcedId listed twice is a paging
 * fault there, so the two-record case is the in-memory and Clever providers'.)
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as CsvExport from "@rosterkit/csv/CsvExport"
import * as CsvProvider from "@rosterkit/csv/CsvProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import * as RoundTrip from "@rosterkit/testkit/RoundTrip"
import * as ClassLinkProvider from "../src/ClassLinkProvider.js"

const host = "https://roundtrip-ca-v2.oneroster.com"
const clientId = "classlink-round-trip"
const clientSecret = "round trip secret&=/"

const build: Conformance.Build = (dataset) =>
  Effect.gen(function* () {
    const fake = FakeOneRoster.make({
      dataset,
      baseUrl: `${host}/ims/oneroster/v1p1`,
      auth: { type: "oauth1", clientId, clientSecret },
      maxLimit: 10_000,
      permRev: () => "2207"
    })
    yield* Effect.acquireRelease(
      Effect.sync(() => Msw.serve(fake)),
      (server) => Effect.sync(() => server.close())
    )
    const provider = yield* RosterProvider.RosterProvider.pipe(
      Effect.provide(ClassLinkProvider.layer({ host, clientId, clientSecret: Redacted.make(clientSecret), pageSize: 50 }).pipe(Layer.provide(FetchHttpClient.layer)))
    )
    return { provider, requestCount: () => fake.requests.length }
  })

const csv: RoundTrip.Csv = { exportSet: CsvExport.exportSet, open: (path) => CsvProvider.make({ path }) }

RoundTrip.suite("classlink", build, { csv })

RoundTrip.suite("classlink (the demo district)", build, {
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
