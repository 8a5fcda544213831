/**
 * The CLI as a process against every provider, each behind a real loopback server started in
 * the test process (testkit's FakeOneRoster / FakeClever serving the demo district), configured
 * by flags, environment variables or a --config file; and every exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Dataset from "@rosterkit/testkit/Dataset"
import { demoDistrict } from "@rosterkit/testkit/DemoDistrict"
import * as FakeClever from "@rosterkit/testkit/FakeClever"
import * as FakeOneRoster from "@rosterkit/testkit/FakeOneRoster"
import * as Faults from "@rosterkit/testkit/Faults"
import * as Loopback from "@rosterkit/testkit/Loopback"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as Cli from "./support/Cli.js"
import * as Synthetic from "./support/Synthetic.js"

const dataset = demoDistrict
const students = Dataset.byKind(dataset, "students").length
const secrets = ["or-secret", "o2-secret", "or-token", "cl-token", "clever-token", "wrong-secret"]

type OneRosterServer = Loopback.Server & { readonly fake: FakeOneRoster.FakeServer }
const servers: Array<Loopback.Server> = []
let oauth1: OneRosterServer
let oauth2: OneRosterServer
let bearer: OneRosterServer
let proxy: OneRosterServer
let unavailable: OneRosterServer
let flaky: OneRosterServer
let dayLong: OneRosterServer
let slow: OneRosterServer
let clever: Loopback.Server & { readonly fake: FakeClever.FakeServer }
let v1p2: OneRosterServer
let closedPort: string
let tmp: string

const oneRoster = async (auth: (url: string) => FakeOneRoster.Auth, options: { readonly prefix?: string; readonly faults?: ReadonlyArray<Faults.FaultRule> } = {}) => {
  const server = await Loopback.serveFake((url) =>
    FakeOneRoster.make({ dataset, baseUrl: `${url}${options.prefix ?? ""}/ims/oneroster/v1p1`, auth: auth(url), faults: options.faults ?? [] })
  )
  servers.push(server)
  return server
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-cli-"))
  oauth1 = await oneRoster(() => ({ type: "oauth1", clientId: "or-id", clientSecret: "or-secret" }))
  oauth2 = await oneRoster((url) => ({
    type: "oauth2",
    clientId: "o2-id",
    clientSecret: "o2-secret",
    tokenUrl: `${url}/oauth/token`,
    scope: "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly"
  }))
  bearer = await oneRoster(() => ({ type: "bearer", token: "or-token" }))
  proxy = await oneRoster(() => ({ type: "bearer", token: "cl-token" }), { prefix: "/app-42" })
  unavailable = await oneRoster(() => ({ type: "none" }), { faults: [{ fault: Faults.serverError(503), times: 1_000 }] })
  flaky = await oneRoster(() => ({ type: "none" }), { faults: [{ fault: Faults.rateLimited({ retryAfterSeconds: 0 }), times: 1 }] })
  dayLong = await oneRoster(() => ({ type: "none" }), { faults: [{ fault: Faults.rateLimited({ retryAfterSeconds: 86_400 }), times: 100 }] })
  slow = await oneRoster(() => ({ type: "none" }), { faults: [{ fault: Faults.delay(5_000), times: 1_000 }] })
  clever = await Loopback.serveFake((url) => FakeClever.make({ dataset, baseUrl: `${url}/v3.0`, token: "clever-token" }))
  servers.push(clever)
  v1p2 = await Loopback.serveFake((url) =>
    FakeOneRoster.make({
      dataset,
      version: "1.2",
      baseUrl: `${url}/campus/api/ims/oneroster/rostering/v1p2`,
      auth: {
        type: "oauth2",
        clientId: "o2-id",
        clientSecret: "o2-secret",
        tokenUrl: `${url}/campus/oauth2/token`,
        scope: "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
      }
    })
  )
  servers.push(v1p2)
  const closed = http.createServer()
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
  closedPort = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => closed.close(() => resolve()))
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  fs.rmSync(tmp, { recursive: true, force: true })
})

/** No secret ever reaches stdout or stderr. */
const noSecrets = (result: Cli.Result) => {
  for (const secret of secrets) {
    expect(result.stdout).not.toContain(secret)
    expect(result.stderr).not.toContain(secret)
  }
}

/** A shared 2-core machine can take far longer than the default 30 s per process. */
const slowMachine = { timeoutMs: 150_000 }

