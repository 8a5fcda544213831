/**
 * `ndjson`: the CLI streams a large pull in constant memory.
 *
 * A child process (server.ts) serves a generated district of N users — FakeOneRoster over
 * loopback, bearer auth, maxLimit 10000 — at two base URLs (the first N/10 users, and all N).
 * For each size a second child process runs the CLI exactly as a user would,
 *
 *     rosterkit users --role users --provider oneroster --auth bearer --token … --host <url>
 *       --format ndjson --page-size 10000 --quiet
 *
 * with stdout piped to a line counter (the lines are discarded). Measured: the CLI process's
 * peak RSS and wall time (process start to exit, startup included). The claim holds (PASS) when
 * the peak RSS at N is within 1.5x of the peak RSS at N/10 and a third run at N, with the V8
 * heap capped at 128 MB (`--max-old-space-size`), completes: it can only if the pull streams.
 */
import * as Child from "./Child.js"
import * as Report from "./Report.js"
import type { Ready } from "./server.js"

export interface Options {
  /** Users in the district (default 1,000,000). */
  readonly size: number
  /** The largest allowed ratio peak RSS(N) / peak RSS(N/10) (default 1.5). */
  readonly ratio?: number
  /** Progress lines (stderr in main). */
  readonly log?: (line: string) => void
}

export const defaultSize = 1_000_000
const token = "bench-bearer-token"

/**
 * The V8 heap limit of the extra run at N (MB): a pull that completes under it cannot be
 * holding the records (a million users take GBs of heap).
 */
export const heapCap = 128

/** The CLI's arguments for a pull of every user from `host`. */
const cliArgs = (host: string): ReadonlyArray<string> => [
  "users",
  "--role",
  "users",
  "--provider",
  "oneroster",
  "--auth",
  "bearer",
  "--token",
  token,
  "--host",
  host,
  "--format",
  "ndjson",
  "--page-size",
  "10000",
  "--quiet"
]

/** Runs the benchmark; the result (verdict included). Throws when a run fails or miscounts. */
export const run = async (options: Options): Promise<Report.Result> => {
  const log = options.log ?? (() => {})
  const ratioLimit = options.ratio ?? 1.5
  const startedAt = new Date().toISOString()
  const sizes = [Math.max(100, Math.round(options.size / 100) * 10), options.size]
  log(`ndjson: generating a district of ${options.size.toLocaleString("en-US")} users in a server process…`)
  const server = await Child.startService<Ready>([
    ...Child.tsNodeArgs,
    Child.script("server.ts"),
    "--sizes",
    sizes.join(","),
    "--token",
    token,
    "--max-limit",
    "10000"
  ])
  try {
    log(`ndjson: server ready at ${server.ready.url} (generated in ${(server.ready.generateMs / 1000).toFixed(1)} s)`)
    const rows: Array<Report.Row> = []
    const rss: Array<number> = []
    const runs: ReadonlyArray<{ readonly size: number; readonly cap?: number }> = [...sizes.map((size) => ({ size })), { size: options.size, cap: heapCap }]
    for (const { size, cap } of runs) {
      const expected = server.ready.users[String(size)]!
      log(`ndjson: rosterkit users --format ndjson over ${expected.toLocaleString("en-US")} users${cap === undefined ? "" : `, heap capped at ${cap} MB`}…`)
      const measured = await Child.runNode(
        [
          ...(cap === undefined ? [] : [`--max-old-space-size=${cap}`]),
          ...Child.tsNodeArgs,
          Child.cliBin,
          ...cliArgs(server.ready.bases[String(size)]!)
        ],
        { countLines: true }
      )
      const ok = measured.exitCode === 0 && measured.lines === expected
      if (!ok && cap === undefined) {
        throw new Error(`the CLI printed ${measured.lines} lines for ${expected} users, exit ${measured.exitCode ?? measured.signal}: ${measured.stderr}`)
      }
      if (cap === undefined) rss.push(measured.maxRssKiB)
      rows.push({
        users: expected,
        "heap cap MB": cap ?? null,
        lines: measured.lines,
        "stdout MiB": Report.round(measured.bytes / 1024 ** 2),
        "wall s": Report.round(measured.wallMs / 1000, 2),
        "users/s": Math.round(expected / (measured.wallMs / 1000)),
        "peak RSS MiB": Report.round(measured.maxRssKiB / 1024),
        result: ok ? "ok" : `failed (exit ${measured.exitCode ?? measured.signal})`
      })
      log(`ndjson: ${expected} users in ${(measured.wallMs / 1000).toFixed(1)} s, peak RSS ${(measured.maxRssKiB / 1024).toFixed(0)} MiB${ok ? "" : " (failed)"}`)
    }
    const ratio = rss[1]! / rss[0]!
    const capped = rows[rows.length - 1]!["result"] === "ok"
    return {
      name: "ndjson",
      size: options.size,
      startedAt,
      machine: Report.machine(),
      columns: ["users", "heap cap MB", "lines", "stdout MiB", "wall s", "users/s", "peak RSS MiB", "result"],
      rows,
      verdict: {
        pass: ratio <= ratioLimit && capped,
        reason:
          `constant memory: peak RSS at ${sizes[1]!.toLocaleString("en-US")} users is ${ratio.toFixed(2)}x the peak RSS at ${sizes[0]!.toLocaleString("en-US")} (limit ${ratioLimit}x); ` +
          `the pull of ${sizes[1]!.toLocaleString("en-US")} users with the heap capped at ${heapCap} MB ${capped ? "completed" : "FAILED"}`
      },
      notes: [
        `the CLI runs from TypeScript sources through tsx (as \`pnpm rosterkit\`); peak RSS by ${Child.rssMethod() === "time" ? "/usr/bin/time -f %M" : "process.resourceUsage().maxRSS"}; wall time includes startup`,
        `the last run caps the CLI's V8 heap (node --max-old-space-size=${heapCap}): completing it shows the records are not held; V8 without a cap grows its heap lazily, which is most of the RSS difference between sizes`,
        `server: FakeOneRoster on loopback in its own process (bearer auth, maxLimit 10000, X-Total-Count); district generated in ${(server.ready.generateMs / 1000).toFixed(1)} s`
      ]
    }
  } finally {
    await server.stop()
  }
}
