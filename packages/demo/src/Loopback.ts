/**
 * The fakes over real TCP: a `node:http` server on 127.0.0.1 (a free port) that converts each
 * Node request into a Fetch `Request`, calls the handler, and writes its `Response` back. Use
 * it for what msw cannot fake faithfully, and for clients that do not use the global fetch
 * (`NodeHttpClient`):
 *
 * - a real connection reset (`socket.resetAndDestroy()`: the client sees ECONNRESET);
 * - a body cut short after the status line (headers with the FULL Content-Length, half the
 *   body, then the socket is closed).
 *
 * Faults come from two places, both honoured: `options.faults` here (applied at the socket, before
 * the handler runs) and the fake's own `faults` (a fake's `reset` becomes a socket reset, its
 * `truncate` a body stream that breaks off mid-way).
 *
 * A fake whose URLs must be the loopback's (FakeOneRoster's absolute Link headers, OAuth 1
 * signatures, its OAuth 2 token URL) is built once the port is known, with `serveFake`:
 *
 *     const server = await Loopback.serveFake((url) =>
 *       FakeOneRoster.make({ dataset, baseUrl: `${url}/ims/oneroster/v1p1` }))
 *     // server.url = "http://127.0.0.1:40123", server.fake.requests …
 *     await server.close()
 */
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { demoDistrict } from "./DemoDistrict.js"
import * as FakeOneRoster from "./FakeOneRoster.js"
import * as Faults from "./Faults.js"

/** A Fetch-API handler (what the fakes' `handle` is). */
export type Handler = (request: Request) => Promise<Response>

export interface Options {
  /** Faults applied at the socket, before the handler runs. */
  readonly faults?: ReadonlyArray<Faults.FaultRule>
}

export interface Server {
  /** "http://127.0.0.1:<port>", no trailing slash. */
  readonly url: string
  /** Closes every connection and the listener. */
  readonly close: () => Promise<void>
}

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length", "expect", "te", "trailer", "proxy-connection"])

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

const resetSocket = (socket: Socket | null | undefined): void => {
  if (socket === null || socket === undefined || socket.destroyed) return
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
  else socket.destroy()
}

const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

const toRequest = async (req: http.IncomingMessage, fallbackHost: string): Promise<Request> => {
  const url = `http://${req.headers.host ?? fallbackHost}${req.url ?? "/"}`
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!
    if (!hopByHop.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1]!)
  }
  const method = req.method ?? "GET"
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req)
  return new Request(url, { method, headers, ...(body === undefined ? {} : { body: new Uint8Array(body) }) })
}

const headerRecord = (headers: Headers, extra: Record<string, string> = {}): Record<string, string> => {
  const out: Record<string, string> = {}
  headers.forEach((value, key) => {
    if (key !== "content-length" && key !== "transfer-encoding" && key !== "connection") out[key] = value
  })
  return { ...out, ...extra }
}

/** Writes `response` to `res`, streaming; a body stream that fails closes the socket mid-body. */
const writeResponse = async (res: http.ServerResponse, response: Response): Promise<void> => {
  const length = response.headers.get("content-length")
  res.writeHead(response.status, response.statusText, headerRecord(response.headers, length === null ? {} : { "content-length": length }))
  if (response.body === null) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      res.write(value)
    }
    res.end()
  } catch {
    // The fake broke its body off: the client sees the connection close mid-body.
    await new Promise<void>((resolve) => res.write("", () => resolve()))
    res.socket?.destroy()
  }
}

/** Writes `response` with its full Content-Length but only half its body, then closes the socket. */
const writeTruncated = async (res: http.ServerResponse, response: Response): Promise<void> => {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await response.arrayBuffer())
  } catch {
    res.socket?.destroy()
    return
  }
  res.writeHead(response.status, response.statusText, headerRecord(response.headers, { "content-length": String(bytes.length) }))
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy())
}

const listen = (server: http.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve((server.address() as AddressInfo).port)
    })
  })

/**
 * Serves the fake `make(url)` builds once the port is known (so its baseUrl, Link headers and
 * token URL can be the loopback's). Returns the server and the fake.
 */
export const serveFake = async <F extends { readonly handle: Handler }>(
  make: (url: string) => F,
  options: Options = {}
): Promise<Server & { readonly fake: F }> => {
  const plan = Faults.make(options.faults ?? [])
  const built: { fake?: F } = {}
  let fallbackHost = "127.0.0.1"

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    try {
      const request = await toRequest(req, fallbackHost)
      let fault = plan.next(new URL(request.url))
      if (fault?.type === "delay") {
        await sleep(fault.millis)
        fault = undefined
      }
      if (fault?.type === "reset") {
        resetSocket(req.socket)
        return
      }
      if (fault?.type === "status") {
        const body = fault.body ?? JSON.stringify({ message: `fault injected: HTTP ${fault.status}` })
        const headers: Record<string, string> = { "content-type": "application/json", ...fault.headers }
        res.writeHead(fault.status, { ...headers, "content-length": String(Buffer.byteLength(body)) })
        res.end(body)
        return
      }
      if (built.fake === undefined) {
        res.writeHead(503, { "content-type": "text/plain" }).end("starting")
        return
      }
      const response = await built.fake.handle(request)
      if (response.type === "error") {
        resetSocket(req.socket)
        return
      }
      if (fault?.type === "truncate") await writeTruncated(res, response)
      else await writeResponse(res, response)
    } catch {
      resetSocket(req.socket)
    }
  }

  const server = http.createServer((req, res) => {
    void onRequest(req, res)
  })
  const port = await listen(server)
  fallbackHost = `127.0.0.1:${port}`
  const url = `http://127.0.0.1:${port}`
  const fake = make(url)
  built.fake = fake
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections()
      server.close((error) => (error === undefined ? resolve() : reject(error)))
    })
  return { url, close, fake }
}

/** Serves a handler that does not need to know its own URL. */
export const serve = async (handle: Handler, options: Options = {}): Promise<Server> => {
  const { url, close } = await serveFake(() => ({ handle }), options)
  return { url, close }
}

/** The demo server: its URLs and credentials, and the fake behind it. */
export interface Demo extends Server {
  /** The OneRoster base URL ("http://127.0.0.1:<port>/ims/oneroster/v1p1"). */
  readonly baseUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly fake: FakeOneRoster.FakeServer
}

/**
 * The demo district (DemoDistrict) behind FakeOneRoster with OAuth 1.0a (clientId
 * "demo-client", clientSecret "demo-secret"), on loopback: what the CLI's demo mode talks to
 * with the ClassLink adapter. `options` tunes the fake (page limits, faults, permRev …).
 */
export const serveDemo = async (
  options: Omit<FakeOneRoster.Options, "dataset" | "baseUrl" | "auth"> = {}
): Promise<Demo> => {
  const clientId = "demo-client"
  const clientSecret = "demo-secret"
  const server = await serveFake((url) =>
    FakeOneRoster.make({
      ...options,
      dataset: demoDistrict,
      baseUrl: `${url}/ims/oneroster/v1p1`,
      auth: { type: "oauth1", clientId, clientSecret }
    })
  )
  return { ...server, baseUrl: server.fake.baseUrl, clientId, clientSecret }
}
