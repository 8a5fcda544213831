/**
 * Child process: a generated district behind testkit's FakeOneRoster on a loopback port (bearer
 * auth), one base URL per size so one generated district serves every run:
 *
 *     node --conditions=@rosterkit/source --import tsx tools/bench/src/server.ts \
 *       --sizes 100000,1000000 --token T [--max-limit 10000] [--delay-ms 0] [--shape flat]
 *
 * The district has max(sizes) users; the base URL of size n serves the first n of them (all
 * other collections whole). Prints one JSON line `Ready` on stdout, then serves until SIGTERM,
 * SIGINT or the end of stdin (the parent is gone).
 */
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import type * as Faults from "@rosterkit/demo/Faults"
import * as Loopback from "@rosterkit/demo/Loopback"
import * as District from "./District.js"

/** What the server prints when it is listening. */
export interface Ready {
  readonly url: string
  /** size -> OneRoster base URL serving that many users. */
  readonly bases: Readonly<Record<string, string>>
  /** size -> users served there. */
  readonly users: Readonly<Record<string, number>>
  readonly generateMs: number
}

const flag = (name: string, fallback?: string): string => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? fallback : process.argv[at + 1]
  if (value === undefined) throw new Error(`server.ts: --${name} is required`)
  return value
}

const sizes = flag("sizes").split(",").map(Number)
const token = flag("token")
const maxLimit = Number(flag("max-limit", "10000"))
const delayMs = Number(flag("delay-ms", "0"))
const shape = flag("shape", "flat")

const started = performance.now()
const largest = Math.max(...sizes)
const district: Dataset.Dataset = shape === "realistic" ? District.realistic(largest) : District.flat(largest)
const generateMs = performance.now() - started

const faults: ReadonlyArray<Faults.FaultRule> = delayMs > 0 ? [{ fault: { type: "delay", millis: delayMs }, times: Number.POSITIVE_INFINITY }] : []

const server = await Loopback.serveFake(
  (url) => {
    const fakes = sizes.map((size) => {
      const dataset = size === largest ? district : { ...district, users: district.users.slice(0, size) }
      return FakeOneRoster.make({
        dataset,
        baseUrl: `${url}/n${size}/ims/oneroster/v1p1`,
        auth: { type: "bearer", token },
        maxLimit
      })
    })
    const handle = (request: Request): Promise<Response> => {
      const { pathname } = new URL(request.url)
      const fake = fakes.find((f) => pathname.startsWith(new URL(f.baseUrl).pathname))
      return fake === undefined ? Promise.resolve(new Response("no such base URL", { status: 404 })) : fake.handle(request)
    }
    return { handle, fakes }
  },
  { faults }
)

const ready: Ready = {
  url: server.url,
  bases: Object.fromEntries(sizes.map((size, i) => [String(size), server.fake.fakes[i]!.baseUrl])),
  users: Object.fromEntries(sizes.map((size) => [String(size), Math.min(size, district.users.length)])),
  generateMs
}
process.stdout.write(`${JSON.stringify(ready)}\n`)

const shutdown = () => {
  void server.close().finally(() => process.exit(0))
}
process.on("SIGTERM", shutdown)
process.on("SIGINT", shutdown)
process.stdin.on("end", shutdown)
process.stdin.on("error", shutdown)
process.stdin.resume()
