/**
 * `requests`: the Adobe User Sync scenario, counted in HTTP requests (deterministic numbers).
 *
 * One sync run = 50 group queries ("students of <group>"): 30 classes by title, 10 courses by
 * title, 10 schools by name, against FakeOneRoster (msw, in process) over a generated district
 * (District.realistic: classes of 25, 5 per teacher). The run is repeated with:
 *
 * - one QueryEngine for the whole run (group listings cached) — what rosterkit does;
 * - a fresh engine per query — the old library's N+1 (every query re-lists its groups);
 *
 * each with and without server-side `filter=` narrowing of the group listing (groupFilter), at
 * page sizes 100, 1000 and 10000. Every variant must return the same users.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Query from "@rosterkit/core/Query"
import * as QueryEngine from "@rosterkit/core/QueryEngine"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as OneRosterProvider from "@rosterkit/oneroster/OneRosterProvider"
import * as Dataset from "@rosterkit/demo/Dataset"
import * as FakeOneRoster from "@rosterkit/demo/FakeOneRoster"
import * as Msw from "@rosterkit/testkit/Msw"
import * as District from "./District.js"
import * as Report from "./Report.js"

export interface Options {
  /** Users in the district (default 20,000). */
  readonly size: number
  /** Page sizes to compare (default 100, 1000, 10000). */
  readonly pageSizes?: ReadonlyArray<number>
  readonly log?: (line: string) => void
}

export const defaultSize = 20_000
export const defaultPageSizes: ReadonlyArray<number> = [100, 1000, 10_000]

/** How the run uses the engine. */
export interface Mode {
  readonly label: string
  /** One engine for the whole run (true) or one per query. */
  readonly sharedEngine: boolean
  readonly groupFilter: boolean
}

export const modes: ReadonlyArray<Mode> = [
  { label: "one engine, filter pushdown (rosterkit default)", sharedEngine: true, groupFilter: true },
  { label: "one engine, no pushdown", sharedEngine: true, groupFilter: false },
  { label: "engine per query, filter pushdown", sharedEngine: false, groupFilter: true },
  { label: "engine per query, no pushdown (old library N+1)", sharedEngine: false, groupFilter: false }
]

/** The 50 queries of one sync run over `dataset`, in a fixed order. */
export const queries = (dataset: Dataset.Dataset): ReadonlyArray<Query.Query> => {
  const distinct = (values: ReadonlyArray<string | undefined>, limit: number): Array<string> => {
    const seen = new Set<string>()
    const out: Array<string> = []
    for (const value of values) {
      if (value === undefined || seen.has(value.toLowerCase())) continue
      seen.add(value.toLowerCase())
      out.push(value)
      if (out.length === limit) break
    }
    return out
  }
  const classTitles = distinct(dataset.classes.map((c) => c.title), 30)
  const courseTitles = distinct(dataset.courses.map((c) => c.title).filter((t) => t !== "Homeroom"), 10)
  const schoolNames = distinct(Dataset.byKind(dataset, "schools").map((s) => s.name), 10)
  const make = (group: Query.GroupKind, name: string) => Effect.runSync(Query.make({ role: "students", group, name }))
  return [
    ...classTitles.map((name) => make("classes", name)),
    ...courseTitles.map((name) => make("courses", name)),
    ...schoolNames.map((name) => make("schools", name))
  ]
}

/** Requests of one run, by what they were for. */
export interface Counts {
  readonly requests: number
  /** `GET /classes`, `/courses`, `/schools` (with or without filter=). */
  readonly listings: number
  /** Of which narrowed with filter=. */
  readonly filtered: number
  /** `GET /classes/{id}/students`, `/schools/{id}/students` … */
  readonly members: number
  /** `GET /courses/{id}/classes`. */
  readonly classesOfCourse: number
  readonly other: number
}

/** Classifies `urls` (requests to the fake under `basePath`). */
export const classify = (urls: ReadonlyArray<string>, basePath: string): Counts => {
  let listings = 0
  let filtered = 0
  let members = 0
  let classesOfCourse = 0
  let other = 0
  for (const raw of urls) {
    const url = new URL(raw)
    const segments = url.pathname.slice(basePath.length).split("/").filter((s) => s !== "")
    if (segments.length === 1 && ["classes", "courses", "schools"].includes(segments[0]!)) {
      listings++
      if (url.searchParams.has("filter")) filtered++
    } else if (segments.length === 3 && (segments[2] === "students" || segments[2] === "teachers")) members++
    else if (segments.length === 3 && segments[0] === "courses" && segments[2] === "classes") classesOfCourse++
    else other++
  }
  return { requests: urls.length, listings, filtered, members, classesOfCourse, other }
}

