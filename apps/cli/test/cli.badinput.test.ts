/**
 * Bad input, table-driven: every flag with a wrong type or value, bad environment variables,
 * config files that are not JSON or miss keys, CSV sets with broken rows, and the implicit demo
 * rules. Each case must exit with the right code (2 usage, 3 configuration, 5 bad data from the
 * source), print nothing on stdout, and leave a clear message on stderr that names what is wrong
 * — never a stack trace or an internal error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./support/Cli.js"

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-badinput-"))
const write = (name: string, content: string) => {
  const p = path.join(tmp, name)
  fs.mkdirSync(path.dirname(p), { recursive: true })
  fs.writeFileSync(p, content)
  return p
}

const manifest = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,bulk\nfile.orgs,bulk\n"
const orgs = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n1,,,District,district,,\n"
const usersHeader =
  "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"

beforeAll(() => {
  write("notjson.json", "{ districts: nope")
  write("nodistricts.json", JSON.stringify({ default: "a" }))
  write("wrongtype.json", JSON.stringify({ districts: { a: { provider: "csv", path: "x", pageSize: "ten" } } }))
  write("extrakey.json", JSON.stringify({ districts: { a: { provider: "csv", path: "x", colour: "red" } } }))
  write("noprovider.json", JSON.stringify({ districts: { a: { host: "https://sis.example" } } }))
  write("unsetenv.json", JSON.stringify({ districts: { a: { provider: "clever", token: { env: "NO_SUCH_VARIABLE_SET" } } } }))
  write("twodistricts.json", JSON.stringify({ districts: { a: { provider: "csv", path: "x" }, b: { provider: "csv", path: "y" } } }))
  // CSV sets with broken rows
  write("badrole/manifest.csv", manifest)
  write("badrole/orgs.csv", orgs)
  write("badrole/users.csv", `${usersHeader}u1,,,true,1,student,u1,,Ann,A,,,,,,,,\nu2,,,true,1,pupil,u2,,Bob,B,,,,,,,,\n`)
  write("ragged/manifest.csv", manifest)
  write("ragged/orgs.csv", orgs)
  write("ragged/users.csv", `${usersHeader}u1,,,true,1,student,u1\n`)
  write("noid/manifest.csv", manifest)
  write("noid/orgs.csv", orgs)
  write("noid/users.csv", `${usersHeader},,,true,1,student,u1,,Ann,A,,,,,,,,\n`)
  write("quote/manifest.csv", manifest)
  write("quote/orgs.csv", orgs)
  write("quote/users.csv", `${usersHeader}u1,,,true,1,student,"u1,,Ann,A,,,,,,,,\n`)
  write("lacking/manifest.csv", manifest)
  write("lacking/orgs.csv", orgs)
  write("badmanifest/manifest.csv", "hello\nworld\n")
  write("broken.zip", "PK not really a zip")
})

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

interface Case {
  readonly args: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  readonly code: number
  /** What stderr must say (the flag, variable or file at fault). */
  readonly says: ReadonlyArray<string | RegExp>
}

const csvAt = (dir: string) => ["--provider", "csv", "--path", path.join(tmp, dir)]

