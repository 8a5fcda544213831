export * as CleverClient from "./CleverClient.js"
export * as CleverConnector from "./CleverConnector.js"
export * as CleverProvider from "./CleverProvider.js"
export * as CleverSchema from "./CleverSchema.js"
