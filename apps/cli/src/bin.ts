#!/usr/bin/env node
/**
 * The `rosterkit` executable, from the sources (tests, `pnpm rosterkit:dev`): Program is a
 * dynamic import, loaded only when the command line is more than `--version` (see Launch).
 */
import * as Launch from "./Launch.js"

Launch.start(() => import("./Program.js"))
