/**
 * `csv`: the CSV provider reads a million-row users.csv in constant memory.
 *
 * Writes a OneRoster 1.1 CSV set (CsvFixture: manifest, orgs, users.csv of N rows) into a
 * temporary folder, at N/10 and N rows; then, in a child process per size (csvCount.ts), streams
 * it through `CsvProvider.layer({ path })` — `entities("users")`, `Stream.runCount`. Measured:
 * rows/s of the stream (inside the child, startup excluded), wall time and peak RSS of the
 * child. PASS when the peak RSS at N is within 1.5x of the peak RSS at N/10.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Child from "./Child.js"
import * as CsvFixture from "./CsvFixture.js"
import * as Report from "./Report.js"

export interface Options {
  /** Rows of users.csv (default 1,000,000). */
  readonly size: number
  /** The largest allowed ratio peak RSS(N) / peak RSS(N/10) (default 1.5). */
  readonly ratio?: number
  readonly log?: (line: string) => void
}

export const defaultSize = 1_000_000

export const run = async (options: Options): Promise<Report.Result> => {
  const log = options.log ?? (() => {})
  const ratioLimit = options.ratio ?? 1.5
  const startedAt = new Date().toISOString()
  const sizes = [Math.max(1, Math.round(options.size / 10)), options.size]
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-bench-csv-"))
  try {
    const rows: Array<Report.Row> = []
    const rss: Array<number> = []
    for (const size of sizes) {
      const dir = path.join(tmp, `n${size}`)
      const writeStarted = performance.now()
      const written = CsvFixture.write(dir, size)
      const writeMs = performance.now() - writeStarted
      log(`csv: wrote ${size.toLocaleString("en-US")} rows (${(written.bytes / 1024 ** 2).toFixed(0)} MiB) in ${(writeMs / 1000).toFixed(1)} s; streaming…`)
      const measured = await Child.runNode([...Child.tsNodeArgs, Child.script("csvCount.ts"), dir])
      if (measured.exitCode !== 0) throw new Error(`csvCount exited with ${measured.exitCode ?? measured.signal} at ${size} rows: ${measured.stderr}`)
      const answer = JSON.parse(measured.stdout.trim()) as { readonly count: number; readonly streamMs: number }
      if (answer.count !== size) throw new Error(`the CSV provider streamed ${answer.count} users from ${size} rows`)
      rss.push(measured.maxRssKiB)
      rows.push({
        rows: answer.count,
        "users.csv MiB": Report.round(written.bytes / 1024 ** 2),
        "stream s": Report.round(answer.streamMs / 1000, 2),
        "rows/s": Math.round(answer.count / (answer.streamMs / 1000)),
        "wall s": Report.round(measured.wallMs / 1000, 2),
        "peak RSS MiB": Report.round(measured.maxRssKiB / 1024)
      })
      log(`csv: ${size} rows in ${(answer.streamMs / 1000).toFixed(1)} s, peak RSS ${(measured.maxRssKiB / 1024).toFixed(0)} MiB`)
      fs.rmSync(dir, { recursive: true, force: true })
    }
    const ratio = rss[1]! / rss[0]!
    return {
      name: "csv",
      size: options.size,
      startedAt,
      machine: Report.machine(),
      columns: ["rows", "users.csv MiB", "stream s", "rows/s", "wall s", "peak RSS MiB"],
      rows,
      verdict: {
        pass: ratio <= ratioLimit,
        reason: `constant memory: peak RSS at ${sizes[1]!.toLocaleString("en-US")} rows is ${ratio.toFixed(2)}x the peak RSS at ${sizes[0]!.toLocaleString("en-US")} (limit ${ratioLimit}x)`
      },
      notes: [
        "a folder set (manifest.csv, orgs.csv, users.csv) read by CsvProvider.layer({ path }): entities(\"users\") |> Stream.runCount in a child process (tsx, TypeScript sources)",
        `rows/s is the stream alone; wall time includes process startup; peak RSS by ${Child.rssMethod() === "time" ? "/usr/bin/time -f %M" : "process.resourceUsage().maxRSS"}`
      ]
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
