#!/usr/bin/env node
/**
 * The built `rosterkit` executable (dist/bin.js, from scripts/build.mjs): the command tree is
 * dist/program.cjs, loaded through V8's code cache (see CodeCache) when the command line is
 * more than `--version` (see Launch). With ROSTERKIT_DEBUG set, one stderr line says whether V8
 * took the cache.
 */
import { fileURLToPath } from "node:url"
import * as CodeCache from "./CodeCache.js"
import * as Launch from "./Launch.js"

Launch.start(async () => {
  const file = fileURLToPath(new URL("program.cjs", import.meta.url))
  const loaded = CodeCache.load(file)
  if ((process.env["ROSTERKIT_DEBUG"] ?? "") !== "") {
    process.stderr.write(`rosterkit: debug: ${CodeCache.describe(loaded, file)}\n`)
  }
  return loaded.exports as Launch.Program
})
