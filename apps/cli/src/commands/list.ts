/**
 * `rosterkit list <entity>` — any OneRoster collection, optionally filtered (`--filter`, OneRoster
 * filter syntax) or limited to records changed since a timestamp (`--since`, a delta read).
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Filter from "@rosterkit/core/Filter"
import * as Model from "@rosterkit/core/Model"
import { type ConfigurationError, InvalidQuery } from "@rosterkit/core/RosterError"
import * as Since from "@rosterkit/core/Since"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Flags from "../Flags.js"
import * as Help from "../Help.js"
import * as Output from "../Output.js"
import * as Session from "../Session.js"

/**
 * Checks a `--since` value and normalises it to one UTC instant (core `Since`: date-only is
 * midnight UTC, no offset is UTC, offsets honoured); anything else is a ConfigurationError naming
 * --since (exit 3).
 */
export const parseSince = (value: string): Effect.Effect<string, ConfigurationError> => Since.parse(value, "--since")

/** The note for records a delta read kept because they carry no dateLastModified. */
export const undatedNote = (entity: string, count: number): string =>
  `${count} ${entity} have no dateLastModified (the source does not date them); they are included in this delta, changed or not`

const options = {
  filter: Options.text("filter").pipe(
    Options.withPseudoName("EXPR"),
    Options.withDescription("field<op>'value' (= != > >= < <= ~), AND, OR"),
    Options.optional
  ),
  since: Options.text("since").pipe(
    Options.withPseudoName("ISO-TIMESTAMP"),
    Options.withDescription("Only records modified after it (a delta read)"),
    Options.optional
  ),
  max: Options.integer("max").pipe(Options.withPseudoName("N"), Options.withDescription("Stop after this many records"), Options.optional),
  ...Flags.output,
  ...Flags.connection,
  ...Flags.diagnostics
}

const args = {
  entity: Args.choice(
    Model.entityKinds.map((kind) => [kind, kind] as const),
    { name: "entity" }
  ).pipe(Args.withDescription("The collection"))
}

const handler = (flags: Command.Command.ParseConfig<typeof options & typeof args>) =>
  Effect.gen(function* () {
    const filter = yield* Effect.transposeOption(Option.map(flags.filter, Filter.parse))
    const since = yield* Effect.transposeOption(Option.map(flags.since, parseSince))
    const max = Option.getOrUndefined(flags.max)
    if (max !== undefined && max < 1) {
      return yield* new InvalidQuery({ provider: "rosterkit", operation: "parse --max", field: "max", reason: `must be at least 1 (got ${max})` })
    }
    yield* Session.run({ connection: flags, diagnostics: flags, unit: flags.entity }, ({ progress, provider }) =>
      Effect.gen(function* () {
        const records = provider.entities(flags.entity, { filter: Option.getOrUndefined(filter), since: Option.getOrUndefined(since) })
        let undated = 0
        const counted = Option.isNone(since)
          ? records
          : Stream.tap(records, (record) => Effect.sync(() => (Since.isUndated(record) ? undated++ : undefined)))
        yield* Output.emit(max === undefined ? counted : Stream.take(counted, max), flags, flags.entity, progress.records)
        if (undated > 0) yield* progress.note(undatedNote(flags.entity, undated))
      })
    )
  })

export const command = Command.make("list", { ...args, ...options }, handler)

/** What `rosterkit list --help` says. */
export const spec: Help.Spec = {
  name: "list",
  summary: "any OneRoster collection, filtered or changed since a time",
  description: [
    "--filter and --since are sent to the server where it supports them, else applied locally: the same records either way."
  ],
  args,
  options,
  examples: [
    ["rosterkit list schools --format table", "every school"],
    ["rosterkit list classes --filter \"location='302'\" --fields sourcedId,title,location", "the classes in room 302"],
    ["rosterkit list users --filter \"role='teacher' AND familyName~'SMITH'\"", "teachers named like SMITH"],
    ["rosterkit list enrollments --since 2024-08-01T00:00:00Z --format ndjson", "enrollments changed since August 1st"]
  ]
}
