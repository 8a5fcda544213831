/**
 * The CLI as a process against the built-in demo district (no provider configured: testkit's
 * loopback OneRoster server, read by the ClassLink adapter with OAuth 1.0a): the seed README's
 * session, the output formats, usage errors, help, version and completions.
 */
import { describe, expect, it } from "vitest"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as Cli from "./support/Cli.js"

const demoNote = "rosterkit: no SIS configured (--provider / ROSTERKIT_PROVIDER / --config); using the built-in demo district\n"
const usersUsage = /usage: rosterkit users \[--role students\|teachers\|users\]/

describe.concurrent("the seed README's session on the demo district", () => {
  const session: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [["users", "--count"], "139"],
    [["users", "--group", "classes", "--name", "ELA 6 (6A ELA)", "--count"], "7"],
    [["users", "--group", "classes", "--name", "31763", "--count"], "3"],
    [["users", "--group", "schools", "--name", "Classlink HS", "--count"], "38"],
    [["users", "--group", "schools", "--name", "7", "--count"], "54"],
    [["users", "--group", "classes", "--name", "302", "--match-on", "location", "--count"], "13"]
  ]
  for (const [args, expected] of session) {
    it(`rosterkit ${args.join(" ")} prints ${expected}`, async () => {
      const result = await Cli.run(args)
      expect(result).toStrictEqual({ code: 0, stdout: `${expected}\n`, stderr: demoNote })
    })
  }
})

