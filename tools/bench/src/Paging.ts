/**
 * `paging`: users/s of one large pull at concurrency 1 and 4 (X-Total-Count known, so the pager
 * fetches offsets concurrently), with no added latency and with 50 ms per request (a real SIS is
 * not on loopback).
 *
 * The server is server.ts in a child process (FakeOneRoster over loopback, bearer, maxLimit
 * 10000; a `delay` fault on every request for the latency runs); the client is
 * `OneRosterProvider.layer({ pageSize: 1000, concurrency })` over FetchHttpClient in this
 * process, `entities("users") |> Stream.runCount`.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as OneRosterProvider from "@rosterkit/oneroster/OneRosterProvider"
import * as Child from "./Child.js"
import * as Report from "./Report.js"
import type { Ready } from "./server.js"

export interface Options {
  /** Users in the district (default 200,000). */
  readonly size: number
  /** Added latency per request, in ms (default 0 and 50). */
  readonly latencies?: ReadonlyArray<number>
  readonly concurrencies?: ReadonlyArray<number>
  /** Records per request (default 1000, the OneRoster provider's default). */
  readonly pageSize?: number
  readonly log?: (line: string) => void
}

export const defaultSize = 200_000
const token = "bench-bearer-token"

/** The fetch client, counting the requests it sends. */
const countingClient = (counter: { requests: number }) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) => HttpClient.tapRequest(client, () => Effect.sync(() => void counter.requests++)))
  ).pipe(Layer.provide(FetchHttpClient.layer))

/** Pulls every user; the count of users and of requests. */
const pull = (baseUrl: string, pageSize: number, concurrency: number) => {
  const counter = { requests: 0 }
  return Effect.flatMap(RosterProvider.RosterProvider, (provider) => Stream.runCount(provider.entities("users"))).pipe(
    Effect.map((users) => ({ users, requests: counter.requests })),
    Effect.provide(
      OneRosterProvider.layer({ baseUrl, auth: { type: "bearer", token: Redacted.make(token) }, pageSize, concurrency }).pipe(
        Layer.provide(countingClient(counter))
      )
    )
  )
}

export const run = async (options: Options): Promise<Report.Result> => {
  const log = options.log ?? (() => {})
  const startedAt = new Date().toISOString()
  const latencies = options.latencies ?? [0, 50]
  const concurrencies = options.concurrencies ?? [1, 4]
  const pageSize = options.pageSize ?? 1000
  const rows: Array<Report.Row> = []
  const notes: Array<string> = []
  for (const latency of latencies) {
    log(`paging: generating ${options.size.toLocaleString("en-US")} users in a server process (latency ${latency} ms)…`)
    const server = await Child.startService<Ready>([
      ...Child.tsNodeArgs,
      Child.script("server.ts"),
      "--sizes",
      String(options.size),
      "--token",
      token,
      "--max-limit",
      "10000",
      "--delay-ms",
      String(latency)
    ])
    try {
      const expected = server.ready.users[String(options.size)]!
      const baseUrl = server.ready.bases[String(options.size)]!
      let baseline: number | undefined
      for (const concurrency of concurrencies) {
        const started = performance.now()
        const { users: count, requests } = await Effect.runPromise(pull(baseUrl, pageSize, concurrency))
        const seconds = (performance.now() - started) / 1000
        if (count !== expected) throw new Error(`the pull returned ${count} users of ${expected}`)
        const rate = count / seconds
        baseline ??= rate
        rows.push({
          "latency ms": latency,
          concurrency,
          users: count,
          requests,
          "time s": Report.round(seconds, 2),
          "users/s": Math.round(rate),
          speedup: Report.round(rate / baseline, 2)
        })
        log(`paging: latency ${latency} ms, concurrency ${concurrency}: ${Math.round(rate)} users/s`)
      }
    } finally {
      await server.stop()
    }
  }
  notes.push(
    `page size ${pageSize}; the server (its own process) sends X-Total-Count, so the pager requests offsets concurrently after the first page`,
    "the client decodes every record with effect Schema in this process; at 0 ms latency the two processes share 2 cores"
  )
  return {
    name: "paging",
    size: options.size,
    startedAt,
    machine: Report.machine(),
    columns: ["latency ms", "concurrency", "users", "requests", "time s", "users/s", "speedup"],
    rows,
    notes
  }
}
