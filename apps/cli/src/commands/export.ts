/**
 * `rosterkit export --out DIR|FILE.zip [--oneroster-version 1.1|1.2]` — writes a OneRoster CSV
 * bulk set (manifest included) from any provider; with `--since`, a delta set of the records
 * changed after it.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Flags from "../Flags.js"
import * as Help from "../Help.js"
import * as Session from "../Session.js"
import { parseSince, undatedNote } from "./list.js"

const options = {
  out: Options.text("out").pipe(
    Options.withPseudoName("DIR|FILE.zip"),
    Options.withDescription("A folder (created or replaced) or a .zip file")
  ),
  since: Options.text("since").pipe(
    Options.withPseudoName("ISO-TIMESTAMP"),
    Options.withDescription("Only records modified after it (a delta set)"),
    Options.optional
  ),
  onerosterVersion: Options.choice("oneroster-version", ["1.1", "1.2"] as const).pipe(
    Options.withDescription("The OneRoster CSV version written (1.2 adds roles.csv and userProfiles.csv)"),
    Options.withDefault("1.1" as const)
  ),
  ...Flags.connection,
  ...Flags.diagnostics
}

const handler = (flags: Command.Command.ParseConfig<typeof options>) =>
  Effect.gen(function* () {
    const since = Option.getOrUndefined(yield* Effect.transposeOption(Option.map(flags.since, parseSince)))
    yield* Session.run({ connection: flags, diagnostics: flags, unit: "records" }, ({ progress, provider }) =>
      Effect.gen(function* () {
        const CsvExport = yield* Effect.promise(() => import("@rosterkit/csv/CsvExport"))
        const version = flags.onerosterVersion
        const result = yield* CsvExport.exportSet(provider, { out: flags.out, since, version })
        const files = Object.entries(result.files)
          .map(([file, rows]) => `${file} ${rows}`)
          .join(", ")
        for (const [file, count] of Object.entries(result.undated)) {
          const whole = result.statuses[file as keyof typeof result.statuses] === "bulk"
          yield* progress.note(`${file}.csv: ${undatedNote("records", count)}${whole ? "; the file holds them all and the manifest marks it bulk" : ""}`)
        }
        const kinds = [...new Set(Object.values(result.statuses))].sort().join(" + ")
        yield* progress.note(`wrote a ${kinds || "bulk"} OneRoster ${version} CSV set to ${result.out}: ${files}`)
      })
    )
  })

export const command = Command.make("export", options, handler)

/** What `rosterkit export --help` says. */
export const spec: Help.Spec = {
  name: "export",
  summary: "the district as a OneRoster 1.1 or 1.2 CSV set, a folder or a zip",
  description: [
    "Writes manifest.csv, orgs.csv, users.csv, … (1.2: also roles.csv, userProfiles.csv); --provider csv reads such a set back with the same answers.",
    "Bulk files leave status and dateLastModified blank; delta files (--since) fill them."
  ],
  options,
  ownGroup: "Export",
  examples: [
    ["rosterkit export --out roster.zip", "the demo district as a zip"],
    ["rosterkit export --out roster12.zip --oneroster-version 1.2", "the same as a OneRoster 1.2 set"],
    ["rosterkit export --provider clever --token $TOKEN --out clever-roster/", "a Clever district as a folder"],
    ["rosterkit export --out changes.zip --since 2024-08-01T00:00:00Z", "a delta set: changes since August 1st"]
  ]
}