/**
 * Requests of a full listing of `count` records at `pageSize` with X-Total-Count: one per page,
 * plus one when the last page is full (core's pager then checks that the roster did not grow),
 * so floor(count / pageSize) + 1.
 */
export const pagesOf = (count: number, pageSize: number): number => Math.floor(count / pageSize) + 1

/**
 * The group-listing requests a run without pushdown must make: once per kind with one engine,
 * once per query with an engine per query.
 */
export const expectedListings = (dataset: Dataset.Dataset, run: ReadonlyArray<Query.Query>, pageSize: number, sharedEngine: boolean): number => {
  const kinds = run.map((q) => q.group!.kind)
  const counted = sharedEngine ? [...new Set(kinds)] : kinds
  return counted.reduce((sum, kind) => sum + pagesOf(Dataset.byKind(dataset, kind).length, pageSize), 0)
}

const token = "bench-bearer-token"

/** One sync run in one mode and page size: the users returned (summed over the queries). */
const syncRun = (baseUrl: string, run: ReadonlyArray<Query.Query>, pageSize: number, mode: Mode) =>
  Effect.gen(function* () {
    const provider = yield* RosterProvider.RosterProvider
    const options = { groupFilter: mode.groupFilter }
    const shared = mode.sharedEngine ? yield* QueryEngine.make(provider, options) : undefined
    let users = 0
    for (const query of run) {
      const engine = shared ?? (yield* QueryEngine.make(provider, options))
      const result = yield* engine.run(query)
      users += result.users.length
    }
    return users
  }).pipe(
    Effect.provide(
      OneRosterProvider.layer({ baseUrl, auth: { type: "bearer", token: Redacted.make(token) }, pageSize }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    )
  )

export const run = async (options: Options): Promise<Report.Result> => {
  const log = options.log ?? (() => {})
  const startedAt = new Date().toISOString()
  const pageSizes = options.pageSizes ?? defaultPageSizes
  const generateStarted = performance.now()
  const dataset = District.realistic(options.size)
  const generateMs = performance.now() - generateStarted
  const sync = queries(dataset)
  const fake = FakeOneRoster.make({ dataset, auth: { type: "bearer", token }, maxLimit: 10_000 })
  const basePath = new URL(fake.baseUrl).pathname
  log(
    `requests: district of ${dataset.users.length.toLocaleString("en-US")} users, ${dataset.classes.length} classes, ${dataset.courses.length} courses, ${Dataset.byKind(dataset, "schools").length} schools (${(generateMs / 1000).toFixed(1)} s); ${sync.length} queries`
  )
  const server = Msw.serve(fake)
  try {
    const rows: Array<Report.Row> = []
    let users: number | undefined
    for (const pageSize of pageSizes) {
      for (const mode of modes) {
        const from = fake.requests.length
        const started = performance.now()
        const returned = await Effect.runPromise(syncRun(fake.baseUrl, sync, pageSize, mode))
        const ms = performance.now() - started
        const counts = classify(
          fake.requests.slice(from).map((r) => r.url),
          basePath
        )
        if (users !== undefined && returned !== users) {
          throw new Error(`"${mode.label}" at page size ${pageSize} returned ${returned} users, another variant ${users}`)
        }
        users = returned
        rows.push({
          mode: mode.label,
          "page size": pageSize,
          requests: counts.requests,
          listings: counts.listings,
          "filtered listings": counts.filtered,
          "member pages": counts.members,
          "course->classes": counts.classesOfCourse,
          other: counts.other,
          "expected listings": mode.groupFilter ? null : expectedListings(dataset, sync, pageSize, mode.sharedEngine),
          users: returned,
          "time s": Report.round(ms / 1000, 2)
        })
        log(`requests: page size ${pageSize}, ${mode.label}: ${counts.requests} requests (${(ms / 1000).toFixed(1)} s)`)
      }
    }
    return {
      name: "requests",
      size: options.size,
      startedAt,
      machine: Report.machine(),
      columns: ["mode", "page size", "requests", "listings", "filtered listings", "member pages", "course->classes", "users", "time s"],
      rows,
      notes: [
        `district: ${dataset.users.length} users, ${dataset.classes.length} classes, ${dataset.courses.length} courses, ${Dataset.byKind(dataset, "schools").length} schools (District.realistic, seed 2025)`,
        `one run = ${sync.length} queries for students: 30 classes by title, 10 courses by title, 10 schools by name; "users" sums the users of every query`,
        "FakeOneRoster through msw in process (bearer, maxLimit 10000, X-Total-Count); request counts are deterministic, times are not",
        "\"expected listings\" (in the JSON): the listing pages a run without pushdown must make, floor(groups / page size) + 1 per kind (one engine) or per query (engine per query)"
      ]
    }
  } finally {
    server.close()
  }
}
