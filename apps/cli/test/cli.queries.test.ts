/**
 * `rosterkit users --queries FILE` on the demo district: every query in one process, records
 * tagged with their query in every format, group listings fetched once per kind, and parse
 * errors that name the line.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import * as Cli from "./support/Cli.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-queries-"))
const file = (name: string, text: string) => {
  const p = path.join(dir, name)
  fs.writeFileSync(p, text)
  return p
}

/** The seed README's queries (their answers are the seed's printed numbers), in both line forms. */
const sync = file(
  "sync.txt",
  [
    "# one query a line",
    "classes::ELA 6 (6A ELA)::students",
    "",
    "classes::31763::students",
    "schools::Classlink HS",
    '{"group": "classes", "name": "302", "matchOn": ["location"]}',
    "schools::7::students"
  ].join("\n")
)
const expected: ReadonlyArray<readonly [string, number]> = [
  ["classes::ELA 6 (6A ELA)::students", 7],
  ["classes::31763::students", 3],
  ["schools::Classlink HS::students", 38],
  ["classes::302::students", 13],
  ["schools::7::students", 54]
]

const countBy = (labels: ReadonlyArray<string>) => {
  const counts = new Map<string, number>()
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1)
  return [...counts]
}

/** Each test starts the CLI a few times; a busy machine can make that slow. */
const limit = 120_000

describe.concurrent("rosterkit users --queries FILE", () => {
  it("ndjson: every record carries its query, in file order, with each query's answer", async () => {
    const result = await Cli.run(["users", "--queries", sync, "--format", "ndjson", "-q", "--provider", "demo"])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const records = result.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { query: string; sourcedId: string; role: string })
    expect(countBy(records.map((r) => r.query))).toStrictEqual(expected)
    expect(records.every((r) => r.role === "student" && typeof r.sourcedId === "string")).toBe(true)
    expect(Object.keys(records[0]!)[0]).toBe("query")
  }, limit)

  it("json with --fields keeps the query key", async () => {
    const json = await Cli.run(["users", "--queries", sync, "--format", "json", "--fields", "sourcedId", "-q"])
    expect(json.code).toBe(0)
    const records = JSON.parse(json.stdout) as Array<Record<string, unknown>>
    expect(records).toHaveLength(115)
    expect(Object.keys(records[0]!)).toStrictEqual(["query", "sourcedId"])
  }, limit)

  it("csv gets a query column", async () => {
    const csv = await Cli.run(["users", "--queries", sync, "--format", "csv", "-q"])
    expect(csv.code).toBe(0)
    const rows = csv.stdout.split("\r\n").filter((r) => r !== "")
    expect(rows[0]).toBe("query,sourcedId,givenName,familyName,role,username,email")
    expect(rows).toHaveLength(116)
    expect(rows[1]!.startsWith("classes::ELA 6 (6A ELA)::students,")).toBe(true)
  }, limit)

  it("table gets a query column", async () => {
    const table = await Cli.run(["users", "--queries", sync, "--format", "table", "-q"])
    expect(table.code).toBe(0)
    expect(table.stdout.split("\n")[0]).toMatch(/^query\s+sourcedId\s+givenName/)
    expect(table.stdout).toContain("schools::7::students")
  }, limit)

  it("--count prints each query's number, and each kind's listing is fetched once for the run", async () => {
    const result = await Cli.run(["users", "--queries", sync, "--count", "--verbose"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(expected.map(([label, n]) => `${label}\t${n}\n`).join(""))
    const gets = result.stderr.split("\n").filter((l) => l.includes(" GET "))
    const listings = (kind: string) => gets.filter((l) => new RegExp(`/v1p1/${kind}\\?`).test(l))
    // Three class queries: one narrowed request for the first ("6 (6", a piece of the name that
    // no server's case rules can change), then one full listing. Two school queries: "Classlink HS"
    // has no letter-free piece to narrow on, so the full listing serves both.
    expect(listings("classes")).toHaveLength(2)
    expect(listings("schools")).toHaveLength(1)
  }, limit)

  it("a bad line is a usage error naming the file and the line", async () => {
    const bad = file("bad.txt", "classes::31763::students\n\n# fine so far\nsections::Math::students\n")
    const result = await Cli.run(["users", "--queries", bad, "-q"])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain(`invalid --queries: ${bad} line 4: group: 'sections' is not a group kind`)

    const role = await Cli.run(["users", "--queries", file("role.txt", "classes::31763::pupils\n"), "-q"])
    expect(role.code).toBe(2)
    expect(role.stderr).toContain("line 1: 'pupils' is not a role")

    const json = await Cli.run(["users", "--queries", file("json.txt", 'schools::7\n{"group": "classes", "nme": "x"}\n'), "-q"])
    expect(json.code).toBe(2)
    expect(json.stderr).toContain('line 2: unknown key "nme"')
  }, limit)

  it("refuses --group alongside --queries, and a file it cannot read", async () => {
    const both = await Cli.run(["users", "--queries", sync, "--group", "classes", "--name", "x", "-q"])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("cannot be combined with --group, --name")
    const missing = await Cli.run(["users", "--queries", path.join(dir, "nope.txt"), "-q"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("cannot read")
  }, limit)
})
