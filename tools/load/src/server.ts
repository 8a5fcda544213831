/**
 * The system under load, in its own process: the demo district behind an upstream OneRoster
 * server (OAuth 1.0a) and the gateway in front of it, both on 127.0.0.1. Prints one JSON line
 * `{ "url": …, "token": … }` when ready; stops on SIGTERM. Argument: the cache TTL in seconds.
 */
import * as Providers from "@rosterkit/config/Providers"
import * as Settings from "@rosterkit/config/Settings"
import { demoDistrict } from "@rosterkit/demo/DemoDistrict"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as Loopback from "@rosterkit/demo/Loopback"
import * as Gateway from "@rosterkit/http/Gateway"
import * as Redacted from "effect/Redacted"

const cacheTtl = Number(process.argv[2] ?? "300")
const token = "load-test-key"
const upstream = { clientId: "load-upstream", clientSecret: "load-upstream-secret" }

const sis = await Loopback.serveFake((url) =>
  FakeOneRoster.make({ dataset: demoDistrict, baseUrl: `${url}/ims/oneroster/v1p1`, auth: { type: "oauth1", ...upstream }, maxLimit: 1000 })
)
const settings: Settings.Settings = {
  values: { provider: "oneroster", host: sis.fake.baseUrl, clientId: upstream.clientId, clientSecret: Redacted.make(upstream.clientSecret), pageSize: 100 },
  origins: {}
}
const gateway = await Gateway.start({
  plan: {
    districts: [{ name: "demo", selection: { name: "oneroster", implicitDemo: false, layer: Providers.providers.oneroster(settings) } }],
    clients: [{ id: "load", district: "demo", token: Redacted.make(token) }],
    cacheTtl,
    notes: []
  },
  log: () => {} // a log line per request would measure the terminal
})
process.stdout.write(`${JSON.stringify({ url: gateway.url, token, upstreamRequests: 0 })}\n`)
process.on("SIGTERM", () => {
  process.stderr.write(`upstream requests: ${sis.fake.requests.length}\n`)
  void gateway.close().then(() => sis.close()).then(() => process.exit(0))
})
