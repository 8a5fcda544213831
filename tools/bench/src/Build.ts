/**
 * The programs the comparison runs, each one file run with plain `node` (no TypeScript loader in
 * the timing):
 *
 * - rosterkit: the CLI's own build (`apps/cli/scripts/build.mjs`, the published bin, as the
 *   root `prepare` script makes it), run into the cache folder — the bench measures what users
 *   install, and keeps no bundling of the CLI of its own;
 * - the floor and the sequential baseline (`src/clients/*.ts`, the bench's own programs),
 *   bundled here with esbuild into one ESM file each.
 *
 * Outputs go to tools/bench/node_modules/.cache/rosterkit-bench/ and are rebuilt on every run
 * (a second or two), so they always match the sources.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const benchDir = path.resolve(here, "..")
const root = path.resolve(benchDir, "..", "..")
const outDir = path.join(benchDir, "node_modules", ".cache", "rosterkit-bench")

/** The CLI's own build script (it bundles the published bin with esbuild). */
export const cliBuildScript = path.join(root, "apps", "cli", "scripts", "build.mjs")

/** Runs the CLI's own build into the cache folder; the bin's path. */
const buildCli = (): string => {
  if (!fs.existsSync(cliBuildScript)) throw new Error(`the CLI's build script is missing: ${cliBuildScript}`)
  const outdir = path.join(outDir, "cli")
  execFileSync(process.execPath, [cliBuildScript, "--outdir", outdir], { cwd: path.dirname(path.dirname(cliBuildScript)), stdio: ["ignore", "ignore", "inherit"] })
  return path.join(outdir, "bin.js")
}

export interface Programs {
  readonly rosterkit: string
  /** Where `rosterkit` came from (printed with the results). */
  readonly rosterkitFrom: "apps/cli build (scripts/build.mjs)"
  readonly floor: string
  readonly sequential: string
}

const bundle = async (entry: string, name: string): Promise<string> => {
  const esbuild = await import("esbuild")
  fs.mkdirSync(outDir, { recursive: true })
  const outfile = path.join(outDir, `${name}.mjs`)
  const building = path.join(outDir, `${name}-${process.pid}.mjs`)
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@rosterkit/source"],
    outfile: building,
    logLevel: "error",
    banner: { js: "import { createRequire as __rosterkitRequire } from 'node:module'; const require = __rosterkitRequire(import.meta.url);" }
  })
  fs.renameSync(building, outfile)
  return outfile
}

export const build = async (): Promise<Programs> => {
  const [floor, sequential] = await Promise.all([bundle(path.join(here, "clients", "floor.ts"), "floor"), bundle(path.join(here, "clients", "sequential.ts"), "sequential")])
  return { rosterkit: buildCli(), rosterkitFrom: "apps/cli build (scripts/build.mjs)", floor, sequential }
}
