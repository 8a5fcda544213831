/**
 * How the CLI's HTTP client (node:http through @effect/platform-node) reads a response body that
 * arrives in many pieces: whole, and joined once. The published 0.61.1 of
 * @effect/platform-node-shared joins the pieces on each one (a body of n pieces is copied n
 * times); patches/ fixes that until upstream ships it, and this test fails without the patch.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { afterAll, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const pieces = 64
const piece = Buffer.alloc(16 * 1024, "a")

let server: http.Server
let base = ""

beforeAll(async () => {
  server = http.createServer((_, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(pieces * piece.length) })
    // one piece per macrotask, so the client reads them as separate chunks
    let sent = 0
    const next = () => {
      if (sent === pieces) return
      sent++
      res.write(piece, () => setTimeout(next, 1))
      if (sent === pieces) res.end()
    }
    next()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe("the CLI's HTTP client", () => {
  it.effect("reads a body sent in many pieces whole, copying it once", () =>
    Effect.gen(function* () {
      const concat = vi.spyOn(Buffer, "concat")
      try {
        const client = yield* HttpClient.HttpClient
        const bytes = yield* Effect.flatMap(client.get(`${base}/body`), (response) => response.arrayBuffer)
        const body = new Uint8Array(bytes)
        expect(body.byteLength).toBe(pieces * piece.length)
        expect(body.every((byte) => byte === 0x61)).toBe(true)
        // bytes copied into joined buffers: once the body, where joining on each piece copies it ~pieces/2 times
        const copied = concat.mock.results.reduce((sum, result) => sum + (result.value as Buffer).byteLength, 0)
        expect(concat.mock.calls.length).toBeGreaterThan(0)
        expect(copied).toBeLessThanOrEqual(2 * pieces * piece.length)
      } finally {
        concat.mockRestore()
      }
    }).pipe(Effect.provide(NodeHttpClient.layer))
  )
})
