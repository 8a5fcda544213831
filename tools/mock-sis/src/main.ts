/**
 * The mock SIS as a command (the root script `mock-sis`):
 *
 *     npx -y pnpm@10 --silent mock-sis --port 8080 --users 50000 --latency-ms 100 --page-clamp 1000 \
 *       [--shape realistic|flat] [--fail-rate 0.01 --fail-with 503|429|reset] [--workers 2] \
 *       [--cache-mb 2048] [--no-prebuild] [--client-id … --client-secret … --token …] [--seed N]
 *
 * Prints one JSON line when every worker listens — `{ "url", "oneRoster", "oneRosterV1p2",
 * "tokenUrl", "clever", "users",
 * "workers", "clientId", "clientSecret", "token", "readyMs" }` — then serves until SIGINT / SIGTERM
 * (or, with --stop-on-stdin-end, until its stdin closes: a parent process went away).
 * With --workers W > 1, W node:cluster workers share the port, each with its own copy of the district.
 */
import cluster from "node:cluster"
import * as net from "node:net"
import { parseArgs } from "node:util"
import * as MockSis from "./MockSis.js"

const usage = `usage: mock-sis --users N [--port P] [--latency-ms L] [--page-clamp C] [--shape realistic|flat]
                [--fail-rate R] [--fail-with 503|429|reset] [--workers W] [--cache-mb MB] [--no-prebuild]
                [--client-id ID] [--client-secret SECRET] [--token TOKEN] [--seed N] [--stop-on-stdin-end]`

interface Parsed {
  readonly options: MockSis.Options
  readonly port: number
  readonly workers: number
  readonly stopOnStdinEnd: boolean
}

const parse = (argv: ReadonlyArray<string>): Parsed => {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: "string", default: "0" },
      users: { type: "string" },
      "latency-ms": { type: "string" },
      "page-clamp": { type: "string" },
      shape: { type: "string" },
      "fail-rate": { type: "string" },
      "fail-with": { type: "string" },
      workers: { type: "string", default: "1" },
      "cache-mb": { type: "string" },
      "no-prebuild": { type: "boolean", default: false },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      token: { type: "string" },
      seed: { type: "string" },
      "stop-on-stdin-end": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false }
    }
  })
  if (values.help) {
    process.stdout.write(`${usage}\n`)
    process.exit(0)
  }
  const num = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined
    const n = Number(raw.replace(/[_,]/g, ""))
    if (raw.trim() === "" || !Number.isFinite(n)) throw new RangeError(`--${name} must be a number, got '${raw}'`)
    return n
  }
  if (values.users === undefined) throw new RangeError("--users is required")
  const options: MockSis.Options = {
    users: num("users", values.users)!,
    shape: values.shape as MockSis.Shape | undefined,
    latencyMs: num("latency-ms", values["latency-ms"]),
    pageClamp: num("page-clamp", values["page-clamp"]),
    failRate: num("fail-rate", values["fail-rate"]),
    failWith: values["fail-with"] as MockSis.FailWith | undefined,
    cacheMb: num("cache-mb", values["cache-mb"]),
    prebuild: !values["no-prebuild"],
    clientId: values["client-id"],
    clientSecret: values["client-secret"],
    token: values.token,
    seed: num("seed", values.seed)
  }
  MockSis.settingsOf(options) // validates
  const port = num("port", values.port)!
  const workers = num("workers", values.workers)!
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be 0 to 65535, got ${port}`)
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`--workers must be a whole number of at least 1, got ${workers}`)
  return { options, port, workers, stopOnStdinEnd: values["stop-on-stdin-end"] }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as net.AddressInfo).port
      probe.close(() => resolve(port))
    })
  })

type Message =
  | { readonly type: "ready" }
  | { readonly type: "stats?"; readonly id: number }
  | { readonly type: "stats"; readonly id: number; readonly stats: MockSis.Stats }
  | { readonly type: "total"; readonly id: number; readonly stats: MockSis.Stats }

const announce = (parsed: Parsed, origin: string, started: number) => {
  const s = MockSis.settingsOf(parsed.options)
  const ready = {
    url: origin,
    oneRoster: `${origin}${MockSis.oneRosterPath}`,
    oneRosterV1p2: `${origin}${MockSis.oneRosterV1p2Path}`,
    tokenUrl: `${origin}${MockSis.tokenPath}`,
    clever: `${origin}${MockSis.cleverPath}/`,
    users: s.users,
    shape: s.shape,
    workers: parsed.workers,
    latencyMs: s.latencyMs,
    pageClamp: s.pageClamp,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    token: s.token,
    readyMs: Math.round(performance.now() - started)
  }
  process.stdout.write(`${JSON.stringify(ready)}\n`)
}

const stopWith = (parsed: Parsed, stop: () => void) => {
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
  if (parsed.stopOnStdinEnd) {
    process.stdin.on("end", stop)
    process.stdin.on("error", stop)
    process.stdin.resume()
  }
}

const primary = async (parsed: Parsed) => {
  const started = performance.now()
  if (parsed.workers === 1) {
    const server = await MockSis.start({ ...parsed.options, port: parsed.port })
    announce(parsed, server.url, started)
    stopWith(parsed, () => void server.close().finally(() => process.exit(0)))
    return
  }
  const port = parsed.port === 0 ? await freePort() : parsed.port
  const workers = Array.from({ length: parsed.workers }, () => cluster.fork({ MOCK_SIS_ARGS: JSON.stringify(parsed.options), MOCK_SIS_PORT: String(port) }))
  let ready = 0
  // Stats: a worker asked over HTTP asks the primary, which sums every worker's.
  let nextQuery = 0
  const queries = new Map<number, { from: (typeof workers)[number]; id: number; total: MockSis.Stats; waiting: number }>()
  for (const worker of workers) {
    worker.on("message", (message: Message) => {
      if (message.type === "ready" && ++ready === workers.length) announce(parsed, `http://127.0.0.1:${port}`, started)
      if (message.type === "stats?") {
        const query = nextQuery++
        queries.set(query, { from: worker, id: message.id, total: MockSis.emptyStats, waiting: workers.length })
        for (const w of workers) w.send({ type: "stats?", id: query } satisfies Message)
      }
      if (message.type === "stats") {
        const query = queries.get(message.id)
        if (query === undefined) return
        query.total = MockSis.addStats(query.total, message.stats)
        if (--query.waiting === 0) {
          queries.delete(message.id)
          query.from.send({ type: "total", id: query.id, stats: query.total } satisfies Message)
        }
      }
    })
    worker.on("exit", (code) => {
      if (code !== 0 && !stopping) {
        process.stderr.write(`mock-sis: a worker exited with code ${code}\n`)
        process.exit(1)
      }
    })
  }
  let stopping = false
  stopWith(parsed, () => {
    stopping = true
    for (const w of workers) w.kill()
    process.exit(0)
  })
}

