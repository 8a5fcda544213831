export * as CsvExport from "./CsvExport.js"
export * as CsvProvider from "./CsvProvider.js"
export * as CsvSchema from "./CsvSchema.js"
export * as CsvSource from "./CsvSource.js"
