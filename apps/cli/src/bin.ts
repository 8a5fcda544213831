#!/usr/bin/env node
/**
 * The `rosterkit` executable. `rosterkit --version` is answered here, before the command tree
 * (effect, @effect/cli, the providers) is loaded; everything else loads Program on demand.
 * The heap's growth is bounded first (see Heap). Built by scripts/build.mjs into dist/bin.js
 * with that import as a separate chunk.
 */
import * as Heap from "./Heap.js"
import * as Version from "./Version.js"

const args = process.argv.slice(2)

if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${Version.version}\n`)
} else {
  Heap.bound()
  import("./Program.js").then(
    (Program) => Program.main(),
    (error: unknown) => {
      process.stderr.write(`rosterkit: internal error: could not load the command line: ${String(error)}\n`)
      process.exitCode = 1
    }
  )
}