const worker = async () => {
  const options = JSON.parse(process.env["MOCK_SIS_ARGS"]!) as MockSis.Options
  const port = Number(process.env["MOCK_SIS_PORT"])
  const settings = MockSis.settingsOf(options)
  const dataset = MockSis.districtOf(settings)
  const pending = new Map<number, (stats: MockSis.Stats) => void>()
  let nextId = 0
  process.on("message", (message: Message) => {
    if (message.type === "stats?") process.send!({ type: "stats", id: message.id, stats: handler.stats() } satisfies Message)
    if (message.type === "total") {
      pending.get(message.id)?.(message.stats)
      pending.delete(message.id)
    }
  })
  const { handler } = await MockSis.listen(port, async (origin) => {
    const h = MockSis.makeHandler(settings, dataset, origin)
    if (settings.prebuild) await h.prebuild()
    return {
      stats: h.stats,
      handle: async (req: Parameters<typeof h.handle>[0], res: Parameters<typeof h.handle>[1]) => {
        if (req.url !== "/_mock/stats") return h.handle(req, res)
        const id = nextId++
        const total = await new Promise<MockSis.Stats>((resolve) => {
          pending.set(id, resolve)
          process.send!({ type: "stats?", id } satisfies Message)
        })
        const body = JSON.stringify(total)
        res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) })
        res.end(body)
      }
    }
  })
  process.send!({ type: "ready" } satisfies Message)
}

const run = cluster.isPrimary ? primary(parse(process.argv.slice(2))) : worker()
run.catch((error: unknown) => {
  process.stderr.write(`mock-sis: ${error instanceof Error ? error.message : String(error)}\n${cluster.isPrimary ? `${usage}\n` : ""}`)
  process.exit(2)
})
