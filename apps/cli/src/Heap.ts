/**
 * How far the CLI lets V8's heap grow between full collections.
 *
 * A pull streams its records: what it holds at any moment is a few pages, however long the
 * listing. But about a sixth of each page outlives two young-generation collections and is
 * promoted to the old generation, where it is garbage until the next full collection — and V8
 * lets the old generation grow to up to four times what it held after the last one (more when
 * collections look cheap to it). For 1,000,000 users that made the peak RSS anything from 225 to
 * 410 MB from one run to the next (docs/BENCHMARKS.md). With the growth capped at 60 %, the same
 * pull peaks at ~170–180 MB, every run, for ~10 % more CPU (the full collections are more frequent).
 *
 * The cap is V8's `--heap-growing-percent`, set when the process starts; a value the user gave
 * node (NODE_OPTIONS or a flag on the command line) is left as it is. The library packages set
 * nothing: a program that embeds them owns its process.
 */
import * as v8 from "node:v8"

/** The old generation may grow by this much over what a full collection left. */
export const growingPercent = 60

const flag = /--heap[-_]growing[-_]percent\b/

/**
 * Sets V8's heap growing percent unless the user set it; true when set. `execArgv`,
 * `nodeOptions` and `set` are the process's own unless a test provides them.
 */
export const bound = (
  options: {
    readonly execArgv?: ReadonlyArray<string>
    readonly nodeOptions?: string | undefined
    readonly set?: (flags: string) => void
  } = {}
): boolean => {
  const execArgv = options.execArgv ?? process.execArgv
  const nodeOptions = options.nodeOptions ?? process.env["NODE_OPTIONS"] ?? ""
  if (execArgv.some((arg) => flag.test(arg)) || flag.test(nodeOptions)) return false
  ;(options.set ?? v8.setFlagsFromString)(`--heap-growing-percent=${growingPercent}`)
  return true
}
