/**
 * The CLI as a process against the built-in demo district (no provider configured: testkit's
 * loopback OneRoster server, read by the ClassLink adapter with OAuth 1.0a): the seed README's
 * session, the output formats, usage errors, help, version and completions.
 */
import { describe, expect, it } from "vitest"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as Cli from "./support/Cli.js"

const demoNote =
  "rosterkit: no SIS configured (--provider / ROSTERKIT_PROVIDER / --config): reading the demo district, sample data\n"
const usersUsage = "usage: rosterkit users [options]  (see rosterkit users --help)\n"

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
    expect(result.stderr).toBe(demoNote) // --quiet does not hide that the data is the demo's
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

describe.concurrent("usage errors: one line naming the flag, then the usage line; exit 2", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string, string]> = [
    [["users", "--role", "admins"], "rosterkit: --role: 'admins' is not one of students, teachers, users", usersUsage],
    [["users", "--max", "abc"], "rosterkit: --max: expected a whole number, got 'abc'", usersUsage],
    [["users", "--gruop", "classes"], "rosterkit: unknown flag --gruop; did you mean --group?", usersUsage],
    [["users", "--colour", "red"], "rosterkit: unknown flag --colour", usersUsage],
    [["users", "--timeout", "soon"], "rosterkit: --timeout: expected a number, got 'soon'", usersUsage],
    [["users", "--format"], "rosterkit: --format: needs a value: one of json, ndjson, csv, table", usersUsage],
    [["users", "--max", "1", "--max", "2"], "rosterkit: --max: given more than once", usersUsage],
    [["users", "classes"], "rosterkit: users takes no arguments; got 'classes'", usersUsage],
    [["list", "pupils"], "rosterkit: <entity>: 'pupils' is not one of users, students, teachers, orgs, schools, classes, courses, enrollments, academicSessions, terms, gradingPeriods, demographics", "usage: rosterkit list <entity> [options]  (see rosterkit list --help)\n"],
    [["list"], "rosterkit: missing <entity>: one of users, students, teachers, orgs, schools, classes, courses, enrollments, academicSessions, terms, gradingPeriods, demographics", "usage: rosterkit list <entity> [options]  (see rosterkit list --help)\n"],
    [["export"], "rosterkit: --out is required (DIR|FILE.zip)", "usage: rosterkit export --out DIR|FILE.zip [options]  (see rosterkit export --help)\n"],
    [["usrs", "--count"], "rosterkit: unknown command 'usrs'; did you mean users?", "usage: rosterkit <command> [options]  (see rosterkit --help)\n"],
    // @effect/cli's built-ins are not accepted: --wizard used to wait for a terminal on a closed stdin.
    [["users", "--wizard"], "rosterkit: unknown flag --wizard", usersUsage],
    [["users", "--log-level", "debug"], "rosterkit: unknown flag --log-level", usersUsage],
    [["--completions", "bash"], "rosterkit: expected a command (users, list, export) before --completions", "usage: rosterkit <command> [options]  (see rosterkit --help)\n"]
  ]
  for (const [args, message, usage] of cases) {
    it(`rosterkit ${args.join(" ")}`, async () => {
      const result = await Cli.run(args)
      expect(result).toStrictEqual({ code: 2, stdout: "", stderr: `${message}\n${usage}` })
    })
  }

  it("clustered short flags are spelled out for the parser (-qv is --quiet --verbose)", async () => {
    const result = await Cli.run(["users", "-qv", "--count"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe("139\n")
    expect(result.stderr).toContain("no SIS configured") // the demo line survives -q
    expect(result.stderr).toMatch(/^rosterkit: GET http:\/\/127\.0\.0\.1:\d+\//m)
  })

  it("a group without a name", async () => {
    const result = await Cli.run(["users", "--group", "classes"])
    expect(result).toStrictEqual({ code: 2, stdout: "", stderr: `rosterkit: invalid --name: group 'classes' needs the name or id of a class\n${usersUsage}` })
  })

  it("a bad filter, a bad timestamp", async () => {
    const [filter, since] = await Promise.all([Cli.run(["list", "users", "--filter", "role=student"]), Cli.run(["list", "users", "--since", "last tuesday"])])
    expect(filter.code).toBe(2)
    expect(filter.stderr).toContain("rosterkit: invalid --filter: 'role=student' is not field<op>'value'")
    expect(since.code).toBe(3)
    expect(since.stderr).toContain("rosterkit: bad configuration for --since: 'last tuesday' is not an ISO 8601 date or timestamp")
  })
})

describe.concurrent("help and version", () => {
  it("users --help: one screen — synopsis, grouped flags, examples — in plain text", async () => {
    const result = await Cli.run(["users", "--help"])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe("")
    const lines = result.stdout.trimEnd().split("\n")
    expect(lines.length).toBeLessThan(60)
    expect(lines[0]).toMatch(/^rosterkit users — /)
    expect(result.stdout).toContain("\nUsage: rosterkit users [options]\n")
    const headings = lines.filter((l) => /^[A-Z][a-z]+( \(.*\))?:/.test(l)).map((l) => l.split(/[ :]/)[0])
    expect(headings).toStrictEqual(["Usage", "Query", "Output", "Connection", "Diagnostics", "Examples"])
    // Every connection flag in the Connection group, together.
    const connection = result.stdout.split("\nConnection (")[1]!.split("\n\n")[0]!
    for (const flag of ["--provider", "--host", "--client-id", "--client-secret", "--token ", "--auth", "--page-size", "--retries", "--config", "--district"]) {
      expect(connection).toContain(flag)
    }
    expect(result.stdout).toContain("--role students|teachers|users")
    const examples = result.stdout.split("\nExamples:\n")[1]!.split("\n").filter((l) => l.startsWith("  rosterkit "))
    expect(examples.length).toBeGreaterThanOrEqual(3)
    expect(examples.length).toBeLessThanOrEqual(5)
    expect(result.stdout).not.toContain("\u001b")
  })

  it("no ANSI escapes when stdout is not a terminal, even without NO_COLOR; none on a terminal with NO_COLOR", async () => {
    const piped = await Cli.run(["users", "--help"], { unsetEnv: ["NO_COLOR"] })
    expect(piped.code).toBe(0)
    expect(piped.stdout).not.toContain("\u001b")
    const terminal = await Cli.runInTerminal(["list", "--help"], { env: { NO_COLOR: "" } })
    const colour = await Cli.runInTerminal(["list", "--help"], { unsetEnv: ["NO_COLOR"] })
    if (terminal === undefined || colour === undefined) return // no `script` on this machine
    expect(terminal.stdout).toContain("Usage: rosterkit list <entity> [options]")
    expect(terminal.stdout).not.toContain("\u001b")
    // On a terminal without NO_COLOR, only the headings are bold.
    expect(colour.stdout).toContain("\u001b[1mUsage:\u001b[0m rosterkit list <entity> [options]")
  })

  it("list --help names the argument <entity> and lists the collections", async () => {
    const result = await Cli.run(["list", "--help"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Usage: rosterkit list <entity> [options]")
    expect(result.stdout).toMatch(/<entity> +The collection: one of users, students, teachers, orgs, schools,/)
    expect(result.stdout).not.toContain("<choice>")
    expect(result.stdout).toContain("--since ISO-TIMESTAMP")
  })

  it("export --help shows the required --out in the synopsis", async () => {
    const result = await Cli.run(["export", "--help"])
    expect(result.stdout).toContain("Usage: rosterkit export --out DIR|FILE.zip [options]")
    expect(result.stdout).toMatch(/\nExport:\n {2}--out DIR\|FILE\.zip +A folder/)
  })

  it("rosterkit --help (and rosterkit alone) lists the commands, one line each", async () => {
    const [help, bare] = await Promise.all([Cli.run(["--help"]), Cli.run([])])
    expect(help.code).toBe(0)
    expect(bare).toStrictEqual(help)
    const commands = help.stdout.split("\nCommands:\n")[1]!.split("\n\n")[0]!.split("\n")
    expect(commands.map((l) => l.trim().split(/\s+/)[0])).toStrictEqual(["users", "list", "export"])
    expect(help.stdout).toMatch(/^rosterkit \d+\.\d+\.\d+ — /)
    expect(help.stdout).toContain("Usage: rosterkit <command> [options]")
    expect(help.stdout).toContain("--version")
  })

  it("--help wins over mistakes elsewhere on the line; --version", async () => {
    const [help, version] = await Promise.all([Cli.run(["users", "--max", "abc", "-h"]), Cli.run(["--version"])])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^rosterkit users — /)
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })
})
