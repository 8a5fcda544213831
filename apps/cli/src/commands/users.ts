/**
 * `rosterkit users` — the seed's get_users: the students, teachers or users (both) of every
 * class, course or school matching a name, or of the whole district.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as FileSystem from "@effect/platform/FileSystem"
import { InvalidQuery } from "@rosterkit/core/RosterError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Flags from "../Flags.js"
import * as Help from "../Help.js"
import * as Output from "../Output.js"
import * as Queries from "../Queries.js"
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
  queries: Options.text("queries").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription(
      "Run each line: courses::Art::students"
    ),
    Options.optional
  ),
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

/** The user-facing error of a `--queries` run that cannot start. */
const queriesError = (reason: string) => new InvalidQuery({ provider: "rosterkit", operation: "read --queries", field: "queries", reason })

/** `--queries FILE`: every query of the file through one engine (each group listing fetched once). */
const runQueries = (file: string, flags: Parsed) =>
  Effect.gen(function* () {
    const combined = [
      Option.isSome(flags.group) ? "--group" : undefined,
      Option.isSome(flags.name) ? "--name" : undefined,
      flags.matchOn.length > 0 ? "--match-on" : undefined,
      Option.isSome(flags.max) ? "--max" : undefined
    ].filter((f): f is string => f !== undefined)
    if (combined.length > 0) return yield* queriesError(`cannot be combined with ${combined.join(", ")}; put them in the file's lines`)
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(Effect.mapError((error) => queriesError(`cannot read ${file}: ${error.message}`)))
    const entries = yield* Queries.parse(text, file, flags.role)
    yield* Session.run({ connection: flags, diagnostics: flags, unit: "users" }, ({ progress, provider, settings }) =>
      Effect.gen(function* () {
        const engine = yield* QueryEngine.make(provider, { concurrency: settings.values.concurrency })
        const usersOf = (entry: Queries.Entry) =>
          Stream.unwrap(
            Effect.gen(function* () {
              const result = yield* engine.stream(entry.query)
              const group = entry.query.group!
              if (result.groups.length === 0) yield* progress.warn(`${entry.label} (line ${entry.line}): ${noMatchWarning(group, result.suggestions)}`)
              return Stream.map(result.users, (user) => Queries.tag(user, entry.label))
            })
          )
        const out = yield* Output.Stdout
        // Several queries at once (the engine's one bound still limits the requests in flight);
        // each query's users are collected (a group's members), then written in file order.
        const answers = Stream.fromIterable(entries).pipe(
          Stream.mapEffect((entry) => Effect.map(Stream.runCollect(usersOf(entry)), (users) => ({ entry, users })), {
            concurrency: settings.values.concurrency ?? 4
          })
        )
        if (flags.count) {
          // One line per query: its label, a tab, its number of users.
          yield* Stream.runForEach(answers, ({ entry, users }) =>
            Effect.zipRight(progress.records(users.length), out.write(`${entry.label}\t${users.length}\n`))
          )
          return
        }
        const format = Output.chooseFormat(Option.getOrUndefined(flags.format), out.isTTY)
        const explicit = Output.parseFields(flags.fields).filter((f) => f !== "query")
        const columns = explicit.length > 0 ? explicit : format === "csv" || format === "table" ? Output.defaultFields.users : []
        const fields = columns.length > 0 ? ["query", ...columns] : []
        const all = Stream.flattenChunks(Stream.map(answers, ({ users }) => users))
        yield* Output.emit(all, { ...flags, format: Option.some(format), fields }, "users", progress.records)
      })
    )
  })

const handler = (flags: Parsed) =>
  Effect.gen(function* () {
    if (Option.isSome(flags.queries)) return yield* runQueries(flags.queries.value, flags)
    const query = yield* Query.make({
      role: flags.role,
      group: Option.getOrUndefined(flags.group),
      name: Option.getOrUndefined(flags.name),
      matchOn: flags.matchOn.length === 0 ? undefined : flags.matchOn,
      max: Option.getOrUndefined(flags.max)
    })
    yield* Session.run({ connection: flags, diagnostics: flags, unit: "users" }, ({ progress, provider, settings }) =>
      Effect.gen(function* () {
        // a district-wide pull asks for its first --concurrency pages at once (one round trip less)
        const engine = yield* QueryEngine.make(provider, { concurrency: settings.values.concurrency, firstRound: true })
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
