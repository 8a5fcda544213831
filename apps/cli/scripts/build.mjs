/**
 * Builds the `rosterkit` bin: the CLI bundled by esbuild into dist/ with every dependency inside
 * (effect, @effect/*, the workspace packages from their TypeScript sources, csv-parse, yauzl, …),
 * so the published package has no runtime dependencies.
 *
 * - dist/bin.js (src/binBuilt.ts, ESM): tiny; answers `--version`, bounds the heap and loads
 *   the command tree.
 * - dist/program.cjs (src/Program.ts, CommonJS, one file): the command tree, every provider
 *   and the demo server. CommonJS because Node 20 can keep V8's compiled code between runs only
 *   for scripts, not ES modules: bin.js loads it through src/CodeCache.ts.
 * - dist/program.cjs.v8cache: that code cache, trained here by running the built bin once
 *   against the demo district (`users --provider demo --format ndjson`): the first request
 *   leaves ~60–90 ms sooner. V8 ignores it under another Node version or other V8 flags, and
 *   the bin compiles as before.
 * - dist/THIRD-PARTY-LICENSES.md lists every bundled package with its license text.
 *
 * Usage: node scripts/build.mjs [--outdir DIR]   (default dist/; from anywhere; the root
 * `prepare` script runs it on install)
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import process from "node:process"
import { fileURLToPath } from "node:url"

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const outdirFlag = process.argv.indexOf("--outdir")
const outdir = outdirFlag === -1 ? path.join(cliDir, "dist") : path.resolve(process.argv[outdirFlag + 1] ?? "dist")

fs.rmSync(outdir, { recursive: true, force: true })

const common = {
  absWorkingDir: cliDir,
  bundle: true,
  platform: "node",
  target: "node20",
  // Workspace packages are bundled from their sources (no tsc build needed first).
  conditions: ["@rosterkit/source"],
  minify: true,
  keepNames: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning"
}

const [bin, program] = await Promise.all([
  esbuild.build({ ...common, entryPoints: ["src/binBuilt.ts"], outfile: path.join(outdir, "bin.js"), format: "esm" }),
  esbuild.build({
    ...common,
    entryPoints: ["src/Program.ts"],
    outfile: path.join(outdir, "program.cjs"),
    format: "cjs",
    // Version.ts finds package.json from its own file.
    define: { "import.meta.url": "__rosterkitImportMetaUrl" },
    banner: { js: "var __rosterkitImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" }
  })
])

fs.chmodSync(path.join(outdir, "bin.js"), 0o755)

/**
 * Trains the code cache: one run of the built bin against the demo district, in an empty
 * folder, with no other ROSTERKIT_* setting and no NODE_OPTIONS (so V8's flags are the bin's
 * own, as a user's run has them). A failed run fails the build: the bin itself is broken.
 */
const train = () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ROSTERKIT_") && key !== "NODE_OPTIONS"))
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-build-"))
  try {
    execFileSync(process.execPath, [path.join(outdir, "bin.js"), "users", "--provider", "demo", "--format", "ndjson"], {
      cwd,
      env: { ...env, ROSTERKIT_WRITE_CODE_CACHE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 60_000
    })
  } catch (error) {
    process.stderr.write(`rosterkit build: the built bin failed its training run (users --provider demo):\n${String(error.stderr ?? error.message)}\n`)
    process.exit(1)
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true })
  }
}
train()

/** The package folder (nearest package.json with a name) of a bundled file. */
const packageOf = (file) => {
  let dir = path.dirname(fs.realpathSync(path.resolve(cliDir, file)))
  for (;;) {
    const manifest = path.join(dir, "package.json")
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, "utf8"))
      if (typeof pkg.name === "string" && typeof pkg.version === "string") return { dir, pkg }
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

const packages = new Map()
for (const input of [...Object.keys(bin.metafile.inputs), ...Object.keys(program.metafile.inputs)]) {
  const found = packageOf(input)
  if (found !== undefined && found.pkg.name !== "@rosterkit/cli") packages.set(`${found.pkg.name}@${found.pkg.version}`, found)
}
const licenseText = (dir) => {
  const file = fs.readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name))
  return file === undefined ? undefined : fs.readFileSync(path.join(dir, file), "utf8").trim()
}
const sections = [...packages.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([id, { dir, pkg }]) => {
    const text = licenseText(dir) ?? (pkg.name.startsWith("@rosterkit/") ? licenseText(path.resolve(cliDir, "..", "..")) : undefined)
    return `## ${id}\n\nLicense: ${pkg.license ?? "see the package"}\n${text === undefined ? "" : `\n\`\`\`\n${text}\n\`\`\`\n`}`
  })
fs.writeFileSync(
  path.join(outdir, "THIRD-PARTY-LICENSES.md"),
  `# Bundled packages\n\nThe dist/ folder of @rosterkit/cli bundles the following packages.\n\n${sections.join("\n")}`
)

const kib = (file) => (fs.statSync(path.join(outdir, file)).size / 1024).toFixed(0)
process.stdout.write(
  `rosterkit: built ${path.relative(process.cwd(), path.join(outdir, "bin.js"))} and program.cjs (${kib("program.cjs")} KiB, ${packages.size} bundled packages; code cache ${kib("program.cjs.v8cache")} KiB)\n`
)
