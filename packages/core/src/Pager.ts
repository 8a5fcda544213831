/**
 * Paged listings as lazy Streams. Pages stay internal: a provider supplies a function that
 * fetches one page, the pager decides which pages to fetch and checks that they form one
 * consistent listing (no record silently lost to a clamped limit, a short page, or a loop).
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Http from "./Http.js"
import * as FastCheck from "./internal/fastCheck.js"
import { DecodeError, InconsistentSnapshot, redactUrl, type RosterError } from "./RosterError.js"

/** One page of a listing with the paging signals the server sent. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  /** The size of the whole listing (OneRoster `X-Total-Count`), when sent. */
  readonly total?: number | undefined
  /** The URL of the next page (OneRoster `Link rel="next"`, Clever `links`), when sent. */
  readonly next?: string | undefined
}

/** Options of {@link offsetPaged}. */
export interface OffsetOptions<A> {
  /** The `limit` asked for; the server may silently return fewer per page. */
  readonly pageSize: number
  /** How many pages to fetch at once when the total is known. */
  readonly concurrency: number
  readonly context: Http.Context
  /** Fetches the page at `offset` of at most `limit` records. */
  readonly fetch: (offset: number, limit: number) => Effect.Effect<Page<A>, RosterError>
  /** Fetches a page by the URL of a `next` link. Without it, `next` links are ignored and offsets used. */
  readonly fetchUrl?: ((url: string) => Effect.Effect<Page<A>, RosterError>) | undefined
}

const inconsistent = (context: Http.Context, detail: string) => new InconsistentSnapshot({ ...context, detail })

const repeatedNext = (context: Http.Context, url: string) =>
  inconsistent(context, `the server sent the next link ${redactUrl(url)} twice; stopping instead of looping`)

/**
 * Pages by offset from `start` until a page is empty or shorter than the largest page seen
 * (`largest` starts with what earlier pages showed).
 */
const sequential = <A>(options: OffsetOptions<A>, start: number, largest: number, limit: number): Stream.Stream<A, RosterError> =>
  Stream.paginateChunkEffect({ offset: start, largest }, (state) =>
    Effect.map(options.fetch(state.offset, limit), (page) => {
      const length = page.items.length
      const done = length === 0 || length < state.largest
      return [
        Chunk.fromIterable(page.items),
        done ? Option.none() : Option.some({ offset: state.offset + length, largest: Math.max(state.largest, length) })
      ] as const
    })
  )

/** Follows `next` links from `first` (already fetched) until absent, an empty page, or a repeat. */
const followNext = <A>(
  context: Http.Context,
  first: string,
  fetchUrl: (url: string) => Effect.Effect<Page<A>, RosterError>,
  stopOnEmpty: boolean
): Stream.Stream<A, RosterError> =>
  Stream.suspend(() => {
    const seen = new Set<string>([first])
    return Stream.paginateChunkEffect(first, (url) =>
      Effect.flatMap(fetchUrl(url), (page) => {
        const next = page.next
        const items = Chunk.fromIterable(page.items)
        if (next === undefined || (stopOnEmpty && page.items.length === 0)) {
          return Effect.succeed([items, Option.none<string>()] as const)
        }
        if (seen.has(next)) return Effect.fail(repeatedNext(context, next))
        seen.add(next)
        return Effect.succeed([items, Option.some(next)] as const)
      })
    )
  })

/**
 * A OneRoster-style listing paged by `offset`/`limit`. Lazy: nothing is fetched until the
 * stream is pulled, and `Stream.take(5)` on a 100-per-page listing makes one request.
 *
 * After the first page:
 * - `total` known: the remaining offsets (stepping by the page size the server actually
 *   returned, so a silently clamped `limit` loses nothing) are fetched `concurrency` at a time,
 *   in order. A page other than the last that comes back short fails with
 *   `InconsistentSnapshot`; a full last page means the roster grew, so paging continues.
 * - else `next` present (and `fetchUrl` given): follows the links; a repeated link fails.
 * - else: pages by offset until a page is empty or shorter than the largest seen (a short first
 *   page is not trusted as the end).
 */
