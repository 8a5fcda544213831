export * as ClassLinkProvider from "./ClassLinkProvider.js"
export * as ClasslinkConnector from "./ClasslinkConnector.js"
