import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cliDir } from "./support/Cli.js"

/**
 * CodeCache runs in child processes (V8's flags and the exit hook are the process's own): a
 * driver imports the module, bundled once from the sources, and loads a small CommonJS file,
 * a fresh one in its own folder for each test.
 */
let work = ""

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-codecache-"))
  const esbuild = await import("esbuild")
  await esbuild.build({
    entryPoints: [path.join(cliDir, "src", "CodeCache.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: path.join(work, "CodeCache.mjs"),
    logLevel: "error"
  })
  fs.writeFileSync(
    path.join(work, "driver.mjs"),
    `import { load } from "./CodeCache.mjs"
const loaded = load(process.argv[2])
process.stdout.write(JSON.stringify({ cache: loaded.cache, exports: loaded.exports }))`
  )
})

afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

/** A program.cjs in a new folder, with the driver's runs of it. */
const fresh = () => {
  const program = path.join(fs.mkdtempSync(path.join(work, "program-")), "program.cjs")
  fs.writeFileSync(program, source(7))
  const spawn = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.join(work, "driver.mjs"), program], { env: { PATH: process.env["PATH"] ?? "", ...env }, encoding: "utf8" })
  /** A run that must succeed: what the driver printed. */
  const run = (env: Record<string, string> = {}) => {
    const ran = spawn(env)
    expect(ran.status, ran.stderr).toBe(0)
    return JSON.parse(ran.stdout) as { cache: string; exports: unknown }
  }
  return { program, cache: `${program}.v8cache`, run, spawn }
}

const source = (answer: number) => `#!/usr/bin/env node
const path = require("node:path")
const square = (n) => n * n
module.exports = { answer: square(${answer}), file: path.basename(__filename), self: this === module.exports }
`

describe("CodeCache.load", () => {
  it("runs a CommonJS file with Node's wrapper; writes the cache only when asked, and uses it next time", () => {
    const { cache, run } = fresh()
    expect(run()).toEqual({ cache: "none", exports: { answer: 49, file: "program.cjs", self: true } })
    expect(fs.existsSync(cache)).toBe(false)

    expect(run({ ROSTERKIT_WRITE_CODE_CACHE: "1" })).toEqual({ cache: "none", exports: { answer: 49, file: "program.cjs", self: true } })
    expect(fs.statSync(cache).size).toBeGreaterThan(0)

    expect(run()).toEqual({ cache: "used", exports: { answer: 49, file: "program.cjs", self: true } })
  })

  it("compiles the source instead when V8 rejects the cache: another source, other V8 flags, a damaged file", () => {
    const { cache, program, run } = fresh()
    run({ ROSTERKIT_WRITE_CODE_CACHE: "1" })
    const good = fs.readFileSync(cache)

    fs.writeFileSync(program, source(12345))
    expect(run()).toEqual({ cache: "rejected", exports: { answer: 152399025, file: "program.cjs", self: true } })

    fs.writeFileSync(program, source(7))
    expect(run({ NODE_OPTIONS: "--max-old-space-size=3000" })).toMatchObject({ cache: "rejected", exports: { answer: 49 } })
    expect(run()).toMatchObject({ cache: "used" })

    fs.writeFileSync(cache, good.subarray(0, good.length >> 1))
    expect(run()).toEqual({ cache: "rejected", exports: { answer: 49, file: "program.cjs", self: true } })
  })

  it("says in one line, and exits 1, when the cache it was asked to write cannot be written", () => {
    const { cache, spawn } = fresh()
    fs.mkdirSync(cache) // a folder where the file should go: not writable, even for root
    const ran = spawn({ ROSTERKIT_WRITE_CODE_CACHE: "1" })
    expect(ran.status).toBe(1)
    expect(JSON.parse(ran.stdout)).toEqual({ cache: "none", exports: { answer: 49, file: "program.cjs", self: true } })
    expect(ran.stderr).toMatch(/^rosterkit: could not write the code cache .*program\.cjs\.v8cache: EISDIR[^\n]*\n$/)
  })
})