export const offsetPaged = <A>(options: OffsetOptions<A>): Stream.Stream<A, RosterError> =>
  Stream.unwrap(
    Effect.map(options.fetch(0, options.pageSize), (first): Stream.Stream<A, RosterError> => {
      const length = first.items.length
      const items = Stream.fromChunk(Chunk.fromIterable(first.items))
      if (length === 0) return Stream.empty

      if (first.total !== undefined) {
        const total = first.total
        if (total <= length) {
          // one page holds the listing; a full one may mean the roster grew since it was counted
          return length >= options.pageSize ? Stream.concat(items, sequential(options, length, length, options.pageSize)) : items
        }
        // the server's effective page size: smaller than asked when it clamps `limit` silently
        const size = length
        const offsets: Array<number> = []
        for (let offset = size; offset < total; offset += size) offsets.push(offset)
        const lastOffset = offsets[offsets.length - 1]!
        const rest = Stream.fromIterable(offsets).pipe(
          Stream.mapEffect((offset) => Effect.map(options.fetch(offset, size), (page) => [offset, page] as const), {
            concurrency: Math.max(1, options.concurrency)
          }),
          Stream.flatMap(([offset, page]) => {
            const got = page.items.length
            const pageItems = Stream.fromChunk(Chunk.fromIterable(page.items))
            if (offset !== lastOffset) {
              return got < size
                ? Stream.fail(
                    inconsistent(
                      options.context,
                      `the page at offset ${offset} had ${got} records instead of ${size} (total ${total}): ` +
                        "records moved while paging"
                    )
                  )
                : pageItems
            }
            return got >= size ? Stream.concat(pageItems, sequential(options, offset + got, size, size)) : pageItems
          })
        )
        return Stream.concat(items, rest)
      }

      if (first.next !== undefined && options.fetchUrl !== undefined) {
        return Stream.concat(items, followNext(options.context, first.next, options.fetchUrl, true))
      }

      return Stream.concat(items, sequential(options, length, length, options.pageSize))
    })
  )

/**
 * A cursor listing (Clever's `links rel=next`): fetches `first`, then each `next` until a page
 * has none — no request after the last page. A repeated `next` fails with
 * `InconsistentSnapshot` instead of looping.
 */
export const linkPaged = <A>(options: {
  readonly first: string
  readonly context: Http.Context
  readonly fetch: (url: string) => Effect.Effect<Page<A>, RosterError>
}): Stream.Stream<A, RosterError> => followNext(options.context, options.first, options.fetch, false)

/** Splits `text` on `separator` outside double-quoted strings and `<…>`. */
const splitOutside = (text: string, separator: string): Array<string> => {
  const parts: Array<string> = []
  let current = ""
  let quoted = false
  let bracketed = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted && c === "\\" && i + 1 < text.length) {
      current += c + text[++i]
      continue
    }
    if (c === '"' && !bracketed) quoted = !quoted
    else if (c === "<" && !quoted) bracketed = true
    else if (c === ">" && !quoted) bracketed = false
    if (c === separator && !quoted && !bracketed) {
      parts.push(current)
      current = ""
    } else {
      current += c
    }
  }
  parts.push(current)
  return parts
}

/**
 * The `rel="next"` target of an RFC 8288 `Link` header (several links, quoted or bare rel
 * values, several relation types per rel), resolved against `requestUrl`.
 */
export const parseLinkNext = (header: string | undefined, requestUrl: string): string | undefined => {
  if (header === undefined) return undefined
  for (const link of splitOutside(header, ",")) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(link)
    if (match === null) continue
    const isNext = splitOutside(match[2]!, ";").some((param) => {
      const eq = param.indexOf("=")
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "rel") return false
      const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/s, "$1")
      return value.toLowerCase().split(/\s+/).includes("next")
    })
    if (!isNext) continue
    try {
      return new URL(match[1]!.trim(), requestUrl).toString()
    } catch {
      return undefined
    }
  }
  return undefined
}

/** Where decoded data came from, for errors: the call's context plus a URL or file. */
export type DecodeContext = Http.Context & { readonly source: string }

