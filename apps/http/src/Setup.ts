/**
 * What the gateway serves and to whom, from the same places as the CLI (flags > ROSTERKIT_*
 * variables > --config file district > defaults), plus its own settings:
 *
 * - one client from ROSTERKIT_GATEWAY_CLIENT_ID + ROSTERKIT_GATEWAY_CLIENT_SECRET (OAuth 1.0a and
 *   OAuth 2) and/or ROSTERKIT_GATEWAY_TOKEN (bearer), bound to the district in use;
 * - several from the config file's `gateway.clients`, each with its `district`: every district a
 *   client is bound to is served, side by side;
 * - with nothing configured, the demo district and the demo client (demo-client / demo-secret).
 *
 * A district that is configured but has no client is refused: the gateway never serves anonymously.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Providers from "@rosterkit/config/Providers"
import * as Settings from "@rosterkit/config/Settings"
import { ConfigurationError } from "@rosterkit/core/RosterError"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Auth from "./Auth.js"

export const env = {
  clientId: "ROSTERKIT_GATEWAY_CLIENT_ID",
  clientSecret: "ROSTERKIT_GATEWAY_CLIENT_SECRET",
  token: "ROSTERKIT_GATEWAY_TOKEN",
  cacheTtl: "ROSTERKIT_GATEWAY_CACHE_TTL"
} as const

/** The gateway's flags: the CLI's provider flags, and its own. */
export type Flags = Settings.Flags & {
  /** Seconds; 0 turns the upstream cache off. */
  readonly cacheTtl?: number | undefined
}

export interface District {
  readonly name: string
  readonly selection: Providers.Selection
}

export interface Plan {
  readonly districts: ReadonlyArray<District>
  readonly clients: ReadonlyArray<Auth.Client>
  /** Seconds. */
  readonly cacheTtl: number
  /** Lines to print at start-up (the demo note …). */
  readonly notes: ReadonlyArray<string>
}

export const defaultCacheTtl = 300

const configurationError = (setting: string, reason: string) =>
  new ConfigurationError({ provider: "rosterkit-http", operation: "configure", setting, reason })

const envText = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map((value) => Option.getOrUndefined(Option.filter(value, (v) => v.trim() !== ""))),
    Effect.orElseSucceed(() => undefined)
  )

const envConfigPath = envText(Settings.configSpec.env)

const select = (settings: Settings.Settings) => Effect.either(Providers.select(settings)).pipe(Effect.flatten)

/** Resolves what to serve. */
export const plan = (flags: Flags): Effect.Effect<Plan, ConfigurationError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const notes: Array<string> = []
    const configPath = flags.config ?? (yield* envConfigPath)
    const file = configPath === undefined ? undefined : yield* Settings.readConfigFile(configPath)

    // Cache TTL: flag > environment > config file > 5 minutes.
    let cacheTtl = flags.cacheTtl ?? file?.gateway?.cacheTtl ?? defaultCacheTtl
    const envTtl = yield* envText(env.cacheTtl)
    if (flags.cacheTtl === undefined && envTtl !== undefined) cacheTtl = Number(envTtl)
    if (!Number.isFinite(cacheTtl) || cacheTtl < 0) {
      return yield* configurationError(`--cache-ttl / ${env.cacheTtl}`, `must be a number of seconds of at least 0, not '${String(envTtl ?? cacheTtl)}'`)
    }

    // The district in use (as the CLI picks it), for the client from the environment.
    const envId = yield* envText(env.clientId)
    const envSecret = yield* envText(env.clientSecret)
    const envToken = yield* envText(env.token)
    const fileClients = file?.gateway?.clients ?? []
    // With only file clients, each names its district: no district has to be "in use".
    const mainResolved = yield* Effect.either(Effect.flatMap(Settings.resolve(flags), (settings) => Effect.map(select(settings), (main) => ({ settings, main }))))
    if (mainResolved._tag === "Left" && (fileClients.length === 0 || envId !== undefined || envToken !== undefined)) {
      return yield* mainResolved.left
    }
    const districts = new Map<string, District>()
    let mainName = "demo"
    let implicitDemo = false
    if (mainResolved._tag === "Right") {
      const { settings, main } = mainResolved.right
      mainName = settings.district ?? main.name
      implicitDemo = main.implicitDemo
      districts.set(mainName, { name: mainName, selection: main })
    }

    const clients: Array<Auth.Client> = []
    if (envSecret !== undefined && envId === undefined) {
      return yield* configurationError(env.clientId, `is required with ${env.clientSecret}`)
    }
    if (envId !== undefined && envSecret === undefined && envToken === undefined) {
      return yield* configurationError(env.clientSecret, `is required with ${env.clientId} (or set ${env.token})`)
    }
    if (envId !== undefined || envToken !== undefined) {
      clients.push({
        id: envId ?? "gateway-client",
        district: mainName,
        secret: envSecret === undefined ? undefined : Redacted.make(envSecret),
        token: envToken === undefined ? undefined : Redacted.make(envToken)
      })
    }

    for (const [index, entry] of fileClients.entries()) {
      const where = `gateway.clients[${index}] in ${configPath}`
      const names = Object.keys(file!.districts)
      const district = entry.district ?? file!.default ?? (names.length === 1 ? names[0] : undefined)
      if (district === undefined) return yield* configurationError(where, `needs "district" (one of ${names.join(", ")})`)
      if (file!.districts[district] === undefined) {
        return yield* configurationError(where, `district '${district}' is not in "districts" (${names.join(", ") || "none"})`)
      }
      if (entry.secret === undefined && entry.token === undefined) return yield* configurationError(where, `needs "secret" or "token"`)
      if (clients.some((c) => c.id === entry.id)) return yield* configurationError(where, `client id '${entry.id}' is used twice`)
      clients.push({
        id: entry.id,
        district,
        secret: entry.secret === undefined ? undefined : yield* Settings.secretOf(entry.secret, `${where}.secret`),
        token: entry.token === undefined ? undefined : yield* Settings.secretOf(entry.token, `${where}.token`)
      })
      if (!districts.has(district)) {
        const districtSettings = yield* Settings.resolve({ ...flags, config: configPath, district })
        districts.set(district, { name: district, selection: yield* select(districtSettings) })
      }
    }

    if (clients.length === 0) {
      if (!implicitDemo) {
        return yield* configurationError(
          `${env.clientId} / ${env.clientSecret}`,
          `no gateway client is configured (the gateway never serves anonymously): set them, ${env.token}, or "gateway.clients" in the --config file`
        )
      }
      clients.push({ id: Providers.demoCredentials.clientId, district: mainName, secret: Redacted.make(Providers.demoCredentials.clientSecret) })
      notes.push(`${Providers.demoNote}; client id ${Providers.demoCredentials.clientId}, secret ${Providers.demoCredentials.clientSecret}`)
    } else if (implicitDemo) {
      notes.push(Providers.demoNote)
    }

    // Only districts some client can read are served.
    const served = [...districts.values()].filter((d) => clients.some((c) => c.district === d.name))
    return { districts: served, clients, cacheTtl, notes }
  })
