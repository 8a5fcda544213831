import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Providers from "@rosterkit/config/Providers"
import * as Settings from "@rosterkit/config/Settings"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-settings-"))
const file = (name: string, content: unknown) => {
  const p = path.join(dir, name)
  fs.writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content))
  return p
}

const resolve = (flags: Settings.Flags, env: Record<string, string> = {}) =>
  Settings.resolve(flags).pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeContext.layer)
  )

const districts = file("districts.json", {
  default: "springfield",
  districts: {
    springfield: { provider: "classlink", host: "https://spring.example", clientId: "cfg-id", clientSecret: { env: "SPRING_SECRET" }, pageSize: 500 },
    shelbyville: { provider: "csv", path: "exports/shelby.zip", retries: 2 }
  }
})

describe("Settings.resolve", () => {
  it.effect("flags win over the environment, which wins over the config file", () =>
    Effect.gen(function* () {
      const s = yield* resolve(
        { config: districts, host: "https://flag.example" },
        { ROSTERKIT_HOST: "https://env.example", ROSTERKIT_CLIENT_ID: "env-id", SPRING_SECRET: "s3cret" }
      )
      expect(s.district).toBe("springfield")
      expect(s.values.provider).toBe("classlink")
      expect(s.values.host).toBe("https://flag.example")
      expect(s.values.clientId).toBe("env-id")
      expect(Redacted.value(s.values.clientSecret!)).toBe("s3cret")
      expect(s.values.pageSize).toBe(500)
      expect(s.origins).toMatchObject({ host: "--host", clientId: "ROSTERKIT_CLIENT_ID" })
      expect(s.origins.pageSize).toContain("districts.springfield.pageSize in")
    })
  )

  it.effect("picks a district by flag or variable; relative csv paths are relative to the file", () =>
    Effect.gen(function* () {
      const s = yield* resolve({ config: districts }, { ROSTERKIT_DISTRICT: "shelbyville" })
      expect(s.values.provider).toBe("csv")
      expect(s.values.path).toBe(path.join(dir, "exports/shelby.zip"))
      expect(Settings.tuning(s)).toMatchObject({ retry: { retries: 2 } })
    })
  )

  it.effect("reads numbers from the environment and turns them into provider options", () =>
    Effect.gen(function* () {
      const s = yield* resolve({}, { ROSTERKIT_PAGE_SIZE: "250", ROSTERKIT_TIMEOUT: "1.5", ROSTERKIT_RETRIES: "0", ROSTERKIT_CONCURRENCY: "2" })
      const t = Settings.tuning(s)
      expect(t.pageSize).toBe(250)
      expect(t.concurrency).toBe(2)
      expect(Duration.toMillis(t.timeout!)).toBe(1500)
      expect(t.retry?.retries).toBe(0)
    })
  )

  it.effect("names the variable of a bad value", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(resolve({}, { ROSTERKIT_PAGE_SIZE: "lots" }))
      expect(error._tag).toBe("ConfigurationError")
      expect(error.setting).toBe("ROSTERKIT_PAGE_SIZE")
      expect(error.reason).toContain("'lots'")
      const flag = yield* Effect.flip(resolve({ retries: -1 }))
      expect(flag.setting).toBe("--retries")
    })
  )

  it.effect("treats blank values as absent", () =>
    Effect.gen(function* () {
      const s = yield* resolve({ host: "  " }, { ROSTERKIT_PROVIDER: "" })
      expect(s.values).toStrictEqual({})
    })
  )

  it.effect("reports malformed, unknown-keyed and unreadable config files", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.flip(resolve({ config: file("bad.json", "{ districts: ") }))
      expect(bad.setting).toContain("--config")
      expect(bad.reason).toContain("not valid JSON")
      const typo = yield* Effect.flip(resolve({ config: file("typo.json", { districts: { a: { provder: "clever" } } }) }))
      expect(typo.reason).toContain("districts.a.provder")
      const wrongType = yield* Effect.flip(resolve({ config: file("type.json", { districts: { a: { pageSize: "big" } } }) }))
      expect(wrongType.reason).toContain("districts.a.pageSize")
      const missing = yield* Effect.flip(resolve({ config: path.join(dir, "nope.json") }))
      expect(missing.reason).toContain("cannot be read")
    })
  )

  it.effect("needs a district name when the file has several and no default", () =>
    Effect.gen(function* () {
      const two = file("two.json", { districts: { a: { provider: "clever" }, b: { provider: "csv" } } })
      const error = yield* Effect.flip(resolve({ config: two }))
      expect(error.setting).toBe("--district / ROSTERKIT_DISTRICT")
      expect(error.reason).toContain("a, b")
      const unknown = yield* Effect.flip(resolve({ config: two, district: "c" }))
      expect(unknown.reason).toContain("no district 'c'")
      const orphan = yield* Effect.flip(resolve({ district: "a" }))
      expect(orphan.reason).toContain("needs a config file")
      const unset = yield* Effect.flip(resolve({ config: districts }))
      expect(unset.reason).toContain("SPRING_SECRET")
    })
  )
})

