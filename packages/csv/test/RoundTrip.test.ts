/**
 * The export round trip (testkit's RoundTrip) over the in-memory reference provider, a 1.1 and a
 * 1.2 district, the demo district, and a CSV set as the source (CSV -> CSV).
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Conformance from "@rosterkit/testkit/Conformance"
import * as Dataset from "@rosterkit/testkit/Dataset"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as InMemoryProvider from "@rosterkit/testkit/InMemoryProvider"
import * as RoundTrip from "@rosterkit/testkit/RoundTrip"
import * as CsvExport from "../src/CsvExport.js"
import * as CsvProvider from "../src/CsvProvider.js"

const csv: RoundTrip.Csv = { exportSet: CsvExport.exportSet, open: (path) => CsvProvider.make({ path }) }

const memory = (dataset: Dataset.Dataset) => Effect.succeed({ provider: InMemoryProvider.make(dataset), requestCount: () => 0 })

RoundTrip.suite("memory (1.1 district)", memory, { csv })

// One person listed twice with one sourcedId, as a student and as a teacher (1.1's way, Clever's):
// a 1.2 set has one users.csv row for them, with both roles in roles.csv.
RoundTrip.suite("memory (a student who is also a teacher: two records)", memory, { csv, dataset: Conformance.withDualRole(RoundTrip.dataset()) })

RoundTrip.suite("memory (1.2 district: roles[], aides, counselors)", memory, { csv, dataset: Dataset.v1p2(RoundTrip.dataset()) })

RoundTrip.suite("memory (the demo district)", memory, {
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

// A CSV set as the source: the district written once, read by CsvProvider, exported again.
RoundTrip.suite(
  "csv",
  (dataset) =>
    Effect.gen(function* () {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-csv-source-"))),
        (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
      )
      const out = path.join(dir, "source.zip")
      yield* CsvExport.exportSet(InMemoryProvider.make(dataset), { out, version: "1.2" })
      return { provider: CsvProvider.make({ path: out }), requestCount: () => 0 }
    }),
  { csv, dataset: Dataset.v1p2(RoundTrip.dataset()) }
)
