/**
 * Provider settings, resolved from four places, first one wins per setting:
 *
 *     flags (--host)  >  environment (ROSTERKIT_HOST)  >  --config file district  >  defaults
 *
 * The config file (`--config FILE` / ROSTERKIT_CONFIG) holds several named districts:
 *
 *     { "default": "springfield",
 *       "districts": {
 *         "springfield": { "provider": "classlink", "host": "https://…", "clientId": "…",
 *                          "clientSecret": { "env": "SPRINGFIELD_SECRET" } },
 *         "shelbyville": { "provider": "clever", "token": "…", "pageSize": 5000 } } }
 *
 * Secrets (client secret, token) are `Redacted` from the moment they are read and never appear
 * in a message. Every mistake is a `ConfigurationError` naming the flag and the environment
 * variable (or the config file key) to fix.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { ConfigurationError } from "@rosterkit/core/RosterError"
import * as Resilience from "@rosterkit/core/Resilience"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

// ---------------------------------------------------------------------------------------------
// The settings

/** The OneRoster authentication schemes `--auth` accepts. */
export const authSchemes = ["oauth1", "oauth2", "bearer"] as const
export type AuthScheme = (typeof authSchemes)[number]

/** Every provider setting, by its config-file key. */
export interface Values {
  readonly provider: string
  readonly host: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly token: Redacted.Redacted<string>
  readonly applicationId: string
  readonly auth: AuthScheme
  readonly tokenUrl: string
  readonly scope: string
  readonly path: string
  readonly pageSize: number
  readonly concurrency: number
  /** Seconds. */
  readonly timeout: number
  readonly retries: number
  /** Seconds: the time budget of one request, its retries and their waits included. */
  readonly deadline: number
  /** Seconds: the longest wait a server may ask for (Retry-After, X-RateLimit-Reset). */
  readonly maxWait: number
  /** Read every listing a second time and compare the two readings (REST providers). */
  readonly verify: boolean
}
export type Key = keyof Values

type Kind = "text" | "secret" | "auth" | "positiveInt" | "count" | "seconds" | "boolean"

interface Spec {
  readonly flag: string
  readonly env: string
  readonly kind: Kind
}

/** The flag and the environment variable of each setting. */
export const specs: { readonly [K in Key]: Spec } = {
  provider: { flag: "--provider", env: "ROSTERKIT_PROVIDER", kind: "text" },
  host: { flag: "--host", env: "ROSTERKIT_HOST", kind: "text" },
  clientId: { flag: "--client-id", env: "ROSTERKIT_CLIENT_ID", kind: "text" },
  clientSecret: { flag: "--client-secret", env: "ROSTERKIT_CLIENT_SECRET", kind: "secret" },
  token: { flag: "--token", env: "ROSTERKIT_TOKEN", kind: "secret" },
  applicationId: { flag: "--application-id", env: "ROSTERKIT_APPLICATION_ID", kind: "text" },
  auth: { flag: "--auth", env: "ROSTERKIT_AUTH", kind: "auth" },
  tokenUrl: { flag: "--token-url", env: "ROSTERKIT_TOKEN_URL", kind: "text" },
  scope: { flag: "--scope", env: "ROSTERKIT_SCOPE", kind: "text" },
  path: { flag: "--path", env: "ROSTERKIT_CSV", kind: "text" },
  pageSize: { flag: "--page-size", env: "ROSTERKIT_PAGE_SIZE", kind: "positiveInt" },
  concurrency: { flag: "--concurrency", env: "ROSTERKIT_CONCURRENCY", kind: "positiveInt" },
  timeout: { flag: "--timeout", env: "ROSTERKIT_TIMEOUT", kind: "seconds" },
  retries: { flag: "--retries", env: "ROSTERKIT_RETRIES", kind: "count" },
  deadline: { flag: "--deadline", env: "ROSTERKIT_DEADLINE", kind: "seconds" },
  maxWait: { flag: "--max-wait", env: "ROSTERKIT_MAX_WAIT", kind: "seconds" },
  verify: { flag: "--verify", env: "ROSTERKIT_VERIFY", kind: "boolean" }
}

