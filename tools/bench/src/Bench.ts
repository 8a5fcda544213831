/**
 * The benchmarks by name, and `run`: one benchmark at one size, its result written as JSON.
 */
import * as Csv from "./Csv.js"
import * as FailFast from "./FailFast.js"
import * as Ndjson from "./Ndjson.js"
import * as Paging from "./Paging.js"
import * as Report from "./Report.js"
import * as Requests from "./Requests.js"
import * as Startup from "./Startup.js"

export interface Bench {
  readonly defaultSize: number
  /** One line: what it measures. */
  readonly what: string
  readonly run: (options: { readonly size: number; readonly log?: (line: string) => void }) => Promise<Report.Result>
}

export const benches = {
  ndjson: { defaultSize: Ndjson.defaultSize, run: Ndjson.run, what: "the CLI streams a large pull (ndjson) in constant memory" },
  csv: { defaultSize: Csv.defaultSize, run: Csv.run, what: "the CSV provider streams a large users.csv in constant memory" },
  requests: { defaultSize: Requests.defaultSize, run: Requests.run, what: "HTTP requests of a 50-query sync run: cached listings vs N+1, page sizes" },
  paging: { defaultSize: Paging.defaultSize, run: Paging.run, what: "users/s of one pull at concurrency 1 vs 4" },
  startup: { defaultSize: Startup.defaultSize, run: Startup.run, what: "the installed CLI: size, --version and a demo query (size = runs)" },
  failfast: { defaultSize: FailFast.defaultSize, run: FailFast.run, what: "the CLI giving up on a refused port, an unknown host, TLS, a bad URL (size = runs)" }
} as const satisfies Record<string, Bench>

export type Name = keyof typeof benches

export const isName = (name: string): name is Name => Object.prototype.hasOwnProperty.call(benches, name)

/** Runs `name` at `size` and writes `<resultsDir>/<name>.json`; the result and the file written. */
export const run = async (
  name: Name,
  size: number,
  options: { readonly resultsDir?: string; readonly log?: (line: string) => void } = {}
): Promise<{ readonly result: Report.Result; readonly file: string }> => {
  const result = await benches[name].run({ size, ...(options.log === undefined ? {} : { log: options.log }) })
  const file = Report.write(result, options.resultsDir ?? Report.defaultResultsDir)
  return { result, file }
}
