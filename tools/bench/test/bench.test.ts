/**
 * Smoke test: every benchmark at a tiny size. Asserts only correctness — records and requests
 * counted right, results JSON written — never timing or memory (those are the benchmarks' job).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import * as Bench from "../src/Bench.js"
import * as Child from "../src/Child.js"
import * as CsvFixture from "../src/CsvFixture.js"
import * as District from "../src/District.js"
import * as Paging from "../src/Paging.js"
import * as Report from "../src/Report.js"
import * as Requests from "../src/Requests.js"
import * as Matcher from "@rosterkit/core/Matcher"

const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-bench-test-"))
afterAll(() => fs.rmSync(resultsDir, { recursive: true, force: true }))

const readResult = (file: string): Report.Result => JSON.parse(fs.readFileSync(file, "utf8")) as Report.Result

describe("District", () => {
  it("gives exactly the users asked for", () => {
    expect(District.flat(2000).users).toHaveLength(2000)
    expect(District.realistic(1000).users).toHaveLength(1000)
    expect(() => District.flat(50)).toThrow(RangeError)
  })
})

describe("CsvFixture", () => {
  it("quotes cells with commas, quotes and line breaks", () => {
    expect(CsvFixture.quote("plain")).toBe("plain")
    expect(CsvFixture.quote("Smith, Jr.")).toBe('"Smith, Jr."')
    expect(CsvFixture.quote('"Doc" Brown')).toBe('"""Doc"" Brown"')
    expect(CsvFixture.userRow(0)).toHaveLength(CsvFixture.userColumns.length)
  })
})

describe("Child.runNode", () => {
  it("counts stdout lines and reads peak RSS through the preload", async () => {
    const previous = process.env["ROSTERKIT_BENCH_RSS"]
    process.env["ROSTERKIT_BENCH_RSS"] = "preload"
    try {
      const measured = await Child.runNode(["-e", "process.stdout.write('a\\nb\\nc\\n')"], { countLines: true })
      expect(measured.exitCode).toBe(0)
      expect(measured.rssMethod).toBe("preload")
      expect(measured.lines).toBe(3)
      expect(measured.maxRssKiB).toBeGreaterThan(0)
    } finally {
      if (previous === undefined) delete process.env["ROSTERKIT_BENCH_RSS"]
      else process.env["ROSTERKIT_BENCH_RSS"] = previous
    }
  })
})

describe("benchmarks at a tiny size", () => {
  it("ndjson: the CLI prints every user as one line, at N/10 and N", async () => {
    const { result, file } = await Bench.run("ndjson", 2000, { resultsDir })
    // N/10, N, and N again with the heap capped.
    expect(result.rows.map((r) => r["users"])).toEqual([200, 2000, 2000])
    expect(result.rows.map((r) => r["lines"])).toEqual([200, 2000, 2000])
    expect(result.rows.map((r) => r["result"])).toEqual(["ok", "ok", "ok"])
    expect(result.verdict).toBeDefined()
    expect(readResult(file).name).toBe("ndjson")
  })

  it("csv: the provider streams every row, at N/10 and N", async () => {
    const { result, file } = await Bench.run("csv", 2000, { resultsDir })
    expect(result.rows.map((r) => r["rows"])).toEqual([200, 2000])
    expect(result.verdict).toBeDefined()
    expect(readResult(file).rows).toHaveLength(2)
  })

  it("requests: every variant returns the same users; listings are cached with one engine", async () => {
    const result = await Requests.run({ size: 1000, pageSizes: [100, 1000] })
    const sync = Requests.queries(District.realistic(1000))
    const narrowable = sync.filter((q) => Matcher.caseSafeNeedle(q.group!.name) !== undefined)
    const narrowableFirsts = ["classes", "courses", "schools"].filter((kind) => {
      const first = sync.find((q) => q.group!.kind === kind)
      return first !== undefined && Matcher.caseSafeNeedle(first.group!.name) !== undefined
    }).length
    const file = Report.write(result, resultsDir)
    expect(result.rows).toHaveLength(2 * Requests.modes.length)
    const users = new Set(result.rows.map((r) => r["users"]))
    expect(users.size).toBe(1)
    expect([...users][0]).toBeGreaterThan(0)
    for (const row of result.rows) {
      expect(row["other"]).toBe(0)
      if (String(row["mode"]).includes("no pushdown")) {
        expect(row["listings"]).toBe(row["expected listings"])
        expect(row["filtered listings"]).toBe(0)
      } else {
        // The engine narrows on the server only with a letter-free piece of the name (so the
        // answer cannot depend on the server's case rules): a fresh engine narrows every such
        // query; one engine only the first query of each group kind (classes, courses, schools),
        // matching later ones over the kind's cached full listing.
        expect(row["filtered listings"]).toBe(String(row["mode"]).startsWith("engine per query") ? narrowable.length : narrowableFirsts)
      }
    }
    const at100 = (label: string) => result.rows.find((r) => r["page size"] === 100 && r["mode"] === label)!
    const shared = at100(Requests.modes[1]!.label)
    const perQuery = at100(Requests.modes[3]!.label)
    expect(Number(shared["listings"])).toBeLessThan(Number(perQuery["listings"]))
    expect(shared["member pages"]).toBe(perQuery["member pages"])
    expect(readResult(file).name).toBe("requests")
  })

  it("paging: every user arrives at each concurrency, in the requests expected", async () => {
    const result = await Paging.run({ size: 2000, latencies: [0] })
    const file = Report.write(result, resultsDir)
    // Two full pages of 1000, then one request confirming that the roster did not grow.
    expect(result.rows.map((r) => [r["concurrency"], r["users"], r["requests"]])).toEqual([
      [1, 2000, 3],
      [4, 2000, 3]
    ])
    expect(readResult(file).name).toBe("paging")
  })
})