export const keys = Object.keys(specs) as ReadonlyArray<Key>

/** Where the config file and the district come from. */
export const configSpec: Spec = { flag: "--config", env: "ROSTERKIT_CONFIG", kind: "text" }
export const districtSpec: Spec = { flag: "--district", env: "ROSTERKIT_DISTRICT", kind: "text" }

/** "--client-secret / ROSTERKIT_CLIENT_SECRET". */
export const describeKey = (key: Key): string => `${specs[key].flag} / ${specs[key].env}`

/** What the command line gave (absent flags are `undefined`). */
export type Flags = { readonly [K in Key]?: Values[K] | undefined } & {
  readonly config?: string | undefined
  readonly district?: string | undefined
}

/** The resolved settings and where each one came from. */
export interface Settings {
  readonly values: Partial<Values>
  /** Per setting: "--host", "ROSTERKIT_HOST" or "districts.springfield.host in rosterkit.json". */
  readonly origins: Partial<Record<Key, string>>
  /** The config file district in use, if any. */
  readonly district?: string | undefined
  /** The config file in use (--config / ROSTERKIT_CONFIG), if any. */
  readonly configFile?: string | undefined
  /**
   * Every ROSTERKIT_* environment variable that is set (non-blank), settings and strays alike
   * (a misspelt ROSTERKIT_HOTS), except ROSTERKIT_DEBUG. Any of them rules out the implicit demo.
   */
  readonly variables?: ReadonlyArray<string> | undefined
}

/** ROSTERKIT_* variables that are diagnostics, not settings: they never rule out the demo. */
export const diagnosticVariables: ReadonlyArray<string> = ["ROSTERKIT_DEBUG"]

/** The names of the ROSTERKIT_* variables set (non-blank) in `env`, diagnostics left out. */
export const rosterkitVariables = (env: Readonly<Record<string, string | undefined>>): ReadonlyArray<string> =>
  Object.entries(env)
    .filter(([name, value]) => name.startsWith("ROSTERKIT_") && !diagnosticVariables.includes(name) && (value ?? "").trim() !== "")
    .map(([name]) => name)
    .sort()

// ---------------------------------------------------------------------------------------------
// Errors

const configurationError = (setting: string, reason: string, provider = "rosterkit") =>
  new ConfigurationError({ provider, operation: "configure", setting, reason })

/** A required setting is missing: names the flag, the variable and the config key. */
export const missing = (key: Key, provider: string, why?: string): ConfigurationError =>
  configurationError(
    describeKey(key),
    `is required for --provider ${provider}${why === undefined ? "" : ` (${why})`}; set the flag, the environment variable or "${key}" in the --config district`,
    provider
  )

/** The value of a setting the chosen provider needs, or a ConfigurationError naming its flag and variable. */
export const require = <K extends Key>(settings: Settings, key: K, provider: string, why?: string): Effect.Effect<Values[K], ConfigurationError> => {
  const value = settings.values[key]
  return value === undefined ? Effect.fail(missing(key, provider, why)) : Effect.succeed(value as Values[K])
}

/** Where a setting came from, for messages ("--host", "ROSTERKIT_HOST" …). */
export const originOf = (settings: Settings, key: Key): string => settings.origins[key] ?? describeKey(key)

// ---------------------------------------------------------------------------------------------
// Parsing one value

const parseNumber = (key: Key, raw: string | number, where: string): Either.Either<number, ConfigurationError> => {
  const kind = specs[key].kind
  const value = typeof raw === "number" ? raw : raw.trim() === "" ? Number.NaN : Number(raw.trim())
  const shown = typeof raw === "number" ? String(raw) : `'${raw}'`
  switch (kind) {
    case "positiveInt":
      return Number.isInteger(value) && value >= 1
        ? Either.right(value)
        : Either.left(configurationError(where, `must be a whole number of at least 1, not ${shown}`))
    case "count":
      return Number.isInteger(value) && value >= 0
        ? Either.right(value)
        : Either.left(configurationError(where, `must be a whole number of at least 0, not ${shown}`))
    default:
      return Number.isFinite(value) && value > 0
        ? Either.right(value)
        : Either.left(configurationError(where, `must be a positive number of seconds, not ${shown}`))
  }
}

