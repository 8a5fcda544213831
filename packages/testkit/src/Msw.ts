/**
 * msw glue for the fake servers: msw intercepts the global `fetch` (and so
 * `FetchHttpClient.layer`), so a provider under test talks to FakeOneRoster / FakeClever
 * without a socket.
 *
 *     const fake = FakeOneRoster.make({ dataset })
 *     const server = Msw.serve(fake)        // listening, onUnhandledRequest: "error"
 *     afterAll(() => server.close())
 *
 * msw cannot fake a TCP reset or a body cut short after the status line faithfully; for those
 * use Loopback, which runs the same fakes over a real socket.
 */
import { http, type HttpHandler } from "msw"
import { setupServer, type SetupServer } from "msw/node"
import type * as FakeServer from "./FakeServer.js"

/**
 * Anything with a Fetch handler and a base URL: the fakes of this package. `origins` (default:
 * the base URL's) are the origins to intercept; FakeOneRoster adds its OAuth 2 token URL's.
 */
export type Fake = Pick<FakeServer.FakeServer, "handle" | "baseUrl"> & Partial<Pick<FakeServer.FakeServer, "origins">>

/** msw handlers sending every request to `fake`'s origins to `fake.handle`. */
export const handlers = (fake: Fake): Array<HttpHandler> =>
  (fake.origins ?? [new URL(fake.baseUrl).origin]).map((origin) => http.all(`${origin}/*`, ({ request }) => fake.handle(request)))

/**
 * An msw server for `fakes`, already listening with `onUnhandledRequest: "error"` (a request
 * to any other host fails loudly). The caller closes it (`server.close()`).
 */
export const serve = (...fakes: ReadonlyArray<Fake>): SetupServer => {
  const server = setupServer(...fakes.flatMap(handlers))
  server.listen({ onUnhandledRequest: "error" })
  return server
}
