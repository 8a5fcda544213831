/** Re-exported from @rosterkit/demo, where it lives (runtime code with no test framework). */
export * from "@rosterkit/demo/OneRosterWire"