const trueWords = ["true", "1", "yes", "on"]
const falseWords = ["false", "0", "no", "off"]

/** Parses a raw value (from the environment or the config file) for `key`. */
const parseValue = <K extends Key>(key: K, raw: string | number | boolean, where: string): Either.Either<Values[K], ConfigurationError> => {
  const kind = specs[key].kind
  if (typeof raw === "boolean") {
    return kind === "boolean" ? Either.right(raw as Values[K]) : Either.left(configurationError(where, `must not be ${raw}`))
  }
  switch (kind) {
    case "boolean": {
      const word = typeof raw === "string" ? raw.trim().toLowerCase() : String(raw)
      if (trueWords.includes(word)) return Either.right(true as Values[K])
      if (falseWords.includes(word)) return Either.right(false as Values[K])
      return Either.left(configurationError(where, `must be true or false (or 1/0, yes/no), not '${String(raw)}'`))
    }
    case "text":
      return typeof raw === "string"
        ? Either.right(raw.trim() as Values[K])
        : Either.left(configurationError(where, "must be a string"))
    case "secret":
      return typeof raw === "string"
        ? Either.right(Redacted.make(raw.trim()) as Values[K])
        : Either.left(configurationError(where, "must be a string"))
    case "auth": {
      const value = typeof raw === "string" ? raw.trim() : ""
      return (authSchemes as ReadonlyArray<string>).includes(value)
        ? Either.right(value as Values[K])
        : Either.left(configurationError(where, `must be one of ${authSchemes.join(", ")}, not '${String(raw)}'`))
    }
    default:
      return Either.map(parseNumber(key, raw, where), (n) => n as Values[K])
  }
}

const isBlank = (value: unknown) =>
  value === undefined ||
  (typeof value === "string" && value.trim() === "") ||
  (Redacted.isRedacted(value) && String(Redacted.value(value)).trim() === "")

// ---------------------------------------------------------------------------------------------
// The config file

const SecretValue = Schema.Union(Schema.String, Schema.Struct({ env: Schema.String }))
const opt = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** One district of the config file; the keys are the settings' names. */
export const District = Schema.Struct({
  provider: opt(Schema.String),
  host: opt(Schema.String),
  clientId: opt(Schema.String),
  clientSecret: opt(SecretValue),
  token: opt(SecretValue),
  applicationId: opt(Schema.String),
  auth: opt(Schema.Literal(...authSchemes)),
  tokenUrl: opt(Schema.String),
  scope: opt(Schema.String),
  path: opt(Schema.String),
  pageSize: opt(Schema.Number),
  concurrency: opt(Schema.Number),
  timeout: opt(Schema.Number),
  retries: opt(Schema.Number),
  deadline: opt(Schema.Number),
  maxWait: opt(Schema.Number),
  verify: opt(Schema.Boolean)
})
export type District = typeof District.Type

/**
 * One client of the HTTP gateway (`rosterkit-http`): `secret` for OAuth 1.0a and OAuth 2 client
 * credentials, `token` for a static bearer key, bound to one district of the file.
 */
export const GatewayClient = Schema.Struct({
  id: Schema.String,
  secret: opt(SecretValue),
  token: opt(SecretValue),
  district: opt(Schema.String)
})
export type GatewayClient = typeof GatewayClient.Type

/** The HTTP gateway's part of the config file. `cacheTtl` is in seconds. */
export const Gateway = Schema.Struct({
  clients: opt(Schema.Array(GatewayClient)),
  cacheTtl: opt(Schema.Number)
})
export type Gateway = typeof Gateway.Type

