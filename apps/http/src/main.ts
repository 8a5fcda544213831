/**
 * The `rosterkit-http` command: the CLI's provider flags (same ROSTERKIT_* variables and config
 * file), plus --port, --listen and --cache-ttl. Serves until SIGINT / SIGTERM, then stops
 * accepting connections, finishes the requests in flight and closes the providers.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Providers from "@rosterkit/config/Providers"
import * as Settings from "@rosterkit/config/Settings"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Gateway from "./Gateway.js"
import * as Setup from "./Setup.js"

const env = (key: Settings.Key) => `(env ${Settings.specs[key].env})`
const text = (name: string, pseudo: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudo), Options.withDescription(description), Options.optional)

const options = {
  provider: Options.choice("provider", Providers.names).pipe(
    Options.withDescription(`The SIS to serve ${env("provider")}. Without any, the built-in demo district is served.`),
    Options.optional
  ),
  host: text("host", "URL", `The SIS URL (oneroster: base URL; classlink: tenant URL; clever: API base) ${env("host")}`),
  clientId: text("client-id", "ID", `Upstream OAuth client id ${env("clientId")}`),
  clientSecret: Options.redacted("client-secret").pipe(Options.withPseudoName("SECRET"), Options.withDescription(`Upstream OAuth client secret ${env("clientSecret")}`), Options.optional),
  token: Options.redacted("token").pipe(Options.withPseudoName("TOKEN"), Options.withDescription(`Upstream bearer token ${env("token")}`), Options.optional),
  applicationId: text("application-id", "ID", `ClassLink proxy application id ${env("applicationId")}`),
  auth: Options.choice("auth", Settings.authSchemes).pipe(Options.withDescription(`oneroster: upstream auth scheme ${env("auth")}`), Options.optional),
  tokenUrl: text("token-url", "URL", `oneroster --auth oauth2: the token endpoint ${env("tokenUrl")}`),
  scope: text("scope", "SCOPE", `oneroster --auth oauth2: the scope ${env("scope")}`),
  path: text("path", "DIR|ZIP", `csv: a folder or .zip of OneRoster CSV files ${env("path")}`),
  config: text("config", "FILE", `A JSON file of named districts and gateway clients (env ${Settings.configSpec.env})`),
  district: text("district", "NAME", `The district of the --config file for ROSTERKIT_GATEWAY_CLIENT_* (env ${Settings.districtSpec.env})`),
  pageSize: Options.integer("page-size").pipe(Options.withPseudoName("N"), Options.withDescription(`Records per upstream request ${env("pageSize")}`), Options.optional),
  concurrency: Options.integer("concurrency").pipe(Options.withPseudoName("N"), Options.withDescription(`Upstream requests in flight ${env("concurrency")}`), Options.optional),
  timeout: Options.float("timeout").pipe(Options.withPseudoName("SECONDS"), Options.withDescription(`Seconds per upstream attempt ${env("timeout")}`), Options.optional),
  retries: Options.integer("retries").pipe(Options.withPseudoName("N"), Options.withDescription(`Upstream retries ${env("retries")}`), Options.optional),
  port: Options.integer("port").pipe(Options.withPseudoName("PORT"), Options.withDescription("The port to listen on (default 8080; 0: any free port)"), Options.withDefault(8080)),
  listen: Options.text("listen").pipe(Options.withPseudoName("HOST"), Options.withDescription("The address to listen on (default 127.0.0.1)"), Options.withDefault("127.0.0.1")),
  cacheTtl: Options.float("cache-ttl").pipe(
    Options.withPseudoName("SECONDS"),
    Options.withDescription(`How long upstream answers are reused (default 300; 0: off) (env ${Setup.env.cacheTtl})`),
    Options.optional
  )
}

const flagsOf = (parsed: Readonly<Record<string, unknown>>): Setup.Flags => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (key === "port" || key === "listen") continue
    if (Option.isOption(value)) {
      if (Option.isSome(value)) out[key] = value.value
    }
  }
  return out as Setup.Flags
}

export const command = Command.make("rosterkit-http", options, (parsed) =>
  Effect.gen(function* () {
    const plan = yield* Setup.plan(flagsOf(parsed))
    for (const note of plan.notes) process.stderr.write(`rosterkit-http: ${note}\n`)
    const server = Gateway.layerServer(parsed.listen, parsed.port)
    // The line is written once the gateway is built and answering (Layer.provide builds the
    // gateway first): a client that connects on seeing it is served.
    const announce = Layer.effectDiscard(
      Effect.gen(function* () {
        const address = (yield* HttpServer.HttpServer).address
        const where = address._tag === "TcpAddress" ? `http://${parsed.listen}:${address.port}` : "a unix socket"
        const served = plan.districts.map((d) => `${d.name} (${d.selection.name})`).join(", ")
        process.stderr.write(`rosterkit-http: serving ${served} on ${where} (cache ${plan.cacheTtl}s; docs at /docs)\n`)
      })
    )
    yield* Layer.launch(announce.pipe(Layer.provide(Gateway.layer({ plan })), Layer.provide(server)))
  })
).pipe(Command.withDescription("Serve the configured SIS as a query API and OneRoster 1.1 and 1.2 read APIs"))

export const run = Command.run(command, { name: "rosterkit-http", version: "0.1.0" })
