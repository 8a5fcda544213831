/**
 * The benchmark entry point (root script `bench`):
 *
 *     npx -y pnpm@10 bench                      the side-by-side comparison, quick plan (a few minutes)
 *     npx -y pnpm@10 bench --full               the full plan (10k–1M users, latency 0/50/100 ms, best of 3)
 *     npx -y pnpm@10 bench --users 300000,1000000 --latency 0 [--repeat 3] [--concurrency 4,8]
 *                          [--no-groups] [--no-sequential] [--workers 2]      a custom comparison
 *     npx -y pnpm@10 bench <ndjson|csv|requests|paging|startup|failfast> [size]  one of the older benchmarks
 *
 * Prints a table to stdout (progress on stderr), writes tools/bench/results/<name>.json, and
 * exits 1 when a target or claim fails, 2 on bad usage.
 */
import * as Bench from "./Bench.js"
import * as Compare from "./Compare.js"
import { planOf } from "./Plan.js"
import * as Report from "./Report.js"

const usage = () =>
  [
    "usage: bench [--quick | --full] [--users N,N] [--latency MS,MS] [--concurrency N,N] [--repeat N] [--no-groups] [--no-sequential] [--workers N]",
    "       bench <bench> [size]",
    ...Object.entries(Bench.benches).map(
      ([name, b]) => `  ${name.padEnd(9)} ${b.what} (default size ${b.defaultSize.toLocaleString("en-US")})`
    )
  ].join("\n")

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, sizeArg] = argv
  const log = (line: string) => process.stderr.write(`${line}\n`)
  if (name === "--help" || name === "-h") {
    process.stdout.write(`${usage()}\n`)
    return 0
  }
  if (name === undefined || name.startsWith("--")) {
    const plan = planOf(argv)
    const result = await Compare.run(plan, { log })
    const file = Report.write(result, Report.defaultResultsDir)
    process.stdout.write(`${Report.format(result)}\n\nwritten: ${file}\n`)
    return result.verdict === undefined || result.verdict.pass ? 0 : 1
  }
  if (!Bench.isName(name)) {
    process.stderr.write(`unknown bench '${name}'\n${usage()}\n`)
    return 2
  }
  const size = sizeArg === undefined ? Bench.benches[name].defaultSize : Number(sizeArg.replace(/[_,]/g, ""))
  // failfast's size is a number of runs
  const min = name === "failfast" ? 1 : 100
  if (!Number.isInteger(size) || size < min) {
    process.stderr.write(`size must be a whole number of at least ${min}, got '${sizeArg}'\n`)
    return 2
  }
  const { result, file } = await Bench.run(name, size, { log })
  process.stdout.write(`${Report.format(result)}\n\nwritten: ${file}\n`)
  return result.verdict === undefined || result.verdict.pass ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = error instanceof RangeError ? 2 : 1
  }
)
