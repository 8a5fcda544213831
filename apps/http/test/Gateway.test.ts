/**
 * The gateway over real HTTP: two districts (the demo district and a generated one) behind two
 * upstream OneRoster servers on loopback, three clients, talked to with fetch.
 */
import * as Dataset from "@rosterkit/demo/Dataset"
import { demoDistrict } from "@rosterkit/demo/DemoDistrict"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  bearerGet,
  codeMinorOf,
  descriptionOf,
  gateway,
  oauth1,
  signedGet,
  smallDistrict,
  type Started,
  upstream,
  type Upstream,
  upstreamCredentials
} from "./support.js"

const south = smallDistrict(7)
let north: Upstream
let southUp: Upstream
let gw: Started
let skew = 0

const northClient = { id: "north-app", secret: "north-secret-ü/+=" }
const southClient = { id: "south-app", secret: "south-secret" }
const bearerKey = "static-key-for-reports"

beforeAll(async () => {
  north = await upstream(demoDistrict)
  southUp = await upstream(south)
  gw = await gateway({
    config: {
      default: "north",
      districts: { north: north.district, south: southUp.district },
      gateway: {
        clients: [
          { id: northClient.id, secret: northClient.secret, district: "north" },
          { id: southClient.id, secret: { env: "SOUTH_SECRET" }, district: "south" },
          { id: "reports", token: bearerKey, district: "north" }
        ]
      }
    },
    env: { SOUTH_SECRET: southClient.secret },
    auth: { now: () => Date.now() + skew }
  })
})

afterAll(async () => {
  await gw?.close()
  await north?.close()
  await southUp?.close()
})

const or = (path: string) => `${gw.url}/ims/oneroster/v1p1${path}`
const asNorth = (url: string, headers: Record<string, string> = {}) => signedGet(url, northClient.id, northClient.secret, headers)
const asSouth = (url: string) => signedGet(url, southClient.id, southClient.secret)
const ids = (records: ReadonlyArray<{ readonly sourcedId: string }>) => records.map((r) => r.sourcedId)

const token = async (id: string, secret: string) => {
  const response = await fetch(`${gw.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}` },
    body: "grant_type=client_credentials"
  })
  return { status: response.status, body: (await response.json()) as { access_token?: string; expires_in?: number; error?: string } }
}

