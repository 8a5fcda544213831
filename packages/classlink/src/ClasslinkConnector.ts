/**
 * ClassLink behind Promises, exactly like the seed library's Quick Start:
 *
 *     const connector = new ClasslinkConnector({ host, clientId, clientSecret })
 *     const students = await connector.getUsers({ userFilter: "students" })
 *     const ela = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "ELA 6 (6A ELA)" })
 *     connector.matchGroupsBy = "location"
 *     const room302 = await connector.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "302" })
 *     await connector.close()
 *
 * Or through ClassLink's OAuth 2 proxy: `new ClasslinkConnector({ token, applicationId })`.
 * Everything else (streaming, entities, typed errors) is `OneRosterConnector`'s.
 */
import type * as Connector from "@rosterkit/core/Connector"
import { OneRosterConnector } from "@rosterkit/oneroster/OneRosterConnector"
import * as ClassLinkProvider from "./ClassLinkProvider.js"

type Secret = Connector.Secret
type ConnectorExtras = Connector.Options

export type ClasslinkConnectorOptions =
  | (Omit<ClassLinkProvider.DirectOptions, "clientSecret"> & { readonly clientSecret: Secret } & ConnectorExtras)
  | (Omit<ClassLinkProvider.ProxyOptions, "token"> & { readonly token: Secret } & ConnectorExtras)

/**
 * A ClassLink tenant behind Promises. Construction checks the settings (a missing host or
 * secret throws a `ConfigurationError` at once); the first request happens on the first call.
 */
export class ClasslinkConnector extends OneRosterConnector {
  constructor(options: ClasslinkConnectorOptions) {
    const { matchGroupsBy, cacheTtl, groupConcurrency, httpClient, ...provider } = options ?? ({} as ClasslinkConnectorOptions)
    const resolved = ClassLinkProvider.oneRosterOptions(provider as ClassLinkProvider.Options)
    if (resolved._tag === "Left") throw resolved.left
    super({ ...resolved.right, matchGroupsBy, cacheTtl, groupConcurrency, httpClient })
  }
}
