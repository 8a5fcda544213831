export * as Providers from "./Providers.js"
export * as Settings from "./Settings.js"
