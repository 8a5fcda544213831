/**
 * Reading through the gateway gives the same answers as reading the SIS directly, for
 *
 * 1. a OneRoster 1.1 client written here from the spec alone (fetch, OAuth 1.0a signed with the
 *    `oauth-1.0a` package — the gateway verifies with `oauth-sign`; pages followed through
 *    `Link rel="next"`; a list body's first value taken as the records);
 * 2. rosterkit's own OneRoster provider pointed at the gateway;
 * 3. the provider conformance suite, run against the gateway.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Model from "@rosterkit/core/Model"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import { demoDistrict } from "@rosterkit/demo/DemoDistrict"
import * as OneRosterProvider from "@rosterkit/oneroster/OneRosterProvider"
import * as Conformance from "@rosterkit/testkit/Conformance"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { gateway, oauth1, scopedGatewayOver, type Started, upstream, type Upstream, upstreamCredentials } from "./support.js"

const client = { id: "independent", secret: "independent-secret" }

// ---------------------------------------------------------------------------------------------
// 1. A OneRoster 1.1 consumer from the spec

interface SpecClient {
  readonly list: (path: string) => Promise<ReadonlyArray<Record<string, unknown>>>
}

const specClient = (baseUrl: string, key: string, secret: string): SpecClient => {
  const signer = oauth1(key, secret)
  const getJson = async (url: string) => {
    const { Authorization } = signer.toHeader(signer.authorize({ url, method: "GET" }))
    const response = await fetch(url, { headers: { Authorization, Accept: "application/json" } })
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`)
    return { body: (await response.json()) as Record<string, unknown>, link: response.headers.get("link") }
  }
  return {
    list: async (path) => {
      const out: Array<Record<string, unknown>> = []
      let url: string | undefined = `${baseUrl}${path}${path.includes("?") ? "&" : "?"}limit=37`
      while (url !== undefined) {
        const { body, link } = await getJson(url)
        const records = Object.values(body)[0] as Array<Record<string, unknown>>
        out.push(...records)
        const next = /<([^>]+)>;\s*rel="next"/.exec(link ?? "")?.[1]
        url = next === undefined ? undefined : new URL(next, url).toString()
      }
      return out
    }
  }
}

let up: Upstream
let gw: Started

beforeAll(async () => {
  up = await upstream(demoDistrict)
  gw = await gateway({ config: { districts: { demo: up.district }, gateway: { clients: [{ id: client.id, secret: client.secret }] } } })
})

afterAll(async () => {
  await gw?.close()
  await up?.close()
})

const directProvider = () =>
  OneRosterProvider.layer({
    baseUrl: up.baseUrl,
    auth: { type: "oauth1", clientId: upstreamCredentials.clientId, clientSecret: Redacted.make(upstreamCredentials.clientSecret) }
  }).pipe(Layer.provide(FetchHttpClient.layer))

const gatewayProvider = (pageSize = 100) =>
  OneRosterProvider.layer({
    baseUrl: `${gw.url}/ims/oneroster/v1p1`,
    auth: { type: "oauth1", clientId: client.id, clientSecret: Redacted.make(client.secret) },
    pageSize
  }).pipe(Layer.provide(FetchHttpClient.layer))

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
const idsOf = (records: ReadonlyArray<{ readonly sourcedId?: unknown }>) => records.map((r) => String(r.sourcedId))

describe("a spec-only OneRoster client", () => {
  it("reads users, classes and class members through the gateway as from the SIS and the provider directly", async () => {
    const viaGateway = specClient(`${gw.url}/ims/oneroster/v1p1`, client.id, client.secret)
    const direct = specClient(up.baseUrl, upstreamCredentials.clientId, upstreamCredentials.clientSecret)
    const provider = await Effect.runPromise(
      Effect.gen(function* () {
        const p = yield* RosterProvider.RosterProvider
        return {
          users: yield* collect(p.entities("users")),
          classes: yield* collect(p.entities("classes")),
          members: yield* collect(p.members("classes", "31763", "students"))
        }
      }).pipe(Effect.provide(directProvider()))
    )

    const users = await viaGateway.list("/users")
    expect(users).toEqual(await direct.list("/users"))
    expect(idsOf(users)).toEqual(idsOf(provider.users))
    expect(users.length).toBe(demoDistrict.users.length)

    const classes = await viaGateway.list("/classes")
    expect(classes).toEqual(await direct.list("/classes"))
    expect(idsOf(classes)).toEqual(idsOf(provider.classes))

    const members = await viaGateway.list("/classes/31763/students")
    expect(members).toEqual(await direct.list("/classes/31763/students"))
    expect(idsOf(members).sort()).toEqual(idsOf(provider.members).sort())

    const filtered = await viaGateway.list(`/users?filter=${encodeURIComponent("role='teacher'")}`)
    expect(filtered).toEqual(await direct.list(`/users?filter=${encodeURIComponent("role='teacher'")}`))
  })
})

describe("rosterkit's OneRoster provider pointed at the gateway", () => {
  it("answers every query shape like the provider pointed at the SIS", async () => {
    const inputs: ReadonlyArray<Query.QueryInput> = [
      { role: "users" },
      { role: "students", group: "classes", name: "ELA 6 (6A ELA)" },
      { role: "teachers", group: "schools", name: "Classlink HS" },
      { role: "users", group: "courses", name: demoDistrict.courses[0]!.title! },
      { role: "students", group: "classes", name: "302", matchOn: "location" },
      { role: "students", group: "schools", name: "7", max: 9 }
    ]
    const run = (layer: Layer.Layer<RosterProvider.RosterProvider, unknown>) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const provider = yield* RosterProvider.RosterProvider
          const engine = yield* QueryEngine.make(provider)
          const answers: Array<ReadonlyArray<string>> = []
          for (const input of inputs) answers.push(idsOf((yield* engine.run(yield* Query.make(input))).users))
          for (const kind of Model.entityKinds) answers.push(idsOf(yield* collect(provider.entities(kind))))
          return answers
        }).pipe(Effect.provide(layer))
      )
    const [direct, viaGateway] = [await run(directProvider()), await run(gatewayProvider(25))]
    expect(viaGateway).toEqual(direct)
    expect(viaGateway[0]!.length).toBe(demoDistrict.users.length)
  })
})

// ---------------------------------------------------------------------------------------------
// 3. The conformance suite, through the gateway

Conformance.suite(
  "oneroster provider through the gateway",
  (dataset, faults) =>
    Effect.gen(function* () {
      const running = yield* scopedGatewayOver(dataset, faults, client)
      const provider = yield* RosterProvider.RosterProvider.pipe(
        Effect.provide(
          OneRosterProvider.layer({
            baseUrl: `${running.url}/ims/oneroster/v1p1`,
            auth: { type: "oauth1", clientId: client.id, clientSecret: Redacted.make(client.secret) },
            pageSize: 25,
            retry: { retries: 3, baseDelay: "1 millis", maxDelay: "5 millis" }
          }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      // The requests the provider made to the gateway (its request log).
      const requestCount = () => running.log.filter((line) => line.startsWith("GET /ims/oneroster/v1p1/")).length
      return { provider, requestCount }
    }),
  {
    faults: true,
    skip: {
      auth: "an upstream 401 is the gateway's own misconfiguration: its clients get 502 (Apis.test.ts); their own 401s are in Gateway.test.ts",
      rateLimitExhausted: "the gateway answers an upstream 429 with 503 and Retry-After, as a gateway should (Apis.test.ts)",
      decode: "the gateway answers a malformed upstream body with 502; its clients never see that body"
    }
  }
)
