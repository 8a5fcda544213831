/**
 * The Promise face of the OneRoster provider, for programs that do not use Effect. It keeps
 * the seed library's API (`get_users(user_filter, group_filter, group_name)`,
 * `match_groups_by`) in TypeScript's naming:
 *
 *     const connector = new OneRosterConnector({
 *       baseUrl: "https://sis.example.org/ims/oneroster/v1p1/",
 *       auth: { type: "oauth1", clientId: "…", clientSecret: "…" }
 *     })
 *     const ela = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "ELA 6 (6A ELA)" })
 *     for await (const teacher of connector.streamUsers({ userFilter: "teachers" })) console.log(teacher.username)
 *     await connector.close()
 *
 * Failures reject with rosterkit's typed errors (`AuthError`, `NotFound`, `InvalidQuery` …:
 * check `error._tag`). Everything but the constructor is core's `Connector`.
 */
import * as Connector from "@rosterkit/core/Connector"
import * as OneRosterClient from "./OneRosterClient.js"
import * as OneRosterProvider from "./OneRosterProvider.js"

export type { GetUsersOptions, ListEntitiesOptions, Secret } from "@rosterkit/core/Connector"

export type AuthInput =
  | (Omit<OneRosterClient.OAuth1, "clientSecret"> & { readonly clientSecret: Connector.Secret })
  | (Omit<OneRosterClient.OAuth2, "clientSecret"> & { readonly clientSecret: Connector.Secret })
  | (Omit<OneRosterClient.Bearer, "token"> & { readonly token: Connector.Secret })

export interface ConnectorOptions extends Omit<OneRosterClient.Options, "auth">, Connector.Options {
  readonly auth: AuthInput
}

const clientOptions = (settings: Omit<ConnectorOptions, keyof Connector.Options>): OneRosterClient.Options => {
  const { auth, ...rest } = settings
  const resolved: OneRosterClient.AuthOptions =
    auth?.type === "bearer"
      ? { ...auth, token: Connector.redacted(auth.token) }
      : auth?.type === "oauth1" || auth?.type === "oauth2"
        ? { ...auth, clientSecret: Connector.redacted(auth.clientSecret) }
        : (auth as OneRosterClient.AuthOptions)
  return { ...rest, auth: resolved }
}

/**
 * A OneRoster server behind Promises. Construction checks the configuration (a missing secret or
 * bad URL throws a `ConfigurationError` at once); the first request happens on the first call.
 */
export class OneRosterConnector extends Connector.Connector {
  constructor(options: ConnectorOptions) {
    const [settings, own] = Connector.splitOptions(options)
    const client = clientOptions(settings)
    const checked = OneRosterClient.validate(client)
    if (checked._tag === "Left") throw checked.left
    super(OneRosterProvider.layer(client), own)
  }
}