/** Every flag of users / list / export with a wrong type or value. */
const flagCases: Readonly<Record<string, Case>> = {
  "--role pupils": { args: ["users", "--role", "pupils"], code: 2, says: ["students, teachers, users"] },
  "--group rooms": { args: ["users", "--group", "rooms", "--name", "x"], code: 2, says: ["classes, courses, schools"] },
  "--group without --name": { args: ["users", "--group", "classes"], code: 2, says: ["invalid --name"] },
  "--name without --group": { args: ["users", "--name", "ELA"], code: 2, says: ["invalid --group"] },
  "--match-on without --group": { args: ["users", "--match-on", "title"], code: 2, says: ["invalid --match-on"] },
  "--match-on title;drop": { args: ["users", "--group", "classes", "--name", "x", "--match-on", "title;drop"], code: 2, says: ["invalid --match-on", "'title;drop'"] },
  "--match-on course.": { args: ["users", "--group", "classes", "--name", "x", "--match-on", "course."], code: 2, says: ["invalid --match-on", "dotted path"] },
  "--match-on grades (a list)": { args: ["users", "--group", "classes", "--name", "06", "--match-on", "grades", "--provider", "demo"], code: 2, says: ["invalid --match-on", "'grades' is a list"] },
  "--max ten": { args: ["users", "--max", "ten"], code: 2, says: ["--max"] },
  "--max 0": { args: ["users", "--max", "0"], code: 2, says: ["invalid --max"] },
  "--max -3": { args: ["users", "--max", "-3"], code: 2, says: ["--max"] },
  "--max 1.5": { args: ["users", "--max", "1.5"], code: 2, says: ["--max"] },
  "--format xml": { args: ["users", "--format", "xml"], code: 2, says: ["--format"] },
  "--count=maybe": { args: ["users", "--count=maybe"], code: 2, says: ["--count", /usage: rosterkit users /] },
  "--provider powerschool": { args: ["users", "--provider", "powerschool"], code: 2, says: ["--provider", "demo, oneroster, classlink, clever, csv", /usage: rosterkit users /] },
  "--auth kerberos": { args: ["users", "--provider", "oneroster", "--auth", "kerberos"], code: 2, says: ["--auth", "oauth1, oauth2, bearer", /usage: rosterkit users /] },
  "--page-size many": { args: ["users", "--page-size", "many"], code: 2, says: ["--page-size", "'many'", /usage: rosterkit users /] },
  "--page-size 0": { args: ["users", "--provider", "demo", "--page-size", "0"], code: 3, says: ["--page-size", "at least 1"] },
  "--concurrency 0": { args: ["users", "--provider", "demo", "--concurrency", "0"], code: 3, says: ["--concurrency", "at least 1"] },
  "--timeout soon": { args: ["users", "--timeout", "soon"], code: 2, says: ["--timeout", "'soon'", /usage: rosterkit users /] },
  "--timeout 0": { args: ["users", "--provider", "demo", "--timeout", "0"], code: 3, says: ["--timeout", "positive number of seconds"] },
  "--timeout -1": { args: ["users", "--provider", "demo", "--timeout", "-1"], code: 3, says: ["--timeout"] },
  "--retries -1": { args: ["users", "--provider", "demo", "--retries", "-1"], code: 3, says: ["--retries", "at least 0"] },
  "--retries many": { args: ["users", "--retries", "many"], code: 2, says: ["--retries", "'many'", /usage: rosterkit users /] },
  "--host not a URL": { args: ["users", "--provider", "oneroster", "--host", "not a url", "--auth", "bearer", "--token", "t"], code: 3, says: ["--host"] },
  "--host ftp://": { args: ["users", "--provider", "oneroster", "--host", "ftp://sis.example/", "--auth", "bearer", "--token", "t"], code: 3, says: ["--host"] },
  "--provider oneroster without --host": { args: ["users", "--provider", "oneroster"], code: 3, says: ["--host / ROSTERKIT_HOST", "is required"] },
  "--auth oauth2 without --token-url": { args: ["users", "--provider", "oneroster", "--host", "https://sis.example", "--auth", "oauth2", "--client-id", "a", "--client-secret", "b"], code: 3, says: ["--token-url"] },
  "--provider clever without --token": { args: ["users", "--provider", "clever"], code: 3, says: ["--token / ROSTERKIT_TOKEN"] },
  "--provider classlink --token without --application-id": { args: ["users", "--provider", "classlink", "--token", "t"], code: 3, says: ["--application-id"] },
  "--provider csv without --path": { args: ["users", "--provider", "csv"], code: 3, says: ["--path / ROSTERKIT_CSV"] },
  "--path missing": { args: ["users", ...csvAt("no-such-folder")], code: 3, says: ["no-such-folder"] },
  "--district without --config": { args: ["users", "--district", "a"], code: 3, says: ["--district", "needs a config file"] },
  "--config missing file": { args: ["users", "--config", "/no/such/file.json"], code: 3, says: ["--config /no/such/file.json", "cannot be read"] },
  "list pupils": { args: ["list", "pupils"], code: 2, says: ["'pupils' is not one of users", /usage: rosterkit list /] },
  "list --filter role=student": { args: ["list", "users", "--filter", "role=student"], code: 2, says: ["invalid --filter"] },
  "list --filter three predicates": { args: ["list", "users", "--filter", "a='1' AND b='2' AND c='3'"], code: 2, says: ["invalid --filter", "at most two"] },
  "list --filter unterminated": { args: ["list", "users", "--filter", "givenName='Ann"], code: 2, says: ["invalid --filter"] },
  "list --since last tuesday": { args: ["list", "users", "--since", "last tuesday"], code: 3, says: ["--since", "not an ISO 8601 date or timestamp"] },
  "list --since 2024-02-30": { args: ["list", "users", "--since", "2024-02-30"], code: 3, says: ["--since", "'2024-02-30'"] },
  "list --since 2024-06-01T10:00+25:00": { args: ["list", "users", "--since", "2024-06-01T10:00+25:00"], code: 3, says: ["--since"] },
  "list --max 0": { args: ["list", "users", "--max", "0"], code: 2, says: ["invalid --max"] },
  "export without --out": { args: ["export"], code: 2, says: ["--out"] },
  "export --since 06/01/2024": { args: ["export", "--out", "/tmp/never-written", "--since", "06/01/2024"], code: 3, says: ["--since"] },
  "a command that does not exist": { args: ["sync"], code: 2, says: [/usage: rosterkit/] }
}

