import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as Loopback from "@rosterkit/demo/Loopback"
import * as Chunk from "effect/Chunk"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
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

  it.effect("verify: --verify, ROSTERKIT_VERIFY (true/false, 1/0, yes/no, on/off) or the district's boolean", () =>
    Effect.gen(function* () {
      expect(Settings.tuning(yield* resolve({ verify: true })).verify).toBe(true)
      for (const word of ["1", "true", "YES", "on"]) expect(Settings.tuning(yield* resolve({}, { ROSTERKIT_VERIFY: word })).verify).toBe(true)
      for (const word of ["0", "false", "no", "off"]) expect(Settings.tuning(yield* resolve({}, { ROSTERKIT_VERIFY: word })).verify).toBe(false)
      expect(Settings.tuning(yield* resolve({})).verify).toBeUndefined()
      // the flag wins over the environment
      expect((yield* resolve({ verify: true }, { ROSTERKIT_VERIFY: "0" })).origins.verify).toBe("--verify")
      const bad = yield* Effect.flip(resolve({}, { ROSTERKIT_VERIFY: "maybe" }))
      expect(bad).toMatchObject({ _tag: "ConfigurationError", setting: "ROSTERKIT_VERIFY" })
      expect(bad.reason).toContain("must be true or false")
      const verifying = file("verify.json", { districts: { a: { provider: "clever", token: "t", verify: true } } })
      expect(Settings.tuning(yield* resolve({ config: verifying })).verify).toBe(true)
      const wrong = yield* Effect.flip(resolve({ config: file("verify-text.json", { districts: { a: { verify: "yes" } } }) }))
      expect(wrong.reason).toContain("districts.a.verify")
    })
  )

  it.live("ROSTERKIT_VERIFY reaches the provider: a pull whose roster changed between its two readings is refused", () =>
    Effect.gen(function* () {
      const before = Dataset.generate({ seed: 3, schools: 1, studentsPerSchool: 120, teachersPerSchool: 2 })
      const first = before.users[0]!
      // one record replaced at its place once the first page has been read: no count or boundary moves
      const after: Dataset.Dataset = { ...before, users: before.users.map((u) => (u === first ? { ...u, sourcedId: "swapped-in" } : u)) }
      let base = 0
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          Loopback.serveFake((url) =>
            FakeOneRoster.make({
              dataset: before,
              datasetAt: (n) => (n - base < 1 ? before : after),
              baseUrl: `${url}/ims/oneroster/v1p1`,
              auth: { type: "bearer", token: "verify-token" }
            })
          )
        ),
        (s) => Effect.promise(() => s.close())
      )
      const pull = (env: Record<string, string>) =>
        Effect.gen(function* () {
          base = server.fake.requests.length
          const settings = yield* resolve({}, { ROSTERKIT_PROVIDER: "oneroster", ROSTERKIT_HOST: server.fake.baseUrl, ROSTERKIT_TOKEN: "verify-token", ROSTERKIT_PAGE_SIZE: "50", ...env })
          const selection = yield* Providers.select(settings)
          const provider = yield* Effect.provide(RosterProvider.RosterProvider, selection.layer.pipe(Layer.provide(FetchHttpClient.layer)))
          return Chunk.toReadonlyArray(yield* Stream.runCollect(provider.entities("users"))).map((u) => u.sourcedId)
        })
      const plain = yield* pull({})
      expect(plain).toContain(first.sourcedId)
      expect(plain).not.toContain("swapped-in")
      const error = yield* Effect.flip(pull({ ROSTERKIT_VERIFY: "1" }))
      expect(error._tag).toBe("InconsistentSnapshot")
      expect(error.message).toContain("1 record added (swapped-in)")
    }).pipe(Effect.scoped)
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
