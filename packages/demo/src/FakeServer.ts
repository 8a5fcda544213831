/**
 * What every fake SIS server of this package is (FakeOneRoster, FakeClever): a Fetch-style
 * handler over a Dataset, the requests it saw, and where it answers. Msw and Loopback serve any
 * of them.
 */

/** One request a fake received. */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
}

export interface FakeServer {
  readonly handle: (request: Request) => Promise<Response>
  /** Every request, in order (token requests and faulted ones included). */
  readonly requests: ReadonlyArray<RecordedRequest>
  readonly baseUrl: string
  /** The origins to intercept (the base URL's, and any token URL's), for Msw. */
  readonly origins: ReadonlyArray<string>
}
