/**
 * The provider registry: one entry per `--provider` value, each turning resolved settings
 * into a `RosterProvider` layer. Adding a provider is one entry here.
 *
 * Every entry checks what its provider needs first (a missing setting is a ConfigurationError
 * naming the flag and the environment variable), and a provider's own ConfigurationError
 * (a bad URL, a page size out of range …) is renamed to the flag the user can fix.
 *
 * Provider packages are imported when their entry runs: a command loads only the provider it uses.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { ConfigurationError } from "@rosterkit/core/RosterError"
import type * as RosterProvider from "@rosterkit/core/RosterProvider"
import type * as OneRosterClient from "@rosterkit/oneroster/OneRosterClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Settings from "./Settings.js"

/** What every registry entry returns. */
export type ProviderLayer = Layer.Layer<RosterProvider.RosterProvider, ConfigurationError, HttpClient.HttpClient>

/** A registry entry: settings in, provider layer out. */
export type Entry = (settings: Settings.Settings) => ProviderLayer

/** The demo district's OAuth 1.0a credentials (the demo loopback server checks them). */
export const demoCredentials = { clientId: "demo-client", clientSecret: "demo-secret" } as const

/** Provider setting names (as their packages spell them) -> the CLI setting. */
const settingKeys: Readonly<Record<string, Settings.Key>> = {
  host: "host",
  baseUrl: "host",
  clientId: "clientId",
  "auth.clientId": "clientId",
  clientSecret: "clientSecret",
  "auth.clientSecret": "clientSecret",
  token: "token",
  "auth.token": "token",
  applicationId: "applicationId",
  "auth.type": "auth",
  "auth.tokenUrl": "tokenUrl",
  "auth.scope": "scope",
  path: "path",
  pageSize: "pageSize",
  concurrency: "concurrency",
  timeout: "timeout",
  retry: "retries",
  "retry.retries": "retries",
  "retry.deadline": "deadline",
  "retry.maxWait": "maxWait",
  verify: "verify"
}

/** Renames a provider's ConfigurationError setting to the flag / variable / config key that set it. */
const renameSetting =
  (settings: Settings.Settings) =>
  (error: ConfigurationError): ConfigurationError => {
    const key = settingKeys[error.setting]
    if (key === undefined) return error
    const origin = settings.origins[key]
    const setting = origin !== undefined && origin.includes(" in ") ? origin : Settings.describeKey(key)
    return new ConfigurationError({ provider: error.provider, operation: error.operation, setting, reason: error.reason })
  }

/** Imports a provider module on demand. */
const load = <M>(module: () => Promise<M>): Effect.Effect<M> => Effect.promise(module)

const checked = (settings: Settings.Settings, build: Effect.Effect<ProviderLayer, ConfigurationError>): ProviderLayer =>
  Layer.unwrapEffect(build).pipe(Layer.catchAll((error) => Layer.fail(renameSetting(settings)(error))))

/** A bare origin (`https://sis.example.org`) gets the OneRoster 1.1 path; anything else is kept. */
export const oneRosterBaseUrl = (host: string): string => {
  try {
    const url = new URL(host)
    if (url.pathname === "/" || url.pathname === "") url.pathname = "/ims/oneroster/v1p1/"
    return url.toString()
  } catch {
    return host // the provider reports the bad URL
  }
}

const demo: Entry = (settings) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      // Loaded on demand: only the demo needs its server and dataset.
      const Loopback = yield* load(() => import("@rosterkit/demo/Loopback"))
      const ClassLinkProvider = yield* load(() => import("@rosterkit/classlink/ClassLinkProvider"))
      const server = yield* Effect.acquireRelease(Effect.promise(() => Loopback.serveDemo()), (s) => Effect.promise(() => s.close()))
      return ClassLinkProvider.layer({
        host: server.url,
        clientId: demoCredentials.clientId,
        clientSecret: Redacted.make(demoCredentials.clientSecret),
        ...Settings.tuning(settings)
      })
    })
  )

const oneroster: Entry = (settings) =>
  checked(
    settings,
    Effect.gen(function* () {
      const name = "oneroster"
      const v = settings.values
      const host = yield* Settings.require(settings, "host", name, "the OneRoster base URL")
      const scheme: Settings.AuthScheme = v.auth ?? (v.token !== undefined ? "bearer" : v.tokenUrl !== undefined ? "oauth2" : "oauth1")
      let auth: OneRosterClient.AuthOptions
      switch (scheme) {
        case "bearer":
          auth = { type: "bearer", token: yield* Settings.require(settings, "token", name, "--auth bearer") }
          break
        case "oauth2":
          auth = {
            type: "oauth2",
            clientId: yield* Settings.require(settings, "clientId", name, "--auth oauth2"),
            clientSecret: yield* Settings.require(settings, "clientSecret", name, "--auth oauth2"),
            tokenUrl: yield* Settings.require(settings, "tokenUrl", name, "--auth oauth2"),
            scope: v.scope
          }
          break
        case "oauth1":
          auth = {
            type: "oauth1",
            clientId: yield* Settings.require(settings, "clientId", name, "--auth oauth1"),
            clientSecret: yield* Settings.require(settings, "clientSecret", name, "--auth oauth1")
          }
          break
      }
      const OneRosterProvider = yield* load(() => import("@rosterkit/oneroster/OneRosterProvider"))
      return OneRosterProvider.layer({ baseUrl: oneRosterBaseUrl(host), auth, ...Settings.tuning(settings) })
    })
  )

