/**
 * The `rosterkit` command line: `users`, `list`, `export`, `--help` and `--version`.
 *
 * The words are checked first (Argv: one clear line for any mistake, help and version), then
 * parsed into each command's typed flags by @effect/cli and run. @effect/cli's own runner is
 * not used: its built-ins (`--wizard`, `--completions`, `--log-level`) can hang on a closed
 * stdin or print ANSI, and its help and errors name neither the program nor the flag.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import type * as Command from "@effect/cli/Command"
import * as CommandDescriptor from "@effect/cli/CommandDescriptor"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Argv from "./Argv.js"
import * as Export from "./commands/export.js"
import * as List from "./commands/list.js"
import * as Users from "./commands/users.js"
import * as Help from "./Help.js"
import * as Output from "./Output.js"
import * as Version from "./Version.js"

/** The CLI's version (from its package.json). */
export const version: string = Version.version

/** The commands, in the order `rosterkit --help` lists them. */
export const specs: ReadonlyArray<Help.Spec> = [Users.spec, List.spec, Export.spec]

/** What `rosterkit --help` says. */
export const root: Help.Root = {
  version,
  summary: "read school rosters from ClassLink, Clever, any OneRoster 1.1 server or OneRoster CSV files",
  description: [
    "Without a provider (--provider, ROSTERKIT_PROVIDER or a --config file) the built-in demo district runs. Data goes to stdout, everything else to stderr."
  ],
  commands: specs,
  examples: [
    ["rosterkit users --count", "students in the demo district"],
    ['rosterkit users --group schools --name "Classlink HS"', "the students of a school"],
    ["rosterkit list classes --filter \"title~'ELA'\"", "classes whose title contains ELA"],
    ["rosterkit export --out roster.zip", "the district as a OneRoster CSV set"]
  ]
}

const cliConfig = CliConfig.make({ showBuiltIns: false })

/** Parses the words of one command with @effect/cli and runs its handler. */
const runCommand = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>,
  args: ReadonlyArray<string>
): Effect.Effect<void, E | ValidationError.ValidationError, R | CommandEnvironment> =>
  Effect.flatMap(
    CommandDescriptor.parse(command.descriptor, args, cliConfig),
    (directive): Effect.Effect<void, E | ValidationError.ValidationError, R> =>
      directive._tag === "UserDefined" && directive.leftover.length === 0
        ? command.transform(command.handler(directive.value), directive.value)
        : Effect.fail(ValidationError.invalidArgument(HelpDoc.p(`cannot use ${args.join(" ")}`)))
  )

type CommandEnvironment = Effect.Effect.Context<ReturnType<typeof CommandDescriptor.parse>>

const runners = {
  users: (args: ReadonlyArray<string>) => runCommand(Users.command, args),
  list: (args: ReadonlyArray<string>) => runCommand(List.command, args),
  export: (args: ReadonlyArray<string>) => runCommand(Export.command, args)
}

/** Parses `argv` (node, script, args…) and runs what it asks for. */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const request = yield* Argv.check(specs, argv.slice(2))
    const out = yield* Output.Stdout
    const style = Help.styleFor({ isTTY: out.isTTY, columns: process.stdout.columns }, process.env)
    switch (request._tag) {
      case "Help":
        return yield* out.write(request.command === undefined ? Help.renderRoot(root, style) : Help.renderCommand(request.command, style))
      case "Version":
        return yield* out.write(`${version}\n`)
      case "Run": {
        const runner = runners[request.command.name as keyof typeof runners]
        return yield* runner(request.args)
      }
    }
  })