describe.concurrent("output", () => {
  it("is a JSON array when stdout is not a terminal; the first student is Billy", async () => {
    const result = await Cli.run(["users", "--max", "2"])
    expect(result.code).toBe(0)
    const users = JSON.parse(result.stdout) as Array<Record<string, unknown>>
    expect(users).toHaveLength(2)
    expect(users[0]).toMatchObject({ sourcedId: "18125", givenName: "BILLY", familyName: "FLORES", role: "student" })
  })

  it("--format ndjson: one record per line; --fields keeps only those keys", async () => {
    const result = await Cli.run(["users", "--group", "classes", "--name", "31763", "--format", "ndjson", "--fields", "sourcedId,role", "-q"])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe("")
    const lines = result.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown)
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(Object.keys(line as object)).toStrictEqual(["sourcedId", "role"])
  })

  it("--format csv with --fields (repeatable, dotted)", async () => {
    const result = await Cli.run(["users", "--role", "teachers", "--format", "csv", "--fields", "sourcedId,familyName", "--fields", "orgs", "-q"])
    expect(result.code).toBe(0)
    const teachers = demoDistrict.users.filter((u) => u.role === "teacher")
    const rows = result.stdout.split("\r\n").filter((r) => r !== "")
    expect(rows[0]).toBe("sourcedId,familyName,orgs")
    expect(rows).toHaveLength(teachers.length + 1)
    const first = teachers[0]!
    expect(rows).toContain(`${first.sourcedId},${first.familyName},${(first.orgs ?? []).map((o) => o.sourcedId).join(",").replace(/^(.*,.*)$/, '"$1"')}`)
  })

  it("--format table: aligned default columns", async () => {
    const result = await Cli.run(["users", "--group", "classes", "--name", "31763", "--format", "table", "-q"])
    const lines = result.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^sourcedId +givenName +familyName +role +username +email$/)
    expect(lines[1]).toMatch(/^-+ +-+/)
    expect(lines).toHaveLength(5)
    expect(lines[2]!.indexOf("student")).toBe(lines[0]!.indexOf("role"))
  })

  it("a group that matches nothing: exit 0, empty result, a warning with the closest names; --verbose logs requests without credentials", async () => {
    const result = await Cli.run(["users", "--group", "classes", "--name", "ELA 6 (6C ELA)", "--verbose"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe("[]\n")
    expect(result.stderr).toContain('rosterkit: warning: no classes match "ELA 6 (6C ELA)" on sourcedId, name, title; closest: "ELA 6 (6A ELA)"')
    expect(result.stderr).toMatch(/rosterkit: GET http:\/\/127\.0\.0\.1:\d+\/ims\/oneroster\/v1p1\/classes\?.* -> 200 \(\d+ ms\)/)
    expect(result.stderr).not.toMatch(/oauth_signature|demo-secret/)
  })

  it("list with --filter (OneRoster syntax) and --fields", async () => {
    const result = await Cli.run(["list", "classes", "--filter", "location='302'", "--format", "csv", "--fields", "sourcedId,location", "-q"])
    expect(result.code).toBe(0)
    const expected = demoDistrict.classes.filter((c) => c.location === "302").map((c) => `${c.sourcedId},302`)
    expect(result.stdout.split("\r\n").filter((r) => r !== "")).toStrictEqual(["sourcedId,location", ...expected])
  })

  it("list with --since reads a delta by dateLastModified", async () => {
    const since = "2019-05-01T00:00:00.000Z"
    const result = await Cli.run(["list", "enrollments", "--since", since, "--count", "-q"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${demoDistrict.enrollments.filter((e) => (e.dateLastModified ?? "") > since).length}\n`)
  })

  it("list schools as a table, --max; --provider demo named explicitly prints no note", async () => {
    const result = await Cli.run(["list", "schools", "--format", "table", "--max", "2", "--provider", "demo"])
    expect(result.stderr).toBe("")
    const lines = result.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^sourcedId +name +type +identifier$/)
    expect(lines).toHaveLength(4)
    expect(result.stdout).toContain("Classlink HS")
  })

  it("on a terminal: table by default and a progress line on stderr", async () => {
    const result = await Cli.runInTerminal(["users", "--group", "schools", "--name", "7"])
    if (result === undefined) return // no `script` on this machine
    expect(result.code).toBe(0)
    // `script` merges both streams into the terminal's output.
    expect(result.stdout).toMatch(/sourcedId +givenName +familyName +role +username +email/)
    expect(result.stdout).toContain("\r\u001b[2Krosterkit: ")
    expect(result.stdout).toMatch(/rosterkit: \d+ pages? · \d+ users · \d+\.\ds/)
  })

  it("on a terminal the progress line is erased before data is written: the screen shows the count alone", async () => {
    const screen = await Cli.runOnScreen(["users", "--count"])
    if (screen === undefined) return // no tmux on this machine
    expect(screen.code).toBe(0)
    expect(screen.lines).toStrictEqual([demoNote.trimEnd(), "139"])
  })

  it("on a terminal, table rows and notes are never written over the progress line", async () => {
    const screen = await Cli.runOnScreen(["users", "--group", "schools", "--name", "7", "--format", "csv", "--fields", "sourcedId", "--max", "40"])
    if (screen === undefined) return
    expect(screen.code).toBe(0)
    const ids = screen.lines.slice(2).filter((l) => l !== "")
    expect(screen.lines.slice(0, 2)).toStrictEqual([demoNote.trimEnd(), "sourcedId"])
    expect(ids).toHaveLength(40)
    for (const id of ids) expect(id).toMatch(/^\d+$/)
    expect(screen.lines.join("\n")).not.toContain("rosterkit: 1 page")
  })
})

describe.concurrent("usage errors exit 2 with the usage line", () => {
  it("an unknown flag", async () => {
    const result = await Cli.run(["users", "--colour", "red"])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain("--colour")
    expect(result.stderr).toMatch(usersUsage)
  })

  it("an unknown role", async () => {
    const result = await Cli.run(["users", "--role", "pupils"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("students, teachers, users")
    expect(result.stderr).toMatch(usersUsage)
  })

  it("a group without a name", async () => {
    const result = await Cli.run(["users", "--group", "classes"])
    expect(result).toMatchObject({ code: 2, stdout: "" })
    expect(result.stderr).toMatch(/^rosterkit: invalid --name: group 'classes' needs the name or id of a class\nusage: rosterkit users /)
  })

  it("an unknown collection, a bad filter, a bad timestamp", async () => {
    const [entity, filter, since] = await Promise.all([
      Cli.run(["list", "pupils"]),
      Cli.run(["list", "users", "--filter", "role=student"]),
      Cli.run(["list", "users", "--since", "last tuesday"])
    ])
    expect(entity.code).toBe(2)
    expect(entity.stderr).toMatch(/usage: rosterkit list ENTITY/)
    expect(filter.code).toBe(2)
    expect(filter.stderr).toContain("rosterkit: invalid --filter: 'role=student' is not field<op>'value'")
    expect(since.code).toBe(2)
    expect(since.stderr).toContain("rosterkit: invalid --since: 'last tuesday' is not an ISO 8601 timestamp")
  })
})

describe.concurrent("help, version, completions", () => {
  it("--help on every command, with examples", async () => {
    const results = await Promise.all([Cli.run(["--help"]), Cli.run(["users", "--help"]), Cli.run(["list", "--help"]), Cli.run(["export", "--help"])])
    for (const result of results) {
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("EXAMPLES")
      expect(result.stdout).toContain("$ rosterkit ")
    }
    expect(results[1]!.stdout).toContain("--match-on")
    expect(results[2]!.stdout).toContain("--since")
    expect(results[3]!.stdout).toContain("--out")
  })

  it("--version and shell completions", async () => {
    const [version, completions] = await Promise.all([Cli.run(["--version"]), Cli.run(["--completions", "bash"])])
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
    expect(completions.code).toBe(0)
    expect(completions.stdout).toContain("complete")
    expect(completions.stdout).toContain("users")
  })
})
