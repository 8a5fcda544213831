/** Types for `oauth-sign` 0.9 (RFC 5849 signing; the package ships none). */
declare module "oauth-sign" {
  type Params = Record<string, string | ReadonlyArray<string>>
  interface OAuthSign {
    /** The signature of a request: base64 HMAC over the RFC 5849 signature base string. */
    sign(
      signMethod: "HMAC-SHA1" | "HMAC-SHA256" | "RSA-SHA1" | "PLAINTEXT",
      httpMethod: string,
      baseUri: string,
      params: Params,
      consumerSecret: string,
      tokenSecret?: string
    ): string
    hmacsign(httpMethod: string, baseUri: string, params: Params, consumerSecret: string, tokenSecret?: string): string
    hmacsign256(httpMethod: string, baseUri: string, params: Params, consumerSecret: string, tokenSecret?: string): string
    /** The RFC 5849 signature base string. */
    generateBase(httpMethod: string, baseUri: string, params: Params): string
    /** RFC 3986 percent-encoding. */
    rfc3986(value: string): string
  }
  const oauthSign: OAuthSign
  export = oauthSign
}
