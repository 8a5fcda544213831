/**
 * Test set-up: a real upstream (demo's FakeOneRoster on loopback, OAuth 1.0a) and the gateway
 * started from a real config file through Setup.plan, both on 127.0.0.1, talked to with fetch.
 * Requests are signed with `oauth-1.0a`, not the gateway's verifier (`oauth-sign`).
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import type * as Faults from "@rosterkit/demo/Faults"
import * as Loopback from "@rosterkit/demo/Loopback"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import OAuth from "oauth-1.0a"
import type * as Auth from "../src/Auth.js"
import * as Gateway from "../src/Gateway.js"
import * as Setup from "../src/Setup.js"

export const upstreamCredentials = { clientId: "upstream-client", clientSecret: "upstream-SECRET-value" } as const

export interface Upstream extends Loopback.Server {
  readonly baseUrl: string
  readonly fake: FakeOneRoster.FakeServer
  /** The district entry of a config file for this upstream. */
  readonly district: Record<string, unknown>
}

/**
 * A OneRoster SIS over `dataset` on loopback: 1.1 with OAuth 1.0a, or 1.2 with OAuth 2 client
 * credentials (as 1.2 requires).
 */
const serveUpstream = async (
  version: "1.1" | "1.2",
  dataset: Dataset.Dataset,
  faults: ReadonlyArray<Faults.FaultRule>
): Promise<Upstream> => {
  const server = await Loopback.serveFake((url) =>
    FakeOneRoster.make({
      dataset,
      ...(version === "1.2"
        ? { version, baseUrl: `${url}/ims/oneroster/rostering/v1p2`, auth: { type: "oauth2", ...upstreamCredentials, tokenUrl: `${url}/oauth2/token` } }
        : { baseUrl: `${url}/ims/oneroster/v1p1`, auth: { type: "oauth1", ...upstreamCredentials } }),
      faults,
      maxLimit: 1000
    })
  )
  return {
    ...server,
    baseUrl: server.fake.baseUrl,
    district: {
      provider: "oneroster",
      host: server.fake.baseUrl,
      ...(version === "1.2" ? { auth: "oauth2", tokenUrl: `${server.url}/oauth2/token` } : {}),
      clientId: upstreamCredentials.clientId,
      clientSecret: upstreamCredentials.clientSecret,
      pageSize: 50,
      retries: 0
    }
  }
}

/** A OneRoster 1.1 SIS over `dataset` on loopback. */
export const upstream = (dataset: Dataset.Dataset, faults: ReadonlyArray<Faults.FaultRule> = []): Promise<Upstream> =>
  serveUpstream("1.1", dataset, faults)

/** A OneRoster 1.2 SIS over `dataset` on loopback (OAuth 2 client credentials, as 1.2 requires). */
export const upstreamV1p2 = (dataset: Dataset.Dataset, faults: ReadonlyArray<Faults.FaultRule> = []): Promise<Upstream> =>
  serveUpstream("1.2", dataset, faults)

/** An OAuth 2 access token from a token endpoint (client credentials, HTTP Basic). */
export const accessToken = async (tokenUrl: string, clientId: string, clientSecret: string): Promise<string> => {
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded"
    },
    body: "grant_type=client_credentials"
  })
  if (response.status !== 200) throw new Error(`token endpoint: HTTP ${response.status}`)
  return ((await response.json()) as { access_token: string }).access_token
}

export interface Started extends Gateway.Running {
  readonly log: ReadonlyArray<string>
}

/** Starts the gateway from a config file (written to a temporary folder) and environment variables. */
export const gateway = async (options: {
  readonly config?: unknown
  readonly env?: Record<string, string>
  readonly flags?: Setup.Flags
  readonly auth?: Omit<Auth.Options, "clients">
}): Promise<Started> => {
  const env: Record<string, string> = { ...options.env }
  if (options.config !== undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-http-"))
    const file = path.join(dir, "rosterkit.json")
    fs.writeFileSync(file, JSON.stringify(options.config))
    env["ROSTERKIT_CONFIG"] = file
  }
  const plan = await Effect.runPromise(
    Setup.plan(options.flags ?? {}).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.provide(NodeContext.layer)
    )
  )
  const log: Array<string> = []
  const running = await Gateway.start({ plan, log: (line) => log.push(line), ...(options.auth === undefined ? {} : { auth: options.auth }) })
  return { ...running, log }
}

/**
 * For the conformance suites: a OneRoster 1.1 SIS over `dataset` (with `faults`) and a gateway
 * in front of it whose one client is `client`, both closed with the scope.
 */
export const scopedGatewayOver = (
  dataset: Dataset.Dataset,
  faults: ReadonlyArray<Faults.FaultRule>,
  client: { readonly id: string; readonly secret: string }
) =>
  Effect.gen(function* () {
    const sis = yield* Effect.acquireRelease(
      Effect.promise(() => upstream(dataset, faults)),
      (s) => Effect.promise(() => s.close())
    )
    return yield* Effect.acquireRelease(
      Effect.promise(() => gateway({ config: { districts: { d: sis.district }, gateway: { clients: [{ id: client.id, secret: client.secret }] } } })),
      (g) => Effect.promise(() => g.close())
    )
  })

/** Plans without starting (for configuration errors). */
export const planOf = (options: { readonly config?: unknown; readonly env?: Record<string, string> }) => {
  const env: Record<string, string> = { ...options.env }
  if (options.config !== undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-http-"))
    const file = path.join(dir, "rosterkit.json")
    fs.writeFileSync(file, JSON.stringify(options.config))
    env["ROSTERKIT_CONFIG"] = file
  }
  return Setup.plan({}).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))), Effect.provide(NodeContext.layer))
}

/** An OAuth 1.0a HMAC-SHA256 signer (the `oauth-1.0a` package). */
export const oauth1 = (key: string, secret: string) =>
  new OAuth({
    consumer: { key, secret },
    signature_method: "HMAC-SHA256",
    hash_function: (base, signingKey) => crypto.createHmac("sha256", signingKey).update(base).digest("base64")
  })

/** GET with an OAuth 1.0a Authorization header. */
export const signedGet = (url: string, key: string, secret: string, headers: Record<string, string> = {}) => {
  const header = oauth1(key, secret).toHeader(oauth1(key, secret).authorize({ url, method: "GET" }))
  return fetch(url, { headers: { ...headers, Authorization: header.Authorization } })
}

/** GET with a bearer. */
export const bearerGet = (url: string, token: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers: { ...headers, Authorization: `Bearer ${token}` } })

/** The codeMinor of a statusInfoSet body. */
export const codeMinorOf = (body: unknown): string | undefined =>
  (body as { statusInfoSet?: Array<{ imsx_CodeMinor?: { imsx_codeMinorField?: Array<{ imsx_codeMinorFieldValue?: string }> } }> })
    .statusInfoSet?.[0]?.imsx_CodeMinor?.imsx_codeMinorField?.[0]?.imsx_codeMinorFieldValue

export const descriptionOf = (body: unknown): string | undefined =>
  (body as { statusInfoSet?: Array<{ imsx_description?: string }> }).statusInfoSet?.[0]?.imsx_description

/** A small district (deterministic). */
export const smallDistrict = (seed: number) =>
  Dataset.generate({ seed, schools: 2, studentsPerSchool: 30, teachersPerSchool: 3, classesPerTeacher: 2, studentsPerClass: 10 })