describe("operations", () => {
  it("GET /health needs no authentication and returns no data", async () => {
    const response = await fetch(`${gw.url}/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: "ok" })
  })

  it("GET /openapi.json is generated from the API definition", async () => {
    const response = await fetch(`${gw.url}/openapi.json`)
    expect(response.status).toBe(200)
    const spec = (await response.json()) as { openapi: string; paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } }
    expect(spec.openapi).toMatch(/^3\./)
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/health",
        "/oauth/token",
        "/v1/users",
        "/v1/{entity}",
        "/ims/oneroster/v1p1/{collection}",
        "/ims/oneroster/v1p1/{collection}/{sourcedId}",
        "/ims/oneroster/v1p1/{collection}/{sourcedId}/{relation}",
        "/ims/oneroster/v1p1/schools/{schoolId}/classes/{classId}/{relation}"
      ])
    )
    expect(Object.keys(spec.components.securitySchemes).sort()).toEqual(["bearer", "oauth1", "oauth2"])
  })

  it("GET /docs is a self-contained API reference page (no external scripts)", async () => {
    const response = await fetch(`${gw.url}/docs`)
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toContain("text/html")
    const html = await response.text()
    expect(html).toContain("SwaggerUIBundle")
    expect(html).toContain("/ims/oneroster/v1p1/{collection}")
    expect(html).not.toMatch(/<script[^>]+src=/i)
    expect(html).not.toMatch(/<link[^>]+href="https?:/i)
  })

  it("logs one line per request: method, path without secrets, status, ms, client id", async () => {
    const url = or("/orgs?limit=1")
    const signer = oauth1(northClient.id, northClient.secret)
    const params = signer.authorize({ url, method: "GET" })
    const query = new URLSearchParams(Object.entries(params).filter(([k]) => k.startsWith("oauth_")).map(([k, v]) => [k, String(v)]))
    const response = await fetch(`${url}&${query.toString()}`)
    expect(response.status).toBe(200)
    const line = gw.log.find((l) => l.startsWith("GET /ims/oneroster/v1p1/orgs?limit=1&oauth_"))
    expect(line).toMatch(/ 200 \d+ms client=north-app$/)
    expect(line).toContain("oauth_signature=REDACTED")
    expect(line).not.toContain(String(params.oauth_signature))
  })

  it("an unknown path is a 404 statusInfoSet", async () => {
    for (const path of ["/nope", "/v1", "/ims/oneroster/v1p1/users/1/2/3/4/5/6"]) {
      const response = await asNorth(`${gw.url}${path}`)
      expect(response.status, path).toBe(404)
      expect(codeMinorOf(await response.json()), path).toBe("unknownobject")
    }
    const unknownCollection = await asNorth(or("/widgets"))
    expect(unknownCollection.status).toBe(404)
    expect(codeMinorOf(await unknownCollection.json())).toBe("unknownobject")
  })
})

describe("authentication", () => {
  it("refuses a request without credentials", async () => {
    for (const url of [or("/users"), `${gw.url}/v1/users`]) {
      const response = await fetch(url)
      expect(response.status).toBe(401)
      expect(response.headers.get("www-authenticate")).toContain("OAuth")
      const body = await response.json()
      expect(codeMinorOf(body)).toBe("unauthorisedrequest")
      expect(JSON.stringify(body)).not.toContain("sourcedId")
    }
  })

  it("OAuth 1.0a in the Authorization header", async () => {
    const response = await asNorth(or("/schools"))
    expect(response.status).toBe(200)
    expect(ids(((await response.json()) as { orgs: Array<{ sourcedId: string }> }).orgs)).toEqual(
      ids(Dataset.byKind(demoDistrict, "schools"))
    )
  })

  it("OAuth 1.0a in query parameters", async () => {
    const url = or("/classes?filter=title%3D%27Chemistry%27")
    const params = oauth1(northClient.id, northClient.secret).authorize({ url, method: "GET" })
    const query = new URLSearchParams(Object.entries(params).filter(([k]) => k.startsWith("oauth_")).map(([k, v]) => [k, String(v)]))
    const response = await fetch(`${url}&${query.toString()}`)
    expect(response.status).toBe(200)
    expect(ids(((await response.json()) as { classes: Array<{ sourcedId: string }> }).classes)).toEqual(["31750"])
  })

  it("OAuth 1.0a: a wrong secret, an unknown key, a replayed nonce and a stale timestamp are refused", async () => {
    const wrong = await signedGet(or("/users"), northClient.id, "not-the-secret")
    expect(wrong.status).toBe(401)
    expect(descriptionOf(await wrong.json())).toContain("invalid signature")

    const unknown = await signedGet(or("/users"), "nobody", northClient.secret)
    expect(unknown.status).toBe(401)

    const url = or("/orgs")
    const signer = oauth1(northClient.id, northClient.secret)
    const header = signer.toHeader(signer.authorize({ url, method: "GET" })).Authorization
    expect((await fetch(url, { headers: { authorization: header } })).status).toBe(200)
    const replay = await fetch(url, { headers: { authorization: header } })
    expect(replay.status).toBe(401)
    expect(descriptionOf(await replay.json())).toContain("oauth_nonce")

    skew = 10 * 60 * 1000
    try {
      const stale = await asNorth(url)
      expect(stale.status).toBe(401)
      expect(descriptionOf(await stale.json())).toContain("oauth_timestamp")
    } finally {
      skew = 0
    }

    // A signature over other parameters than the ones sent.
    const signedFor = signer.toHeader(signer.authorize({ url: or("/orgs?limit=1"), method: "GET" })).Authorization
    expect((await fetch(or("/orgs?limit=2"), { headers: { authorization: signedFor } })).status).toBe(401)
  })

  it("OAuth 2 client credentials: a token that works, then expires", async () => {
    const issued = await token(northClient.id, northClient.secret)
    expect(issued.status).toBe(200)
    expect(issued.body.expires_in).toBe(3600)
    const ok = await bearerGet(or("/orgs"), issued.body.access_token!)
    expect(ok.status).toBe(200)

    skew = 3601 * 1000
    try {
      const expired = await bearerGet(or("/orgs"), issued.body.access_token!)
      expect(expired.status).toBe(401)
      expect(descriptionOf(await expired.json())).toContain("expired")
    } finally {
      skew = 0
    }
  })

  it("OAuth 2: wrong secret, wrong grant and a forged token are refused", async () => {
    const wrong = await token(northClient.id, "wrong")
    expect(wrong.status).toBe(401)
    expect(wrong.body.error).toBe("invalid_client")
    const grant = await fetch(`${gw.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=password&client_id=${northClient.id}&client_secret=${encodeURIComponent(northClient.secret)}`
    })
    expect(grant.status).toBe(400)
    const issued = await token(southClient.id, southClient.secret)
    const [prefix, , expires, signature] = issued.body.access_token!.split(".")
    const forged = [prefix, Buffer.from(northClient.id).toString("base64url"), expires, signature].join(".")
    expect((await bearerGet(or("/orgs"), forged)).status).toBe(401)
    expect((await bearerGet(or("/orgs"), "rk.garbage")).status).toBe(401)
  })

  it("a static bearer key", async () => {
    expect((await bearerGet(or("/orgs"), bearerKey)).status).toBe(200)
    const wrong = await bearerGet(or("/orgs"), `${bearerKey}x`)
    expect(wrong.status).toBe(401)
    expect(codeMinorOf(await wrong.json())).toBe("unauthorisedrequest")
  })
})

describe("two districts", () => {
  it("each client reads its own district only", async () => {
    const northUsers = ((await (await asNorth(or("/users?limit=1000"))).json()) as { users: Array<{ sourcedId: string }> }).users
    const southUsers = ((await (await asSouth(or("/users?limit=1000"))).json()) as { users: Array<{ sourcedId: string }> }).users
    expect(ids(northUsers)).toEqual(ids(demoDistrict.users))
    expect(ids(southUsers)).toEqual(ids(south.users))
    // A record of the other district is not there for this client.
    const cross = await asNorth(or(`/users/${south.users[0]!.sourcedId}`))
    expect(cross.status).toBe(404)
    expect(codeMinorOf(await cross.json())).toBe("unknownobject")
    const crossBack = await asSouth(or(`/users/${demoDistrict.users[0]!.sourcedId}`))
    expect(crossBack.status).toBe(404)
    // The query API too.
    const southStudents = (await (await asSouth(`${gw.url}/v1/users?role=students`)).json()) as Array<{ sourcedId: string }>
    expect(ids(southStudents)).toEqual(ids(south.users.filter((u) => u.role === "student")))
  })
})

describe("upstream secrets", () => {
  it("never appear in a response or a log line", async () => {
    const bodies: Array<string> = []
    for (const path of ["/users?limit=5", "/users/nope", "/classes?filter=bad", "/openapi.json"]) {
      const response = await asNorth(path === "/openapi.json" ? `${gw.url}${path}` : or(path))
      bodies.push(JSON.stringify([...response.headers.entries()]), await response.text())
    }
    for (const text of [...bodies, ...gw.log]) {
      expect(text).not.toContain(upstreamCredentials.clientSecret)
      expect(text).not.toContain(north.url)
    }
  })
})