/** The config file: named districts, optionally which one to use by default, and the gateway's clients. */
export const ConfigFile = Schema.Struct({
  $schema: opt(Schema.String),
  default: opt(Schema.String),
  districts: Schema.Record({ key: Schema.String, value: District }),
  gateway: opt(Gateway)
})
export type ConfigFile = typeof ConfigFile.Type

const decodeConfigFile = Schema.decodeUnknownEither(ConfigFile, { onExcessProperty: "error", errors: "first" })

/** Parses the text of a config file; `file` is only used in messages. */
export const parseConfigFile = (text: string, file: string): Either.Either<ConfigFile, ConfigurationError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(configurationError(`--config ${file}`, `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`))
  }
  return Either.mapLeft(decodeConfigFile(json), (error) => {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
    const path = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `
    return configurationError(
      `--config ${file}`,
      `${path}${issue?.message ?? "is not a rosterkit config file"} (expected { "districts": { "<name>": { "provider": …, "host": … } } })`
    )
  })
}

/** Reads and checks a config file. */
export const readConfigFile = (file: string): Effect.Effect<ConfigFile, ConfigurationError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs
      .readFileString(file)
      .pipe(
        Effect.mapError((error) =>
          configurationError(`--config ${file}`, `cannot be read: ${error._tag === "SystemError" ? error.reason : error.message}`)
        )
      )
    return yield* parseConfigFile(text, file)
  })

const chooseDistrict = (file: ConfigFile, path: string, requested: string | undefined) => {
  const names = Object.keys(file.districts)
  const listed = names.length === 0 ? "it has none" : `it has ${names.join(", ")}`
  const name = requested ?? file.default ?? (names.length === 1 ? names[0] : undefined)
  if (name === undefined) {
    return Either.left(
      configurationError(`${districtSpec.flag} / ${districtSpec.env}`, `is required to pick a district of ${path} (${listed}), or set "default" in the file`)
    )
  }
  const district = file.districts[name]
  if (district === undefined) {
    return Either.left(configurationError(`${districtSpec.flag} / ${districtSpec.env}`, `no district '${name}' in ${path} (${listed})`))
  }
  return Either.right({ name, district })
}

// ---------------------------------------------------------------------------------------------
// Resolution

const envString = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Effect.map((value) => Option.getOrUndefined(Option.filter(value, (v) => v.trim() !== ""))),
    Effect.orElseSucceed(() => undefined)
  )

/** A secret of the config file (a string, or `{ "env": "NAME" }`), Redacted; `where` names it in errors. */
export const secretOf = (value: string | { readonly env: string }, where: string): Effect.Effect<Redacted.Redacted<string>, ConfigurationError> =>
  typeof value === "string"
    ? Effect.succeed(Redacted.make(value))
    : Effect.flatMap(envString(value.env), (fromEnv) =>
        fromEnv === undefined
          ? Effect.fail(configurationError(where, `names the environment variable ${value.env}, which is not set`))
          : Effect.succeed(Redacted.make(fromEnv))
      )

/**
 * Resolves every setting: flags, then ROSTERKIT_* variables (read through `Config`, so tests can
 * swap the ConfigProvider), then the config file's district. Relative `path`s in the config file
 * are resolved against the file's folder.
 */
export const resolve = (flags: Flags): Effect.Effect<Settings, ConfigurationError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const values: Record<string, unknown> = {}
    const origins: Partial<Record<Key, string>> = {}
    const set = (key: Key, value: unknown, origin: string) => {
      if (values[key] === undefined && !isBlank(value)) {
        values[key] = value
        origins[key] = origin
      }
    }

    // 1. flags (already typed by @effect/cli)
    for (const key of keys) {
      const value = flags[key]
      if (value === undefined) continue
      if (typeof value === "number") {
        set(key, yield* parseValue(key, value, specs[key].flag), specs[key].flag)
      } else {
        set(key, value, specs[key].flag)
      }
    }

    // 2. environment
    for (const key of keys) {
      if (values[key] !== undefined) continue
      const raw = yield* envString(specs[key].env)
      if (raw !== undefined) set(key, yield* parseValue(key, raw, specs[key].env), specs[key].env)
    }

    // 3. config file district
    const configPath = flags.config ?? (yield* envString(configSpec.env))
    const requestedDistrict = flags.district ?? (yield* envString(districtSpec.env))
    let district: string | undefined
    if (configPath === undefined) {
      if (requestedDistrict !== undefined) {
        return yield* configurationError(`${districtSpec.flag} / ${districtSpec.env}`, `'${requestedDistrict}' needs a config file (--config FILE / ROSTERKIT_CONFIG)`)
      }
    } else {
      const pathService = yield* Path.Path
      const file = yield* readConfigFile(configPath)
      const chosen = yield* chooseDistrict(file, configPath, requestedDistrict)
      district = chosen.name
      for (const key of keys) {
        const raw = chosen.district[key]
        if (raw === undefined || values[key] !== undefined) continue
        const where = `districts.${chosen.name}.${key} in ${configPath}`
        let value: string | number | boolean
        if (typeof raw === "object") {
          const fromEnv = yield* envString(raw.env)
          if (fromEnv === undefined) {
            return yield* configurationError(where, `names the environment variable ${raw.env}, which is not set`)
          }
          value = fromEnv
        } else {
          value = raw
        }
        let parsed: unknown = yield* parseValue(key, value, where)
        if (key === "path" && typeof parsed === "string" && parsed !== "") {
          parsed = pathService.resolve(pathService.dirname(configPath), parsed)
        }
        set(key, parsed, where)
      }
    }

    // Every ROSTERKIT_* variable: those read above (through Config) and any other in the process.
    const read = [
      ...keys.filter((key) => origins[key] === specs[key].env).map((key) => specs[key].env),
      ...(flags.config === undefined && configPath !== undefined ? [configSpec.env] : []),
      ...(flags.district === undefined && requestedDistrict !== undefined ? [districtSpec.env] : [])
    ]
    const variables = [...new Set([...read, ...rosterkitVariables(process.env)])].sort()

    return { values: values as Partial<Values>, origins, district, configFile: configPath, variables }
  })

// ---------------------------------------------------------------------------------------------
// Tuning, as the providers take it

export interface Tuning {
  readonly pageSize?: number
  readonly concurrency?: number
  readonly timeout?: Duration.Duration
  readonly retry?: Resilience.RetryOptions
  readonly verify?: boolean
}

const seconds = (value: number) => Duration.millis(Math.round(value * 1000))

/**
 * `--page-size`, `--concurrency`, `--timeout` (seconds), `--retries`, `--deadline`,
 * `--max-wait` (seconds) and `--verify` as provider options.
 */
export const tuning = (settings: Settings): Tuning => {
  const { pageSize, concurrency, timeout, retries, deadline, maxWait, verify } = settings.values
  const retry =
    retries === undefined && deadline === undefined && maxWait === undefined
      ? undefined
      : {
          ...Resilience.defaultRetryOptions,
          ...(retries === undefined ? {} : { retries }),
          ...(deadline === undefined ? {} : { deadline: seconds(deadline) }),
          ...(maxWait === undefined ? {} : { maxWait: seconds(maxWait) })
        }
  return {
    ...(pageSize === undefined ? {} : { pageSize }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(timeout === undefined ? {} : { timeout: seconds(timeout) }),
    ...(retry === undefined ? {} : { retry }),
    ...(verify === undefined ? {} : { verify })
  }
}

/** The settings that point at a SIS (as opposed to tuning: page size, concurrency, timeout, retries). */
export const connectionKeys: ReadonlyArray<Key> = ["host", "clientId", "clientSecret", "token", "applicationId", "auth", "tokenUrl", "scope", "path"]

/** True when any provider-specific setting is present (used to refuse an implicit demo). */
export const hasConnectionSettings = (settings: Settings): boolean => connectionKeys.some((key) => settings.values[key] !== undefined)