const classlink: Entry = (settings) =>
  checked(
    settings,
    Effect.gen(function* () {
      const name = "classlink"
      const v = settings.values
      const ClassLinkProvider = yield* load(() => import("@rosterkit/classlink/ClassLinkProvider"))
      if (v.token !== undefined) {
        const applicationId = yield* Settings.require(settings, "applicationId", name, "with --token, through ClassLink's OneRoster proxy")
        return ClassLinkProvider.layer({ token: v.token, applicationId, host: v.host, ...Settings.tuning(settings) })
      }
      const host = yield* Settings.require(settings, "host", name, "the tenant's OneRoster URL; or use --token and --application-id")
      const clientId = yield* Settings.require(settings, "clientId", name)
      const clientSecret = yield* Settings.require(settings, "clientSecret", name)
      return ClassLinkProvider.layer({ host, clientId, clientSecret, ...Settings.tuning(settings) })
    })
  )

const clever: Entry = (settings) =>
  checked(
    settings,
    Effect.gen(function* () {
      const token = yield* Settings.require(settings, "token", "clever", "the district token")
      const tuning = Settings.tuning(settings)
      const CleverProvider = yield* load(() => import("@rosterkit/clever/CleverProvider"))
      return CleverProvider.layer({ token, host: settings.values.host, ...tuning })
    })
  )

const csv: Entry = (settings) =>
  checked(
    settings,
    Effect.gen(function* () {
      const path = yield* Settings.require(settings, "path", "csv", "a folder or .zip of OneRoster CSV files")
      const CsvProvider = yield* load(() => import("@rosterkit/csv/CsvProvider"))
      return CsvProvider.layer({ path })
    })
  )

/** The registry. Keys are the `--provider` choices. */
export const providers = { demo, oneroster, classlink, clever, csv } as const satisfies Record<string, Entry>

export type Name = keyof typeof providers

export const names = Object.keys(providers) as ReadonlyArray<Name>

const isName = (value: string): value is Name => (names as ReadonlyArray<string>).includes(value)

/** The provider a command runs against. */
export interface Selection {
  readonly name: Name
  /** True when nothing was configured and the demo district runs. */
  readonly implicitDemo: boolean
  readonly layer: ProviderLayer
}

/**
 * The line printed on stderr every time the demo runs because nothing was configured, even with
 * --quiet: a sync script with a missing variable must not provision from sample data unnoticed.
 */
export const demoNote =
  "no SIS configured (--provider / ROSTERKIT_PROVIDER / --config): reading the demo district, sample data"

const requireProvider = (reason: string) =>
  Either.left(
    new ConfigurationError({
      provider: "rosterkit",
      operation: "configure",
      setting: Settings.describeKey("provider"),
      reason: `${reason}; without it rosterkit would read the built-in demo district instead of a SIS. Use one of ${names.join(", ")}`
    })
  )

/**
 * Picks the provider: the configured one, or the demo district. The demo runs implicitly only
 * when nothing at all points at a SIS: no --provider, no connection flag (--host, --token,
 * --path …), no --config file and no ROSTERKIT_* variable (ROSTERKIT_DEBUG aside). Anything
 * else without a provider is a ConfigurationError; `--provider demo` asks for the demo
 * explicitly.
 */
export const select = (settings: Settings.Settings): Either.Either<Selection, ConfigurationError> => {
  const configured = settings.values.provider
  if (configured === undefined) {
    const given = Settings.keys.filter((k) => k !== "provider" && settings.values[k] !== undefined && Settings.connectionKeys.includes(k))
    if (given.length > 0) return requireProvider(`is required with ${given.map((k) => Settings.originOf(settings, k)).join(", ")}`)
    if (settings.configFile !== undefined) {
      const where = settings.district === undefined ? settings.configFile : `district '${settings.district}' of ${settings.configFile}`
      return requireProvider(`is required: ${where} has no "provider"`)
    }
    const variables = settings.variables ?? []
    if (variables.length > 0) {
      const known = new Set<string>([...Settings.keys.map((k) => Settings.specs[k].env), Settings.configSpec.env, Settings.districtSpec.env])
      const listed = variables.map((name) => (known.has(name) ? name : `${name} (not a rosterkit setting)`))
      return requireProvider(`is required when ${listed.join(", ")} ${variables.length === 1 ? "is" : "are"} set`)
    }
    return Either.right({ name: "demo", implicitDemo: true, layer: providers.demo(settings) })
  }
  if (!isName(configured)) {
    return Either.left(
      new ConfigurationError({
        provider: "rosterkit",
        operation: "configure",
        setting: Settings.originOf(settings, "provider"),
        reason: `'${configured}' is not a provider; use one of ${names.join(", ")}`
      })
    )
  }
  return Either.right({ name: configured, implicitDemo: false, layer: providers[configured](settings) })
}
