/** Small, focused fakes for the unit tests (the conformance suite uses testkit's FakeOneRoster). */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Chunk from "effect/Chunk"
import { http, HttpResponse } from "msw"
import * as RosterProvider from "@rosterkit/core/RosterProvider"
import * as OneRosterClient from "../src/OneRosterClient.js"
import * as OneRosterProvider from "../src/OneRosterProvider.js"

export const base = "https://sis.example/ims/oneroster/v1p1"

/** Millisecond retries, so fault tests finish at once. */
export const fast = { retries: 4, baseDelay: "1 millis", maxDelay: "5 millis" } as const

export const oauth1 = (secret = "s3cret-value", signatureMethod?: OneRosterClient.SignatureMethod): OneRosterClient.OAuth1 => ({
  type: "oauth1",
  clientId: "client-id",
  clientSecret: Redacted.make(secret),
  ...(signatureMethod === undefined ? {} : { signatureMethod })
})

export const options = (overrides: Partial<OneRosterClient.Options> = {}): OneRosterClient.Options => ({
  baseUrl: base,
  auth: oauth1(),
  retry: fast,
  timeout: "5 seconds",
  ...overrides
})

/** The client and the provider over FetchHttpClient (which msw intercepts). */
export const build = (opts: OneRosterClient.Options) =>
  Effect.all([OneRosterClient.OneRosterClient, RosterProvider.RosterProvider]).pipe(
    Effect.map(([client, provider]) => ({ client, provider })),
    Effect.provide(OneRosterProvider.layer(opts).pipe(Layer.provide(FetchHttpClient.layer)))
  )

export const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

export const users = (n: number, prefix = "u") =>
  Array.from({ length: n }, (_, i) => ({
    sourcedId: `${prefix}${String(i + 1).padStart(4, "0")}`,
    role: i % 10 === 0 ? "teacher" : "student",
    givenName: `Given ${i + 1}`,
    familyName: "Family",
    dateLastModified: `2024-01-${String((i % 28) + 1).padStart(2, "0")}T00:00:00.000Z`
  }))

export interface ListOptions {
  /** Send X-Total-Count (default true). */
  readonly total?: boolean
  /** Send Link rel="next" (default false). */
  readonly link?: boolean
  /** The largest limit the server honours, silently (default 10000). */
  readonly clamp?: number
  /** Every request, in order. */
  readonly log?: Array<Request>
  /** Answer this instead (for one request), e.g. a fault. */
  readonly intercept?: (request: Request, index: number) => Response | Promise<Response> | undefined
  /** Extra headers on each page. */
  readonly headers?: (request: Request, index: number) => Record<string, string>
}

/** A paged OneRoster list endpoint over `records` at `path` (relative to base). */
export const listHandler = (path: string, key: string, records: ReadonlyArray<unknown>, opts: ListOptions = {}) => {
  let index = 0
  return http.get(`${base}/${path}`, async ({ request }) => {
    const i = index++
    opts.log?.push(request.clone())
    const override = await opts.intercept?.(request, i)
    if (override !== undefined) return override
    const url = new URL(request.url)
    const limit = Math.min(Number(url.searchParams.get("limit") ?? "100"), opts.clamp ?? 10_000)
    const offset = Number(url.searchParams.get("offset") ?? "0")
    const page = records.slice(offset, offset + limit)
    const headers: Record<string, string> = { ...opts.headers?.(request, i) }
    if (opts.total !== false) headers["X-Total-Count"] = String(records.length)
    if (opts.link === true && offset + limit < records.length) {
      const next = new URL(url)
      next.searchParams.set("offset", String(offset + limit))
      headers["Link"] = `<${next.pathname}${next.search}>; rel="next"`
    }
    return HttpResponse.json({ [key]: page }, { headers })
  })
}

export const statusInfo = (status: number, description: string) =>
  HttpResponse.json(
    {
      statusInfoSet: [
        {
          imsx_codeMajor: "failure",
          imsx_severity: "error",
          imsx_description: description,
          imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: "TargetEndSystem", imsx_codeMinorFieldValue: "unknownobject" }] }
        }
      ]
    },
    { status }
  )
