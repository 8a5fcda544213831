/**
 * The export round trip as a user runs it: `rosterkit export --out DIR [--oneroster-version
 * 1.1|1.2]` from a provider, then `rosterkit users --provider csv --path DIR` with the same
 * query flags as on the source. The answers must be the same users with the same values in
 * every field a CSV set carries (testkit's RoundTrip.view). Sources: the built-in demo district
 * (no flags) and a Clever district (FakeClever over a real loopback server).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type * as Model from "@rosterkit/core/Model"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeClever from "@rosterkit/testkit/FakeClever"
import * as Loopback from "@rosterkit/testkit/Loopback"
import * as RoundTrip from "@rosterkit/testkit/RoundTrip"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./support/Cli.js"

let clever: Loopback.Server
let tmp: string

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-cli-roundtrip-"))
  clever = await Loopback.serveFake((url) => FakeClever.make({ dataset: demoDistrict, baseUrl: `${url}/v3.0`, token: "clever-token" }))
})

afterAll(async () => {
  await clever.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

/** A shared 2-core machine can take far longer than the default 30 s per process. */
const slowMachine = { timeoutMs: 150_000 }

/** The query flags a user would type: all users, students, teachers, a class, a course, a school. */
const queries: ReadonlyArray<ReadonlyArray<string>> = [
  ["--role", "users"],
  [],
  ["--role", "teachers"],
  ["--group", "classes", "--name", "ELA 6 (6A ELA)"],
  ["--role", "users", "--group", "courses", "--name", demoDistrict.courses[0]!.title!],
  ["--role", "users", "--group", "schools", "--name", "Classlink HS"]
]

/** `rosterkit users ARGS --format ndjson`: the records, sorted by sourcedId. */
const users = async (args: ReadonlyArray<string>): Promise<ReadonlyArray<Model.User>> => {
  const result = await Cli.run(["users", ...args, "--format", "ndjson", "--quiet"], slowMachine)
  expect(result.code, `rosterkit users ${args.join(" ")}: ${result.stderr}`).toBe(0)
  return result.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Model.User)
    .sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0))
}

const sources: ReadonlyArray<{ readonly name: string; readonly flags: () => ReadonlyArray<string> }> = [
  { name: "the demo district", flags: () => [] },
  { name: "Clever", flags: () => ["--provider", "clever", "--host", `${clever.url}/v3.0`, "--token", "clever-token"] }
]

describe("export, then users --provider csv: the same answers as the source", () => {
  for (const source of sources) {
    for (const version of ["1.1", "1.2"] as const) {
      it(`${source.name}, --oneroster-version ${version}`, async () => {
        const dir = path.join(tmp, `${source.name.replace(/\W+/g, "-")}-${version}`)
        const exported = await Cli.run(["export", ...source.flags(), "--out", dir, "--oneroster-version", version], slowMachine)
        expect(exported.code, exported.stderr).toBe(0)
        expect(exported.stderr).toContain(`wrote a bulk OneRoster ${version} CSV set to ${dir}`)
        for (const query of queries) {
          const [want, got] = await Promise.all([users([...source.flags(), ...query]), users(["--provider", "csv", "--path", dir, ...query])])
          const label = `${source.name} ${version}: users ${query.join(" ")}`
          expect(want.length, label).toBeGreaterThan(0)
          expect(got.map((u) => u.sourcedId), label).toStrictEqual(want.map((u) => u.sourcedId))
          expect(got.map((u) => RoundTrip.view(u, version)), label).toStrictEqual(want.map((u) => RoundTrip.view(u, version)))
          expect(got.map((u) => RoundTrip.roleDetail(u, version)), label).toStrictEqual(want.map((u) => RoundTrip.roleDetail(u, version)))
        }
      }, 600_000)
    }
  }
})
