/**
 * The `rosterkit` command tree: `users`, `list`, `export`, with --help, --version and shell
 * completions from @effect/cli.
 */
import * as Command from "@effect/cli/Command"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Export from "./commands/export.js"
import * as List from "./commands/list.js"
import * as Users from "./commands/users.js"
import * as Help from "./Help.js"

/** The CLI's version: from the nearest package.json named @rosterkit/cli above this module (src/, dist/ or a bundle). */
export const version: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { readonly name?: unknown; readonly version?: unknown }
      if (pkg.name === "@rosterkit/cli" && typeof pkg.version === "string") return pkg.version
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir)
    if (parent === dir) return "0.0.0"
    dir = parent
  }
})()

/** The subcommands, by name. */
export const subcommands = { users: Users.command, list: List.command, export: Export.command } as const

/** The root command. */
export const command = Command.make("rosterkit").pipe(
  Command.withDescription(
    Help.withExamples(
      [
        "Read school rosters from ClassLink, Clever, any OneRoster 1.1 server or OneRoster CSV files.",
        "Without a provider (--provider, ROSTERKIT_PROVIDER or a --config file) the built-in demo district runs. Data goes to stdout, everything else to stderr."
      ],
      [
        ["rosterkit users --count", "students in the demo district"],
        ['rosterkit users --group schools --name "Classlink HS"', "the students of a school"],
        ["rosterkit list classes --filter \"title~'ELA'\"", "classes whose title contains ELA"],
        ["rosterkit export --out roster.zip", "the district as a OneRoster CSV set"],
        ["rosterkit users --help", "every flag of a command"]
      ]
    )
  ),
  Command.withSubcommands([Users.command, List.command, Export.command])
)

/** Parses `argv` (node, script, args…) and runs the command. */
export const run = Command.run(command, { name: "rosterkit", version })