const envCases: Readonly<Record<string, Case>> = {
  "ROSTERKIT_PAGE_SIZE=abc": { args: ["users", "--provider", "demo"], env: { ROSTERKIT_PAGE_SIZE: "abc" }, code: 3, says: ["ROSTERKIT_PAGE_SIZE", "'abc'"] },
  "ROSTERKIT_TIMEOUT=-5": { args: ["users", "--provider", "demo"], env: { ROSTERKIT_TIMEOUT: "-5" }, code: 3, says: ["ROSTERKIT_TIMEOUT"] },
  "ROSTERKIT_RETRIES=1.5": { args: ["users", "--provider", "demo"], env: { ROSTERKIT_RETRIES: "1.5" }, code: 3, says: ["ROSTERKIT_RETRIES"] },
  "ROSTERKIT_AUTH=kerberos": { args: ["users", "--provider", "oneroster"], env: { ROSTERKIT_AUTH: "kerberos" }, code: 3, says: ["ROSTERKIT_AUTH", "oauth1, oauth2, bearer"] },
  "ROSTERKIT_PROVIDER=powerschool": { args: ["users"], env: { ROSTERKIT_PROVIDER: "powerschool" }, code: 3, says: ["ROSTERKIT_PROVIDER", "'powerschool' is not a provider"] }
}

const configCases: Readonly<Record<string, Case>> = {
  "not JSON": { args: ["users", "--config", "@/notjson.json"], code: 3, says: ["notjson.json", "is not valid JSON"] },
  "no districts key": { args: ["users", "--config", "@/nodistricts.json"], code: 3, says: ["nodistricts.json", "districts"] },
  "a value of the wrong type": { args: ["users", "--config", "@/wrongtype.json"], code: 3, says: ["wrongtype.json", "pageSize"] },
  "an unknown key": { args: ["users", "--config", "@/extrakey.json"], code: 3, says: ["extrakey.json", "colour"] },
  "a district without provider": { args: ["users", "--config", "@/noprovider.json"], code: 3, says: ["--provider / ROSTERKIT_PROVIDER", "is required with districts.a.host in"] },
  "a secret from an unset variable": { args: ["users", "--config", "@/unsetenv.json"], code: 3, says: ["NO_SUCH_VARIABLE_SET", "is not set"] },
  "two districts, none chosen": { args: ["users", "--config", "@/twodistricts.json"], code: 3, says: ["--district", "it has a, b"] },
  "an unknown district": { args: ["users", "--config", "@/twodistricts.json", "--district", "c"], code: 3, says: ["no district 'c'"] }
}

