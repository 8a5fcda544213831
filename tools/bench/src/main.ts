/**
 * The benchmark entry point:
 *
 *     npx tsx --conditions=@rosterkit/source tools/bench/src/main.ts <ndjson|csv|requests|paging> [size]
 *
 * Prints a table to stdout (progress on stderr), writes tools/bench/results/<name>.json, and
 * exits 1 when a benchmark with a claim (ndjson, csv: constant memory) fails it, 2 on bad usage.
 */
import * as Bench from "./Bench.js"
import * as Report from "./Report.js"

const usage = () =>
  [
    "usage: main.ts <bench> [size]",
    ...Object.entries(Bench.benches).map(
      ([name, b]) => `  ${name.padEnd(9)} ${b.what} (default size ${b.defaultSize.toLocaleString("en-US")})`
    )
  ].join("\n")

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, sizeArg] = argv
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(`${usage()}\n`)
    return name === undefined ? 2 : 0
  }
  if (!Bench.isName(name)) {
    process.stderr.write(`unknown bench '${name}'\n${usage()}\n`)
    return 2
  }
  const size = sizeArg === undefined ? Bench.benches[name].defaultSize : Number(sizeArg.replace(/[_,]/g, ""))
  if (!Number.isInteger(size) || size < 100) {
    process.stderr.write(`size must be a whole number of at least 100, got '${sizeArg}'\n`)
    return 2
  }
  const { result, file } = await Bench.run(name, size, { log: (line) => process.stderr.write(`${line}\n`) })
  process.stdout.write(`${Report.format(result)}\n\nwritten: ${file}\n`)
  return result.verdict === undefined || result.verdict.pass ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  }
)
