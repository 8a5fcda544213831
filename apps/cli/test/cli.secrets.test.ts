/**
 * Secrets never leak: every command (users, list, export) against every provider runs with
 * sentinel credentials under --verbose, on success and on failure (401, 500, unreachable). No
 * sentinel — nor an OAuth 2 access token the server issued, nor an OAuth 1.0a signature or a
 * token in a logged URL's query string — may appear on stdout, on stderr or in an error message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
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

const sentinel = {
  secret: "S3NT1NEL-client-secret-4b1d",
  token: "S3NT1NEL-bearer-token-9c2e",
  wrong: "S3NT1NEL-wrong-secret-77aa"
} as const
const sentinels = Object.values(sentinel)

const servers: Array<Loopback.Server> = []
let tmp: string
let closedPort: string
/** Per condition, the host of each provider's server. */
const hosts: Record<"ok" | "500", Record<"oauth1" | "oauth2" | "bearer" | "proxy" | "clever", string>> = {
  ok: { oauth1: "", oauth2: "", bearer: "", proxy: "", clever: "" },
  "500": { oauth1: "", oauth2: "", bearer: "", proxy: "", clever: "" }
}

const failing = [{ fault: Faults.serverError(500), times: 100_000 }]

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-secrets-"))
  for (const condition of ["ok", "500"] as const) {
    const faults = condition === "ok" ? [] : failing
    const oneRoster = async (auth: (url: string) => FakeOneRoster.Auth, prefix = "") => {
      const server = await Loopback.serveFake((url) =>
        FakeOneRoster.make({ dataset: demoDistrict, baseUrl: `${url}${prefix}/ims/oneroster/v1p1`, auth: auth(url), faults })
      )
      servers.push(server)
      return server.url
    }
    hosts[condition].oauth1 = await oneRoster(() => ({ type: "oauth1", clientId: "id", clientSecret: sentinel.secret }))
    hosts[condition].oauth2 = await oneRoster((url) => ({ type: "oauth2", clientId: "id", clientSecret: sentinel.secret, tokenUrl: `${url}/oauth/token` }))
    hosts[condition].bearer = await oneRoster(() => ({ type: "bearer", token: sentinel.token }))
    hosts[condition].proxy = await oneRoster(() => ({ type: "bearer", token: sentinel.token }), "/app-42")
    const clever = await Loopback.serveFake((url) => FakeClever.make({ dataset: demoDistrict, baseUrl: `${url}/v3.0`, token: sentinel.token, faults }))
    servers.push(clever)
    hosts[condition].clever = `${clever.url}/v3.0`
  }
  const closed = http.createServer()
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
  closedPort = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => closed.close(() => resolve()))
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  fs.rmSync(tmp, { recursive: true, force: true })
})

type Condition = "ok" | "401" | "500" | "unreachable"

/** The provider flags for a condition: the right secret, a wrong one (401), or a dead host. */
const providers: Readonly<Record<string, (condition: Condition) => ReadonlyArray<string>>> = {
  "oneroster oauth1": (c) => ["--provider", "oneroster", "--host", host(c, "oauth1"), "--client-id", "id", "--client-secret", secret(c)],
  "oneroster oauth2": (c) => [
    "--provider", "oneroster", "--host", host(c, "oauth2"), "--client-id", "id", "--client-secret", secret(c),
    "--token-url", `${host(c, "oauth2")}/oauth/token`
  ],
  "oneroster bearer": (c) => ["--provider", "oneroster", "--auth", "bearer", "--host", host(c, "bearer"), "--token", token(c)],
  "classlink oauth1": (c) => ["--provider", "classlink", "--host", host(c, "oauth1"), "--client-id", "id", "--client-secret", secret(c)],
  "classlink proxy": (c) => ["--provider", "classlink", "--host", host(c, "proxy"), "--token", token(c), "--application-id", "app-42"],
  clever: (c) => ["--provider", "clever", "--host", host(c, "clever"), "--token", token(c)]
}
const host = (c: Condition, kind: keyof (typeof hosts)["ok"]) => (c === "unreachable" ? closedPort : hosts[c === "500" ? "500" : "ok"][kind])
const secret = (c: Condition) => (c === "401" ? sentinel.wrong : sentinel.secret)
const token = (c: Condition) => (c === "401" ? sentinel.wrong : sentinel.token)

const commands: Readonly<Record<string, (out: string) => ReadonlyArray<string>>> = {
  users: () => ["users", "--group", "classes", "--name", "ELA 6 (6A ELA)", "--format", "ndjson"],
  list: () => ["list", "users", "--filter", "role='teacher'", "--format", "ndjson"],
  export: (out) => ["export", "--out", out, "--since", "2019-01-01"]
}

const expectedCode: Readonly<Record<Condition, number>> = { ok: 0, "401": 4, "500": 5, unreachable: 5 }

const clean = (result: Cli.Result, context: string) => {
  for (const text of [result.stdout, result.stderr]) {
    for (const s of sentinels) expect(text, context).not.toContain(s)
    expect(text, context).not.toContain("fake-oneroster-token-")
    // Logged URLs: signatures and tokens in a query string are redacted.
    for (const match of text.matchAll(/[?&](oauth_signature|oauth_token|access_token|token|client_secret)=([^&\s]*)/gi)) {
      expect(match[2], context).toBe("REDACTED")
    }
    expect(text, context).not.toMatch(/Authorization:|Bearer [A-Za-z0-9]/)
  }
}

let outCount = 0
for (const [providerName, flags] of Object.entries(providers)) {
  describe.concurrent(`${providerName}: no secret in any output`, () => {
    for (const [commandName, command] of Object.entries(commands)) {
      for (const condition of ["ok", "401", "500", "unreachable"] as const) {
        it(`${commandName}, ${condition}, --verbose`, async () => {
          const out = path.join(tmp, `out-${++outCount}`)
          const args = [...command(out), ...flags(condition), "--verbose", "--retries", "1"]
          const result = await Cli.run(args)
          const context = `${args.join(" ")}\n${result.stderr.slice(0, 2000)}`
          expect(result.code, context).toBe(expectedCode[condition])
          if (condition === "ok") expect(result.stderr, context).toMatch(/rosterkit: (GET|POST) http/)
          else expect(result.stderr, context).toMatch(/^rosterkit: /m)
          clean(result, context)
        })
      }
    }
  })
}

describe.concurrent("csv: no secret in any output", () => {
  for (const [commandName, command] of Object.entries(commands)) {
    it(`${commandName}, with unrelated secrets set, --verbose; and a missing set`, async () => {
      const zip = path.join(tmp, `csv-${commandName}.zip`)
      const exported = await Cli.run(["export", "--out", zip, "--provider", "demo", "-q"])
      expect(exported.code).toBe(0)
      const env = { ROSTERKIT_CLIENT_SECRET: sentinel.secret, ROSTERKIT_TOKEN: sentinel.token }
      const ok = await Cli.run([...command(path.join(tmp, `csv-out-${commandName}`)), "--provider", "csv", "--path", zip, "--verbose"], { env })
      expect(ok.code, ok.stderr).toBe(0)
      clean(ok, commandName)
      const missing = await Cli.run([...command(path.join(tmp, `csv-out2-${commandName}`)), "--provider", "csv", "--path", path.join(tmp, "nope.zip"), "--verbose"], { env })
      expect(missing.code, missing.stderr).toBe(3)
      clean(missing, commandName)
    })
  }
})
