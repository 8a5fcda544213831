import { describe, expect, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { cliDir } from "./support/Cli.js"

/**
 * CodeCache runs in child processes (V8's flags and the exit hook are the process's own): a
 * driver imports the module, bundled from the sources, and loads a small CommonJS file.
 */
const setup = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-codecache-"))
  const esbuild = await import("esbuild")
  await esbuild.build({
    entryPoints: [path.join(cliDir, "src", "CodeCache.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: path.join(dir, "CodeCache.mjs"),
    logLevel: "error"
  })
  fs.writeFileSync(
    path.join(dir, "driver.mjs"),
    `import { load } from "./CodeCache.mjs"
const loaded = load(process.argv[2])
process.stdout.write(JSON.stringify({ cache: loaded.cache, exports: loaded.exports }))`
  )
  const program = path.join(dir, "program.cjs")
  const run = (env: Record<string, string> = {}) =>
    JSON.parse(execFileSync(process.execPath, [path.join(dir, "driver.mjs"), program], { env: { PATH: process.env["PATH"] ?? "", ...env }, encoding: "utf8" })) as {
      cache: string
      exports: unknown
    }
  const spawn = (env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(dir, "driver.mjs"), program], { env: { PATH: process.env["PATH"] ?? "", ...env }, encoding: "utf8" })
  return { dir, program, cache: `${program}.v8cache`, run, spawn }
}

const source = (answer: number) => `#!/usr/bin/env node
const path = require("node:path")
const square = (n) => n * n
module.exports = { answer: square(${answer}), file: path.basename(__filename), self: this === module.exports }
`

describe("CodeCache.load", () => {
  it("runs a CommonJS file with Node's wrapper; writes the cache only when asked, and uses it next time", async () => {
    const { cache, dir, program, run } = await setup()
    try {
      fs.writeFileSync(program, source(7))
      expect(run()).toEqual({ cache: "none", exports: { answer: 49, file: "program.cjs", self: true } })
      expect(fs.existsSync(cache)).toBe(false)

      expect(run({ ROSTERKIT_WRITE_CODE_CACHE: "1" })).toEqual({ cache: "none", exports: { answer: 49, file: "program.cjs", self: true } })
      expect(fs.statSync(cache).size).toBeGreaterThan(0)

      expect(run()).toEqual({ cache: "used", exports: { answer: 49, file: "program.cjs", self: true } })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("compiles the source instead when V8 rejects the cache: another source, other V8 flags, a damaged file", async () => {
    const { cache, dir, program, run } = await setup()
    try {
      fs.writeFileSync(program, source(7))
      run({ ROSTERKIT_WRITE_CODE_CACHE: "1" })
      const good = fs.readFileSync(cache)

      fs.writeFileSync(program, source(12345))
      expect(run()).toEqual({ cache: "rejected", exports: { answer: 152399025, file: "program.cjs", self: true } })

      fs.writeFileSync(program, source(7))
      expect(run({ NODE_OPTIONS: "--max-old-space-size=3000" })).toMatchObject({ cache: "rejected", exports: { answer: 49 } })
      expect(run()).toMatchObject({ cache: "used" })

      fs.writeFileSync(cache, good.subarray(0, good.length >> 1))
      expect(run()).toEqual({ cache: "rejected", exports: { answer: 49, file: "program.cjs", self: true } })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("says in one line, and exits 1, when the cache it was asked to write cannot be written", async () => {
    const { cache, dir, program, spawn } = await setup()
    try {
      fs.writeFileSync(program, source(7))
      fs.mkdirSync(cache) // a folder where the file should go: not writable, even for root
      const ran = spawn({ ROSTERKIT_WRITE_CODE_CACHE: "1" })
      expect(ran.status).toBe(1)
      expect(JSON.parse(ran.stdout)).toEqual({ cache: "none", exports: { answer: 49, file: "program.cjs", self: true } })
      expect(ran.stderr).toMatch(/^rosterkit: could not write the code cache .*program\.cjs\.v8cache: EISDIR[^\n]*\n$/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
