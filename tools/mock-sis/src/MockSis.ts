/**
 * The mock SIS: one generated district served over loopback HTTP as OneRoster 1.1 (OAuth 1.0a,
 * `/ims/oneroster/v1p1`), as OneRoster 1.2 (OAuth 2 client credentials at `/oauth/token`,
 * `/ims/oneroster/rostering/v1p2`) and as the Clever Data API v3.0 (district bearer token,
 * `/v3.0`), by
 * @rosterkit/demo's FakeOneRoster and FakeClever — the same handler logic the tests run against —
 * plus what a benchmark needs around them:
 *
 * - `latencyMs` before every answer (a real SIS is never 0 ms away);
 * - `pageClamp`: OneRoster `limit` is silently clamped to it, Clever answers 413 above it;
 * - `failRate`: that share of requests fails (503 by default, or 429 / a connection reset),
 *   drawn from a seeded PRNG so a run is repeatable;
 * - answers kept once given (`cacheMb`: a GET's 200, its headers and body bytes, by path and
 *   query), and the user listings' pages given before the server says it is ready
 *   (`prebuild`): a kept page is written as it is, after the fake's own credential check
 *   (`authorize`, on a bodiless Fetch `Request`), with no `Response` and no copy of the body, so
 *   the server's own work does not count in a client's time (on a 2-core machine the server's
 *   CPU, and its garbage collector's, is CPU the client does not get);
 * - `GET /_mock/stats`: requests served, failed, bytes sent and CPU used since start (summed
 *   over the workers).
 *
 * `start` runs it in this process; `main.ts` runs it as a command, on node:cluster workers
 * when asked. It listens on 127.0.0.1 only.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeClever from "@rosterkit/demo/FakeClever"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as District from "./District.js"
import * as OAuth1 from "./OAuth1.js"

export type Shape = "realistic" | "flat"
export type FailWith = "503" | "429" | "reset"

export interface Options {
  /** Users in the district (a multiple of 10 gives exactly this many). */
  readonly users: number
  /** `realistic` (classes of 25, 5 per teacher: for group queries) or `flat` (few classes: for big pulls). */
  readonly shape?: Shape | undefined
  readonly latencyMs?: number | undefined
  /** The largest page served (default 1000). */
  readonly pageClamp?: number | undefined
  /** Share of requests that fail, 0 to 1 (default 0). */
  readonly failRate?: number | undefined
  readonly failWith?: FailWith | undefined
  /** PRNG seed of the faults (the district's own seed is fixed). */
  readonly seed?: number | undefined
  readonly clientId?: string | undefined
  readonly clientSecret?: string | undefined
  /** The Clever district token. */
  readonly token?: string | undefined
  /** Answers kept (their bodies), in MB (default 2048; 0 keeps none). */
  readonly cacheMb?: number | undefined
  /** Build the user listings' pages before listening (default true). */
  readonly prebuild?: boolean | undefined
}

export const defaults = {
  shape: "realistic" as Shape,
  latencyMs: 0,
  pageClamp: 1000,
  failRate: 0,
  failWith: "503" as FailWith,
  seed: 1,
  clientId: "mock-client",
  clientSecret: "mock-secret",
  token: "mock-clever-token",
  cacheMb: 2048,
  prebuild: true
}

export type Settings = { readonly [K in keyof typeof defaults]: (typeof defaults)[K] } & { readonly users: number }

export const settingsOf = (options: Options): Settings => {
  const s = { ...defaults, users: options.users }
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (s as Record<string, unknown>)[key] = value
  if (!Number.isInteger(s.users) || s.users < 100) throw new RangeError(`users must be a whole number of at least 100, got ${s.users}`)
  if (s.shape !== "realistic" && s.shape !== "flat") throw new RangeError(`shape must be realistic or flat, got ${String(s.shape)}`)
  if (!(s.latencyMs >= 0)) throw new RangeError(`latency must be at least 0 ms, got ${s.latencyMs}`)
  if (!Number.isInteger(s.pageClamp) || s.pageClamp < 1) throw new RangeError(`page clamp must be a whole number of at least 1, got ${s.pageClamp}`)
  if (!(s.failRate >= 0 && s.failRate <= 1)) throw new RangeError(`fail rate must be from 0 to 1, got ${s.failRate}`)
  if (!["503", "429", "reset"].includes(s.failWith)) throw new RangeError(`fail-with must be 503, 429 or reset, got ${String(s.failWith)}`)
  if (!(s.cacheMb >= 0)) throw new RangeError(`cache must be at least 0 MB, got ${s.cacheMb}`)
  return s
}

/** The paths the three APIs (and the OAuth 2 token endpoint of 1.2) are served under. */
export const oneRosterPath = "/ims/oneroster/v1p1"
export const oneRosterV1p2Path = "/ims/oneroster/rostering/v1p2"
export const tokenPath = "/oauth/token"
export const cleverPath = "/v3.0"

/** Requests served so far. */
export interface Stats {
  readonly requests: number
  readonly failed: number
  readonly bytes: number
  /** CPU time the server process(es) used since start, in ms (a client's run divides its share by its wall time). */
  readonly cpuMs: number
}

