/**
 * A Clever district exported as OneRoster 1.1 and 1.2 CSV and read back: the same answers to
 * the same queries (testkit's RoundTrip), FakeClever behind msw as the source.
 */
import { FetchHttpClient } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as CsvExport from "@rosterkit/csv/CsvExport"
import * as CsvProvider from "@rosterkit/csv/CsvProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeClever from "@rosterkit/testkit/FakeClever"
import * as Msw from "@rosterkit/testkit/Msw"
import * as RoundTrip from "@rosterkit/testkit/RoundTrip"
import * as CleverProvider from "../src/CleverProvider.js"

const build: Conformance.Build = (dataset) =>
  Effect.gen(function* () {
    const fake = FakeClever.make({ dataset, token: "round-trip-token" })
    yield* Effect.acquireRelease(
      Effect.sync(() => Msw.serve(fake)),
      (server) => Effect.sync(() => server.close())
    )
    const context = yield* Layer.build(
      CleverProvider.layer({ token: Redacted.make(fake.token), host: fake.baseUrl, pageSize: 50 }).pipe(Layer.provide(FetchHttpClient.layer))
    )
    return { provider: yield* Effect.provide(RosterProvider.RosterProvider, context), requestCount: () => fake.requests.length }
  })

const csv: RoundTrip.Csv = { exportSet: CsvExport.exportSet, open: (path) => CsvProvider.make({ path }) }

/**
 * What a CSV set cannot carry of a Clever user: the Clever fields the mapping copies up beside
 * the OneRoster ones (for `--match-on`). All of them survive inside `metadata.clever` (the whole
 * Clever record, written as its JSON text), which the round trip compares.
 */
const lost = {
  id: "Clever's id: a OneRoster user's sourcedId (kept), no column of its own",
  district: "Clever's district id: no users.csv column (kept inside metadata.clever)",
  created: "Clever's creation time: no users.csv column (kept inside metadata.clever)",
  last_modified: "Clever's modification time: dateLastModified, blank in a bulk set (kept inside metadata.clever)"
}

RoundTrip.suite("clever", build, { csv, lost })

// A student who is also a teacher: Clever lists them twice (role=student, role=teacher), one id.
RoundTrip.suite("clever (a student who is also a teacher)", build, { csv, lost, dataset: Conformance.withDualRole(RoundTrip.dataset()) })

RoundTrip.suite("clever (the demo district)", build, {
  csv,
  lost,
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
