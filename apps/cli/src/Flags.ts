/**
 * The flags every data command shares: provider selection and tuning, output, diagnostics.
 * Each provider flag also comes from a ROSTERKIT_* variable or a --config district (Settings).
 */
import * as Options from "@effect/cli/Options"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Output from "./Output.js"
import * as Providers from "@rosterkit/config/Providers"
import * as Settings from "@rosterkit/config/Settings"

const env = (key: Settings.Key) => `(env ${Settings.specs[key].env})`

/** Provider selection, credentials and tuning. */
export const connection = {
  provider: Options.choice("provider", Providers.names).pipe(
    Options.withDescription(`The SIS to read ${env("provider")}. Without any, the built-in demo district runs.`),
    Options.optional
  ),
  host: Options.text("host").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(
      `oneroster: the OneRoster base URL (a bare origin gets /ims/oneroster/v1p1/); classlink: the tenant URL; clever: the API base ${env("host")}`
    ),
    Options.optional
  ),
  clientId: Options.text("client-id").pipe(Options.withPseudoName("ID"), Options.withDescription(`OAuth client id ${env("clientId")}`), Options.optional),
  clientSecret: Options.redacted("client-secret").pipe(
    Options.withPseudoName("SECRET"),
    Options.withDescription(`OAuth client secret ${env("clientSecret")}; never printed`),
    Options.optional
  ),
  token: Options.redacted("token").pipe(
    Options.withPseudoName("TOKEN"),
    Options.withDescription(`Bearer token: Clever district token, ClassLink proxy token, OneRoster --auth bearer ${env("token")}`),
    Options.optional
  ),
  applicationId: Options.text("application-id").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription(`ClassLink proxy: the district's oneroster_application_id (with --token) ${env("applicationId")}`),
    Options.optional
  ),
  auth: Options.choice("auth", Settings.authSchemes).pipe(
    Options.withDescription(`oneroster: the auth scheme (default oauth1; bearer with --token, oauth2 with --token-url) ${env("auth")}`),
    Options.optional
  ),
  tokenUrl: Options.text("token-url").pipe(Options.withPseudoName("URL"), Options.withDescription(`oneroster --auth oauth2: the token endpoint ${env("tokenUrl")}`), Options.optional),
  scope: Options.text("scope").pipe(Options.withPseudoName("SCOPE"), Options.withDescription(`oneroster --auth oauth2: the scope to ask for ${env("scope")}`), Options.optional),
  path: Options.text("path").pipe(Options.withPseudoName("DIR|ZIP"), Options.withDescription(`csv: a folder or .zip of OneRoster CSV files ${env("path")}`), Options.optional),
  config: Options.text("config").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription(`A JSON file of named districts (env ${Settings.configSpec.env})`),
    Options.optional
  ),
  district: Options.text("district").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription(`The district of the --config file to use (env ${Settings.districtSpec.env})`),
    Options.optional
  ),
  pageSize: Options.integer("page-size").pipe(Options.withPseudoName("N"), Options.withDescription(`Records per request ${env("pageSize")}`), Options.optional),
  concurrency: Options.integer("concurrency").pipe(
    Options.withPseudoName("N"),
    Options.withDescription(`Requests in flight at once ${env("concurrency")}`),
    Options.optional
  ),
  timeout: Options.float("timeout").pipe(Options.withPseudoName("SECONDS"), Options.withDescription(`Seconds per request attempt (default 30) ${env("timeout")}`), Options.optional),
  retries: Options.integer("retries").pipe(
    Options.withPseudoName("N"),
    Options.withDescription(`Retries of 429, 5xx and network faults (default 5) ${env("retries")}`),
    Options.optional
  )
}

/** Output format and shape. */
export const output = {
  format: Options.choice("format", Output.formats).pipe(
    Options.withDescription("Output format (default: table on a terminal, json otherwise)"),
    Options.optional
  ),
  count: Options.boolean("count").pipe(Options.withDescription("Print only the number of records")),
  fields: Options.text("fields").pipe(
    Options.withPseudoName("A,B"),
    Options.withDescription("Columns for csv/table (and keys for json/ndjson), comma-separated; dotted paths allowed"),
    Options.repeated
  )
}

/** What goes to stderr. */
export const diagnostics = {
  quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("No progress line, no notes (warnings and errors still)")),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription("Log every request (URLs without credentials) and every retry on stderr")
  )
}

type Parsed<T> = { readonly [K in keyof T]: T[K] extends Options.Options<infer A> ? A : never }
export type Connection = Parsed<typeof connection>
export type OutputFlags = Parsed<typeof output>
export type Diagnostics = Parsed<typeof diagnostics>

/** The connection flags as Settings input. */
export const toSettings = (flags: Connection): Settings.Flags => {
  const get = <A>(option: Option.Option<A>) => Option.getOrUndefined(option)
  return {
    provider: get(flags.provider),
    host: get(flags.host),
    clientId: get(flags.clientId),
    clientSecret: get(flags.clientSecret) as Redacted.Redacted<string> | undefined,
    token: get(flags.token) as Redacted.Redacted<string> | undefined,
    applicationId: get(flags.applicationId),
    auth: get(flags.auth),
    tokenUrl: get(flags.tokenUrl),
    scope: get(flags.scope),
    path: get(flags.path),
    config: get(flags.config),
    district: get(flags.district),
    pageSize: get(flags.pageSize),
    concurrency: get(flags.concurrency),
    timeout: get(flags.timeout),
    retries: get(flags.retries)
  }
}
