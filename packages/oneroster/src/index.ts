export * as OneRosterClient from "./OneRosterClient.js"
export * as OneRosterConnector from "./OneRosterConnector.js"
export * as OneRosterProvider from "./OneRosterProvider.js"
