/**
 * Page bodies the fakes keep so a repeated page costs a copy instead of a JSON.stringify: a
 * map from what selects a page to its JSON body (held as UTF-8 bytes), bounded by a total size.
 * A cache of 0 bytes keeps nothing. Pages are never evicted: past the bound, new pages are
 * simply built each time (a benchmark server fills the cache in its warm-up).
 */

export interface Page {
  /** The JSON body. */
  readonly body: Uint8Array<ArrayBuffer> | string
  /** The size of the listing the page is from (X-Total-Count). */
  readonly total: number
}

export interface PageCache {
  readonly get: (key: string) => Page | undefined
  /** Keeps `page` when it fits; returns what to serve (the kept copy or `page` itself). */
  readonly put: (key: string, page: Page) => Page
  /** Bytes kept so far. */
  readonly size: () => number
}

const encoder = new TextEncoder()

export const make = (maxBytes: number): PageCache => {
  const pages = new Map<string, Page>()
  let bytes = 0
  return {
    get: (key) => (maxBytes > 0 ? pages.get(key) : undefined),
    put: (key, page) => {
      if (maxBytes <= 0 || typeof page.body !== "string") return page
      const encoded = encoder.encode(page.body)
      if (bytes + encoded.byteLength > maxBytes) return page
      const kept = { body: encoded, total: page.total }
      pages.set(key, kept)
      bytes += encoded.byteLength
      return kept
    },
    size: () => bytes
  }
}

/** The cache key of a page: the listing's path and every parameter that selects records. */
export const key = (...parts: ReadonlyArray<string | number | null | undefined>): string =>
  parts.map((part) => (part === null || part === undefined ? "\u0000" : String(part))).join("\u0001")
