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
  /**
   * What `handle` checks first: the answer (401) a request is refused with for its credentials,
   * or undefined when they are good. The request is not recorded in `requests`; an OAuth 1.0a
   * nonce is spent as `handle` spends it. A server that keeps answers it gave (the mock SIS)
   * still holds every request to the fake's own rule with it.
   */
  readonly authorize: (request: Request) => Response | undefined
  /** Every request, in order (token requests and faulted ones included). */
  readonly requests: ReadonlyArray<RecordedRequest>
  readonly baseUrl: string
  /** The origins to intercept (the base URL's, and any token URL's), for Msw. */
  readonly origins: ReadonlyArray<string>
}