describe("Providers.select", () => {
  it.effect("runs the demo when nothing is configured, refuses half a configuration", () =>
    Effect.gen(function* () {
      const none = yield* Providers.select(yield* resolve({}))
      expect(none).toMatchObject({ name: "demo", implicitDemo: true })
      const half = yield* Effect.flip(Providers.select(yield* resolve({}, { ROSTERKIT_TOKEN: "t" })))
      expect(half.setting).toBe("--provider / ROSTERKIT_PROVIDER")
      expect(half.reason).toContain("ROSTERKIT_TOKEN")
      const unknown = yield* Effect.flip(Providers.select(yield* resolve({}, { ROSTERKIT_PROVIDER: "powerschool" })))
      expect(unknown.setting).toBe("ROSTERKIT_PROVIDER")
      expect(unknown.reason).toContain("demo, oneroster, classlink, clever, csv")
    })
  )

  it.effect("the implicit demo only when nothing points at a SIS", () =>
    Effect.gen(function* () {
      // Tuning flags alone still run the demo (the CLI prints the demo line).
      expect(yield* Providers.select(yield* resolve({ pageSize: 5 }))).toMatchObject({ name: "demo", implicitDemo: true })
      // Any ROSTERKIT_* variable, tuning ones included, rules it out.
      const tuning = yield* Effect.flip(Providers.select(yield* resolve({}, { ROSTERKIT_PAGE_SIZE: "5" })))
      expect(tuning.setting).toBe("--provider / ROSTERKIT_PROVIDER")
      expect(tuning.reason).toContain("is required when ROSTERKIT_PAGE_SIZE is set")
      expect(tuning.reason).toContain("built-in demo district")
      // A config file whose district names no provider.
      const noProvider = file("no-provider.json", { districts: { north: { host: "https://north.example" , pageSize: 10 } } })
      const fromFile = yield* Effect.flip(Providers.select(yield* resolve({ config: noProvider })))
      expect(fromFile.setting).toBe("--provider / ROSTERKIT_PROVIDER")
      const tuningOnly = file("tuning-only.json", { districts: { north: { pageSize: 10 } } })
      const tuned = yield* Effect.flip(Providers.select(yield* resolve({ config: tuningOnly })))
      expect(tuned.reason).toContain(`district 'north' of ${tuningOnly} has no "provider"`)
      // A connection flag without a provider.
      const scoped = yield* Effect.flip(Providers.select(yield* resolve({ scope: "roster.readonly" })))
      expect(scoped.reason).toContain("--scope")
      // A stray (misspelt) variable, seen in the process environment.
      const settings = yield* resolve({})
      const stray = yield* Effect.flip(Providers.select({ ...settings, variables: ["ROSTERKIT_HOTS"] }))
      expect(stray.reason).toContain("ROSTERKIT_HOTS (not a rosterkit setting)")
      // --provider demo is explicit.
      expect(yield* Providers.select(yield* resolve({ provider: "demo" }, { ROSTERKIT_PAGE_SIZE: "5" }))).toMatchObject({ name: "demo", implicitDemo: false })
    })
  )

  it("lists the ROSTERKIT_* variables set, leaving out diagnostics and blanks", () => {
    expect(Settings.rosterkitVariables({ ROSTERKIT_HOTS: "x", ROSTERKIT_DEBUG: "1", ROSTERKIT_TOKEN: " ", PATH: "/bin", ROSTERKIT_CSV: "a.zip" })).toStrictEqual([
      "ROSTERKIT_CSV",
      "ROSTERKIT_HOTS"
    ])
  })

  it("gives a bare OneRoster origin the standard path", () => {
    expect(Providers.oneRosterBaseUrl("https://sis.example.org")).toBe("https://sis.example.org/ims/oneroster/v1p1/")
    expect(Providers.oneRosterBaseUrl("https://sis.example.org/api/v1p1/")).toBe("https://sis.example.org/api/v1p1/")
  })
})
