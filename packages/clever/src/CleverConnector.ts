/**
 * The Promise face of the Clever provider, for programs that do not use Effect; the same
 * shape as `OneRosterConnector`:
 *
 *     const clever = new CleverConnector({ token: process.env.CLEVER_TOKEN! })
 *     const ela = await clever.getUsers({ userFilter: "students", groupFilter: "classes", groupName: "ELA 6 (6A ELA)" })
 *     for await (const teacher of clever.streamUsers({ userFilter: "teachers" })) console.log(teacher.email)
 *     await clever.close()
 *
 * Failures reject with rosterkit's typed errors (`AuthError`, `NotFound`, `InvalidQuery` …:
 * check `error._tag`). Everything but the constructor is core's `Connector`.
 */
import * as Connector from "@rosterkit/core/Connector"
import * as CleverClient from "./CleverClient.js"
import * as CleverProvider from "./CleverProvider.js"

export type { GetUsersOptions, ListEntitiesOptions, Secret } from "@rosterkit/core/Connector"

export interface ConnectorOptions extends Omit<CleverClient.Options, "token">, Connector.Options {
  /** The district bearer token. */
  readonly token: Connector.Secret
}

/**
 * A Clever district behind Promises. Construction checks the configuration (an empty token,
 * a bad host or a page size above 10000 throws a `ConfigurationError` at once); the first
 * request happens on the first call.
 */
export class CleverConnector extends Connector.Connector {
  constructor(options: ConnectorOptions) {
    const [{ token, ...settings }, own] = Connector.splitOptions(options)
    const client: CleverClient.Options = { ...settings, token: Connector.redacted(typeof token === "string" || token !== undefined ? token : "") }
    const checked = CleverClient.validate(client)
    if (checked._tag === "Left") throw checked.left
    super(CleverProvider.layer(client), own)
  }
}