const decodeError = (context: DecodeContext, detail: string, record?: string) =>
  new DecodeError({
    provider: context.provider,
    operation: context.operation,
    source: redactUrl(context.source),
    ...(record === undefined ? {} : { record }),
    detail
  })

const shapeOf = (body: unknown): string => {
  if (body === null) return "null"
  if (Array.isArray(body)) return "an array"
  if (typeof body !== "object") return typeof body
  const keys = Object.keys(body)
  return keys.length === 0 ? "an empty object" : `an object with keys ${keys.slice(0, 10).join(", ")}`
}

/**
 * The records array under `key` of a list body (`{"users": […]}`). A body without that key,
 * or with a non-array under it, is a `DecodeError` — never an empty page.
 */
export const envelope = (body: unknown, key: string, context: DecodeContext): Effect.Effect<ReadonlyArray<unknown>, DecodeError> => {
  const value = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined
  return Array.isArray(value)
    ? Effect.succeed(value)
    : Effect.fail(
        decodeError(
          context,
          value === undefined
            ? `expected a JSON object with a "${key}" array, got ${shapeOf(body)}`
            : `expected "${key}" to be an array, got ${shapeOf(value)}`
        )
      )
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    ""
  )

const expected = /^Expected (.*), actual (.*)$/s

/**
 * One line per field: `path: message`. A union's failures at one path ("Expected "a", actual
 * "x"", "Expected "b", actual "x"") are merged into `Expected "a" | "b", actual "x"`.
 */
const describeIssues = (issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>): Array<string> => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of issues) {
    const path = formatPath(issue.path)
    byPath.set(path, [...(byPath.get(path) ?? []), issue.message])
  }
  return [...byPath].map(([path, messages]) => {
    const parsed = messages.map((message) => expected.exec(message))
    const actual = parsed[0]?.[2]
    const message =
      messages.length > 1 && parsed.every((match) => match !== null && match[2] === actual)
        ? `Expected ${parsed.map((match) => match![1]).join(" | ")}, actual ${actual}`
        : messages.join("; ")
    return path === "" ? message : `${path}: ${message}`
  })
}

/**
 * Decodes each record with `schema`. The first failure is a `DecodeError` naming the record
 * (its `sourcedId`, else `#index`) and the field path; its message reads e.g.
 * `… (record 18125) during list users: role: Expected "administrator" | …, actual "pupil"`.
 *
 * Fast path: when decoding `schema` changes nothing (core's Model: strict on sourcedId, role and
 * references, every other field kept as sent), each record is only checked against it — one
 * pass, no copy — and a page whose records all pass is returned as it is. A record that fails
 * the check is decoded by the Schema, for the error message. Same answers, same errors.
 */
export const decodeItems = <A, I>(
  schema: Schema.Schema<A, I>,
  items: ReadonlyArray<unknown>,
  context: DecodeContext
): Effect.Effect<ReadonlyArray<A>, DecodeError> =>
  Effect.suspend(() => {
    const check = FastCheck.of(schema.ast)
    if (check !== undefined) {
      let index = 0
      while (index < items.length && check(items[index])) index++
      // Every record checked: decoding would give equal records.
      if (index === items.length) return Effect.succeed(items as ReadonlyArray<A>)
    }
    const decode = Schema.decodeUnknownEither(schema, { errors: "all" })
    const out: Array<A> = []
    for (let index = 0; index < items.length; index++) {
      const item = items[index]
      if (check !== undefined && check(item)) {
        out.push(item as A)
        continue
      }
      const result = decode(item)
      if (result._tag === "Right") {
        out.push(result.right)
        continue
      }
      const id = typeof item === "object" && item !== null ? (item as { sourcedId?: unknown }).sourcedId : undefined
      const record = typeof id === "string" && id !== "" ? id : `#${index}`
      const issues = describeIssues(ParseResult.ArrayFormatter.formatErrorSync(result.left))
      const detail = issues.slice(0, 5).join("; ")
      return Effect.fail(
        decodeError(context, issues.length > 5 ? `${detail}; and ${issues.length - 5} more` : detail, record)
      )
    }
    return Effect.succeed(out)
  })
