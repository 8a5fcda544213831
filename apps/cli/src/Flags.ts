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

/**
 * The environment variable of a setting, said in its description only where it is not
 * ROSTERKIT_<FLAG> (the Connection group's heading states that rule once).
 */
const env = (key: Settings.Key) => {
  const spec = Settings.specs[key]
  return spec.env === regularEnv(spec.flag) ? "" : ` (env ${spec.env})`
}
const regularEnv = (flag: string) => `ROSTERKIT_${flag.replace(/^--/, "").replace(/-/g, "_").toUpperCase()}`

/** Provider selection, credentials and tuning. */
export const connection = {
  provider: Options.choice("provider", Providers.names).pipe(
    Options.withDescription(`The SIS (default: the built-in demo district)${env("provider")}`),
    Options.optional
  ),
  host: Options.text("host").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(`SIS base URL (OneRoster, ClassLink, Clever)${env("host")}`),
    Options.optional
  ),
  clientId: Options.text("client-id").pipe(Options.withPseudoName("ID"), Options.withDescription(`OAuth client id${env("clientId")}`), Options.optional),
  clientSecret: Options.redacted("client-secret").pipe(
    Options.withPseudoName("SECRET"),
    Options.withDescription(`OAuth client secret (never printed)${env("clientSecret")}`),
    Options.optional
  ),
  token: Options.redacted("token").pipe(
    Options.withPseudoName("TOKEN"),
    Options.withDescription(`Bearer token (Clever, ClassLink, OneRoster)${env("token")}`),
    Options.optional
  ),
  applicationId: Options.text("application-id").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription(`ClassLink proxy: oneroster_application_id${env("applicationId")}`),
    Options.optional
  ),
  auth: Options.choice("auth", Settings.authSchemes).pipe(
    Options.withDescription(`OneRoster auth (default: bearer with --token, oauth2 with --token-url, else oauth1)${env("auth")}`),
    Options.optional
  ),
  tokenUrl: Options.text("token-url").pipe(Options.withPseudoName("URL"), Options.withDescription(`OneRoster oauth2 token endpoint${env("tokenUrl")}`), Options.optional),
  scope: Options.text("scope").pipe(Options.withPseudoName("SCOPE"), Options.withDescription(`OneRoster oauth2 scope${env("scope")}`), Options.optional),
  path: Options.text("path").pipe(Options.withPseudoName("DIR|ZIP"), Options.withDescription(`CSV folder or .zip${env("path")}`), Options.optional),
  config: Options.text("config").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription(`A JSON file of named districts${Settings.configSpec.env === regularEnv(Settings.configSpec.flag) ? "" : ` (env ${Settings.configSpec.env})`}`),
    Options.optional
  ),
  district: Options.text("district").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription(`Which district of the --config file${Settings.districtSpec.env === regularEnv(Settings.districtSpec.flag) ? "" : ` (env ${Settings.districtSpec.env})`}`),
    Options.optional
  ),
  pageSize: Options.integer("page-size").pipe(Options.withPseudoName("N"), Options.withDescription(`Records per request${env("pageSize")}`), Options.optional),
  concurrency: Options.integer("concurrency").pipe(
    Options.withPseudoName("N"),
    Options.withDescription(`Requests in flight at once (default 4)${env("concurrency")}`),
    Options.optional
  ),
  timeout: Options.float("timeout").pipe(Options.withPseudoName("SECONDS"), Options.withDescription(`Seconds per request attempt (default 30)${env("timeout")}`), Options.optional),
  retries: Options.integer("retries").pipe(
    Options.withPseudoName("N"),
    Options.withDescription(`Retries of 429/5xx/network faults (default 5)${env("retries")}`),
    Options.optional
  ),
  deadline: Options.float("deadline").pipe(
    Options.withPseudoName("SECONDS"),
    Options.withDescription(`A request and its retries (default 180 s)${env("deadline")}`),
    Options.optional
  ),
  maxWait: Options.float("max-wait").pipe(
    Options.withPseudoName("SECONDS"),
    Options.withDescription(`Longest Retry-After obeyed (default 60 s)${env("maxWait")}`),
    Options.optional
  ),
  verify: Options.boolean("verify").pipe(
    Options.withDescription(`Read every listing twice and fail if the two differ${env("verify")}`)
  )
}

/** Output format and shape. */
export const output = {
  format: Options.choice("format", Output.formats).pipe(
    Options.withDescription("Default: table on a terminal, json otherwise"),
    Options.optional
  ),
  count: Options.boolean("count").pipe(Options.withDescription("Print only the number of records")),
  fields: Options.text("fields").pipe(
    Options.withPseudoName("A,B"),
    Options.withDescription("Columns or keys to keep; dotted paths allowed"),
    Options.repeated
  )
}

/** What goes to stderr. */
export const diagnostics = {
  quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("No progress line or notes (warnings still)")),
  verbose: Options.boolean("verbose").pipe(
    Options.withAlias("v"),
    Options.withDescription("Log each request and retry (no credentials)")
  )
}

/** A group of shared flags, as `--help` shows it. */
export interface Group {
  readonly title: string
  readonly note?: string | undefined
  readonly options: Readonly<Record<string, Options.Options<unknown>>>
}

/**
 * The shared flag groups, in the order `--help` shows them (after the command's own flags).
 * A flag added to one of the records above is shown in its group.
 */
export const groups: ReadonlyArray<Group> = [
  { title: "Output", options: output },
  { title: "Connection", note: "(each: flag > ROSTERKIT_<FLAG> > --config district)", options: connection },
  { title: "Diagnostics", options: diagnostics }
]

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
    retries: get(flags.retries),
    deadline: get(flags.deadline),
    maxWait: get(flags.maxWait),
    // absent: ROSTERKIT_VERIFY or the --config district decide
    verify: flags.verify ? true : undefined
  }
}
