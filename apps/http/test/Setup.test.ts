/** What the gateway serves and to whom, from flags, ROSTERKIT_* variables and the config file. */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { planOf } from "./support.js"

const district = { provider: "oneroster", host: "https://sis.example.org", clientId: "up", clientSecret: "up-secret" }

const plan = (options: Parameters<typeof planOf>[0]) => Effect.runPromise(planOf(options))
const failure = async (options: Parameters<typeof planOf>[0]) => {
  const result = await Effect.runPromise(Effect.either(planOf(options)))
  if (Either.isRight(result)) throw new Error("expected a ConfigurationError")
  return result.left
}

describe("Setup.plan", () => {
  it("nothing configured: the demo district and the demo client, and says so", async () => {
    const p = await plan({})
    expect(p.districts.map((d) => [d.name, d.selection.name, d.selection.implicitDemo])).toEqual([["demo", "demo", true]])
    expect(p.clients.map((c) => c.id)).toEqual(["demo-client"])
    expect(p.notes.join("\n")).toContain("demo district")
    expect(p.cacheTtl).toBe(300)
  })

  it("one district from ROSTERKIT_* and one client from ROSTERKIT_GATEWAY_*", async () => {
    const p = await plan({
      env: {
        ROSTERKIT_PROVIDER: "oneroster",
        ROSTERKIT_HOST: "https://sis.example.org",
        ROSTERKIT_CLIENT_ID: "up",
        ROSTERKIT_CLIENT_SECRET: "up-secret",
        ROSTERKIT_GATEWAY_CLIENT_ID: "app",
        ROSTERKIT_GATEWAY_CLIENT_SECRET: "app-secret",
        ROSTERKIT_GATEWAY_TOKEN: "app-token",
        ROSTERKIT_GATEWAY_CACHE_TTL: "60"
      }
    })
    expect(p.districts.map((d) => d.selection.name)).toEqual(["oneroster"])
    expect(p.clients).toHaveLength(1)
    expect(p.clients[0]!.id).toBe("app")
    expect(Redacted.value(p.clients[0]!.secret!)).toBe("app-secret")
    expect(Redacted.value(p.clients[0]!.token!)).toBe("app-token")
    expect(p.cacheTtl).toBe(60)
    expect(p.notes).toEqual([])
  })

  it("a configured district without any gateway client is refused (never anonymous)", async () => {
    const error = await failure({ env: { ROSTERKIT_PROVIDER: "oneroster", ROSTERKIT_HOST: "https://sis.example.org", ROSTERKIT_CLIENT_ID: "up", ROSTERKIT_CLIENT_SECRET: "s" } })
    expect(error.message).toContain("ROSTERKIT_GATEWAY_CLIENT_ID")
    expect(error.message).toContain("gateway.clients")
  })

  it("config file clients: each bound to its district; only those districts are served", async () => {
    const p = await plan({
      config: {
        districts: { north: district, south: { ...district, host: "https://south.example.org" }, west: district },
        gateway: { clients: [{ id: "a", secret: "x", district: "north" }, { id: "b", token: { env: "B_TOKEN" }, district: "south" }], cacheTtl: 30 }
      },
      env: { B_TOKEN: "b-token" }
    })
    expect(p.districts.map((d) => d.name).sort()).toEqual(["north", "south"])
    expect(p.clients.map((c) => [c.id, c.district])).toEqual([["a", "north"], ["b", "south"]])
    expect(Redacted.value(p.clients[1]!.token!)).toBe("b-token")
    expect(p.cacheTtl).toBe(30)
  })

  it("mistakes name what to fix", async () => {
    const cases: ReadonlyArray<readonly [Parameters<typeof planOf>[0], string]> = [
      [{ config: { districts: { a: district }, gateway: { clients: [{ id: "x", secret: "s", district: "b" }] } } }, "district 'b' is not in"],
      [{ config: { districts: { a: district }, gateway: { clients: [{ id: "x" }] } } }, 'needs "secret" or "token"'],
      [{ config: { districts: { a: district }, gateway: { clients: [{ id: "x", secret: "s" }, { id: "x", token: "t" }] } } }, "used twice"],
      [{ config: { districts: { a: district }, gateway: { clients: [{ id: "x", token: { env: "MISSING_VAR" } }] } } }, "MISSING_VAR"],
      [{ config: { districts: { a: district }, gateway: { clients: [{ id: "x", token: "t" }], extra: 1 } } }, "extra"],
      [{ env: { ROSTERKIT_GATEWAY_CLIENT_SECRET: "s" } }, "ROSTERKIT_GATEWAY_CLIENT_ID"],
      [{ env: { ROSTERKIT_GATEWAY_CLIENT_ID: "id" } }, "ROSTERKIT_GATEWAY_CLIENT_SECRET"],
      [{ env: { ROSTERKIT_GATEWAY_CACHE_TTL: "soon" } }, "ROSTERKIT_GATEWAY_CACHE_TTL"]
    ]
    for (const [options, text] of cases) {
      const error = await failure(options)
      expect(error._tag).toBe("ConfigurationError")
      expect(error.message, text).toContain(text)
    }
  })
})
