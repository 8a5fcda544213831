/**
 * How the `rosterkit` executable starts: `rosterkit --version` is answered here, before the
 * command tree (effect, @effect/cli, the providers) is loaded; for everything else the heap's
 * growth is bounded (see Heap), then the command tree is loaded and run. bin.ts (the sources,
 * as tests and `pnpm rosterkit:dev` run them) imports it; the built bin loads dist/program.cjs
 * through V8's code cache (binBuilt.ts, CodeCache).
 */
import * as Heap from "./Heap.js"
import * as Version from "./Version.js"

/** What a launcher needs of Program. */
export interface Program {
  readonly main: () => void
}

export const start = (load: () => Promise<Program>): void => {
  const args = process.argv.slice(2)
  if (args.length === 1 && args[0] === "--version") {
    process.stdout.write(`${Version.version}\n`)
    return
  }
  Heap.bound()
  load().then(
    (Program) => Program.main(),
    (error: unknown) => {
      process.stderr.write(`rosterkit: internal error: could not load the command line: ${String(error)}\n`)
      process.exitCode = 1
    }
  )
}
