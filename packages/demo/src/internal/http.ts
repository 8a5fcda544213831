/** Small Fetch-API helpers shared by the fake servers. */

/** A JSON response. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } })

/**
 * A query string from `params`, RFC 3986-encoded (spaces as %20, never "+"), in their order:
 * links built this way sign the same with every OAuth 1.0a library.
 */
export const encodeQuery = (params: URLSearchParams): string => {
  const parts: Array<string> = []
  params.forEach((value, key) => {
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
  })
  return parts.join("&")
}

/** A non-negative integer query parameter: undefined when absent, "invalid" when not an integer. */
export const integerParam = (params: URLSearchParams, name: string): number | undefined | "invalid" => {
  const raw = params.get(name)
  if (raw === null) return undefined
  return /^\s*\d+\s*$/.test(raw) ? Number(raw) : "invalid"
}

/** The path segments after `basePath` ("/ims/oneroster/v1p1"), decoded; undefined when outside it. */
export const segmentsUnder = (pathname: string, basePath: string): ReadonlyArray<string> | undefined => {
  const base = basePath.replace(/\/+$/, "")
  if (pathname !== base && !pathname.startsWith(`${base}/`)) return undefined
  const rest = pathname.slice(base.length).replace(/^\/+|\/+$/g, "")
  if (rest === "") return []
  try {
    return rest.split("/").map((s) => decodeURIComponent(s))
  } catch {
    return undefined
  }
}
