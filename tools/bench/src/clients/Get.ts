/**
 * What the two reference clients (the floor and the sequential baseline) share: a keep-alive
 * `node:http` GET of a OneRoster URL, signed with OAuth 1.0a, its body as one string, and their
 * command-line flags. Plain Node: no Effect, no schema, no retries — these clients are the
 * yardsticks, not products.
 */
import * as http from "node:http"
import { parseArgs } from "node:util"
import * as OAuth1 from "@rosterkit/mock-sis/OAuth1"

export interface Flags {
  readonly base: string
  readonly credentials: OAuth1.Credentials
  readonly role: "students" | "teachers" | "users"
  readonly pageSize: number
  readonly concurrency: number
  readonly group: "classes" | "courses" | "schools" | undefined
  readonly name: string | undefined
  readonly matchOn: ReadonlyArray<string>
  readonly queries: string | undefined
}

export const flags = (argv: ReadonlyArray<string>): Flags => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      base: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      role: { type: "string", default: "users" },
      "page-size": { type: "string", default: "1000" },
      concurrency: { type: "string", default: "1" },
      group: { type: "string" },
      name: { type: "string" },
      "match-on": { type: "string", default: "sourcedId,name,title" },
      queries: { type: "string" }
    }
  })
  if (values.base === undefined || values["client-id"] === undefined || values["client-secret"] === undefined) {
    throw new Error("--base, --client-id and --client-secret are required")
  }
  return {
    base: values.base.replace(/\/+$/, ""),
    credentials: { clientId: values["client-id"], clientSecret: values["client-secret"] },
    role: values.role as Flags["role"],
    pageSize: Number(values["page-size"]),
    concurrency: Number(values.concurrency),
    group: values.group as Flags["group"],
    name: values.name,
    matchOn: values["match-on"].split(",").map((f) => f.trim()),
    queries: values.queries
  }
}

export interface Response {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export const makeGet = (credentials: OAuth1.Credentials, concurrency: number) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, concurrency) })
  let requests = 0
  const get = (url: string): Promise<Response> =>
    new Promise((resolve, reject) => {
      requests++
      const req = http.get(url, { agent, headers: { authorization: OAuth1.authorization(url, credentials), accept: "application/json" } }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8")
          if (res.statusCode !== 200) reject(new Error(`GET ${url} -> ${res.statusCode}: ${body.slice(0, 200)}`))
          else resolve({ status: res.statusCode, headers: res.headers, body })
        })
        res.on("error", reject)
      })
      req.on("error", reject)
    })
  return { get, requests: () => requests, close: () => agent.destroy() }
}

/** Writes to stdout, waiting for 'drain' when it is full. */
export const write = (text: string): Promise<void> =>
  process.stdout.write(text) ? Promise.resolve() : new Promise((resolve) => process.stdout.once("drain", () => resolve()))

/** Unwritten bytes `writeAhead` lets stdout hold before it waits (rosterkit's `sendAhead`). */
const ahead = 4 * 1024 * 1024

/**
 * Writes to stdout without waiting for the write unless more than 4 MiB are still unwritten
 * (then for 'drain'): the floor fetches its next page while a page goes down a pipe 64 KiB at a
 * time, as rosterkit does. Node writes what is pending before a natural exit.
 */
export const writeAhead = (text: string): Promise<void> => {
  process.stdout.write(text)
  return process.stdout.writableLength <= ahead ? Promise.resolve() : new Promise((resolve) => process.stdout.once("drain", () => resolve()))
}

/** The endpoints of a role's users (`users` = students, then teachers). */
export const roleCollections = (role: Flags["role"]): ReadonlyArray<string> => (role === "users" ? ["students", "teachers"] : [role])

/** Runs `main`, reporting the request count on stderr (one JSON line) and failures with exit 1. */
export const run = (main: () => Promise<number>) => {
  main().then(
    (requests) => process.stderr.write(`${JSON.stringify({ requests })}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 1
    }
  )
}