const csvCases: Readonly<Record<string, Case>> = {
  "a role that is not a OneRoster role": { args: ["users", ...csvAt("badrole"), "--count"], code: 5, says: ["users.csv", "line 3"] },
  "a row with too few cells": { args: ["users", ...csvAt("ragged"), "--count"], code: 5, says: ["users.csv"] },
  "a row without a sourcedId": { args: ["users", ...csvAt("noid"), "--count"], code: 5, says: ["users.csv", "sourcedId"] },
  "an unclosed quote": { args: ["users", ...csvAt("quote"), "--count"], code: 5, says: ["users.csv"] },
  "a manifest naming a file the set lacks": { args: ["users", ...csvAt("lacking"), "--count"], code: 5, says: ["file.users as bulk, but the set has no users.csv"] },
  "a manifest that is not a manifest": { args: ["users", ...csvAt("badmanifest"), "--count"], code: 5, says: ["manifest.csv line 1", "unknown column 'hello'"] },
  "a .zip that is not a zip": { args: ["users", ...csvAt("broken.zip"), "--count"], code: 3, says: ["not a folder or a readable .zip"] }
}

const check = async (c: Case) => {
  const args = c.args.map((a) => (a.startsWith("@/") ? path.join(tmp, a.slice(2)) : a))
  const result = await Cli.run(args, { env: c.env ?? {} })
  const context = `${args.join(" ")}\n${result.stderr}`
  expect(result.code, context).toBe(c.code)
  expect(result.stdout, context).toBe("")
  for (const part of c.says) {
    if (typeof part === "string") expect(result.stderr, context).toContain(part)
    else expect(result.stderr, context).toMatch(part)
  }
  // a clear message, not a stack trace or an internal error
  expect(result.stderr, context).not.toMatch(/^\s+at /m)
  expect(result.stderr, context).not.toContain("internal error")
  expect(result.stderr.trim().split("\n").length, context).toBeLessThanOrEqual(12)
}

for (const [title, cases] of [
  ["every flag with a wrong type or value", flagCases],
  ["environment variables with wrong values", envCases],
  ["config files that are not JSON or miss keys", configCases],
  ["CSV sets with broken rows", csvCases]
] as const) {
  describe.concurrent(title, () => {
    for (const [name, c] of Object.entries(cases)) it(name, () => check(c))
  })
}

describe.concurrent("the implicit demo", () => {
  const line = /^rosterkit: no SIS configured \(--provider \/ ROSTERKIT_PROVIDER \/ --config\): reading the demo district, sample data$/m

  it("runs only with nothing configured, and says so on stderr even with -q", async () => {
    const [plain, quiet, tuned] = await Promise.all([
      Cli.run(["users", "--count"]),
      Cli.run(["users", "--count", "-q"]),
      Cli.run(["users", "--count", "-q", "--page-size", "50"])
    ])
    for (const result of [plain, quiet, tuned]) {
      expect(result.code).toBe(0)
      expect(result.stdout).toBe("139\n")
      expect(result.stderr).toMatch(line)
    }
  })

  it("--provider demo asks for it explicitly and prints nothing extra", async () => {
    const result = await Cli.run(["users", "--count", "-q", "--provider", "demo"])
    expect(result).toStrictEqual({ code: 0, stdout: "139\n", stderr: "" })
  })

  it("any ROSTERKIT_* variable without a provider is a configuration error, not the demo", async () => {
    const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
      [{ ROSTERKIT_CLIENT_SECRET: "x" }, "ROSTERKIT_CLIENT_SECRET"],
      [{ ROSTERKIT_PAGE_SIZE: "100" }, "ROSTERKIT_PAGE_SIZE"],
      [{ ROSTERKIT_HOTS: "https://sis.example" }, "ROSTERKIT_HOTS (not a rosterkit setting)"],
      [{ ROSTERKIT_CSV: "/nowhere.zip" }, "is required with ROSTERKIT_CSV"]
    ]
    const results = await Promise.all(cases.map(([env]) => Cli.run(["users", "--count", "-q"], { env })))
    results.forEach((result, i) => {
      expect(result.code, result.stderr).toBe(3)
      expect(result.stdout).toBe("")
      expect(result.stderr).toContain("rosterkit: bad configuration for --provider / ROSTERKIT_PROVIDER")
      expect(result.stderr).toContain(cases[i]![1])
      expect(result.stderr).not.toMatch(line)
    })
    // ROSTERKIT_DEBUG is a diagnostic, not a setting
    const debug = await Cli.run(["users", "--count"], { env: { ROSTERKIT_DEBUG: "1" } })
    expect(debug.code).toBe(0)
    expect(debug.stderr).toMatch(line)
  })
})
