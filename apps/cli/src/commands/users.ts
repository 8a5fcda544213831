/**
 * `rosterkit users` — the seed's get_users: the students, teachers or users (both) of every
 * class, course or school matching a name, or of the whole district.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Flags from "../Flags.js"
import * as Help from "../Help.js"
import * as Output from "../Output.js"
import * as Session from "../Session.js"

const options = {
  role: Options.choice("role", Query.roles).pipe(
    Options.withDefault("students" as Query.Role),
    Options.withDescription("Which users (default students; users = both)")
  ),
  group: Options.choice("group", Query.groupKinds).pipe(
    Options.withDescription("Members of the groups named by --name"),
    Options.optional
  ),
  name: Options.text("name").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription("The group's name or id (exact, any case)"),
    Options.optional
  ),
  matchOn: Options.text("match-on").pipe(
    Options.withPseudoName("FIELD"),
    Options.withDescription("Fields --name matches (sourcedId,name,title)"),
    Options.repeated
  ),
  max: Options.integer("max").pipe(Options.withPseudoName("N"), Options.withDescription("Stop after this many users"), Options.optional),
  ...Flags.output,
  ...Flags.connection,
  ...Flags.diagnostics
}

type Parsed = Command.Command.ParseConfig<typeof options>

/** The stderr warning for a group name that matched nothing. */
export const noMatchWarning = (group: Query.GroupSelector, suggestions: ReadonlyArray<string>): string => {
  const closest = suggestions.length === 0 ? "no close names" : `closest: ${suggestions.map((s) => `"${s}"`).join(", ")}`
  return `no ${group.kind} match "${group.name}" on ${group.matchOn.join(", ")}; ${closest}`
}

const handler = (flags: Parsed) =>
  Effect.gen(function* () {
    const query = yield* Query.make({
      role: flags.role,
      group: Option.getOrUndefined(flags.group),
      name: Option.getOrUndefined(flags.name),
      matchOn: flags.matchOn.length === 0 ? undefined : flags.matchOn,
      max: Option.getOrUndefined(flags.max)
    })
    yield* Session.run({ connection: flags, diagnostics: flags, unit: "users" }, ({ progress, provider, settings }) =>
      Effect.gen(function* () {
        const engine = yield* QueryEngine.make(provider, { concurrency: settings.values.concurrency })
        const result = yield* engine.stream(query)
        if (query.group !== undefined && result.groups.length === 0) {
          yield* progress.warn(noMatchWarning(query.group, result.suggestions))
        }
        yield* Output.emit(result.users, flags, "users", progress.records)
      })
    )
  })

export const command = Command.make("users", options, handler)

/** What `rosterkit users --help` says. */
export const spec: Help.Spec = {
  name: "users",
  summary: "students, teachers or both, of matching groups or the district",
  description: [
    "A class, course (its classes) or school matches when --name equals one of its --match-on fields; users are de-duplicated."
  ],
  options,
  examples: [
    ["rosterkit users --count", "how many students (139 on the demo district)"],
    ['rosterkit users --group classes --name "ELA 6 (6A ELA)"', "the students of a class"],
    ["rosterkit users --group schools --name 7 --role teachers", "the teachers of school 7"],
    ["rosterkit users --group classes --name 302 --match-on location", "students with a class in room 302"]
  ]
}
