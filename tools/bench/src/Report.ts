/**
 * What a benchmark run produces: a result record (written as JSON under `results/`) and the
 * small table printed to stdout.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** One line of a result table: column name -> value. */
export type Row = Readonly<Record<string, string | number | boolean | null>>

/** PASS/FAIL of a benchmark that has a claim to check (constant memory …). */
export interface Verdict {
  readonly pass: boolean
  /** The claim and the numbers it was decided on. */
  readonly reason: string
}

export interface Result {
  readonly name: string
  /** The size asked for (users or rows). */
  readonly size: number
  readonly startedAt: string
  readonly machine: {
    readonly cpus: number
    readonly cpuModel: string
    readonly totalMemoryGiB: number
    readonly node: string
    readonly platform: string
  }
  /** The columns of `rows`, in display order. */
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<Row>
  readonly verdict?: Verdict | undefined
  readonly notes: ReadonlyArray<string>
}

/** Where `main.ts` writes results: tools/bench/results (gitignored). */
export const defaultResultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "results")

/** The machine the numbers were measured on. */
export const machine = (): Result["machine"] => ({
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
  totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`
})

const cell = (value: Row[string] | undefined): string =>
  value === undefined || value === null
    ? ""
    : typeof value === "number"
      ? Number.isInteger(value)
        ? value.toLocaleString("en-US")
        : value.toLocaleString("en-US", { maximumFractionDigits: 2 })
      : String(value)

/** An aligned text table (numbers right-aligned). */
export const table = (columns: ReadonlyArray<string>, rows: ReadonlyArray<Row>): string => {
  const cells = rows.map((row) => columns.map((c) => cell(row[c])))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const numeric = columns.map((c) => rows.every((row) => row[c] === undefined || row[c] === null || typeof row[c] === "number"))
  const line = (values: ReadonlyArray<string>) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}

/** The printed form of a result: title, table, verdict and notes. */
export const format = (result: Result): string => {
  const parts = [`${result.name} (size ${result.size.toLocaleString("en-US")}; ${result.machine.cpus} cpus, ${result.machine.totalMemoryGiB} GiB, node ${result.machine.node})`, "", table(result.columns, result.rows)]
  if (result.verdict !== undefined) parts.push("", `${result.verdict.pass ? "PASS" : "FAIL"}: ${result.verdict.reason}`)
  if (result.notes.length > 0) parts.push("", ...result.notes.map((n) => `note: ${n}`))
  return parts.join("\n")
}

/** Writes `result` to `<dir>/<name>.json`; the path written. */
export const write = (result: Result, dir: string): string => {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${result.name}.json`)
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
  return file
}

/** Rounds to `digits` decimals (for readable JSON). */
export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
