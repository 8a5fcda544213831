/**
 * Loads a CommonJS bundle through V8's code cache, the built bin's way to start sooner.
 *
 * Node 20 keeps no compiled code between runs for ES modules (Node 22's
 * `module.enableCompileCache` does), so every run parsed and compiled the command tree again:
 * ~50 ms of module compiling and as much again of functions compiled on their first call,
 * before the first request. The build (scripts/build.mjs) therefore bundles the command tree as
 * one CommonJS file, dist/program.cjs, and trains its cache: it runs the built bin once against
 * the demo district with `ROSTERKIT_WRITE_CODE_CACHE=1`, and at exit V8 serialises every
 * function that run compiled into program.cjs.v8cache. Later runs read it instead of compiling.
 *
 * The cache is an optimisation only. V8 checks it against its own version, its flags and the
 * source, and rejects it on any mismatch (another Node version, V8 flags in NODE_OPTIONS): the
 * source is then compiled as usual, as fast as before. Nothing is written at run time, only by
 * the build.
 */
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import * as vm from "node:vm"

/** Where a bundle's cache lives: beside it. */
export const cacheFile = (file: string): string => `${file}.v8cache`

/** Set to 1 (by the build) to write the cache of what the run compiled when the process exits. */
export const writeVariable = "ROSTERKIT_WRITE_CODE_CACHE"

/** Whether V8 took the cache: `none` when there is no cache file. */
export type Status = "used" | "rejected" | "none"

export interface Loaded {
  readonly exports: unknown
  readonly cache: Status
}

const readIfPresent = (file: string): Buffer | undefined => {
  try {
    return fs.readFileSync(file)
  } catch {
    return undefined
  }
}

/** Node's own CommonJS wrapper (one line: positions in stack traces stay those of the file). */
const wrap = (source: string): string =>
  `(function (exports, require, module, __filename, __dirname) { ${source.replace(/^#!.*/, "")}\n})`

/** Runs the CommonJS file `file` (an absolute path), with its cache when V8 accepts it. */
export const load = (file: string, env: NodeJS.ProcessEnv = process.env): Loaded => {
  const cachedData = readIfPresent(cacheFile(file))
  const script = new vm.Script(wrap(fs.readFileSync(file, "utf8")), {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  const module: { exports: unknown } = { exports: {} }
  const run = script.runInThisContext() as (...args: ReadonlyArray<unknown>) => void
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file))
  if (env[writeVariable] === "1") {
    process.once("exit", () => {
      try {
        fs.writeFileSync(cacheFile(file), script.createCachedData())
      } catch (error) {
        process.stderr.write(`rosterkit: could not write the code cache ${cacheFile(file)}: ${error instanceof Error ? error.message : String(error)}\n`)
        process.exitCode = 1
      }
    })
  }
  return { exports: module.exports, cache: cachedData === undefined ? "none" : script.cachedDataRejected === false ? "used" : "rejected" }
}

/** One line on what happened to the cache, for ROSTERKIT_DEBUG. */
export const describe = (loaded: Loaded, file: string): string =>
  loaded.cache === "used"
    ? `V8 code cache used (${cacheFile(file)})`
    : loaded.cache === "rejected"
    ? `V8 code cache rejected: built under another Node version or other V8 flags (${cacheFile(file)}); compiled instead`
    : `no V8 code cache (${cacheFile(file)}); compiled instead`