const oauth1Flags = () => ["--provider", "oneroster", "--host", oauth1.url, "--client-id", "or-id", "--client-secret", "or-secret"]

describe.concurrent("providers", () => {
  it("oneroster, OAuth 1.0a from flags (a bare origin gets the OneRoster path)", async () => {
    const result = await Cli.run(["users", ...oauth1Flags(), "--group", "classes", "--name", "ELA 6 (6A ELA)", "--count"])
    expect(result).toStrictEqual({ code: 0, stdout: "7\n", stderr: "" })
  })

  it("oneroster, OAuth 2 from the environment (the scheme follows from the token URL)", async () => {
    const [result, flags] = await Promise.all([
      Cli.run(["users", "--group", "schools", "--name", "7", "--count"], {
      env: {
        ROSTERKIT_PROVIDER: "oneroster",
        ROSTERKIT_HOST: oauth2.fake.baseUrl,
        ROSTERKIT_CLIENT_ID: "o2-id",
        ROSTERKIT_CLIENT_SECRET: "o2-secret",
        ROSTERKIT_TOKEN_URL: `${oauth2.url}/oauth/token`
        }
      }),
      Cli.run([
        "users",
        "--provider",
        "oneroster",
        "--auth",
        "oauth2",
        "--host",
        oauth2.fake.baseUrl,
        "--client-id",
        "o2-id",
        "--client-secret",
        "o2-secret",
        "--token-url",
        `${oauth2.url}/oauth/token`,
        "--scope",
        "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly",
        "--role",
        "teachers",
        "--count"
      ])
    ])
    expect(result).toStrictEqual({ code: 0, stdout: "54\n", stderr: "" })
    expect(flags).toStrictEqual({ code: 0, stdout: `${Dataset.byKind(dataset, "teachers").length}\n`, stderr: "" })
    expect(oauth2.fake.requests.some((r) => r.url.endsWith("/oauth/token"))).toBe(true)
  })

  it("oneroster, --auth bearer --token", async () => {
    const result = await Cli.run(["list", "schools", "--provider", "oneroster", "--auth", "bearer", "--token", "or-token", "--host", bearer.url, "--count"])
    expect(result).toStrictEqual({ code: 0, stdout: `${Dataset.byKind(dataset, "schools").length}\n`, stderr: "" })
  })

  it("--page-size and --concurrency reach the provider", async () => {
    const before = oauth1.fake.requests.length
    const result = await Cli.run(["list", "users", ...oauth1Flags(), "--page-size", "40", "--concurrency", "2", "--count"])
    expect(result.stdout).toBe(`${dataset.users.length}\n`)
    const requests = oauth1.fake.requests.slice(before).filter((r) => r.url.includes("/users"))
    expect(requests.length).toBeGreaterThanOrEqual(Math.ceil(dataset.users.length / 40))
    for (const r of requests) expect(new URL(r.url).searchParams.get("limit")).toBe("40")
  })

  it("classlink, direct OAuth 1.0a", async () => {
    const result = await Cli.run(["users", "--provider", "classlink", "--host", oauth1.url, "--client-id", "or-id", "--client-secret", "or-secret", "--group", "schools", "--name", "Classlink HS", "--count"])
    expect(result).toStrictEqual({ code: 0, stdout: "38\n", stderr: "" })
  })

  it("classlink, through the OneRoster proxy with --token and --application-id", async () => {
    const result = await Cli.run(["users", "--provider", "classlink", "--host", proxy.url, "--token", "cl-token", "--application-id", "app-42", "--format", "json"])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe("")
    expect(JSON.parse(result.stdout)).toHaveLength(students)
  })

  it("clever, district token from the environment", async () => {
    const result = await Cli.run(["users", "--group", "classes", "--name", "31763", "--format", "ndjson", "--fields", "sourcedId"], {
      env: { ROSTERKIT_PROVIDER: "clever", ROSTERKIT_HOST: `${clever.url}/v3.0`, ROSTERKIT_TOKEN: "clever-token" }
    })
    expect(result.code).toBe(0)
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(3)
    noSecrets(result)
  })

  it("oneroster 1.2: the rostering/v1p2 host with OAuth 2 needs no new flag, and every query shape answers as on 1.1", async () => {
    const v1p2Flags = [
      "--provider",
      "oneroster",
      "--host",
      `${v1p2.url}/campus/api/ims/oneroster/rostering/v1p2/`,
      "--auth",
      "oauth2",
      "--token-url",
      `${v1p2.url}/campus/oauth2/token`,
      "--client-id",
      "o2-id",
      "--client-secret",
      "o2-secret"
    ]
    const shapes: ReadonlyArray<ReadonlyArray<string>> = [
      ["--count"],
      ["--role", "teachers", "--format", "ndjson", "--fields", "sourcedId,role"],
      ["--role", "users", "--group", "classes", "--name", "ELA 6 (6A ELA)", "--format", "ndjson", "--fields", "sourcedId"],
      ["--group", "courses", "--name", "ELA 6", "--format", "ndjson", "--fields", "sourcedId"],
      ["--role", "teachers", "--group", "schools", "--name", "7", "--format", "ndjson", "--fields", "sourcedId"]
    ]
    // One pair at a time: the answers, not the machine's load, are under test.
    const results: Array<Cli.Result> = []
    for (const shape of shapes) {
      results.push(...(await Promise.all([Cli.run(["users", ...v1p2Flags, ...shape], slowMachine), Cli.run(["users", ...oauth1Flags(), ...shape], slowMachine)])))
    }
    for (let i = 0; i < shapes.length; i++) {
      const [on12, on11] = [results[2 * i]!, results[2 * i + 1]!]
      expect(on12.code, shapes[i]!.join(" ")).toBe(0)
      expect(on12.stdout, shapes[i]!.join(" ")).toBe(on11.stdout)
      expect(on12.stdout.length).toBeGreaterThan(1)
      noSecrets(on12)
    }
    expect(v1p2.fake.requests.some((r) => r.url.includes("/rostering/v1p2/users") || r.url.includes("/rostering/v1p2/classes"))).toBe(true)
  }, 600_000)

  it("oneroster 1.2: OAuth 1.0a against a v1p2 host is refused before any request, with a clear message", async () => {
    const before = v1p2.fake.requests.length
    const result = await Cli.run(
      // A path of its own: the tests of this block run concurrently against the same server.
      ["users", "--provider", "oneroster", "--host", `${v1p2.url}/refused/ims/oneroster/rostering/v1p2/`, "--client-id", "or-id", "--client-secret", "or-secret"],
      slowMachine
    )
    expect(result.code).not.toBe(0)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain("OneRoster 1.2 servers take OAuth 2 client credentials only")
    expect(result.stderr).not.toContain("    at ")
    noSecrets(result)
    expect(v1p2.fake.requests.slice(before).filter((r) => r.url.includes("/refused/"))).toStrictEqual([])
  }, 300_000)

  it("csv: export --oneroster-version 1.2 writes roles.csv and userProfiles.csv and reads back with the same answers", async () => {
    const zip = path.join(tmp, "demo12.zip")
    const exported = await Cli.run(["export", "--out", zip, "--oneroster-version", "1.2"], slowMachine)
    expect(exported.code).toBe(0)
    expect(exported.stderr).toMatch(/rosterkit: wrote a bulk OneRoster 1\.2 CSV set to .*demo12\.zip: .*users 151, roles \d+, userProfiles 0/)
    const count = await Cli.run(["users", "--provider", "csv", "--path", zip, "--count"], slowMachine)
    const ela = await Cli.run(["users", "--provider", "csv", "--path", zip, "--group", "classes", "--name", "ELA 6 (6A ELA)", "--count"], slowMachine)
    const teachers = await Cli.run(["users", "--provider", "csv", "--path", zip, "--role", "teachers", "--count"], slowMachine)
    const bad = await Cli.run(["export", "--out", path.join(tmp, "x.zip"), "--oneroster-version", "2.0"], slowMachine)
    expect(count).toStrictEqual({ code: 0, stdout: `${students}\n`, stderr: "" })
    expect(ela).toStrictEqual({ code: 0, stdout: "7\n", stderr: "" })
    expect(teachers).toStrictEqual({ code: 0, stdout: `${Dataset.byKind(dataset, "teachers").length}\n`, stderr: "" })
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain("1.1, 1.2")
  }, 600_000)

  it("csv: export the demo district to a zip, read it back; a --since export is a delta set", async () => {
    const zip = path.join(tmp, "demo.zip")
    const exported = await Cli.run(["export", "--out", zip])
    expect(exported.code).toBe(0)
    expect(exported.stdout).toBe("")
    expect(exported.stderr).toMatch(/rosterkit: wrote a bulk OneRoster 1\.1 CSV set to .*demo\.zip: .*users 151/)
    const [count, room, delta] = await Promise.all([
      Cli.run(["users", "--provider", "csv", "--path", zip, "--count"]),
      Cli.run(["users", "--group", "classes", "--name", "302", "--match-on", "location", "--count"], { env: { ROSTERKIT_PROVIDER: "csv", ROSTERKIT_CSV: zip } }),
      Cli.run(["export", "--out", path.join(tmp, "delta"), "--since", "2019-06-01T00:00:00Z", "-q"])
    ])
    expect(count).toStrictEqual({ code: 0, stdout: `${students}\n`, stderr: "" })
    expect(room.stdout).toBe("13\n")
    expect(delta.code).toBe(0)
    const read = await Cli.run(["list", "enrollments", "--provider", "csv", "--path", path.join(tmp, "delta"), "--count"])
    expect(read.code).toBe(0)
    expect(read.stdout).toBe(`${dataset.enrollments.filter((e) => (e.dateLastModified ?? "") > "2019-06-01T00:00:00Z").length}\n`)
    expect(read.stderr).toContain("rosterkit: warning: csv:")
    expect(read.stderr).toContain("delta set")
  })

  it("--config with named districts: the default, --district, ROSTERKIT_CONFIG + ROSTERKIT_DISTRICT; secrets from {env}", async () => {
    const config = path.join(tmp, "districts.json")
    fs.writeFileSync(
      config,
      JSON.stringify({
        default: "north",
        districts: {
          north: { provider: "oneroster", host: oauth1.fake.baseUrl, clientId: "or-id", clientSecret: { env: "NORTH_SECRET" } },
          south: { provider: "clever", host: `${clever.url}/v3.0`, token: "clever-token", pageSize: 50 }
        }
      })
    )
    const [north, south, fromEnv] = await Promise.all([
      Cli.run(["users", "--config", config, "--count"], { env: { NORTH_SECRET: "or-secret" } }),
      Cli.run(["users", "--config", config, "--district", "south", "--role", "teachers", "--count"]),
      Cli.run(["users", "--count", "--group", "schools", "--name", "7"], { env: { ROSTERKIT_CONFIG: config, ROSTERKIT_DISTRICT: "south" } })
    ])
    expect(north).toStrictEqual({ code: 0, stdout: `${students}\n`, stderr: "" })
    expect(south).toStrictEqual({ code: 0, stdout: `${Dataset.byKind(dataset, "teachers").length}\n`, stderr: "" })
    expect(fromEnv).toStrictEqual({ code: 0, stdout: "54\n", stderr: "" })
  })

  it("a 429 is waited out and retried (--verbose shows the wait)", async () => {
    const result = await Cli.run(["list", "orgs", "--provider", "oneroster", "--auth", "bearer", "--token", "x", "--host", flaky.url, "--count", "--verbose"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${dataset.orgs.length}\n`)
    expect(result.stderr).toMatch(/rosterkit: GET http:\/\/127\.0\.0\.1:\d+\/ims\/oneroster\/v1p1\/orgs\?.* -> 429/)
    expect(result.stderr).toMatch(/rosterkit: oneroster: 429 \(rate limited\) from 127\.0\.0\.1:\d+ during .*, retrying in \d+\.\ds \(attempt 2 of 6\)/)
  })
})

describe.concurrent("exit codes", () => {
  it("3: a missing secret names the flag and the variable", async () => {
    const result = await Cli.run(["users", "--provider", "oneroster", "--host", oauth1.url, "--client-id", "or-id"])
    expect(result).toMatchObject({ code: 3, stdout: "" })
    expect(result.stderr).toBe(
      'rosterkit: oneroster: bad configuration for --client-secret / ROSTERKIT_CLIENT_SECRET: is required for --provider oneroster (--auth oauth1); set the flag, the environment variable or "clientSecret" in the --config district\n'
    )
  })

  it("3: a malformed config file, a bad host, settings without a provider", async () => {
    const bad = path.join(tmp, "bad.json")
    fs.writeFileSync(bad, '{ "districts": { "north": { "provider": "oneroster", } }')
    const [malformed, host, orphan] = await Promise.all([
      Cli.run(["users", "--config", bad]),
      Cli.run(["users", "--provider", "clever", "--token", "clever-token", "--host", "ftp://example.org"]),
      Cli.run(["users"], { env: { ROSTERKIT_HOST: oauth1.url } })
    ])
    expect(malformed.code).toBe(3)
    expect(malformed.stderr).toMatch(/^rosterkit: bad configuration for --config .*bad\.json: is not valid JSON/)
    expect(host.code).toBe(3)
    expect(host.stderr).toContain("--host / ROSTERKIT_HOST")
    expect(orphan.code).toBe(3)
    expect(orphan.stderr).toContain("--provider / ROSTERKIT_PROVIDER: is required with ROSTERKIT_HOST")
    for (const r of [malformed, host, orphan]) noSecrets(r)
  })

  it("4: a wrong secret or token", async () => {
    const [oneroster, cleverResult] = await Promise.all([
      Cli.run(["users", "--provider", "oneroster", "--host", oauth1.url, "--client-id", "or-id", "--client-secret", "wrong-secret", "--count"]),
      Cli.run(["users", "--provider", "clever", "--host", `${clever.url}/v3.0`, "--token", "wrong-secret", "--count"])
    ])
    for (const result of [oneroster, cleverResult]) {
      expect(result.code).toBe(4)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/^rosterkit: (oneroster|clever): authentication failed \(HTTP 401\)/)
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1)
      noSecrets(result)
    }
  })

  it("5: an unreachable host, 503 after every retry, a timeout", async () => {
    const flags = (host: string) => ["--provider", "oneroster", "--auth", "bearer", "--token", "or-token", "--host", host]
    const [unreachable, down, timeout] = await Promise.all([
      Cli.run(["users", ...flags(closedPort), "--retries", "0", "--count"]),
      Cli.run(["users", ...flags(unavailable.url), "--retries", "1", "--count"]),
      Cli.run(["users", ...flags(slow.url), "--retries", "0", "--timeout", "0.2", "--count"])
    ])
    expect(unreachable.code).toBe(5)
    expect(unreachable.stderr).toMatch(/^rosterkit: oneroster: refused error during list students/)
    expect(down.code).toBe(5)
    expect(down.stderr).toMatch(/^rosterkit: oneroster: 503 from 127\.0\.0\.1:\d+ during list students, retrying in \d+\.\ds \(attempt 2 of 2\)\n/m)
    expect(down.stderr).toMatch(/\nrosterkit: oneroster: gave up after 2 attempts over [\d.]+m?s: HTTP 503 from http:\/\/127\.0\.0\.1/)
    // the first page: one attempt and one retry; the other pages of the first round (the
    // default concurrency, 4): one attempt each, no retry (see Pager.FirstRound)
    const offsets = unavailable.fake.requests.map((r) => new URL(r.url).searchParams.get("offset"))
    expect(offsets.filter((o) => o === "0")).toHaveLength(2)
    expect(offsets.filter((o) => o !== "0").sort()).toStrictEqual(["1998", "2997", "999"])
    expect(timeout.code).toBe(5)
    expect(timeout.stderr).toMatch(/^rosterkit: oneroster: timeout error/)
    for (const r of [unreachable, down, timeout]) noSecrets(r)
  })

  it("fail fast: a refused port, an unknown host, a path taken for a tenant host — one retry at most", async () => {
    const flags = (host: string) => ["--provider", "oneroster", "--auth", "bearer", "--token", "or-token", "--host", host]
    const [refused, unknown, tenant] = await Promise.all([
      Cli.run(["users", ...flags(closedPort), "--count"]),
      Cli.run(["users", ...flags("http://nonexistent.invalid"), "--count"]),
      Cli.run(["users", "--provider", "classlink", "--host", "/ims/oneroster/v1p1/", "--client-id", "id", "--client-secret", "s3cret-value", "--count"])
    ])
    // the default policy (5 retries) gives a refused connection and an unknown host one retry
    expect(refused.code).toBe(5)
    expect(refused.stderr).toMatch(/retrying in 0\.3s \(attempt 2 of 2\)/)
    expect(refused.stderr).toMatch(/rosterkit: oneroster: gave up after 2 attempts over [\d.]+m?s \(not transient\): refused error/)
    expect(unknown.code).toBe(5)
    expect(unknown.stderr).toMatch(/rosterkit: oneroster: gave up after 2 attempts .*: dns error .*nonexistent\.invalid/)
    expect(tenant.code).toBe(3)
    expect(tenant.stderr).toBe(
      "rosterkit: classlink: bad configuration for --host / ROSTERKIT_HOST: '/ims/oneroster/v1p1/' is a path without a host (expected e.g. https://acme-ca-v2.oneroster.com)\n"
    )
    for (const r of [refused, unknown, tenant]) noSecrets(r)
  })

  it("5: a server asking to wait longer than --max-wait fails at once, saying what it asked for", async () => {
    const result = await Cli.run([
      "list", "orgs", "--provider", "oneroster", "--auth", "bearer", "--token", "x", "--host", dayLong.url, "--max-wait", "30", "--count"
    ])
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/rosterkit: oneroster: rate limited during list orgs .*the server asked to wait 86400s, more than the 30s ceiling/)
    expect(dayLong.fake.requests.length).toBe(1)
  })

  it("5: --verify (or ROSTERKIT_VERIFY) refuses a roster that changed between its two readings; without it the pull exits 0", async () => {
    const before = dataset
    const studentList = Dataset.byKind(before, "students")
    // once the first page has been read, one student of it and one of a later page are replaced
    // at their places: no count, boundary or revision moves
    const replaced = new Map([
      [studentList[1]!.sourcedId, "swap-in-1"],
      [studentList[120]!.sourcedId, "swap-in-2"]
    ])
    const after: Dataset.Dataset = {
      ...before,
      users: before.users.map((u) => (replaced.has(u.sourcedId) ? { ...u, sourcedId: replaced.get(u.sourcedId)! } : u))
    }
    let base = 0
    const changing = await Loopback.serveFake((url) =>
      FakeOneRoster.make({
        dataset: before,
        datasetAt: (n) => (n - base < 1 ? before : after),
        baseUrl: `${url}/ims/oneroster/v1p1`,
        auth: { type: "bearer", token: "or-token" }
      })
    )
    servers.push(changing)
    const run = (extra: ReadonlyArray<string>, env: Record<string, string> = {}) => {
      base = changing.fake.requests.length
      return Cli.run(["users", "--provider", "oneroster", "--auth", "bearer", "--token", "or-token", "--host", changing.url, "--page-size", "50", "--format", "ndjson", "-q", ...extra], { env, ...slowMachine })
    }
    const plain = await run([])
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain(`"sourcedId":"${studentList[1]!.sourcedId}"`)
    expect(plain.stdout).toContain('"sourcedId":"swap-in-2"')
    const verified = await run(["--verify"])
    expect(verified.code).toBe(5)
    expect(verified.stderr).toContain("inconsistent snapshot")
    expect(verified.stderr).toContain("1 record added (swap-in-1)")
    expect(verified.stderr).not.toMatch(/\n\s+at /)
    const fromEnv = await run([], { ROSTERKIT_VERIFY: "1" })
    expect(fromEnv.code).toBe(5)
    expect(fromEnv.stderr).toContain("1 record added (swap-in-1)")
    noSecrets(verified)
  })

  it("1: anything else (a collection the provider does not have)", async () => {
    const result = await Cli.run(["list", "gradingPeriods", "--provider", "clever", "--host", `${clever.url}/v3.0`, "--token", "clever-token"])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^rosterkit: clever: list gradingPeriods is not supported/)
  })
})

describe("streaming", () => {
  it("--format ndjson runs in constant memory: 100,000 users through a 32 MB heap (holding them takes more)", async () => {
    const server = await Synthetic.serve(100_000)
    try {
      const result = await Cli.run(
        ["users", "--provider", "oneroster", "--auth", "bearer", "--token", "t", "--host", server.url, "--page-size", "1000", "--format", "ndjson", "-q"],
        { nodeOptions: ["--max-old-space-size=32"], timeoutMs: 60_000 }
      )
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      let lines = 0
      for (let i = result.stdout.indexOf("\n"); i !== -1; i = result.stdout.indexOf("\n", i + 1)) lines++
      expect(lines).toBe(100_000)
      expect(result.stdout.slice(result.stdout.lastIndexOf("\n", result.stdout.length - 2) + 1)).toContain('"sourcedId":"u99999"')
    } finally {
      await server.close()
    }
  })
})

describe("the pnpm script path (tsx, no build)", () => {
  it("rosterkit users --count through tsx", async () => {
    const result = await Cli.runTsx(["users", "--count"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe("139\n")
  })
})