export const emptyStats: Stats = { requests: 0, failed: 0, bytes: 0, cpuMs: 0 }

export const addStats = (a: Stats, b: Stats): Stats => ({
  requests: a.requests + b.requests,
  failed: a.failed + b.failed,
  bytes: a.bytes + b.bytes,
  cpuMs: a.cpuMs + b.cpuMs
})

const cpuMs = () => {
  const usage = process.cpuUsage()
  return Math.round((usage.user + usage.system) / 1000)
}

/** mulberry32, as the district generator (never Math.random: a run is repeatable). */
const prng = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An answer as written: status, headers (content-length included) and body bytes. */
interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

const readBody = async (req: http.IncomingMessage): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

export const districtOf = (settings: Settings): Dataset.Dataset =>
  settings.shape === "flat" ? District.flat(settings.users) : District.realistic(settings.users)

/** The request handler of one server process over `dataset`, and its warm-up. */
export const makeHandler = (settings: Settings, dataset: Dataset.Dataset, origin: string) => {
  const cacheBytes = Math.round(settings.cacheMb * 1024 * 1024)
  // The fakes keep nothing themselves: this server keeps the answers (`kept`), bytes and all.
  const oneRoster = FakeOneRoster.make({
    dataset,
    baseUrl: `${origin}${oneRosterPath}`,
    auth: { type: "oauth1", clientId: settings.clientId, clientSecret: settings.clientSecret },
    maxLimit: settings.pageClamp
  })
  const oneRosterV1p2 = FakeOneRoster.make({
    dataset,
    version: "1.2",
    baseUrl: `${origin}${oneRosterV1p2Path}`,
    // a day: a benchmark run never waits on a token renewal
    auth: { type: "oauth2", clientId: settings.clientId, clientSecret: settings.clientSecret, tokenUrl: `${origin}${tokenPath}`, tokenTtlSeconds: 86_400 },
    maxLimit: settings.pageClamp
  })
  const clever = FakeClever.make({ dataset, baseUrl: `${origin}${cleverPath}`, token: settings.token, maxLimit: settings.pageClamp })
  const serverOf = (path: string) =>
    path.startsWith(`${cleverPath}/`) ? clever : path.startsWith(`${oneRosterV1p2Path}/`) || path.startsWith(tokenPath) ? oneRosterV1p2 : oneRoster
  const random = prng(settings.seed)
  let stats = emptyStats

  const fail = (res: http.ServerResponse, req: http.IncomingMessage, api: "clever" | "1.1" | "1.2") => {
    stats = { ...stats, failed: stats.failed + 1 }
    if (settings.failWith === "reset") {
      const socket = req.socket
      if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
      else socket.destroy()
      return
    }
    const status = Number(settings.failWith)
    const body = JSON.stringify(
      api === "clever"
        ? { message: status === 429 ? "Too Many Requests" : "Service Unavailable" }
        : (api === "1.2" ? FakeOneRoster.statusInfo : FakeOneRoster.statusInfoSet)(status === 429 ? "server_busy" : "internal_server_error", `mock fault: HTTP ${status}`)
    )
    res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...(status === 429 ? { "retry-after": "0" } : {}) })
    res.end(body)
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = req.url ?? "/"
    if (path === "/_mock/stats") {
      const body = JSON.stringify({ ...stats, cpuMs: cpuMs() })
      res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) })
      res.end(body)
      return
    }
    stats = { ...stats, requests: stats.requests + 1 }
    if (settings.latencyMs > 0) await sleep(settings.latencyMs)
    const api = path.startsWith(`${cleverPath}/`) ? "clever" : path.startsWith(`${oneRosterV1p2Path}/`) ? "1.2" : "1.1"
    if (settings.failRate > 0 && random() < settings.failRate) return fail(res, req, api)
    const headers = new Headers()
    for (const name of ["authorization", "accept", "content-type"]) {
      const value = req.headers[name]
      if (typeof value === "string") headers.set(name, value)
    }
    const method = req.method ?? "GET"
    // the token endpoint's form body; listings are GETs
    const form = method === "GET" || method === "HEAD" ? undefined : await readBody(req)
    const answer = await answerOf(path, method, headers, form)
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body)
    stats = { ...stats, bytes: stats.bytes + answer.body.byteLength }
  }

  /** Answers given, kept by path and query: GETs answered 200, up to `cacheMb`. */
  const kept = new Map<string, Answer>()
  let keptBytes = 0

  const answerOf = async (path: string, method: string, headers: Headers, form?: string): Promise<Answer> => {
    const server = serverOf(path)
    const request = new Request(`${origin}${path}`, { method, headers, ...(form === undefined ? {} : { body: form }) })
    const known = method === "GET" ? kept.get(path) : undefined
    if (known !== undefined && server.authorize(request) === undefined) return known
    const response = await server.handle(request)
    const body = new Uint8Array(await response.arrayBuffer())
    const out: Record<string, string> = { "content-length": String(body.byteLength) }
    response.headers.forEach((value, key) => {
      if (key !== "content-length") out[key] = value
    })
    const answer: Answer = { status: response.status, headers: out, body }
    if (method === "GET" && answer.status === 200 && keptBytes + body.byteLength <= cacheBytes) {
      kept.set(path, answer)
      keptBytes += body.byteLength
    }
    return answer
  }

  /**
   * Builds the pages a client pulling every user asks for, so they are kept before the first
   * client comes (otherwise the first client of a run would pay for building them): OneRoster
   * 1.1 and 1.2 `/users`, `/students` and `/teachers` at the clamp, by offsets a page apart
   * (the sequential and floor clients read `/users`) and `/students` and `/teachers` a page
   * less one record apart (rosterkit lists each role, its pages overlapping by one record to
   * see a listing move), and Clever's students and teachers at the clamp.
   */
  const prebuild = async (): Promise<number> => {
    let pages = 0
    const { clientId, clientSecret } = settings
    const clamp = settings.pageClamp
    const pages1 = [0, clamp] as const
    const overlapping = [clamp - 1, Math.max(1, clamp - 1)] as const
    const plan = [
      ["users", pages1],
      ["students", pages1],
      ["teachers", pages1],
      ["students", overlapping],
      ["teachers", overlapping]
    ] as const
    const get = async (path: string, authorization: string) => {
      const answer = await answerOf(path, "GET", new Headers({ authorization }))
      if (answer.status !== 200) throw new Error(`prebuild: ${path} answered ${answer.status}`)
      pages++
      return answer
    }
    const warm = async (base: string, authorization: (url: string) => string) => {
      for (const [collection, [first, step]] of plan) {
        for (let offset = first; ; offset += step) {
          const path = `${base}/${collection}?limit=${clamp}&offset=${offset}`
          const total = Number((await get(path, authorization(`${origin}${path}`))).headers["x-total-count"])
          if (offset + clamp >= total) break
        }
      }
    }
    await warm(oneRosterPath, (url) => OAuth1.authorization(url, { clientId, clientSecret }))
    // OneRoster 1.2: one token for the warm-up, then the same pages
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret })
    const issued = await oneRosterV1p2.handle(
      new Request(`${origin}${tokenPath}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() })
    )
    if (issued.status !== 200) throw new Error(`prebuild: ${tokenPath} answered ${issued.status}`)
    const { access_token: token } = (await issued.json()) as { access_token: string }
    await warm(oneRosterV1p2Path, () => `Bearer ${token}`)
    for (const role of ["student", "teacher"]) {
      let path: string | undefined = `${cleverPath}/users?limit=${settings.pageClamp}&role=${role}`
      while (path !== undefined) {
        const answer = await get(path, `Bearer ${settings.token}`)
        const body = JSON.parse(new TextDecoder().decode(answer.body)) as { links?: ReadonlyArray<{ rel: string; uri: string }> }
        const next = body.links?.find((l) => l.rel === "next")?.uri
        const url = next === undefined ? undefined : new URL(next, origin)
        path = url === undefined ? undefined : `${url.pathname}${url.search}`
      }
    }
    // Warm-up requests are not the clients'.
    stats = emptyStats
    return pages
  }

  return { handle, prebuild, stats: (): Stats => ({ ...stats, cpuMs: cpuMs() }) }
}

export interface Server {
  /** "http://127.0.0.1:<port>" */
  readonly url: string
  /** The OneRoster 1.1 base URL. */
  readonly oneRoster: string
  /** The OneRoster 1.2 base URL, and its OAuth 2 token endpoint. */
  readonly oneRosterV1p2: string
  readonly tokenUrl: string
  /** The Clever API base (with /v3.0/). */
  readonly clever: string
  readonly settings: Settings
  readonly stats: () => Stats
  readonly close: () => Promise<void>
}

/** Listens on 127.0.0.1:`port` (0: any free port) with one handler; `handler` builds it once the URL is known. */
export const listen = async <H extends { readonly handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> }>(
  port: number,
  handler: (origin: string) => Promise<H> | H
): Promise<{ readonly server: http.Server; readonly origin: string; readonly handler: H }> => {
  const state: { built?: H } = {}
  const server = http.createServer((req, res) => {
    const built = state.built
    if (built === undefined) {
      res.writeHead(503).end("starting")
      return
    }
    built.handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end("mock-sis: internal error")
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => resolve())
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const built = await handler(origin)
  state.built = built
  return { server, origin, handler: built }
}

/** Runs the mock SIS in this process. */
export const start = async (options: Options & { readonly port?: number }): Promise<Server> => {
  const settings = settingsOf(options)
  const dataset = districtOf(settings)
  const { server, origin, handler } = await listen(options.port ?? 0, async (origin) => {
    const h = makeHandler(settings, dataset, origin)
    if (settings.prebuild) await h.prebuild()
    return h
  })
  return {
    url: origin,
    oneRoster: `${origin}${oneRosterPath}`,
    oneRosterV1p2: `${origin}${oneRosterV1p2Path}`,
    tokenUrl: `${origin}${tokenPath}`,
    clever: `${origin}${cleverPath}/`,
    settings,
    stats: handler.stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
      })
  }
}
