/**
 * Load test of the gateway: autocannon drives many concurrent connections at the query API and
 * at the OneRoster list endpoint, with the upstream cache on (TTL 300 s) and off (TTL 0: every
 * request that is not joined to one in flight pulls from the upstream again).
 *
 *     pnpm --filter @rosterkit/load load [--connections 1000] [--duration 10] [--v1p2]
 *
 * `--v1p2` adds the OneRoster 1.2 list endpoint (`/ims/oneroster/rostering/v1p2/users`) as a
 * third target.
 *
 * Loopback only (the gateway is started here, on 127.0.0.1), bounded: at most 2,000 connections,
 * 60 s per run; it stops by itself. Exits 1 if any request failed
 * (connection error, timeout or non-2xx).
 */
import autocannon from "autocannon"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const arg = (name: string, fallback: number, max: number) => {
  const index = process.argv.indexOf(`--${name}`)
  const value = index < 0 ? fallback : Number(process.argv[index + 1])
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be a whole number from 1 to ${max}`)
  return value
}
const connections = arg("connections", 1000, 2000)
const duration = arg("duration", 10, 60)
const v1p2 = process.argv.includes("--v1p2")

const here = path.dirname(fileURLToPath(import.meta.url))

interface System {
  readonly url: string
  readonly token: string
  readonly stop: () => Promise<string>
}

const startSystem = (cacheTtl: number): Promise<System> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=@rosterkit/source", "--import", "tsx", path.join(here, "server.ts"), String(cacheTtl)], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split("\n")[0]
      if (out.includes("\n")) {
        const { url, token } = JSON.parse(line!) as { url: string; token: string }
        if (new URL(url).hostname !== "127.0.0.1") reject(new Error(`refusing a non-loopback target ${url}`))
        resolve({
          url,
          token,
          stop: () =>
            new Promise((done) => {
              child.once("exit", () => done(err.trim()))
              child.kill("SIGTERM")
            })
        })
      }
    })
    child.once("exit", (code) => reject(new Error(`the gateway exited (${code}): ${err}`)))
  })

interface Row {
  readonly target: string
  readonly cache: string
  readonly requests: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly failed: number
  readonly upstream: string
}

const targets = [
  { name: "query API  GET /v1/users?group=classes&name=…", path: `/v1/users?group=classes&name=${encodeURIComponent("ELA 6 (6A ELA)")}` },
  { name: "OneRoster  GET /ims/oneroster/v1p1/users?limit=100", path: "/ims/oneroster/v1p1/users?limit=100" },
  ...(v1p2 ? [{ name: "OneRoster 1.2  GET /ims/oneroster/rostering/v1p2/users?limit=100", path: "/ims/oneroster/rostering/v1p2/users?limit=100" }] : [])
]

const rows: Array<Row> = []
const debug = (s: string) => process.env["LOAD_DEBUG"] ? process.stderr.write(`${s}\n`) : undefined
for (const cacheTtl of [300, 0]) {
  for (const target of targets) {
    debug("starting")
    const system = await startSystem(cacheTtl)
    debug(`started ${system.url}`)
    const url = `${system.url}${target.path}`
    const headers = { authorization: `Bearer ${system.token}` }
    // Warm the connection pool of the upstream client (and, with a TTL, the cache).
    const warm = await fetch(url, { headers })
    if (warm.status !== 200) throw new Error(`warm-up: HTTP ${warm.status}`)
    await warm.arrayBuffer()
    debug("warm")
    const errorCodes = new Map<string, number>()
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon({ url, connections, duration, headers, timeout: 60 }, (error, done) => (error ? reject(error) : resolve(done)))
      instance.on("reqError", (error: Error & { code?: string }) => errorCodes.set(error.code ?? error.message, (errorCodes.get(error.code ?? error.message) ?? 0) + 1))
    })
    const upstream = await system.stop()
    const failed = result.errors + result.timeouts + result.non2xx
    rows.push({
      target: target.name,
      cache: cacheTtl === 0 ? "off (TTL 0)" : `on (TTL ${cacheTtl}s)`,
      requests: result.requests.total,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed,
      upstream: upstream.replace("upstream requests: ", "")
    })
    process.stderr.write(
      `${target.name} cache ${cacheTtl}: ${result.requests.total} requests, ${failed} failed (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, resets ${result.resets}) ${JSON.stringify(Object.fromEntries(errorCodes))}\n`
    )
  }
}

process.stdout.write(`\n${connections} connections, ${duration} s per run, loopback, Node ${process.version}\n\n`)
process.stdout.write("| endpoint | cache | requests | req/s | p50 ms | p99 ms | failed | upstream requests |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
for (const r of rows) process.stdout.write(`| ${r.target} | ${r.cache} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.failed} | ${r.upstream} |\n`)
process.exitCode = rows.some((r) => r.failed > 0) ? 1 : 0
